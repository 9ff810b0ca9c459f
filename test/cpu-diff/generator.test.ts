import assert from "node:assert/strict";
import { test } from "node:test";
import { CaseBuilder } from "../../src/difftest/builder.js";
import { generateCase } from "../../src/difftest/groups/group.js";
import { ALL_GROUPS } from "../../src/difftest/groups/index.js";
import { CODE_MAX, DATA_ADDR, DATA_SIZE, INT3 } from "../../src/difftest/layout.js";
import { Rng } from "../../src/difftest/rng.js";

test("the PRNG is deterministic per seed and spreads its values", () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const sa = Array.from({ length: 16 }, () => a.u32());
  assert.deepEqual(
    sa,
    Array.from({ length: 16 }, () => b.u32()),
  );
  assert.notDeepEqual(
    sa,
    Array.from({ length: 16 }, () => c.u32()),
  );
  const r = new Rng(1);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const v = r.value(8);
    assert.ok(v >= 0 && v <= 0xff);
    seen.add(v);
  }
  for (const edge of [0, 1, 0x7f, 0x80, 0xff]) assert.ok(seen.has(edge), `edge ${edge} drawn`);
});

test("cases are reproducible from (seed, group, index)", () => {
  for (const g of ALL_GROUPS) {
    const x = generateCase(g, 99, 17);
    const y = generateCase(g, 99, 17);
    assert.deepEqual(x.code, y.code);
    assert.deepEqual(x.gpr, y.gpr);
    assert.deepEqual(x.dataInit, y.dataInit);
    assert.notDeepEqual(generateCase(g, 100, 17).gpr, x.gpr);
  }
});

test("every form generates well-formed cases", () => {
  for (const g of ALL_GROUPS) {
    assert.ok(g.forms.length > 0, g.name);
    assert.equal(
      new Set(g.forms.map((f) => f.name)).size,
      g.forms.length,
      `${g.name}: unique form names`,
    );
    for (let i = 0; i < g.forms.length * 3; i++) {
      const c = generateCase(g, 5, i);
      assert.ok(c.code.length >= 1 && c.code.length <= CODE_MAX, `${c.form}`);
      assert.equal(c.code[c.code.length - 1], INT3);
      assert.equal(c.eflags & 0x100, 0, "TF clear");
      assert.equal(c.eflags & 0x200, 0x200, "IF set");
      for (const s of c.dataInit)
        assert.ok(s.offset >= 0 && s.offset + s.bytes.length <= DATA_SIZE);
    }
  }
});

test("memory operands address the data area whatever the addressing form", () => {
  const rng = new Rng(7);
  for (let i = 0; i < 500; i++) {
    const b = new CaseBuilder(rng);
    const { mem, offset } = b.mem(4);
    // Effective address computed independently from the operand and the registers.
    let ea = mem.disp;
    if (mem.base !== null) ea += b.gpr[mem.base];
    if (mem.index !== null) ea += b.gpr[mem.index] * 2 ** mem.scale;
    assert.equal(ea >>> 0, (DATA_ADDR + offset) >>> 0, JSON.stringify(mem));
    assert.ok(offset >= 0 && offset + 4 <= DATA_SIZE);
  }
});
