/**
 * Imports every instruction file so their `defineOp*` registrations run.
 * Import this module (once) before decoding anything; core.ts does.
 *
 * Other engineers: add ONE import line for each new insn file of yours,
 * in your section, keeping the sections sorted. Nothing else goes here.
 */

// ---- cpu (base instructions) ----
import "./base-mov.js";
import "./base-stack.js";
import "./base-control.js";
import "./base-flags.js";
import "./base-int.js";
import "./base-io.js";
import "./base-string.js";
import "./base-misc.js";

// ---- alu (insn/int-*.ts) ----
import "./int-arith.js";
import "./int-atomic.js";
import "./int-bcd.js";
import "./int-bits.js";
import "./int-bound.js";
import "./int-cmov-setcc.js";
import "./int-extend.js";
import "./int-muldiv.js";
import "./int-shift.js";
import "./int-shiftd.js";
import "./int-unary.js";

// ---- sys (insn/sys-*.ts, system/) ----
import "./sys-control.js";
import "./sys-far.js";
import "./sys-long.js";
import "./sys-msr.js";
import "./sys-random.js";
import "./sys-tables.js";

// ---- fpu (fpu/) ----
import "../fpu/index.js";

// ---- sse (sse/) ----
import "../sse/index.js";
