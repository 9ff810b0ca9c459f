/**
 * The FPU's registrations: x87 (D8-DF), FXSAVE/FXRSTOR, MMX, and the X87/SSE
 * register-set hooks. insn/index.ts imports this once.
 */
import "./x87-exec.js";
import "./x87-arith.js";
import "./x87-loadstore.js";
import "./x87-misc.js";
import "./x87-control.js";
import "./fxsave.js";
import "./mmx.js";
import "./mmx-ops.js";
import "./registers.js";

export { fpuWait } from "./x87-control.js";
export { FpuState } from "./x87-state.js";
