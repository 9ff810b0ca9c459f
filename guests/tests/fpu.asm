; fpu.asm - x87, MMX and FXSAVE checks. Results are compared bytewise as
; 80-bit values (FSTP TWORD). Every expected value below was derived with
; exact rational arithmetic (python3 fractions: round the exact quotient or
; root to 64/53/24 significand bits under the given rounding mode) and agrees
; with the well-known constants (pi = 4000 C90FDAA2 2168C235, sqrt 2 =
; 3FFF B504F333 F9DE6484). FPU formats and control word: SDM Vol. 1, ch. 8.

%include "lib/start.inc"

FX_A            equ SCRATCH             ; 16-byte aligned FXSAVE areas
FX_B            equ SCRATCH + 0x200
CW_DEFAULT      equ 0x037F              ; FINIT: all masked, PC=64, RC=nearest
RC_NEAREST      equ 0 << 10
RC_DOWN         equ 1 << 10
RC_UP           equ 2 << 10
RC_ZERO         equ 3 << 10
PC_24           equ 0x037F & ~(3 << 8)
PC_53           equ (0x037F & ~(3 << 8)) | (2 << 8)
CR4_OSFXSR      equ 1 << 9

; CHECK_ST0 sign_exponent, significand, "description": pops ST0 and compares
; its 10-byte image (significand little-endian, then sign/exponent).
%macro CHECK_ST0 3
    fstp tword [st_image]
    CHECK_BYTES st_image, %%expected, 10, %3
    jmp %%over
%%expected:
    dq %2
    dw %1
%%over:
%endmacro

; LOAD_RATIO a, b: pushes a/b (integers via FILD, one FDIV at the current
; precision and rounding).
%macro LOAD_RATIO 2
    mov dword [int_a], %1
    mov dword [int_b], %2
    fild dword [int_a]
    fild dword [int_b]
    fdivp st1, st0
%endmacro

%macro SET_CW 1
    mov word [cw_temp], %1
    fldcw [cw_temp]
%endmacro

tests_main:
    mov eax, cr0
    and eax, ~(CR0_EM | CR0_TS)
    or eax, CR0_MP | CR0_NE
    mov cr0, eax
    call test_finit
    call test_arithmetic
    call test_rounding
    call test_precision
    call test_integer_store
    call test_unmasked_exception
    call test_device_not_available
    call test_fxsave
    call test_mmx
    ret

test_finit:
    finit
    fnstenv [env]
    CHECK_MASK dword [env + 0], 0xFFFF, CW_DEFAULT, "FINIT: control word 0x037F"
    CHECK_MASK dword [env + 4], 0xFFFF, 0, "FINIT: status word 0"
    CHECK_MASK dword [env + 8], 0xFFFF, 0xFFFF, "FINIT: tag word 0xFFFF (all empty)"
    fld1
    fnstsw ax
    movzx eax, ax
    CHECK_EQ eax, 0x3800, "FLD1: TOP=7, no flags"
    CHECK_ST0 0x3FFF, 0x8000000000000000, "FLD1 is 3FFF 8000000000000000"
    fldpi
    CHECK_ST0 0x4000, 0xC90FDAA22168C235, "FLDPI (round to nearest)"
    SET_CW CW_DEFAULT | RC_DOWN
    fldpi
    CHECK_ST0 0x4000, 0xC90FDAA22168C234, "FLDPI honours RC=down"
    finit
    ret

test_arithmetic:
    finit
    fild dword [c_one]
    fild dword [c_two]
    faddp st1, st0
    CHECK_ST0 0x4000, 0xC000000000000000, "FADD 1 + 2 = 3"
    fild dword [c_one]
    fild dword [c_three]
    fsubp st1, st0
    CHECK_ST0 0xC000, 0x8000000000000000, "FSUB 1 - 3 = -2"
    LOAD_RATIO 3, 2
    LOAD_RATIO 5, 2
    fmulp st1, st0
    CHECK_ST0 0x4000, 0xF000000000000000, "FMUL 1.5 * 2.5 = 3.75"
    LOAD_RATIO 1, 3
    CHECK_ST0 0x3FFD, 0xAAAAAAAAAAAAAAAB, "FDIV 1 / 3 (64-bit, nearest)"
    fild dword [c_two]
    fsqrt
    CHECK_ST0 0x3FFF, 0xB504F333F9DE6484, "FSQRT 2 (64-bit, nearest)"
    fild dword [c_three]
    fild dword [c_one]
    fcom st1
    fnstsw ax
    fstp st0
    fstp st0
    and eax, 0x4500
    CHECK_EQ eax, 0x0100, "FCOM 1 vs 3: C0=1, C2=0, C3=0"
    ret

test_rounding:
    finit
    SET_CW CW_DEFAULT | RC_DOWN
    LOAD_RATIO 1, 3
    CHECK_ST0 0x3FFD, 0xAAAAAAAAAAAAAAAA, "RC=down: 1/3"
    LOAD_RATIO -1, 3
    CHECK_ST0 0xBFFD, 0xAAAAAAAAAAAAAAAB, "RC=down: -1/3"
    SET_CW CW_DEFAULT | RC_UP
    LOAD_RATIO 1, 3
    CHECK_ST0 0x3FFD, 0xAAAAAAAAAAAAAAAB, "RC=up: 1/3"
    LOAD_RATIO -1, 3
    CHECK_ST0 0xBFFD, 0xAAAAAAAAAAAAAAAA, "RC=up: -1/3"
    SET_CW CW_DEFAULT | RC_ZERO
    LOAD_RATIO 1, 3
    CHECK_ST0 0x3FFD, 0xAAAAAAAAAAAAAAAA, "RC=zero: 1/3"
    LOAD_RATIO -1, 3
    CHECK_ST0 0xBFFD, 0xAAAAAAAAAAAAAAAA, "RC=zero: -1/3"
    SET_CW CW_DEFAULT | RC_NEAREST
    LOAD_RATIO -1, 3
    CHECK_ST0 0xBFFD, 0xAAAAAAAAAAAAAAAB, "RC=nearest: -1/3"
    ret

test_precision:
    finit
    SET_CW PC_24
    LOAD_RATIO 1, 3
    CHECK_ST0 0x3FFD, 0xAAAAAB0000000000, "PC=24: 1/3 rounded to 24 bits"
    LOAD_RATIO 2, 3
    CHECK_ST0 0x3FFE, 0xAAAAAB0000000000, "PC=24: 2/3 rounded to 24 bits"
    SET_CW PC_53
    LOAD_RATIO 1, 3
    CHECK_ST0 0x3FFD, 0xAAAAAAAAAAAAA800, "PC=53: 1/3 rounded to 53 bits"
    finit
    ret

; FIST/FISTP: round by RC; out of range with IM masked stores the integer
; indefinite (SDM Vol. 1, 8.2.1 and 4.8.3.6) and sets IE.
test_integer_store:
    finit
    LOAD_RATIO 5, 2
    fistp dword [int_out]
    CHECK_EQ dword [int_out], 2, "FISTP 2.5 (nearest even) = 2"
    LOAD_RATIO 7, 2
    fistp dword [int_out]
    CHECK_EQ dword [int_out], 4, "FISTP 3.5 (nearest even) = 4"
    LOAD_RATIO -5, 2
    fistp dword [int_out]
    CHECK_EQ dword [int_out], -2, "FISTP -2.5 (nearest even) = -2"
    fnclex
    mov dword [int_a], 40000
    fild dword [int_a]
    mov dword [int_out], 0
    fistp word [int_out]
    fnstsw ax
    CHECK_EQ dword [int_out], 0x8000, "FISTP m16 of 40000: integer indefinite 0x8000"
    and eax, 1
    CHECK_EQ eax, 1, "FISTP overflow sets IE"
    fnclex
    fild qword [c_ten_billion]
    fistp dword [int_out]
    CHECK_EQ dword [int_out], 0x80000000, "FISTP m32 of 1e10: integer indefinite 0x80000000"
    finit
    ret

; An unmasked exception is delivered as #MF (CR0.NE=1) at the next waiting
; FPU instruction, not at the one that caused it (SDM Vol. 1, 8.7).
test_unmasked_exception:
    finit
    SET_CW CW_DEFAULT & ~(1 << 2)       ; unmask ZE
    fld1
    fldz
.fdiv: fdivp st1, st0
    fnstenv [env]
    CHECK_EQ dword [env + 12], .fdiv, "FPU instruction pointer = the FDIV"
    fnstsw ax
    movzx eax, ax
    and eax, 0x80BF
    CHECK_EQ eax, 0x8084, "unmasked 1/0: ZE, ES and B set, no #MF yet"
    TRY
.wait: fwait
    END_TRY
    CHECK_FAULT 16, 0, .wait, "#MF at the next FWAIT"
    fnclex
    finit
    ret

; CR0.TS / EM / MP and #NM (SDM Vol. 3A, 2.5 Table 2-2).
test_device_not_available:
    finit
    mov eax, cr0
    or eax, CR0_TS
    mov cr0, eax
    TRY
.fld: fld1
    END_TRY
    CHECK_FAULT 7, 0, .fld, "CR0.TS=1: an x87 instruction raises #NM"
    TRY
.wait: fwait
    END_TRY
    CHECK_FAULT 7, 0, .wait, "CR0.TS=1, MP=1: FWAIT raises #NM"
    mov eax, cr0
    and eax, ~CR0_MP
    mov cr0, eax
    TRY
    fwait
    END_TRY
    CHECK_NO_FAULT "CR0.TS=1, MP=0: FWAIT runs"
    clts
    mov eax, cr0
    or eax, CR0_EM | CR0_MP
    mov cr0, eax
    TRY
.em: fld1
    END_TRY
    CHECK_FAULT 7, 0, .em, "CR0.EM=1: an x87 instruction raises #NM"
    mov eax, cr0
    and eax, ~CR0_EM
    mov cr0, eax
    ret

test_fxsave:
    mov eax, 1
    cpuid
    mov [cpuid1_edx], edx
    bt edx, 24
    jc .have_fxsr
    SKIP "FXSAVE/FXRSTOR round trip", "CPUID.01H:EDX.FXSR=0"
    ret
.have_fxsr:
    bt edx, 25
    jnc .no_sse
    mov eax, cr4
    or eax, CR4_OSFXSR
    mov cr4, eax
    movups xmm0, [xmm_pattern]
.no_sse:
    mov edi, FX_A
    mov ecx, 0x400 / 4
    xor eax, eax
    rep stosd
    finit
    fild dword [c_three]
    fldpi
    fxsave [FX_A]
    finit
    test dword [cpuid1_edx], 1 << 25
    jz .clobbered
    xorps xmm0, xmm0
.clobbered:
    fxrstor [FX_A]
    fxsave [FX_B]
    CHECK_BYTES FX_B, FX_A, 160, "FXRSTOR then FXSAVE gives the same x87 image"
    movzx eax, word [FX_A]
    CHECK_EQ eax, CW_DEFAULT, "FXSAVE image: FCW"
    movzx eax, word [FX_A + 2]
    CHECK_EQ eax, 0x3000, "FXSAVE image: FSW with TOP=6"
    movzx eax, byte [FX_A + 4]
    CHECK_EQ eax, 0xC0, "FXSAVE image: abridged tag byte (R6, R7 valid)"
    CHECK_BYTES FX_A + 32, pi_image, 10, "FXSAVE image: ST0 = pi"
    CHECK_ST0 0x4000, 0xC90FDAA22168C235, "after FXRSTOR ST0 = pi"
    CHECK_ST0 0x4000, 0xC000000000000000, "after FXRSTOR ST1 = 3"
    test dword [cpuid1_edx], 1 << 25
    jz .done
    movups [xmm_out], xmm0
    CHECK_BYTES xmm_out, xmm_pattern, 16, "FXRSTOR restores XMM0"
    CHECK_EQ dword [FX_A + 24], 0x1F80, "FXSAVE image: MXCSR default 0x1F80"
.done:
    ret

; MMX shares the x87 registers: an MMX instruction sets TOP=0 and tags all
; valid, EMMS tags all empty (SDM Vol. 1, 9.5).
test_mmx:
    test dword [cpuid1_edx], 1 << 23
    jnz .have_mmx
    SKIP "MMX PADDB and EMMS", "CPUID.01H:EDX.MMX=0"
    ret
.have_mmx:
    finit
    movq mm0, [mmx_a]
    paddb mm0, [mmx_b]
    movq [mmx_out], mm0
    CHECK_BYTES mmx_out, mmx_sum, 8, "PADDB adds bytes with wrap-around"
    ; FNSTENV rebuilds 2-bit tags from the register contents (valid, zero or
    ; special), so only "no register is empty (11)" is architectural.
    fnstenv [env]
    mov eax, [env + 8]
    mov ebx, eax
    shr ebx, 1
    and eax, ebx
    and eax, 0x5555
    CHECK_EQ eax, 0, "after an MMX instruction no register is tagged empty"
    CHECK_MASK dword [env + 4], 0x3800, 0, "after an MMX instruction TOP=0"
    test dword [cpuid1_edx], 1 << 24
    jz .no_fxsr_before
    fxsave [FX_A]
    movzx eax, byte [FX_A + 4]
    CHECK_EQ eax, 0xFF, "after an MMX instruction the abridged tag (FXSAVE) is 0xFF"
.no_fxsr_before:
    emms
    fnstenv [env]
    CHECK_MASK dword [env + 8], 0xFFFF, 0xFFFF, "after EMMS the tag word is 0xFFFF"
    test dword [cpuid1_edx], 1 << 24
    jz .no_fxsr_after
    fxsave [FX_A]
    movzx eax, byte [FX_A + 4]
    CHECK_EQ eax, 0, "after EMMS the abridged tag (FXSAVE) is 0"
.no_fxsr_after:
    finit
    ret

align 16
xmm_pattern:    db 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77
                db 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF
xmm_out:        times 16 db 0
mmx_a:          db 0x01, 0x02, 0x03, 0xFF, 0x80, 0x7F, 0x10, 0xFE
mmx_b:          db 0x01, 0x01, 0x01, 0x01, 0x80, 0x01, 0xF0, 0x03
mmx_sum:        db 0x02, 0x03, 0x04, 0x00, 0x00, 0x80, 0x00, 0x01
mmx_out:        dq 0
pi_image:       dq 0xC90FDAA22168C235
                dw 0x4000
c_ten_billion:  dq 10000000000
c_one:          dd 1
c_two:          dd 2
c_three:        dd 3
int_a:          dd 0
int_b:          dd 0
int_out:        dd 0
cpuid1_edx:     dd 0
cw_temp:        dw 0
st_image:       times 10 db 0
align 4
env:            times 28 db 0

%include "lib/end.inc"
