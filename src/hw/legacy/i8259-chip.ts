/**
 * One 8259A programmable interrupt controller (Intel 8259A datasheet,
 * order no. 231468): request, mask and in-service registers, priority
 * resolution with rotation, the ICW1-4 initialization sequence and the
 * OCW1-3 commands. i8259.ts wires two of them as a PC's cascaded pair.
 *
 * The state is a plain object (`PicChipState`) so the pair's state
 * description can save and load it in place; the functions here act on it.
 *
 * Edge-triggered inputs latch: a rising edge sets the IRR bit, which stays
 * set until the interrupt is acknowledged, even if the input falls first
 * (so a device's `pulse()` is never lost). Level-triggered inputs (ELCR or
 * ICW1.LTIM) set IRR only while high; one that falls before the INTA cycle
 * leaves nothing to acknowledge, and the CPU gets the spurious IRQ 7.
 */
import { bool, oneOf, struct, u8, type Codec } from "../../migration/state/index.js";

/** The registers and modes of one 8259A. */
export interface PicChipState {
  /** Interrupt request register. */
  irr: number;
  /** Interrupt mask register (OCW1). */
  imr: number;
  /** In-service register. */
  isr: number;
  /** Edge/level control (ELCR, PIIX 0x4D0/0x4D1): 1 = level-triggered. */
  elcr: number;
  /** Current level of each IR input. */
  inputLevels: number;
  /** The IR input with the highest priority (0 unless rotated). */
  highestPriority: number;
  /** OCW3 RR/RIS: reads of the command port return ISR (else IRR). */
  readIsr: boolean;
  /** OCW3 P: the next read is a poll. */
  pollPending: boolean;
  /** OCW3 SMM: special mask mode. */
  specialMask: boolean;
  /** 0: initialized; 1, 2, 3: waiting for ICW2, ICW3, ICW4. */
  initStep: 0 | 1 | 2 | 3;
  /** ICW1 IC4: an ICW4 follows. */
  icw4Expected: boolean;
  /** ICW1 SNGL: no cascade, so no ICW3. */
  singleMode: boolean;
  /** ICW1 LTIM: every input level-triggered. */
  levelTriggeredAll: boolean;
  /** ICW4 AEOI: the in-service bit is not set on acknowledge. */
  autoEoi: boolean;
  /** OCW2 "rotate in automatic EOI mode". */
  rotateOnAutoEoi: boolean;
  /** ICW4 SFNM: special fully nested mode (master only). */
  specialFullyNested: boolean;
  /** ICW2 T7-T3: vector of IR0. */
  vectorBase: number;
  /** ICW3 as written (cascade inputs on a master, ID on a slave). */
  icw3: number;
}

const irqNumber = (): Codec<number> => u8({ max: 7 });

/** The state description of one chip (nested in the pair's "i8259" section). */
export const picChipCodec: Codec<PicChipState> = struct<PicChipState>({
  irr: u8(),
  imr: u8(),
  isr: u8(),
  elcr: u8(),
  inputLevels: u8(),
  highestPriority: irqNumber(),
  readIsr: bool(),
  pollPending: bool(),
  specialMask: bool(),
  initStep: oneOf(u8(), [0, 1, 2, 3] as const),
  icw4Expected: bool(),
  singleMode: bool(),
  levelTriggeredAll: bool(),
  autoEoi: bool(),
  rotateOnAutoEoi: bool(),
  specialFullyNested: bool(),
  vectorBase: u8(),
  icw3: u8(),
});

/** A chip as after power-on (ELCR clear, not initialized). */
export function newPicChip(): PicChipState {
  return {
    irr: 0,
    imr: 0,
    isr: 0,
    elcr: 0,
    inputLevels: 0,
    highestPriority: 0,
    readIsr: false,
    pollPending: false,
    specialMask: false,
    initStep: 0,
    icw4Expected: false,
    singleMode: false,
    levelTriggeredAll: false,
    autoEoi: false,
    rotateOnAutoEoi: false,
    specialFullyNested: false,
    vectorBase: 0,
    icw3: 0,
  };
}

/** Inputs that are level-triggered (ELCR bits, or all with ICW1.LTIM). */
function levelMask(chip: PicChipState): number {
  return chip.levelTriggeredAll ? 0xff : chip.elcr;
}

/** Priority of IR `irq`: 0 is the highest, 7 the lowest. */
function priorityOf(chip: PicChipState, irq: number): number {
  return (irq - chip.highestPriority) & 7;
}

/** The IR in `mask` with the highest priority, or -1 for an empty mask. */
function highestIn(chip: PicChipState, mask: number): number {
  if (mask === 0) return -1;
  for (let p = 0; p < 8; p++) {
    const irq = (chip.highestPriority + p) & 7;
    if ((mask & (1 << irq)) !== 0) return irq;
  }
  return -1;
}

/**
 * The request the chip presents to the CPU: the highest-priority unmasked
 * request that outranks everything in service, or -1 (datasheet, "Fully
 * Nested Mode"). In special mask mode, in-service levels that are masked no
 * longer block lower ones; in special fully nested mode a master lets its
 * slaves interrupt again while their cascade input is in service.
 */
export function pendingIrq(chip: PicChipState, isMaster: boolean): number {
  const irq = highestIn(chip, chip.irr & ~chip.imr);
  if (irq < 0) return -1;
  let inService = chip.isr;
  if (chip.specialMask) inService &= ~chip.imr;
  if (isMaster && chip.specialFullyNested) inService &= ~chip.icw3;
  const current = highestIn(chip, inService);
  if (current >= 0 && priorityOf(chip, current) <= priorityOf(chip, irq)) return -1;
  return irq;
}

/** Drives IR input `irq` (0-7). */
export function setPicInput(chip: PicChipState, irq: number, level: boolean): void {
  const bit = 1 << irq;
  if ((levelMask(chip) & bit) !== 0) {
    chip.irr = level ? chip.irr | bit : chip.irr & ~bit;
  } else if (level && (chip.inputLevels & bit) === 0) {
    chip.irr |= bit;
  }
  chip.inputLevels = level ? chip.inputLevels | bit : chip.inputLevels & ~bit;
}

/** The INTA cycle for IR `irq` on this chip: marks it in service and clears an edge request. */
export function acknowledgePic(chip: PicChipState, irq: number): void {
  const bit = 1 << irq;
  if (chip.autoEoi) {
    if (chip.rotateOnAutoEoi) chip.highestPriority = (irq + 1) & 7;
  } else {
    chip.isr |= bit;
  }
  // A level-triggered request stays while its input is high (datasheet, "Level Triggered Mode").
  if ((levelMask(chip) & bit) === 0) chip.irr &= ~bit;
}

/**
 * A poll (OCW3 P, then a read): acknowledges the highest request as an INTA
 * would and returns 0x80 | IR, or 0 when none is pending.
 */
export function pollPic(chip: PicChipState, isMaster: boolean): number {
  chip.pollPending = false;
  const irq = pendingIrq(chip, isMaster);
  if (irq < 0) return 0;
  acknowledgePic(chip, irq);
  return 0x80 | irq;
}

/** A read of the command port (A0 = 0) or the data port (A0 = 1). */
export function readPic(chip: PicChipState, dataPort: boolean, isMaster: boolean): number {
  if (chip.pollPending) return pollPic(chip, isMaster);
  if (dataPort) return chip.imr;
  return chip.readIsr ? chip.isr : chip.irr;
}

/** A write to the command port (A0 = 0): ICW1, OCW2 or OCW3 by bits 4 and 3. */
export function writePicCommand(chip: PicChipState, value: number): void {
  if ((value & 0x10) !== 0) initialize(chip, value);
  else if ((value & 0x08) !== 0) operationCommand3(chip, value);
  else operationCommand2(chip, value);
}

/** A write to the data port (A0 = 1): an ICW while initializing, else OCW1 (the mask). */
export function writePicData(chip: PicChipState, value: number): void {
  switch (chip.initStep) {
    case 0:
      chip.imr = value;
      return;
    case 1: // ICW2: the vector base (T7-T3; x86 mode ignores the low bits).
      chip.vectorBase = value & 0xf8;
      chip.initStep = chip.singleMode ? (chip.icw4Expected ? 3 : 0) : 2;
      return;
    case 2: // ICW3: cascade wiring.
      chip.icw3 = value;
      chip.initStep = chip.icw4Expected ? 3 : 0;
      return;
    case 3: // ICW4: bit 1 AEOI, bit 4 SFNM (bit 0, 8086 mode, is what a PC uses).
      chip.autoEoi = (value & 0x02) !== 0;
      chip.specialFullyNested = (value & 0x10) !== 0;
      chip.initStep = 0;
      return;
  }
}

/**
 * ICW1 starts initialization (datasheet, "Initialization Command Words"):
 * the mask and in-service registers clear, IR7 becomes the lowest priority,
 * special mask mode ends, reads return IRR, ICW4 functions clear when no
 * ICW4 follows, and the edge-sense latches reset: an edge input that is
 * already high must go low and high again to request.
 */
function initialize(chip: PicChipState, icw1: number): void {
  chip.icw4Expected = (icw1 & 0x01) !== 0;
  chip.singleMode = (icw1 & 0x02) !== 0;
  chip.levelTriggeredAll = (icw1 & 0x08) !== 0;
  chip.imr = 0;
  chip.isr = 0;
  chip.irr &= levelMask(chip) & chip.inputLevels;
  chip.highestPriority = 0;
  chip.readIsr = false;
  chip.pollPending = false;
  chip.specialMask = false;
  chip.rotateOnAutoEoi = false;
  chip.autoEoi = false;
  chip.specialFullyNested = false;
  chip.initStep = 1;
}

/** OCW2: EOI and rotation commands (R, SL, EOI in bits 7-5; the IR level in 2-0). */
function operationCommand2(chip: PicChipState, value: number): void {
  const level = value & 7;
  switch (value >> 5) {
    case 0b001: // non-specific EOI
      endOfInterrupt(chip, highestIn(chip, chip.isr), false);
      return;
    case 0b011: // specific EOI
      endOfInterrupt(chip, level, false);
      return;
    case 0b101: // rotate on non-specific EOI
      endOfInterrupt(chip, highestIn(chip, chip.isr), true);
      return;
    case 0b111: // rotate on specific EOI
      endOfInterrupt(chip, level, true);
      return;
    case 0b100: // set rotate in automatic EOI mode
      chip.rotateOnAutoEoi = true;
      return;
    case 0b000: // clear rotate in automatic EOI mode
      chip.rotateOnAutoEoi = false;
      return;
    case 0b110: // set priority: `level` becomes the lowest
      chip.highestPriority = (level + 1) & 7;
      return;
    default: // 0b010: no operation
      return;
  }
}

function endOfInterrupt(chip: PicChipState, irq: number, rotate: boolean): void {
  if (irq < 0) return;
  chip.isr &= ~(1 << irq);
  if (rotate) chip.highestPriority = (irq + 1) & 7;
}

/** OCW3: register read select (RR, RIS), poll (P), special mask mode (ESMM, SMM). */
function operationCommand3(chip: PicChipState, value: number): void {
  if ((value & 0x02) !== 0) chip.readIsr = (value & 0x01) !== 0;
  if ((value & 0x04) !== 0) chip.pollPending = true;
  if ((value & 0x40) !== 0) chip.specialMask = (value & 0x20) !== 0;
}

/**
 * An ELCR write (only the bits in `writable` can be level-triggered). Inputs
 * that become level-triggered take their request from their current level.
 */
export function writeElcr(chip: PicChipState, value: number, writable: number): void {
  const newlyLevel = value & writable & ~chip.elcr;
  chip.elcr = value & writable;
  chip.irr = (chip.irr & ~newlyLevel) | (chip.inputLevels & newlyLevel);
}

/**
 * Machine reset: as ICW1 with every ICW4 function off, the vector base 0 and
 * ELCR cleared. Input levels are the devices' and stay as they are.
 */
export function resetPicChip(chip: PicChipState): void {
  chip.elcr = 0;
  initialize(chip, 0x10);
  chip.initStep = 0;
  chip.vectorBase = 0;
  chip.icw3 = 0;
  chip.singleMode = false;
  chip.icw4Expected = false;
  chip.levelTriggeredAll = false;
  chip.irr = 0;
}
