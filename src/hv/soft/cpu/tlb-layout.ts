/**
 * Shape of the software TLB (arrays live on the CPU, see access.ts). A
 * direct-mapped cache indexed by the low bits of the virtual page number.
 *
 * An entry caches one linear → physical translation with its permissions
 * (TLB_P_* bits, computed by the page walker in mmu.ts) and, when the page is
 * RAM, the host bytes that hold it. Separate *fast tags* per access kind say
 * "this access at this privilege may go straight to the host bytes":
 *
 *     rTag / wTag / xTag [i] = pageBase + (user ? TAG_USER : 0)     or NaN
 *
 * `pageBase` is the linear address of the page as a number: unsigned below
 * 2^32 outside long mode, the signed canonical value in 64-bit mode
 * (state.ts), so tags are doubles (Float64Array) and an empty slot is NaN,
 * which compares unequal to everything. The entry index is bits 23:12 of
 * the address: `(lin >>> 12) & TLB_MASK` (ToUint32 keeps the low 32 bits of
 * any integer, negative ones included).
 *
 * A fast write tag is only set when the page is RAM, writable at that
 * privilege, the PTE's dirty bit is already set, and the slot is not
 * read-only (ROM); a dirty-logged slot qualifies when its bitmap is not
 * shared, because every fast store also sets the page's dirty bit inline
 * (tlbDirty, NO_DIRTY_LOG). On top, every fast store checks the backing's
 * code byte for the page (self-modifying code).
 */

/** Number of entries (a power of two). 4096 entries cover 16 MiB. */
export const TLB_SIZE = 4096;
export const TLB_MASK = TLB_SIZE - 1;
/**
 * Added to a page's base address for a user-privilege fast tag. Page bases
 * are multiples of 4096, so base + 1 never equals another page's tag.
 */
export const TAG_USER = 1;

// ---- Permission bits of an entry (tlbPerm) ----
export const TLB_P_READ_SUP = 0x1;
export const TLB_P_WRITE_SUP = 0x2;
export const TLB_P_READ_USER = 0x4;
export const TLB_P_WRITE_USER = 0x8;
export const TLB_P_EXEC_SUP = 0x10;
export const TLB_P_EXEC_USER = 0x20;
/** The PTE (or large-page PDE) already has D = 1: writes need no walk. */
export const TLB_P_DIRTY = 0x40;
/** Global page (PTE.G with CR4.PGE): survives CR3 writes. */
export const TLB_P_GLOBAL = 0x80;
/** The translation comes from a 4 MiB / 2 MiB / 1 GiB page (INVLPG drops all its 4 KiB pieces). */
export const TLB_P_LARGE = 0x100;

/**
 * The dirty "bitmap" of pages that are not logged: one scratch word, only
 * ever or-ed with 0. An entry's `tlbDirty` is this or the backing's words.
 */
export const NO_DIRTY_LOG = new Int32Array(1);

/** Access kinds for the slow path and the page walker. */
export const ACCESS_READ = 0;
export const ACCESS_WRITE = 1;
export const ACCESS_EXEC = 2;
