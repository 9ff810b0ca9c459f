; hpet.asm - the HPET (IA-PC HPET specification 1.0a): where the ACPI HPET
; table says it is, the capabilities register, the main counter (halted,
; written, and running at the advertised period against the PIT-calibrated
; TSC), timer 0 in legacy replacement mode on IRQ0 of the PIC (one-shot and
; periodic), timer 2 one-shot through the IOAPIC pin its INT_ROUTE_CAP
; allows, and a level-triggered timer's bit in the interrupt status
; register (write 1 to clear).

%include "lib/start.inc"
%include "devlib/macros.inc"

HPET_BASE       equ 0xFED00000
GCAP_ID         equ HPET_BASE + 0x000
GCAP_PERIOD     equ HPET_BASE + 0x004
GEN_CONF        equ HPET_BASE + 0x010
GINTR_STA       equ HPET_BASE + 0x020
MAIN_CNT        equ HPET_BASE + 0x0F0
TIMER_CONF      equ HPET_BASE + 0x100   ; + 0x20 * n; +4: INT_ROUTE_CAP
TIMER_CMP       equ HPET_BASE + 0x108   ; + 0x20 * n
ENABLE_CNF      equ 1 << 0
LEG_RT_CNF      equ 1 << 1
TN_INT_LEVEL    equ 1 << 1
TN_INT_ENB      equ 1 << 2
TN_PERIODIC     equ 1 << 3
TN_PER_CAP      equ 1 << 4
TN_SIZE_CAP     equ 1 << 5
TN_VAL_SET      equ 1 << 6
IRQ0_VEC        equ PIC1_VECTOR
HPET_VEC        equ 0x50

tests_main:
    call irq_init
    call legacy_quiet
    call tsc_calibrate
    SET_IRQ_HOOK lapic_eoi_hook
    call hpet_stop
    call test_acpi_table
    call test_capabilities
    call test_counter
    call test_legacy_one_shot
    call test_legacy_periodic
    call test_ioapic_one_shot
    call test_level_status
    call hpet_stop
    ret

; hpet_stop: counter halted and zeroed, legacy routing off, every timer's
; interrupt disabled and its status cleared.
hpet_stop:
    mov dword [GEN_CONF], 0
    mov dword [MAIN_CNT], 0
    mov dword [MAIN_CNT + 4], 0
    mov dword [TIMER_CONF], 0
    mov dword [TIMER_CONF + 0x20], 0
    mov dword [TIMER_CONF + 0x40], 0
    mov dword [GINTR_STA], 0x07
    ret

; ticks_per_ms: EAX = main counter ticks in 1 ms (10^12 fs / period).
ticks_per_ms:
    push edx
    mov edx, 0xE8               ; 10^12 = 0xE8_D4A51000
    mov eax, 0xD4A51000
    div dword [GCAP_PERIOD]
    pop edx
    ret

test_acpi_table:
    mov eax, "HPET"
    call acpi_find_table
    test eax, eax
    jnz .found
    FAIL "the ACPI HPET table is found through the RSDP and RSDT"
    ret
.found:
    PASS "the ACPI HPET table is found through the RSDP and RSDT"
    mov ebx, eax
    CHECK_EQ dword [ebx + 44], HPET_BASE, "the HPET table puts the block at 0xFED00000"
    mov eax, [GCAP_ID]
    CHECK_EQ dword [ebx + 36], eax, "its event timer block ID equals the low half of GCAP_ID"
    ret

test_capabilities:
    mov eax, [GCAP_ID]
    CHECK_MASK eax, 0xA000, 0xA000, "GCAP_ID: 64-bit counter and legacy replacement capable"
    mov ebx, eax
    shr ebx, 8
    and ebx, 0x1F
    CHECK_RANGE ebx, 2, 31, "GCAP_ID: at least 3 timers"
    and eax, 0xFF
    CHECK_RANGE eax, 1, 0xFF, "GCAP_ID: a non-zero revision"
    mov eax, [GCAP_PERIOD]
    NOTE_DEC "counter period (fs):", eax
    CHECK_RANGE eax, 1, 100000000, "counter period is at most 100 ns (10^8 fs, spec 2.3.4)"
    mov eax, [TIMER_CONF]
    CHECK_MASK eax, TN_PER_CAP | TN_SIZE_CAP, TN_PER_CAP | TN_SIZE_CAP, "timer 0: periodic capable, 64-bit"
    mov eax, [TIMER_CONF + 0x40 + 4]
    CHECK_RANGE eax, 1, 0xFFFFFFFF, "timer 2 can be routed to some IOAPIC pin (INT_ROUTE_CAP)"
    ret

test_counter:
    mov dword [MAIN_CNT], 0x12345678
    mov eax, [MAIN_CNT]
    CHECK_EQ eax, 0x12345678, "a halted counter reads back what was written"
    mov eax, 1000
    call delay_us
    mov eax, [MAIN_CNT]
    CHECK_EQ eax, 0x12345678, "a halted counter does not move"
    mov dword [MAIN_CNT], 0
    mov dword [GEN_CONF], ENABLE_CNF
    ; ticks over about 20 ms against the TSC, each read next to an RDTSC
    call tsc_now
    mov esi, eax
    mov edi, [MAIN_CNT]
    mov eax, 20000
    call delay_us
    mov ebx, [MAIN_CNT]
    call tsc_now
    sub ebx, edi                ; ticks
    sub eax, esi
    call tsc_ticks_to_us
    mov esi, eax                ; microseconds by the TSC
    mov eax, ebx
    mul dword [GCAP_PERIOD]     ; femtoseconds
    mov ecx, 1000000000
    div ecx                     ; microseconds by the HPET
    NOTE_DEC "HPET microseconds in a 20 ms TSC interval:", eax
    mov ecx, esi
    shr ecx, 5                  ; +-3 %
    mov edx, esi
    add edx, ecx
    sub esi, ecx
    CHECK_RANGE eax, esi, edx, "the counter runs at its advertised period"
    mov dword [GEN_CONF], 0
    ret

; start_timer: EAX = timer number, EBX = configuration, ECX = comparator
; (ticks from 0). Halts and zeroes the counter, programs the timer, starts.
start_timer:
    push eax
    mov dword [GEN_CONF], 0
    mov dword [MAIN_CNT], 0
    mov dword [MAIN_CNT + 4], 0
    shl eax, 5
    mov [TIMER_CONF + eax], ebx
    mov [TIMER_CMP + eax], ecx
    mov dword [TIMER_CMP + eax + 4], 0
    pop eax
    ret

; legacy_one_shot: EAX = microseconds from start to IRQ0 for a 5 ms one-shot.
legacy_one_shot:
    cli
    call pic_fresh
    mov ax, 0xFFFE
    call pic_set_mask
    call ticks_per_ms
    imul ecx, eax, 5
    xor eax, eax
    mov ebx, TN_INT_ENB
    call start_timer
    call tsc_now
    mov esi, eax
    mov dword [GEN_CONF], ENABLE_CNF | LEG_RT_CNF
    WAIT_IRQS IRQ0_VEC, 1, 100000
    mov eax, [irq_tsc + IRQ0_VEC * 4]
    sub eax, esi
    jmp tsc_ticks_to_us

test_legacy_one_shot:
    mov ebx, legacy_one_shot
    mov ecx, 4500
    mov edx, 6500
    call measure_retry
    NOTE_DEC "timer 0 one-shot of 5 ms, legacy IRQ0 (us):", eax
    CHECK_RANGE eax, 4500, 6500, "legacy replacement: timer 0 one-shot interrupts on IRQ0 after 5 ms"
    sti
    mov eax, 10000
    call delay_us
    cli
    CHECK_EQ dword [irq_counts + IRQ0_VEC * 4], 1, "a one-shot timer interrupts once"
    ret

; legacy_periodic: EAX = the median period of timer 0 programmed for 2 ms.
legacy_periodic:
    cli
    call pic_fresh
    mov ax, 0xFFFE
    call pic_set_mask
    call ticks_per_ms
    lea ecx, [eax * 2]
    xor eax, eax
    mov ebx, TN_INT_ENB | TN_PERIODIC | TN_VAL_SET
    call start_timer
    mov dword [GEN_CONF], ENABLE_CNF | LEG_RT_CNF
    mov eax, IRQ0_VEC
    mov ecx, 12
    call irq_median_period_us
    cli
    ret

test_legacy_periodic:
    mov ebx, legacy_periodic
    mov ecx, 1850
    mov edx, 2150
    call measure_retry
    NOTE_DEC "timer 0 periodic, 2 ms, median period (us):", eax
    CHECK_RANGE eax, 1850, 2150, "legacy replacement: timer 0 periodic every 2 ms on IRQ0"
    call hpet_stop
    ret

; Timer 2 on the lowest IOAPIC pin its INT_ROUTE_CAP allows.
test_ioapic_one_shot:
    cli
    call pic_fresh
    call lapic_enable
    call ioapic_mask_all
    bsf eax, [TIMER_CONF + 0x40 + 4]
    mov [route_pin], eax
    NOTE_DEC "timer 2 routed to IOAPIC pin", eax
    mov ecx, eax
    call lapic_id
    mov edx, eax
    shl edx, 24
    mov eax, HPET_VEC           ; fixed, physical, edge, active high
    call ioapic_set_entry
    call ticks_per_ms
    imul ecx, eax, 3
    mov ebx, [route_pin]
    shl ebx, 9
    or ebx, TN_INT_ENB
    mov eax, 2
    call start_timer
    mov dword [GEN_CONF], ENABLE_CNF
    WAIT_IRQS HPET_VEC, 1, 100000
    sti
    mov eax, 5000
    call delay_us
    cli
    CHECK_EQ dword [irq_counts + HPET_VEC * 4], 1, "timer 2 one-shot interrupts once through the IOAPIC"
    mov eax, [TIMER_CONF + 0x40]
    shr eax, 9
    and eax, 0x1F
    CHECK_EQ eax, dword [route_pin], "timer 2's INT_ROUTE_CNF reads back"
    mov ecx, [route_pin]
    mov eax, RTE_MASKED
    xor edx, edx
    call ioapic_set_entry
    call hpet_stop
    ret

; A level-triggered timer sets its GINTR_STA bit (its IOAPIC pin stays
; masked); writing 1 clears it.
test_level_status:
    call ticks_per_ms
    mov ecx, eax
    mov ebx, [route_pin]
    shl ebx, 9
    or ebx, TN_INT_ENB | TN_INT_LEVEL
    mov eax, 1
    call start_timer
    mov dword [GEN_CONF], ENABLE_CNF
    call tsc_now
    mov esi, eax
.poll:
    test dword [GINTR_STA], 0x02
    jnz .set
    mov eax, esi
    call tsc_elapsed_us
    cmp eax, 100000
    jb .poll
.set:
    mov eax, [GINTR_STA]
    CHECK_MASK eax, 0x07, 0x02, "a level-triggered timer 1 sets its interrupt status bit"
    mov dword [GINTR_STA], 0x02
    mov eax, [GINTR_STA]
    CHECK_MASK eax, 0x07, 0, "writing 1 to the bit clears it"
    call hpet_stop
    ret

align 4
route_pin:      dd 0

%include "devlib/irq.inc"
%include "devlib/timing.inc"
%include "devlib/pic.inc"
%include "devlib/rtcio.inc"
%include "devlib/acpi.inc"
%include "devlib/lapic.inc"
%include "devlib/ioapic.inc"
%include "devlib/tapx.inc"
%include "lib/end.inc"
