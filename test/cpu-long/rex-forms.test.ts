/**
 * Decoding and operand forms of 64-bit mode: REX byte registers (SPL..DIL
 * vs AH..BH), R8-R15 through REX.R/X/B (SIB with R12/R13), RIP-relative
 * operands (relative to the end of the instruction, immediates included),
 * MOV r64, imm64 and moffs64, MOVSXD, 64-bit PUSH/POP, XCHG R8,RAX vs NOP,
 * CDQE/CQO, 67h address size, opcodes that are #UD in 64-bit mode, and
 * canonical-address faults (#GP(0), #SS(0)).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  imm32,
  imm64,
  LongEnv,
  MASK64,
  RAX,
  RBX,
  RCX,
  RDI,
  RDX,
  RSI,
  RSP,
  STACK_TOP,
} from "./env.js";

const env = new LongEnv();
const R8 = 8;
const R12 = 12;
const R13 = 13;
const R15 = 15;

describe("REX registers", () => {
  test("with REX, byte registers 4-7 are SPL BPL SIL DIL; without, AH CH DH BH", () => {
    env.run([0x40, 0xb4, 0x11, 0xb4, 0x22], { [RAX]: 0n, [RSP]: 0n }); // mov spl,11h; mov ah,22h
    assert.equal(env.reg(RSP) & 0xffn, 0x11n);
    assert.equal(env.reg(RAX), 0x2200n);
    env.run([0x40, 0x88, 0xfe], { [RSI]: 0x100n, [RDI]: 0x2ffn }); // mov sil, dil
    assert.equal(env.reg(RSI), 0x1ffn);
    env.run([0x88, 0xfe], { [RSI]: 0x100n, [RDX]: 0x2ff00n }); // mov dh, bh... (88 FE: mov dh, bh)
    env.run([0x41, 0xb0, 0x33], { [R8]: MASK64 }); // mov r8b, 33h
    assert.equal(env.reg(R8), 0xffffffffffffff33n);
    env.h.poke(0x5000, [0]);
    env.run([0x40, 0x88, 0x38], { [RAX]: 0x5000n, [RDI]: 0x7en }); // mov [rax], dil
    assert.equal(env.h.read8(0x5000), 0x7e);
  });

  test("REX.B/R/X reach R8-R15, and 32-bit writes zero-extend", () => {
    env.run([0x49, 0xbf, ...imm64(0x1122334455667788n), 0x4d, 0x01, 0xf8], { [R8]: 1n }); // mov r15, imm64; add r8, r15
    assert.equal(env.reg(R15), 0x1122334455667788n);
    assert.equal(env.reg(R8), 0x1122334455667789n);
    env.run([0x45, 0x89, 0xec], { [R12]: MASK64, [R13]: 0x80000001n }); // mov r12d, r13d
    assert.equal(env.reg(R12), 0x80000001n);
  });

  test("SIB forms: [r12] needs a SIB, [r13] a displacement, R12 as an index via REX.X", () => {
    env.h.write32(0x5000, 0xcafe);
    env.h.write32(0x5010, 0xbeef);
    env.run([0x41, 0x8b, 0x04, 0x24], { [R12]: 0x5000n }); // mov eax, [r12]
    assert.equal(env.reg(RAX), 0xcafen);
    env.run([0x41, 0x8b, 0x45, 0x00], { [R13]: 0x5010n }); // mov eax, [r13+0]
    assert.equal(env.reg(RAX), 0xbeefn);
    env.run([0x42, 0x8b, 0x04, 0xa0], { [RAX]: 0x5000n, [R12]: 4n }); // mov eax, [rax + r12*4]
    assert.equal(env.reg(RAX), 0xbeefn);
  });
});

describe("64-bit addressing", () => {
  test("RIP-relative operands count from the end of the instruction, imm8 included", () => {
    const code = 0x1000;
    env.h.write64(code + 7 + 0x100, 0x0123456789abcdefn);
    env.run([0x48, 0x8b, 0x05, ...imm32(0x100)]); // mov rax, [rip + 100h]
    assert.equal(env.reg(RAX), 0x0123456789abcdefn);
    env.h.write32(code + 7 + 0x200, 5);
    env.run([0x83, 0x3d, ...imm32(0x200), 0x05]); // cmp dword [rip + 200h], 5
    assert.equal(env.flags & 0x40, 0x40, "ZF: the operand 5 was found");
    env.run([0x48, 0x8d, 0x0d, ...imm32(-0x10)]); // lea rcx, [rip - 10h]
    assert.equal(env.reg(RCX), BigInt(code + 7 - 0x10));
  });

  test("moffs64 with a negative canonical address (the 0xFFFF8000_00000000 alias)", () => {
    env.h.write64(0x2000, 0x55aa55aa11223344n);
    env.run([0x48, 0xa1, ...imm64(0xffff800000002000n)]); // mov rax, [abs 0xffff800000002000]
    assert.equal(env.reg(RAX), 0x55aa55aa11223344n);
    env.run([0xa2, ...imm64(0xffffff8000002000n)], { [RAX]: 0x99n }); // mov [abs ...], al
    assert.equal(env.h.read8(0x2000), 0x99);
    env.run([0x67, 0xa1, ...imm32(0x2000)]); // a32 mov eax, [0x2000]
    assert.equal(env.reg(RAX), 0x11223399n);
  });

  test("67h: a 32-bit address wraps and is zero-extended (LEA)", () => {
    env.run([0x67, 0x48, 0x8d, 0x04, 0x18], { [RAX]: 0xffffffff_fffffff0n, [RBX]: 0x20n });
    assert.equal(env.reg(RAX), 0x10n);
  });

  test("non-canonical addresses: #GP(0), or #SS(0) through RSP/RBP", () => {
    env.run([0x48, 0x8b, 0x03], { [RBX]: 0x0000800000000000n }); // mov rax, [rbx]
    assert.deepEqual(env.fault()?.slice(0, 2), [13, 0]);
    env.run([0x48, 0x8b, 0x45, 0x00], { 5: 0xfff0000000000000n }); // mov rax, [rbp]
    assert.deepEqual(env.fault()?.slice(0, 2), [12, 0]);
    env.run([0x48, 0x8b, 0x03], { [RBX]: 0xffff800000000000n }); // canonical: no fault
    assert.equal(env.fault(), null);
  });
});

describe("64-bit instruction forms", () => {
  test("MOVSXD sign-extends a dword; MOVZX to r64", () => {
    env.run([0x48, 0x63, 0xc3], { [RBX]: 0x80000000n }); // movsxd rax, ebx
    assert.equal(env.reg(RAX), 0xffffffff80000000n);
    env.h.poke(0x5000, [0xf0]);
    env.run([0x48, 0x0f, 0xb6, 0x03], { [RAX]: MASK64, [RBX]: 0x5000n }); // movzx rax, byte [rbx]
    assert.equal(env.reg(RAX), 0xf0n);
  });

  test("PUSH/POP are 64-bit (imm8 sign-extended), 16-bit with 66h", () => {
    env.run([0x6a, 0xfb, 0x66, 0x68, 0x34, 0x12, 0x41, 0x5f]); // push -5; push word 1234h; pop r15
    assert.equal(env.reg(RSP), BigInt(STACK_TOP - 2));
    assert.equal(env.h.read64(STACK_TOP - 8), MASK64 - 4n);
    assert.equal(env.reg(R15) & 0xffffn, 0x1234n, "POP r15 reads 8 bytes at RSP");
    env.run([0x41, 0x57, 0x5b], { [R15]: 0x8877665544332211n }); // push r15; pop rbx
    assert.equal(env.reg(RBX), 0x8877665544332211n);
    assert.equal(env.reg(RSP), BigInt(STACK_TOP));
  });

  test("90 is NOP, but with REX.B it is XCHG R8, RAX; CDQE and CQO", () => {
    env.run([0x90], { [RAX]: 1n, [R8]: 2n });
    assert.equal(env.reg(RAX), 1n);
    env.run([0x49, 0x90], { [RAX]: 1n, [R8]: 2n });
    assert.deepEqual([env.reg(RAX), env.reg(R8)], [2n, 1n]);
    env.run([0x48, 0x98, 0x48, 0x99], { [RAX]: 0x80000000n }); // cdqe; cqo
    assert.equal(env.reg(RAX), 0xffffffff80000000n);
    assert.equal(env.reg(RDX), MASK64);
  });

  test("near CALL/RET push 8 bytes; JMP to a non-canonical target raises #GP(0)", () => {
    env.h.poke(0x4000, [0x48, 0x89, 0xe0, 0xc3]); // mov rax, rsp; ret
    env.run([0xe8, ...imm32(0x4000 - 0x1005)]); // call 0x4000
    assert.equal(env.reg(RAX), BigInt(STACK_TOP - 8));
    assert.equal(env.h.read64(STACK_TOP - 8), 0x1005n);
    assert.equal(env.reg(RSP), BigInt(STACK_TOP));
    env.run([0xff, 0xe3], { [RBX]: 0x0000800000000000n }); // jmp rbx
    assert.deepEqual(env.fault(), [13, 0, 0x1000n]);
  });

  test("LOOP counts in RCX (64 bits), JRCXZ tests all of it", () => {
    env.run([0xe2, 0x00], { [RCX]: 0x100000000n }); // loop $+2
    assert.equal(env.reg(RCX), 0xffffffffn);
    const jrcxz = [0xe3, 0x02, 0xb0, 0x01]; // jrcxz +2; mov al, 1
    env.run(jrcxz, { [RAX]: 0n, [RCX]: 0x100000000n });
    assert.equal(env.reg(RAX), 1n, "RCX is not zero");
    env.run(jrcxz, { [RAX]: 0n, [RCX]: 0n });
    assert.equal(env.reg(RAX), 0n, "taken");
    env.run([0x67, ...jrcxz], { [RAX]: 0n, [RCX]: 0x100000000n }); // jecxz
    assert.equal(env.reg(RAX), 0n, "67h: only ECX counts");
  });

  test("opcodes that do not exist in 64-bit mode raise #UD", () => {
    for (const op of [0x06, 0x0e, 0x1f, 0x27, 0x37, 0x60, 0x61, 0x82, 0xce, 0xd4, 0xd6]) {
      env.run([op, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
      assert.equal(env.fault()?.[0], 6, `opcode ${op.toString(16)}`);
    }
    for (const bytes of [
      [0x62, 0x00],
      [0x9a, 0, 0, 0, 0, 0, 0],
      [0xea, 0, 0, 0, 0, 0, 0],
      [0xc4, 0xc0],
    ]) {
      env.run(bytes);
      assert.equal(env.fault()?.[0], 6, `opcode ${bytes[0].toString(16)}`);
    }
  });

  test("REP MOVSQ and STOSQ use RSI/RDI/RCX", () => {
    for (let i = 0; i < 4; i++) env.h.write64(0x6000 + i * 8, BigInt(i + 1) * 0x0101010101010101n);
    env.run([0xf3, 0x48, 0xa5], { [RSI]: 0x6000n, [RDI]: 0xffff800000007000n, [RCX]: 4n });
    assert.equal(env.h.read64(0x7018), 4n * 0x0101010101010101n);
    assert.equal(env.reg(RDI), 0xffff800000007020n);
    assert.equal(env.reg(RCX), 0n);
    env.run([0xf3, 0x48, 0xab], { [RAX]: MASK64, [RDI]: 0x7000n, [RCX]: 2n });
    assert.equal(env.h.read64(0x7008), MASK64);
  });
});
