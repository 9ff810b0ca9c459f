/**
 * Machine types: immutable, named by release, fixing every guest-visible
 * default (DESIGN.md, "Machine types"; seed 003). A guest-visible change goes
 * into a new type; the plain name is an alias of the newest one.
 */

export interface MachineType {
  /** Versioned name, e.g. "pc-2026.12". */
  readonly name: string;
  readonly description: string;
  /** Guest-visible defaults this type fixes. */
  readonly defaults: {
    /** Bytes of RAM when -m is not given. */
    readonly memoryBytes: number;
    /** Where RAM stops below 4 GiB; the rest goes above 4 GiB (PCI hole). */
    readonly lowMemoryLimit: number;
    /** Number of 16550A UARTs at the standard COM1-COM4 addresses. */
    readonly serialPorts: number;
  };
}

const MiB = 1024 * 1024;

const TYPES: readonly MachineType[] = Object.freeze([
  Object.freeze({
    name: "pc-2026.12",
    description: "Standard PC (i440FX-era legacy devices, ACPI, no firmware), 2026.12",
    defaults: Object.freeze({ memoryBytes: 128 * MiB, lowMemoryLimit: 0xc0000000, serialPorts: 4 }),
  }),
]);

const ALIASES: ReadonlyMap<string, string> = new Map([["pc", "pc-2026.12"]]);

export class MachineTypeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MachineTypeError";
  }
}

/** Resolves a name or alias; unknown names get an error listing the known ones. */
export function resolveMachineType(name: string): MachineType {
  const real = ALIASES.get(name) ?? name;
  const type = TYPES.find((t) => t.name === real);
  if (type === undefined) {
    const known = [...ALIASES.keys(), ...TYPES.map((t) => t.name)].join(", ");
    throw new MachineTypeError(`unknown machine type '${name}' (known: ${known})`);
  }
  return type;
}

/** Every machine type with the aliases that point at it (for `-machine help` and QMP). */
export function listMachineTypes(): { type: MachineType; aliases: string[] }[] {
  return TYPES.map((type) => ({
    type,
    aliases: [...ALIASES].filter(([, target]) => target === type.name).map(([alias]) => alias),
  }));
}
