/**
 * Exchange and compare-exchange: XCHG (86/87, 90+r), XADD (0F C0/C1),
 * CMPXCHG (0F B0/B1) with the accumulator equal to the destination half of
 * the time, and CMPXCHG8B (0F C7 /1; the register form is #UD).
 */
import type { CaseBuilder } from "../builder.js";
import { memText } from "../encoder.js";
import { EAX, EBX, ECX, EDX } from "../layout.js";
import { type Form, type Group, m, maskOf, osz, r, regMask, SIZES, w } from "./group.js";

function lockPrefix(b: CaseBuilder): { bytes: number[]; text: string } {
  return b.rng.chance(0.4) ? { bytes: [0xf0], text: "lock " } : { bytes: [], text: "" };
}

/** Value of `size` bits in register number `n` (8-bit numbers 4-7 are AH..BH). */
function regValue(b: CaseBuilder, n: number, size: number): number {
  if (size === 8) return n < 4 ? b.gpr[n] & 0xff : (b.gpr[n & 3] >>> 8) & 0xff;
  return b.gpr[n] & maskOf(size);
}

function exchangeForms(): Form[] {
  const forms: Form[] = [];
  for (const size of SIZES) {
    for (const memForm of [false, true]) {
      const kind = memForm ? "mem" : "reg";
      forms.push({
        name: `XCHG r/m${size}, r${size} (${kind})`,
        gen: (b) => {
          const reg = b.reg();
          b.asm.byte(...osz(size));
          if (!memForm) {
            const other = b.reg();
            b.asm.regRm([w(size, 0x86)], reg, other);
            return `xchg ${r(other, size)}, ${r(reg, size)}`;
          }
          const { mem } = b.mem(size / 8, { exclude: regMask(reg, size) });
          b.asm.memRm([w(size, 0x86)], reg, mem);
          return `xchg ${m(memText(mem), size)}, ${r(reg, size)}`;
        },
      });
      forms.push({
        name: `XADD r/m${size}, r${size} (${kind})`,
        gen: (b) => {
          const reg = b.reg();
          if (!memForm) {
            const other = b.reg();
            b.asm.byte(...osz(size)).regRm([0x0f, w(size, 0xc0)], reg, other);
            return `xadd ${r(other, size)}, ${r(reg, size)}`;
          }
          const { mem } = b.mem(size / 8, { exclude: regMask(reg, size) });
          const lock = lockPrefix(b);
          b.asm.byte(...lock.bytes, ...osz(size)).memRm([0x0f, w(size, 0xc0)], reg, mem);
          return `${lock.text}xadd ${m(memText(mem), size)}, ${r(reg, size)}`;
        },
      });
      forms.push({
        name: `CMPXCHG r/m${size}, r${size} (${kind})`,
        gen: (b) => {
          const reg = b.reg();
          const equal = b.rng.chance(0.5);
          if (!memForm) {
            const other = b.reg();
            if (equal && (regMask(other, size) & 1) === 0) {
              const v = regValue(b, other, size);
              b.set(EAX, (b.gpr[EAX] & ~maskOf(size)) | v);
            }
            b.asm.byte(...osz(size)).regRm([0x0f, w(size, 0xb0)], reg, other);
            return `cmpxchg ${r(other, size)}, ${r(reg, size)}`;
          }
          const init = b.randomBytes(size / 8);
          if (equal) {
            const v = init.reduce((acc, x, i) => acc | (x << (8 * i)), 0) >>> 0;
            b.set(EAX, size === 32 ? v : (b.gpr[EAX] & ~maskOf(size)) | v);
          } else {
            b.set(EAX, b.gpr[EAX]);
          }
          const { mem } = b.mem(size / 8, { exclude: regMask(reg, size) | 1, init });
          const lock = lockPrefix(b);
          b.asm.byte(...lock.bytes, ...osz(size)).memRm([0x0f, w(size, 0xb0)], reg, mem);
          return `${lock.text}cmpxchg ${m(memText(mem), size)}, ${r(reg, size)}`;
        },
      });
    }
  }
  for (const size of [16, 32]) {
    forms.push({
      name: `XCHG ${r(0, size)}, r${size} (90+r)`,
      gen: (b) => {
        const reg = b.reg();
        b.asm.byte(...osz(size), 0x90 + reg);
        return reg === 0 && size === 32 ? "nop" : `xchg ${r(0, size)}, ${r(reg, size)}`;
      },
    });
  }
  forms.push({
    name: "CMPXCHG8B m64",
    gen: (b) => {
      const implicit = (1 << EAX) | (1 << EDX) | (1 << EBX) | (1 << ECX);
      const init = b.randomBytes(8);
      if (b.rng.chance(0.5)) {
        const lo = (init[0] | (init[1] << 8) | (init[2] << 16) | (init[3] << 24)) >>> 0;
        const hi = (init[4] | (init[5] << 8) | (init[6] << 16) | (init[7] << 24)) >>> 0;
        b.set(EAX, lo);
        b.set(EDX, b.rng.chance(0.9) ? hi : hi ^ 1);
      }
      const { mem } = b.mem(8, { exclude: implicit, init });
      const lock = lockPrefix(b);
      b.asm.byte(...lock.bytes).memRm([0x0f, 0xc7], 1, mem);
      return `${lock.text}cmpxchg8b ${m(memText(mem), 64)}`;
    },
  });
  forms.push({
    name: "CMPXCHG8B with a register operand (#UD)",
    gen: (b) => {
      b.asm.regRm([0x0f, 0xc7], 1, b.reg());
      return "cmpxchg8b <register> (invalid)";
    },
  });
  return forms;
}

export const ATOMIC_GROUPS: readonly Group[] = [
  {
    name: "xchg",
    title: "XCHG, XADD, CMPXCHG, CMPXCHG8B (LOCK sometimes)",
    forms: exchangeForms(),
  },
];
