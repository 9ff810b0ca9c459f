; rtc.asm - the MC146818 RTC and CMOS of a PC (Motorola MC146818A
; datasheet): status registers, the time in BCD, binary and 12-hour forms,
; setting the clock with SET, the update cycle's carry into a leap day with
; the update-ended and alarm interrupts, the periodic interrupt on IRQ8 at
; two programmed rates (timed against the PIT-calibrated TSC), register C
; read-to-clear, the NMI mask bit of port 0x70, and the memory-size bytes
; (for the 64 MiB both runners give the guest).

%include "lib/start.inc"
%include "devlib/macros.inc"

IRQ8_VEC        equ PIC2_VECTOR
REG_B_24H       equ 0x02
REG_B_BINARY    equ 0x04
REG_B_UIE       equ 0x10
REG_B_AIE       equ 0x20
REG_B_PIE       equ 0x40
REG_B_SET       equ 0x80
SCRATCH_INDEX   equ 0x4E        ; a CMOS byte neither SeaBIOS nor tsvm uses

tests_main:
    call irq_init
    call legacy_quiet
    call tsc_calibrate
    SET_IRQ_HOOK rtc_hook
    call test_status_registers
    call test_time_formats
    call test_periodic
    call test_set_and_update
    call test_nmi_mask_bit
    call test_memory_size
    ret

; The hook reads register C (which lowers IRQ8) and notes it, then EOIs.
rtc_hook:
    push eax
    call rtc_ack
    movzx eax, al
    mov [last_reg_c], eax
    pop eax
    jmp pic_eoi_hook

test_status_registers:
    mov al, RTC_REG_D
    call cmos_read
    movzx eax, al
    CHECK_MASK eax, 0x80, 0x80, "register D: VRT (valid RAM and time) is set"
    mov ax, (0x26 << 8) | RTC_REG_A
    call cmos_write
    mov al, RTC_REG_A
    call cmos_read
    movzx eax, al
    CHECK_MASK eax, 0x7F, 0x26, "register A: divider and rate read back (UIP is read-only)"
    call rtc_ack
    call rtc_ack
    movzx eax, al
    CHECK_EQ eax, 0, "register C reads 0 right after a read cleared it"
    ret

; read_time: waits for UIP clear, then reads seconds, minutes, hours, day,
; month, year into the 6 bytes at EDI.
read_time:
    pushad
.uip:
    mov al, RTC_REG_A
    call cmos_read
    test al, 0x80
    jnz .uip
    mov esi, time_indexes
    mov ecx, 6
.next:
    lodsb
    call cmos_read
    stosb
    loop .next
    popad
    ret

; bcd_to_bin: AL (BCD) -> AL (binary).
bcd_to_bin:
    push ecx
    mov cl, al
    shr al, 4
    mov ch, 10
    mul ch
    and cl, 0x0F
    add al, cl
    pop ecx
    ret

; check_bcd_time: EAX = 1 when every byte of the time at ESI has BCD digits
; and a value in range (seconds, minutes < 60, hours < 24, 1 <= day <= 31,
; 1 <= month <= 12).
check_bcd_time:
    push ecx
    push edx
    push esi
    push edi
    mov edi, time_limits
    xor ecx, ecx
.byte:
    mov al, [esi + ecx]
    mov dl, al
    and dl, 0x0F
    cmp dl, 9
    ja .bad
    cmp al, 0xA0
    jae .bad
    call bcd_to_bin
    cmp al, [edi + ecx * 2]
    jb .bad
    cmp al, [edi + ecx * 2 + 1]
    ja .bad
    inc ecx
    cmp ecx, 6
    jb .byte
    mov eax, 1
    jmp .out
.bad:
    xor eax, eax
.out:
    pop edi
    pop esi
    pop edx
    pop ecx
    ret

; BCD, binary and 12-hour readings of the same second agree.
test_time_formats:
    mov ecx, 3                  ; retries when a second boundary falls between
.again:
    mov ax, (REG_B_24H << 8) | RTC_REG_B
    call cmos_write
    mov edi, time_bcd
    call read_time
    mov ax, ((REG_B_24H | REG_B_BINARY) << 8) | RTC_REG_B
    call cmos_write
    mov edi, time_bin
    call read_time
    mov ax, (0 << 8) | RTC_REG_B         ; 12-hour, BCD
    call cmos_write
    mov edi, time_12h
    call read_time
    mov ax, (REG_B_24H << 8) | RTC_REG_B
    call cmos_write
    mov al, [time_bcd]
    call bcd_to_bin
    cmp al, [time_bin]
    jne .retry
    mov al, [time_bcd]
    cmp al, [time_12h]
    je .same_second
.retry:
    loop .again
.same_second:
    mov esi, time_bcd
    call check_bcd_time
    CHECK_EQ eax, 1, "BCD mode: seconds to month are valid BCD in range"
    ; Binary mode: every byte is the BCD byte's value.
    xor ecx, ecx
    xor edx, edx                ; mismatches
.compare:
    mov al, [time_bcd + ecx]
    call bcd_to_bin
    cmp al, [time_bin + ecx]
    je .equal
    inc edx
.equal:
    inc ecx
    cmp ecx, 6
    jb .compare
    CHECK_EQ edx, 0, "binary mode (register B bit 2) gives the same time in binary"
    ; 12-hour mode: hours 1-12 in BCD, bit 7 = PM.
    movzx eax, byte [time_12h + 2]
    mov ebx, eax
    and eax, 0x7F
    call bcd_to_bin
    and eax, 0xFF
    cmp eax, 12
    jne .not12
    xor eax, eax                ; 12 AM is 0, 12 PM is 12
.not12:
    test ebx, 0x80
    jz .am
    add eax, 12
.am:
    movzx edx, byte [time_bin + 2]
    CHECK_EQ eax, edx, "12-hour mode (register B bit 1 clear): hour and PM bit match the 24-hour hour"
    ret

rate7_period:
    mov ah, 0x27                ; rate 7: 32768 >> 6 = 512 Hz
    mov ecx, 16
    jmp median_rate

rate9_period:
    mov ah, 0x29                ; rate 9: 128 Hz
    mov ecx, 6
    jmp median_rate

; median_rate: AH = register A value, ECX = intervals. Enables the
; periodic interrupt and returns in EAX its median period in microseconds.
median_rate:
    cli
    push ecx
    mov al, RTC_REG_A
    call cmos_write
    call rtc_ack
    call irq_reset
    mov ax, (~((1 << 2) | (1 << 8))) & 0xFFFF     ; IRQ2 (cascade) and IRQ8 unmasked
    call pic_set_mask
    mov ax, ((REG_B_24H | REG_B_PIE) << 8) | RTC_REG_B
    call cmos_write
    pop ecx
    mov eax, IRQ8_VEC
    call irq_median_period_us
    cli
    ret

test_periodic:
    mov ebx, rate7_period
    mov ecx, 1800
    mov edx, 2100
    call measure_retry
    NOTE_DEC "rate 7, median period (us):", eax
    CHECK_RANGE eax, 1800, 2100, "rate 7: IRQ8 at 512 Hz (1953 us)"
    CHECK_EQ dword [last_reg_c], 0xC0, "register C in the handler: IRQF and PF"
    mov ebx, rate9_period
    mov ecx, 7200
    mov edx, 8400
    call measure_retry
    NOTE_DEC "rate 9, median period (us):", eax
    CHECK_RANGE eax, 7200, 8400, "rate 9: IRQ8 at 128 Hz (7813 us)"
    ; PIE off: no more interrupts.
    mov ax, (REG_B_24H << 8) | RTC_REG_B
    call cmos_write
    call rtc_ack
    call irq_reset
    sti
    mov eax, 20000
    call delay_us
    cli
    CHECK_EQ dword [irq_counts + IRQ8_VEC * 4], 0, "no IRQ8 once PIE is cleared"
    ret

; Sets 2024-02-28 (Wednesday) 23:59:59 with SET held, then waits for the
; next update: it must carry into the leap day 2024-02-29 (Thursday)
; 00:00:00 and raise one IRQ8 with UF and AF (alarm 00:00:00).
test_set_and_update:
    cli
    mov ax, (0x20 << 8) | RTC_REG_A     ; rate 0: no periodic flag (PF) at all
    call cmos_write
    mov ax, ((REG_B_24H | REG_B_SET) << 8) | RTC_REG_B
    call cmos_write
    mov esi, set_values
.set:
    lodsw
    cmp al, 0xFF
    je .set_done
    call cmos_write
    jmp .set
.set_done:
    mov al, 0x00                ; seconds
    call cmos_read
    movzx eax, al
    CHECK_EQ eax, 0x59, "with SET held, the seconds register keeps the value written"
    call rtc_ack
    call irq_reset
    mov dword [last_reg_c], 0
    mov ax, ((REG_B_24H | REG_B_UIE | REG_B_AIE) << 8) | RTC_REG_B
    call cmos_write
    mov ax, (~((1 << 2) | (1 << 8))) & 0xFFFF
    call pic_set_mask
    WAIT_IRQS IRQ8_VEC, 1, 1200000
    setnc al
    movzx eax, al
    CHECK_EQ eax, 1, "SET cleared: the clock runs and an update interrupt comes within 1 s"
    mov ax, (REG_B_24H << 8) | RTC_REG_B
    call cmos_write
    CHECK_EQ dword [last_reg_c], 0xB0, "register C: IRQF, AF (alarm 00:00:00 matched) and UF"
    mov edi, time_after
    call read_time
    mov al, 0x06
    call cmos_read
    mov [time_after + 6], al
    mov al, 0x32
    call cmos_read
    mov [time_after + 7], al
    CHECK_BYTES time_after, expected_after, 8, "23:59:59 on 2024-02-28 carries to 00:00:00 on Thursday 2024-02-29, century 20"
    ret

; Port 0x70 bit 7 masks NMIs on a PC; the index is in bits 6-0 either way.
test_nmi_mask_bit:
    mov al, SCRATCH_INDEX
    call cmos_read
    mov bl, al
    mov al, SCRATCH_INDEX | 0x80
    out RTC_INDEX, al
    mov al, 0xA5
    out RTC_DATA, al
    mov al, SCRATCH_INDEX
    call cmos_read
    movzx eax, al
    CHECK_EQ eax, 0xA5, "a CMOS byte written with the NMI mask bit set reads back without it"
    mov al, SCRATCH_INDEX | 0x80
    out RTC_INDEX, al
    in al, RTC_DATA
    movzx eax, al
    CHECK_EQ eax, 0xA5, "and reads back with it"
    mov al, SCRATCH_INDEX
    mov ah, bl
    call cmos_write
    ret

; cmos_word: AL = index of the low byte; EAX = the 16-bit value.
cmos_word:
    push ebx
    mov bl, al
    inc al
    call cmos_read
    mov bh, al
    mov al, bl
    call cmos_read
    mov ah, bh
    movzx eax, ax
    pop ebx
    ret

test_memory_size:
    mov al, 0x15
    call cmos_word
    CHECK_EQ eax, 640, "CMOS 0x15-0x16: 640 KiB of base memory"
    mov al, 0x17
    call cmos_word
    CHECK_EQ eax, 64512, "CMOS 0x17-0x18: 63 MiB (in KiB) above 1 MiB"
    mov al, 0x30
    call cmos_word
    CHECK_EQ eax, 64512, "CMOS 0x30-0x31: the same, as the BIOS reports it"
    mov al, 0x34
    call cmos_word
    CHECK_EQ eax, 768, "CMOS 0x34-0x35: 48 MiB above 16 MiB in 64 KiB units"
    ret

align 4
last_reg_c:     dd 0
time_indexes:   db 0x00, 0x02, 0x04, 0x07, 0x08, 0x09
time_limits:    db 0, 59, 0, 59, 0, 23, 1, 31, 1, 12, 0, 99
; Index/value pairs for the set: seconds, minutes, hours, weekday, day,
; month, year, century, alarm seconds/minutes/hours; 0xFF ends.
set_values:     db 0x00, 0x59, 0x02, 0x59, 0x04, 0x23, 0x06, 0x04
                db 0x07, 0x28, 0x08, 0x02, 0x09, 0x24, 0x32, 0x20
                db 0x01, 0x00, 0x03, 0x00, 0x05, 0x00, 0xFF, 0xFF
expected_after: db 0x00, 0x00, 0x00, 0x29, 0x02, 0x24, 0x05, 0x20
time_bcd:       times 8 db 0
time_bin:       times 8 db 0
time_12h:       times 8 db 0
time_after:     times 8 db 0

%include "devlib/irq.inc"
%include "devlib/timing.inc"
%include "devlib/pic.inc"
%include "devlib/rtcio.inc"
%include "devlib/tapx.inc"
%include "lib/end.inc"
