/**
 * Connects the system part to the core: fills `systemHooks` (hooks.ts) with
 * this folder's implementations. Imported by every insn/sys-*.ts file, so
 * loading the instruction set (insn/index.ts) installs everything.
 */
import { systemHooks } from "../hooks.js";
import { deliverProtected } from "./interrupts.js";
import { iretProtected } from "./iret.js";
import { MSR_LIST, readMsr, writeMsr } from "./msr.js";
import { loadSegmentProtected } from "./segments.js";
import { checkIoPermission } from "./tss.js";
import "./sys-state.js";

systemHooks.deliverProtected = deliverProtected;
systemHooks.loadSegmentProtected = loadSegmentProtected;
systemHooks.iretProtected = iretProtected;
systemHooks.checkIoPermission = checkIoPermission;
systemHooks.readMsr = readMsr;
// The hook is the host's path (getState/setState); WRMSR calls writeMsr with guest = true.
systemHooks.writeMsr = (cpu, index, value) => writeMsr(cpu, index, value, false);
systemHooks.msrList = () => MSR_LIST;
systemHooks.cpuidList = (cpu) => cpu.sys.cpuid.leaves;
systemHooks.readCpuidLeaf = (cpu, leaf, subleaf, out) => cpu.sys.cpuid.get(leaf, subleaf, out);
systemHooks.writeCpuidLeaf = (cpu, leaf, subleaf, regs) => cpu.sys.cpuid.set(leaf, subleaf, regs);
