// MUL/IMUL (all forms) and DIV/IDIV (with #DE) against BigInt arithmetic (ref.ts).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CF,
  OF,
  PF,
  SF,
  STATUS,
  ZF,
  div,
  edgeValues,
  mask,
  mul,
  randomWords,
  toUnsigned,
  type Size,
} from "./ref.js";
import { CODE, faultIp, faultVector, flat, hex, imm, modrm, osize, real, run } from "./exec.js";

const SIZES: Size[] = [8, 16, 32];
/** MUL/IMUL: CF/OF are defined; tsvm's SF/ZF/PF come from the low half, AF = 0. */
const MUL_FLAGS = STATUS;

function operands(size: Size, seed: number): number[] {
  return [...edgeValues(size), ...randomWords(seed, 12).map((v) => toUnsigned(size, v))];
}

/** Real-mode operand-size prefix (16 bits is the default there). */
function osizeReal(size: Size): number[] {
  return size === 32 ? [0x66] : [];
}

describe("MUL/IMUL one-operand (accumulator) forms", () => {
  const h = flat();
  for (const size of SIZES) {
    for (const signed of [false, true]) {
      it(`${signed ? "IMUL" : "MUL"} ${size}-bit`, () => {
        const code = [...osize(size), size === 8 ? 0xf6 : 0xf7, modrm(3, signed ? 5 : 4, 3)];
        for (const a of operands(size, 3 + size)) {
          for (const b of operands(size, 7 + size)) {
            run(h, code, { eax: a, ebx: b, edx: 0x12345678 });
            const e = mul(size, signed, a, b);
            const msg = `${signed ? "imul" : "mul"}${size} ${hex(a)} * ${hex(b)}`;
            if (size === 8) {
              assert.equal(h.eax & 0xffff, (e.high << 8) | e.low, msg);
              assert.equal(h.edx, 0x12345678, msg);
            } else {
              assert.equal(toUnsigned(size, h.eax), e.low, msg);
              assert.equal(toUnsigned(size, h.edx), e.high, msg);
            }
            assert.equal(h.eflags & MUL_FLAGS, e.flags, msg);
          }
        }
      });
    }
  }
});

describe("IMUL two- and three-operand forms", () => {
  const h = flat();
  for (const size of [16, 32] as const) {
    it(`${size}-bit: 0F AF, 69 (iz) and 6B (ib, sign-extended)`, () => {
      for (const a of operands(size, 21 + size)) {
        for (const b of operands(size, 23 + size)) {
          const e = mul(size, true, a, b);
          run(h, [...osize(size), 0x0f, 0xaf, modrm(3, 0, 3)], { eax: a, ebx: b });
          const msg = `imul${size} ${hex(a)} * ${hex(b)}`;
          assert.equal(toUnsigned(size, h.eax), e.low, msg);
          assert.equal(
            h.eflags & (CF | OF | SF | ZF | PF),
            e.flags & (CF | OF | SF | ZF | PF),
            msg,
          );
        }
        for (const b of [0, 1, 3, 0x7fff, 0x8000, mask(size)]) {
          const e = mul(size, true, a, b);
          // imul ecx, ebx, iz: the source is EBX, the destination ECX.
          run(h, [...osize(size), 0x69, modrm(3, 1, 3), ...imm(size, b)], { ebx: a, ecx: 0x77 });
          assert.equal(toUnsigned(size, h.ecx), e.low, `69 ${hex(a)} * ${hex(b)}`);
          assert.equal(h.eflags & (CF | OF), e.flags & (CF | OF), `69 ${hex(a)} * ${hex(b)}`);
        }
        for (const ib of [0, 1, 0x7f, 0x80, 0xfe]) {
          const b = toUnsigned(size, (ib << 24) >> 24);
          const e = mul(size, true, a, b);
          run(h, [...osize(size), 0x6b, modrm(3, 1, 3), ib], { ebx: a });
          assert.equal(toUnsigned(size, h.ecx), e.low, `6B ${hex(a)} * ${hex(ib)}`);
          assert.equal(h.eflags & (CF | OF), e.flags & (CF | OF), `6B ${hex(a)} * ${hex(ib)}`);
        }
      }
    });
  }
});

describe("DIV/IDIV", () => {
  const h = real();
  for (const size of SIZES) {
    for (const signed of [false, true]) {
      it(`${signed ? "IDIV" : "DIV"} ${size}-bit: quotient, remainder, #DE`, () => {
        const code = [...osizeReal(size), size === 8 ? 0xf6 : 0xf7, modrm(3, signed ? 7 : 6, 3)];
        const highs = size === 8 ? [0] : [0, 1, 0x7f, mask(size) >>> 1, mask(size), mask(size) - 1];
        let faults = 0;
        let results = 0;
        for (const high of highs) {
          for (const low of operands(size, 31 + size)) {
            for (const divisor of operands(size, 37 + size)) {
              // 8-bit: the dividend is AX, so spread it over AH:AL.
              const regs =
                size === 8
                  ? { eax: ((high << 8) | low) >>> 0, ebx: divisor }
                  : { eax: low, edx: high, ebx: divisor };
              const flags = (low ^ divisor) & 1 ? STATUS : 0;
              run(h, code, { ...regs, flags });
              const e = div(size, signed, high, low, divisor);
              const msg = `${signed ? "idiv" : "div"}${size} ${hex(high)}:${hex(low)} / ${hex(divisor)}`;
              if (e === "DE") {
                faults++;
                assert.equal(faultVector(h), 0, msg);
                assert.equal(faultIp(h), CODE, msg);
                assert.equal(h.eax, regs.eax, `${msg}: registers unchanged`);
                continue;
              }
              results++;
              assert.equal(faultVector(h), -1, msg);
              if (size === 8) {
                assert.equal(h.eax & 0xffff, (e.r << 8) | e.q, msg);
              } else {
                assert.equal(toUnsigned(size, h.eax), e.q, msg);
                assert.equal(toUnsigned(size, h.edx), e.r, msg);
              }
              // All flags are undefined; tsvm leaves them as they were.
              assert.equal(h.eflags & STATUS, flags, msg);
            }
          }
        }
        assert.ok(faults > 0 && results > 0, "both outcomes exercised");
      });
    }
  }

  it("8-bit dividends use all of AX", () => {
    for (const ax of [0x00ff, 0x0100, 0x7fff, 0x8000, 0xfe00, 0xff80, 0xffff]) {
      for (const divisor of [1, 2, 3, 0x7f, 0x80, 0xfe, 0xff]) {
        for (const signed of [false, true]) {
          run(h, [0xf6, modrm(3, signed ? 7 : 6, 3)], { eax: ax, ebx: divisor });
          const e = div(8, signed, ax >>> 8, ax & 0xff, divisor);
          const msg = `${signed ? "idiv" : "div"} ${hex(ax)} / ${hex(divisor)}`;
          if (e === "DE") {
            assert.equal(faultVector(h), 0, msg);
          } else {
            assert.equal(faultVector(h), -1, msg);
            assert.equal(h.eax & 0xffff, (e.r << 8) | e.q, msg);
          }
        }
      }
    }
  });

  it("IDIV edge cases: most negative quotient, remainder sign, -2^63 / -1", () => {
    // -2^31 = 0xFFFFFFFF:80000000 / 1 fits; / -1 does not.
    run(h, [0x66, 0xf7, modrm(3, 7, 3)], { edx: 0xffffffff, eax: 0x80000000, ebx: 1 });
    assert.equal(faultVector(h), -1);
    assert.equal(h.eax, 0x80000000);
    run(h, [0x66, 0xf7, modrm(3, 7, 3)], { edx: 0xffffffff, eax: 0x80000000, ebx: 0xffffffff });
    assert.equal(faultVector(h), 0);
    run(h, [0x66, 0xf7, modrm(3, 7, 3)], { edx: 0x80000000, eax: 0, ebx: 0xffffffff });
    assert.equal(faultVector(h), 0);
    // -7 / 2 = -3 remainder -1 (truncation toward zero).
    run(h, [0x66, 0xf7, modrm(3, 7, 3)], { edx: 0xffffffff, eax: 0xfffffff9, ebx: 2 });
    assert.equal(h.eax, 0xfffffffd);
    assert.equal(h.edx, 0xffffffff);
  });
});
