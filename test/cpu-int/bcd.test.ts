// DAA/DAS/AAA/AAS/AAM/AAD/SALC: decimal arithmetic properties, the SDM's
// worked examples, and every AL/AF/CF input against the SDM pseudo-code.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AF, CF, OF, STATUS, szp } from "./ref.js";
import { faultIp, faultVector, flat, hex, real, run, CODE } from "./exec.js";

const ADD_AL_BL = [0x00, 0xd8];
const SUB_AL_BL = [0x28, 0xd8];
const DAA = 0x27;
const DAS = 0x2f;
const AAA = 0x37;
const AAS = 0x3f;

function bcd(n: number): number {
  return ((Math.floor(n / 10) % 10) << 4) | (n % 10);
}

/** DAA/DAS, literally as the SDM vol. 2 pseudo-code reads. */
function decimalAdjust(sub: boolean, al: number, flags: number): { al: number; flags: number } {
  const oldAl = al;
  const oldCf = flags & CF ? 1 : 0;
  let cf = 0;
  let af = 0;
  if ((al & 0x0f) > 9 || flags & AF) {
    const t = sub ? al - 6 : al + 6;
    cf = oldCf | (t < 0 || t > 0xff ? 1 : 0);
    al = t & 0xff;
    af = AF;
  }
  if (oldAl > 0x99 || oldCf) {
    al = (sub ? al - 0x60 : al + 0x60) & 0xff;
    cf = 1;
  } else if (!sub) {
    cf = 0; // DAA has this ELSE branch; DAS does not
  }
  return { al, flags: szp(8, al) | af | cf };
}

describe("DAA/DAS", () => {
  const h = flat();
  it("ADD+DAA and SUB+DAS give packed-BCD sums and differences with a decimal carry", () => {
    for (let a = 0; a < 100; a += 3) {
      for (let b = 0; b < 100; b += 7) {
        run(h, [...ADD_AL_BL, DAA], { eax: bcd(a), ebx: bcd(b) });
        assert.equal(h.eax & 0xff, bcd((a + b) % 100), `${a} + ${b}`);
        assert.equal(h.eflags & CF, a + b >= 100 ? CF : 0, `${a} + ${b} carry`);
        run(h, [...SUB_AL_BL, DAS], { eax: bcd(a), ebx: bcd(b) });
        assert.equal(h.eax & 0xff, bcd((a - b + 100) % 100), `${a} - ${b}`);
        assert.equal(h.eflags & CF, a < b ? CF : 0, `${a} - ${b} borrow`);
      }
    }
  });

  it("the SDM examples: 79+35 → 14 CF=1; 35-47 → 88 CF=1", () => {
    run(h, [...ADD_AL_BL, DAA], { eax: 0x79, ebx: 0x35 });
    assert.equal(h.eax & 0xff, 0x14);
    assert.equal(h.eflags & (CF | AF), CF | AF);
    run(h, [...SUB_AL_BL, DAS], { eax: 0x35, ebx: 0x47 });
    assert.equal(h.eax & 0xff, 0x88);
    assert.equal(h.eflags & (CF | AF), CF | AF);
  });

  it("every AL with every AF/CF matches the pseudo-code (OF = 0)", () => {
    for (const sub of [false, true]) {
      for (let al = 0; al < 256; al++) {
        for (const flagsIn of [0, AF, CF, AF | CF, STATUS]) {
          const e = decimalAdjust(sub, al, flagsIn);
          run(h, [sub ? DAS : DAA], { eax: 0x5500 | al, flags: flagsIn });
          const msg = `${sub ? "das" : "daa"} al=${hex(al)} flags=${hex(flagsIn)}`;
          assert.equal(h.eax, 0x5500 | e.al, msg);
          assert.equal(h.eflags & STATUS, e.flags & ~OF, msg);
        }
      }
    }
  });
});

describe("AAA/AAS", () => {
  const h = flat();
  it("ADD+AAA / SUB+AAS on unpacked digits carry into / borrow from AH", () => {
    for (let a = 0; a < 10; a++) {
      for (let b = 0; b < 10; b++) {
        run(h, [...ADD_AL_BL, AAA], { eax: 0x0500 | a, ebx: b });
        assert.equal(h.eax, ((5 + (a + b >= 10 ? 1 : 0)) << 8) | ((a + b) % 10), `${a} + ${b}`);
        assert.equal(h.eflags & (CF | AF), a + b >= 10 ? CF | AF : 0);
        run(h, [...SUB_AL_BL, AAS], { eax: 0x0500 | a, ebx: b });
        assert.equal(h.eax, ((5 - (a < b ? 1 : 0)) << 8) | ((a - b + 10) % 10), `${a} - ${b}`);
        assert.equal(h.eflags & (CF | AF), a < b ? CF | AF : 0);
      }
    }
  });

  it("AAA adjusts AX by 106H (the carry of AL + 6 reaches AH) and masks AL", () => {
    for (const [ax, flagsIn] of [
      [0x00fa, 0],
      [0x00ff, 0],
      [0x0009, AF],
      [0xff0b, 0],
      [0x0009, 0],
    ] as const) {
      const adjust = (ax & 0x0f) > 9 || (flagsIn & AF) !== 0;
      const want = adjust ? ((ax + 0x106) & 0xff00) | ((ax + 6) & 0x0f) : ax & 0xff0f;
      run(h, [AAA], { eax: ax, flags: flagsIn });
      assert.equal(h.eax, want, `aaa ${hex(ax)}`);
      assert.equal(h.eflags & (CF | AF), adjust ? CF | AF : 0);
      const wantS = adjust ? ((ax - 0x106) & 0xff00) | ((ax - 6) & 0x0f) : ax & 0xff0f;
      run(h, [AAS], { eax: ax, flags: flagsIn });
      assert.equal(h.eax, wantS, `aas ${hex(ax)}`);
    }
  });
});

describe("AAM/AAD", () => {
  it("AAM ib splits AL in base ib; AAD ib joins AH:AL; flags from AL", () => {
    const h = flat();
    for (const base of [10, 16, 7, 1, 255]) {
      for (let al = 0; al < 256; al += 5) {
        run(h, [0xd4, base], { eax: 0x1200 | al });
        const q = Math.floor(al / base);
        const r = al % base;
        assert.equal(h.eax, (q << 8) | r, `aam ${base} al=${al}`);
        assert.equal(h.eflags & STATUS, szp(8, r), `aam flags ${base} al=${al}`);
        run(h, [0xd5, base], { eax: (0xabcd_0000 | (q << 8) | r) >>> 0 });
        assert.equal(h.eax, (0xabcd_0000 | ((q * base + r) & 0xff)) >>> 0, `aad ${base}`);
        assert.equal(h.eflags & STATUS, szp(8, (q * base + r) & 0xff));
      }
    }
    run(h, [0xd5, 10], { eax: 0xffff });
    assert.equal(h.eax, (0xff * 10 + 0xff) & 0xff);
  });

  it("AAM 0 raises #DE at the instruction", () => {
    const h = real();
    run(h, [0xd4, 0], { eax: 0x1234 });
    assert.equal(faultVector(h), 0);
    assert.equal(faultIp(h), CODE);
    assert.equal(h.eax, 0x1234);
  });
});

describe("SALC", () => {
  it("sets AL to FF when CF = 1, else 00, and changes no flag", () => {
    const h = flat();
    run(h, [0xd6], { eax: 0x1234_5678, flags: CF | OF });
    assert.equal(h.eax, 0x1234_56ff);
    assert.equal(h.eflags & STATUS, CF | OF);
    run(h, [0xd6], { eax: 0x1234_5678, flags: STATUS & ~CF });
    assert.equal(h.eax, 0x1234_5600);
    assert.equal(h.eflags & STATUS, STATUS & ~CF);
  });
});
