/** Every 64-bit-mode group the tester knows, in run order. */
import type { Group64 } from "./group64.js";
import { ALU64_GROUPS } from "./groups64-alu.js";
import { EXTRA64_GROUPS } from "./groups64-extra.js";
import { FAULT64_GROUPS } from "./groups64-faults.js";
import { MISC64_GROUPS } from "./groups64-misc.js";
import { SSE64_GROUPS } from "./groups64-sse.js";
import { STACK64_GROUPS } from "./groups64-stack.js";

export const ALL_GROUPS_64: readonly Group64[] = [
  ...ALU64_GROUPS,
  ...MISC64_GROUPS,
  ...STACK64_GROUPS,
  ...EXTRA64_GROUPS,
  ...SSE64_GROUPS,
  ...FAULT64_GROUPS,
];

/** The 64-bit group named `name`, or undefined. */
export function findGroup64(name: string): Group64 | undefined {
  return ALL_GROUPS_64.find((g) => g.name === name);
}
