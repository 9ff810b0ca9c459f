/**
 * fw_cfg selector keys, with the numbers QEMU gives them
 * (docs/specs/fw_cfg.rst and include/standard-headers/linux/qemu_fw_cfg.h in
 * QEMU), so SeaBIOS, OVMF and Linux's qemu_fw_cfg driver find items where
 * they look. The device fills SIGNATURE, ID and FILE_DIR itself; the machine
 * adds the others it wants with `FwCfg.addItem` (little-endian integers for
 * the numeric ones: see `le16`/`le32`/`le64` in items.ts).
 */
export const FwCfgKey = Object.freeze({
  /** "QEMU" (device). */
  SIGNATURE: 0x0000,
  /** Feature bits, LE32: bit 0 traditional interface, bit 1 DMA (device). */
  ID: 0x0001,
  /** 16-byte machine UUID. */
  UUID: 0x0002,
  /** RAM size in bytes, LE64. */
  RAM_SIZE: 0x0003,
  /** LE16: non-zero when there is no graphical console. */
  NOGRAPHIC: 0x0004,
  /** Number of vCPUs present at boot, LE16. */
  NB_CPUS: 0x0005,
  MACHINE_ID: 0x0006,
  KERNEL_ADDR: 0x0007,
  KERNEL_SIZE: 0x0008,
  KERNEL_CMDLINE: 0x0009,
  INITRD_ADDR: 0x000a,
  INITRD_SIZE: 0x000b,
  BOOT_DEVICE: 0x000c,
  NUMA: 0x000d,
  BOOT_MENU: 0x000e,
  /** Highest number of vCPUs (hotplug included), LE16. */
  MAX_CPUS: 0x000f,
  KERNEL_ENTRY: 0x0010,
  KERNEL_DATA: 0x0011,
  INITRD_DATA: 0x0012,
  CMDLINE_ADDR: 0x0013,
  CMDLINE_SIZE: 0x0014,
  CMDLINE_DATA: 0x0015,
  SETUP_ADDR: 0x0016,
  SETUP_SIZE: 0x0017,
  SETUP_DATA: 0x0018,
  /** The file directory (device). */
  FILE_DIR: 0x0019,
  /** Files take the keys from here up, in the order they are added. */
  FILE_FIRST: 0x0020,
  /** Bit 15: architecture-specific items. */
  ARCH_LOCAL: 0x8000,
  /** x86 legacy items (QEMU's FW_CFG_ACPI_TABLES … FW_CFG_HPET). */
  ACPI_TABLES: 0x8000,
  SMBIOS_ENTRIES: 0x8001,
  IRQ0_OVERRIDE: 0x8002,
  E820_TABLE: 0x8003,
  HPET: 0x8004,
});

/** Bit 14 of the selector (the old write channel) carries no meaning and is ignored. */
export const FW_CFG_SELECTOR_IGNORED = 0x4000;
