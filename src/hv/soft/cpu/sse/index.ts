/**
 * The SSE module's registrations (SSE, SSE2, SSE3, SSSE3, SSE4.1, SSE4.2,
 * POPCNT, LZCNT/TZCNT, the XSAVE feature set): insn/index.ts imports this
 * once. See docs/SSE.md.
 */
import "./state.js";
import "./insn-move.js";
import "./insn-move-gpr.js";
import "./insn-fp-arith.js";
import "./insn-fp-compare.js";
import "./insn-fp-shuffle.js";
import "./insn-convert.js";
import "./insn-int.js";
import "./insn-int-shift.js";
import "./insn-int-shuffle.js";
import "./insn-sse3.js";
import "./insn-ssse3.js";
import "./insn-sse41-int.js";
import "./insn-sse41-insert.js";
import "./insn-sse41-fp.js";
import "./insn-sse42.js";
import "./insn-bits.js";
import "./insn-mxcsr.js";
import "./insn-xsave.js";
