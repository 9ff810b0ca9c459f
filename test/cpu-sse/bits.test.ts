/**
 * POPCNT, LZCNT and TZCNT at 16 and 32 bits, their flags, and the CPUID
 * gating of LZCNT/TZCNT: without the feature bit the F3 prefix is ignored
 * and the instruction is BSR/BSF.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { SseEnv, rr } from "./env.js";
import { Rng } from "./gen.js";

const CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800; // prettier-ignore
const ALL = CF | PF | AF | ZF | SF | OF;

function bitsRef(v: number, width: number): { pop: number; lz: number; tz: number } {
  const s = v.toString(2).padStart(width, "0").slice(-width);
  const pop = [...s].filter((c) => c === "1").length;
  const lz = s.indexOf("1") < 0 ? width : s.indexOf("1");
  const tz = s.lastIndexOf("1") < 0 ? width : width - 1 - s.lastIndexOf("1");
  return { pop, lz, tz };
}

test("POPCNT r32/r16: count, ZF for a zero source, other flags cleared", () => {
  const e = new SseEnv();
  const rng = new Rng(1);
  for (const v of [
    0,
    1,
    0x80000000,
    0xffffffff,
    0x0f0f0f0f,
    ...Array.from({ length: 50 }, () => rng.u32()),
  ]) {
    e.h.ebx = v;
    e.h.eflags = 0x2 | ALL;
    e.exec([0xf3, 0x0f, 0xb8, ...rr(0, 3)]);
    assert.equal(e.h.eax, bitsRef(v >>> 0, 32).pop, `popcnt ${v}`);
    assert.equal(e.h.eflags & ALL, v === 0 ? ZF : 0);
    e.h.eax = 0xaaaa0000;
    e.exec([0x66, 0xf3, 0x0f, 0xb8, ...rr(0, 3)]);
    assert.equal(e.h.eax, (0xaaaa0000 | bitsRef(v & 0xffff, 16).pop) >>> 0, "popcnt ax, bx");
  }
});

test("LZCNT and TZCNT: counts, CF for a zero source, ZF for a zero result", () => {
  const e = new SseEnv();
  const rng = new Rng(2);
  // TZCNT is BMI1: advertise it for this test.
  const leaf7 = new Uint32Array(4);
  e.cpu.sys.cpuid.get(7, 0, leaf7);
  e.cpu.sys.cpuid.set(7, 0, [leaf7[0], leaf7[1] | 8, leaf7[2], leaf7[3]]);
  for (const v of [
    0,
    1,
    0x80000000,
    0x00010000,
    0xffff,
    ...Array.from({ length: 40 }, () => rng.u32()),
  ]) {
    const ref = bitsRef(v >>> 0, 32);
    e.h.ebx = v;
    e.exec([0xf3, 0x0f, 0xbd, ...rr(0, 3)]);
    assert.equal(e.h.eax, ref.lz, `lzcnt ${v}`);
    assert.equal(e.h.eflags & ALL, (ref.lz === 32 ? CF : 0) | (ref.lz === 0 ? ZF : 0));
    e.exec([0xf3, 0x0f, 0xbc, ...rr(0, 3)]);
    assert.equal(e.h.eax, ref.tz, `tzcnt ${v}`);
    assert.equal(e.h.eflags & ALL, (ref.tz === 32 ? CF : 0) | (ref.tz === 0 ? ZF : 0));
    const r16 = bitsRef(v & 0xffff, 16);
    e.h.eax = 0x55550000;
    e.exec([0x66, 0xf3, 0x0f, 0xbd, ...rr(0, 3)]);
    assert.equal(e.h.eax, (0x55550000 | r16.lz) >>> 0, "lzcnt ax, bx");
    e.exec([0x66, 0xf3, 0x0f, 0xbc, ...rr(0, 3)]);
    assert.equal(e.h.eax, (0x55550000 | r16.tz) >>> 0, "tzcnt ax, bx");
  }
});

test("without BMI1 (the default) F3 0F BC is BSF; without LZCNT F3 0F BD is BSR", () => {
  const e = new SseEnv();
  e.h.ebx = 0x00f00000;
  e.exec([0xf3, 0x0f, 0xbc, ...rr(0, 3)]);
  assert.equal(e.h.eax, 20, "BSF result");
  e.h.ebx = 0;
  e.h.eax = 0x1234;
  e.exec([0xf3, 0x0f, 0xbc, ...rr(0, 3)]);
  assert.equal(e.h.eax, 0x1234, "BSF of zero leaves the destination");
  assert.equal(e.h.eflags & ZF, ZF);
  const ext = new Uint32Array(4);
  e.cpu.sys.cpuid.get(0x80000001, 0, ext);
  assert.equal(ext[2] & 0x20, 0x20, "LZCNT is advertised by default");
  e.cpu.sys.cpuid.set(0x80000001, 0, [ext[0], ext[1], ext[2] & ~0x20, ext[3]]);
  e.h.ebx = 0x00f00000;
  e.exec([0xf3, 0x0f, 0xbd, ...rr(0, 3)]);
  assert.equal(e.h.eax, 23, "BSR result");
});
