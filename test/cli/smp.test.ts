import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveSmp } from "../../src/cli/smp.js";

const smp = (options: Record<string, string>) =>
  resolveSmp(new Map(Object.entries(options)), "-smp");

test("no options: one CPU", () => {
  assert.deepEqual(smp({}), { cpus: 1, maxCpus: 1, sockets: 1, dies: 1, cores: 1, threads: 1 });
});

test("cpus alone become cores of one socket (cores preferred over sockets)", () => {
  assert.deepEqual(smp({ cpus: "4" }), {
    cpus: 4,
    maxCpus: 4,
    sockets: 1,
    dies: 1,
    cores: 4,
    threads: 1,
  });
});

test("a full, consistent topology is kept", () => {
  assert.deepEqual(smp({ cpus: "2", sockets: "1", cores: "2", threads: "1" }), {
    cpus: 2,
    maxCpus: 2,
    sockets: 1,
    dies: 1,
    cores: 2,
    threads: 1,
  });
});

test("missing members are derived: sockets, then threads", () => {
  assert.equal(smp({ cpus: "8", cores: "2" }).sockets, 4);
  assert.equal(smp({ cpus: "8", cores: "2", threads: "2" }).sockets, 2);
  assert.equal(smp({ cpus: "8", sockets: "2", cores: "2" }).threads, 2);
  assert.equal(smp({ cpus: "12", sockets: "2", dies: "3" }).cores, 2);
});

test("cpus is derived from the topology when omitted", () => {
  const topology = smp({ sockets: "2", cores: "2", threads: "2" });
  assert.equal(topology.cpus, 8);
  assert.equal(topology.maxCpus, 8);
});

test("maxcpus above cpus leaves room for hotplug; cpus defaults to maxcpus", () => {
  const topology = smp({ cpus: "2", maxcpus: "4" });
  assert.equal(topology.cpus, 2);
  assert.equal(topology.maxCpus, 4);
  assert.equal(topology.cores, 4);
  assert.equal(smp({ maxcpus: "4" }).cpus, 4);
});

test("an inconsistent topology is refused with the numbers in the message", () => {
  assert.throws(() => smp({ cpus: "4", sockets: "1", cores: "2", threads: "1" }), {
    name: "UsageError",
    message: "-smp: sockets (1) * dies (1) * cores (2) * threads (1) must equal maxcpus (4)",
  });
  assert.throws(() => smp({ cpus: "3", sockets: "2" }), /must equal maxcpus \(3\)/);
  assert.throws(() => smp({ cpus: "2", sockets: "4" }), /cores \(0\)/);
  assert.throws(() => smp({ cpus: "4", maxcpus: "2" }), {
    message: "-smp: maxcpus (2) must be at least cpus (4)",
  });
});

test("zero, junk and absurd counts are refused", () => {
  assert.throws(() => smp({ cpus: "0" }), { message: "-smp: 'cpus' must be at least 1" });
  assert.throws(() => smp({ cores: "two" }), /-smp: 'cores' must be a positive integer/);
  assert.throws(() => smp({ cpus: "100000" }), /-smp: 'cpus' must be at most 4096/);
  assert.throws(() => smp({ sockets: "64", cores: "128" }), /-smp: at most 4096 CPUs, not 8192/);
});
