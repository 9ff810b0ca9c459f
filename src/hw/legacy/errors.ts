/**
 * Option checks shared by the legacy devices. Devices declare and validate
 * their options (DESIGN.md, "Options are declared per device and
 * validated"); a bad one is a DeviceOptionError naming the device and option.
 */

/** A device was given a bad option. */
export class DeviceOptionError extends Error {
  readonly device: string;
  readonly option: string;

  constructor(device: string, option: string, detail: string) {
    super(`${device}: option "${option}" ${detail}`);
    this.name = "DeviceOptionError";
    this.device = device;
    this.option = option;
  }
}

/** Checks an I/O port range `[base, base + size)` fits the 64 KiB port space. */
export function checkPortRange(device: string, option: string, base: number, size = 1): void {
  if (!Number.isInteger(base) || base < 0 || base + size > 0x1_0000) {
    throw new DeviceOptionError(
      device,
      option,
      `must be an I/O port from 0 to 0x${(0x1_0000 - size).toString(16)}, got ${String(base)}`,
    );
  }
}

/** Checks `value` is an integer in `[min, max]`. */
export function checkInteger(
  device: string,
  option: string,
  value: number,
  min: number,
  max: number,
): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new DeviceOptionError(
      device,
      option,
      `must be an integer from ${min} to ${max}, got ${String(value)}`,
    );
  }
}
