; tasks.asm - hardware task switching (far JMP to a TSS, far CALL through a
; task gate, IRET with NT=1), busy bits and back links (SDM Vol. 3A, ch. 7),
; CPL 3 entered by IRET with the ring-0 stack from the TSS, a call gate with
; parameter copy (5.8.5), and SYSENTER/SYSEXIT (Vol. 2B).

%include "lib/start.inc"

SEL_TSS_B       equ 0x40
SEL_TSS_C       equ 0x48
SEL_TASK_GATE   equ 0x50        ; task gate -> SEL_TSS_C
SEL_CALL_GATE   equ 0x58        ; 32-bit call gate, DPL 3, 2 parameters
TSS_B_BASE      equ SCRATCH
TSS_C_BASE      equ SCRATCH + 0x100
STACK_B_TOP     equ SCRATCH + 0x2000
STACK_C_TOP     equ SCRATCH + 0x3000
SYSENTER_STACK  equ SCRATCH + 0x4000
PROBE_ESP0      equ RING0_STACK_TOP - 0x100
PROBE_VECTOR    equ 0x7E
TSS_BUSY        equ ACC_TSS | 2         ; type 0xB: busy 32-bit TSS
MSR_SYSENTER_CS equ 0x174
MSR_SYSENTER_ESP equ 0x175
MSR_SYSENTER_EIP equ 0x176

tests_main:
    mov edi, TSS_B_BASE
    mov ebx, task_b
    mov edx, STACK_B_TOP
    call init_tss
    mov dword [TSS_B_BASE + TSS_EAX], 0xB0B0B0B0
    mov edi, TSS_C_BASE
    mov ebx, task_c
    mov edx, STACK_C_TOP
    call init_tss
    GDT_ENTRY SEL_TSS_B, TSS_B_BASE, TSS_LIMIT, ACC_TSS, FLG_32
    GDT_ENTRY SEL_TSS_C, TSS_C_BASE, TSS_LIMIT, ACC_TSS, FLG_32
    ; Task gate (SDM Figure 7-6): TSS selector in bytes 2-3, type 5.
    mov dword [GDT_BASE + SEL_TASK_GATE], SEL_TSS_C << 16
    mov dword [GDT_BASE + SEL_TASK_GATE + 4], 0x8500
    ; Call gate (SDM Figure 5-8): offset, selector, parameter count, type 0xC.
    mov eax, call_gate_target
    mov [GDT_BASE + SEL_CALL_GATE], ax
    mov word [GDT_BASE + SEL_CALL_GATE + 2], KCODE
    mov byte [GDT_BASE + SEL_CALL_GATE + 4], 2
    mov byte [GDT_BASE + SEL_CALL_GATE + 5], 0xEC
    shr eax, 16
    mov [GDT_BASE + SEL_CALL_GATE + 6], ax
    call test_jmp_task
    call test_call_task_gate
    call test_busy_task
    call test_user_entry
    call test_call_gate
    call test_sysenter
    ret

; init_tss: EDI = TSS base, EBX = EIP, EDX = ESP; flat kernel segments.
init_tss:
    pushad
    push edi
    mov ecx, (TSS_LIMIT + 1) / 4
    xor eax, eax
    rep stosd
    pop edi
    mov [edi + TSS_EIP], ebx
    mov [edi + TSS_ESP], edx
    mov dword [edi + TSS_EFLAGS], 2
    mov dword [edi + TSS_CS], KCODE
    mov eax, KDATA
    mov [edi + TSS_SS], eax
    mov [edi + TSS_DS], eax
    mov [edi + TSS_ES], eax
    mov [edi + TSS_FS], eax
    mov [edi + TSS_GS], eax
    mov eax, cr3
    mov [edi + TSS_CR3], eax
    mov word [edi + TSS_IOMAP], TSS_LIMIT + 1
    popad
    ret

; --- far JMP to a TSS and back ---------------------------------------------
test_jmp_task:
    clts
    mov ebx, 0x12345678
    jmp SEL_TSS_B:0
.back:
    CHECK_EQ ebx, 0x12345678, "JMP task switch: our registers come back from our TSS"
    CHECK_EQ dword [b_eax], 0xB0B0B0B0, "task B starts with EAX from its TSS"
    CHECK_EQ dword [b_tr], SEL_TSS_B, "task B: TR = its TSS"
    CHECK_MASK dword [b_eflags], EFL_NT, 0, "task B (entered by JMP): NT=0"
    CHECK_EQ dword [b_link], 0, "task B (entered by JMP): back link not written"
    CHECK_EQ dword [b_own_type], TSS_BUSY, "task B: its TSS is busy"
    CHECK_EQ dword [b_main_type], ACC_TSS, "task B: JMP cleared the old task's busy bit"
    CHECK_EQ dword [MAIN_TSS_BASE + TSS_EIP], .back, "the old TSS saved EIP after the JMP"
    CHECK_EQ dword [MAIN_TSS_BASE + TSS_EBX], 0x12345678, "the old TSS saved EBX"
    movzx eax, byte [GDT_BASE + SEL_TSS_B + 5]
    CHECK_EQ eax, ACC_TSS, "back in the main task: task B is no longer busy"
    str ax
    movzx eax, ax
    CHECK_EQ eax, MAIN_TSS, "back in the main task: TR = MAIN_TSS"
    mov eax, cr0
    CHECK_MASK eax, CR0_TS, CR0_TS, "a task switch sets CR0.TS"
    clts
    ret

task_b:
    mov [b_eax], eax
    str ax
    movzx eax, ax
    mov [b_tr], eax
    pushfd
    pop dword [b_eflags]
    movzx eax, word [TSS_B_BASE + TSS_LINK]
    mov [b_link], eax
    movzx eax, byte [GDT_BASE + SEL_TSS_B + 5]
    mov [b_own_type], eax
    movzx eax, byte [GDT_BASE + MAIN_TSS + 5]
    mov [b_main_type], eax
    mov ebx, 0xBBBBBBBB
    jmp MAIN_TSS:0
    jmp task_b

; --- far CALL through a task gate, IRET back ---------------------------------
test_call_task_gate:
    mov ebx, 0x87654321
    call SEL_TASK_GATE:0
    CHECK_EQ ebx, 0x87654321, "CALL task gate: our registers come back after IRET"
    CHECK_EQ dword [c_tr], SEL_TSS_C, "task C: TR = the TSS named by the gate"
    CHECK_MASK dword [c_eflags], EFL_NT, EFL_NT, "task C (entered by CALL): NT=1"
    CHECK_EQ dword [c_link], MAIN_TSS, "task C: back link = the caller's TSS"
    CHECK_EQ dword [c_main_type], TSS_BUSY, "task C: CALL keeps the caller busy"
    CHECK_EQ dword [c_own_type], TSS_BUSY, "task C: its TSS is busy"
    movzx eax, byte [GDT_BASE + SEL_TSS_C + 5]
    CHECK_EQ eax, ACC_TSS, "IRET with NT=1 clears task C's busy bit"
    str ax
    movzx eax, ax
    CHECK_EQ eax, MAIN_TSS, "IRET with NT=1 returns to the back-linked task"
    pushfd
    pop eax
    CHECK_MASK eax, EFL_NT, 0, "the caller's NT is still 0"
    clts
    ret

task_c:
    str ax
    movzx eax, ax
    mov [c_tr], eax
    pushfd
    pop dword [c_eflags]
    movzx eax, word [TSS_C_BASE + TSS_LINK]
    mov [c_link], eax
    movzx eax, byte [GDT_BASE + SEL_TSS_C + 5]
    mov [c_own_type], eax
    movzx eax, byte [GDT_BASE + MAIN_TSS + 5]
    mov [c_main_type], eax
    mov ebx, 0xCCCCCCCC
    iretd
    jmp task_c

; A JMP or CALL to a busy TSS is refused with #GP(selector) (SDM 7.3 step 3).
test_busy_task:
    TRY
.jmp_self: jmp MAIN_TSS:0
    END_TRY
    CHECK_FAULT 13, MAIN_TSS, .jmp_self, "JMP to the running (busy) TSS: #GP(selector)"
    ret

; --- CPL 3 by IRET; interrupts from CPL 3 use SS0:ESP0 of the TSS ------------
test_user_entry:
    SET_GATE PROBE_VECTOR, probe_handler, GATE_INT3
    mov dword [MAIN_TSS_BASE + TSS_ESP0], PROBE_ESP0
    mov ebx, user_probe
    call run_user
    mov dword [MAIN_TSS_BASE + TSS_ESP0], RING0_STACK_TOP
    RESET_GATE PROBE_VECTOR
    CHECK_EQ dword [probe_user_cpl], 3, "IRET to a DPL 3 code segment runs at CPL 3"
    CHECK_EQ dword [probe_esp], PROBE_ESP0 - 20, "INT from CPL 3 switches to TSS.ESP0 and pushes 5 dwords"
    CHECK_EQ dword [probe_frame + 0], user_probe.after_int, "frame: EIP after the INT"
    CHECK_EQ dword [probe_frame + 4], UCODE | 3, "frame: CS of CPL 3"
    CHECK_EQ dword [probe_frame + 12], USER_STACK_TOP, "frame: ESP of CPL 3"
    CHECK_EQ dword [probe_frame + 16], UDATA | 3, "frame: SS of CPL 3"
    CHECK_EQ dword [probe_ss], KDATA, "handler runs with SS = TSS.SS0"
    CHECK_EQ dword [probe_cpl], 0, "handler runs at CPL 0"
    ret

user_probe:
    mov eax, cs
    and eax, 3
    mov [probe_user_cpl], eax
    int PROBE_VECTOR
.after_int:
    int USER_EXIT_VECTOR

probe_handler:
    mov [probe_esp], esp
    push eax
    push esi
    push edi
    push ecx
    lea esi, [esp + 16]
    mov edi, probe_frame
    mov ecx, 5
    rep movsd
    mov eax, ss
    mov [probe_ss], eax
    mov eax, cs
    and eax, 3
    mov [probe_cpl], eax
    pop ecx
    pop edi
    pop esi
    pop eax
    iretd

; --- call gate from CPL 3 to CPL 0 with two parameters -----------------------
test_call_gate:
    mov ebx, user_call_gate
    call run_user
    CHECK_EQ dword [gate_cpl], 0, "call gate: target runs at CPL 0"
    CHECK_EQ dword [gate_esp], RING0_STACK_TOP - 24, "call gate: new stack from TSS.ESP0 with 6 dwords"
    CHECK_EQ dword [gate_frame + 0], user_call_gate.returned, "call gate frame: return EIP"
    CHECK_EQ dword [gate_frame + 4], UCODE | 3, "call gate frame: caller CS"
    CHECK_EQ dword [gate_frame + 8], 0x22222222, "call gate frame: parameter at caller's ESP"
    CHECK_EQ dword [gate_frame + 12], 0x11111111, "call gate frame: parameter at caller's ESP+4"
    CHECK_EQ dword [gate_frame + 16], USER_STACK_TOP - 8, "call gate frame: caller ESP"
    CHECK_EQ dword [gate_frame + 20], UDATA | 3, "call gate frame: caller SS"
    CHECK_EQ dword [gate_user_esp], USER_STACK_TOP, "RETF 8 to CPL 3 releases the parameters"
    CHECK_EQ eax, 0x600D, "back at CPL 3 after RETF"
    ret

user_call_gate:
    push dword 0x11111111
    push dword 0x22222222
    call SEL_CALL_GATE | 3:0
.returned:
    mov [gate_user_esp], esp
    mov eax, 0x600D
    int USER_EXIT_VECTOR

call_gate_target:
    mov [ss:gate_esp], esp
    push esi
    push edi
    push ecx
    push eax
    lea esi, [esp + 16]
    mov edi, gate_frame
    mov ecx, 6
    rep movsd
    mov eax, cs
    and eax, 3
    mov [gate_cpl], eax
    pop eax
    pop ecx
    pop edi
    pop esi
    retf 8

; --- SYSENTER / SYSEXIT --------------------------------------------------------
test_sysenter:
    mov eax, 1
    cpuid
    bt edx, 11
    jc .supported
    SKIP "SYSENTER/SYSEXIT round trip", "CPUID.01H:EDX.SEP=0"
    ret
.supported:
    xor edx, edx
    mov ecx, MSR_SYSENTER_CS
    mov eax, KCODE
    wrmsr
    mov ecx, MSR_SYSENTER_ESP
    mov eax, SYSENTER_STACK
    wrmsr
    mov ecx, MSR_SYSENTER_EIP
    mov eax, sysenter_entry
    wrmsr
    mov ebx, user_sysenter
    call run_user
    CHECK_EQ dword [se_cs], KCODE, "SYSENTER: CS = IA32_SYSENTER_CS"
    CHECK_EQ dword [se_ss], KDATA, "SYSENTER: SS = IA32_SYSENTER_CS + 8"
    CHECK_EQ dword [se_esp], SYSENTER_STACK, "SYSENTER: ESP = IA32_SYSENTER_ESP"
    CHECK_EQ dword [sx_cs], UCODE | 3, "SYSEXIT: CS = IA32_SYSENTER_CS + 16, RPL 3"
    CHECK_EQ dword [sx_ss], UDATA | 3, "SYSEXIT: SS = IA32_SYSENTER_CS + 24, RPL 3"
    CHECK_EQ dword [sx_esp], USER_STACK_TOP - 0x40, "SYSEXIT: ESP = ECX"
    CHECK_EQ eax, 0x5E5E, "SYSEXIT: EIP = EDX"
    ret

user_sysenter:
    mov ecx, USER_STACK_TOP - 0x40
    mov edx, .after
    sysenter
    int USER_EXIT_VECTOR            ; not reached
.after:
    mov eax, cs
    mov [sx_cs], eax
    mov eax, ss
    mov [sx_ss], eax
    mov [sx_esp], esp
    mov eax, 0x5E5E
    int USER_EXIT_VECTOR

sysenter_entry:
    mov [se_esp], esp
    mov eax, cs
    mov [se_cs], eax
    mov eax, ss
    mov [se_ss], eax
    sysexit

align 4
b_eax:          dd 0
b_tr:           dd 0
b_eflags:       dd 0
b_link:         dd 0xFFFF
b_own_type:     dd 0
b_main_type:    dd 0
c_tr:           dd 0
c_eflags:       dd 0
c_link:         dd 0
c_own_type:     dd 0
c_main_type:    dd 0
probe_user_cpl: dd 0
probe_esp:      dd 0
probe_ss:       dd 0
probe_cpl:      dd 0xFF
probe_frame:    times 5 dd 0
gate_cpl:       dd 0xFF
gate_esp:       dd 0
gate_user_esp:  dd 0
gate_frame:     times 6 dd 0
se_cs:          dd 0
se_ss:          dd 0
se_esp:         dd 0
sx_cs:          dd 0
sx_ss:          dd 0
sx_esp:         dd 0

%include "lib/end.inc"
