; reset.asm - the three ways a PC guest resets itself, one per run, chosen
; by a word on the Multiboot command line:
;   cf9     the reset control register: 0x02, then 0x06 (SYS_RST | RST_CPU;
;           PIIX4 datasheet, RC register; Linux's reboot=pci)
;   kbd     the i8042's pulse-output-port command 0xFE (bit 0 is the CPU
;           reset line)
;   triple  a triple fault: an empty IDT turns INT3 into #GP, #DF, shutdown
; The plan and summary are printed first: the runner requires the run to end
; with a reset (for a triple fault, the shutdown cycle a PC resets on) right
; after them. If the machine still runs 100 ms later, a failed check follows.

%include "lib/start.inc"
%include "devlib/macros.inc"

MB_INFO_CMDLINE equ 1 << 2      ; Multiboot info flags: cmdline is valid

tests_main:
    call tsc_calibrate
    call find_method
    test eax, eax
    jnz .known
    FAIL "the command line names a reset method (cf9, kbd or triple)"
    ret
.known:
    mov [method], eax
    PASS "the command line names a reset method (cf9, kbd or triple)"
    PRINT "# method: "
    mov esi, [method]
    mov esi, [esi]
    call puts
    call put_newline
    call test_fadt_reset_reg
    call tap_summary
    jc .end
    mov esi, [method]
    call [esi + 4]
    mov eax, 100000
    call delay_us
    FAIL "the machine was reset"
.end:
    ret

; The FADT's reset register (ACPI 6.5, 5.2.9 and 4.8.3.6), when its flag
; RESET_REG_SUP says there is one, is the I/O port 0xCF9 that the cf9
; method writes.
test_fadt_reset_reg:
    mov eax, "FACP"
    call acpi_find_table
    test eax, eax
    jz .none
    cmp dword [eax + 4], 129    ; long enough for RESET_REG and RESET_VALUE
    jb .none
    test dword [eax + 112], 1 << 10
    jz .none
    movzx ebx, byte [eax + 116] ; address space: 1 = system I/O
    mov ecx, [eax + 120]
    movzx edx, byte [eax + 128]
    NOTE_HEX "FADT RESET_VALUE:", edx
    shl ebx, 16
    or ebx, ecx
    CHECK_EQ ebx, 0x10CF9, "the FADT's reset register is I/O port 0xCF9"
    ret
.none:
    SKIP "the FADT's reset register is I/O port 0xCF9", "no FADT reset register"
    ret

; find_method: EAX = the methods entry whose word is in the Multiboot
; command line, or 0.
find_method:
    push ebx
    push esi
    push edi
    mov ebx, [boot_ebx]
    xor eax, eax
    test dword [ebx], MB_INFO_CMDLINE
    jz .out
    mov edi, [ebx + 16]
    mov ebx, methods
.method:
    cmp dword [ebx], 0
    je .none
    mov esi, [ebx]
    call contains
    test eax, eax
    jnz .found
    add ebx, 8
    jmp .method
.found:
    mov eax, ebx
    jmp .out
.none:
    xor eax, eax
.out:
    pop edi
    pop esi
    pop ebx
    ret

; contains: EDI = text, ESI = word (both zero-terminated). EAX = 1 when the
; word occurs in the text as a whole word (QEMU puts the kernel's path
; before the command line; a word inside the path does not count).
contains:
    push ebx
    push ecx
    push edx
    mov ebx, edi
.start:
    cmp byte [ebx], 0
    je .no
    cmp ebx, edi
    je .boundary
    cmp byte [ebx - 1], ' '
    jne .advance
.boundary:
    xor ecx, ecx
.compare:
    mov dl, [esi + ecx]
    test dl, dl
    jz .end_of_word
    cmp dl, [ebx + ecx]
    jne .advance
    inc ecx
    jmp .compare
.end_of_word:
    mov dl, [ebx + ecx]
    test dl, dl
    jz .yes
    cmp dl, ' '
    je .yes
.advance:
    inc ebx
    jmp .start
.yes:
    mov eax, 1
    jmp .out
.no:
    xor eax, eax
.out:
    pop edx
    pop ecx
    pop ebx
    ret

reset_cf9:
    mov dx, 0xCF9
    mov al, 0x02
    out dx, al
    mov al, 0x06
    out dx, al
    ret

reset_kbd:
    call kbd_wait_input_empty
    mov al, 0xFE
    out KBD_STATUS, al
    ret

reset_triple:
    lidt [empty_idt]
    int3
    ret

align 4
method:         dd 0
; word, routine; a 0 word ends the list.
methods:        dd s_cf9, reset_cf9, s_kbd, reset_kbd, s_triple, reset_triple, 0, 0
empty_idt:      dw 0
                dd 0
s_cf9:          db "cf9", 0
s_kbd:          db "kbd", 0
s_triple:       db "triple", 0

%include "devlib/irq.inc"
%include "devlib/timing.inc"
%include "devlib/i8042.inc"
%include "devlib/acpi.inc"
%include "devlib/tapx.inc"
%include "lib/end.inc"
