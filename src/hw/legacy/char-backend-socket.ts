/**
 * A UNIX-socket character backend (`unix:PATH[,server]`), with node:net.
 *
 * As a server it listens on PATH and serves one client at a time (a second
 * is refused, as QEMU does); as a client it connects to PATH. While no peer
 * is connected, output is kept (up to `holdLimit` bytes, after which `write`
 * asks the device to wait) and sent when one connects, so nothing the guest
 * wrote is lost. A device that ignores the request to wait (debugcon has no
 * way to stall the guest) is cut off at `dropLimit`; `dropped` counts those
 * bytes.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import type { CharBackend } from "./char-backend.js";

export interface UnixSocketOptions {
  readonly path: string;
  /** Listen on `path` (true) or connect to it (false). */
  readonly server: boolean;
  /** Output kept while disconnected before `write` returns false; default 64 KiB. */
  readonly holdLimit?: number;
  /** Output kept while disconnected at most; default 1 MiB. */
  readonly dropLimit?: number;
}

/** See the file comment. Create with `UnixSocketCharBackend.open`. */
export class UnixSocketCharBackend implements CharBackend {
  /** Output bytes discarded because `dropLimit` was reached. */
  dropped = 0;
  private socket: Socket | undefined;
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private inputCallback: ((bytes: Uint8Array) => void) | undefined;
  private drainCallback: (() => void) | undefined;
  private waiters: (() => void)[] = [];
  private readonly holdLimit: number;
  private readonly dropLimit: number;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly server: Server | undefined,
    options: UnixSocketOptions,
  ) {
    this.holdLimit = options.holdLimit ?? 64 * 1024;
    this.dropLimit = Math.max(this.holdLimit, options.dropLimit ?? 1024 * 1024);
  }

  /** Listens or connects; rejects with the socket error (EADDRINUSE, ENOENT, ...). */
  static async open(options: UnixSocketOptions): Promise<UnixSocketCharBackend> {
    if (options.server) {
      const server = createServer();
      const backend = new UnixSocketCharBackend(options.path, server, options);
      server.on("connection", (socket) => backend.accept(socket));
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.path, () => {
          server.off("error", reject);
          resolve();
        });
      });
      server.on("error", () => {}); // after listening, errors concern single clients
      return backend;
    }
    const socket = createConnection(options.path);
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve();
      });
    });
    const backend = new UnixSocketCharBackend(options.path, undefined, options);
    backend.accept(socket);
    return backend;
  }

  /** A peer is connected. */
  get connected(): boolean {
    return this.socket !== undefined;
  }

  /** Resolves once a peer is connected (a server's `wait=on`). */
  waitForPeer(): Promise<void> {
    if (this.socket !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  write(bytes: Uint8Array): boolean {
    if (this.closed) return true;
    const socket = this.socket;
    if (socket !== undefined) return socket.write(bytes);
    if (this.heldBytes >= this.dropLimit) {
      this.dropped += bytes.length;
      return false;
    }
    this.held.push(bytes);
    this.heldBytes += bytes.length;
    return this.heldBytes < this.holdLimit;
  }

  onInput(callback: ((bytes: Uint8Array) => void) | undefined): void {
    this.inputCallback = callback;
  }

  onDrain(callback: (() => void) | undefined): void {
    this.drainCallback = callback;
  }

  /** Closes the connection and the listening socket. */
  async close(): Promise<void> {
    this.closed = true;
    this.socket?.destroy();
    this.socket = undefined;
    const server = this.server;
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    if (this.socket !== undefined || this.closed) {
      socket.destroy();
      return;
    }
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => {
      this.inputCallback?.(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
    socket.on("drain", () => this.drainCallback?.());
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      if (this.socket === socket) this.socket = undefined;
    });
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    let flowing = true;
    for (const bytes of held) flowing = socket.write(bytes);
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
    if (flowing) this.drainCallback?.();
  }
}
