/**
 * x87 data transfer (SDM vol. 2): FLD/FST/FSTP of every memory format and of
 * registers, FILD/FIST/FISTP/FISTTP, FBLD/FBSTP, FXCH, FFREE(P), FCMOVcc.
 */
import type { Cpu } from "../cpu.js";
import type { Decoded } from "../decoded.js";
import { testCondition } from "../flags.js";
import { defineGroup } from "../ops.js";
import { F80, setIndefinite } from "./f80.js";
import { f80FromF32, f80FromF64, f80ToF32, f80ToF64, U64 } from "./convert-float.js";
import { f80FromInt32, f80FromInt64, f80ToInt32, f80ToInt64 } from "./convert-int.js";
import { f80FromBcd, f80ToBcd } from "./bcd.js";
import { FpuState } from "./x87-state.js";
import {
  BLOCKING,
  BLOCKING_STORE,
  pushChecked,
  readM80,
  stackUnderflow,
  storeLinear,
  underflowToIndefinite,
  writeM80,
  x87Begin,
} from "./x87-exec.js";

const u64 = new U64();
const bcd = new Uint8Array(10);

/**
 * Pushes f.t1 (a loaded value) unless an unmasked exception blocks it. A full
 * stack outranks the loaded value's own exceptions (SDM vol. 1, 8.7: a stack
 * fault comes first), so a denormal or SNaN source then raises nothing more.
 */
function pushLoaded(f: FpuState): void {
  const flags = f.isEmpty(7) ? f.env.flags : 0;
  if ((flags & BLOCKING & ~f.fcw) !== 0) {
    f.raise(flags);
    return;
  }
  if (pushChecked(f, f.t1)) f.raise(flags);
}

// ---- Loads ----

defineGroup(0xd9, 0, { mod: "mem" }, (cpu, d) => {
  const f = x87Begin(cpu, d, true);
  f80FromF32(f.env, cpu.read32(cpu.eaRead(d, 4)) >>> 0, f.t1);
  pushLoaded(f);
});
defineGroup(0xdd, 0, { mod: "mem" }, (cpu, d) => {
  const f = x87Begin(cpu, d, true);
  const lin = cpu.eaRead(d, 8);
  f80FromF64(f.env, cpu.read32(lin + 4) >>> 0, cpu.read32(lin) >>> 0, f.t1);
  pushLoaded(f);
});
defineGroup(0xdb, 5, { mod: "mem" }, (cpu, d) => {
  const f = x87Begin(cpu, d, true);
  readM80(cpu, cpu.eaRead(d, 10), f.t1);
  pushLoaded(f);
});
defineGroup(0xdf, 0, { mod: "mem" }, (cpu, d) => {
  const f = x87Begin(cpu, d, true);
  f80FromInt32((cpu.read16(cpu.eaRead(d, 2)) << 16) >> 16, f.t1);
  pushLoaded(f);
});
defineGroup(0xdb, 0, { mod: "mem" }, (cpu, d) => {
  const f = x87Begin(cpu, d, true);
  f80FromInt32(cpu.read32(cpu.eaRead(d, 4)), f.t1);
  pushLoaded(f);
});
defineGroup(0xdf, 5, { mod: "mem" }, (cpu, d) => {
  const f = x87Begin(cpu, d, true);
  const lin = cpu.eaRead(d, 8);
  f80FromInt64(cpu.read32(lin + 4), cpu.read32(lin), f.t1);
  pushLoaded(f);
});
defineGroup(0xdf, 4, { mod: "mem" }, (cpu, d) => {
  const f = x87Begin(cpu, d, true);
  const lin = cpu.eaRead(d, 10);
  for (let i = 0; i < 10; i++) bcd[i] = cpu.read8(lin + i);
  f80FromBcd(bcd, 0, f.t1);
  pushLoaded(f);
});
/** FLD ST(i): ST(i) is read before the push. */
defineGroup(0xd9, 0, { mod: "reg" }, (cpu, d) => {
  const f = x87Begin(cpu, d, false);
  if (f.isEmpty(d.rm & 7)) {
    if (!stackUnderflow(f)) return;
    setIndefinite(f.t1);
  } else {
    f.t1.copy(f.st(d.rm & 7));
  }
  pushChecked(f, f.t1);
});

// ---- Stores ----

/**
 * Common store path: `convert` computes the memory image from ST(0) (or
 * writes the indefinite when ST(0) is empty) and `write` stores it unless an
 * unmasked IE/OE/UE forbids it (SDM vol. 1, 8.5.4-5); then C1 and the pop.
 */
function storeOp(
  cpu: Cpu,
  d: Decoded,
  size: number,
  pop: boolean,
  convert: (f: FpuState, src: F80 | null) => void,
  write: (cpu: Cpu, lin: number) => void,
): void {
  const f = x87Begin(cpu, d, true);
  const lin = storeLinear(cpu, d, size);
  if (f.isEmpty(0)) {
    if (!stackUnderflow(f)) return;
    convert(f, null);
    write(cpu, lin);
    if (pop) f.pop();
    return;
  }
  convert(f, f.st(0));
  const flags = f.env.flags;
  if ((flags & BLOCKING_STORE & ~f.fcw) !== 0) {
    f.raise(flags);
    return;
  }
  write(cpu, lin);
  f.setC1(f.env.c1 !== 0);
  f.raise(flags);
  if (pop) f.pop();
}

let outLo = 0;
let outHi = 0;
const writeLo32 = (cpu: Cpu, lin: number): void => cpu.write32(lin, outLo);
const writeLo16 = (cpu: Cpu, lin: number): void => cpu.write16(lin, outLo);
const write64 = (cpu: Cpu, lin: number): void => {
  cpu.write32(lin, outLo);
  cpu.write32(lin + 4, outHi);
};
const writeBcd = (cpu: Cpu, lin: number): void => {
  for (let i = 0; i < 10; i++) cpu.write8(lin + i, bcd[i]);
};

function toF32(f: FpuState, src: F80 | null): void {
  outLo = src === null ? 0xffc00000 : f80ToF32(f.env, src);
}
function toF64(f: FpuState, src: F80 | null): void {
  if (src === null) {
    outHi = 0xfff80000;
    outLo = 0;
    return;
  }
  f80ToF64(f.env, src, u64);
  outHi = u64.hi;
  outLo = u64.lo;
}
function toInt(bits: 16 | 32, truncate: boolean): (f: FpuState, src: F80 | null) => void {
  return (f, src) => {
    outLo =
      src === null ? (bits === 16 ? 0x8000 : 0x80000000) : f80ToInt32(f.env, src, bits, truncate);
  };
}
function toInt64(truncate: boolean): (f: FpuState, src: F80 | null) => void {
  return (f, src) => {
    if (src === null) {
      outHi = 0x80000000;
      outLo = 0;
      return;
    }
    f80ToInt64(f.env, src, u64, truncate);
    outHi = u64.hi;
    outLo = u64.lo;
  };
}

for (const pop of [false, true]) {
  const reg = pop ? 3 : 2;
  defineGroup(0xd9, reg, { mod: "mem" }, (cpu, d) => storeOp(cpu, d, 4, pop, toF32, writeLo32));
  defineGroup(0xdd, reg, { mod: "mem" }, (cpu, d) => storeOp(cpu, d, 8, pop, toF64, write64));
  defineGroup(0xdb, reg, { mod: "mem" }, (cpu, d) =>
    storeOp(cpu, d, 4, pop, toInt(32, false), writeLo32),
  );
  defineGroup(0xdf, reg, { mod: "mem" }, (cpu, d) =>
    storeOp(cpu, d, 2, pop, toInt(16, false), writeLo16),
  );
}
defineGroup(0xdf, 7, { mod: "mem" }, (cpu, d) => storeOp(cpu, d, 8, true, toInt64(false), write64));
// FISTTP (SSE3): truncating stores that always pop.
defineGroup(0xdf, 1, { mod: "mem" }, (cpu, d) =>
  storeOp(cpu, d, 2, true, toInt(16, true), writeLo16),
);
defineGroup(0xdb, 1, { mod: "mem" }, (cpu, d) =>
  storeOp(cpu, d, 4, true, toInt(32, true), writeLo32),
);
defineGroup(0xdd, 1, { mod: "mem" }, (cpu, d) => storeOp(cpu, d, 8, true, toInt64(true), write64));

/** FSTP m80: an exact copy; only stack underflow can fault. */
defineGroup(0xdb, 7, { mod: "mem" }, (cpu, d) => {
  const f = x87Begin(cpu, d, true);
  const lin = storeLinear(cpu, d, 10);
  if (f.isEmpty(0)) {
    if (!stackUnderflow(f)) return;
    writeM80(cpu, lin, setIndefinite(f.t0));
  } else {
    writeM80(cpu, lin, f.st(0));
    f.setC1(false);
  }
  f.pop();
});

/** FBSTP m80bcd. */
defineGroup(0xdf, 6, { mod: "mem" }, (cpu, d) => {
  const f = x87Begin(cpu, d, true);
  const lin = storeLinear(cpu, d, 10);
  if (f.isEmpty(0)) {
    if (!stackUnderflow(f)) return;
    bcd.fill(0, 0, 7);
    bcd[7] = 0xc0;
    bcd[8] = bcd[9] = 0xff;
  } else {
    const ok = f80ToBcd(f.env, f.st(0), bcd, 0);
    f.raise(f.env.flags);
    if (!ok) return;
    f.setC1(f.env.c1 !== 0);
  }
  writeBcd(cpu, lin);
  f.pop();
});

/** FST/FSTP ST(i) (DD D0+i, DD D8+i, and the aliases D9 D8+i, DF D0+i, DF D8+i). */
function storeReg(cpu: Cpu, d: Decoded, pop: boolean): void {
  const f = x87Begin(cpu, d, false);
  if (f.isEmpty(0)) return underflowToIndefinite(f, d.rm & 7, pop);
  f.st(d.rm & 7).copy(f.st(0));
  f.setValid(d.rm & 7);
  f.setC1(false);
  if (pop) f.pop();
}
defineGroup(0xdd, 2, { mod: "reg" }, (cpu, d) => storeReg(cpu, d, false));
defineGroup(0xdd, 3, { mod: "reg" }, (cpu, d) => storeReg(cpu, d, true));
defineGroup(0xd9, 3, { mod: "reg" }, (cpu, d) => storeReg(cpu, d, true));
defineGroup(0xdf, 2, { mod: "reg" }, (cpu, d) => storeReg(cpu, d, true));
defineGroup(0xdf, 3, { mod: "reg" }, (cpu, d) => storeReg(cpu, d, true));

/** FXCH ST(i) (D9 C8+i and the aliases DD C8+i, DF C8+i). */
function fxch(cpu: Cpu, d: Decoded): void {
  const f = x87Begin(cpu, d, false);
  const i = d.rm & 7;
  if (f.isEmpty(0) || f.isEmpty(i)) {
    if (!stackUnderflow(f)) return;
    if (f.isEmpty(0)) setIndefinite(f.st(0));
    if (f.isEmpty(i)) setIndefinite(f.st(i));
    f.setValid(0);
    f.setValid(i);
  }
  f.t0.copy(f.st(0));
  f.st(0).copy(f.st(i));
  f.st(i).copy(f.t0);
  f.setC1(false);
}
defineGroup(0xd9, 1, { mod: "reg" }, fxch);
defineGroup(0xdd, 1, { mod: "reg" }, fxch);
defineGroup(0xdf, 1, { mod: "reg" }, fxch);

/** FFREE ST(i) (DD C0+i) and FFREEP (DF C0+i, undocumented: FFREE then pop). */
defineGroup(0xdd, 0, { mod: "reg" }, (cpu, d) => {
  const f = x87Begin(cpu, d, false);
  f.emptyMask |= 1 << f.phys(d.rm & 7);
});
defineGroup(0xdf, 0, { mod: "reg" }, (cpu, d) => {
  const f = x87Begin(cpu, d, false);
  f.emptyMask |= 1 << f.phys(d.rm & 7);
  f.pop();
});

/** FCMOVcc: DA C0-DF (B, E, BE, U) and DB C0-DF (NB, NE, NBE, NU). */
const FCMOV_CC = [2, 4, 6, 10];
function fcmov(cpu: Cpu, d: Decoded, negate: boolean): void {
  const f = x87Begin(cpu, d, false);
  const cond = testCondition(cpu, FCMOV_CC[d.reg] | (negate ? 1 : 0));
  if (f.isEmpty(0) || f.isEmpty(d.rm & 7)) {
    // An empty operand underflows whatever the condition, and the masked response writes
    // the indefinite to ST(0) even when nothing would have moved (the host CPU does).
    return underflowToIndefinite(f, 0, false);
  }
  // C1 changes only on underflow ("set to 0 if stack underflow occurred"; the host leaves it).
  if (cond) f.st(0).copy(f.st(d.rm & 7));
}
for (let cc = 0; cc < 4; cc++) {
  defineGroup(0xda, cc, { mod: "reg" }, (cpu, d) => fcmov(cpu, d, false));
  defineGroup(0xdb, cc, { mod: "reg" }, (cpu, d) => fcmov(cpu, d, true));
}
