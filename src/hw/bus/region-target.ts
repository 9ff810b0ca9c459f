/**
 * Checks a device's RegionSpec and prepares what dispatch needs: a width
 * lookup table indexed by size, the widths in splitting order, and callbacks
 * that always exist (a missing `read` reads all ones, a missing `write` drops).
 */
import { BusError } from "./errors.js";
import type { RegionReader, RegionSpec, RegionTarget, RegionWriter } from "./mapping.js";
import { allOnes, isAccessSize } from "./values.js";

const readAllOnes: RegionReader = (_offset, size) => allOnes(size);
const dropWrite: RegionWriter = () => {};

/**
 * Validates `spec` (except its placement, which the bus checks) and builds its
 * RegionTarget. `allow8`: whether 8-byte accesses exist (MMIO, not ports).
 */
export function makeRegionTarget(spec: RegionSpec, allow8: boolean, where: string): RegionTarget {
  if (typeof spec !== "object" || spec === null)
    throw new BusError(`${where}: a region needs a spec`);
  const name = spec.name;
  if (typeof name !== "string" || name === "") {
    throw new BusError(`${where}: a region needs a non-empty name`);
  }
  if (!Array.isArray(spec.widths) || spec.widths.length === 0) {
    throw new BusError(`region "${name}": widths must list the access sizes it takes`);
  }
  const accepts = new Uint8Array(9);
  for (const width of spec.widths) {
    if (!isAccessSize(width) || (width === 8 && !allow8)) {
      const allowed = allow8 ? "1, 2, 4 or 8" : "1, 2 or 4";
      throw new BusError(`region "${name}": width ${String(width)} is not ${allowed}`);
    }
    accepts[width] = 1;
  }
  const widthsDescending = ([8, 4, 2, 1] as const).filter((w) => accepts[w] === 1);
  const { read, write } = spec;
  if (read !== undefined && typeof read !== "function") {
    throw new BusError(`region "${name}": read must be a function`);
  }
  if (write !== undefined && typeof write !== "function") {
    throw new BusError(`region "${name}": write must be a function`);
  }
  return {
    kind: "region",
    name,
    accepts,
    widthsDescending,
    minWidth: widthsDescending[widthsDescending.length - 1],
    read: read === undefined ? readAllOnes : read.bind(spec),
    write: write === undefined ? dropWrite : write.bind(spec),
  };
}
