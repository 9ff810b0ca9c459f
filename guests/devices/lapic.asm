; lapic.asm - the local APIC (Intel SDM Vol. 3A, chapter 11) on a machine
; with two vCPUs: identity (CPUID, IA32_APIC_BASE, ID against the MADT,
; version, SVR), the timer (rate against the PIT-calibrated TSC, divide
; configuration, one-shot, periodic, masked, TSC-deadline when CPUID has
; it), a self-IPI through IRR and ISR, TPR masking and PPR, delivery by
; priority, then INIT-SIPI-SIPI to start the second vCPU, a fixed IPI each
; way and NMIs to the other vCPU and to itself.

%include "lib/start.inc"
%include "devlib/macros.inc"

TIMER_VEC       equ 0x40
PERIODIC_VEC    equ 0x41
DEADLINE_VEC    equ 0x42
SELF_VEC        equ 0x50
TO_AP_VEC       equ 0x60
TO_BSP_VEC      equ 0x61
NMI_VEC         equ 2
MSR_APIC_BASE   equ 0x1B
MSR_TSC_DEADLINE equ 0x6E0
TIMER_PERIODIC  equ 1 << 17
TIMER_DEADLINE  equ 2 << 17
DIV_1           equ 0x0B
DIV_16          equ 0x03

tests_main:
    call irq_init
    call legacy_quiet
    call tsc_calibrate
    call lapic_enable
    SET_IRQ_HOOK lapic_test_hook
    call test_identity
    call test_timer_rate
    call test_one_shot
    call test_periodic
    call test_masked_timer
    call test_tsc_deadline
    call test_self_ipi
    call test_tpr
    call test_priority_order
    call test_smp
    ret

; The hook (both vCPUs): which APIC ID handled each vector, and whether its
; ISR bit was set in the handler; then EOI (none for the NMI).
lapic_test_hook:
    mov ebx, eax
    call lapic_id
    mov [handled_by + ebx * 4], eax
    cmp ebx, NMI_VEC
    je .eoi
    mov eax, ebx
    push ebx
    mov ebx, LAPIC_ISR
    call lapic_vector_bit
    pop ebx
    mov [isr_seen + ebx * 4], eax
.eoi:
    mov eax, ebx
    jmp lapic_eoi_hook

test_identity:
    mov eax, 1
    cpuid
    mov [cpuid1_ecx], ecx
    CHECK_MASK edx, 1 << 9, 1 << 9, "CPUID.1:EDX.APIC is set"
    mov ecx, MSR_APIC_BASE
    rdmsr
    CHECK_MASK eax, 0xFFFFF900, 0xFEE00900, "IA32_APIC_BASE: base 0xFEE00000, enabled, BSP"
    call madt_init
    setnc al
    movzx eax, al
    CHECK_EQ eax, 1, "the ACPI MADT is found"
    call madt_cpus
    CHECK_EQ ecx, 2, "the MADT lists 2 enabled processors"
    call lapic_id
    mov [bsp_apic_id], eax
    CHECK_EQ eax, dword [madt_cpu_ids], "the BSP's APIC ID is the MADT's first processor's"
    mov eax, [LAPIC_VERSION]
    mov ebx, eax
    and eax, 0xFF
    CHECK_RANGE eax, 0x10, 0x15, "version register: an integrated APIC (0x10-0x15)"
    shr ebx, 16
    and ebx, 0xFF
    CHECK_RANGE ebx, 3, 6, "version register: 4 to 7 LVT entries"
    mov eax, [LAPIC_SVR]
    and eax, 0x1FF
    CHECK_EQ eax, 0x1FF, "SVR reads back: enabled, spurious vector 0xFF"
    mov dword [LAPIC_TIMER_DIV], DIV_16
    mov eax, [LAPIC_TIMER_DIV]
    and eax, 0x0B
    CHECK_EQ eax, DIV_16, "the divide configuration register reads back"
    ret

; timer_ticks_per_ms: EAX = divide configuration; returns EAX = timer ticks
; per ms, counted with the timer masked over about 5 ms of TSC.
timer_ticks_per_ms:
    push ebx
    push esi
    push edi
    mov [LAPIC_TIMER_DIV], eax
    mov dword [LAPIC_LVT_TIMER], LVT_MASKED | TIMER_VEC
    mov dword [LAPIC_TIMER_INIT], 0xFFFFFFFF
    call tsc_now
    mov esi, eax
    mov edi, [LAPIC_TIMER_CUR]
    mov eax, 5000
    call delay_us
    mov ebx, [LAPIC_TIMER_CUR]
    call tsc_now
    sub edi, ebx                ; ticks (counting down)
    sub eax, esi
    call tsc_ticks_to_us
    mov ebx, eax
    mov eax, edi
    mov ecx, 1000
    mul ecx
    div ebx
    mov dword [LAPIC_TIMER_INIT], 0
    pop edi
    pop esi
    pop ebx
    ret

test_timer_rate:
    mov eax, DIV_1
    call timer_ticks_per_ms
    mov esi, eax
    NOTE_DEC "timer ticks per ms, divide by 1:", eax
    mov eax, DIV_16
    call timer_ticks_per_ms
    mov [timer_per_ms], eax
    NOTE_DEC "timer ticks per ms, divide by 16:", eax
    CHECK_RANGE eax, 100, 0xFFFFFFFF, "the timer counts down (over 100 ticks per ms at divide by 16)"
    mov eax, esi
    xor edx, edx
    div dword [timer_per_ms]
    CHECK_RANGE eax, 15, 16, "divide by 1 counts 16 times faster than divide by 16"
    ret

; timer_one_shot_us: EAX = microseconds from arming a 5 ms one-shot to its
; interrupt.
timer_one_shot_us:
    cli
    call irq_reset
    mov dword [LAPIC_TIMER_DIV], DIV_16
    mov dword [LAPIC_LVT_TIMER], TIMER_VEC
    mov ecx, [timer_per_ms]
    imul ecx, ecx, 5
    call tsc_now
    mov esi, eax
    mov [LAPIC_TIMER_INIT], ecx
    WAIT_IRQS TIMER_VEC, 1, 100000
    mov eax, [irq_tsc + TIMER_VEC * 4]
    sub eax, esi
    jmp tsc_ticks_to_us

test_one_shot:
    mov ebx, timer_one_shot_us
    mov ecx, 4500
    mov edx, 6500
    call measure_retry
    NOTE_DEC "one-shot of 5 ms (us):", eax
    CHECK_RANGE eax, 4500, 6500, "one-shot timer: interrupt after 5 ms"
    sti
    mov eax, 10000
    call delay_us
    cli
    CHECK_EQ dword [irq_counts + TIMER_VEC * 4], 1, "one-shot timer: one interrupt"
    CHECK_EQ dword [LAPIC_TIMER_CUR], 0, "one-shot timer: the current count stays 0"
    CHECK_EQ dword [isr_seen + TIMER_VEC * 4], 1, "the vector's ISR bit is set in its handler"
    mov eax, TIMER_VEC
    mov ebx, LAPIC_ISR
    call lapic_vector_bit
    CHECK_EQ eax, 0, "the EOI cleared it"
    ret

timer_periodic_us:
    cli
    mov dword [LAPIC_LVT_TIMER], TIMER_PERIODIC | PERIODIC_VEC
    mov ecx, [timer_per_ms]
    shl ecx, 1
    mov [LAPIC_TIMER_INIT], ecx
    mov eax, PERIODIC_VEC
    mov ecx, 12
    call irq_median_period_us
    cli
    ret

test_periodic:
    mov ebx, timer_periodic_us
    mov ecx, 1850
    mov edx, 2150
    call measure_retry
    NOTE_DEC "periodic 2 ms, median period (us):", eax
    CHECK_RANGE eax, 1850, 2150, "periodic timer: an interrupt every 2 ms"
    mov dword [LAPIC_TIMER_INIT], 0
    sti
    mov eax, 1000
    call delay_us
    cli
    call irq_reset
    sti
    mov eax, 10000
    call delay_us
    cli
    CHECK_EQ dword [irq_counts + PERIODIC_VEC * 4], 0, "an initial count of 0 stops the periodic timer"
    ret

test_masked_timer:
    cli
    call irq_reset
    mov dword [LAPIC_LVT_TIMER], LVT_MASKED | TIMER_VEC
    mov eax, [timer_per_ms]
    mov [LAPIC_TIMER_INIT], eax
    sti
    mov eax, 3000
    call delay_us
    cli
    CHECK_EQ dword [LAPIC_TIMER_CUR], 0, "masked one-shot: the count still runs out"
    CHECK_EQ dword [irq_counts + TIMER_VEC * 4], 0, "masked one-shot: no interrupt"
    ret

; tsc_deadline_us: EAX = microseconds from arming a deadline 5 ms ahead to
; its interrupt.
tsc_deadline_us:
    cli
    call irq_reset
    mov dword [LAPIC_LVT_TIMER], TIMER_DEADLINE | DEADLINE_VEC
    mov eax, [tsc_per_ms]
    mov ecx, 5
    mul ecx
    mov esi, eax
    mov edi, edx
    rdtsc
    push eax
    add eax, esi
    adc edx, edi
    mov ecx, MSR_TSC_DEADLINE
    wrmsr
    WAIT_IRQS DEADLINE_VEC, 1, 100000
    pop esi
    mov eax, [irq_tsc + DEADLINE_VEC * 4]
    sub eax, esi
    jmp tsc_ticks_to_us

test_tsc_deadline:
    test dword [cpuid1_ecx], 1 << 24
    jnz .supported
    SKIP "TSC-deadline timer: interrupt at the deadline", "no TSC-deadline timer in CPUID"
    SKIP "TSC-deadline timer: IA32_TSC_DEADLINE reads 0 after it fired", "no TSC-deadline timer in CPUID"
    ret
.supported:
    mov ebx, tsc_deadline_us
    mov ecx, 4500
    mov edx, 6500
    call measure_retry
    NOTE_DEC "TSC deadline 5 ms ahead (us):", eax
    CHECK_RANGE eax, 4500, 6500, "TSC-deadline timer: interrupt at the deadline"
    mov ecx, MSR_TSC_DEADLINE
    rdmsr
    or eax, edx
    CHECK_EQ eax, 0, "TSC-deadline timer: IA32_TSC_DEADLINE reads 0 after it fired"
    mov dword [LAPIC_LVT_TIMER], LVT_MASKED
    ret

; self_ipi: EAX = vector; fixed, edge, to self by shorthand.
self_ipi:
    push eax
    push edx
    or eax, ICR_SELF | ICR_ASSERT
    xor edx, edx
    call lapic_send_ipi
    pop edx
    pop eax
    ret

test_self_ipi:
    cli
    call irq_reset
    mov eax, SELF_VEC
    call self_ipi
    mov ebx, LAPIC_IRR
    call lapic_vector_bit
    CHECK_EQ eax, 1, "self-IPI with IF=0: pending in IRR"
    WAIT_IRQS SELF_VEC, 1, 100000
    CHECK_EQ dword [irq_counts + SELF_VEC * 4], 1, "self-IPI delivered once IF=1"
    CHECK_EQ dword [isr_seen + SELF_VEC * 4], 1, "self-IPI: ISR bit set in the handler"
    mov eax, SELF_VEC
    mov ebx, LAPIC_IRR
    call lapic_vector_bit
    CHECK_EQ eax, 0, "self-IPI: IRR bit cleared by the delivery"
    ret

; TPR 0x50 blocks vector 0x50 (priority class 5); TPR 0x40 lets it in.
test_tpr:
    cli
    call irq_reset
    mov dword [LAPIC_TPR], 0x50
    mov eax, [LAPIC_PPR]
    and eax, 0xFF
    CHECK_EQ eax, 0x50, "PPR follows TPR when nothing is in service"
    mov eax, SELF_VEC
    call self_ipi
    sti
    mov eax, 2000
    call delay_us
    cli
    CHECK_EQ dword [irq_counts + SELF_VEC * 4], 0, "TPR 0x50 holds back vector 0x50"
    mov eax, SELF_VEC
    mov ebx, LAPIC_IRR
    call lapic_vector_bit
    CHECK_EQ eax, 1, "the held vector waits in IRR"
    mov dword [LAPIC_TPR], 0x40
    WAIT_IRQS SELF_VEC, 1, 100000
    CHECK_EQ dword [irq_counts + SELF_VEC * 4], 1, "TPR 0x40 lets vector 0x50 in"
    mov dword [LAPIC_TPR], 0
    ret

; Three vectors pending at once are delivered highest first.
test_priority_order:
    cli
    call irq_reset
    mov eax, 0x51
    call self_ipi
    mov eax, 0x71
    call self_ipi
    mov eax, 0x61
    call self_ipi
    call irq_reset
    WAIT_IRQS 0x51, 1, 100000
    mov esi, priority_order
    mov ecx, 3
    call irq_log_equals
    test eax, eax
    jnz .ok
    call irq_print_log
.ok:
    CHECK_EQ eax, 1, "pending vectors 0x51, 0x71, 0x61 are delivered as 0x71, 0x61, 0x51"
    ret

; ap_answer: the second vCPU's work (IF=0) each time it wakes: answer the
; BSP's IPI once.
ap_answer:
    cmp dword [irq_counts + TO_AP_VEC * 4], 0
    je .out
    cmp dword [ap_replied], 0
    jne .out
    mov dword [ap_replied], 1
    mov eax, TO_BSP_VEC | ICR_ASSERT
    mov edx, [bsp_apic_id]
    shl edx, 24
    call lapic_send_ipi
.out:
    ret

test_smp:
    cmp dword [madt_cpu_count], 2
    jae .two
    SKIP "INIT-SIPI-SIPI starts the second vCPU", "only one processor in the MADT"
    ret
.two:
    cli
    call irq_reset
    mov dword [ap_work], ap_answer
    call ap_start
    jnc .ap_up
    FAIL "INIT-SIPI-SIPI starts the second vCPU"
    ret
.ap_up:
    PASS "INIT-SIPI-SIPI starts the second vCPU"
    mov eax, [ap_apic_id]
    CHECK_EQ eax, dword [madt_cpu_ids + 4], "the second vCPU's APIC ID is the MADT's second processor's"
    ; BSP -> AP fixed IPI; the AP answers with another one.
    mov eax, TO_AP_VEC | ICR_ASSERT
    mov edx, [ap_apic_id]
    shl edx, 24
    call lapic_send_ipi
    WAIT_IRQS TO_BSP_VEC, 1, 200000
    CHECK_EQ dword [irq_counts + TO_AP_VEC * 4], 1, "a fixed IPI to the other APIC ID is delivered once"
    mov eax, [handled_by + TO_AP_VEC * 4]
    CHECK_EQ eax, dword [ap_apic_id], "and handled by the second vCPU"
    CHECK_EQ dword [irq_counts + TO_BSP_VEC * 4], 1, "the second vCPU's IPI back is delivered once"
    mov eax, [handled_by + TO_BSP_VEC * 4]
    CHECK_EQ eax, dword [bsp_apic_id], "and handled by the BSP"
    ; NMIs: to the AP, then to this CPU by its own ID.
    mov eax, ICR_NMI | ICR_ASSERT
    mov edx, [ap_apic_id]
    shl edx, 24
    call lapic_send_ipi
    call tsc_now
    mov esi, eax
.wait_nmi:                      ; the handler notes its CPU after counting
    cmp dword [handled_by + NMI_VEC * 4], 0xFFFFFFFF
    jne .nmi_seen
    mov eax, esi
    call tsc_elapsed_us
    cmp eax, 200000
    jb .wait_nmi
.nmi_seen:
    mov eax, [handled_by + NMI_VEC * 4]
    CHECK_EQ eax, dword [ap_apic_id], "an NMI IPI reaches the second vCPU"
    mov eax, ICR_NMI | ICR_ASSERT
    mov edx, [bsp_apic_id]
    shl edx, 24
    call lapic_send_ipi         ; IF=0: an NMI does not wait for IF
    mov eax, 2000
    call delay_us
    CHECK_EQ dword [irq_counts + NMI_VEC * 4], 2, "an NMI IPI to the sender's own ID is taken with IF=0"
    mov eax, [handled_by + NMI_VEC * 4]
    CHECK_EQ eax, dword [bsp_apic_id], "and handled by the BSP"
    ret

align 4
cpuid1_ecx:     dd 0
timer_per_ms:   dd 1
bsp_apic_id:    dd 0
ap_replied:     dd 0
priority_order: dd 0x71, 0x61, 0x51
handled_by:     times 256 dd 0xFFFFFFFF
isr_seen:       times 256 dd 0

%include "devlib/irq.inc"
%include "devlib/timing.inc"
%include "devlib/pic.inc"
%include "devlib/rtcio.inc"
%include "devlib/acpi.inc"
%include "devlib/lapic.inc"
%include "devlib/ap.inc"
%include "devlib/tapx.inc"
%include "lib/end.inc"
