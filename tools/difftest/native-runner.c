/*
 * The native side of the CPU differential tester (test/cpu-diff/).
 *
 * A freestanding i386 Linux program (no libc: it builds with any x86-64 gcc
 * through -m32 -nostdlib, without a 32-bit C library). It reads test cases
 * on stdin, runs each one's code natively at CPL 3 and writes back the state
 * the code left behind. The code ends at an INT3 appended by the tester, or at
 * a fault; either way a signal handler receives the complete register state
 * in its ucontext, records it, and sends the runner back to its loop.
 *
 * Wire format, little-endian, one record after another:
 *   case:   u32 magic 'TSDC', u32 codeLength, u32 gpr[8] (EAX..EDI order of the
 *           x86 encoding), u32 eflags, u8 fxsave[512], u8 data[DATA_SIZE],
 *           u8 code[codeLength]
 *   result: u32 magic 'TSDR', u32 signal, u32 trapno, u32 error, u32 cr2,
 *           u32 eip, u32 gpr[8], u32 eflags, u8 fxsave[512], u8 data[DATA_SIZE]
 * CODE_ADDR and DATA_ADDR are fixed so addresses inside the code are the
 * same on both sides.
 *
 * Signals are delivered on an alternate stack (sigaltstack): the case's ESP
 * may be anything, and the kernel's signal frame must never land in the
 * data area (it would show up in the result as bytes the code never wrote).
 *
 * Results are buffered and flushed whenever the runner is about to wait for
 * more input, so a client may send any number of cases, then read their
 * results. A case that never reaches its INT3 ends with SIGALRM (signal 14)
 * after about a second (see watchdog()).
 */

#define CODE_ADDR 0x20000000u
#define CODE_MAX 0x1000u
#define DATA_ADDR 0x10000000u
#define DATA_SIZE 0x2000u
#define CASE_MAGIC 0x43445354u   /* "TSDC" */
#define RESULT_MAGIC 0x52445354u /* "TSDR" */

typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

/* i386 syscall numbers (arch/x86/entry/syscalls/syscall_32.tbl). */
#define SYS_exit 1
#define SYS_read 3
#define SYS_write 4
#define SYS_alarm 27
#define SYS_rt_sigreturn 173
#define SYS_rt_sigaction 174
#define SYS_sigaltstack 186
#define SYS_mmap2 192

/* cdecl syscall with up to six arguments (EBX, ECX, EDX, ESI, EDI, EBP). */
int raw_syscall(u32 n, u32 a, u32 b, u32 c, u32 d, u32 e, u32 f);
__asm__(".globl raw_syscall\n"
        "raw_syscall:\n\t"
        "push %ebp\n\tpush %edi\n\tpush %esi\n\tpush %ebx\n\t"
        "mov 20(%esp), %eax\n\tmov 24(%esp), %ebx\n\tmov 28(%esp), %ecx\n\t"
        "mov 32(%esp), %edx\n\tmov 36(%esp), %esi\n\tmov 40(%esp), %edi\n\t"
        "mov 44(%esp), %ebp\n\t"
        "int $0x80\n\t"
        "pop %ebx\n\tpop %esi\n\tpop %edi\n\tpop %ebp\n\tret\n");

static int sys3(u32 n, u32 a, u32 b, u32 c) { return raw_syscall(n, a, b, c, 0, 0, 0); }

static void die(const char *msg) {
  int n = 0;
  while (msg[n]) n++;
  sys3(SYS_write, 2, (u32)msg, (u32)n);
  sys3(SYS_exit, 2, 0, 0);
}

/*
 * Buffered I/O. Output is flushed whenever the input buffer runs dry, before
 * the read that could block: the tester waits for results before sending
 * more, so holding results back across a blocking read would deadlock.
 * Batching this way turns ~7 syscalls per case into a few per batch.
 */
#define IO_BUF_SIZE 0x100000u
static u8 in_buf[IO_BUF_SIZE];
static u32 in_pos, in_len;
static u8 out_buf[IO_BUF_SIZE];
static u32 out_len;

static void flush_output(void) {
  u32 done = 0;
  while (done < out_len) {
    int r = sys3(SYS_write, 1, (u32)(out_buf + done), out_len - done);
    if (r <= 0) die("native-runner: write failed\n");
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

/* Reads exactly n bytes; returns 0 on a clean end of input before any byte. */
static int read_full(void *buf, u32 n) {
  u8 *p = buf;
  u32 got = 0;
  while (got < n) {
    if (in_pos == in_len) {
      flush_output();
      int r = sys3(SYS_read, 0, (u32)in_buf, IO_BUF_SIZE);
      if (r <= 0) {
        if (got == 0 && r == 0) return 0;
        die("native-runner: truncated input\n");
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
  u32 magic, code_length, gpr[8], eflags;
};

struct result {
  u32 magic, signal, trapno, error, cr2, eip, gpr[8], eflags;
};

static struct header in;
static struct result out;
u8 fx_in[512] __attribute__((aligned(16), used));
static u8 fx_out[512];

/* Loaded by enter_guest(); the order matches the asm below. */
u32 g_regs[8] __attribute__((used));
u32 g_eflags __attribute__((used));
u32 g_code_addr __attribute__((used)) = CODE_ADDR;
u32 host_esp __attribute__((used));
/* EBP cannot be named as clobbered while it may be the frame pointer: kept by hand. */
u32 host_ebp __attribute__((used));
static u16 host_ds, host_es, host_fs, host_gs;

/* The 32-bit ucontext the kernel passes to an SA_SIGINFO handler. */
struct sigcontext32 {
  u16 gs, gsh, fs, fsh, es, esh, ds, dsh;
  u32 edi, esi, ebp, esp, ebx, edx, ecx, eax;
  u32 trapno, err, eip;
  u16 cs, csh;
  u32 eflags, esp_at_signal;
  u16 ss, ssh;
  u32 fpstate, oldmask, cr2;
};

struct ucontext32 {
  u32 flags, link, ss_sp, ss_flags, ss_size;
  struct sigcontext32 mc;
};

#define SIGALRM 14

extern void resume_point(void);
extern void sig_restorer(void);

static void on_signal(int sig, void *info, void *ucv) {
  (void)info;
  struct ucontext32 *uc = ucv;
  struct sigcontext32 *mc = &uc->mc;
  /* SIGALRM outside the case's code: the watchdog fired while the runner
     itself was busy or blocked on input; let it carry on (SA_RESTART). */
  if (sig == SIGALRM && (mc->eip - CODE_ADDR) >= CODE_MAX) return;
  out.signal = (u32)sig;
  out.trapno = mc->trapno;
  out.error = mc->err;
  out.cr2 = mc->cr2;
  out.eip = mc->eip;
  out.gpr[0] = mc->eax;
  out.gpr[1] = mc->ecx;
  out.gpr[2] = mc->edx;
  out.gpr[3] = mc->ebx;
  out.gpr[4] = mc->esp;
  out.gpr[5] = mc->ebp;
  out.gpr[6] = mc->esi;
  out.gpr[7] = mc->edi;
  out.eflags = mc->eflags;
  /* struct _fpstate_32: 112 bytes of legacy FSAVE layout, then the FXSAVE image. */
  if (mc->fpstate) copy(fx_out, (const u8 *)mc->fpstate + 112, 512);
  /* Back to the runner's loop, with the host's segments and stack. */
  mc->eip = (u32)resume_point;
  mc->esp = host_esp;
  mc->eflags = 0x202;
  mc->ds = host_ds;
  mc->es = host_es;
  mc->fs = host_fs;
  mc->gs = host_gs;
}

struct kernel_sigaction {
  void (*handler)(int, void *, void *);
  u32 flags;
  void (*restorer)(void);
  u32 mask[2];
};

#define SA_SIGINFO 0x4
#define SA_RESTART 0x10000000u
#define SA_ONSTACK 0x08000000u
#define SA_NODEFER 0x40000000u
#define SA_RESTORER 0x04000000u

/*
 * SS_AUTODISARM (Linux 4.7+): while a handler runs the alternate stack is
 * disarmed, so a case whose ESP happens to point into alt_stack is not taken
 * for "already on the signal stack" (which made the kernel kill the runner
 * with "overflowed sigaltstack").
 */
#define SS_AUTODISARM (1u << 31)

/* The stack signal handlers run on (room for the largest XSAVE frame). */
#define ALT_STACK_SIZE 0x10000u
static u8 alt_stack[ALT_STACK_SIZE] __attribute__((aligned(64)));

static void use_alt_stack(void) {
  struct {
    u32 sp, flags, size;
  } ss = {(u32)alt_stack, SS_AUTODISARM, ALT_STACK_SIZE};
  if (sys3(SYS_sigaltstack, (u32)&ss, 0, 0) != 0) die("native-runner: sigaltstack failed\n");
}

static void install(int sig) {
  struct kernel_sigaction sa = {on_signal, SA_SIGINFO | SA_NODEFER | SA_RESTORER | SA_ONSTACK | SA_RESTART,
                                sig_restorer, {0, 0}};
  if (raw_syscall(SYS_rt_sigaction, (u32)sig, (u32)&sa, 0, 8, 0, 0) != 0)
    die("native-runner: rt_sigaction failed\n");
}

/* Loads the case's FPU/SSE state, flags and registers, and jumps to the code. */
static void enter_guest(void) {
  __asm__ volatile(
      "fxrstor fx_in\n\t"
      "mov %%esp, host_esp\n\t"
      "mov %%ebp, host_ebp\n\t"
      "pushl g_eflags\n\t"
      "popfl\n\t"
      "mov g_regs+4, %%ecx\n\t"
      "mov g_regs+8, %%edx\n\t"
      "mov g_regs+12, %%ebx\n\t"
      "mov g_regs+16, %%esp\n\t"
      "mov g_regs+20, %%ebp\n\t"
      "mov g_regs+24, %%esi\n\t"
      "mov g_regs+28, %%edi\n\t"
      "mov g_regs+0, %%eax\n\t"
      "jmp *g_code_addr\n\t"
      ".globl resume_point\n"
      "resume_point:\n\t"
      "mov host_ebp, %%ebp\n\t"
      "cld"
      :
      :
      : "eax", "ecx", "edx", "ebx", "esi", "edi", "memory", "cc");
}

__asm__(".globl sig_restorer\n"
        "sig_restorer:\n\t"
        "mov $173, %eax\n\t"
        "int $0x80\n");

/*
 * Watchdog for a case that never reaches its INT3. alarm() costs more than a
 * whole case, so it is re-armed (for 1 s) only when ~2^28 TSC ticks (0.1-0.3 s
 * on any current CPU) have passed since the last arming. Every case therefore
 * starts less than that after the arming; when SIGALRM hits guest code, the
 * case has run for most of a second, i.e. it loops.
 */
#define REARM_TICKS (1ull << 28)
static unsigned long long last_arm;

static unsigned long long rdtsc(void) {
  unsigned long long t;
  __asm__ volatile("rdtsc" : "=A"(t));
  return t;
}

static void watchdog(void) {
  unsigned long long now = rdtsc();
  if (last_arm == 0 || now - last_arm > REARM_TICKS) {
    sys3(SYS_alarm, 1, 0, 0);
    last_arm = now;
  }
}

void _start(void) {
  __asm__ volatile("mov %%ds, %0\n\tmov %%es, %1\n\tmov %%fs, %2\n\tmov %%gs, %3"
                   : "=m"(host_ds), "=m"(host_es), "=m"(host_fs), "=m"(host_gs));
  /* PROT_READ|WRITE|EXEC = 7, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED = 0x32. */
  if ((u32)raw_syscall(SYS_mmap2, CODE_ADDR, CODE_MAX, 7, 0x32, (u32)-1, 0) != CODE_ADDR)
    die("native-runner: cannot map code\n");
  if ((u32)raw_syscall(SYS_mmap2, DATA_ADDR, DATA_SIZE, 3, 0x32, (u32)-1, 0) != DATA_ADDR)
    die("native-runner: cannot map data\n");
  use_alt_stack();
  static const int sigs[] = {4, 5, 7, 8, 11, 14};
  for (u32 i = 0; i < sizeof sigs / sizeof sigs[0]; i++) install(sigs[i]);

  while (read_full(&in, sizeof in)) {
    if (in.magic != CASE_MAGIC) die("native-runner: bad case magic\n");
    if (in.code_length > CODE_MAX) die("native-runner: code too long\n");
    read_full(fx_in, 512);
    read_full((void *)DATA_ADDR, DATA_SIZE);
    read_full((void *)CODE_ADDR, in.code_length);
    copy(g_regs, in.gpr, sizeof g_regs);
    g_eflags = in.eflags;
    out.magic = RESULT_MAGIC;
    out.signal = 0;
    watchdog(); /* a case that loops ends with SIGALRM */
    enter_guest();
    write_full(&out, sizeof out);
    write_full(fx_out, 512);
    write_full((const void *)DATA_ADDR, DATA_SIZE);
  }
  flush_output();
  sys3(SYS_exit, 0, 0, 0);
}
