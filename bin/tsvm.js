#!/usr/bin/env node
// The `tsvm` command: runs the compiled CLI (npm run build emits dist/).
import { main } from "../dist/src/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
