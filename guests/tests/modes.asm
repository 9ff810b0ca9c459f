; modes.asm - operating modes: protected -> real -> protected, real-mode
; interrupts through the IVT, unreal mode, a 16-bit protected-mode code
; segment, and virtual-8086 mode (entry by IRET, INT to a protected-mode
; handler, IOPL-sensitive instructions).
;
; All 16-bit code lives in one blob that is copied to LOW_BLOB (0x8000) and
; runs with a segment base of 0x8000 (CODE16 in protected mode, CS=0x0800 in
; real and v8086 mode), so B(label) is its offset in every mode.

%include "lib/start.inc"

%define B(x) ((x) - blob_start)
BLOB_SEG        equ LOW_BLOB >> 4
RM_STACK_TOP    equ 0x7C00
V86_STACK_TOP   equ 0x7000
UNREAL_ADDR     equ 0x2FF000    ; above 1 MiB: reachable only with a big limit
UNREAL_MAGIC    equ 0xC0FFEE11
SEG_TEST        equ 0x2000      ; real-mode segment for the base*16 check
V86_INT         equ 0x30

tests_main:
    mov esi, blob_start
    mov edi, LOW_BLOB
    mov ecx, blob_end - blob_start
    rep movsb
    call test_real_mode
    call test_pm16
    call test_v86_int
    call test_v86_iopl
    ret

; --- protected -> real -> protected (SDM Vol. 3A, 9.9.2 and 9.9.1) --------
test_real_mode:
    ; Our own IVT entries for INT 0x60 and #DE; the BIOS ones are put back.
    push dword [0x60 * 4]
    push dword [13 * 4]
    push dword [0]
    mov dword [0x60 * 4], (BLOB_SEG << 16) | B(rm_int60)
    mov dword [13 * 4], (BLOB_SEG << 16) | B(rm_general_protection)
    mov dword [0], (BLOB_SEG << 16) | B(rm_divide_error)
    mov dword [UNREAL_ADDR], UNREAL_MAGIC
    mov word [SEG_TEST * 16 + 0x10], 0
    sidt [LOW_BLOB + B(rm_pm_idtr)]
    mov [rm_saved_esp], esp
    ; FS keeps the flat 4 GiB KDATA descriptor: its limit must survive.
    mov ax, KDATA
    mov fs, ax
    jmp CODE16:B(rm_enter16)
rm_back_in_pm:
    mov ax, KDATA
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, [rm_saved_esp]
    pop dword [0]
    pop dword [13 * 4]
    pop dword [0x60 * 4]
    CHECK_MASK dword [LOW_BLOB + B(rm_cr0)], CR0_PE, 0, "real mode: CR0.PE reads 0"
    CHECK_EQ dword [LOW_BLOB + B(rm_int_ax)], 0xBEEF, "real mode: INT 0x60 runs the IVT handler"
    CHECK_EQ dword [LOW_BLOB + B(rm_frame_ip)], B(rm_after_int), "real mode: INT pushes the return IP"
    CHECK_EQ dword [LOW_BLOB + B(rm_frame_cs)], BLOB_SEG, "real mode: INT pushes CS"
    CHECK_EQ dword [LOW_BLOB + B(rm_handler_sp)], RM_STACK_TOP - 6, "real mode: INT pushes 3 words (FLAGS, CS, IP)"
    CHECK_EQ dword [LOW_BLOB + B(rm_div_ip)], B(rm_div), "real mode: #DE through IVT[0] pushes the DIV's IP"
    movzx eax, word [SEG_TEST * 16 + 0x10]
    CHECK_EQ eax, 0xA55A, "real mode: linear address = segment * 16 + offset"
    CHECK_EQ dword [LOW_BLOB + B(rm_unreal_value)], UNREAL_MAGIC, "unreal mode: FS keeps its 4 GiB limit in real mode"
    mov eax, cs
    CHECK_EQ eax, KCODE, "back in protected mode with CS=KCODE"
    TRY
.ud: ud2
    END_TRY
    CHECK_FAULT 6, 0, .ud, "protected-mode IDT is active again after the round trip"
    ret

; --- 16-bit protected-mode code segment -----------------------------------
test_pm16:
    mov eax, 0x11111111
    call CODE16:B(pm16_proc)    ; 32-bit far call; the callee returns with o32 retf
    CHECK_EQ eax, 0x11112222, "16-bit code segment: B8 imm16 is MOV AX (upper EAX kept)"
    CHECK_EQ dword [LOW_BLOB + B(pm16_push_size)], 2, "16-bit code segment: PUSH AX moves ESP by 2"
    CHECK_EQ dword [LOW_BLOB + B(pm16_cs)], CODE16, "16-bit code segment: CS=CODE16 inside"
    ret

; --- virtual-8086 mode (SDM Vol. 3A, 20.2-20.3) -----------------------------
; enter_v86: EAX = EFLAGS for the v8086 task (VM is added), EBX = IP.
enter_v86:
    push dword 0                ; GS
    push dword 0                ; FS
    push dword 0                ; DS
    push dword 0                ; ES
    push dword 0                ; SS
    push dword V86_STACK_TOP    ; ESP
    or eax, EFL_VM | 2
    push eax                    ; EFLAGS
    push dword BLOB_SEG         ; CS
    push ebx                    ; EIP
    iretd

test_v86_int:
    SET_GATE V86_INT, v86_int_handler, GATE_INT3
    mov word [0x12340 + 0x10], 0
    TRY
    mov eax, EFL_IOPL3
    mov ebx, B(v86_entry)
    call enter_v86
    END_TRY
    RESET_GATE V86_INT
    CHECK_EQ dword [v86_handler_called], 1, "v8086: INT n with IOPL=3 goes to the protected-mode handler"
    movzx eax, word [0x12340 + 0x10]
    CHECK_EQ eax, 0xA55A, "v8086: DS=0x1234 addresses linear 0x12340"
    CHECK_EQ dword [v86_frame + 0], B(v86_after_int), "v8086 INT frame: EIP after the INT"
    CHECK_MASK dword [v86_frame + 4], 0xFFFF, BLOB_SEG, "v8086 INT frame: CS"
    CHECK_MASK dword [v86_frame + 8], EFL_VM | EFL_IOPL3, EFL_VM | EFL_IOPL3, "v8086 INT frame: EFLAGS has VM=1, IOPL=3"
    CHECK_EQ dword [v86_frame + 12], V86_STACK_TOP, "v8086 INT frame: ESP"
    CHECK_MASK dword [v86_frame + 16], 0xFFFF, 0, "v8086 INT frame: SS"
    CHECK_MASK dword [v86_frame + 20], 0xFFFF, 0x2345, "v8086 INT frame: ES"
    CHECK_MASK dword [v86_frame + 24], 0xFFFF, 0x1234, "v8086 INT frame: DS"
    CHECK_MASK dword [v86_frame + 28], 0xFFFF, 0x3456, "v8086 INT frame: FS"
    CHECK_MASK dword [v86_frame + 32], 0xFFFF, 0x4567, "v8086 INT frame: GS"
    CHECK_EQ dword [v86_handler_esp], RING0_STACK_TOP - 36, "v8086 INT: 9 dwords pushed on the TSS ring-0 stack"
    CHECK_EQ dword [v86_handler_segs], 0, "v8086 INT: DS, ES, FS, GS are null in the handler"
    ret

test_v86_iopl:
    TRY
    xor eax, eax                ; IOPL=0
    mov ebx, B(v86_cli)
    call enter_v86
    END_TRY
    CHECK_FAULT 13, 0, B(v86_cli), "v8086: CLI with IOPL=0 raises #GP(0)"
    CHECK_EQ dword [fault_cs], BLOB_SEG, "v8086: #GP frame holds the v8086 CS"
    CHECK_MASK dword [fault_eflags], EFL_VM, EFL_VM, "v8086: #GP frame EFLAGS has VM=1"
    TRY
    xor eax, eax
    mov ebx, B(v86_int_insn)
    call enter_v86
    END_TRY
    CHECK_FAULT 13, 0, B(v86_int_insn), "v8086: INT n with IOPL=0 raises #GP(0)"
    ret

; INT 0x30 from v8086 mode: save the frame and the data segments, then leave.
v86_int_handler:
    mov [ss:v86_handler_esp], esp
    push eax
    mov eax, ds
    mov [ss:v86_handler_segs], eax
    mov eax, es
    or [ss:v86_handler_segs], eax
    mov eax, fs
    or [ss:v86_handler_segs], eax
    mov eax, gs
    or [ss:v86_handler_segs], eax
    pop eax
    mov ax, KDATA
    mov ds, ax
    mov es, ax
    mov esi, esp
    mov edi, v86_frame
    mov ecx, 9
    rep movsd
    inc dword [v86_handler_called]
    jmp resume_at_recovery

align 4
rm_saved_esp:       dd 0
v86_handler_called: dd 0
v86_handler_esp:    dd 0
v86_handler_segs:   dd 0xFFFF
v86_frame:          times 9 dd 0

; ===========================================================================
; The 16-bit blob. Runs at 0x8000 with segment base 0x8000.
; ===========================================================================
align 16
blob_start:
[bits 16]
; Entered by a far JMP from 32-bit code: 16-bit protected mode, CS=CODE16.
rm_enter16:
    mov ax, DATA16              ; 64 KiB limits for real mode (SDM 9.9.2 step 4)
    mov ds, ax
    mov es, ax
    mov gs, ax
    mov ss, ax
    mov esp, RM_STACK_TOP
    lidt [cs:B(rm_ivt_idtr)]
    mov eax, cr0
    and eax, ~CR0_PE
    mov cr0, eax
    jmp BLOB_SEG:B(rm_real)
rm_real:
    mov ax, BLOB_SEG
    mov ds, ax
    xor ax, ax
    mov ss, ax
    mov esp, RM_STACK_TOP
    mov eax, cr0
    mov [B(rm_cr0)], eax
    xor ax, ax
    int 0x60
rm_after_int:
    mov [B(rm_int_ax)], ax
    mov ax, 1
    xor bl, bl
rm_div:
    div bl
rm_div_resume:
    mov ax, SEG_TEST
    mov es, ax
    mov word [es:0x10], 0xA55A
    xor ax, ax
    mov fs, ax                  ; real-mode load: base 0, limit untouched
    mov eax, [fs:dword UNREAL_ADDR]
    mov [B(rm_unreal_value)], eax
rm_unreal_resume:
    o32 lidt [B(rm_pm_idtr)]
    mov eax, cr0
    or eax, CR0_PE
    mov cr0, eax
    jmp dword KCODE:rm_back_in_pm

rm_int60:
    mov [B(rm_handler_sp)], sp
    push bp
    mov bp, sp
    mov ax, [bp + 2]
    mov [B(rm_frame_ip)], ax
    mov ax, [bp + 4]
    mov [B(rm_frame_cs)], ax
    pop bp
    mov ax, 0xBEEF
    iret

; #DE in real mode: the pushed IP is the DIV itself; skip it.
rm_divide_error:
    push bp
    mov bp, sp
    mov ax, [bp + 2]
    mov [B(rm_div_ip)], ax
    mov word [bp + 2], B(rm_div_resume)
    pop bp
    iret

; #GP in real mode (a limit violation if the big FS limit was lost): note it
; and continue after the unreal access instead of hanging in the BIOS.
rm_general_protection:
    push bp
    mov bp, sp
    mov dword [B(rm_unreal_value)], 0xDEAD000D
    mov word [bp + 2], B(rm_unreal_resume)
    pop bp
    iret

; Called from 32-bit code with a 32-bit far CALL.
pm16_proc:
    db 0xB8, 0x22, 0x22         ; MOV AX, 0x2222 under a 16-bit CS
    mov ebx, esp
    push ax
    mov ecx, esp
    pop dx
    sub ebx, ecx
    mov [dword LOW_BLOB + B(pm16_push_size)], ebx
    mov dx, cs
    mov [dword LOW_BLOB + B(pm16_cs)], dx
    o32 retf

; v8086 code, entered by IRET with VM=1.
v86_entry:
    mov ax, 0x1234
    mov ds, ax
    mov ax, 0x2345
    mov es, ax
    mov ax, 0x3456
    mov fs, ax
    mov ax, 0x4567
    mov gs, ax
    mov word [0x10], 0xA55A
v86_cli:
    cli
v86_int_insn:
    int V86_INT
v86_after_int:
    jmp v86_after_int

align 4
rm_ivt_idtr:        dw 0x3FF
                    dd 0
rm_pm_idtr:         dw 0
                    dd 0
align 4
rm_cr0:             dd 0xFFFFFFFF
rm_int_ax:          dd 0
rm_frame_ip:        dd 0
rm_frame_cs:        dd 0
rm_handler_sp:      dd 0
rm_div_ip:          dd 0
rm_unreal_value:    dd 0
pm16_push_size:     dd 0
pm16_cs:            dd 0
blob_end:
[bits 32]

%include "lib/end.inc"
