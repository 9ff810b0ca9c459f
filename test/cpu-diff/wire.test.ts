import assert from "node:assert/strict";
import { test } from "node:test";
import { manualCase } from "../../src/difftest/case.js";
import { defaultFxsave } from "../../src/difftest/fxsave.js";
import { DATA_SIZE, VEC_BP, VEC_GP, VEC_TIMEOUT } from "../../src/difftest/layout.js";
import {
  CASE_MAGIC,
  decodeResult,
  encodeCases,
  RESULT_MAGIC,
  RESULT_SIZE,
  signalToVector,
  WireError,
} from "../../src/difftest/wire.js";

test("cases are laid out as native-runner.c reads them", () => {
  const c = manualCase(
    {
      code: [0x90],
      gpr: [1, 2, 3, 4, 5, 6, 7, 0xffffffff],
      eflags: 0x2d7,
      dataInit: [{ offset: DATA_SIZE - 2, bytes: Uint8Array.of(0xaa, 0xbb) }],
    },
    defaultFxsave(),
  );
  const buf = encodeCases([c, c]);
  const one = 44 + 512 + DATA_SIZE + 2;
  assert.equal(buf.length, 2 * one);
  assert.equal(buf.readUInt32LE(0), CASE_MAGIC);
  assert.equal(buf.readUInt32LE(4), 2); // NOP + INT3
  assert.equal(buf.readUInt32LE(8 + 7 * 4), 0xffffffff);
  assert.equal(buf.readUInt32LE(40), 0x2d7);
  assert.equal(buf.readUInt16LE(44), 0x37f); // FCW of the FXSAVE image
  assert.equal(buf[44 + 512 + DATA_SIZE - 1], 0xbb);
  assert.deepEqual([...buf.subarray(one - 2, one)], [0x90, 0xcc]);
  assert.equal(buf.readUInt32LE(one), CASE_MAGIC);
  const long = manualCase({ code: new Array<number>(0x1000).fill(0x90) }, defaultFxsave());
  assert.throws(() => encodeCases([long]), WireError);
});

test("results decode, and signals map to vectors", () => {
  const buf = Buffer.alloc(RESULT_SIZE);
  buf.writeUInt32LE(RESULT_MAGIC, 0);
  buf.writeUInt32LE(11, 4); // SIGSEGV
  buf.writeUInt32LE(13, 8); // trapno #GP
  buf.writeUInt32LE(0x20a, 12);
  buf.writeUInt32LE(0x20000000, 20);
  buf.writeUInt32LE(0xdeadbeef, 24 + 4 * 3);
  buf.writeUInt32LE(0x10202, 56);
  buf[60 + 512 + 5] = 7;
  const r = decodeResult(buf, 0);
  assert.equal(r.vector, VEC_GP);
  assert.equal(r.errorCode, 0x20a);
  assert.equal(r.eip, 0x20000000);
  assert.equal(r.gpr[3], 0xdeadbeef);
  assert.equal(r.eflags, 0x10202);
  assert.equal(r.data[5], 7);
  assert.equal(r.cr2, 0, "CR2 only for #PF");
  assert.equal(signalToVector(5, 3), VEC_BP);
  assert.equal(signalToVector(14, 0), VEC_TIMEOUT);
  assert.equal(signalToVector(8, 0), 0);
  buf.writeUInt32LE(0, 0);
  assert.throws(() => decodeResult(buf, 0), WireError);
});
