; fwcfg.asm - QEMU's firmware configuration device on I/O ports (QEMU
; docs/specs/fw_cfg.rst): the "QEMU" signature and the feature ID, the CPU
; count, the file directory (well formed), one file read byte by byte
; through the data port, then with the DMA interface when the ID offers it:
; the "QEMU CFG" signature, a DMA read equal to the port read, select+skip
; then read, zero fill past the end, and the error bit for a DMA write to a
; read-only item.

%include "lib/start.inc"
%include "devlib/macros.inc"

FW_CFG_SEL      equ 0x510
FW_CFG_DATA     equ 0x511
FW_CFG_DMA      equ 0x514
KEY_SIGNATURE   equ 0x0000
KEY_ID          equ 0x0001
KEY_NB_CPUS     equ 0x0005
KEY_FILE_DIR    equ 0x0019
DMA_ERROR       equ 0x01
DMA_READ        equ 0x02
DMA_SKIP        equ 0x04
DMA_SELECT      equ 0x08
DMA_WRITE       equ 0x10
DIR_BUF         equ SCRATCH             ; the directory: count * 64 bytes
PORT_BUF        equ SCRATCH + 0x10000   ; the file read through the data port
DMA_BUF         equ SCRATCH + 0x12000   ; the same file by DMA
DMA_DESC        equ SCRATCH + 0x14000   ; FWCfgDmaAccess, 16 bytes
MAX_FILE        equ 4096

tests_main:
    call test_signature
    call test_items
    call test_directory
    call test_port_read
    test dword [fw_id], 2
    jnz .dma
    SKIP "DMA interface", "fw_cfg ID has no DMA bit"
    ret
.dma:
    call test_dma
    ret

; fw_select: AX = key.
fw_select:
    push edx
    mov dx, FW_CFG_SEL
    out dx, ax
    pop edx
    ret

; fw_read: EDI = buffer, ECX = bytes; reads them from the data port.
fw_read:
    push ecx
    push edx
    push edi
    mov dx, FW_CFG_DATA
    rep insb
    pop edi
    pop edx
    pop ecx
    ret

; fw_read_dword: AX = key; EAX = its first 4 bytes (little-endian).
fw_read_dword:
    push ecx
    push edi
    call fw_select
    mov edi, scratch_dword
    mov ecx, 4
    call fw_read
    mov eax, [scratch_dword]
    pop edi
    pop ecx
    ret

test_signature:
    mov ax, KEY_SIGNATURE
    call fw_read_dword
    CHECK_EQ eax, "QEMU", "selector 0 reads the signature QEMU"
    mov ax, KEY_ID
    call fw_read_dword
    mov [fw_id], eax
    NOTE_HEX "feature ID:", eax
    CHECK_MASK eax, 1, 1, "ID: the traditional (port) interface is there"
    ret

test_items:
    mov ax, KEY_NB_CPUS
    call fw_read_dword
    and eax, 0xFFFF
    CHECK_EQ eax, 1, "NB_CPUS: 1 vCPU"
    ret

; bswap of the big-endian fields of the directory and DMA descriptors.
test_directory:
    mov ax, KEY_FILE_DIR
    call fw_read_dword
    bswap eax
    mov [dir_count], eax
    NOTE_DEC "files in the directory:", eax
    CHECK_RANGE eax, 1, 255, "the file directory has between 1 and 255 files"
    mov ecx, [dir_count]
    cmp ecx, 255
    jbe .count_ok
    mov ecx, 255
    mov [dir_count], ecx
.count_ok:
    shl ecx, 6
    mov edi, DIR_BUF
    call fw_read                ; the entries follow the count
    ; Every entry: select >= 0x20, a name of 1-55 characters, no two selects alike.
    xor ebx, ebx                ; bad entries
    xor ecx, ecx
.entry:
    cmp ecx, [dir_count]
    jae .checked
    mov esi, ecx
    shl esi, 6
    add esi, DIR_BUF
    movzx eax, word [esi + 4]
    xchg al, ah
    cmp eax, 0x20
    jb .bad
    cmp byte [esi + 8], 0
    je .bad
    push ecx
    lea edi, [esi + 8]
    mov ecx, 56
    xor al, al
    repne scasb
    pop ecx
    jne .bad
    mov edx, ecx                ; compare the select with the later entries
.other:
    inc edx
    cmp edx, [dir_count]
    jae .next
    mov edi, edx
    shl edi, 6
    mov ax, [DIR_BUF + edi + 4]
    cmp ax, [esi + 4]
    jne .other
.bad:
    inc ebx
.next:
    inc ecx
    jmp .entry
.checked:
    CHECK_EQ ebx, 0, "every directory entry has a file select >= 0x20, a NUL-terminated name, a select of its own"
    ; The first file of 2 bytes to 4 KiB is read below.
    xor ecx, ecx
.find:
    cmp ecx, [dir_count]
    jae .none
    mov esi, ecx
    shl esi, 6
    add esi, DIR_BUF
    mov eax, [esi]
    bswap eax
    cmp eax, 2
    jb .skip
    cmp eax, MAX_FILE
    ja .skip
    mov [file_size], eax
    movzx eax, word [esi + 4]
    xchg al, ah
    mov [file_select], eax
    lea eax, [esi + 8]
    mov [file_name], eax
    PRINT "# reading file "
    push esi
    mov esi, [file_name]
    call puts
    pop esi
    call put_newline
    PASS "a file of 2 bytes to 4 KiB is listed"
    ret
.skip:
    inc ecx
    jmp .find
.none:
    FAIL "a file of 2 bytes to 4 KiB is listed"
    ret

test_port_read:
    cmp dword [file_size], 0
    je .out
    mov ax, [file_select]
    call fw_select
    mov edi, PORT_BUF
    mov ecx, [file_size]
    call fw_read
    mov dx, FW_CFG_DATA
    in al, dx
    movzx eax, al
    CHECK_EQ eax, 0, "the data port reads 0 past the end of the file"
    mov ax, [file_select]
    call fw_select
    mov edi, scratch_dword
    mov ecx, 4
    call fw_read
    CHECK_BYTES scratch_dword, PORT_BUF, 4, "selecting the file again restarts it at offset 0"
.out:
    ret

; fw_dma: EAX = control (host order), ECX = length, EBX = guest address.
; Runs one transfer; returns EAX = the control word afterwards (host order).
fw_dma:
    push edx
    bswap eax
    mov [DMA_DESC], eax
    bswap ecx
    mov [DMA_DESC + 4], ecx
    bswap ecx
    mov dword [DMA_DESC + 8], 0
    bswap ebx
    mov [DMA_DESC + 12], ebx
    bswap ebx
    mov dx, FW_CFG_DMA
    xor eax, eax
    out dx, eax                 ; address bits 63-32 (big-endian)
    mov eax, DMA_DESC
    bswap eax
    add dx, 4
    out dx, eax                 ; bits 31-0: starts the transfer
    mov eax, [DMA_DESC]
    bswap eax
    pop edx
    ret

; fill_dma_buf: DMA_BUF set to 0xAA bytes (MAX_FILE + 64 of them).
fill_dma_buf:
    pushad
    mov edi, DMA_BUF
    mov ecx, MAX_FILE + 64
    mov al, 0xAA
    rep stosb
    popad
    ret

test_dma:
    mov dx, FW_CFG_DMA
    mov edi, dma_signature
    mov ecx, 8
.sig:
    in al, dx
    stosb
    inc dx
    loop .sig
    CHECK_BYTES dma_signature, expected_dma_signature, 8, "the DMA register reads QEMU CFG"
    cmp dword [file_size], 0
    je .out
    ; select + read the whole file
    call fill_dma_buf
    mov eax, [file_select]
    shl eax, 16
    or eax, DMA_SELECT | DMA_READ
    mov ecx, [file_size]
    mov ebx, DMA_BUF
    call fw_dma
    CHECK_EQ eax, 0, "DMA select+read: the control word ends 0 (done, no error)"
    CHECK_BYTES DMA_BUF, PORT_BUF, dword [file_size], "DMA read gives the bytes the data port gave"
    ; select + skip half of it, then read the rest
    call fill_dma_buf
    mov eax, [file_select]
    shl eax, 16
    or eax, DMA_SELECT | DMA_SKIP
    mov ecx, [file_size]
    shr ecx, 1
    mov esi, ecx                ; bytes skipped
    mov ebx, DMA_BUF
    call fw_dma
    mov eax, DMA_READ
    mov ecx, [file_size]
    sub ecx, esi
    call fw_dma
    CHECK_EQ eax, 0, "DMA skip then read: no error"
    add esi, PORT_BUF
    CHECK_BYTES DMA_BUF, esi, ecx, "DMA read after skipping half the file starts there"
    ; read past the end: zeros
    call fill_dma_buf
    mov eax, [file_select]
    shl eax, 16
    or eax, DMA_SELECT | DMA_READ
    mov ecx, [file_size]
    add ecx, 16
    mov ebx, DMA_BUF
    call fw_dma
    mov esi, [file_size]
    add esi, DMA_BUF
    CHECK_BYTES esi, zeros, 16, "DMA read past the end fills with zeros"
    ; a write to the read-only signature
    mov dword [scratch_dword], "XXXX"
    mov eax, (KEY_SIGNATURE << 16) | DMA_SELECT | DMA_WRITE
    mov ecx, 4
    mov ebx, scratch_dword
    call fw_dma
    CHECK_MASK eax, DMA_ERROR, DMA_ERROR, "DMA write to a read-only item sets the error bit"
    mov ax, KEY_SIGNATURE
    call fw_read_dword
    CHECK_EQ eax, "QEMU", "and the item is unchanged"
.out:
    ret

align 4
fw_id:          dd 0
dir_count:      dd 0
file_size:      dd 0
file_select:    dd 0
file_name:      dd 0
scratch_dword:  dd 0
dma_signature:  times 8 db 0
expected_dma_signature: db "QEMU CFG"
zeros:          times 16 db 0

%include "devlib/tapx.inc"
%include "lib/end.inc"
