/** An fw_cfg device on the test rig, with real guest memory (1 MiB of RAM at 0) for DMA. */
import { AddressSpace } from "../../src/hv/memory.js";
import { SoftVm } from "../../src/hv/soft/vm.js";
import { FwCfg, type FwCfgOptions } from "../../src/hw/fw-cfg/index.js";
import { io, makeRig } from "./helpers.js";

export const RAM_SIZE = 0x10_0000;
export const SELECTOR = 0x510;
export const DATA = 0x511;
export const DMA_HIGH = 0x514;
export const DMA_LOW = 0x518;

export function bswap32(value: number): number {
  const bytes = new DataView(new ArrayBuffer(4));
  bytes.setUint32(0, value, true);
  return bytes.getUint32(0, false);
}

export function setupFwCfg(options: Partial<FwCfgOptions> & { dma?: boolean } = {}) {
  const rig = makeRig();
  const vm = new SoftVm();
  const ram = vm.allocateMemory("ram", RAM_SIZE);
  vm.setMemoryMap(AddressSpace.NORMAL, [
    { guestAddress: 0, size: RAM_SIZE, backing: ram, backingOffset: 0 },
  ]);
  const memory = vm.guestMemory(AddressSpace.NORMAL);
  const { dma = true, ...rest } = options;
  const fwcfg = new FwCfg({ bus: rig.bus.port, memory: dma ? memory : undefined, ...rest });
  const port = rig.bus;

  /** Selects `key` and reads `count` bytes through the data port. */
  const readItem = (key: number, count: number): Uint8Array => {
    io.out16(port, SELECTOR, key);
    const bytes = new Uint8Array(count);
    for (let i = 0; i < count; i++) bytes[i] = io.in8(port, DATA);
    return bytes;
  };

  /** Writes an FWCfgDmaAccess at `at`, starts it through the two address halves, returns control. */
  const dma16 = (at: number, control: number, length: number, address: bigint): number => {
    const view = new DataView(new ArrayBuffer(16));
    view.setUint32(0, control);
    view.setUint32(4, length);
    view.setBigUint64(8, address);
    memory.write(at, new Uint8Array(view.buffer));
    io.out32(port, DMA_HIGH, bswap32(Math.floor(at / 2 ** 32)));
    io.out32(port, DMA_LOW, bswap32(at % 2 ** 32));
    return bswap32(memory.readU32(at)); // the control field the device wrote back
  };

  return { rig, vm, ram, memory, fwcfg, readItem, dma: dma16 };
}

/** Big-endian 32-bit integer at `at`. */
export function be32(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(at);
}

/** Big-endian 16-bit integer at `at`. */
export function be16(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint16(at);
}
