/**
 * Host ends of character devices (serial ports, debugcon): where guest
 * output goes and guest input comes from. The CLI's chardev specs (stdio,
 * null, file:, unix:) map onto these; unix: is in char-backend-socket.ts.
 *
 * Flow control: `write` always takes the bytes (none is ever dropped); it
 * returns false when the host side is backed up, and the device should then
 * hold further output until `onDrain` fires. A UART does, by leaving THRE
 * clear: the guest sees a busy transmitter, as on a slow line.
 */
import { closeSync, createWriteStream, openSync } from "node:fs";
import type { Readable, Writable } from "node:stream";

/** The host end of a character device. */
export interface CharBackend {
  /**
   * Sends bytes to the host. The backend keeps them (the caller may reuse
   * nothing: pass a fresh array). Returns false when the caller should wait
   * for `onDrain` before sending more.
   */
  write(bytes: Uint8Array): boolean;
  /** Sets the receiver of bytes from the host (undefined: stop receiving). */
  onInput(callback: ((bytes: Uint8Array) => void) | undefined): void;
  /** Sets the callback for "writing may resume" after `write` returned false. */
  onDrain(callback: (() => void) | undefined): void;
  /** Releases host resources. */
  close(): Promise<void>;
}

/** Discards output and never has input (`null`). */
export class NullCharBackend implements CharBackend {
  write(_bytes: Uint8Array): boolean {
    return true;
  }
  onInput(_callback: ((bytes: Uint8Array) => void) | undefined): void {}
  onDrain(_callback: (() => void) | undefined): void {}
  async close(): Promise<void> {}
}

/**
 * A pair of Node streams (`stdio`: process.stdin and process.stdout, or any
 * duplex's two halves). Either side may be absent. A failing output stream
 * (EPIPE when the reader went away) is remembered in `error`, and later
 * output is discarded rather than thrown at the guest.
 */
export class StreamCharBackend implements CharBackend {
  /** The first error the output stream reported, if any. */
  error: Error | undefined;
  private inputCallback: ((bytes: Uint8Array) => void) | undefined;
  private drainCallback: (() => void) | undefined;
  private readonly onData = (chunk: Buffer | string): void => {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    this.inputCallback?.(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  };

  constructor(
    private readonly input: Readable | undefined,
    private readonly output: Writable | undefined,
  ) {
    output?.on("error", (error: Error) => {
      this.error ??= error;
      this.drainCallback?.(); // a waiting writer must not wait forever
    });
    output?.on("drain", () => this.drainCallback?.());
  }

  write(bytes: Uint8Array): boolean {
    const output = this.output;
    if (output === undefined || this.error !== undefined || output.destroyed) return true;
    return output.write(bytes);
  }

  onInput(callback: ((bytes: Uint8Array) => void) | undefined): void {
    const input = this.input;
    this.inputCallback = callback;
    if (input === undefined) return;
    input.off("data", this.onData);
    if (callback !== undefined) input.on("data", this.onData);
    else input.pause();
  }

  onDrain(callback: (() => void) | undefined): void {
    this.drainCallback = callback;
  }

  /** Stops reading input and flushes output (the streams themselves stay open). */
  async close(): Promise<void> {
    this.onInput(undefined);
    const output = this.output;
    if (output === undefined || output.destroyed || !output.writableNeedDrain) return;
    await new Promise<void>((resolve) => {
      output.once("drain", resolve);
      output.once("error", () => resolve());
      output.once("close", resolve);
    });
  }
}

/**
 * Appends output to a file (`file:PATH`); has no input. The file is opened
 * at once so a bad path is an error here, not later.
 */
export class FileCharBackend implements CharBackend {
  private readonly stream: Writable;
  private readonly inner: StreamCharBackend;

  constructor(readonly path: string) {
    const fd = openSync(path, "a");
    try {
      this.stream = createWriteStream(path, { fd, flags: "a" });
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    this.inner = new StreamCharBackend(undefined, this.stream);
  }

  /** The first write error, if any. */
  get error(): Error | undefined {
    return this.inner.error;
  }

  write(bytes: Uint8Array): boolean {
    return this.inner.write(bytes);
  }
  onInput(_callback: ((bytes: Uint8Array) => void) | undefined): void {}
  onDrain(callback: (() => void) | undefined): void {
    this.inner.onDrain(callback);
  }

  /** Flushes everything written and closes the file. */
  async close(): Promise<void> {
    const stream = this.stream;
    if (stream.destroyed) return;
    await new Promise<void>((resolve) => {
      stream.end(() => resolve());
      stream.once("error", () => resolve());
    });
  }
}
