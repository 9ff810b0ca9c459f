; longmode.asm - IA-32e mode from inside a guest: activation (PAE, CR3,
; EFER.LME, CR0.PG), 64-bit code reached by far calls from compatibility
; mode, 64-bit arithmetic and REX forms, RIP-relative operands, 4-level
; paging with 4 KiB, 2 MiB and 1 GiB pages and #PF error codes (CR2 in the
; upper canonical half too), canonical-address #GP, SYSCALL/SYSRET, an
; interrupt from CPL 3 through an IST gate (the 64-bit frame) and IRETQ,
; SWAPGS, CMPXCHG16B, and leaving IA-32e mode again (SDM Vol. 3A, chapters
; 2, 4.5, 5.8.8, 6.14 and 9.8.5).
;
; The library's checks are 32-bit code: they run in compatibility mode (CS =
; KCODE, a 32-bit segment, while EFER.LMA = 1). Each test is a 64-bit routine
; called with CALL64 that leaves its results in memory; exceptions go through
; a 64-bit IDT whose handlers record them like the library's and resume at a
; TRY64 recovery point.
;
; tsvm-test: x86_64 (the reference run uses qemu-system-x86_64)

%include "lib/start.inc"

PML4            equ 0x200000
PDPT            equ 0x201000
PD_LOW          equ 0x202000    ; identity map of 0-1 GiB with 2 MiB pages, user RW
PD_WIN          equ 0x203000
PT_WIN          equ 0x204000    ; 4 KiB pages of the window at WINDOW
IDT64           equ 0x205000
TSS64_BASE      equ 0x206000
IST1_TOP        equ 0x20F008    ; deliberately not 16-byte aligned
RSP0_TOP        equ 0x218000
USER_RSP        equ 0x220000
PAGE_A          equ 0x230000
PAGE_B          equ 0x231000
PAGE_C          equ 0x232000    ; CMPXCHG16B operand

WINDOW          equ 0x40000000
VA_RW           equ WINDOW + 0x0000 ; PAGE_A, user RW
VA_ABSENT       equ WINDOW + 0x1000 ; not present
VA_RO           equ WINDOW + 0x2000 ; PAGE_B, user read-only
VA_SUPER        equ WINDOW + 0x3000 ; PAGE_B, supervisor only
VA_NX           equ WINDOW + 0x4000 ; PAGE_A, execute-disable
VA_GIG          equ 0x80000000      ; PDPT[2]: a 1 GiB page onto physical 0
HIGH_ALIAS      equ 0xFFFFFF8000000000 ; PML4[511] aliases PML4[0]
HIGH_ABSENT     equ 0xFFFF960000000123 ; PML4[300] is not present

CODE64          equ 0x40        ; 64-bit code, DPL 0 (SYSCALL CS)
DATA64          equ 0x48        ; data, DPL 0 (SYSCALL SS = CS + 8)
UCODE32         equ 0x50        ; 32-bit code, DPL 3 (SYSRET base: STAR[63:48])
UDATA64         equ 0x58        ; data, DPL 3 (SYSRET SS = base + 8)
UCODE64         equ 0x60        ; 64-bit code, DPL 3 (SYSRET CS = base + 16)
TSS64           equ 0x68        ; 16-byte 64-bit TSS descriptor (0x68 and 0x70)
FLG_64_4K       equ 0xA         ; G = 1, L = 1, D = 0

PG_P            equ 1 << 0
PG_RW           equ 1 << 1
PG_US           equ 1 << 2
PG_A            equ 1 << 5
PG_D            equ 1 << 6
PG_PS           equ 1 << 7
CR4_PAE         equ 1 << 5
CR4_FSGSBASE    equ 1 << 16
MSR_EFER        equ 0xC0000080
MSR_STAR        equ 0xC0000081
MSR_LSTAR       equ 0xC0000082
MSR_SFMASK      equ 0xC0000084
MSR_GS_BASE     equ 0xC0000101
MSR_KERNEL_GS   equ 0xC0000102
EFER_SCE        equ 1 << 0
EFER_LME        equ 1 << 8
EFER_LMA        equ 1 << 10
EFER_NXE        equ 1 << 11
GATE64_INT0     equ 0x8E
GATE64_INT3     equ 0xEE
TSS64_IST1      equ 36
TSS64_RSP0      equ 4

; CALL64 routine: far call from compatibility mode to a 64-bit routine that
; returns with RETF (32-bit operand size: EIP and CS). The data segments are
; reloaded after it: a return to CPL 3 in between (IRETQ) nulls DS and ES,
; and compatibility mode, unlike 64-bit mode, faults on a null DS.
%macro CALL64 1
    call far [%%ptr]
    jmp %%over
%%ptr:
    dd %1
    dw CODE64
%%over:
    push eax
    mov ax, KDATA
    mov ds, ax
    mov es, ax
    mov ss, ax
    pop eax
%endmacro

; CHECK_EQ64 lo_var, hi_var, lo_expected, hi_expected, "text": two dword checks
; would double the count, so the halves are compared together.
%macro CHECK_EQ64 5
    pushad
    mov eax, [%1]
    xor eax, %3
    mov edx, [%2]
    xor edx, %4
    or eax, edx
    CHECK_EQ eax, 0, %5
    popad
%endmacro

tests_main:
    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .no_long_mode
    mov eax, 0x80000001
    cpuid
    mov [ext_edx], edx
    test edx, 1 << 29
    jz .no_long_mode
    mov eax, 1
    cpuid
    mov [cpuid1_ecx], ecx
    PASS "CPUID reports Intel 64 (80000001h:EDX.LM)"
    call build_tables
    call enter_long_mode
    mov ecx, MSR_EFER
    rdmsr
    CHECK_MASK eax, EFER_LMA | EFER_LME, EFER_LMA | EFER_LME, "CR0.PG with EFER.LME activates IA-32e mode (EFER.LMA)"
    call test_code64
    call test_paging
    call test_canonical
    call test_syscall
    call test_ist
    call test_swapgs
    call test_cmpxchg16b
    call leave_long_mode
    ret
.no_long_mode:
    SKIP "CPUID reports Intel 64 (80000001h:EDX.LM)", "no long mode"
    ret

; ---- Setup (32-bit code) ----

build_tables:
    pushad
    mov edi, PML4
    mov ecx, 5 * 4096 / 4       ; PML4, PDPT, PD_LOW, PD_WIN, PT_WIN
    xor eax, eax
    rep stosd
    mov dword [PML4], PDPT | PG_P | PG_RW | PG_US
    mov dword [PML4 + 511 * 8], PDPT | PG_P | PG_RW | PG_US
    mov dword [PDPT], PD_LOW | PG_P | PG_RW | PG_US
    mov dword [PDPT + 8], PD_WIN | PG_P | PG_RW | PG_US
    test dword [ext_edx], 1 << 26 ; 1-GiB pages
    jz .no_gig
    mov dword [PDPT + 16], PG_P | PG_RW | PG_US | PG_PS
.no_gig:
    xor ecx, ecx
.pd:
    mov eax, ecx
    shl eax, 21
    or eax, PG_P | PG_RW | PG_US | PG_PS
    mov [PD_LOW + ecx * 8], eax
    inc ecx
    cmp ecx, 512
    jb .pd
    mov dword [PD_WIN], PT_WIN | PG_P | PG_RW | PG_US
    mov dword [PT_WIN + 0 * 8], PAGE_A | PG_P | PG_RW | PG_US
    mov dword [PT_WIN + 2 * 8], PAGE_B | PG_P | PG_US
    mov dword [PT_WIN + 3 * 8], PAGE_B | PG_P | PG_RW
    mov dword [PT_WIN + 4 * 8], PAGE_A | PG_P | PG_RW | PG_US
    test dword [ext_edx], 1 << 20 ; NX
    jz .no_nx
    mov dword [PT_WIN + 4 * 8 + 4], 0x80000000
.no_nx:
    ; GDT entries for IA-32e mode.
    GDT_ENTRY CODE64, 0, 0xFFFFF, ACC_CODE0, FLG_64_4K
    GDT_ENTRY DATA64, 0, 0xFFFFF, ACC_DATA0, FLG_32_4K
    GDT_ENTRY UCODE32, 0, 0xFFFFF, ACC_CODE3, FLG_32_4K
    GDT_ENTRY UDATA64, 0, 0xFFFFF, ACC_DATA3, FLG_32_4K
    GDT_ENTRY UCODE64, 0, 0xFFFFF, ACC_CODE3, FLG_64_4K
    GDT_ENTRY TSS64, TSS64_BASE, 0x67, ACC_TSS, FLG_16
    mov dword [GDT_BASE + TSS64 + 8], 0 ; base 63:32
    mov dword [GDT_BASE + TSS64 + 12], 0
    ; The 64-bit TSS: RSP0 and IST1; no I/O bitmap.
    mov edi, TSS64_BASE
    mov ecx, 0x68 / 4
    xor eax, eax
    rep stosd
    mov dword [TSS64_BASE + TSS64_RSP0], RSP0_TOP
    mov dword [TSS64_BASE + TSS64_IST1], IST1_TOP
    mov word [TSS64_BASE + 102], 0x68
    ; The 64-bit IDT: every vector to its recording stub.
    xor eax, eax
.idt:
    mov ebx, eax
    shl ebx, 4
    add ebx, stubs64
    mov dl, GATE64_INT0
    xor ecx, ecx
    call idt64_set
    inc eax
    cmp eax, 256
    jb .idt
    popad
    ret

; idt64_set: EAX = vector, EBX = handler (below 4 GiB), DL = type/DPL, CL = IST.
idt64_set:
    pushad
    mov edi, eax
    shl edi, 4
    add edi, IDT64
    mov [edi], bx
    mov word [edi + 2], CODE64
    mov [edi + 4], cl
    mov [edi + 5], dl
    shr ebx, 16
    mov [edi + 6], bx
    mov dword [edi + 8], 0
    mov dword [edi + 12], 0
    popad
    ret

enter_long_mode:
    pushad
    mov eax, cr4
    or eax, CR4_PAE
    mov cr4, eax
    mov eax, PML4
    mov cr3, eax
    mov ecx, MSR_EFER
    rdmsr
    or eax, EFER_LME | EFER_SCE
    test dword [ext_edx], 1 << 20
    jz .no_nx
    or eax, EFER_NXE
.no_nx:
    wrmsr
    mov eax, cr0
    or eax, CR0_PG | CR0_WP
    mov cr0, eax                ; IA-32e mode, still in 32-bit code: compatibility mode
    lidt [idt64_pointer]
    mov ax, TSS64
    ltr ax
    popad
    ret

leave_long_mode:
    pushad
    mov eax, cr0
    and eax, ~CR0_PG
    mov cr0, eax                ; only allowed from compatibility mode
    mov ecx, MSR_EFER
    rdmsr
    mov ebx, eax
    and eax, ~EFER_LME
    wrmsr
    lidt [idt_pointer]          ; the library's 32-bit IDT again
    CHECK_MASK ebx, EFER_LMA, 0, "clearing CR0.PG in compatibility mode leaves IA-32e mode"
    popad
    ret

align 4
idt64_pointer:
    dw 256 * 16 - 1
    dd IDT64

; ---- The tests: compatibility-mode drivers and their 64-bit routines ----

test_code64:
    CALL64 code64_arith
    CHECK_EQ64 r_lo, r_hi, 0x00000000, 0x00000002, "64-bit ADD carries into bit 32"
    CHECK_EQ64 r2_lo, r2_hi, 0x00000001, 0xFFFFFFFE, "MUL r64: (2^64-1)^2, RDX:RAX"
    CHECK_EQ64 r3_lo, r3_hi, 1, 0, "a 32-bit MOV zeroes bits 63:32"
    CHECK_EQ64 r4_lo, r4_hi, 0x00995588, 0, "with REX, byte register 6 is SIL; without, 7 is BH; REX.B: R8B"
    CHECK_EQ64 r4b_lo, r4b_hi, 0xFFFFFF11, 0xFFFFFFFF, "MOV R15B writes only the low byte"
    CHECK_EQ64 r5_lo, r5_hi, rip_target, 0, "RIP-relative LEA gives the absolute address"
    CHECK_EQ64 r6_lo, r6_hi, 0xFFFFFFE2, 0xFFFFFFFF, "MOVSXD sign-extends; IMUL r64, r/m64, imm8"
    ret

test_paging:
    CALL64 code64_paging
    CHECK_EQ dword [r_lo], 0xCAFE0001, "a 4 KiB page in the 4-level tables"
    CHECK_MASK dword [pte_after], PG_A | PG_D, PG_A | PG_D, "a write sets A and D in the PTE"
    CHECK_EQ dword [r2_lo], 0xCAFE0001, "the 2 MiB identity map seen through the PML4[511] alias"
    test dword [ext_edx], 1 << 26
    jz .no_gig
    CHECK_EQ dword [r3_lo], 0xCAFE0001, "a 1 GiB page (PDPTE.PS)"
    jmp .gig_done
.no_gig:
    SKIP "a 1 GiB page (PDPTE.PS)", "no 1-GiB pages"
.gig_done:
    CHECK_EQ dword [pf1_error], 0, "#PF not present: error code 0"
    CHECK_EQ64 pf1_cr2, pf1_cr2 + 4, VA_ABSENT + 8, 0, "#PF not present: CR2"
    CHECK_EQ dword [pf2_error], 3, "#PF write to a read-only page with CR0.WP: P|W"
    test dword [ext_edx], 1 << 20
    jz .no_nx
    CHECK_EQ dword [pf3_error], 0x11, "#PF fetch from an NX page: P|I/D"
    jmp .nx_done
.no_nx:
    SKIP "#PF fetch from an NX page: P|I/D", "no NX"
.nx_done:
    CHECK_EQ dword [pf4_vector], 14, "#PF in the upper canonical half"
    CHECK_EQ64 pf4_cr2, pf4_cr2 + 4, HIGH_ABSENT & 0xFFFFFFFF, HIGH_ABSENT >> 32, "CR2 holds all 64 bits of the address"
    ret

test_canonical:
    CALL64 code64_canonical
    CHECK_EQ dword [pf1_error], 13, "a non-canonical data address: #GP"
    CHECK_EQ dword [pf2_error], 0, "... with error code 0"
    CHECK_EQ dword [pf3_error], 13, "JMP to a non-canonical RIP: #GP"
    ret

test_syscall:
    CALL64 code64_syscall
    CHECK_EQ64 sc_rcx, sc_rcx + 4, user_after_syscall, 0, "SYSCALL: RCX = the next RIP"
    CHECK_EQ dword [sc_r11], 0x402, "SYSCALL: R11 = RFLAGS"
    CHECK_EQ dword [sc_flags], 0x2, "SYSCALL: RFLAGS masked by IA32_FMASK (DF)"
    CHECK_EQ dword [sc_cs], CODE64, "SYSCALL: CS = STAR[47:32], CPL 0"
    CHECK_EQ dword [sc_user_cs], UCODE64 | 3, "SYSRET (REX.W): CS = STAR[63:48] + 16, RPL 3"
    CHECK_EQ dword [sc_user_ss], UDATA64 | 3, "SYSRET: SS = STAR[63:48] + 8"
    CHECK_EQ dword [sc_pf_error], 5, "#PF at CPL 3 on a supervisor page: P|U"
    ret

test_ist:
    CALL64 code64_ist
    CHECK_EQ dword [ist_rsp], (IST1_TOP & ~15) - 40, "IST1: the stack is IST1 aligned to 16, five slots"
    CHECK_EQ dword [ist_cs], UCODE64 | 3, "the frame holds the user CS"
    CHECK_EQ dword [ist_old_rsp], USER_RSP - 8, "the frame holds the user RSP"
    CHECK_EQ dword [ist_ss], UDATA64 | 3, "the frame holds the user SS"
    CHECK_EQ dword [ist_user_rsp], USER_RSP - 8, "IRETQ back to CPL 3 restores RSP"
    CHECK_EQ dword [ist_rsp0], RSP0_TOP - 40, "without IST: RSP0 from the 64-bit TSS"
    ret

test_swapgs:
    CALL64 code64_swapgs
    CHECK_EQ dword [r_lo], 0x5A5A0001, "SWAPGS: GS: operands use IA32_KERNEL_GS_BASE's value"
    CHECK_EQ64 r2_lo, r2_hi, PAGE_A, 0, "SWAPGS: IA32_KERNEL_GS_BASE now holds the old GS base"
    ret

test_cmpxchg16b:
    test dword [cpuid1_ecx], 1 << 13
    jz .no_cx16
    CALL64 code64_cmpxchg16b
    CHECK_EQ dword [r_lo], 0x44, "CMPXCHG16B equal: ZF=1, RCX:RBX stored"
    CHECK_EQ dword [r2_lo], 0x33, "CMPXCHG16B not equal: RDX:RAX loaded"
    CHECK_EQ dword [pf1_error], 13, "CMPXCHG16B on an unaligned operand: #GP"
    ret
.no_cx16:
    SKIP "CMPXCHG16B equal: ZF=1, RCX:RBX stored", "no CX16"
    SKIP "CMPXCHG16B not equal: RDX:RAX loaded", "no CX16"
    SKIP "CMPXCHG16B on an unaligned operand: #GP", "no CX16"
    ret

; ---- 64-bit code ----
[bits 64]

; TRY64 ... END_TRY64: like TRY/END_TRY, for 64-bit code.
%macro TRY64 0
    %push try64
    mov dword [fault_vector], NO_FAULT
    mov [rec64_rsp], rsp
    mov qword [rec64_rip], %$catch
%endmacro
%macro END_TRY64 0
    mov qword [rec64_rip], 0
%$catch:
    %pop
%endmacro

code64_arith:
    mov rax, 0x00000001FFFFFFFF
    add rax, 1
    mov [r_lo], rax
    mov rax, -1
    mul rax
    mov [r2_lo], eax
    mov [r2_hi], edx
    mov rax, -1
    mov eax, 1
    mov [r3_lo], rax
    mov rsi, 0x1122334455667788 ; SIL = 0x88
    mov edi, 0x99               ; DIL = 0x99
    xor ebx, ebx
    mov bl, sil                 ; with REX: SIL, not DH
    mov bh, 0x55                ; without REX: BH
    xor r8d, r8d
    mov r8b, dil                ; REX.B: R8B
    shl r8, 16
    or rbx, r8
    mov r15, -1
    mov r15b, 0x11              ; only the low byte of R15
    mov [r4_lo], rbx
    mov [r4b_lo], r15
    lea rax, [rel rip_target]
    mov [r5_lo], rax
    mov ecx, -10
    movsxd rcx, ecx
    imul rax, rcx, 3
    mov [r6_lo], rax
    retf
rip_target:
    dq 0

code64_paging:
    mov dword [PAGE_A], 0xCAFE0001
    mov eax, [VA_RW]
    mov [r_lo], eax
    mov dword [VA_RW + 4], 7    ; a write: D in the PTE
    mov eax, [PT_WIN]
    mov [pte_after], eax
    mov rbx, HIGH_ALIAS + PAGE_A
    mov eax, [rbx]
    mov [r2_lo], eax
    test dword [ext_edx], 1 << 26
    jz .no_gig
    mov rbx, VA_GIG + PAGE_A
    mov eax, [rbx]
    mov [r3_lo], eax
.no_gig:
    TRY64
    mov eax, [VA_ABSENT + 8]
    END_TRY64
    mov eax, [fault_error]
    mov [pf1_error], eax
    mov rax, [fault_cr2_64]
    mov [pf1_cr2], rax
    TRY64
    mov dword [VA_RO], 1
    END_TRY64
    mov eax, [fault_error]
    mov [pf2_error], eax
    test dword [ext_edx], 1 << 20
    jz .no_nx
    mov byte [PAGE_A + 0x800], 0xC3 ; ret (never reached)
    TRY64
    mov eax, VA_NX + 0x800
    call rax
    END_TRY64
    mov eax, [fault_error]
    mov [pf3_error], eax
.no_nx:
    TRY64
    mov rbx, HIGH_ABSENT
    mov eax, [rbx]
    END_TRY64
    mov eax, [fault_vector]
    mov [pf4_vector], eax
    mov rax, [fault_cr2_64]
    mov [pf4_cr2], rax
    retf

code64_canonical:
    TRY64
    mov rbx, 0x0000800000000000
    mov eax, [rbx]
    END_TRY64
    mov eax, [fault_vector]
    mov [pf1_error], eax
    mov eax, [fault_error]
    mov [pf2_error], eax
    TRY64
    mov rbx, 0x8000000000001000
    jmp rbx
    END_TRY64
    mov eax, [fault_vector]
    mov [pf3_error], eax
    retf

code64_syscall:
    mov ecx, MSR_STAR
    xor eax, eax
    mov edx, (UCODE32 << 16) | CODE64
    wrmsr
    mov ecx, MSR_LSTAR
    mov eax, syscall_entry
    xor edx, edx
    wrmsr
    mov ecx, MSR_SFMASK
    mov eax, 0x400 | 0x200 | 0x100 ; DF IF TF
    xor edx, edx
    wrmsr
    mov [kernel_rsp], rsp
    mov rsp, USER_RSP
    mov ecx, user_syscall
    mov r11d, 0x402             ; DF set, IF clear
    o64 sysret
syscall_entry:                  ; CPL 0, user RSP still loaded
    mov [sc_rcx], rcx
    mov [sc_r11], r11
    pushfq
    pop rax
    mov [sc_flags], eax
    mov ax, cs
    movzx eax, ax
    mov [sc_cs], eax
    mov rsp, [kernel_rsp]
    retf

[bits 64]
user_syscall:                   ; CPL 3
    mov ax, cs
    movzx eax, ax
    mov [sc_user_cs], eax
    mov ax, ss
    movzx eax, ax
    mov [sc_user_ss], eax
    ; A supervisor-only page from CPL 3: #PF, recorded by the CPL 0 handler,
    ; which IRETQs to `user_resume` at CPL 3.
    mov dword [sc_pf_error], NO_FAULT
    mov rax, VA_SUPER
    mov qword [user_resume], .after_pf
    mov eax, [rax]
.after_pf:
    syscall
user_after_syscall:

code64_ist:
    mov [kernel_rsp], rsp
    ; INT 80h: DPL 3, IST 1; INT 81h: DPL 3, no IST.
    mov eax, 0x80
    mov ebx, ist_handler
    mov dl, GATE64_INT3
    mov cl, 1
    call idt64_set64
    mov eax, 0x81
    mov ebx, rsp0_handler
    mov dl, GATE64_INT3
    xor ecx, ecx
    call idt64_set64
    ; To CPL 3 by IRETQ: SS, RSP, RFLAGS, CS, RIP.
    push UDATA64 | 3
    push USER_RSP
    push 0x2
    push UCODE64 | 3
    push user_ist
    iretq
user_ist:
    push 0x1234                 ; user RSP = USER_RSP - 8
    int 0x80
    mov [ist_user_rsp], esp
    int 0x81
ist_handler:
    mov [ist_rsp], esp
    mov eax, [rsp + 8]
    mov [ist_cs], eax
    mov eax, [rsp + 24]
    mov [ist_old_rsp], eax
    mov eax, [rsp + 32]
    mov [ist_ss], eax
    iretq
rsp0_handler:
    mov [ist_rsp0], esp
    mov rsp, [kernel_rsp]
    mov ax, KDATA               ; the interrupt left a null SS; compatibility code needs one
    mov ss, ax
    retf

; idt64_set64: the same as idt64_set, callable from 64-bit code.
idt64_set64:
    push rdi
    push rbx
    mov edi, eax
    shl edi, 4
    add edi, IDT64
    mov [rdi], bx
    mov word [rdi + 2], CODE64
    mov [rdi + 4], cl
    mov [rdi + 5], dl
    shr ebx, 16
    mov [rdi + 6], bx
    mov dword [rdi + 8], 0
    mov dword [rdi + 12], 0
    pop rbx
    pop rdi
    ret

code64_swapgs:
    mov dword [PAGE_B + 0x10], 0x5A5A0001
    mov ecx, MSR_GS_BASE
    mov eax, PAGE_A
    xor edx, edx
    wrmsr
    mov ecx, MSR_KERNEL_GS
    mov eax, PAGE_B
    wrmsr
    swapgs
    mov eax, [gs:0x10]
    mov [r_lo], eax
    mov ecx, MSR_KERNEL_GS
    rdmsr
    mov [r2_lo], eax
    mov [r2_hi], edx
    swapgs
    retf

code64_cmpxchg16b:
    mov qword [PAGE_C], 0x11
    mov qword [PAGE_C + 8], 0x22
    mov eax, 0x11
    mov edx, 0x22
    mov ebx, 0x33
    mov ecx, 0x44
    lock cmpxchg16b [PAGE_C]
    mov eax, [PAGE_C + 8]
    mov [r_lo], eax             ; 0x44 when stored
    xor eax, eax
    xor edx, edx
    lock cmpxchg16b [PAGE_C]    ; not equal: RDX:RAX = 0x44:0x33
    mov [r2_lo], eax
    TRY64
    lock cmpxchg16b [PAGE_C + 8]
    END_TRY64
    mov eax, [fault_vector]
    mov [pf1_error], eax
    retf

; ---- 64-bit exception handling ----

; One 16-byte stub per vector, as in idt.inc; the frame is SS, RSP, RFLAGS,
; CS, RIP, [error code].
align 16
stubs64:
%assign vec 0
%rep 256
  %if vec == 8 || (vec >= 10 && vec <= 14) || vec == 17
    push qword vec
  %else
    push qword 0
    push qword vec
  %endif
    jmp common64
    times (stubs64 + (vec + 1) * 16) - $ db 0xCC
  %assign vec vec + 1
%endrep

; Records the exception in the library's variables (and the 64-bit RIP and
; CR2), then resumes at the TRY64 point, or at the CPL 3 resume point of
; the user-mode #PF test, or reports it as unexpected.
common64:
    push rax
    mov rax, [rsp + 8]
    mov [fault_vector], eax
    mov rax, [rsp + 16]
    mov [fault_error], eax
    mov rax, [rsp + 24]
    mov [fault_eip], eax
    mov [fault_rip64], rax
    mov rax, [rsp + 32]
    mov [fault_cs], eax
    mov rax, cr2
    mov [fault_cr2], eax
    mov [fault_cr2_64], rax
    inc dword [fault_count]
    mov rax, [user_resume]
    test rax, rax
    jnz .to_user
    pop rax
    cmp qword [rec64_rip], 0
    je .unexpected
    mov rsp, [rec64_rsp]
    push qword [rec64_rip]
    mov qword [rec64_rip], 0
    ret
.to_user:
    ; The CPL 3 #PF test: record the error code, return to user code.
    mov qword [user_resume], 0
    mov [rsp + 24], rax         ; the frame's RIP (above RAX, vector, error code)
    mov eax, [fault_error]
    mov [sc_pf_error], eax
    pop rax
    add rsp, 16                 ; vector, error code
    iretq
.unexpected:
    mov rsp, PANIC_STACK_TOP
    jmp dword far [rel .to_library] ; m16:32: to compatibility mode
.to_library:
    dd fault_unexpected
    dw KCODE

[bits 32]

align 8
rec64_rsp:      dq 0
rec64_rip:      dq 0
fault_rip64:    dq 0
fault_cr2_64:   dq 0
kernel_rsp:     dq 0
user_resume:    dq 0
r_lo:           dd 0
r_hi:           dd 0
r2_lo:          dd 0
r2_hi:          dd 0
r3_lo:          dd 0
r3_hi:          dd 0
r4_lo:          dd 0
r4_hi:          dd 0
r4b_lo:         dd 0
r4b_hi:         dd 0
r5_lo:          dd 0
r5_hi:          dd 0
r6_lo:          dd 0
r6_hi:          dd 0
pte_after:      dd 0
pf1_error:      dd 0
pf2_error:      dd 0
pf3_error:      dd 0
pf4_vector:     dd 0
align 8
pf1_cr2:        dq 0
pf4_cr2:        dq 0
sc_rcx:         dq 0
sc_r11:         dd 0
sc_flags:       dd 0
sc_cs:          dd 0
sc_user_cs:     dd 0
sc_user_ss:     dd 0
sc_pf_error:    dd 0
ist_rsp:        dd 0
ist_cs:         dd 0
ist_old_rsp:    dd 0
ist_ss:         dd 0
ist_user_rsp:   dd 0
ist_rsp0:       dd 0
ext_edx:        dd 0
cpuid1_ecx:     dd 0

%include "lib/end.inc"
