; pit.asm - the 8254 PIT (Intel 82C54 datasheet, order no. 231244) and the
; PC's port 0x61 (NMI status and control): channel 2 gated and seen through
; port 0x61, channel 0 on IRQ0 in modes 0, 2 and 3 timed against the TSC,
; the counter latch command, the read-back command (count and status), the
; LSB-only access mode and a count of 0 meaning 65536.

%include "lib/start.inc"
%include "devlib/macros.inc"

IRQ0_VEC        equ PIC1_VECTOR
ONE_MS          equ 1193        ; PIT counts

tests_main:
    call irq_init
    call legacy_quiet
    SET_IRQ_HOOK pic_eoi_hook
    call test_channel2
    call test_port_b
    call test_rate_mode2
    call test_rate_mode3
    call test_one_shot
    call test_latch
    call test_read_back
    call test_msb_only
    call test_count_zero
    ret

; Channel 2 in mode 0: OUT2 (port 0x61 bit 5) low while counting, high at
; terminal count. Two 30 ms intervals calibrate the TSC for the rest.
test_channel2:
    mov ecx, 0xFFFF
    call pit2_start
    in al, PORT_B
    movzx eax, al
    CHECK_MASK eax, 0x23, 0x01, "port 0x61: gate 2 on, speaker off, OUT2 low while counting"
    call tsc_calibrate
    setc al
    movzx eax, al
    CHECK_EQ eax, 0, "the TSC calibrates against channel 2 (two 30 ms intervals agree)"
    NOTE_DEC "TSC ticks per ms:", dword [tsc_per_ms]
    call pit2_wait
    in al, PORT_B
    movzx eax, al
    CHECK_MASK eax, 0x20, 0x20, "OUT2 is high after the terminal count"
    ret

; Bit 4 (refresh request) toggles: PCs have it flip every 15 us and
; delay loops count its edges.
test_port_b:
    in al, PORT_B
    and al, 0x10
    mov bl, al
    call tsc_now
    mov esi, eax
.poll:
    in al, PORT_B
    and al, 0x10
    cmp al, bl
    jne .toggled
    mov eax, esi
    call tsc_elapsed_us
    cmp eax, 1000
    jb .poll
    FAIL "port 0x61 bit 4 (refresh) toggles"
    ret
.toggled:
    PASS "port 0x61 bit 4 (refresh) toggles"
    ret

; median_period: with channel 0 programmed, EAX = the median of 12 IRQ0
; periods in microseconds.
median_period:
    mov ax, 0xFFFE
    call pic_set_mask
    mov eax, IRQ0_VEC
    mov ecx, 12
    call irq_median_period_us
    cli
    ret

test_rate_mode2:
    mov ebx, mode2_period
    mov ecx, 1850
    mov edx, 2150
    call measure_retry
    NOTE_DEC "mode 2, count 2386, median period (us):", eax
    CHECK_RANGE eax, 1850, 2150, "mode 2 (rate generator): IRQ0 every 2 ms"
    ret

test_rate_mode3:
    mov ebx, mode3_period
    mov ecx, 2775
    mov edx, 3225
    call measure_retry
    NOTE_DEC "mode 3, count 3579, median period (us):", eax
    CHECK_RANGE eax, 2775, 3225, "mode 3 (square wave): IRQ0 every 3 ms"
    ret

mode2_period:
    cli
    call pic_fresh
    mov ecx, 2 * ONE_MS
    call pit0_periodic
    jmp median_period

mode3_period:
    cli
    call pic_fresh
    mov al, 0x36                ; channel 0, lobyte/hibyte, mode 3
    out PIT_MODE, al
    mov ax, 3 * ONE_MS
    out PIT_CH0, al
    mov al, ah
    out PIT_CH0, al
    jmp median_period

; Mode 0: one interrupt at the terminal count, then none.
test_one_shot:
    mov ebx, mode0_arrival
    mov ecx, 4500
    mov edx, 6500
    call measure_retry
    NOTE_DEC "mode 0, 5966 counts (us):", eax
    CHECK_RANGE eax, 4500, 6500, "mode 0 (interrupt on terminal count): IRQ0 after 5 ms"
    sti
    mov eax, 15000
    call delay_us
    cli
    CHECK_EQ dword [irq_counts + IRQ0_VEC * 4], 1, "mode 0 interrupts once"
    ret

; mode0_arrival: EAX = microseconds from programming a 5 ms mode 0 count
; to its interrupt.
mode0_arrival:
    cli
    call pic_fresh
    mov ax, 0xFFFE
    call pic_set_mask
    mov al, 0x30
    out PIT_MODE, al
    mov ax, 5 * ONE_MS
    out PIT_CH0, al
    mov al, ah
    out PIT_CH0, al
    call tsc_now
    mov esi, eax
    WAIT_IRQS IRQ0_VEC, 1, 100000
    mov eax, [irq_tsc + IRQ0_VEC * 4]
    sub eax, esi
    jmp tsc_ticks_to_us

; read_ch2: the latched (or current) 16-bit count of channel 2 in EAX.
read_ch2:
    xor eax, eax
    in al, PIT_CH2
    mov ah, al
    in al, PIT_CH2
    xchg al, ah
    ret

; The counter latch command freezes the value read until it is read: the
; difference between it and a second latched value matches the time
; between the two latch commands (timed with the TSC, so a pause of the
; vCPU in between does not matter).
test_latch:
    mov ecx, 0xFFFF
    call pit2_start
    call tsc_now
    mov esi, eax
    mov al, 0x80                ; latch channel 2
    out PIT_MODE, al
    mov eax, 2000
    call delay_us
    call tsc_now
    mov edi, eax
    call read_ch2
    mov ebx, eax
    mov al, 0x80
    out PIT_MODE, al
    call read_ch2
    sub ebx, eax                ; counts between the latches
    mov eax, edi
    sub eax, esi
    call tsc_ticks_to_us
    call us_to_pit              ; counts expected
    mov ecx, eax
    shr ecx, 3
    add ecx, 20                 ; tolerance: 1/8 and 20 counts
    mov edx, eax
    add edx, ecx
    sub eax, ecx
    CHECK_RANGE ebx, eax, edx, "a latched count keeps its value until read (counts between two latches)"
    ret

test_read_back:
    cli
    call pic_fresh
    mov ecx, 2 * ONE_MS
    call pit0_periodic
    mov al, 0xC2                ; read-back: count and status of channel 0
    out PIT_MODE, al
    in al, PIT_CH0
    movzx ebx, al
    in al, PIT_CH0
    mov ah, al
    in al, PIT_CH0
    xchg al, ah
    movzx eax, ax
    CHECK_MASK ebx, 0x3F, 0x34, "read-back status of channel 0: lobyte/hibyte, mode 2, binary"
    CHECK_RANGE eax, 1, 2 * ONE_MS, "read-back count of channel 0 is within its reload value"
    mov ecx, 3 * ONE_MS
    call pit2_start
    mov al, 0xE8                ; read-back: status of channel 2 only
    out PIT_MODE, al
    in al, PIT_CH2
    movzx eax, al
    CHECK_MASK eax, 0xBF, 0x30, "read-back status of channel 2 while counting: OUT low, mode 0"
    call pit2_wait
    mov al, 0xE8
    out PIT_MODE, al
    in al, PIT_CH2
    movzx eax, al
    CHECK_MASK eax, 0x80, 0x80, "read-back status after the terminal count: OUT high"
    mov ecx, 0xFFFF
    call pit2_start
    call tsc_now
    mov esi, eax
    mov eax, 1000
    call delay_us
    mov al, 0xD8                ; read-back: count of channel 2 only
    out PIT_MODE, al
    mov eax, esi
    call tsc_elapsed_us
    call us_to_pit
    mov ebx, eax                ; counts expected (plus the read's own time)
    call read_ch2
    neg eax
    add eax, 0xFFFF             ; counts elapsed
    mov ecx, ebx
    shr ecx, 3
    add ecx, 20
    mov edx, ebx
    add edx, 20
    sub ebx, ecx
    CHECK_RANGE eax, ebx, edx, "read-back count of channel 2 matches the time since it was loaded"
    call pit_quiet
    ret

; RW mode 10 (MSB only): only the high byte is written and every read
; returns the high byte.
test_msb_only:
    mov al, 0xA0                ; channel 2, MSB only, mode 0
    out PIT_MODE, al
    mov al, 0x20                ; count 0x2000
    out PIT_CH2, al
    in al, PIT_CH2
    movzx ebx, al
    in al, PIT_CH2
    movzx eax, al
    CHECK_RANGE ebx, 0x1C, 0x20, "MSB-only mode: a read returns the count's high byte"
    CHECK_RANGE eax, 0x1C, 0x20, "MSB-only mode: the next read is the high byte again"
    ret

; A count of 0 is 65536 (about 54.9 ms).
test_count_zero:
    mov ebx, count_zero_time
    mov ecx, 52000
    mov edx, 58000
    call measure_retry
    NOTE_DEC "channel 2, count 0 (us):", eax
    CHECK_RANGE eax, 52000, 58000, "a count of 0 counts 65536 (54.9 ms)"
    ret

count_zero_time:
    xor ecx, ecx
    call pit2_start
    call tsc_now
    mov esi, eax
    call pit2_wait
    mov eax, esi
    jmp tsc_elapsed_us

%include "devlib/irq.inc"
%include "devlib/timing.inc"
%include "devlib/pic.inc"
%include "devlib/rtcio.inc"
%include "devlib/tapx.inc"
%include "lib/end.inc"
