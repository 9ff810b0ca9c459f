/**
 * The built-in demo guest (`tsvm run -demo`, `npm start`): a small Multiboot
 * kernel of our own, assembled from guests/demo/demo.asm and committed as
 * guests/demo/demo.bin, so a new user needs no downloads to see a VM run.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Finds guests/demo/demo.bin above this module (works from src/ and from dist/src/). */
export function demoGuestPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "guests", "demo", "demo.bin");
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error("the demo guest (guests/demo/demo.bin) is missing from this installation");
    dir = parent;
  }
}

export function demoGuestImage(): Uint8Array {
  return readFileSync(demoGuestPath());
}
