// Debian's 32-bit kernel (linux-image-686): see linux-boot.ts.
import { linuxBootTests } from "./linux-boot.js";

linuxBootTests("i386");
