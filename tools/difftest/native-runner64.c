/*
 * The native side of the differential tester in 64-bit mode (the x86-64
 * twin of native-runner.c; same design, see that file's header).
 *
 * A freestanding x86-64 Linux program (no libc). It reads cases on stdin,
 * runs each one's code at CPL 3 in 64-bit mode, and writes back the state
 * the code left: the INT3 the tester appends, or a fault, reaches a
 * SA_SIGINFO handler on an alternate stack that reads the x86-64 ucontext.
 *
 * Wire format, little-endian, one record after another:
 *   case:   u32 magic 'TSD8', u32 codeLength, u64 gpr[16] (RAX..R15, the
 *           x86 encoding order), u64 rflags, u8 fxsave[512],
 *           u8 data[DATA_SIZE], u8 code[codeLength]
 *   result: u32 magic 'TSR8', u32 signal, u32 trapno, u32 error, u64 cr2,
 *           u64 rip, u64 gpr[16], u64 rflags, u8 fxsave[512],
 *           u8 data[DATA_SIZE]
 * The FXSAVE image is the 64-bit one (XMM0-15). CODE_ADDR and DATA_ADDR are
 * the 32-bit runner's, so RIP-relative displacements fit in 32 bits.
 */

#define CODE_ADDR 0x20000000ul
#define CODE_MAX 0x1000ul
#define DATA_ADDR 0x10000000ul
#define DATA_SIZE 0x2000ul
#define CASE_MAGIC 0x38445354u   /* "TSD8" */
#define RESULT_MAGIC 0x38525354u /* "TSR8" */

typedef unsigned long u64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

/* x86-64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
#define SYS_read 0
#define SYS_write 1
#define SYS_mmap 9
#define SYS_rt_sigaction 13
#define SYS_rt_sigreturn 15
#define SYS_alarm 37
#define SYS_exit 60
#define SYS_sigaltstack 131

/* The syscall ABI: number in RAX, arguments in RDI RSI RDX R10 R8 R9. */
static long sys6(long n, long a, long b, long c, long d, long e, long f) {
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  long ret;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}

static long sys3(long n, long a, long b, long c) { return sys6(n, a, b, c, 0, 0, 0); }

static void die(const char *msg) {
  long n = 0;
  while (msg[n]) n++;
  sys3(SYS_write, 2, (long)msg, n);
  sys3(SYS_exit, 2, 0, 0);
}

/* Buffered I/O, flushed before any read that could block (see native-runner.c). */
#define IO_BUF_SIZE 0x100000u
static u8 in_buf[IO_BUF_SIZE];
static u32 in_pos, in_len;
static u8 out_buf[IO_BUF_SIZE];
static u32 out_len;

static void flush_output(void) {
  u32 done = 0;
  while (done < out_len) {
    long r = sys3(SYS_write, 1, (long)(out_buf + done), out_len - done);
    if (r <= 0) die("native-runner64: write failed\n");
    done += (u32)r;
  }
  out_len = 0;
}

static void write_full(const void *buf, u32 n) {
  const u8 *p = buf;
  while (n > 0) {
    if (out_len == IO_BUF_SIZE) flush_output();
    u32 k = IO_BUF_SIZE - out_len;
    if (k > n) k = n;
    for (u32 i = 0; i < k; i++) out_buf[out_len + i] = p[i];
    out_len += k;
    p += k;
    n -= k;
  }
}

static int read_full(void *buf, u32 n) {
  u8 *p = buf;
  u32 got = 0;
  while (got < n) {
    if (in_pos == in_len) {
      flush_output();
      long r = sys3(SYS_read, 0, (long)in_buf, IO_BUF_SIZE);
      if (r <= 0) {
        if (got == 0 && r == 0) return 0;
        die("native-runner64: truncated input\n");
      }
      in_pos = 0;
      in_len = (u32)r;
    }
    u32 k = in_len - in_pos;
    if (k > n - got) k = n - got;
    for (u32 i = 0; i < k; i++) p[got + i] = in_buf[in_pos + i];
    in_pos += k;
    got += k;
  }
  return 1;
}

static void copy(void *dst, const void *src, u32 n) {
  u8 *d = dst;
  const u8 *s = src;
  while (n--) *d++ = *s++;
}

struct header {
  u32 magic, code_length;
  u64 gpr[16], rflags;
} __attribute__((packed));

struct result {
  u32 magic, signal, trapno, error;
  u64 cr2, rip, gpr[16], rflags;
} __attribute__((packed));

static struct header in;
static struct result out;
u8 fx_in[512] __attribute__((aligned(16), used));
static u8 fx_out[512];

/* Loaded by enter_guest(); the offsets in its asm follow this order. */
u64 g_regs[16] __attribute__((used));
u64 g_rflags __attribute__((used));
u64 g_code_addr __attribute__((used)) = CODE_ADDR;
u64 host_rsp __attribute__((used));
u64 host_rbp __attribute__((used));

/* struct sigcontext (64-bit) as in <asm/sigcontext.h>. */
struct sigcontext64 {
  u64 r8, r9, r10, r11, r12, r13, r14, r15;
  u64 rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
  u16 cs, gs, fs, ss;
  u64 err, trapno, oldmask, cr2;
  u64 fpstate; /* -> struct _fpstate_64: the FXSAVE image itself */
  u64 reserved[8];
};

struct ucontext64 {
  u64 flags, link;
  u64 ss_sp;
  u32 ss_flags, pad;
  u64 ss_size;
  struct sigcontext64 mc;
};

#define SIGALRM 14

extern void resume_point(void);
extern void sig_restorer(void);

static void on_signal(int sig, void *info, void *ucv) {
  (void)info;
  struct ucontext64 *uc = ucv;
  struct sigcontext64 *mc = &uc->mc;
  if (sig == SIGALRM && (mc->rip - CODE_ADDR) >= CODE_MAX) return;
  out.signal = (u32)sig;
  out.trapno = (u32)mc->trapno;
  out.error = (u32)mc->err;
  out.cr2 = mc->cr2;
  out.rip = mc->rip;
  const u64 regs[16] = {mc->rax, mc->rcx, mc->rdx, mc->rbx, mc->rsp, mc->rbp, mc->rsi, mc->rdi,
                        mc->r8,  mc->r9,  mc->r10, mc->r11, mc->r12, mc->r13, mc->r14, mc->r15};
  copy(out.gpr, regs, sizeof regs);
  out.rflags = mc->eflags;
  if (mc->fpstate) copy(fx_out, (const u8 *)mc->fpstate, 512);
  mc->rip = (u64)resume_point;
  mc->rsp = host_rsp;
  mc->eflags = 0x202;
}

struct kernel_sigaction {
  void (*handler)(int, void *, void *);
  u64 flags;
  void (*restorer)(void);
  u64 mask;
};

#define SA_SIGINFO 0x4ul
#define SA_RESTART 0x10000000ul
#define SA_ONSTACK 0x08000000ul
#define SA_NODEFER 0x40000000ul
#define SA_RESTORER 0x04000000ul
/* Disarms the alternate stack while a handler runs (Linux 4.7+; see native-runner.c). */
#define SS_AUTODISARM (1u << 31)

#define ALT_STACK_SIZE 0x10000u
static u8 alt_stack[ALT_STACK_SIZE] __attribute__((aligned(64)));

static void use_alt_stack(void) {
  struct {
    u64 sp;
    u32 flags, pad;
    u64 size;
  } ss = {(u64)alt_stack, SS_AUTODISARM, 0, ALT_STACK_SIZE};
  if (sys3(SYS_sigaltstack, (long)&ss, 0, 0) != 0) die("native-runner64: sigaltstack failed\n");
}

static void install(int sig) {
  struct kernel_sigaction sa = {
      on_signal, SA_SIGINFO | SA_NODEFER | SA_RESTORER | SA_ONSTACK | SA_RESTART, sig_restorer,
      0};
  if (sys6(SYS_rt_sigaction, sig, (long)&sa, 0, 8, 0, 0) != 0)
    die("native-runner64: rt_sigaction failed\n");
}

/*
 * Loads the case's FPU/SSE state, flags and all sixteen registers, and jumps
 * to the code through memory (no register is left to hold the target).
 * RBP cannot be named as a clobber, yet the compiler may keep values in it:
 * it is saved in host_rbp and restored at resume_point (a stale RBP made the
 * runner issue garbage syscalls now and then).
 */
static void enter_guest(void) {
  __asm__ volatile(
      "fxrstor fx_in(%%rip)\n\t"
      "mov %%rsp, host_rsp(%%rip)\n\t"
      "mov %%rbp, host_rbp(%%rip)\n\t"
      "pushq g_rflags(%%rip)\n\t"
      "popfq\n\t"
      "mov g_regs+8(%%rip), %%rcx\n\t"
      "mov g_regs+16(%%rip), %%rdx\n\t"
      "mov g_regs+24(%%rip), %%rbx\n\t"
      "mov g_regs+32(%%rip), %%rsp\n\t"
      "mov g_regs+40(%%rip), %%rbp\n\t"
      "mov g_regs+48(%%rip), %%rsi\n\t"
      "mov g_regs+56(%%rip), %%rdi\n\t"
      "mov g_regs+64(%%rip), %%r8\n\t"
      "mov g_regs+72(%%rip), %%r9\n\t"
      "mov g_regs+80(%%rip), %%r10\n\t"
      "mov g_regs+88(%%rip), %%r11\n\t"
      "mov g_regs+96(%%rip), %%r12\n\t"
      "mov g_regs+104(%%rip), %%r13\n\t"
      "mov g_regs+112(%%rip), %%r14\n\t"
      "mov g_regs+120(%%rip), %%r15\n\t"
      "mov g_regs+0(%%rip), %%rax\n\t"
      "jmp *g_code_addr(%%rip)\n\t"
      ".globl resume_point\n"
      "resume_point:\n\t"
      "mov host_rbp(%%rip), %%rbp\n\t"
      "cld"
      :
      :
      : "rax", "rcx", "rdx", "rbx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
        "r14", "r15", "memory", "cc");
}

__asm__(".globl sig_restorer\n"
        "sig_restorer:\n\t"
        "mov $15, %eax\n\t"
        "syscall\n");

/* Watchdog for a looping case (see native-runner.c). */
#define REARM_TICKS (1ull << 28)
static u64 last_arm;

static u64 rdtsc(void) {
  u32 lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return ((u64)hi << 32) | lo;
}

static void watchdog(void) {
  u64 now = rdtsc();
  if (last_arm == 0 || now - last_arm > REARM_TICKS) {
    sys3(SYS_alarm, 1, 0, 0);
    last_arm = now;
  }
}

static void run(void) {
  /* PROT_READ|WRITE|EXEC = 7, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED = 0x32. */
  if ((u64)sys6(SYS_mmap, CODE_ADDR, CODE_MAX, 7, 0x32, -1, 0) != CODE_ADDR)
    die("native-runner64: cannot map code\n");
  if ((u64)sys6(SYS_mmap, DATA_ADDR, DATA_SIZE, 3, 0x32, -1, 0) != DATA_ADDR)
    die("native-runner64: cannot map data\n");
  use_alt_stack();
  static const int sigs[] = {4, 5, 7, 8, 11, 14};
  for (u32 i = 0; i < sizeof sigs / sizeof sigs[0]; i++) install(sigs[i]);

  while (read_full(&in, sizeof in)) {
    if (in.magic != CASE_MAGIC) die("native-runner64: bad case magic\n");
    if (in.code_length > CODE_MAX) die("native-runner64: code too long\n");
    read_full(fx_in, 512);
    read_full((void *)DATA_ADDR, DATA_SIZE);
    read_full((void *)CODE_ADDR, in.code_length);
    copy(g_regs, in.gpr, sizeof g_regs);
    g_rflags = in.rflags;
    out.magic = RESULT_MAGIC;
    out.signal = 0;
    watchdog();
    enter_guest();
    write_full(&out, sizeof out);
    write_full(fx_out, 512);
    write_full((const void *)DATA_ADDR, DATA_SIZE);
  }
  flush_output();
  sys3(SYS_exit, 0, 0, 0);
}

/* The kernel enters with RSP 16-byte aligned; a call restores the ABI's alignment. */
__asm__(".globl _start\n_start:\n\txor %ebp, %ebp\n\tcall run_entry\n\thlt\n");
void run_entry(void) { run(); }
