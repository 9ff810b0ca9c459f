/**
 * Port I/O and MMIO dispatch through a hierarchy of buses (DESIGN.md, "The
 * device model"). Start at CpuBus; see bus.ts for the rules.
 */
export { Bus, MMIO_SPACE_SIZE, PORT_SPACE_SIZE } from "./bus.js";
export type { BusOptions, BusSpace, FlatRange } from "./bus.js";
export { CpuBus, createBusSpaces } from "./cpu-bus.js";
export type { BusSpaces } from "./cpu-bus.js";
export { BusConflictError, BusError } from "./errors.js";
export { BusMapping } from "./mapping.js";
export type { MountSpec, RegionSpec } from "./mapping.js";
export { UNCLAIMED_LOG_CAPACITY, UnclaimedLog } from "./unclaimed-log.js";
export type { UnclaimedAccess } from "./unclaimed-log.js";
export type { AccessSize, BusValue, PortAccessSize } from "./values.js";
