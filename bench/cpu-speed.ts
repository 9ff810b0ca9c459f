/**
 * Instructions per second of the soft CPU on three kinds of work, each a
 * small loop of our own run as a raw image on the PC machine (32-bit flat
 * protected mode, paging off):
 *   integer  ADD/XOR/SHL/INC/DEC/JNZ on registers        (6 instructions per iteration)
 *   memory   load, add, store, pointer arithmetic in 1 MiB (8 per iteration)
 *   port I/O OUT to port 0x80 through the bus            (3 per iteration)
 *
 *   node dist/bench/cpu-speed.js [--iterations 5000000] [--runs 3]
 */
import { parseArgs } from "node:util";
import { resolveMachineType } from "../src/machine/machine-types.js";
import { loadPcBoot } from "../src/machine/pc/pc-boot.js";
import { PcMachine } from "../src/machine/pc/pc-machine.js";

const CODE_ADDRESS = 0x200000;

function imm32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
}

/** Exits through isa-debug-exit at 0xF4 after the loop. */
const EXIT = [0xb0, 0x00, 0xe6, 0xf4, 0xf4];

interface Workload {
  readonly name: string;
  readonly perIteration: number;
  code(iterations: number): number[];
}

const WORKLOADS: readonly Workload[] = [
  {
    name: "integer",
    perIteration: 6,
    // mov ecx,N; l: add eax,ebx; xor edx,eax; shl ebx,1; inc ebx; dec ecx; jnz l
    code: (n) => [
      0xb9,
      ...imm32(n),
      0x01,
      0xd8,
      0x31,
      0xc2,
      0xd1,
      0xe3,
      0x43,
      0x49,
      0x75,
      0xf6,
      ...EXIT,
    ],
  },
  {
    name: "memory",
    perIteration: 8,
    // mov esi,0x300000; mov ecx,N; l: mov eax,[esi]; add eax,1; mov [esi],eax; add esi,4;
    // and esi,0xfffff; or esi,0x300000; dec ecx; jnz l
    code: (n) => [
      0xbe, ...imm32(0x300000), 0xb9, ...imm32(n),
      0x8b, 0x06, 0x83, 0xc0, 0x01, 0x89, 0x06, 0x83, 0xc6, 0x04,
      0x81, 0xe6, ...imm32(0xfffff), 0x81, 0xce, ...imm32(0x300000),
      0x49, 0x75, 0xe7, ...EXIT,
    ], // prettier-ignore
  },
  {
    name: "port I/O",
    perIteration: 3,
    // mov ecx,N; l: out 0x80,al; dec ecx; jnz l
    code: (n) => [0xb9, ...imm32(n), 0xe6, 0x80, 0x49, 0x75, 0xfb, ...EXIT],
  },
];

async function runOnce(w: Workload, iterations: number): Promise<number> {
  const machine = new PcMachine({
    type: resolveMachineType("pc"),
    memoryBytes: 16 << 20,
    cpus: 1,
    serial: [],
    debugExit: { iobase: 0xf4, iosize: 1 },
  });
  try {
    const code = Uint8Array.from(w.code(iterations));
    loadPcBoot(machine, { kind: "raw", images: [{ data: code, address: CODE_ADDRESS, cpu: 0 }] });
    const start = process.hrtime.bigint();
    const reason = await machine.run();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (reason.kind !== "exit")
      throw new Error(`${w.name}: stopped with ${JSON.stringify(reason)}`);
    return (iterations * w.perIteration) / seconds / 1e6;
  } finally {
    machine.destroy();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      iterations: { type: "string", default: "5000000" },
      runs: { type: "string", default: "3" },
    },
  });
  const iterations = Number(values.iterations);
  const runs = Number(values.runs);
  console.log(`soft CPU speed, ${iterations} iterations per run, best of ${runs}:`);
  for (const w of WORKLOADS) {
    const rates: number[] = [];
    for (let i = 0; i < runs; i++) rates.push(await runOnce(w, iterations));
    console.log(`  ${w.name.padEnd(9)} ${Math.max(...rates).toFixed(1)} million instructions/s`);
  }
}

main().catch((e: unknown) => {
  console.error(`cpu-speed: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
