/**
 * The 64-bit tester on its own: both runners on hand-written 64-bit cases
 * with known outcomes (REX.W arithmetic, r8-r15, #DE, #PF with CR2,
 * RIP-relative loads, XMM8-15), the builder's REX/ModRM/RIP-relative
 * encoding, and a deliberately wrong soft result that must be reported.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { defaultFxsave, FX_XMM } from "../../src/difftest/fxsave.js";
import {
  CF,
  CODE_ADDR,
  DATA_ADDR,
  VEC_BP,
  VEC_DE,
  VEC_PF,
  VEC_UD,
} from "../../src/difftest/layout.js";
import { CaseBuilder64 } from "../../src/difftest/long/builder64.js";
import {
  type CaseResult64,
  type DiffCase64,
  manualCase64,
} from "../../src/difftest/long/case64.js";
import { compareResults64 } from "../../src/difftest/long/compare64.js";
import { findGroup64 } from "../../src/difftest/long/groups64.js";
import { NativeRunner64, prepareNativeRunner64 } from "../../src/difftest/long/native-runner64.js";
import { runGroups64 } from "../../src/difftest/long/run64.js";
import { SoftRunner64 } from "../../src/difftest/long/soft-runner64.js";
import { Rng } from "../../src/difftest/rng.js";
import { WireError } from "../../src/difftest/wire.js";
import { decodeResult64, encodeCases64, RESULT_SIZE_64 } from "../../src/difftest/long/wire64.js";

interface Expectation {
  readonly name: string;
  readonly c: DiffCase64;
  readonly vector: number;
  readonly rip: bigint;
  readonly cr2?: bigint;
  readonly gpr?: Readonly<Record<number, bigint>>;
  readonly check?: (r: CaseResult64) => void;
}

const fx = defaultFxsave;
const CODE = BigInt(CODE_ADDR);
const xmm8 = {
  ...manualCase64([0x66, 0x4c, 0x0f, 0x6e, 0xc0], fx(), [0x1122334455667788n]),
  compareSse: true,
};

const EXPECTATIONS: Expectation[] = [
  {
    name: "add rax, rbx (REX.W, carry out of bit 63)",
    c: manualCase64([0x48, 0x01, 0xd8], fx(), [2n ** 63n, 0n, 0n, 2n ** 63n + 5n]),
    vector: VEC_BP,
    rip: CODE + 4n,
    gpr: { 0: 5n },
    check: (r) => assert.equal(r.rflags & CF, CF),
  },
  {
    name: "add r9d, r12d zero-extends",
    c: manualCase64([0x45, 0x01, 0xe1], fx(), [
      0n,
      0n,
      0n,
      0n,
      0n,
      0n,
      0n,
      0n,
      0n,
      -1n,
      0n,
      0n,
      1n,
    ]),
    vector: VEC_BP,
    rip: CODE + 4n,
    gpr: { 9: 0n, 12: 1n },
  },
  {
    name: "div rcx by zero: #DE at the instruction",
    c: manualCase64([0x48, 0xf7, 0xf1], fx(), [5n]),
    vector: VEC_DE,
    rip: CODE,
  },
  { name: "ud2", c: manualCase64([0x0f, 0x0b], fx()), vector: VEC_UD, rip: CODE },
  {
    name: "mov rax, [rip-0x10000000] reads the data area",
    c: {
      ...manualCase64([0x48, 0x8b, 0x05, 0xf9, 0xff, 0xff, 0xef], fx()),
      dataInit: [{ offset: 0, bytes: Uint8Array.of(0xaa, 0xbb) }],
    },
    vector: VEC_BP,
    rip: CODE + 8n,
    gpr: { 0: 0xbbaan },
  },
  {
    name: "mov [r15], al past the data area: #PF",
    c: manualCase64([0x41, 0x88, 0x07], fx(), [
      0n,
      0n,
      0n,
      0n,
      0n,
      0n,
      0n,
      0n,
      0n,
      0n,
      0n,
      0n,
      0n,
      0n,
      0n,
      BigInt(DATA_ADDR + 0x2000),
    ]),
    vector: VEC_PF,
    rip: CODE,
    cr2: BigInt(DATA_ADDR + 0x2000),
  },
  {
    name: "movq xmm8, rax",
    c: xmm8,
    vector: VEC_BP,
    rip: CODE + 6n,
    check: (r) =>
      assert.equal(
        Buffer.from(r.fxsave.subarray(FX_XMM + 128, FX_XMM + 136)).readBigUInt64LE(),
        0x1122334455667788n,
      ),
  },
];

function checkAll(results: readonly CaseResult64[]): void {
  EXPECTATIONS.forEach((e, i) => {
    const r = results[i];
    assert.equal(r.vector, e.vector, `${e.name}: vector`);
    assert.equal(r.rip, e.rip, `${e.name}: rip`);
    if (e.cr2 !== undefined) assert.equal(r.cr2, e.cr2, `${e.name}: cr2`);
    for (const [n, v] of Object.entries(e.gpr ?? {}))
      assert.equal(r.gpr[Number(n)], v, `${e.name}: gpr ${n}`);
    e.check?.(r);
  });
}

const build = prepareNativeRunner64();
const skip = "skip" in build ? build.skip : false;
let native: NativeRunner64 | null = null;
const nativeRunner = (): NativeRunner64 => {
  if (!("path" in build)) throw new Error("no native runner");
  native ??= new NativeRunner64(build.path);
  return native;
};
after(() => native?.close());

test("64-bit builder: REX bits, SIB with r12/r13, RIP-relative displacement", () => {
  const b = new CaseBuilder64(new Rng(1));
  b.insn({ w: true, opcode: [0x01], reg: 9, rm: { kind: "reg", n: 12 } }); // add r12, r9
  b.insn({ prefix: [0x66], opcode: [0x0f, 0xd4], reg: 8, rm: { kind: "reg", n: 15 } }); // paddq xmm8, xmm15
  const rip = b.mem(8, 0x10);
  assert.equal(rip.kind, "mem");
  b.insn({
    w: true,
    opcode: [0x8b],
    reg: 0,
    rm: {
      ...rip,
      mod: 0,
      rm: 5,
      sib: null,
      rexX: 0,
      rexB: 0,
      disp: [0, 0, 0, 0],
      ripTarget: DATA_ADDR + 0x10,
    },
  });
  const code = [...b.finish("t", "t", "t", 0).code];
  assert.deepEqual(code.slice(0, 3), [0x4d, 0x01, 0xcc]);
  assert.deepEqual(code.slice(3, 8), [0x66, 0x45, 0x0f, 0xd4, 0xc7]);
  // mov rax, [rip+d]: the next instruction is at CODE_ADDR + 15, the target DATA_ADDR + 0x10.
  assert.deepEqual(code.slice(8, 11), [0x48, 0x8b, 0x05]);
  const disp = Buffer.from(code.slice(11, 15)).readInt32LE();
  assert.equal(CODE_ADDR + 15 + disp, DATA_ADDR + 0x10);
});

test("64-bit soft runner: known outcomes", () => {
  const soft = new SoftRunner64();
  try {
    checkAll(EXPECTATIONS.map((e) => soft.run(e.c)));
  } finally {
    soft.destroy();
  }
});

test("64-bit native runner: known outcomes", { skip }, async () => {
  checkAll(await nativeRunner().run(EXPECTATIONS.map((e) => e.c)));
});

test(
  "64-bit tester reports a wrong soft result (flipped R13 bit every 40th case)",
  { skip },
  async () => {
    const soft = new SoftRunner64();
    const run = soft.run.bind(soft);
    let n = 0;
    soft.run = (c) => {
      const r = run(c);
      if (++n % 40 !== 0) return r;
      const gpr = BigUint64Array.from(r.gpr);
      gpr[13] ^= 1n << 40n;
      return { ...r, gpr };
    };
    const group = findGroup64("alu64-rr");
    assert.ok(group !== undefined);
    const [stats] = await runGroups64({
      seed: 3,
      groups: [group],
      casesPerGroup: 200,
      native: nativeRunner(),
      soft,
    });
    soft.destroy();
    assert.equal(stats.mismatched, 5);
    assert.equal(stats.passed, 195);
    assert.ok(stats.failures.every((f) => f.differences.some((d) => d.field === "r13")));
  },
);

test("64-bit comparison ignores undefined flags, not defined ones", () => {
  const c = { ...manualCase64([], fx()), undefinedFlags: CF };
  const base: CaseResult64 = {
    vector: 3,
    errorCode: 0,
    cr2: 0n,
    rip: CODE + 1n,
    gpr: new BigUint64Array(16),
    rflags: 0x202,
    fxsave: fx(),
    data: new Uint8Array(8),
  };
  assert.equal(compareResults64(c, base, { ...base, rflags: 0x203 }, true).verdict, "pass");
  assert.equal(compareResults64(c, base, { ...base, rflags: 0x242 }, true).verdict, "mismatch");
});

test("64-bit wire format: case layout, result decoding, bad magic", () => {
  const c = manualCase64([0x90], fx(), [1n, 2n ** 64n - 1n], 0x283);
  const buf = encodeCases64([c]);
  assert.equal(buf.readUInt32LE(0), 0x38445354);
  assert.equal(buf.readUInt32LE(4), 2);
  assert.equal(buf.readBigUInt64LE(16), 2n ** 64n - 1n);
  assert.equal(buf.readBigUInt64LE(136), 0x283n);
  assert.equal(buf.length, 144 + 512 + 0x2000 + 2);
  const out = Buffer.alloc(RESULT_SIZE_64);
  out.writeUInt32LE(0x38525354, 0);
  out.writeUInt32LE(11, 4); // SIGSEGV
  out.writeUInt32LE(14, 8); // #PF
  out.writeUInt32LE(6, 12);
  out.writeBigUInt64LE(0x123456789an, 16);
  out.writeBigUInt64LE(CODE + 3n, 24);
  out.writeBigUInt64LE(0xfedcba9876543210n, 32 + 8 * 15);
  out.writeBigUInt64LE(0x10246n, 160);
  const r = decodeResult64(out, 0);
  assert.equal(r.vector, VEC_PF);
  assert.equal(r.errorCode, 6);
  assert.equal(r.cr2, 0x123456789an);
  assert.equal(r.rip, CODE + 3n);
  assert.equal(r.gpr[15], 0xfedcba9876543210n);
  assert.equal(r.rflags, 0x10246);
  out.writeUInt32LE(0, 0);
  assert.throws(() => decodeResult64(out, 0), WireError);
});
