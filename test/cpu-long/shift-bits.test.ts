/**
 * 64-bit shifts, rotates, double shifts and bit instructions against BigInt
 * references: SHL/SHR/SAR/ROL/ROR/RCL/RCR by CL (count masked to 6 bits),
 * SHLD/SHRD, BT/BTS/BTR/BTC (register and memory bit strings), BSF/BSR,
 * BSWAP, CMOVcc and SETcc with REX byte registers.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CF, LongEnv, MASK64, OF, pairs, RAX, RBX, RCX, Rng, SIGN64, szp, ZF } from "./env.js";

const env = new LongEnv();
const bit = (v: bigint, k: number): number => Number((v >> BigInt(k)) & 1n);
const msb = (v: bigint): number => bit(v, 63);

/** Reference shift/rotate of op `reg` (ModRM.reg: ROL ROR RCL RCR SHL SHR - SAR) by n (1-63). */
function shiftRef(
  op: number,
  a: bigint,
  n: number,
  cfIn: number,
): { r: bigint; cf: number; of: number } {
  const N = BigInt(n);
  switch (op) {
    case 0: {
      const r = ((a << N) | (a >> (64n - N))) & MASK64;
      return { r, cf: bit(r, 0), of: msb(r) ^ bit(r, 0) };
    }
    case 1: {
      const r = ((a >> N) | (a << (64n - N))) & MASK64;
      return { r, cf: msb(r), of: msb(r) ^ bit(r, 62) };
    }
    case 2: {
      const x = (BigInt(cfIn) << 64n) | a; // 65-bit rotate
      const rot = ((x << N) | (x >> (65n - N))) & ((1n << 65n) - 1n);
      const r = rot & MASK64;
      const cf = Number(rot >> 64n);
      return { r, cf, of: msb(r) ^ cf };
    }
    case 3: {
      const x = (BigInt(cfIn) << 64n) | a;
      const rot = ((x >> N) | (x << (65n - N))) & ((1n << 65n) - 1n);
      const r = rot & MASK64;
      return { r, cf: Number(rot >> 64n), of: msb(r) ^ bit(r, 62) };
    }
    case 4: {
      const r = (a << N) & MASK64;
      const cf = bit(a, 64 - n);
      return { r, cf, of: msb(r) ^ cf };
    }
    case 5:
      return { r: a >> N, cf: bit(a, n - 1), of: n === 1 ? msb(a) : 0 };
    default: {
      const r = BigInt.asUintN(64, BigInt.asIntN(64, a) >> N);
      return { r, cf: bit(a, n - 1), of: 0 };
    }
  }
}

describe("64-bit shifts and rotates by CL", () => {
  const names = ["ROL", "ROR", "RCL", "RCR", "SHL", "SHR", "", "SAR"];
  for (const op of [0, 1, 2, 3, 4, 5, 7]) {
    test(names[op], () => {
      const rng = new Rng(BigInt(op + 100));
      for (const [a] of pairs(BigInt(op + 50), 10)) {
        for (const count of [0, 1, 2, 31, 32, 33, 63, 64, 65, Number(rng.next() & 0xffn)]) {
          const cfIn = count & 1;
          env.run([0x48, 0xd3, 0xc0 | (op << 3)], { [RAX]: a, [RCX]: BigInt(count) }, 0x2 | cfIn);
          const n = count & 63;
          if (n === 0) {
            assert.equal(env.reg(RAX), a, "count 0 changes nothing");
            assert.equal(env.flags & CF, cfIn);
            continue;
          }
          const ref = shiftRef(op, a, n, cfIn);
          const what = `${names[op]} ${a.toString(16)} by ${count}`;
          assert.equal(env.reg(RAX), ref.r, what);
          assert.equal(env.flags & CF, ref.cf, `${what} CF`);
          if (n === 1) assert.equal(env.flags & OF, ref.of ? OF : 0, `${what} OF`);
          if (op >= 4) assert.equal(env.flags & (ZF | 0x80 | 0x4), szp(ref.r), `${what} SZP`);
        }
      }
    });
  }

  test("SHLD/SHRD r64, r64, CL", () => {
    for (const [a, b] of pairs(91n, 10)) {
      for (const count of [0, 1, 5, 32, 63, 64 + 7]) {
        const n = BigInt(count & 63);
        env.run([0x48, 0x0f, 0xa5, 0xd8], { [RAX]: a, [RBX]: b, [RCX]: BigInt(count) }); // shld rax, rbx, cl
        const shld = n === 0n ? a : ((a << n) | (b >> (64n - n))) & MASK64;
        assert.equal(env.reg(RAX), shld, `shld ${a.toString(16)} ${b.toString(16)} ${count}`);
        if (n !== 0n) assert.equal(env.flags & CF, bit(a, 64 - Number(n)));
        env.run([0x48, 0x0f, 0xad, 0xd8], { [RAX]: a, [RBX]: b, [RCX]: BigInt(count) }); // shrd rax, rbx, cl
        const shrd = n === 0n ? a : ((a >> n) | (b << (64n - n))) & MASK64;
        assert.equal(env.reg(RAX), shrd, `shrd ${a.toString(16)} ${b.toString(16)} ${count}`);
        if (n !== 0n) assert.equal(env.flags & CF, bit(a, Number(n) - 1));
      }
    }
  });
});

describe("64-bit bit instructions", () => {
  test("BT/BTS/BTR/BTC r64, r64 use the offset modulo 64", () => {
    const a = 0x8000000100000002n;
    for (const k of [1, 2, 32, 63, 64 + 32, 127]) {
      const off = BigInt(k);
      env.run([0x48, 0x0f, 0xa3, 0xd8], { [RAX]: a, [RBX]: off }); // bt rax, rbx
      assert.equal(env.flags & CF, bit(a, k & 63));
      env.run([0x48, 0x0f, 0xab, 0xd8], { [RAX]: a, [RBX]: off }); // bts
      assert.equal(env.reg(RAX), a | (1n << BigInt(k & 63)));
      env.run([0x48, 0x0f, 0xb3, 0xd8], { [RAX]: a, [RBX]: off }); // btr
      assert.equal(env.reg(RAX), a & ~(1n << BigInt(k & 63)));
      env.run([0x48, 0x0f, 0xbb, 0xd8], { [RAX]: a, [RBX]: off }); // btc
      assert.equal(env.reg(RAX), a ^ (1n << BigInt(k & 63)));
    }
  });

  test("BTS m64, r64 with a negative 64-bit bit offset reaches the qword before", () => {
    const base = 0x5008;
    env.h.write64(base - 8, 0n);
    env.h.write64(base, 0n);
    // bts [rdi], rbx  with rbx = -1: bit 63 of the qword at rdi - 8.
    env.run([0x48, 0x0f, 0xab, 0x1f], { 7: BigInt(base), [RBX]: MASK64 });
    assert.equal(env.h.read64(base - 8), SIGN64);
    assert.equal(env.h.read64(base), 0n);
    // bt [rdi], rbx with rbx = 64 + 3: bit 3 of the next qword.
    env.h.write64(base + 8, 8n);
    env.run([0x48, 0x0f, 0xa3, 0x1f], { 7: BigInt(base), [RBX]: 67n });
    assert.equal(env.flags & CF, CF);
  });

  test("BSF/BSR r64: lowest/highest set bit; a zero source sets ZF and keeps the destination", () => {
    for (const v of [1n, 0x100000000n, SIGN64, 0x8000000000000001n, 0x0000000300000000n]) {
      env.run([0x48, 0x0f, 0xbc, 0xc3], { [RBX]: v }); // bsf rax, rbx
      const low = v.toString(2).length - v.toString(2).lastIndexOf("1") - 1;
      assert.equal(env.reg(RAX), BigInt(low));
      env.run([0x48, 0x0f, 0xbd, 0xc3], { [RBX]: v }); // bsr rax, rbx
      assert.equal(env.reg(RAX), BigInt(v.toString(2).length - 1));
      assert.equal(env.flags & ZF, 0);
    }
    env.run([0x48, 0x0f, 0xbc, 0xc3], { [RAX]: 0x1234n, [RBX]: 0n });
    assert.equal(env.flags & ZF, ZF);
    assert.equal(env.reg(RAX), 0x1234n);
  });

  test("BSWAP r64 (and with REX.B: R9)", () => {
    env.run([0x48, 0x0f, 0xc8], { [RAX]: 0x0102030405060708n });
    assert.equal(env.reg(RAX), 0x0807060504030201n);
    env.run([0x49, 0x0f, 0xc9], { 9: 0x1122334455667788n });
    assert.equal(env.reg(9), 0x8877665544332211n);
  });

  test("CMOVcc r64 moves 64 bits; a 32-bit CMOVcc zeroes the high dword even when not taken", () => {
    env.run([0x48, 0x0f, 0x44, 0xc3], { [RAX]: 1n, [RBX]: MASK64 }, 0x2 | ZF); // cmovz rax, rbx
    assert.equal(env.reg(RAX), MASK64);
    env.run([0x0f, 0x45, 0xc3], { [RAX]: 0xaaaaaaaa_00000001n, [RBX]: 2n }, 0x2 | ZF); // cmovnz eax, ebx
    assert.equal(env.reg(RAX), 1n);
  });
});
