; ioapic.asm - the I/O APIC (Intel 82093AA datasheet) and its path to the
; local APIC: where the MADT says it is, ID and version registers, which
; redirection-entry bits are writable, the PIT's IRQ0 routed through the
; pin the MADT's override names (rate, mask bit, physical and logical
; destinations), and the RTC's IRQ8 as a level-triggered input: remote IRR
; set while in service, the interrupt delivered again after each EOI while
; the RTC still asserts it, TMR set in the local APIC. The PICs are masked
; and LINT0 too: only the IOAPIC can interrupt.

%include "lib/start.inc"
%include "devlib/macros.inc"

PIT_VEC         equ 0x30
RTC_VEC         equ 0x38
ONE_MS          equ 1193

tests_main:
    call irq_init
    call legacy_quiet
    call tsc_calibrate
    call lapic_enable
    SET_IRQ_HOOK ioapic_test_hook
    call test_madt
    call ioapic_mask_all
    call test_registers
    call test_redirection_bits
    call test_pit_route
    call test_rtc_level
    call ioapic_mask_all
    ret

; The hook: for the RTC vector, notes remote IRR and TMR while in service;
; the first two times it EOIs without touching the RTC, which keeps IRQ8
; asserted; the third time it clears PIE and reads C first. The PIT vector notes
; its ISR bit. Then the local APIC EOI.
ioapic_test_hook:
    cmp eax, PIT_VEC
    jne .not_pit
    mov ebx, LAPIC_ISR
    call lapic_vector_bit
    mov [pit_isr_seen], eax
    mov eax, PIT_VEC
    jmp lapic_eoi_hook
.not_pit:
    cmp eax, RTC_VEC
    jne lapic_eoi_hook
    mov ecx, [rtc_gsi]
    call ioapic_entry_low
    and eax, RTE_REMOTE_IRR
    or [rtc_rirr_seen], eax
    mov eax, RTC_VEC
    mov ebx, LAPIC_TMR
    call lapic_vector_bit
    or [rtc_tmr_seen], eax
    cmp dword [irq_counts + RTC_VEC * 4], 3
    jb .eoi
    mov ax, (0x02 << 8) | RTC_REG_B     ; PIE off (IRQF and IRQ8 drop) ...
    call cmos_write
    call rtc_ack                ; ... and the flags cleared
.eoi:
    mov eax, RTC_VEC
    jmp lapic_eoi_hook

test_madt:
    call madt_init
    setnc al
    movzx eax, al
    CHECK_EQ eax, 1, "the ACPI MADT is found through the RSDP and RSDT"
    call madt_ioapic
    mov [ioapic_base], eax
    mov [ioapic_madt_id], ebx
    CHECK_EQ eax, IOAPIC_DEFAULT, "the MADT puts the IOAPIC at 0xFEC00000"
    test eax, eax
    jnz .found
    mov dword [ioapic_base], IOAPIC_DEFAULT
.found:
    mov eax, 0
    call madt_irq_gsi
    mov [pit_gsi], eax
    NOTE_DEC "IRQ0 is GSI", eax
    mov eax, 8
    call madt_irq_gsi
    mov [rtc_gsi], eax
    CHECK_EQ eax, 8, "IRQ8 (RTC) is GSI 8"
    ret

test_registers:
    xor eax, eax
    call ioapic_read
    shr eax, 24
    and eax, 0x0F
    CHECK_EQ eax, dword [ioapic_madt_id], "the ID register holds the MADT's IOAPIC ID"
    mov ebx, eax
    lea edx, [eax + 1]
    and edx, 0x0F
    shl edx, 24
    xor eax, eax
    call ioapic_write
    xor eax, eax
    call ioapic_read
    shr eax, 24
    and eax, 0x0F
    lea edx, [ebx + 1]
    and edx, 0x0F
    CHECK_EQ eax, edx, "the ID register is writable"
    mov edx, ebx
    shl edx, 24
    xor eax, eax
    call ioapic_write
    mov eax, 1
    call ioapic_read
    mov ebx, eax
    shr ebx, 16
    and ebx, 0xFF
    CHECK_EQ ebx, 23, "version register: 24 redirection entries"
    and eax, 0xFF
    cmp eax, 0x11
    je .version_ok
    cmp eax, 0x20
    je .version_ok
    FAIL "version register: version 0x11 or 0x20"
    ret
.version_ok:
    PASS "version register: version 0x11 or 0x20"
    ret

; Remote IRR (bit 14) and delivery status (bit 12) are read-only; the rest
; of the low half and the destination byte are kept as written.
test_redirection_bits:
    mov ecx, 10
    mov eax, 0x0001F931         ; masked, level, RIRR, low, DS, logical, lowest prio, 0x31
    mov edx, 0x0F000000
    call ioapic_set_entry
    call ioapic_entry_low
    CHECK_EQ eax, 0x0001A931, "an entry reads back without the read-only remote IRR and delivery status bits"
    lea eax, [IOREDTBL + 10 * 2 + 1]
    call ioapic_read
    and eax, 0xFF000000
    CHECK_EQ eax, 0x0F000000, "the destination field reads back"
    mov eax, RTE_MASKED
    xor edx, edx
    call ioapic_set_entry
    ret

; pit_entry: EAX = low half (vector and mode bits), EDX = destination in
; bits 31-24; programs the PIT's pin.
pit_entry:
    push ecx
    mov ecx, [pit_gsi]
    call ioapic_set_entry
    pop ecx
    ret

; count_pit_irqs: EAX = PIT interrupts in the next 10 ms, after 1 ms to let
; in one the local APIC may have accepted before the entry changed.
count_pit_irqs:
    sti
    mov eax, 1000
    call delay_us
    cli
    call irq_reset
    sti
    mov eax, 10000
    call delay_us
    cli
    mov eax, [irq_counts + PIT_VEC * 4]
    ret

pit_route_period:
    mov eax, PIT_VEC
    mov ecx, 12
    call irq_median_period_us
    cli
    ret

test_pit_route:
    cli
    call pic_fresh
    call lapic_id
    mov [bsp_id], eax
    mov edx, eax
    shl edx, 24
    mov eax, PIT_VEC            ; fixed, physical, edge, active high
    call pit_entry
    mov ecx, 2 * ONE_MS
    call pit0_periodic
    mov ebx, pit_route_period
    mov ecx, 1850
    mov edx, 2150
    call measure_retry
    NOTE_DEC "IRQ0 through the IOAPIC, median period (us):", eax
    CHECK_RANGE eax, 1850, 2150, "the PIT's 2 ms IRQ0 arrives through the IOAPIC pin the MADT names"
    CHECK_EQ dword [pit_isr_seen], 1, "in the handler the vector's ISR bit is set in the local APIC"
    call pic_read_isr
    CHECK_EQ eax, 0, "the PICs (all masked) saw nothing"
    mov edx, [bsp_id]
    shl edx, 24
    mov eax, PIT_VEC | RTE_MASKED
    call pit_entry
    call count_pit_irqs
    CHECK_EQ eax, 0, "masked entry: no interrupt in 10 ms"
    mov edx, [bsp_id]
    shl edx, 24
    mov eax, PIT_VEC
    call pit_entry
    call count_pit_irqs
    CHECK_RANGE eax, 1, 10, "unmasked again: interrupts resume"
    ; Logical destination, flat model: this CPU is logical ID 1.
    mov dword [LAPIC_LDR], 0x01000000
    mov edx, 0x01000000
    mov eax, PIT_VEC | RTE_LOGICAL
    call pit_entry
    call count_pit_irqs
    CHECK_RANGE eax, 1, 10, "logical destination 0x01 reaches the CPU with LDR 0x01"
    mov edx, 0x02000000
    mov eax, PIT_VEC | RTE_LOGICAL
    call pit_entry
    call count_pit_irqs
    CHECK_EQ eax, 0, "logical destination 0x02 reaches no CPU"
    mov eax, RTE_MASKED
    xor edx, edx
    call pit_entry
    call pit_quiet
    ret

test_rtc_level:
    cli
    call irq_reset
    mov ecx, [rtc_gsi]
    mov edx, [bsp_id]
    shl edx, 24
    mov eax, RTC_VEC | RTE_LEVEL | RTE_MASKED
    call ioapic_set_entry
    mov ax, (0x26 << 8) | RTC_REG_A     ; 1024 Hz
    call cmos_write
    call rtc_ack
    mov ax, (0x42 << 8) | RTC_REG_B     ; PIE: IRQ8 rises within 1 ms
    call cmos_write
    sti
    mov eax, 5000
    call delay_us
    cli
    CHECK_EQ dword [irq_counts + RTC_VEC * 4], 0, "a masked level entry delivers nothing"
    mov ecx, [rtc_gsi]
    mov edx, [bsp_id]
    shl edx, 24
    mov eax, RTC_VEC | RTE_LEVEL
    call ioapic_set_entry
    WAIT_IRQS RTC_VEC, 3, 200000
    sti
    mov eax, 10000
    call delay_us
    cli
    CHECK_EQ dword [irq_counts + RTC_VEC * 4], 3, "unmasked while asserted: delivered, and again after each EOI until the source is quiet (3 times)"
    CHECK_EQ dword [rtc_rirr_seen], RTE_REMOTE_IRR, "remote IRR is set while the interrupt is in service"
    CHECK_EQ dword [rtc_tmr_seen], 1, "the local APIC's TMR bit marks the vector level-triggered"
    mov ecx, [rtc_gsi]
    call ioapic_entry_low
    CHECK_MASK eax, RTE_REMOTE_IRR, 0, "the last EOI cleared remote IRR"
    mov ecx, [rtc_gsi]
    mov eax, RTE_MASKED
    xor edx, edx
    call ioapic_set_entry
    mov ax, (0x02 << 8) | RTC_REG_B
    call cmos_write
    call rtc_ack
    ret

align 4
ioapic_madt_id: dd 0
pit_gsi:        dd 0
rtc_gsi:        dd 8
bsp_id:         dd 0
pit_isr_seen:   dd 0
rtc_rirr_seen:  dd 0
rtc_tmr_seen:   dd 0

%include "devlib/irq.inc"
%include "devlib/timing.inc"
%include "devlib/pic.inc"
%include "devlib/rtcio.inc"
%include "devlib/acpi.inc"
%include "devlib/lapic.inc"
%include "devlib/ioapic.inc"
%include "devlib/tapx.inc"
%include "lib/end.inc"
