import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HvError } from "../../src/hv/errors.js";
import {
  cpuidNumber,
  Events,
  GPR_NAMES,
  MpState,
  Msr,
  RegAttr,
  regKey,
  RegSet,
  SEGMENT_NAMES,
  Smm,
  type RegisterId,
} from "../../src/hv/registers.js";
import {
  findRegister,
  RegisterCatalog,
  x86RegisterCatalog,
  type X86CpuModel,
} from "../../src/hv/x86/register-catalog.js";

const MODEL: X86CpuModel = {
  longMode: true,
  msrs: [Msr.TSC, Msr.APIC_BASE, Msr.MTRRCAP, 0x201, 0x26f, Msr.PAT, Msr.EFER, Msr.LSTAR, 0x8b],
  cpuidLeaves: [
    [0, 0],
    [1, 0],
    [7, 0],
    [0xd, 0],
    [0xd, 1],
    [0x80000000, 0],
    [0x80000001, 0],
  ],
};

function inSet(ids: readonly RegisterId[], set: RegSet): RegisterId[] {
  return ids.filter((id) => id.set === set);
}

function numbersOf(ids: readonly RegisterId[], set: RegSet): number[] {
  return inSet(ids, set).map((id) => id.number);
}

function isHvError(code: string, pattern: RegExp) {
  return (e: unknown) => e instanceof HvError && e.code === code && pattern.test(e.message);
}

describe("x86RegisterCatalog", () => {
  const ids = x86RegisterCatalog(MODEL);

  it("lists every register set, real and fake", () => {
    for (const [name, set] of Object.entries(RegSet)) {
      assert.ok(inSet(ids, set).length > 0, `set ${name} is missing`);
    }
    assert.ok(ids.every((id) => Object.values(RegSet).includes(id.set)));
  });

  it("has no duplicate (set, number) and no duplicate or empty name", () => {
    assert.equal(new Set(ids.map(regKey)).size, ids.length);
    assert.equal(new Set(ids.map((id) => id.name)).size, ids.length);
    assert.ok(
      ids.every((id) => /^[a-z][a-z0-9_.]*$/.test(id.name)),
      "names are lower-case words",
    );
  });

  it("gives every set the sizes and numbers of src/hv/registers.ts", () => {
    assert.deepEqual(
      inSet(ids, RegSet.GPR).map((id) => [id.number, id.name, id.size]),
      GPR_NAMES.map((name, i) => [i, name, 8]),
    );
    assert.deepEqual(
      inSet(ids, RegSet.SEGMENT).map((id) => [id.number, id.name, id.size]),
      SEGMENT_NAMES.map((name, i) => [i, name, 16]),
    );
    assert.deepEqual(numbersOf(ids, RegSet.CONTROL), [0, 2, 3, 4, 8, 16]);
    assert.deepEqual(numbersOf(ids, RegSet.DEBUG), [0, 1, 2, 3, 6, 7]);
    for (const set of [RegSet.CONTROL, RegSet.DEBUG, RegSet.MSR, RegSet.RIP, RegSet.RFLAGS]) {
      assert.ok(
        inSet(ids, set).every((id) => id.size === 8),
        `set ${set} is 8 bytes wide`,
      );
    }
    const x87 = inSet(ids, RegSet.X87);
    assert.deepEqual(
      x87.map((id) => id.size),
      [10, 10, 10, 10, 10, 10, 10, 10, 2, 2, 2, 2, 8, 2, 8, 2],
    );
    assert.deepEqual(numbersOf(ids, RegSet.X87), [...Array(16).keys()]);
    const sse = inSet(ids, RegSet.SSE);
    assert.deepEqual(
      sse.map((id) => [id.number, id.size]),
      [...[...Array(16).keys()].map((n) => [n, 16]), [16, 4]],
    );
  });

  it("lists exactly the model's MSRs, named, with MTRRCAP read-only", () => {
    const msrs = inSet(ids, RegSet.MSR);
    assert.deepEqual(
      msrs.map((id) => id.number),
      MODEL.msrs,
    );
    const byNumber = new Map(msrs.map((id) => [id.number, id]));
    assert.equal(byNumber.get(Msr.EFER)?.name, "efer");
    assert.equal(byNumber.get(0x201)?.name, "mtrr_physmask0");
    assert.equal(byNumber.get(0x26f)?.name, "mtrr_fix4k_f8000");
    assert.equal(byNumber.get(0x8b)?.name, "msr_0x8b");
    assert.equal(byNumber.get(Msr.MTRRCAP)?.attributes, RegAttr.READ_ONLY);
    assert.equal(byNumber.get(Msr.EFER)?.attributes, RegAttr.READ_WRITE);
  });

  it("lists every CPUID leaf as 16 bytes, read-only for the guest", () => {
    const leaves = inSet(ids, RegSet.CPUID);
    assert.deepEqual(
      leaves.map((id) => id.number),
      MODEL.cpuidLeaves.map(([leaf, sub]) => cpuidNumber(leaf, sub)),
    );
    assert.ok(
      leaves.every((id) => id.size === 16 && id.attributes === RegAttr.READ_ONLY_FOR_GUEST),
    );
    assert.equal(leaves[4].name, "cpuid_0xd.1");
    // Everything that is not CPUID or a fixed MSR is plain read-write.
    const others = ids.filter((id) => id.set !== RegSet.CPUID && id.number !== Msr.MTRRCAP);
    assert.ok(others.every((id) => id.attributes === RegAttr.READ_WRITE));
  });

  it("lists every number of the fake sets with their documented sizes", () => {
    assert.deepEqual(numbersOf(ids, RegSet.EVENTS).sort(), Object.values(Events).sort());
    const errorCode = inSet(ids, RegSet.EVENTS).find(
      (id) => id.number === Events.EXCEPTION_ERROR_CODE,
    );
    assert.equal(errorCode?.size, 4);
    assert.deepEqual(numbersOf(ids, RegSet.MP_STATE).sort(), Object.values(MpState).sort());
    assert.deepEqual(numbersOf(ids, RegSet.SMM).sort(), Object.values(Smm).sort());
    assert.equal(inSet(ids, RegSet.SMM).find((id) => id.number === Smm.SMBASE)?.size, 4);
    assert.deepEqual(
      inSet(ids, RegSet.INTERRUPT_SHADOW).map((id) => [id.number, id.size]),
      [[0, 1]],
    );
    const oneByte = [...inSet(ids, RegSet.EVENTS), ...inSet(ids, RegSet.MP_STATE)].filter(
      (id) => id.number !== Events.EXCEPTION_ERROR_CODE || id.set !== RegSet.EVENTS,
    );
    assert.ok(oneByte.every((id) => id.size === 1));
  });

  it("has the same shape with or without long mode, and is frozen", () => {
    const legacy = x86RegisterCatalog({ ...MODEL, longMode: false });
    assert.deepEqual(legacy, ids);
    assert.ok(Object.isFrozen(ids) && ids.every((id) => Object.isFrozen(id)));
  });

  it("refuses malformed or duplicate MSR and CPUID entries", () => {
    const bad: X86CpuModel[] = [
      { ...MODEL, msrs: [Msr.EFER, Msr.EFER] },
      { ...MODEL, msrs: [-1] },
      { ...MODEL, msrs: [2 ** 32] },
      { ...MODEL, msrs: [1.5] },
      { ...MODEL, cpuidLeaves: [[1, 256]] },
      { ...MODEL, cpuidLeaves: [[-1, 0]] },
      { ...MODEL, cpuidLeaves: [[4, 1], [4, 1]] }, // prettier-ignore
    ];
    for (const model of bad) {
      assert.throws(() => x86RegisterCatalog(model), isHvError("invalid-argument", /MSR|CPUID/));
    }
  });
});

describe("RegisterCatalog", () => {
  const catalog = new RegisterCatalog(x86RegisterCatalog(MODEL));

  it("finds every register by (set, number)", () => {
    for (const id of catalog.registers) {
      assert.equal(findRegister(catalog, { set: id.set, number: id.number }), id);
    }
    assert.equal(catalog.size, catalog.registers.length);
  });

  it("finds nothing for unknown or malformed references", () => {
    assert.equal(findRegister(catalog, { set: RegSet.GPR, number: 16 }), undefined);
    assert.equal(findRegister(catalog, { set: RegSet.MSR, number: Msr.STAR }), undefined);
    // A string set would build the key "1:0" of RAX; it must not match.
    const stringSet = { set: "1", number: 0 } as unknown as { set: RegSet; number: number };
    assert.equal(findRegister(catalog, stringSet), undefined);
    assert.equal(catalog.find(null as unknown as { set: RegSet; number: number }), undefined);
  });

  it("names the set and number of an unknown register in get()'s error", () => {
    assert.throws(
      () => catalog.get({ set: RegSet.DEBUG, number: 4 }),
      isHvError("invalid-argument", /set DEBUG \(0x4\), number 4/),
    );
    assert.throws(
      () => catalog.get({ set: 0x999 as RegSet, number: 1 }),
      isHvError("invalid-argument", /set unknown \(0x999\), number 1/),
    );
  });

  it("refuses two registers with the same key", () => {
    const rax = catalog.registers[0];
    assert.throws(
      () => new RegisterCatalog([rax, { ...rax, name: "other" }]),
      isHvError("invalid-argument", /rax and other/),
    );
  });
});
