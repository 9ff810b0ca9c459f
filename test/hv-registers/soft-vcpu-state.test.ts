import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { HvError } from "../../src/hv/errors.js";
import {
  Ctl,
  Msr,
  RegAttr,
  regKey,
  RegSet,
  type RegisterEntry,
  type RegisterId,
  type RegisterValue,
} from "../../src/hv/registers.js";
import { SoftVcpu } from "../../src/hv/soft/vcpu.js";
import { MemoryCore } from "./memory-core.js";

const MSRS = [Msr.TSC, Msr.APIC_BASE, Msr.MTRRCAP, Msr.PAT, Msr.EFER, Msr.LSTAR, Msr.TSC_AUX];
const LEAVES = [[0, 0], [1, 0], [7, 0], [0xd, 0], [0xd, 1], [0x80000001, 0]] as const; // prettier-ignore

function makeVcpu() {
  const core = new MemoryCore(MSRS, LEAVES);
  const vcpu = new SoftVcpu({ destroyed: false }, 0, core);
  return { core, vcpu };
}

function valueKey(value: RegisterValue): string {
  return typeof value === "bigint" ? value.toString(16) : Buffer.from(value).toString("hex");
}

/** Random values of each register's size, distinct across the whole catalog. */
function distinctValues(ids: readonly RegisterId[]): { id: RegisterId; value: RegisterValue }[] {
  const used = new Set<string>();
  return ids.map((id) => {
    for (;;) {
      const bytes = randomBytes(id.size);
      const value = id.size <= 8 ? BigInt(`0x${bytes.toString("hex")}`) : new Uint8Array(bytes);
      const key = `${id.size}:${valueKey(value)}`;
      if (used.has(key)) continue;
      used.add(key);
      return { id, value };
    }
  });
}

const invalid = (pattern: RegExp) => (e: unknown) =>
  e instanceof HvError && e.code === "invalid-argument" && pattern.test(e.message);

const rax = { set: RegSet.GPR, number: 0 };
const cs = { set: RegSet.SEGMENT, number: 1 };
const efer = { set: RegSet.MSR, number: Msr.EFER };
const mtrrcap = { set: RegSet.MSR, number: Msr.MTRRCAP };

describe("SoftVcpu register state", () => {
  it("lists the catalog of the core's MSRs and CPUID leaves", () => {
    const { vcpu } = makeVcpu();
    const ids = vcpu.listRegisters();
    const msrs = ids.filter((id) => id.set === RegSet.MSR).map((id) => id.number);
    assert.deepEqual(msrs, MSRS);
    assert.equal(ids.filter((id) => id.set === RegSet.CPUID).length, LEAVES.length);
    assert.equal(vcpu.listRegisters(), ids, "the same frozen list each time");
  });

  it("round-trips a distinct random value through every writable register", () => {
    const { core, vcpu } = makeVcpu();
    const writable = vcpu.listRegisters().filter((id) => id.attributes !== RegAttr.READ_ONLY);
    const entries = distinctValues(writable);
    vcpu.setState(entries);
    const read = vcpu.getState(writable);
    assert.equal(read.length, entries.length);
    read.forEach((entry, i) => {
      const name = writable[i].name;
      assert.equal(entry.id, writable[i], `${name}: entry carries the catalog id`);
      assert.deepEqual(entry.value, entries[i].value, `${name} reads back what was written`);
      // The value reached the CPU's store under the right key, not a cache in the Vcpu.
      assert.equal(
        valueKey(core.registers.read(entry.id.set, entry.id.number)),
        valueKey(entry.value),
      );
    });
  });

  it("round-trips registers one at a time too", () => {
    const { vcpu } = makeVcpu();
    const writable = vcpu.listRegisters().filter((id) => id.attributes !== RegAttr.READ_ONLY);
    for (const entry of distinctValues(writable)) {
      vcpu.setState([entry]);
      assert.deepEqual(vcpu.getState([entry.id])[0].value, entry.value, entry.id.name);
    }
  });

  it("copies values in and out", () => {
    const { vcpu } = makeVcpu();
    const bytes = new Uint8Array(16).fill(7);
    vcpu.setState([{ id: cs, value: bytes }]);
    bytes.fill(1);
    const [out] = vcpu.getState([cs]);
    assert.deepEqual([...(out.value as Uint8Array)], Array(16).fill(7));
    (out.value as Uint8Array).fill(2);
    assert.deepEqual([...(vcpu.getState([cs])[0].value as Uint8Array)], Array(16).fill(7));
  });

  it("refuses an unknown register, naming its set and number", () => {
    const { vcpu } = makeVcpu();
    assert.throws(() => vcpu.getState([{ set: RegSet.GPR, number: 16 }]), invalid(/GPR.*16/));
    assert.throws(
      () => vcpu.getState([{ set: RegSet.MSR, number: Msr.STAR }]),
      invalid(/set MSR \(0x7\), number 0xc0000081/),
    );
    assert.throws(
      () => vcpu.setState([{ id: { set: RegSet.CONTROL, number: 1 }, value: 0n }]),
      invalid(/CONTROL.*number 1/),
    );
    assert.throws(() => vcpu.getState([null as unknown as typeof rax]), invalid(/\{set, number\}/));
  });

  it("refuses READ_ONLY registers but lets the host set READ_ONLY_FOR_GUEST ones", () => {
    const { core, vcpu } = makeVcpu();
    assert.throws(
      () => vcpu.setState([{ id: mtrrcap, value: 0x508n }]),
      invalid(/mtrrcap.*read-only/),
    );
    assert.equal(core.registers.read(RegSet.MSR, Msr.MTRRCAP), 0n);
    assert.equal(vcpu.getState([mtrrcap])[0].value, 0n, "read-only registers can still be read");
    const leaf1 = { set: RegSet.CPUID, number: 0x100 };
    vcpu.setState([{ id: leaf1, value: new Uint8Array(16).fill(0xaa) }]);
    assert.deepEqual(vcpu.getState([leaf1])[0].value, new Uint8Array(16).fill(0xaa));
  });

  it("applies nothing when any entry of a batch is bad", () => {
    const good: RegisterEntry[] = [
      { id: rax, value: 0x1234n },
      { id: cs, value: new Uint8Array(16).fill(3) },
      { id: efer, value: 0xd01n },
    ];
    const badEntries: [RegisterEntry, RegExp][] = [
      [{ id: { set: RegSet.CONTROL, number: Ctl.CR0 }, value: 1n << 64n }, /cr0/],
      [{ id: { set: RegSet.CONTROL, number: Ctl.CR3 }, value: 5 as unknown as bigint }, /cr3/],
      [{ id: { set: RegSet.SSE, number: 0 }, value: new Uint8Array(15) }, /xmm0.*16 bytes/],
      [{ id: { set: RegSet.GPR, number: 99 }, value: 0n }, /GPR.*99/],
      [{ id: mtrrcap, value: 0n }, /read-only/],
      [{ id: rax, value: 1n }, /rax appears twice/],
      [null as unknown as RegisterEntry, /\{id, value\}/],
    ];
    for (const [bad, pattern] of badEntries) {
      const { core, vcpu } = makeVcpu();
      const before = core.registers.snapshot();
      assert.throws(() => vcpu.setState([...good, bad]), invalid(pattern));
      assert.deepEqual(core.registers.values, before, `nothing written for ${pattern}`);
      assert.equal(core.registers.writes, 0);
    }
  });

  it("restores earlier writes when the CPU's store refuses a later one", () => {
    const { core, vcpu } = makeVcpu();
    vcpu.setState([{ id: rax, value: 1n }]);
    const before = core.registers.snapshot();
    core.registers.failOn = regKey(efer);
    assert.throws(
      () =>
        vcpu.setState([
          { id: rax, value: 2n },
          { id: cs, value: new Uint8Array(16) },
          { id: efer, value: 0x500n },
        ]),
      /refuses/,
    );
    assert.deepEqual(core.registers.values, before);
  });

  it("reports a malformed value coming from the CPU", () => {
    const { core, vcpu } = makeVcpu();
    core.registers.values.set(regKey(cs), new Uint8Array(4));
    assert.throws(() => vcpu.getState([cs]), /soft CPU returned a malformed value.*cs/);
  });
});
