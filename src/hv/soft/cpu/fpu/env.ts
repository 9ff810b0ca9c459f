/**
 * The arithmetic context of one x87 operation: rounding and precision control
 * taken from the control word, and the exception flags and C1 "round-up" bit
 * the operation produces (SDM vol. 1, 8.1.5 and 8.5).
 */

/** Exception flag bits, as laid out in both the status and control words. */
export const Exc = {
  /** Invalid operation (#IA / #IS). */
  IE: 0x01,
  /** Denormal operand. */
  DE: 0x02,
  /** Divide by zero. */
  ZE: 0x04,
  /** Numeric overflow. */
  OE: 0x08,
  /** Numeric underflow. */
  UE: 0x10,
  /** Inexact result (precision). */
  PE: 0x20,
} as const;

/** Rounding control values (FCW bits 10-11). */
export const Rc = { NEAREST: 0, DOWN: 1, UP: 2, ZERO: 3 } as const;

/** Precision control values (FCW bits 8-9); 1 is reserved and treated as 64 bits. */
export const Pc = { SINGLE: 0, RESERVED: 1, DOUBLE: 2, EXTENDED: 3 } as const;

export class FpEnv {
  /** Rounding control (Rc). */
  rc = 0;
  /** Precision control (Pc). */
  pc = 3;
  /** Exception mask bits (1 = masked), as in FCW bits 0-5. */
  masks = 0x3f;
  /** Flags raised by the operations since the caller last cleared them. */
  flags = 0;
  /** 1 when the last rounded result was rounded up in magnitude (the C1 bit). */
  c1 = 0;

  /** Loads rounding/precision control and masks from a control word. */
  setControl(fcw: number): void {
    this.rc = (fcw >>> 10) & 3;
    this.pc = (fcw >>> 8) & 3;
    this.masks = fcw & 0x3f;
  }

  /** The control word bits this context represents (other bits zero). */
  controlWord(): number {
    return (this.rc << 10) | (this.pc << 8) | this.masks;
  }

  /** Clears flags and C1 before an operation. */
  reset(): void {
    this.flags = 0;
    this.c1 = 0;
  }

  isMasked(exc: number): boolean {
    return (this.masks & exc) !== 0;
  }
}
