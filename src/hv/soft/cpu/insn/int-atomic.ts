/**
 * The read-modify-write exchange instructions: CMPXCHG (0F B0/B1), XADD
 * (0F C0/C1) and CMPXCHG8B (0F C7 /1, memory only). All are lockable with a
 * memory destination. SDM vol. 2, CMPXCHG, XADD, CMPXCHG8B.
 *
 * A memory destination is always written — with its old value when the
 * comparison fails — as the processor does ("the destination operand is
 * written back if the comparison fails"), so a read-only page faults either
 * way. The write permission is checked before anything changes.
 */
import type { Cpu } from "../cpu.js";
import { EAX, EBX, ECX, EDX, REG8_OFFSET, ZF } from "../constants.js";
import type { Decoded } from "../decoded.js";
import { setFlagsDirect, setLazyAdd, setLazySub } from "../flags.js";
import { defineGroup0F, defineOp0F } from "../ops.js";

/** CMPXCHG Eb,Gb: compare AL with the destination; equal → dest = Gb, else AL = dest. */
function cmpxchgEbGb(cpu: Cpu, d: Decoded): void {
  const dest = cpu.readModrmRmw8(d);
  const acc = cpu.r8[0];
  setLazySub(cpu, (acc - dest) & 0xff, acc, dest, 8);
  if (acc === dest) {
    cpu.writeModrmRmw8(d, cpu.r8[REG8_OFFSET[d.reg]]);
  } else {
    cpu.writeModrmRmw8(d, dest);
    cpu.r8[0] = dest;
  }
}

function cmpxchgEvGv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 16) {
    const dest = cpu.readModrmRmw16(d);
    const acc = cpu.r16[EAX << 2];
    setLazySub(cpu, (acc - dest) & 0xffff, acc, dest, 16);
    if (acc === dest) {
      cpu.writeModrmRmw16(d, cpu.r16[d.reg << 2]);
    } else {
      cpu.writeModrmRmw16(d, dest);
      cpu.r16[EAX << 2] = dest;
    }
  } else {
    const dest = cpu.readModrmRmw32(d);
    const acc = cpu.r32[EAX << 1];
    setLazySub(cpu, (acc - dest) | 0, acc, dest, 32);
    if (acc === dest) {
      cpu.writeModrmRmw32(d, cpu.r32[d.reg << 1]);
    } else {
      cpu.writeModrmRmw32(d, dest);
      cpu.r32[EAX << 1] = dest;
    }
  }
}

/**
 * XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP (that order, so
 * `XADD r, r` with one register leaves the sum). Flags of the addition.
 */
function xaddEbGb(cpu: Cpu, d: Decoded): void {
  const dest = cpu.readModrmRmw8(d);
  const at = REG8_OFFSET[d.reg];
  const src = cpu.r8[at];
  const sum = (dest + src) & 0xff;
  cpu.r8[at] = dest;
  cpu.writeModrmRmw8(d, sum);
  setLazyAdd(cpu, sum, dest, src, 8);
}

function xaddEvGv(cpu: Cpu, d: Decoded): void {
  if (d.opSize === 16) {
    const dest = cpu.readModrmRmw16(d);
    const src = cpu.r16[d.reg << 2];
    const sum = (dest + src) & 0xffff;
    cpu.r16[d.reg << 2] = dest;
    cpu.writeModrmRmw16(d, sum);
    setLazyAdd(cpu, sum, dest, src, 16);
  } else {
    const dest = cpu.readModrmRmw32(d);
    const src = cpu.r32[d.reg << 1];
    const sum = (dest + src) | 0;
    cpu.r32[d.reg << 1] = dest;
    cpu.writeModrmRmw32(d, sum);
    setLazyAdd(cpu, sum, dest, src, 32);
  }
}

/**
 * CMPXCHG8B m64: EDX:EAX == m64 → ZF = 1, m64 = ECX:EBX; else ZF = 0,
 * EDX:EAX = m64 (and m64 is rewritten unchanged). Only ZF changes. The
 * 8-byte operand may cross a page: both pages are checked first.
 */
function cmpxchg8b(cpu: Cpu, d: Decoded): void {
  const lin = cpu.eaWrite(d, 8);
  cpu.checkWritable(lin, 8);
  const low = cpu.read32(lin);
  const high = cpu.read32(lin + 4);
  if (low === cpu.r32[EAX << 1] && high === cpu.r32[EDX << 1]) {
    cpu.write32(lin, cpu.r32[EBX << 1]);
    cpu.write32(lin + 4, cpu.r32[ECX << 1]);
    setFlagsDirect(cpu, ZF, ZF);
  } else {
    cpu.write32(lin, low);
    cpu.write32(lin + 4, high);
    cpu.r32[EAX << 1] = low;
    cpu.r32[EDX << 1] = high;
    setFlagsDirect(cpu, ZF, 0);
  }
}

defineOp0F(0xb0, { modrm: true, lockable: true }, cmpxchgEbGb);
defineOp0F(0xb1, { modrm: true, lockable: true }, cmpxchgEvGv);
defineOp0F(0xc0, { modrm: true, lockable: true }, xaddEbGb);
defineOp0F(0xc1, { modrm: true, lockable: true }, xaddEvGv);
defineGroup0F(0xc7, 1, { mod: "mem", lockable: true }, cmpxchg8b);
