/** Every instruction group the tester knows, in run order. */
import { ALU_GROUPS } from "./alu.js";
import { ATOMIC_GROUPS } from "./atomic.js";
import { BIT_GROUPS } from "./bits.js";
import { COND_GROUPS } from "./cond.js";
import { FAULT_GROUPS } from "./faults.js";
import type { Group } from "./group.js";
import { MISC_GROUPS } from "./misc.js";
import { MMX_GROUPS } from "./mmx.js";
import { MOV_GROUPS } from "./mov.js";
import { SSE_FP_GROUPS } from "./sse-fp.js";
import { SSE_INT_GROUPS } from "./sse-int.js";
import { SSE_MOV_GROUPS } from "./sse-mov.js";
import { MULDIV_GROUPS } from "./muldiv.js";
import { SHIFT_GROUPS } from "./shift.js";
import { STACK_GROUPS } from "./stack.js";
import { STRING_GROUPS } from "./string.js";
import { X87_GROUPS } from "./x87.js";
import { X87_SPECIAL_GROUPS } from "./x87-special.js";

export const ALL_GROUPS: readonly Group[] = [
  ...ALU_GROUPS,
  ...SHIFT_GROUPS,
  ...MULDIV_GROUPS,
  ...BIT_GROUPS,
  ...COND_GROUPS,
  ...ATOMIC_GROUPS,
  ...STRING_GROUPS,
  ...MOV_GROUPS,
  ...STACK_GROUPS,
  ...MISC_GROUPS,
  ...FAULT_GROUPS,
  ...X87_GROUPS,
  ...X87_SPECIAL_GROUPS,
  ...MMX_GROUPS,
  ...SSE_MOV_GROUPS,
  ...SSE_INT_GROUPS,
  ...SSE_FP_GROUPS,
];

/** The group named `name`, or undefined. */
export function findGroup(name: string): Group | undefined {
  return ALL_GROUPS.find((g) => g.name === name);
}
