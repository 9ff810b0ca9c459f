; demo.asm - tsvm's built-in demo guest (`tsvm run -demo`, `npm start`).
;
; A Multiboot 1 kernel of our own that looks at the machine it runs on and
; says what it finds on COM1: CPUID, the memory map, the ACPI tables, the
; platform timers measured against each other, the other CPUs (started
; with INIT-SIPI-SIPI), and then it powers the machine off through ACPI.
; Every probe tolerates a missing device and every wait is bounded.
; guests/demo/README.md describes the output; build with
; scripts/build-demo-guest.sh.

%include "layout.inc"
%include "macros.inc"

[bits 32]
[org LOAD_ADDR]

; Multiboot 0.6.96, 3.1: magic, flags, checksum and (flags bit 16) the
; addresses: the whole file is loaded at LOAD_ADDR, no bss.
multiboot_header:
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)
    dd multiboot_header         ; header_addr
    dd LOAD_ADDR                ; load_addr
    dd image_end                ; load_end_addr
    dd image_end                ; bss_end_addr: no bss
    dd kernel_entry             ; entry_addr

kernel_entry:
    ; Multiboot 3.2: PE=1, PG=0, IF=0, flat segments, no valid stack.
    cli
    cld
    mov [boot_eax], eax
    mov [boot_ebx], ebx
    mov esp, BSP_STACK_TOP
    push dword 2                ; EFLAGS: only the reserved bit
    popfd
    mov eax, CR0_PE | CR0_ET | CR0_NE
    mov cr0, eax
    call serial_init
    PRINTLN "tsvm demo guest: looking at this machine"
    call gdt_init
    call idt_init
    PRINTLN "cpu: own GDT and IDT loaded, protected mode"
    call cpuid_probe
    call paging_init
    call cpuid_report
    call memmap_report
    call acpi_report
    call lapic_init
    call timers_report
    call smp_start
    jmp power_off

%include "console.inc"
%include "math.inc"
%include "cpu.inc"
%include "cpuid.inc"
%include "memmap.inc"
%include "acpi.inc"
%include "acpi-tables.inc"
%include "lapic.inc"
%include "pit.inc"
%include "timers.inc"
%include "rtc.inc"
%include "smp.inc"
%include "power.inc"
%include "cpuid-names.inc"
%include "data.inc"

align 16
image_end:
