/**
 * MMX arithmetic, comparison, logic, shift, pack and unpack instructions
 * (SDM vol. 2; lanes as in SDM vol. 1, 9.4). Each works on the lane views of
 * mmx.ts: A is the destination and result, B the source.
 */
import {
  a16,
  a32,
  a8,
  au16,
  au8,
  b16,
  b32,
  b8,
  bu16,
  bu8,
  defineMmxBinary,
  defineMmxShiftImm,
  shiftCount,
} from "./mmx.js";

const sat8 = (v: number): number => (v > 127 ? 127 : v < -128 ? -128 : v);
const sat16 = (v: number): number => (v > 32767 ? 32767 : v < -32768 ? -32768 : v);
const satU8 = (v: number): number => (v > 255 ? 255 : v < 0 ? 0 : v);
const satU16 = (v: number): number => (v > 65535 ? 65535 : v < 0 ? 0 : v);

// ---- Add / subtract: wrapping (typed arrays wrap), signed and unsigned saturation ----
defineMmxBinary(0xfc, () => { for (let i = 0; i < 8; i++) a8[i] += b8[i]; }); // prettier-ignore
defineMmxBinary(0xfd, () => { for (let i = 0; i < 4; i++) a16[i] += b16[i]; }); // prettier-ignore
defineMmxBinary(0xfe, () => { for (let i = 0; i < 2; i++) a32[i] += b32[i]; }); // prettier-ignore
defineMmxBinary(0xec, () => { for (let i = 0; i < 8; i++) a8[i] = sat8(a8[i] + b8[i]); }); // prettier-ignore
defineMmxBinary(0xed, () => { for (let i = 0; i < 4; i++) a16[i] = sat16(a16[i] + b16[i]); }); // prettier-ignore
defineMmxBinary(0xdc, () => { for (let i = 0; i < 8; i++) au8[i] = satU8(au8[i] + bu8[i]); }); // prettier-ignore
defineMmxBinary(0xdd, () => { for (let i = 0; i < 4; i++) au16[i] = satU16(au16[i] + bu16[i]); }); // prettier-ignore
defineMmxBinary(0xf8, () => { for (let i = 0; i < 8; i++) a8[i] -= b8[i]; }); // prettier-ignore
defineMmxBinary(0xf9, () => { for (let i = 0; i < 4; i++) a16[i] -= b16[i]; }); // prettier-ignore
defineMmxBinary(0xfa, () => { for (let i = 0; i < 2; i++) a32[i] -= b32[i]; }); // prettier-ignore
defineMmxBinary(0xe8, () => { for (let i = 0; i < 8; i++) a8[i] = sat8(a8[i] - b8[i]); }); // prettier-ignore
defineMmxBinary(0xe9, () => { for (let i = 0; i < 4; i++) a16[i] = sat16(a16[i] - b16[i]); }); // prettier-ignore
defineMmxBinary(0xd8, () => { for (let i = 0; i < 8; i++) au8[i] = satU8(au8[i] - bu8[i]); }); // prettier-ignore
defineMmxBinary(0xd9, () => { for (let i = 0; i < 4; i++) au16[i] = satU16(au16[i] - bu16[i]); }); // prettier-ignore

// ---- Compare: all ones where true ----
defineMmxBinary(0x74, () => { for (let i = 0; i < 8; i++) a8[i] = a8[i] === b8[i] ? -1 : 0; }); // prettier-ignore
defineMmxBinary(0x75, () => { for (let i = 0; i < 4; i++) a16[i] = a16[i] === b16[i] ? -1 : 0; }); // prettier-ignore
defineMmxBinary(0x76, () => { for (let i = 0; i < 2; i++) a32[i] = a32[i] === b32[i] ? -1 : 0; }); // prettier-ignore
defineMmxBinary(0x64, () => { for (let i = 0; i < 8; i++) a8[i] = a8[i] > b8[i] ? -1 : 0; }); // prettier-ignore
defineMmxBinary(0x65, () => { for (let i = 0; i < 4; i++) a16[i] = a16[i] > b16[i] ? -1 : 0; }); // prettier-ignore
defineMmxBinary(0x66, () => { for (let i = 0; i < 2; i++) a32[i] = a32[i] > b32[i] ? -1 : 0; }); // prettier-ignore

// ---- Multiply ----
// PMULLW: low 16 bits of each product; PMULHW: high 16 bits (signed).
defineMmxBinary(0xd5, () => { for (let i = 0; i < 4; i++) a16[i] = Math.imul(a16[i], b16[i]); }); // prettier-ignore
defineMmxBinary(0xe5, () => { for (let i = 0; i < 4; i++) a16[i] = (a16[i] * b16[i]) >> 16; }); // prettier-ignore
// PMADDWD: pairs of signed products summed into dwords (0x8000·0x8000·2 wraps to 0x80000000).
defineMmxBinary(0xf5, () => {
  const lo = a16[0] * b16[0] + a16[1] * b16[1];
  const hi = a16[2] * b16[2] + a16[3] * b16[3];
  a32[0] = lo;
  a32[1] = hi;
});

// ---- Logic ----
defineMmxBinary(0xdb, () => { a32[0] &= b32[0]; a32[1] &= b32[1]; }); // prettier-ignore
defineMmxBinary(0xdf, () => { a32[0] = ~a32[0] & b32[0]; a32[1] = ~a32[1] & b32[1]; }); // prettier-ignore
defineMmxBinary(0xeb, () => { a32[0] |= b32[0]; a32[1] |= b32[1]; }); // prettier-ignore
defineMmxBinary(0xef, () => { a32[0] ^= b32[0]; a32[1] ^= b32[1]; }); // prettier-ignore

// ---- Shifts (count ≥ lane width: zero, or sign fill for arithmetic shifts) ----
function psllw(n: number): void {
  for (let i = 0; i < 4; i++) au16[i] = n > 15 ? 0 : au16[i] << n;
}
function psrlw(n: number): void {
  for (let i = 0; i < 4; i++) au16[i] = n > 15 ? 0 : au16[i] >>> n;
}
function psraw(n: number): void {
  for (let i = 0; i < 4; i++) a16[i] = a16[i] >> (n > 15 ? 15 : n);
}
function pslld(n: number): void {
  for (let i = 0; i < 2; i++) a32[i] = n > 31 ? 0 : a32[i] << n;
}
function psrld(n: number): void {
  for (let i = 0; i < 2; i++) a32[i] = n > 31 ? 0 : a32[i] >>> n;
}
function psrad(n: number): void {
  for (let i = 0; i < 2; i++) a32[i] = a32[i] >> (n > 31 ? 31 : n);
}
function psllq(n: number): void {
  const lo = a32[0];
  const hi = a32[1];
  if (n > 63) a32[0] = a32[1] = 0;
  else if (n >= 32) {
    a32[1] = lo << (n - 32);
    a32[0] = 0;
  } else if (n > 0) {
    a32[1] = (hi << n) | (lo >>> (32 - n));
    a32[0] = lo << n;
  }
}
function psrlq(n: number): void {
  const lo = a32[0];
  const hi = a32[1];
  if (n > 63) a32[0] = a32[1] = 0;
  else if (n >= 32) {
    a32[0] = hi >>> (n - 32);
    a32[1] = 0;
  } else if (n > 0) {
    a32[0] = (lo >>> n) | (hi << (32 - n));
    a32[1] = hi >>> n;
  }
}
const shifts: [number, number, number, (n: number) => void][] = [
  // [register-count opcode, immediate group opcode, group reg, op]
  [0xf1, 0x71, 6, psllw],
  [0xd1, 0x71, 2, psrlw],
  [0xe1, 0x71, 4, psraw],
  [0xf2, 0x72, 6, pslld],
  [0xd2, 0x72, 2, psrld],
  [0xe2, 0x72, 4, psrad],
  [0xf3, 0x73, 6, psllq],
  [0xd3, 0x73, 2, psrlq],
];
for (const [opcode, group, reg, op] of shifts) {
  defineMmxBinary(opcode, () => op(shiftCount()));
  defineMmxShiftImm(group, reg, op);
}

// ---- Pack (destination lanes form the low half, source lanes the high half) ----
const tmp = new Int16Array(4);
const tmpB = new Int8Array(8);
defineMmxBinary(0x63, () => {
  for (let i = 0; i < 4; i++) tmpB[i] = sat8(a16[i]);
  for (let i = 0; i < 4; i++) tmpB[4 + i] = sat8(b16[i]);
  a8.set(tmpB);
});
defineMmxBinary(0x67, () => {
  for (let i = 0; i < 4; i++) tmpB[i] = satU8(a16[i]);
  for (let i = 0; i < 4; i++) tmpB[4 + i] = satU8(b16[i]);
  a8.set(tmpB);
});
defineMmxBinary(0x6b, () => {
  tmp[0] = sat16(a32[0]);
  tmp[1] = sat16(a32[1]);
  tmp[2] = sat16(b32[0]);
  tmp[3] = sat16(b32[1]);
  a16.set(tmp);
});

// ---- Unpack: interleave the low (PUNPCKL*, m32 source) or high halves ----
function unpack8(base: number): void {
  for (let i = 0; i < 4; i++) {
    tmpB[2 * i] = a8[base + i];
    tmpB[2 * i + 1] = b8[base + i];
  }
  a8.set(tmpB);
}
function unpack16(base: number): void {
  for (let i = 0; i < 2; i++) {
    tmp[2 * i] = a16[base + i];
    tmp[2 * i + 1] = b16[base + i];
  }
  a16.set(tmp);
}
function unpack32(base: number): void {
  const x = a32[base];
  const y = b32[base];
  a32[0] = x;
  a32[1] = y;
}
defineMmxBinary(0x60, () => unpack8(0), true);
defineMmxBinary(0x61, () => unpack16(0), true);
defineMmxBinary(0x62, () => unpack32(0), true);
defineMmxBinary(0x68, () => unpack8(4));
defineMmxBinary(0x69, () => unpack16(2));
defineMmxBinary(0x6a, () => unpack32(1));
