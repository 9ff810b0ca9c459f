/**
 * 64-bit-mode odds and ends: sign extensions of RAX (CBW/CWDE/CDQE,
 * CWD/CDQ/CQO), LAHF/SAHF, SHLD/SHRD at 64 bits, LZCNT,
 * LOOP/JRCXZ on the 64-bit RCX, MOV r, Sreg (Linux's selectors), and the address-size prefix (67: a
 * 32-bit effective address, zero-extended; SDM vol. 1, 3.3.7).
 */
import { AF, OF, PF, SF } from "../layout.js";
import { shiftDoubleUndefined } from "../undefined-flags.js";
import { hex, reg64Name } from "./builder64.js";
import { type Form64, type Group64, opText, regOrMem, sized } from "./group64.js";

const FORMS: Form64[] = [];

for (const [name, bytes] of [
  ["cbw", [0x66, 0x98]],
  ["cwde", [0x98]],
  ["cdqe", [0x48, 0x98]],
  ["cwd", [0x66, 0x99]],
  ["cdq", [0x99]],
  ["cqo", [0x48, 0x99]],
  ["lahf", [0x9f]],
  ["sahf", [0x9e]],
] as const) {
  FORMS.push({
    name: name.toUpperCase(),
    gen: (b) => {
      b.take(0);
      b.take(2);
      b.raw(...bytes);
      return name;
    },
  });
}

for (const [name, op] of [
  ["shld", 0xa4],
  ["shrd", 0xac],
] as const) {
  for (const byCl of [false, true]) {
    FORMS.push({
      name: `${name.toUpperCase()} r/m64, r64, ${byCl ? "CL" : "imm8"}`,
      gen: (b) => {
        if (byCl) b.take(1);
        const rm = regOrMem(b, b.rng.chance(0.3), 64);
        const src = b.reg();
        const count = b.rng.pick([0, 1, 2, 31, 32, 63, 64, 65, b.rng.int(256)]);
        if (byCl) b.gpr[1] = (b.gpr[1] & ~0xffn) | BigInt(count);
        b.insn({
          w: true,
          opcode: [0x0f, byCl ? op + 1 : op],
          reg: src,
          rm,
          imm: byCl ? [] : [count],
        });
        b.undefinedFlags = shiftDoubleUndefined(count & 63, 64);
        return `${name} ${opText(rm, 64)}, ${reg64Name(src, 64)}, ${byCl ? "cl" : count}`;
      },
    });
  }
}

// TZCNT, ADCX/ADOX and MOVBE are left out: the soft CPU does not advertise BMI1,
// ADX or MOVBE in CPUID (without BMI1, F3 0F BC is BSF), while the host has them.
for (const [name, op] of [["lzcnt", 0xbd]] as const) {
  for (const size of [16, 32, 64]) {
    FORMS.push({
      name: `${name.toUpperCase()} r${size}, r/m${size}`,
      gen: (b) => {
        const dst = b.reg();
        const rm = regOrMem(b, b.rng.chance(0.3), size);
        const s = sized(size);
        b.insn({ ...s, prefix: [...s.prefix, 0xf3], opcode: [0x0f, op], reg: dst, rm });
        // "ZF and CF are modified; OF, SF, PF and AF are undefined" (SDM vol. 2, LZCNT/TZCNT).
        b.undefinedFlags = OF | SF | PF | AF;
        return `${name} ${reg64Name(dst, size)}, ${opText(rm, size)}`;
      },
    });
  }
}

for (const [name, op] of [
  ["loop", 0xe2],
  ["jrcxz", 0xe3],
] as const) {
  FORMS.push({
    name: `${name.toUpperCase()} rel8 (RCX is 64 bits)`,
    gen: (b) => {
      b.take(0);
      b.take(1);
      b.gpr[1] = b.rng.pick([0n, 1n, 2n, 1n << 32n, (1n << 32n) + 1n, 2n ** 64n - 1n]);
      // Taken: skips the marker MOV AL, 1.
      b.raw(op, 0x02, 0xb0, 0x01);
      return `${name} +2; mov al, 1`;
    },
  });
}

for (const size of [16, 32, 64]) {
  FORMS.push({
    name: `MOV r${size}, Sreg`,
    gen: (b) => {
      const dst = b.reg();
      const sreg = b.rng.int(6);
      const s = sized(size);
      b.insn({ prefix: s.prefix, w: s.w, opcode: [0x8c], reg: sreg, rm: { kind: "reg", n: dst } });
      return `mov ${reg64Name(dst, size)}, ${["es", "cs", "ss", "ds", "fs", "gs"][sreg]}`;
    },
  });
}

FORMS.push({
  name: "MOV r64, [r32+disp] (67: 32-bit address, zero-extended)",
  gen: (b) => {
    const dst = b.reg();
    let base = b.reg();
    while ((base & 7) === 4 || (base & 7) === 5) base = b.reg();
    const disp = b.rng.int(256) - 128;
    const target = 0x10000000 + b.dataOffset(8);
    b.fillData(target - 0x10000000 - 16, 40);
    // Garbage in bits 63:32 of the base must not matter.
    b.gpr[base] = (BigInt(b.rng.u32()) << 32n) | BigInt((target - disp) >>> 0);
    b.raw(
      0x67,
      0x48 | ((dst >> 3) << 2) | (base >> 3),
      0x8b,
      0x40 | ((dst & 7) << 3) | (base & 7),
      disp & 0xff,
    );
    return `mov ${reg64Name(dst, 64)}, [${reg64Name(base, 32)}${disp < 0 ? "-" : "+"}${hex(Math.abs(disp))}]`;
  },
});

export const EXTRA64_GROUPS: readonly Group64[] = [
  {
    name: "misc64",
    title: "64-bit mode: CQO/CDQE, LAHF/SAHF, SHLD/SHRD 64, LZCNT, LOOP/JRCXZ, 67 prefix",
    forms: FORMS,
  },
];
