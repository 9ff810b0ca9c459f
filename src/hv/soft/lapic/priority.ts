/**
 * Priorities computed from TPR, ISR and IRR (SDM vol. 3, 11.8.3.1 and
 * 11.6.2.4). A vector's priority class is its upper nibble.
 */
import type { LapicState } from "./state.js";
import { highestVector } from "./vector-set.js";

const CLASS = 0xf0;

/** Processor priority: TPR if its class is at least the highest in-service class, else that class. */
export function processorPriority(state: LapicState): number {
  const isrv = highestVector(state.isr);
  const isrClass = isrv < 0 ? 0 : isrv & CLASS;
  return (state.tpr & CLASS) >= isrClass ? state.tpr : isrClass;
}

/**
 * Arbitration priority (the APR register, and what lowest-priority delivery
 * compares): TPR when it is at least the highest requested class and above
 * the highest in-service class; otherwise the larger of (TPR AND ISRV) and
 * the highest requested class, with the low nibble clear.
 */
export function arbitrationPriority(state: LapicState): number {
  const irrv = Math.max(0, highestVector(state.irr));
  const isrv = Math.max(0, highestVector(state.isr));
  const tprClass = state.tpr & CLASS;
  if (tprClass >= (irrv & CLASS) && tprClass > (isrv & CLASS)) return state.tpr;
  return Math.max(state.tpr & isrv & CLASS, irrv & CLASS);
}

/** Whether `vector` may interrupt the processor now: its class must exceed the PPR's. */
export function beatsProcessorPriority(state: LapicState, vector: number): boolean {
  return (vector & CLASS) > (processorPriority(state) & CLASS);
}
