; uart.asm - the 16550A UART on COM1 (0x3F8, IRQ4; National PC16550D
; datasheet): scratch, divisor latch, IER and LCR registers, FIFO enable,
; loopback mode (modem lines, send and receive, FIFO order, overrun in FIFO
; and 16450 modes, receiver trigger levels and the character timeout, all
; through LSR and IIR), then outside loopback the THR-empty interrupt on
; IRQ4 while sending "tsvm uart\r\n" to the host, which the runner checks.
;
; In loopback a PC's UART cannot interrupt (the datasheet forces OUT2, the
; PC's IRQ enable, inactive), while QEMU still raises IRQ4; IRQ4 stays
; masked at the PIC until the loopback checks are over, so neither
; behaviour is relied on.

%include "lib/start.inc"
%include "devlib/macros.inc"

COM1            equ 0x3F8
RBR             equ COM1 + 0    ; THR on write; DLL with DLAB
IER             equ COM1 + 1    ; DLM with DLAB
IIR             equ COM1 + 2    ; FCR on write
LCR             equ COM1 + 3
MCR             equ COM1 + 4
LSR             equ COM1 + 5
MSR             equ COM1 + 6
SCR             equ COM1 + 7
IRQ4_VEC        equ PIC1_VECTOR + 4
LSR_DR          equ 0x01
LSR_OE          equ 0x02
LSR_THRE        equ 0x20
LSR_TEMT        equ 0x40
MCR_LOOP        equ 0x10
MCR_OUT2        equ 0x08

; OUTB port, value / INB port: byte access to a 16-bit port number.
%macro OUTB 2
    mov dx, %1
    mov al, %2
    out dx, al
%endmacro
%macro INB 1
    mov dx, %1
    in al, dx
    movzx eax, al
%endmacro

tests_main:
    call irq_init
    call legacy_quiet
    call tsc_calibrate
    SET_IRQ_HOOK uart_hook
    call test_registers
    call test_modem_lines
    call test_loopback
    call test_fifo_order
    call test_overrun_fifo
    call test_overrun_16450
    call test_trigger_levels
    call test_thre_interrupt
    ret

; The hook reads IIR (which clears a THR-empty interrupt) and EOIs.
uart_hook:
    push eax
    INB IIR
    mov [hook_iir], eax
    pop eax
    jmp pic_eoi_hook

test_registers:
    OUTB SCR, 0xA5
    INB SCR
    CHECK_EQ eax, 0xA5, "scratch register holds 0xA5"
    OUTB SCR, 0x5A
    INB SCR
    CHECK_EQ eax, 0x5A, "scratch register holds 0x5A"
    OUTB LCR, 0x83              ; DLAB, 8N1
    OUTB RBR, 0x0C              ; divisor 12: 9600 baud
    OUTB IER, 0x00
    INB RBR
    mov ebx, eax
    INB IER
    shl eax, 8
    or eax, ebx
    CHECK_EQ eax, 0x000C, "with DLAB set, offsets 0 and 1 are the divisor latch (12)"
    OUTB LCR, 0x03
    INB LCR
    CHECK_EQ eax, 0x03, "LCR reads back 8N1 with DLAB clear"
    OUTB IER, 0xFF
    INB IER
    CHECK_EQ eax, 0x0F, "IER: bits 0-3 are writable, 4-7 read 0"
    OUTB IER, 0x00
    OUTB IIR, 0x07              ; FCR: enable and clear both FIFOs
    INB IIR
    CHECK_MASK eax, 0xC0, 0xC0, "IIR bits 7-6 show the FIFOs enabled"
    OUTB IIR, 0x00
    INB IIR
    CHECK_EQ eax, 0x01, "FIFOs off, nothing pending: IIR is 0x01"
    ret

; In loopback the outputs DTR, RTS, OUT1, OUT2 come back as DSR, CTS, RI, DCD.
test_modem_lines:
    mov esi, modem_pairs
    xor edi, edi                ; mismatches
.next:
    lodsb
    cmp al, 0xFF
    je .done
    mov dx, MCR
    out dx, al
    lodsb
    mov bl, al
    INB MSR
    and al, 0xF0
    cmp al, bl
    je .next
    inc edi
    jmp .next
.done:
    CHECK_EQ edi, 0, "loopback: MSR bits 7-4 (DCD RI DSR CTS) follow MCR OUT2 OUT1 DTR RTS"
    OUTB MCR, MCR_LOOP
    ret

; uart_send: AL = byte; waits (bounded) for THRE first.
uart_send:
    push eax
    push ecx
    push edx
    mov ah, al
    mov ecx, 1000000
.wait:
    mov dx, LSR
    in al, dx
    test al, LSR_THRE
    jnz .ready
    loop .wait
.ready:
    mov al, ah
    mov dx, COM1
    out dx, al
    pop edx
    pop ecx
    pop eax
    ret

; uart_wait_lsr: BL = LSR bits to wait for (all of them), 50 ms at most.
; CF=1 on timeout.
uart_wait_lsr:
    pushad
    call tsc_now
    mov esi, eax
.poll:
    mov dx, LSR
    in al, dx
    and al, bl
    cmp al, bl
    je .done
    mov eax, esi
    call tsc_elapsed_us
    cmp eax, 50000
    jb .poll
    popad
    stc
    ret
.done:
    popad
    clc
    ret

; char_wait: a few character times at 9600 baud, without reading LSR
; (a read would clear OE).
char_wait:
    push eax
    mov eax, 5000
    call delay_us
    pop eax
    ret

; uart_drain_rx: reads everything received into rx_buf; ECX = how many.
uart_drain_rx:
    push eax
    push edx
    push edi
    mov edi, rx_buf
    xor ecx, ecx
.next:
    mov dx, LSR
    in al, dx
    test al, LSR_DR
    jz .done
    mov dx, RBR
    in al, dx
    cmp ecx, 32
    jae .next
    mov [edi + ecx], al
    inc ecx
    jmp .next
.done:
    pop edi
    pop edx
    pop eax
    ret

; uart_send_block: ESI = bytes, ECX = count; then waits for TEMT (the
; transmitter, and so the loopback, is done).
uart_send_block:
    pushad
.next:
    lodsb
    call uart_send
    loop .next
    mov bl, LSR_TEMT | LSR_THRE
    call uart_wait_lsr
    popad
    ret

test_loopback:
    OUTB MCR, MCR_LOOP
    OUTB IIR, 0x07
    INB LSR
    CHECK_EQ eax, LSR_TEMT | LSR_THRE, "LSR after a FIFO reset: THRE and TEMT only"
    mov al, 0x55
    call uart_send
    mov bl, LSR_DR
    call uart_wait_lsr
    INB LSR
    CHECK_MASK eax, LSR_DR | LSR_TEMT | LSR_THRE, LSR_DR | LSR_TEMT | LSR_THRE, "loopback: the byte sent is received (DR), the transmitter is empty again"
    INB RBR
    CHECK_EQ eax, 0x55, "loopback: RBR holds the byte sent"
    INB LSR
    CHECK_MASK eax, LSR_DR, 0, "reading RBR clears DR"
    ret

test_fifo_order:
    OUTB IIR, 0x07
    mov esi, pattern
    mov ecx, 16
    call uart_send_block
    call uart_drain_rx
    CHECK_EQ ecx, 16, "the receive FIFO holds 16 bytes"
    CHECK_BYTES rx_buf, pattern, 16, "the 16 bytes come out in the order sent"
    ret

; FIFO mode: a 17th byte with the receive FIFO full sets OE and is lost.
test_overrun_fifo:
    OUTB IIR, 0x07
    OUTB IER, 0x04              ; line status interrupt (IRQ4 is masked)
    mov esi, pattern
    mov ecx, 16
    call uart_send_block
    mov al, [pattern + 16]
    call uart_send
    call char_wait
    INB IIR
    CHECK_EQ eax, 0xC6, "overrun: IIR shows a line status interrupt (0xC6)"
    INB LSR
    CHECK_MASK eax, LSR_OE | LSR_DR, LSR_OE | LSR_DR, "overrun: LSR has OE and DR"
    INB LSR
    CHECK_MASK eax, LSR_OE, 0, "reading LSR cleared OE"
    INB IIR
    CHECK_EQ eax, 0xC1, "and the line status interrupt"
    OUTB IER, 0x00
    call uart_drain_rx
    CHECK_EQ ecx, 16, "the FIFO kept 16 bytes"
    CHECK_BYTES rx_buf, pattern, 16, "the bytes kept are the first 16: the 17th was lost"
    ret

; 16450 mode: a second byte before the first was read overwrites it.
test_overrun_16450:
    OUTB IIR, 0x00
    mov esi, pattern
    mov ecx, 1
    call uart_send_block
    mov bl, LSR_DR
    call uart_wait_lsr
    mov al, [pattern + 1]
    call uart_send
    call char_wait
    INB LSR
    CHECK_MASK eax, LSR_OE | LSR_DR, LSR_OE | LSR_DR, "16450 mode: a second byte sets OE"
    INB RBR
    movzx edx, byte [pattern + 1]
    CHECK_EQ eax, edx, "16450 mode: RBR holds the newer byte"
    ret

; trigger_check: AL = FCR value, ECX = trigger level. Sends level-1 bytes
; (no interrupt), then one more (received data available). Returns EAX =
; IIR low nibble below the trigger << 8 | at the trigger.
trigger_check:
    push ebx
    push esi
    mov dx, IIR
    out dx, al
    OUTB IER, 0x01
    mov ebx, ecx
    dec ecx
    mov esi, pattern
    call uart_send_block
    INB IIR
    and eax, 0x0F
    shl eax, 8
    mov ecx, eax
    mov esi, pattern + 31
    push ecx
    mov ecx, 1
    call uart_send_block
    pop ecx
    INB IIR
    and eax, 0x0F
    or eax, ecx
    pop esi
    pop ebx
    ret

test_trigger_levels:
    mov al, 0x47                ; FIFO on and cleared, trigger level 4
    mov ecx, 4
    call trigger_check
    CHECK_EQ eax, 0x0104, "trigger level 4: no interrupt at 3 bytes, received data (IIR 4) at 4"
    INB RBR
    INB IIR
    CHECK_EQ eax, 0xC1, "reading one byte (3 left) takes the FIFO below the trigger"
    mov eax, 10000              ; more than 4 character times at 9600 baud
    call delay_us
    INB IIR
    CHECK_EQ eax, 0xCC, "data below the trigger for 4 character times: timeout interrupt (IIR 0xCC)"
    call uart_drain_rx
    CHECK_EQ ecx, 3, "the other 3 bytes are still there"
    INB IIR
    CHECK_EQ eax, 0xC1, "an empty FIFO ends the timeout interrupt"
    mov al, 0xC7                ; trigger level 14
    mov ecx, 14
    call trigger_check
    CHECK_EQ eax, 0x0104, "trigger level 14: no interrupt at 13 bytes, received data at 14"
    call uart_drain_rx
    OUTB IER, 0x00
    OUTB IIR, 0x07
    ret

; Outside loopback, with OUT2 (the PC's IRQ enable): IER.ETBEI with an
; empty THR interrupts at once, reading IIR (0x02) ends it, and every byte
; sent interrupts again once the THR is empty.
test_thre_interrupt:
    cli
    OUTB IIR, 0x00              ; 16450 mode: one THR-empty per byte
    OUTB LCR, 0x83
    OUTB RBR, 0x01              ; 115200 baud
    OUTB LCR, 0x03
    OUTB MCR, MCR_OUT2 | 0x03
    call uart_drain_rx
    INB LSR
    call irq_reset
    mov ax, ~(1 << 4) & 0xFFFF
    call pic_set_mask
    OUTB IER, 0x02
    WAIT_IRQS IRQ4_VEC, 1, 100000
    CHECK_EQ dword [irq_counts + IRQ4_VEC * 4], 1, "IER THR-empty with the THR empty: one IRQ4"
    CHECK_EQ dword [hook_iir], 0x02, "IIR in the handler: THR empty (0x02)"
    sti
    mov eax, 2000
    call delay_us
    cli
    CHECK_EQ dword [irq_counts + IRQ4_VEC * 4], 1, "reading IIR ended the interrupt"
    mov esi, message
    mov ecx, message_end - message
    mov ebx, 1
.byte:
    lodsb
    mov dx, COM1
    out dx, al
    inc ebx
    WAIT_IRQS IRQ4_VEC, ebx, 100000
    jc .late
    loop .byte
.late:
    cli
    CHECK_EQ dword [irq_counts + IRQ4_VEC * 4], 1 + message_end - message, "one more THR-empty IRQ4 for each byte of 'tsvm uart'"
    OUTB IER, 0x00
    OUTB MCR, 0x00
    mov ax, 0xFFFF
    call pic_set_mask
    ret

align 4
hook_iir:       dd 0
; MCR value (loopback on) and the MSR high nibble it gives; 0xFF ends.
modem_pairs:    db 0x10, 0x00, 0x11, 0x20, 0x12, 0x10, 0x14, 0x40, 0x18, 0x80
                db 0x1F, 0xF0, 0xFF
pattern:        db "0123456789ABCDEFGHIJKLMNOPQRSTUV"
message:        db "tsvm uart", 13, 10
message_end:
rx_buf:         times 32 db 0

%include "devlib/irq.inc"
%include "devlib/timing.inc"
%include "devlib/pic.inc"
%include "devlib/rtcio.inc"
%include "devlib/tapx.inc"
%include "lib/end.inc"
