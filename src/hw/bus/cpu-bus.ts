/**
 * The root of the bus hierarchy: what a vCPU's port and MMIO accesses reach
 * first. It implements the hypervisor's AccessHandler (src/hv/api.ts), so a Vm
 * can be given it directly (`createVm({ accessHandler: cpuBus })`), and each
 * access carries the issuing vCPU's index down to the device.
 */
import type { AccessHandler } from "../../hv/api.js";
import { Bus } from "./bus.js";
import type { AccessSize, BusValue } from "./values.js";

/** A bus level with both address spaces (a PCI or ISA bus has I/O and memory space). */
export interface BusSpaces {
  readonly port: Bus;
  readonly mmio: Bus;
}

/** Makes the two address spaces of one bus level, named `<name>.port` and `<name>.mmio`. */
export function createBusSpaces(name: string): BusSpaces {
  return {
    port: new Bus({ name: `${name}.port`, space: "port" }),
    mmio: new Bus({ name: `${name}.mmio`, space: "mmio" }),
  };
}

/**
 * The CPU's view: the root port and MMIO buses. Chipset buses are mounted on
 * them, PCI below the chipset, ISA below PCI; devices register on whichever
 * level they sit.
 */
export class CpuBus implements AccessHandler, BusSpaces {
  readonly port: Bus;
  readonly mmio: Bus;

  constructor(name = "cpu") {
    ({ port: this.port, mmio: this.mmio } = createBusSpaces(name));
  }

  portRead(vcpu: number, port: number, size: 1 | 2 | 4): number {
    return this.port.readNumber(port, size, vcpu);
  }

  portWrite(vcpu: number, port: number, size: 1 | 2 | 4, value: number): void {
    this.port.writeNumber(port, size, value, vcpu);
  }

  mmioRead(vcpu: number, address: number, size: AccessSize): BusValue {
    return size === 8 ? this.mmio.read64(address, vcpu) : this.mmio.readNumber(address, size, vcpu);
  }

  mmioWrite(vcpu: number, address: number, size: AccessSize, value: BusValue): void {
    this.mmio.write(address, size, value, vcpu);
  }
}
