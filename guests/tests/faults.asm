; faults.asm - exception delivery: vectors, error codes and the EIP each one
; reports (fault: the instruction; trap: the next one), double faults through
; an interrupt gate and a task gate, single-step traps and the MOV SS shadow.
; Error code format: SDM Vol. 3A, 6.13; exception classes: Table 6-1 and 6-5.

%include "lib/start.inc"

SEL_XONLY       equ 0x40        ; execute-only code segment
SEL_SMALLCODE   equ 0x48        ; code segment with limit 0xFFF
SEL_ABSENT      equ 0x50        ; writable data segment, P=0
SEL_DF_TSS      equ 0x58        ; the double-fault task
SEL_BEYOND      equ GDT_ENTRIES * 8     ; first selector past the GDT limit
DF_TSS_BASE     equ SCRATCH
DF_STACK_TOP    equ SCRATCH + 0x2000
ABSENT_VECTOR   equ 0x41

tests_main:
    GDT_ENTRY SEL_XONLY, 0, 0xFFFFF, 0x98, FLG_32_4K
    GDT_ENTRY SEL_SMALLCODE, 0, 0xFFF, ACC_CODE0, FLG_32
    GDT_ENTRY SEL_ABSENT, 0, 0xFFFFF, 0x12, FLG_32_4K
    call test_arithmetic
    call test_invalid_opcode
    call test_selectors
    call test_not_present
    call test_user_privilege
    call test_traps
    call test_double_fault_interrupt_gate
    call test_double_fault_task_gate
    call test_single_step
    call test_mov_ss_shadow
    ret

test_arithmetic:
    TRY
    mov eax, 1
    xor edx, edx
    xor ecx, ecx
.div: div ecx
    END_TRY
    CHECK_FAULT 0, 0, .div, "DIV by zero raises #DE at the DIV"
    TRY
    mov eax, 0x80000000
    cdq
    mov ecx, -1
.idiv: idiv ecx
    END_TRY
    CHECK_FAULT 0, 0, .idiv, "IDIV -2^31 / -1 overflows: #DE"
    ret

test_invalid_opcode:
    TRY
.ud2: ud2
    END_TRY
    CHECK_FAULT 6, 0, .ud2, "UD2 raises #UD"
    TRY
.lock_nop: db 0xF0, 0x90        ; LOCK NOP
    END_TRY
    CHECK_FAULT 6, 0, .lock_nop, "LOCK NOP raises #UD"
    TRY
.lock_cmp: db 0xF0, 0x39, 0x05     ; LOCK CMP [scratch_word], EAX
    dd scratch_word
    END_TRY
    CHECK_FAULT 6, 0, .lock_cmp, "LOCK CMP with a memory operand (not lockable) raises #UD"
    TRY
.lock_reg: db 0xF0, 0x01, 0xD8  ; LOCK ADD EAX, EBX (register destination)
    END_TRY
    CHECK_FAULT 6, 0, .lock_reg, "LOCK ADD with a register destination raises #UD"
    mov dword [scratch_word], 1
    TRY
    mov eax, 2
    lock add [scratch_word], eax
    END_TRY
    CHECK_NO_FAULT "LOCK ADD to memory is allowed"
    CHECK_EQ dword [scratch_word], 3, "LOCK ADD to memory adds"
    ret

test_selectors:
    TRY
    mov ax, SEL_BEYOND | 3
.beyond: mov ds, ax
    END_TRY
    CHECK_FAULT 13, SEL_BEYOND, .beyond, "MOV DS past the GDT limit: #GP(selector), RPL dropped"
    TRY
    mov ax, SEL_XONLY
.xonly: mov ds, ax
    END_TRY
    CHECK_FAULT 13, SEL_XONLY, .xonly, "MOV DS, execute-only code segment: #GP(selector)"
    TRY
    mov ax, UDATA | 3
.ss3: mov ss, ax
    END_TRY
    CHECK_FAULT 13, UDATA, .ss3, "MOV SS with RPL/DPL 3 at CPL 0: #GP(selector)"
    TRY
    xor ax, ax
    mov es, ax
    mov ax, KDATA
    mov es, ax
    END_TRY
    CHECK_NO_FAULT "MOV ES, null selector is allowed"
    TRY
.jmp_data: jmp KDATA:0
    END_TRY
    CHECK_FAULT 13, KDATA, .jmp_data, "far JMP to a data segment: #GP(selector)"
    TRY
.jmp_limit: jmp SEL_SMALLCODE:0x1000
    END_TRY
    CHECK_FAULT 13, 0, .jmp_limit, "far JMP past the code segment limit: #GP(0)"
    ret

test_not_present:
    TRY
    mov ax, SEL_ABSENT
.ds: mov ds, ax
    END_TRY
    CHECK_FAULT 11, SEL_ABSENT, .ds, "MOV DS, not-present segment: #NP(selector)"
    TRY
    mov ax, SEL_ABSENT
.ss: mov ss, ax
    END_TRY
    CHECK_FAULT 12, SEL_ABSENT, .ss, "MOV SS, not-present segment: #SS(selector)"
    SET_GATE ABSENT_VECTOR, fault_common, 0x0E      ; P=0
    TRY
.int: int ABSENT_VECTOR
    END_TRY
    RESET_GATE ABSENT_VECTOR
    CHECK_FAULT 11, ABSENT_VECTOR * 8 + 2, .int, "INT through a not-present gate: #NP(vector*8+2)"
    ret

test_user_privilege:
    TRY
    mov ebx, user_int_dpl0
    call run_user
    END_TRY
    CHECK_FAULT 13, 0x40 * 8 + 2, user_int_dpl0, "INT 0x40 at CPL 3 through a DPL 0 gate: #GP(vector*8+2)"
    TRY
    mov ebx, user_hlt
    call run_user
    END_TRY
    CHECK_FAULT 13, 0, user_hlt, "HLT at CPL 3: #GP(0)"
    CHECK_EQ dword [fault_cs], UCODE | 3, "the #GP frame holds the CPL 3 CS"
    CHECK_EQ dword [fault_esp], USER_STACK_TOP, "the #GP frame holds the CPL 3 ESP"
    ret

user_int_dpl0:
    int 0x40
    int USER_EXIT_VECTOR
user_hlt:
    hlt
    int USER_EXIT_VECTOR

test_traps:
    TRY
    mov eax, 25
.bound: bound eax, [bounds_10_20]
    END_TRY
    CHECK_FAULT 5, 0, .bound, "BOUND out of range raises #BR at the BOUND"
    TRY
    mov eax, 15
    bound eax, [bounds_10_20]
    END_TRY
    CHECK_NO_FAULT "BOUND in range does nothing"
    TRY
    mov al, 0x7F
    add al, 1                   ; OF=1
    into
.after_into:
    END_TRY
    CHECK_FAULT 4, 0, .after_into, "INTO with OF=1 traps (#OF, EIP after INTO)"
    TRY
    mov al, 1
    add al, 1                   ; OF=0
    into
    END_TRY
    CHECK_NO_FAULT "INTO with OF=0 does nothing"
    TRY
    int3
.after_int3:
    END_TRY
    CHECK_FAULT 3, 0, .after_int3, "INT3 traps (#BP, EIP after the 1-byte INT3)"
    TRY
    int 3
.after_int_3:
    END_TRY
    CHECK_FAULT 3, 0, .after_int_3, "INT 3 (CD 03) traps with EIP after 2 bytes"
    ret

; #GP while the #GP gate is not present: delivering #GP raises #NP, and two
; contributory exceptions make #DF (SDM Vol. 3A, 6.15 "Interrupt 8").
test_double_fault_interrupt_gate:
    SET_GATE 13, fault_common, 0x0E     ; P=0
    TRY
    mov ax, SEL_BEYOND
    mov ds, ax
    END_TRY
    RESET_GATE 13
    CHECK_FAULT 8, 0, ANY, "#GP with a not-present #GP gate: #DF(0) through an interrupt gate"
    ret

test_double_fault_task_gate:
    mov edi, DF_TSS_BASE
    mov ecx, (TSS_LIMIT + 1) / 4
    xor eax, eax
    rep stosd
    mov dword [DF_TSS_BASE + TSS_EIP], df_task
    mov dword [DF_TSS_BASE + TSS_EFLAGS], 2
    mov dword [DF_TSS_BASE + TSS_ESP], DF_STACK_TOP
    mov dword [DF_TSS_BASE + TSS_CS], KCODE
    mov eax, KDATA
    mov [DF_TSS_BASE + TSS_SS], eax
    mov [DF_TSS_BASE + TSS_DS], eax
    mov [DF_TSS_BASE + TSS_ES], eax
    mov [DF_TSS_BASE + TSS_FS], eax
    mov [DF_TSS_BASE + TSS_GS], eax
    mov eax, cr3
    mov [DF_TSS_BASE + TSS_CR3], eax
    mov word [DF_TSS_BASE + TSS_IOMAP], TSS_LIMIT + 1
    GDT_ENTRY SEL_DF_TSS, DF_TSS_BASE, TSS_LIMIT, ACC_TSS, FLG_32
    SET_TASK_GATE 8, SEL_DF_TSS
    SET_GATE 13, fault_common, 0x0E     ; P=0
    mov [df_saved_esp], esp
    mov ax, SEL_BEYOND
    mov ds, ax                  ; -> #GP -> #NP -> #DF -> task switch
    ; not reached: the #DF task resumes us at df_back
df_back:
    mov ax, KDATA
    mov ds, ax
    mov esp, [df_saved_esp]
    RESET_GATE 8
    CHECK_EQ dword [df_entered], 1, "#DF through a task gate switches to the #DF task"
    CHECK_EQ dword [df_error], 0, "#DF task: error code 0 on its stack"
    CHECK_EQ dword [df_tr], SEL_DF_TSS, "#DF task: TR = its TSS"
    CHECK_EQ dword [df_link], MAIN_TSS, "#DF task: back link = the interrupted task"
    CHECK_MASK dword [df_eflags], EFL_NT, EFL_NT, "#DF task: EFLAGS.NT=1"
    str ax
    movzx eax, ax
    CHECK_EQ eax, MAIN_TSS, "IRET from the #DF task returns to the main task"
    movzx eax, byte [GDT_BASE + SEL_DF_TSS + 5]
    CHECK_EQ eax, ACC_TSS, "IRET clears the #DF task's busy bit"
    clts
    ret

; The double-fault task: note what it sees, send the interrupted task to
; df_back (its saved CS:EIP is undefined for #DF), fix the #GP gate, IRET.
df_task:
    pop eax
    mov [df_error], eax
    str ax
    movzx eax, ax
    mov [df_tr], eax
    movzx eax, word [DF_TSS_BASE + TSS_LINK]
    mov [df_link], eax
    pushfd
    pop dword [df_eflags]
    inc dword [df_entered]
    mov dword [MAIN_TSS_BASE + TSS_EIP], df_back
    RESET_GATE 13
    iretd
    jmp df_task

; Single step (SDM Vol. 3A, 17.3.1.4): a trap after each instruction that
; starts with TF=1, none after the POPF that sets TF.
test_single_step:
    SET_GATE 1, single_step_handler, GATE_INT0
    xor eax, eax
    mov dr6, eax
    mov dword [step_count], 0
    mov dword [step_stop_at], .stop
    mov ecx, 3
    pushfd
    or dword [esp], EFL_TF
    popfd
    nop
.first_trap:
    mov eax, 1
.loop:
    dec ecx
    jnz .loop
.stop:
    RESET_GATE 1
    CHECK_EQ dword [step_count], 8, "TF=1: one #DB per instruction (NOP, MOV, 3 x DEC/JNZ)"
    CHECK_EQ dword [step_trace], .first_trap, "first single-step trap is after the instruction following POPF"
    CHECK_MASK dword [step_dr6], 0x4000, 0x4000, "single-step #DB sets DR6.BS"
    ret

; MOV SS inhibits the single-step trap until after the next instruction
; (SDM Vol. 3A, 6.8.3).
test_mov_ss_shadow:
    SET_GATE 1, single_step_handler, GATE_INT0
    mov dword [step_count], 0
    mov dword [step_stop_at], .stop
    pushfd
    or dword [esp], EFL_TF
    popfd
    nop
.a: mov ax, ss
.b: mov ss, ax
    nop
.stop:
    RESET_GATE 1
    CHECK_EQ dword [step_count], 3, "MOV SS: no single-step trap right after it"
    CHECK_EQ dword [step_trace + 4], .b, "trap before MOV SS is after MOV AX,SS"
    CHECK_EQ dword [step_trace + 8], .stop, "next trap comes after the instruction following MOV SS"
    ret

; #DB handler: log the trapped EIP; clear TF in the frame at step_stop_at.
single_step_handler:
    push eax
    push ebx
    mov eax, [esp + 8]
    mov ebx, [step_count]
    cmp ebx, 16
    jae .full
    mov [step_trace + ebx * 4], eax
.full:
    inc dword [step_count]
    cmp eax, [step_stop_at]
    jne .go_on
    and dword [esp + 16], ~EFL_TF
.go_on:
    mov eax, dr6
    mov [step_dr6], eax
    pop ebx
    pop eax
    iretd

align 4
scratch_word:   dd 0
bounds_10_20:   dd 10, 20
df_saved_esp:   dd 0
df_entered:     dd 0
df_error:       dd 0xFFFFFFFF
df_tr:          dd 0
df_link:        dd 0
df_eflags:      dd 0
step_count:     dd 0
step_stop_at:   dd 0
step_dr6:       dd 0
step_trace:     times 16 dd 0

%include "lib/end.inc"
