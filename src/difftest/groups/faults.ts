/**
 * Faults at CPL 3 (SDM vol. 3, ch. 6 and 4.7): page faults on either side
 * of the data area (reads, writes, accesses straddling into unmapped pages,
 * pushes and pops at the edge), #GP from privileged instructions and from
 * the null FS, #GP from INT n through a missing or DPL-0 gate. The vector,
 * error code and CR2 must match the host's (SIGSEGV's trapno, err, cr2).
 */
import { DATA_ADDR, DATA_SIZE, ESP } from "../layout.js";
import type { CaseBuilder } from "../builder.js";
import { type Form, type Group, hx, r } from "./group.js";

/** Addresses next to the data area: unmapped on both sides. */
const BELOW = DATA_ADDR - 0x1000;
const ABOVE = DATA_ADDR + DATA_SIZE;

function unmappedAddress(b: CaseBuilder): number {
  return b.rng.chance(0.5) ? ABOVE + b.rng.int(0x1000) : BELOW + b.rng.int(0x1000);
}

function faultForms(): Form[] {
  return [
    {
      name: "MOV r32, [unmapped] (#PF read)",
      gen: (b) => {
        const reg = b.reg();
        const addr = unmappedAddress(b);
        b.asm
          .byte(0x8b)
          .imm((reg << 3) | 5, 1)
          .imm(addr, 4);
        return `mov ${r(reg, 32)}, [${hx(addr)}]`;
      },
    },
    {
      name: "MOV [unmapped], r32 (#PF write)",
      gen: (b) => {
        const reg = b.reg();
        const addr = unmappedAddress(b);
        b.asm
          .byte(0x89)
          .imm((reg << 3) | 5, 1)
          .imm(addr, 4);
        return `mov [${hx(addr)}], ${r(reg, 32)}`;
      },
    },
    {
      name: "ADD [unmapped], r32 (#PF read-modify-write)",
      gen: (b) => {
        const reg = b.reg();
        const addr = unmappedAddress(b);
        b.asm
          .byte(0x01)
          .imm((reg << 3) | 5, 1)
          .imm(addr, 4);
        return `add [${hx(addr)}], ${r(reg, 32)}`;
      },
    },
    {
      name: "MOV across the end of the data area (#PF on the second page)",
      gen: (b) => {
        const size = b.rng.pick([2, 4]);
        const addr = ABOVE - b.rng.range(1, size - 1);
        const write = b.rng.chance(0.5);
        b.asm.byte(...(size === 2 ? [0x66] : []), write ? 0x89 : 0x8b, 0x05).imm(addr, 4);
        return `mov ${write ? `[${hx(addr)}], ax` : `ax, [${hx(addr)}]`} (${size} bytes)`;
      },
    },
    {
      name: "MOV across the start of the data area (#PF on the first page)",
      gen: (b) => {
        const addr = DATA_ADDR - b.rng.range(1, 3);
        const write = b.rng.chance(0.5);
        b.asm.byte(write ? 0x89 : 0x8b, 0x05).imm(addr, 4);
        return write ? `mov [${hx(addr)}], eax` : `mov eax, [${hx(addr)}]`;
      },
    },
    {
      name: "PUSH at the bottom of the data area (#PF)",
      gen: (b) => {
        b.set(ESP, DATA_ADDR + b.rng.pick([0, 1, 2, 3]));
        b.asm.byte(0x50 + b.reg());
        return `push (esp=${hx(b.gpr[ESP])})`;
      },
    },
    {
      name: "POP at the top of the data area (#PF)",
      gen: (b) => {
        b.set(ESP, ABOVE - b.rng.pick([0, 1, 2, 3]));
        b.asm.byte(0x58 + b.reg(1 << ESP));
        return `pop (esp=${hx(b.gpr[ESP])})`;
      },
    },
    ...(
      [
        ["HLT", [0xf4]],
        ["CLI", [0xfa]],
        ["STI", [0xfb]],
        ["IN AL, DX", [0xec]],
        ["OUT imm8, AL", [0xe6, 0x80]],
        ["INS", [0x6c]],
        ["OUTS", [0x6e]],
        ["REP INSD", [0xf3, 0x6d]],
        ["MOV EAX, CR0", [0x0f, 0x20, 0xc0]],
        ["LGDT", [0x0f, 0x01, 0x15, 0, 0, 0, 0x10]],
        ["MOV EAX, FS:[0] (null FS)", [0x64, 0xa1, 0, 0, 0, 0]],
        ["INT 0x41 (no user gate)", [0xcd, 0x41]],
      ] as const
    ).map(([name, bytes]): Form => ({
      name: `${name} (#GP)`,
      gen: (b) => {
        b.asm.byte(...bytes);
        return name.toLowerCase();
      },
    })),
  ];
}

export const FAULT_GROUPS: readonly Group[] = [
  {
    name: "faults",
    title: "#PF around the data area, #GP from privileged instructions at CPL 3",
    forms: faultForms(),
  },
];
