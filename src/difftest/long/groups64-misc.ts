/**
 * 64-bit-mode bit, conditional, exchange and move groups: BT/BTS/BTR/BTC, BSF/BSR/
 * BSWAP/POPCNT, CMOVcc (a 32-bit CMOV zero-extends even when not taken,
 * SDM vol. 2, CMOVcc), SETcc with REX byte registers, XCHG/XADD/CMPXCHG/
 * CMPXCHG16B, MOVSXD/MOVZX/MOVSX/MOV imm64, and LEA in every addressing shape.
 */
import { UNDEFINED_FLAGS } from "../undefined-flags.js";
import { type CaseBuilder64, hex, leBytes, reg64Name } from "./builder64.js";
import { type Form64, type Group64, opText, regOrMem, SIZES64, sized, wop } from "./group64.js";

const CC = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"];

function bitForms(): Form64[] {
  const forms: Form64[] = [];
  const bts = ["bt", "bts", "btr", "btc"];
  for (const size of [16, 32, 64]) {
    for (let k = 0; k < 4; k++) {
      forms.push({
        name: `${bts[k].toUpperCase()} r${size}, r${size}`,
        gen: (b) => {
          const rm = { kind: "reg" as const, n: b.reg() };
          const src = b.reg();
          b.insn({ ...sized(size), opcode: [0x0f, 0xa3 + 8 * k], reg: src, rm });
          b.undefinedFlags = UNDEFINED_FLAGS.BT;
          return `${bts[k]} ${reg64Name(rm.n, size)}, ${reg64Name(src, size)}`;
        },
      });
      forms.push({
        name: `${bts[k].toUpperCase()} r/m${size}, imm8`,
        gen: (b) => {
          const rm = regOrMem(b, b.rng.chance(0.5), size);
          const imm = b.rng.int(256);
          b.insn({ ...sized(size), opcode: [0x0f, 0xba], reg: 4 + k, rm, imm: [imm] });
          b.undefinedFlags = UNDEFINED_FLAGS.BT;
          return `${bts[k]} ${opText(rm, size)}, ${imm}`;
        },
      });
    }
    for (const [name, op] of [
      ["bsf", 0xbc],
      ["bsr", 0xbd],
    ] as const) {
      forms.push({
        name: `${name.toUpperCase()} r${size}, r/m${size}`,
        gen: (b) => {
          const dst = b.reg();
          const rm = regOrMem(b, b.rng.chance(0.3), size);
          if (rm.kind === "reg" && b.rng.chance(0.2)) b.gpr[rm.n] = 0n;
          b.insn({ ...sized(size), opcode: [0x0f, op], reg: dst, rm });
          b.undefinedFlags = UNDEFINED_FLAGS.BSF;
          // A zero source leaves the destination undefined (SDM vol. 2, BSF/BSR).
          const mask = (1n << BigInt(size)) - 1n;
          if (rm.kind === "reg" && (b.gpr[rm.n] & mask) === 0n) b.undefinedRegs |= 1 << dst;
          if (rm.kind === "mem") b.undefinedRegs |= 1 << dst;
          return `${name} ${reg64Name(dst, size)}, ${opText(rm, size)}`;
        },
      });
    }
    forms.push({
      name: `POPCNT r${size}, r/m${size}`,
      gen: (b) => {
        const dst = b.reg();
        const rm = regOrMem(b, b.rng.chance(0.3), size);
        const s = sized(size);
        b.insn({ ...s, prefix: [...s.prefix, 0xf3], opcode: [0x0f, 0xb8], reg: dst, rm });
        return `popcnt ${reg64Name(dst, size)}, ${opText(rm, size)}`;
      },
    });
  }
  for (const size of [32, 64]) {
    forms.push({
      name: `BSWAP r${size}`,
      gen: (b) => {
        const n = b.reg();
        b.raw(
          ...(size === 64 || n >= 8 ? [0x40 | (size === 64 ? 8 : 0) | (n >> 3)] : []),
          0x0f,
          0xc8 + (n & 7),
        );
        return `bswap ${reg64Name(n, size)}`;
      },
    });
  }
  return forms;
}

function condForms(): Form64[] {
  const forms: Form64[] = [];
  for (let cc = 0; cc < 16; cc++) {
    for (const size of [16, 32, 64]) {
      forms.push({
        name: `CMOV${CC[cc].toUpperCase()} r${size}, r/m${size}`,
        gen: (b) => {
          const dst = b.reg();
          const rm = regOrMem(b, b.rng.chance(0.3), size);
          b.insn({ ...sized(size), opcode: [0x0f, 0x40 + cc], reg: dst, rm });
          return `cmov${CC[cc]} ${reg64Name(dst, size)}, ${opText(rm, size)}`;
        },
      });
    }
    forms.push({
      name: `SET${CC[cc].toUpperCase()} r/m8`,
      gen: (b) => {
        const rm = regOrMem(b, b.rng.chance(0.3), 8);
        b.insn({ prefix: [], rex: true, opcode: [0x0f, 0x90 + cc], reg: 0, rm });
        return `set${CC[cc]} ${opText(rm, 8)}`;
      },
    });
  }
  return forms;
}

function atomicForms(): Form64[] {
  const forms: Form64[] = [];
  const lockIf = (b: CaseBuilder64, mem: boolean): number[] =>
    mem && b.rng.chance(0.5) ? [0xf0] : [];
  for (const size of SIZES64) {
    for (const mem of [false, true]) {
      const where = mem ? "mem" : "reg";
      forms.push({
        name: `XCHG r/m${size}, r${size} (${where})`,
        gen: (b) => {
          const rm = regOrMem(b, mem, size);
          const src = b.reg();
          b.insn({ ...sized(size), opcode: [wop(size, 0x86)], reg: src, rm });
          return `xchg ${opText(rm, size)}, ${reg64Name(src, size)}`;
        },
      });
      forms.push({
        name: `XADD r/m${size}, r${size} (${where})`,
        gen: (b) => {
          const rm = regOrMem(b, mem, size);
          const src = b.reg();
          const s = sized(size);
          b.insn({
            ...s,
            prefix: [...lockIf(b, mem), ...s.prefix],
            opcode: [0x0f, wop(size, 0xc0)],
            reg: src,
            rm,
          });
          return `xadd ${opText(rm, size)}, ${reg64Name(src, size)}`;
        },
      });
      forms.push({
        name: `CMPXCHG r/m${size}, r${size} (${where})`,
        gen: (b) => {
          b.take(0);
          const rm = regOrMem(b, mem, size);
          const src = b.reg();
          if (rm.kind === "reg" && b.rng.chance(0.5)) b.gpr[0] = b.gpr[rm.n];
          // Vendor difference: a failing 32-bit CMPXCHG writes the destination back on
          // Intel (SDM vol. 2, CMPXCHG), zero-extending a register; AMD leaves it alone.
          const low = 0xffffffffn;
          if (size === 32 && rm.kind === "reg" && (b.gpr[0] & low) !== (b.gpr[rm.n] & low)) {
            b.undefinedRegs |= 1 << rm.n;
          }
          const s = sized(size);
          b.insn({
            ...s,
            prefix: [...lockIf(b, mem), ...s.prefix],
            opcode: [0x0f, wop(size, 0xb0)],
            reg: src,
            rm,
          });
          return `cmpxchg ${opText(rm, size)}, ${reg64Name(src, size)}`;
        },
      });
    }
  }
  forms.push({
    name: "XCHG RAX, r64 (90+r)",
    gen: (b) => {
      b.take(0);
      const n = b.reg();
      b.raw(0x48 | (n >> 3), 0x90 + (n & 7));
      return `xchg rax, ${reg64Name(n, 64)}`;
    },
  });
  forms.push({
    name: "CMPXCHG16B m128",
    gen: (b) => {
      for (const r of [0, 1, 2, 3]) b.take(r);
      // Misaligned now and then: #GP(0) (SDM vol. 2, CMPXCHG8B/CMPXCHG16B).
      const offset = b.dataOffset(16, 16) + (b.rng.chance(0.1) ? 8 : 0);
      const m = b.mem(16, offset);
      b.insn({
        prefix: b.rng.chance(0.5) ? [0xf0] : [],
        w: true,
        opcode: [0x0f, 0xc7],
        reg: 1,
        rm: m,
      });
      return `cmpxchg16b ${opText(m, 128)}`;
    },
  });
  return forms;
}

function moveForms(): Form64[] {
  const forms: Form64[] = [
    {
      name: "MOVSXD r64, r/m32",
      gen: (b) => {
        const dst = b.reg();
        const rm = regOrMem(b, b.rng.chance(0.4), 32);
        b.insn({ w: true, opcode: [0x63], reg: dst, rm });
        return `movsxd ${reg64Name(dst, 64)}, ${opText(rm, 32)}`;
      },
    },
    {
      name: "MOV r64, imm64",
      gen: (b) => {
        const n = b.reg();
        const v = b.value(64);
        b.raw(0x48 | (n >> 3), 0xb8 + (n & 7), ...leBytes(v, 8));
        return `mov ${reg64Name(n, 64)}, ${hex(v)}`;
      },
    },
    {
      name: "MOV r/m64, imm32 (sign-extended)",
      gen: (b) => {
        const rm = regOrMem(b, b.rng.chance(0.5), 64);
        const v = b.rng.value(32);
        b.insn({ w: true, opcode: [0xc7], reg: 0, rm, imm: leBytes(v, 4) });
        return `mov ${opText(rm, 64)}, ${hex(v)}`;
      },
    },
    {
      name: "MOV r32, imm32 (zero-extends)",
      gen: (b) => {
        const n = b.reg();
        const v = b.rng.value(32);
        b.raw(...(n >= 8 ? [0x41] : []), 0xb8 + (n & 7), ...leBytes(v, 4));
        return `mov ${reg64Name(n, 32)}, ${hex(v)}`;
      },
    },
  ];
  for (const size of SIZES64) {
    for (const load of [false, true]) {
      forms.push({
        name: load ? `MOV r${size}, r/m${size}` : `MOV r/m${size}, r${size}`,
        gen: (b) => {
          const r = b.reg();
          const rm = regOrMem(b, b.rng.chance(0.6), size);
          b.insn({ ...sized(size), opcode: [wop(size, load ? 0x8a : 0x88)], reg: r, rm });
          return load
            ? `mov ${reg64Name(r, size)}, ${opText(rm, size)}`
            : `mov ${opText(rm, size)}, ${reg64Name(r, size)}`;
        },
      });
    }
  }
  for (const [name, op] of [
    ["movzx", 0xb6],
    ["movsx", 0xbe],
  ] as const) {
    for (const dst of [16, 32, 64]) {
      for (const src of [8, 16]) {
        if (src >= dst) continue;
        forms.push({
          name: `${name.toUpperCase()} r${dst}, r/m${src}`,
          gen: (b) => {
            const r = b.reg();
            const rm = regOrMem(b, b.rng.chance(0.4), src);
            const s = sized(dst);
            b.insn({ ...s, rex: src === 8, opcode: [0x0f, op + (src === 16 ? 1 : 0)], reg: r, rm });
            return `${name} ${reg64Name(r, dst)}, ${opText(rm, src)}`;
          },
        });
      }
    }
  }
  return forms;
}

function leaForms(): Form64[] {
  const forms: Form64[] = [];
  for (const size of [16, 32, 64]) {
    for (let shape = 0; shape < 4; shape++) {
      forms.push({
        name: `LEA r${size}, m (shape ${["any", "RIP-relative", "SIB", "base+disp"][shape]})`,
        gen: (b) => {
          const dst = b.reg();
          let m = b.mem(8);
          // Retry for the requested shape (the builder picks shapes at random).
          for (let k = 0; k < 4 && shape !== 0; k++) {
            const ok =
              shape === 1
                ? m.kind === "mem" && m.ripTarget !== null
                : shape === 2
                  ? m.kind === "mem" && m.rm === 4
                  : m.kind === "mem" && m.rm !== 4 && m.ripTarget === null;
            if (ok) break;
            m = b.mem(8);
          }
          b.insn({ ...sized(size), rex: false, opcode: [0x8d], reg: dst, rm: m });
          return `lea ${reg64Name(dst, size)}, ${m.kind === "mem" ? m.text : ""}`;
        },
      });
    }
  }
  return forms;
}

export const MISC64_GROUPS: readonly Group64[] = [
  {
    name: "bits64",
    title: "64-bit mode: BT/BTS/BTR/BTC, BSF/BSR, POPCNT, BSWAP",
    forms: bitForms(),
  },
  {
    name: "cond64",
    title: "64-bit mode: CMOVcc (32-bit zero-extension), SETcc with REX",
    forms: condForms(),
  },
  {
    name: "atomic64",
    title: "64-bit mode: XCHG, XADD, CMPXCHG (LOCK), CMPXCHG16B",
    forms: atomicForms(),
  },
  { name: "mov64", title: "64-bit mode: MOV, MOVSXD, MOVZX/MOVSX, imm64", forms: moveForms() },
  { name: "lea64", title: "64-bit mode: LEA, RIP-relative and SIB with r8-r15", forms: leaForms() },
];
