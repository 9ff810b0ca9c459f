// CMPXCHG, XADD, CMPXCHG8B, and which instructions accept a LOCK prefix.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { STATUS, ZF, add, mask, sub, toUnsigned, type Size } from "./ref.js";
import {
  CODE,
  DATA,
  faultIp,
  faultVector,
  flat,
  hex,
  modrm,
  osize,
  peek,
  poke,
  real,
  run,
} from "./exec.js";

const SIZES: Size[] = [8, 16, 32];

describe("CMPXCHG", () => {
  const h = flat();
  for (const size of SIZES) {
    it(`${size}-bit, register and memory destinations, equal and unequal`, () => {
      const op = size === 8 ? 0xb0 : 0xb1;
      const m = mask(size);
      for (const [acc, dest] of [
        [5, 5],
        [5, 6],
        [0, m],
        [m, 0],
        [m >>> 1, (m >>> 1) + 1],
      ]) {
        const e = sub(size, acc, dest);
        const equal = acc === dest;
        const src = 0x7a7a7a7a & m;
        const msg = `cmpxchg${size} acc=${hex(acc)} dest=${hex(dest)}`;
        // cmpxchg ebx, ecx (r/m = EBX, reg = ECX)
        run(h, [...osize(size), 0x0f, op, modrm(3, 1, 3)], { eax: acc, ebx: dest, ecx: src });
        assert.equal(toUnsigned(size, h.ebx), equal ? src : dest, msg);
        assert.equal(toUnsigned(size, h.eax), equal ? acc : dest, msg);
        assert.equal(h.eflags & STATUS, e.flags, msg);
        poke(h, DATA, size, dest);
        run(h, [...osize(size), 0x0f, op, modrm(0, 1, 6)], { eax: acc, ecx: src, esi: DATA });
        assert.equal(peek(h, DATA, size), equal ? src : dest, `[mem] ${msg}`);
        assert.equal(toUnsigned(size, h.eax), equal ? acc : dest, `[mem] ${msg}`);
        assert.equal(h.eflags & STATUS, e.flags, `[mem] ${msg}`);
      }
    });
  }

  it("a failed compare still writes the destination (a read-only page faults)", () => {
    const h16 = real();
    h16.memory.readOnly.add(DATA >> 12);
    h16.memory.mapChanged();
    h16.poke(DATA, [1, 0]);
    // In real mode a read-only (ROM) page is not a fault: the write is dropped to MMIO.
    // So check the write happened through the I/O log instead.
    run(h16, [0x0f, 0xb1, modrm(0, 1, 4)], { eax: 2, ecx: 9, esi: DATA });
    const writes = h16.io.log.filter((a) => a.space === "mmio" && a.write && a.address === DATA);
    assert.equal(writes.length, 1, "the old value is written back");
    assert.equal(writes[0].value, 1);
    assert.equal(h16.eax & 0xffff, 1);
  });
});

describe("XADD", () => {
  const h = flat();
  for (const size of SIZES) {
    it(`${size}-bit: dest = dest + src, src = old dest; flags of the addition`, () => {
      const op = size === 8 ? 0xc0 : 0xc1;
      const m = mask(size);
      for (const [dest, src] of [
        [1, 2],
        [m, 1],
        [m >>> 1, 1],
        [0x1234 & m, 0xfedc & m],
      ]) {
        const e = add(size, dest, src);
        run(h, [...osize(size), 0x0f, op, modrm(3, 1, 3)], { ebx: dest, ecx: src });
        assert.equal(toUnsigned(size, h.ebx), e.result);
        assert.equal(toUnsigned(size, h.ecx), dest);
        assert.equal(h.eflags & STATUS, e.flags);
        poke(h, DATA, size, dest);
        run(h, [...osize(size), 0x0f, op, modrm(0, 1, 6)], { ecx: src, esi: DATA });
        assert.equal(peek(h, DATA, size), e.result);
        assert.equal(toUnsigned(size, h.ecx), dest);
      }
    });
  }

  it("XADD with the same register twice leaves the sum", () => {
    run(h, [0x0f, 0xc1, modrm(3, 0, 0)], { eax: 21 });
    assert.equal(h.eax, 42);
  });
});

describe("CMPXCHG8B", () => {
  it("equal: stores ECX:EBX and sets ZF; unequal: loads EDX:EAX and clears ZF", () => {
    const h = flat();
    const code = [0x0f, 0xc7, modrm(0, 1, 6)];
    poke(h, DATA, 32, 0x1111_2222);
    poke(h, DATA + 4, 32, 0x3333_4444);
    run(h, code, {
      esi: DATA,
      eax: 0x1111_2222,
      edx: 0x3333_4444,
      ebx: 0xaaaa,
      ecx: 0xbbbb,
      flags: STATUS & ~ZF,
    });
    assert.equal(peek(h, DATA, 32), 0xaaaa);
    assert.equal(peek(h, DATA + 4, 32), 0xbbbb);
    assert.equal(h.eflags & STATUS, STATUS, "only ZF changes");
    run(h, code, { esi: DATA, eax: 1, edx: 0xbbbb, ebx: 5, ecx: 6, flags: ZF });
    assert.equal(h.eax, 0xaaaa);
    assert.equal(h.edx, 0xbbbb);
    assert.equal(peek(h, DATA, 32), 0xaaaa);
    assert.equal(h.eflags & STATUS, 0);
  });

  it("a register operand is #UD", () => {
    const h = real();
    run(h, [0x0f, 0xc7, modrm(3, 1, 0)], {});
    assert.equal(faultVector(h), 6);
    assert.equal(faultIp(h), CODE);
  });
});

describe("LOCK prefix", () => {
  // Real-mode encodings, [si] memory operands (16-bit addressing, rm = 4).
  const accepted: [string, number[]][] = [
    ["lock add [si], ax", [0xf0, 0x01, modrm(0, 0, 4)]],
    ["lock sub word [si], 1 (83)", [0xf0, 0x83, modrm(0, 5, 4), 1]],
    ["lock inc byte [si]", [0xf0, 0xfe, modrm(0, 0, 4)]],
    ["lock neg word [si]", [0xf0, 0xf7, modrm(0, 3, 4)]],
    ["lock not word [si]", [0xf0, 0xf7, modrm(0, 2, 4)]],
    ["lock bts [si], ax", [0xf0, 0x0f, 0xab, modrm(0, 0, 4)]],
    ["lock btc word [si], 3", [0xf0, 0x0f, 0xba, modrm(0, 7, 4), 3]],
    ["lock xadd [si], ax", [0xf0, 0x0f, 0xc1, modrm(0, 0, 4)]],
    ["lock cmpxchg [si], cx", [0xf0, 0x0f, 0xb1, modrm(0, 1, 4)]],
    ["lock cmpxchg8b [si]", [0xf0, 0x0f, 0xc7, modrm(0, 1, 4)]],
  ];
  const rejected: [string, number[]][] = [
    ["lock add ax, bx (register destination)", [0xf0, 0x01, modrm(3, 3, 0)]],
    ["lock add ax, [si] (register destination)", [0xf0, 0x03, modrm(0, 0, 4)]],
    ["lock cmp [si], ax", [0xf0, 0x39, modrm(0, 0, 4)]],
    ["lock test [si], ax", [0xf0, 0x85, modrm(0, 0, 4)]],
    ["lock bt [si], ax", [0xf0, 0x0f, 0xa3, modrm(0, 0, 4)]],
    ["lock add al, 1", [0xf0, 0x04, 1]],
    ["lock shl word [si], 1", [0xf0, 0xd1, modrm(0, 4, 4)]],
    ["lock inc ax (40)", [0xf0, 0x40]],
  ];
  const h = real();
  for (const [name, code] of accepted) {
    it(`accepts ${name}`, () => {
      run(h, code, { esi: DATA });
      assert.equal(faultVector(h), -1);
    });
  }
  for (const [name, code] of rejected) {
    it(`rejects ${name} with #UD`, () => {
      run(h, code, { esi: DATA, eax: 3 });
      assert.equal(faultVector(h), 6);
      assert.equal(faultIp(h), CODE);
      assert.equal(h.eax, 3);
    });
  }
});
