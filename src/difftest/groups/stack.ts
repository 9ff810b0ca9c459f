/**
 * Stack instructions with ESP in the data area: PUSH/POP of registers,
 * immediates and memory (incl. [esp+disp], whose address POP computes
 * after incrementing ESP), PUSHA/POPA, PUSHF/POPF (user mode: IOPL and IF
 * are not writable at CPL 3 with IOPL 0, no fault — SDM vol. 2, POPF),
 * ENTER/LEAVE with nesting levels, and CALL/RET/JMP through registers,
 * memory and relative targets.
 */
import type { CaseBuilder } from "../builder.js";
import { memText } from "../encoder.js";
import { CODE_ADDR, DATA_ADDR, EAX, EBP, ESP, TF } from "../layout.js";
import { type Form, type Group, hx, osz, r } from "./group.js";

const MARKER = [0xb8, 0xfe, 0xca, 0xad, 0x1b];

/** Puts ESP in the data area (sometimes misaligned) with random stack contents around it. */
function setStack(b: CaseBuilder, room = 0x80): number {
  const rng = b.rng;
  let off = rng.range(room + 0x40, 0x2000 - room - 0x40);
  if (rng.chance(0.9)) off &= ~3;
  b.set(ESP, DATA_ADDR + off);
  const window = new Uint8Array(2 * room);
  rng.fill(window);
  b.poke(off - room, window);
  return off;
}

/** Writes a little-endian dword into the initial data at offset `off`. */
function pokeU32(b: CaseBuilder, off: number, v: number): void {
  b.poke(off, Uint8Array.of(v, v >>> 8, v >>> 16, v >>> 24));
}

function pushPopForms(): Form[] {
  const forms: Form[] = [];
  for (const size of [16, 32]) {
    forms.push({
      name: `PUSH r${size}`,
      gen: (b) => {
        setStack(b);
        const reg = b.reg();
        b.asm.byte(...osz(size), 0x50 + reg);
        return `push ${r(reg, size)}`;
      },
    });
    forms.push({
      name: `POP r${size}`,
      gen: (b) => {
        setStack(b);
        const reg = b.reg();
        b.asm.byte(...osz(size), 0x58 + reg);
        return `pop ${r(reg, size)}`;
      },
    });
    forms.push({
      name: `PUSH imm${size}`,
      gen: (b) => {
        setStack(b);
        const imm = b.rng.value(size);
        b.asm.byte(...osz(size), 0x68).imm(imm, size / 8);
        return `push ${hx(imm)}`;
      },
    });
    forms.push({
      name: `PUSH imm8 (sign-extended to ${size})`,
      gen: (b) => {
        setStack(b);
        const imm = b.rng.value(8);
        b.asm.byte(...osz(size), 0x6a, imm);
        return `push byte ${hx(imm)}`;
      },
    });
    for (const memForm of [false, true]) {
      const kind = memForm ? "mem" : "reg";
      forms.push({
        name: `PUSH r/m${size} (${kind})`,
        gen: (b) => {
          setStack(b);
          if (!memForm) {
            const reg = b.reg();
            b.asm.byte(...osz(size)).regRm([0xff], 6, reg);
            return `push ${r(reg, size)}`;
          }
          const { mem } = b.mem(size / 8);
          b.asm.byte(...osz(size)).memRm([0xff], 6, mem);
          return `push ${memText(mem)}`;
        },
      });
      forms.push({
        name: `POP r/m${size} (${kind})`,
        gen: (b) => {
          setStack(b);
          if (!memForm) {
            const reg = b.reg();
            b.asm.byte(...osz(size)).regRm([0x8f], 0, reg);
            return `pop ${r(reg, size)}`;
          }
          const { mem } = b.mem(size / 8);
          b.asm.byte(...osz(size)).memRm([0x8f], 0, mem);
          return `pop ${memText(mem)}`;
        },
      });
    }
    for (const [mn, opcode, ext] of [
      ["push", 0xff, 6],
      ["pop", 0x8f, 0],
    ] as const) {
      forms.push({
        name: `${mn.toUpperCase()} [esp+disp8] (${size})`,
        gen: (b) => {
          setStack(b);
          const disp = b.rng.range(-0x40, 0x3c);
          const mem = {
            kind: "mem32",
            base: ESP,
            index: null,
            scale: 0,
            disp,
            dispSize: 1,
          } as const;
          b.asm.byte(...osz(size)).memRm([opcode], ext, mem);
          return `${mn} ${memText(mem)}`;
        },
      });
    }
    forms.push({
      name: size === 32 ? "PUSHAD" : "PUSHA (66)",
      gen: (b) => {
        setStack(b);
        b.asm.byte(...osz(size), 0x60);
        return size === 32 ? "pushad" : "pushaw";
      },
    });
    forms.push({
      name: size === 32 ? "POPAD" : "POPA (66)",
      gen: (b) => {
        setStack(b);
        b.asm.byte(...osz(size), 0x61);
        return size === 32 ? "popad" : "popaw";
      },
    });
    forms.push({
      name: size === 32 ? "PUSHFD" : "PUSHF (66)",
      gen: (b) => {
        setStack(b);
        b.asm.byte(...osz(size), 0x9c);
        return size === 32 ? "pushfd" : "pushfw";
      },
    });
    forms.push({
      name: size === 32 ? "POPFD" : "POPF (66)",
      gen: (b) => {
        const off = setStack(b);
        // Any value but TF (a trap after the next instruction would end the case early).
        pokeU32(b, off, b.rng.u32() & ~TF);
        b.asm.byte(...osz(size), 0x9d);
        return size === 32 ? "popfd" : "popfw";
      },
    });
  }
  return forms;
}

function enterLeaveForms(): Form[] {
  const forms: Form[] = [];
  for (const size of [16, 32]) {
    forms.push({
      name: `ENTER imm16, imm8 (${size})`,
      gen: (b) => {
        const rng = b.rng;
        setStack(b, 0x180);
        // For nesting levels > 0 ENTER copies frame pointers from [EBP - k]: EBP in the data area too.
        const ebpOff = rng.range(0x100, 0x1f00) & ~(rng.chance(0.9) ? 3 : 0);
        b.set(EBP, rng.chance(0.8) ? DATA_ADDR + ebpOff : b.gpr[EBP]);
        const frame = new Uint8Array(0x40);
        rng.fill(frame);
        if (b.gpr[EBP] === (DATA_ADDR + ebpOff) >>> 0) b.poke(ebpOff - 0x40, frame);
        const bytes = rng.pick([0, 4, 8, 0x10, rng.int(0x100)]);
        const level = rng.chance(0.6) ? 0 : rng.pick([1, 2, 3, 4, 33]);
        if (level > 1 && b.gpr[EBP] !== (DATA_ADDR + ebpOff) >>> 0) b.set(EBP, DATA_ADDR + 0x1000);
        b.asm
          .byte(...osz(size), 0xc8)
          .imm(bytes, 2)
          .imm(level, 1);
        return `enter ${hx(bytes)}, ${level}`;
      },
    });
    forms.push({
      name: `LEAVE (${size})`,
      gen: (b) => {
        const rng = b.rng;
        const off = rng.range(0x100, 0x1f00) & ~(rng.chance(0.9) ? 3 : 0);
        b.set(EBP, DATA_ADDR + off);
        b.poke(off, b.randomBytes(4));
        b.set(ESP, b.gpr[ESP]);
        b.asm.byte(...osz(size), 0xc9);
        return size === 32 ? "leave" : "leavew";
      },
    });
  }
  return forms;
}

function callRetForms(): Form[] {
  const forms: Form[] = [];
  forms.push({
    name: "CALL rel32",
    gen: (b) => {
      setStack(b);
      b.asm
        .byte(0xe8)
        .imm(MARKER.length, 4)
        .byte(...MARKER);
      return "call +5; (skipped marker)";
    },
  });
  for (const [mn, ext] of [
    ["call", 2],
    ["jmp", 4],
  ] as const) {
    forms.push({
      name: `${mn.toUpperCase()} r32`,
      gen: (b) => {
        setStack(b);
        const reg = b.reg(1 << ESP);
        b.set(reg, CODE_ADDR + 2 + MARKER.length);
        b.asm.regRm([0xff], ext, reg).byte(...MARKER);
        return `${mn} ${r(reg, 32)}; (skipped marker)`;
      },
    });
    forms.push({
      name: `${mn.toUpperCase()} m32`,
      gen: (b) => {
        setStack(b);
        const { mem } = b.mem(4, { exclude: 1 << EAX });
        b.asm.memRm([0xff], ext, mem);
        const target = CODE_ADDR + b.asm.bytes.length + MARKER.length;
        b.spans[b.spans.length - 1] = {
          offset: b.spans[b.spans.length - 1].offset,
          bytes: Uint8Array.of(target, target >>> 8, target >>> 16, target >>> 24),
        };
        b.asm.byte(...MARKER);
        return `${mn} dword ${memText(mem)}; (skipped marker)`;
      },
    });
  }
  forms.push({
    name: "RET",
    gen: (b) => {
      const off = setStack(b);
      pokeU32(b, off, CODE_ADDR + 1 + MARKER.length);
      b.asm.byte(0xc3, ...MARKER);
      return "ret; (skipped marker)";
    },
  });
  forms.push({
    name: "RET imm16",
    gen: (b) => {
      const off = setStack(b);
      pokeU32(b, off, CODE_ADDR + 3 + MARKER.length);
      const imm = b.rng.pick([0, 4, 8, 0x40, b.rng.int(0x10000)]);
      b.asm
        .byte(0xc2)
        .imm(imm, 2)
        .byte(...MARKER);
      return `ret ${hx(imm)}; (skipped marker)`;
    },
  });
  return forms;
}

export const STACK_GROUPS: readonly Group[] = [
  {
    name: "stack",
    title: "PUSH/POP (all forms), PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE",
    forms: [...pushPopForms(), ...enterLeaveForms()],
  },
  {
    name: "call",
    title: "CALL/RET/JMP: relative, register, memory, RET imm16",
    forms: callRetForms(),
  },
];
