// Debian's 64-bit kernel (linux-image-amd64) with 64-bit busybox: see linux-boot.ts.
import { linuxBootTests } from "./linux-boot.js";

linuxBootTests("amd64");
