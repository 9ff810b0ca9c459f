/**
 * QEMU's fw_cfg device: items by selector key, a file directory, the port
 * interface and DMA. Start at fw-cfg.ts.
 */
export {
  FW_CFG_IO_BASE,
  FwCfg,
  fwCfgStateDescription,
  type FwCfgOptions,
  type FwCfgState,
} from "./fw-cfg.js";
export {
  DMA_ACCESS_SIZE,
  DMA_CONTROL_ERROR,
  DMA_CONTROL_READ,
  DMA_CONTROL_SELECT,
  DMA_CONTROL_SKIP,
  DMA_CONTROL_WRITE,
  type DmaMemory,
} from "./dma.js";
export {
  FW_CFG_MAX_FILE_NAME,
  le16,
  le32,
  le64,
  type FwCfgFileOptions,
  type FwCfgWriteListener,
} from "./items.js";
export { FW_CFG_SELECTOR_IGNORED, FwCfgKey } from "./keys.js";
