; pic.asm - the two 8259A PICs (Intel 8259A datasheet, order no. 231468),
; checked from inside the guest with real interrupt sources: the PIT (IRQ0),
; the keyboard controller (IRQ1, command 0xD2) and the RTC (IRQ8, on the
; slave). Masking, IRR/ISR reads, edge latching, fully nested priority,
; specific rotation, automatic EOI, poll mode, the PIIX ELCR and the
; spurious-IRQ7 check every PC OS does.

%include "lib/start.inc"
%include "devlib/macros.inc"

IRQ0_VEC        equ PIC1_VECTOR
IRQ1_VEC        equ PIC1_VECTOR + 1
IRQ7_VEC        equ PIC1_VECTOR + 7
IRQ8_VEC        equ PIC2_VECTOR
ONE_MS          equ 1193        ; PIT counts

tests_main:
    call irq_init
    call legacy_quiet
    call tsc_calibrate
    setc al
    movzx eax, al
    CHECK_EQ eax, 0, "the TSC calibrates against PIT channel 2 (two intervals agree)"
    SET_IRQ_HOOK pic_test_hook
    call kbd_irq_setup
    call test_masks
    call test_delivery
    call test_edge_latch
    call test_priority
    call test_rotation
    call test_auto_eoi
    call test_poll
    call test_elcr
    CHECK_EQ dword [irq7_real], 0, "no IRQ7 with its ISR bit set was delivered"
    CHECK_EQ dword [irq7_spurious], 0, "no spurious IRQ7 (ISR bit 7 clear) was delivered"
    ret

; The hook: notes the ISR seen inside each PIC vector's handler, quiets the
; source (keyboard byte read, RTC flags read with its interrupts off), and
; EOIs -- except for a spurious IRQ7, which must not be acknowledged.
pic_test_hook:
    mov ebx, eax
    call pic_read_isr
    cmp ebx, PIC1_VECTOR
    jb .out
    cmp ebx, PIC2_VECTOR + 8
    jae .out
    mov [hook_isr - PIC1_VECTOR * 4 + ebx * 4], eax
    cmp ebx, IRQ7_VEC
    jne .not7
    test al, 0x80
    jnz .real7
    inc dword [irq7_spurious]
    ret
.real7:
    inc dword [irq7_real]
.not7:
    cmp ebx, IRQ1_VEC
    jne .not1
    in al, KBD_DATA
.not1:
    cmp ebx, IRQ8_VEC
    jne .eoi
    mov ax, (0x02 << 8) | RTC_REG_B
    call cmos_write
    call rtc_ack
.eoi:
    mov eax, ebx
    call pic_eoi_hook
.out:
    ret

test_masks:
    cli
    call pic_fresh
    mov ax, 0x5AA5
    call pic_set_mask
    call pic_get_mask
    movzx eax, ax
    CHECK_EQ eax, 0x5AA5, "OCW1 masks read back from both PICs"
    mov ax, 0xFFFF
    call pic_set_mask
    call pic_read_isr
    CHECK_EQ eax, 0, "both ISRs are clear after initialisation"
    mov ecx, ONE_MS
    call pit0_periodic
    mov ecx, 0x0001
    call pic_wait_irr
    setnc al
    movzx eax, al
    CHECK_EQ eax, 1, "a masked IRQ0 edge is latched in the master's IRR"
    sti
    mov eax, 3000
    call delay_us
    cli
    CHECK_EQ dword [irq_counts + IRQ0_VEC * 4], 0, "a masked IRQ0 is not delivered"
    mov ax, 0xFFFE
    call pic_set_mask
    WAIT_IRQS IRQ0_VEC, 3, 100000
    setnc al
    movzx eax, al
    CHECK_EQ eax, 1, "IRQ0 is delivered once unmasked"
    ret

; Inside the handler ISR bit 0 is set; after the EOI it is clear again.
test_delivery:
    cli
    call pic_fresh
    mov dword [hook_isr], 0
    mov ax, 0xFFFE
    call pic_set_mask
    mov ecx, ONE_MS
    call pit0_periodic
    WAIT_IRQS IRQ0_VEC, 1, 100000
    CHECK_EQ dword [hook_isr], 0x0001, "in the IRQ0 handler only master ISR bit 0 is set"
    call pic_read_isr
    CHECK_EQ eax, 0, "the EOI clears the ISR bit"
    ; The median of 12 periods: a busy host may delay or merge a few
    ; interrupts, which the median ignores.
    mov ebx, irq0_median_period
    mov ecx, 1850
    mov edx, 2150
    call measure_retry
    NOTE_DEC "median IRQ0 period (us):", eax
    CHECK_RANGE eax, 1850, 2150, "IRQ0 arrives every 2 ms from a PIT count of 2386"
    ret

irq0_median_period:
    mov ecx, 2 * ONE_MS
    call pit0_periodic
    mov eax, IRQ0_VEC
    mov ecx, 12
    call irq_median_period_us
    cli
    ret

; An edge request held while IF=0 is delivered once, however many edges came.
test_edge_latch:
    cli
    call pic_fresh
    mov ax, 0xFFFE
    call pic_set_mask
    mov ecx, ONE_MS
    call pit0_periodic
    mov ecx, 0x0001
    call pic_wait_irr
    mov eax, 5500               ; more edges come while it waits
    call delay_us
    call pic_read_irr
    CHECK_MASK eax, 0x01, 0x01, "IRQ0 waits in the IRR while IF=0"
    sti
    nop
    cli
    CHECK_EQ dword [irq_counts + IRQ0_VEC * 4], 1, "five held edges give one interrupt"
    call pit_quiet
    ret

; raise_three: IRQ1 (keyboard byte), IRQ8 (RTC periodic flag, through the
; slave on IR2) and IRQ0 (PIT one-shot) all pending with IF=0, with only
; those unmasked. EAX = their IRR bits once all are there (or after 200 ms).
raise_three:
    cli
    call pic_fresh
    mov ax, 0xFEF8
    call pic_set_mask
    call kbd_raise_irq1
    mov ax, (0x26 << 8) | RTC_REG_A     ; 1024 Hz periodic rate
    call cmos_write
    call rtc_ack
    mov ax, (0x42 << 8) | RTC_REG_B     ; PIE, 24-hour
    call cmos_write
    mov al, 0x30                ; channel 0, mode 0: one edge after the count
    out PIT_MODE, al
    mov al, 100
    out PIT_CH0, al
    xor al, al
    out PIT_CH0, al
    mov ecx, 0x0107
    call pic_wait_irr
    call pic_read_irr
    call irq_reset
    ret

; deliver_three: lets the three requests in and waits for the three
; interrupts (200 ms at most).
deliver_three:
    sti
    mov ecx, 200
.wait:
    cmp dword [irq_log_len], 3
    jae .done
    mov eax, 1000
    call delay_us
    loop .wait
.done:
    mov eax, 1000               ; anything more would show in the log
    call delay_us
    cli
    ret

test_priority:
    call raise_three
    CHECK_MASK eax, 0x01FF, 0x0107, "IRR: master IR0, IR1, IR2 (the slave) and slave IR0"
    mov dword [hook_isr + 8 * 4], 0
    call deliver_three
    mov esi, order_nested
    mov ecx, 3
    call irq_log_equals
    call print_log_on_failure
    CHECK_EQ eax, 1, "fully nested: IRQ0, then IRQ1, then IRQ8 (at IR2's level)"
    CHECK_EQ dword [hook_isr + 8 * 4], 0x0104, "in the IRQ8 handler: slave ISR bit 0, master ISR bit 2"
    call pic_read_isr
    CHECK_EQ eax, 0, "EOIs to both PICs cleared both ISRs"
    ret

; OCW2 "set priority" with IR1 lowest: IR2 becomes the highest.
test_rotation:
    call raise_three
    mov al, 0xC1
    out PIC1_CMD, al
    call deliver_three
    mov esi, order_rotated
    mov ecx, 3
    call irq_log_equals
    call print_log_on_failure
    CHECK_EQ eax, 1, "with IR1 set lowest: IRQ8 (IR2), then IRQ0, then IRQ1"
    mov al, 0xC7                ; back to IR7 lowest
    out PIC1_CMD, al
    ret

; ICW4 AEOI: the INTA cycle does not set the ISR bit.
test_auto_eoi:
    cli
    call pic_fresh
    mov al, 0x02
    call pic_init
    mov dword [hook_isr], 0xFFFF
    mov ax, 0xFFFE
    call pic_set_mask
    mov ecx, ONE_MS
    call pit0_periodic
    WAIT_IRQS IRQ0_VEC, 1, 100000
    cli
    CHECK_EQ dword [hook_isr], 0, "automatic EOI: ISR stays clear in the IRQ0 handler"
    call pit_quiet
    ret

; OCW3 poll: the read acts as the INTA cycle and returns 0x80 | level.
test_poll:
    cli
    call pic_fresh
    mov ax, 0xFFFE
    call pic_set_mask
    mov al, 0x30                ; channel 0, mode 0: one edge after 1 ms
    out PIT_MODE, al
    mov ax, ONE_MS
    out PIT_CH0, al
    mov al, ah
    out PIT_CH0, al
    mov ecx, 0x0001
    call pic_wait_irr
    mov al, 0x0C
    out PIC1_CMD, al
    in al, PIC1_CMD
    movzx eax, al
    CHECK_EQ eax, 0x80, "poll with IRQ0 pending reads 0x80 (interrupt, level 0)"
    call pic_read_isr
    CHECK_EQ eax, 0x0001, "the poll put IRQ0 in service"
    mov al, OCW2_EOI
    out PIC1_CMD, al
    mov eax, 300
    call delay_us
    mov al, 0x0C
    out PIC1_CMD, al
    in al, PIC1_CMD
    movzx eax, al
    CHECK_MASK eax, 0x80, 0, "poll with nothing pending has bit 7 clear"
    sti
    mov eax, 1000
    call delay_us
    cli
    CHECK_EQ dword [irq_counts + IRQ0_VEC * 4], 0, "a polled request is not delivered again"
    ret

; PIIX ELCR at 0x4D0/0x4D1: IRQ 0, 1, 2, 8 and 13 are edge-only.
test_elcr:
    mov dx, 0x4D0
    in al, dx
    mov bl, al
    inc dx
    in al, dx
    mov bh, al
    mov al, 0xFF
    out dx, al
    dec dx
    out dx, al
    inc dx
    in al, dx
    mov ah, al
    dec dx
    in al, dx
    movzx eax, ax
    CHECK_EQ eax, 0xDEF8, "ELCR: every bit but IRQ 0, 1, 2, 8, 13 can be set"
    mov al, bl
    out dx, al
    inc dx
    mov al, bh
    out dx, al
    ret

; print_log_on_failure: EAX = 0 prints the interrupt log (EAX is kept).
print_log_on_failure:
    test eax, eax
    jnz .out
    call irq_print_log
.out:
    ret

align 4
order_nested:   dd IRQ0_VEC, IRQ1_VEC, IRQ8_VEC
order_rotated:  dd IRQ8_VEC, IRQ0_VEC, IRQ1_VEC
hook_isr:       times 16 dd 0
irq7_real:      dd 0
irq7_spurious:  dd 0

%include "devlib/irq.inc"
%include "devlib/timing.inc"
%include "devlib/pic.inc"
%include "devlib/i8042.inc"
%include "devlib/rtcio.inc"
%include "devlib/tapx.inc"
%include "lib/end.inc"
