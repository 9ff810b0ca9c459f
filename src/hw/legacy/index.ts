/**
 * The PC's legacy ISA devices: PIC pair, PIT, UARTs, RTC/CMOS, keyboard
 * controller, ports 0x92 and 0x80, and QEMU's debug-exit and debugcon.
 * Each is a class taking the port bus (and its IRQ lines, the virtual clock
 * and options) and has `reset()`, `saveState()` and `loadState()`.
 */
export { DeviceOptionError } from "./errors.js";
export {
  FileCharBackend,
  NullCharBackend,
  StreamCharBackend,
  type CharBackend,
} from "./char-backend.js";
export { UnixSocketCharBackend, type UnixSocketOptions } from "./char-backend-socket.js";
export { I8259, i8259StateDescription, type I8259Options, type I8259State } from "./i8259.js";
export type { PicChipState } from "./i8259-chip.js";
export {
  I8254,
  PIT_HZ,
  i8254StateDescription,
  type I8254Options,
  type I8254State,
} from "./i8254.js";
export type { PitCounterState } from "./i8254-counter.js";
export {
  COM_PORTS,
  Uart16550,
  uartStateDescription,
  type Uart16550Options,
  type UartState,
} from "./uart16550.js";
export {
  Mc146818,
  rtcStateDescription,
  type Mc146818Options,
  type RamSizes,
  type RtcState,
} from "./mc146818.js";
export { I8042, i8042StateDescription, type I8042Options, type I8042State } from "./i8042.js";
export { Port92, port92StateDescription, type Port92Options, type Port92State } from "./port92.js";
export { Port80, port80StateDescription, type Port80Options, type Port80State } from "./port80.js";
export {
  IsaDebugExit,
  isaDebugExitStateDescription,
  type IsaDebugExitOptions,
} from "./isa-debug-exit.js";
export { Debugcon, debugconStateDescription, type DebugconOptions } from "./debugcon.js";
