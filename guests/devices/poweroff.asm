; poweroff.asm - ACPI soft-off (ACPI 6.5, 7.4.2 \_Sx and 4.8.3.2 PM1
; control): find the FADT through the RSDP and RSDT, find \_S5 in the
; DSDT's AML and take SLP_TYPa from its package (QEMU's is 0, tsvm's 5),
; enter ACPI mode through SMI_CMD if SCI_EN is clear, then write
; SLP_TYPa | SLP_EN to PM1a_CNT. The plan and summary are printed first:
; the runner requires the run to end in a power-off right after them. If
; the machine is still running 100 ms later, a failed check follows.

%include "lib/start.inc"
%include "devlib/macros.inc"

SCI_EN          equ 1 << 0
SLP_EN          equ 1 << 13
AML_NAME_OP     equ 0x08
AML_PACKAGE_OP  equ 0x12

tests_main:
    call tsc_calibrate
    call acpi_find_rsdp
    mov [rsdp], eax
    CHECK_RANGE eax, 1, 0xFFFFFFFF, "an RSDP with a valid checksum is found"
    mov eax, "FACP"
    call acpi_find_table
    mov [fadt], eax
    test eax, eax
    jnz .fadt
    FAIL "the FADT (FACP) is listed in the RSDT with a valid checksum"
    ret
.fadt:
    PASS "the FADT (FACP) is listed in the RSDT with a valid checksum"
    mov ebx, [eax + 40]         ; DSDT
    mov [dsdt], ebx
    cmp dword [ebx], "DSDT"
    jne .no_dsdt
    mov esi, ebx
    mov ecx, [ebx + 4]
    call acpi_sum
    test al, al
    jnz .no_dsdt
    PASS "the FADT's DSDT has its signature and a valid checksum"
    jmp .dsdt_ok
.no_dsdt:
    FAIL "the FADT's DSDT has its signature and a valid checksum"
    ret
.dsdt_ok:
    call find_s5
    jnc .s5
    FAIL "the DSDT defines \_S5 as a package with an integer SLP_TYPa"
    ret
.s5:
    mov [slp_typ], eax
    PASS "the DSDT defines \_S5 as a package with an integer SLP_TYPa"
    NOTE_DEC "\_S5 SLP_TYPa:", eax
    CHECK_RANGE eax, 0, 7, "SLP_TYPa fits the 3-bit PM1_CNT field"
    mov ebx, [fadt]
    mov edx, [ebx + 64]         ; PM1a_CNT_BLK
    mov [pm1a_cnt], edx
    NOTE_HEX "PM1a_CNT_BLK:", edx
    CHECK_RANGE edx, 1, 0xFFFF, "PM1a_CNT_BLK is an I/O port"
    call acpi_enable
    mov dx, [pm1a_cnt]
    in ax, dx
    movzx eax, ax
    CHECK_MASK eax, SCI_EN, SCI_EN, "PM1a_CNT.SCI_EN: the platform is in ACPI mode"
    call tap_summary
    jc .end
    mov dx, [pm1a_cnt]
    in ax, dx
    and ax, ~(SLP_EN | (7 << 10)) & 0xFFFF
    mov ecx, [slp_typ]
    shl ecx, 10
    or ax, cx
    or ax, SLP_EN
    out dx, ax
    mov eax, 100000
    call delay_us
    FAIL "the machine is off after SLP_TYPa | SLP_EN"
.end:
    ret

; acpi_enable: when SCI_EN is clear and the FADT has an SMI command port,
; writes ACPI_ENABLE there and waits (up to 100 ms) for SCI_EN (ACPI 6.5,
; 16.3.1). tsvm's FADT has SMI_CMD 0: it is always in ACPI mode.
acpi_enable:
    pushad
    mov dx, [pm1a_cnt]
    in ax, dx
    test ax, SCI_EN
    jnz .out
    mov ebx, [fadt]
    mov edx, [ebx + 48]         ; SMI_CMD
    test edx, edx
    jz .out
    mov al, [ebx + 52]          ; ACPI_ENABLE
    out dx, al
    call tsc_now
    mov esi, eax
.wait:
    mov dx, [pm1a_cnt]
    in ax, dx
    test ax, SCI_EN
    jnz .out
    mov eax, esi
    call tsc_elapsed_us
    cmp eax, 100000
    jb .wait
.out:
    popad
    ret

; find_s5: searches the DSDT's AML for the name _S5_ after a NameOp
; (possibly with a root prefix), followed by a package. Returns EAX = its
; first element (ZeroOp, OneOp or a BytePrefix constant), CF=1 if absent.
find_s5:
    push ebx
    push ecx
    push esi
    mov esi, [dsdt]
    mov ecx, [esi + 4]
    lea ebx, [esi + ecx - 8]    ; last place a match can start
    add esi, 36
.scan:
    cmp esi, ebx
    jae .absent
    cmp dword [esi], "_S5_"
    jne .next
    cmp byte [esi - 1], AML_NAME_OP
    je .name
    cmp byte [esi - 1], '\'
    jne .next
    cmp byte [esi - 2], AML_NAME_OP
    jne .next
.name:
    cmp byte [esi + 4], AML_PACKAGE_OP
    jne .next
    movzx eax, byte [esi + 5]   ; PkgLength lead byte: bits 7-6 = extra bytes
    shr eax, 6
    lea esi, [esi + 6 + eax]    ; NumElements
    inc esi                     ; first element
    movzx eax, byte [esi]
    cmp al, 0x00                ; ZeroOp
    je .found
    cmp al, 0x01                ; OneOp
    je .found
    cmp al, 0x0A                ; BytePrefix
    jne .absent
    movzx eax, byte [esi + 1]
.found:
    clc
    jmp .out
.next:
    inc esi
    jmp .scan
.absent:
    stc
.out:
    pop esi
    pop ecx
    pop ebx
    ret

align 4
rsdp:           dd 0
fadt:           dd 0
dsdt:           dd 0
slp_typ:        dd 0
pm1a_cnt:       dd 0

%include "devlib/irq.inc"
%include "devlib/timing.inc"
%include "devlib/acpi.inc"
%include "devlib/tapx.inc"
%include "lib/end.inc"
