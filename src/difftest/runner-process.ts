/**
 * A native-runner child process (tools/difftest/native-runner*.c) as a
 * request/response pipe: write a batch of encoded cases, read back exactly
 * the bytes their results take. Both the 32-bit and the 64-bit runner
 * clients use it; only their wire formats differ.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";

export class NativeRunnerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NativeRunnerError";
  }
}

export class RunnerProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = "";
  private exited: string | null = null;
  private pending: {
    buf: Buffer;
    filled: number;
    resolve: (b: Buffer) => void;
    reject: (e: Error) => void;
  } | null = null;

  constructor(path: string) {
    this.child = spawn(path, [], { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stderr.on("data", (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.child.stdout.on("data", (d: Buffer) => this.onData(d));
    this.child.on("error", (e) => this.fail(`cannot start ${path}: ${e.message}`));
    this.child.on("exit", (code, signal) =>
      this.fail(`native runner exited (${signal ?? `status ${code}`}) ${this.stderr.trim()}`),
    );
    // EPIPE means the child died: give its exit event (signal, stderr) the first word.
    this.child.stdin.on("error", (e) => {
      setTimeout(() => this.fail(`writing to the native runner: ${e.message}`), 100);
    });
  }

  private onData(d: Buffer): void {
    const p = this.pending;
    if (p === null) {
      this.fail(`native runner sent ${d.length} unexpected bytes`);
      return;
    }
    const n = Math.min(d.length, p.buf.length - p.filled);
    d.copy(p.buf, p.filled, 0, n);
    p.filled += n;
    if (n < d.length) this.fail("native runner sent more results than cases");
    if (p.filled === p.buf.length) {
      this.pending = null;
      p.resolve(p.buf);
    }
  }

  private fail(message: string): void {
    if (this.exited === null) this.exited = message;
    const p = this.pending;
    this.pending = null;
    if (p !== null) p.reject(new NativeRunnerError(this.exited));
  }

  /** Sends `input` and resolves with the next `outputBytes` bytes the runner writes. */
  async exchange(input: Uint8Array, outputBytes: number): Promise<Buffer> {
    if (this.exited !== null) throw new NativeRunnerError(this.exited);
    if (this.pending !== null) throw new NativeRunnerError("run: a batch is still running");
    return await new Promise<Buffer>((resolve, reject) => {
      this.pending = { buf: Buffer.alloc(outputBytes), filled: 0, resolve, reject };
      this.child.stdin.write(input);
    });
  }

  /** Ends the child (closes its input; it exits at end of input). */
  close(): void {
    this.exited ??= "native runner closed";
    this.child.stdin.end();
  }
}
