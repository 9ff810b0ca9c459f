/**
 * SSE4.2: PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM against a model written
 * straight from the SDM's pseudo-code (a BoolRes matrix with the validity
 * overrides of table 4-7, the four aggregations, the polarities, the
 * outputs and flags) over random control bytes and strings; CRC32 against
 * a bit-at-a-time CRC-32C.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DATA, SseEnv, mem, rr } from "./env.js";
import { Rng } from "./gen.js";

const CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800; // prettier-ignore

interface Model {
  intRes2: boolean[];
  cf: boolean;
  zf: boolean;
  sf: boolean;
  of: boolean;
}

function elements(bytes: number[], imm: number): number[] {
  const words = imm & 1;
  const signed = imm & 2;
  const out: number[] = [];
  for (let i = 0; i < (words ? 8 : 16); i++) {
    let v = words ? bytes[2 * i] | (bytes[2 * i + 1] << 8) : bytes[i];
    if (signed) v = words ? (v << 16) >> 16 : (v << 24) >> 24;
    out.push(v);
  }
  return out;
}

/** The SDM model: src1 = xmm1 (reg), src2 = xmm2/m128; lengths already known. */
function model(a: number[], b: number[], imm: number, len1: number, len2: number): Model {
  const s1 = elements(a, imm);
  const s2 = elements(b, imm);
  const n = s1.length;
  const agg = (imm >> 2) & 3;
  // BoolRes[j][i]: src2 element j against src1 element i.
  const boolRes = (j: number, i: number): boolean => {
    const v1 = i < len1;
    const v2 = j < len2;
    if (!v1 || !v2) {
      if (agg === 0 || agg === 1) return false;
      if (agg === 2) return !v1 && !v2;
      return !v1; // equal ordered: an invalid src1 element matches anything
    }
    if (agg === 1) return i % 2 === 0 ? s2[j] >= s1[i] : s2[j] <= s1[i];
    return s2[j] === s1[i];
  };
  const intRes1: boolean[] = [];
  for (let j = 0; j < n; j++) {
    let r = false;
    if (agg === 0) for (let i = 0; i < n; i++) r = r || boolRes(j, i);
    else if (agg === 1)
      for (let i = 0; i < n; i += 2) r = r || (boolRes(j, i) && boolRes(j, i + 1));
    else if (agg === 2) r = boolRes(j, j);
    else {
      r = true;
      for (let k = 0; k < n - j; k++) r = r && boolRes(j + k, k);
    }
    intRes1.push(r);
  }
  const pol = (imm >> 4) & 3;
  const intRes2 = intRes1.map((r, j) => (pol === 1 ? !r : pol === 3 ? (j < len2 ? !r : r) : r));
  return {
    intRes2,
    cf: intRes2.some((x) => x),
    zf: len2 < n,
    sf: len1 < n,
    of: intRes2[0],
  };
}

function implicitLen(bytes: number[], imm: number): number {
  const e = elements(bytes, imm);
  const z = e.indexOf(0);
  return z < 0 ? e.length : z;
}

/** A random string operand with a small alphabet (so matches happen) and maybe a null. */
function text(rng: Rng): number[] {
  const alphabet = [0x41, 0x42, 0x43, 0x61, 0x80, 0xff, 0x7f, 0x01];
  const b = Array.from({ length: 16 }, () => rng.pick(alphabet));
  if (rng.int(2) === 0) {
    const at = rng.int(16);
    b[at] = 0;
    if (rng.int(2) === 0) b[at ^ 1] = 0; // a null word too
  }
  return b;
}

test("PCMPxSTRx: every control byte class against the SDM model", () => {
  const e = new SseEnv();
  const rng = new Rng(4242);
  for (let k = 0; k < 1500; k++) {
    const imm = rng.int(128);
    const a = text(rng);
    const b = text(rng);
    const explicit = (k & 1) === 0;
    const index = (k & 2) === 0;
    const n = imm & 1 ? 8 : 16;
    const eax = rng.pick([0, 1, 3, 8, 15, 16, 17, -2, -20, 0x7fffffff, -0x80000000]);
    const edx = rng.pick([0, 2, 5, 7, 8, 16, 100, -1, -9]);
    const len1 = explicit ? Math.min(Math.abs(eax), n) : implicitLen(a, imm);
    const len2 = explicit ? Math.min(Math.abs(edx), n) : implicitLen(b, imm);
    const m = model(a, b, imm, len1, len2);
    e.setBytes(1, a);
    e.setBytes(2, b);
    e.setBytes(0, [9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]);
    e.h.eax = eax;
    e.h.edx = edx;
    e.h.ecx = 0xdead;
    const opcode = (explicit ? 0x60 : 0x62) | (index ? 1 : 0);
    const useMem = rng.int(3) === 0;
    if (useMem) e.poke(DATA + 3, b); // unaligned memory is allowed
    e.exec([0x66, 0x0f, 0x3a, opcode, ...(useMem ? mem(1, DATA + 3) : rr(1, 2)), imm]);
    const what = `imm=${imm.toString(16)} e=${explicit} i=${index} a=${a} b=${b} l=${len1},${len2}`;
    if (index) {
      const set = m.intRes2.map((x, j) => (x ? j : -1)).filter((j) => j >= 0);
      const want = set.length === 0 ? n : imm & 0x40 ? set[set.length - 1] : set[0];
      assert.equal(e.h.ecx, want, what);
    } else if (imm & 0x40) {
      const width = n === 16 ? 1 : 2;
      const want = m.intRes2.flatMap((x) => new Array<number>(width).fill(x ? 0xff : 0));
      assert.deepEqual(e.bytes(0), want, what);
    } else {
      const bits = m.intRes2.reduce((acc, x, j) => acc | (x ? 1 << j : 0), 0);
      assert.deepEqual(e.bytes(0), [bits & 0xff, bits >> 8, ...new Array(14).fill(0)], what);
    }
    const flags = (m.cf ? CF : 0) | (m.zf ? ZF : 0) | (m.sf ? SF : 0) | (m.of ? OF : 0);
    assert.equal(e.h.eflags & (CF | ZF | SF | OF | AF | PF), flags, `flags ${what}`);
  }
});

test("PCMPISTRI finds a substring (the strstr idiom)", () => {
  const e = new SseEnv();
  const enc = (s: string) => Array.from({ length: 16 }, (_, i) => s.charCodeAt(i) || 0);
  e.setBytes(1, enc("lo w"));
  e.setBytes(2, enc("hello world"));
  e.exec([0x66, 0x0f, 0x3a, 0x63, ...rr(1, 2), 0x0c]); // equal ordered, unsigned bytes
  assert.equal(e.h.ecx, 3);
  assert.equal(e.h.eflags & (CF | ZF | SF), CF | ZF | SF);
  e.setBytes(1, enc("az"));
  e.exec([0x66, 0x0f, 0x3a, 0x63, ...rr(1, 2), 0x04]); // ranges: first lowercase letter
  assert.equal(e.h.ecx, 0);
});

/** Bit-at-a-time CRC-32C (polynomial 0x1EDC6F41, reflected), no inversions. */
function crcRef(crc: number, bytes: number[]): number {
  let c = BigInt(crc >>> 0);
  for (const byte of bytes) {
    c ^= BigInt(byte);
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ 0x82f63b78n : c >> 1n;
  }
  return Number(c);
}

test("CRC32 r32, r/m8/16/32 accumulates CRC-32C", () => {
  const e = new SseEnv();
  const rng = new Rng(32);
  for (let k = 0; k < 100; k++) {
    const init = rng.u32();
    const v = rng.u32();
    const bytes = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
    e.h.eax = init;
    e.h.ebx = v;
    e.exec([0xf2, 0x0f, 0x38, 0xf0, ...rr(0, 3)]); // crc32 eax, bl
    assert.equal(e.h.eax, crcRef(init, bytes.slice(0, 1)));
    e.h.eax = init;
    e.exec([0x66, 0xf2, 0x0f, 0x38, 0xf1, ...rr(0, 3)]); // crc32 eax, bx
    assert.equal(e.h.eax, crcRef(init, bytes.slice(0, 2)));
    e.h.eax = init;
    e.exec([0xf2, 0x0f, 0x38, 0xf1, ...rr(0, 3)]); // crc32 eax, ebx
    assert.equal(e.h.eax, crcRef(init, bytes));
    e.h.eax = init;
    e.write32(DATA, v);
    e.exec([0xf2, 0x0f, 0x38, 0xf1, ...mem(0, DATA)]);
    assert.equal(e.h.eax, crcRef(init, bytes));
  }
  // The standard check value: CRC-32C("123456789") with pre/post inversion = E3069283.
  e.poke(
    DATA,
    Array.from("123456789", (c) => c.charCodeAt(0)),
  );
  e.h.eax = 0xffffffff;
  const code: number[] = [];
  for (let i = 0; i < 9; i++) code.push(0xf2, 0x0f, 0x38, 0xf0, ...mem(0, DATA + i));
  e.exec(code);
  assert.equal(~e.h.eax >>> 0, 0xe3069283);
  e.h.eax = 0x12345678;
  e.h.ebx = 0xffffffff; // AH-style 8-bit registers: crc32 eax, bh
  e.exec([0xf2, 0x0f, 0x38, 0xf0, ...rr(0, 7)]);
  assert.equal(e.h.eax, crcRef(0x12345678, [0xff]));
});
