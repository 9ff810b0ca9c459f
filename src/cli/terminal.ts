/**
 * The terminal as a guest console: raw, interactive, with QEMU's Ctrl-A
 * escapes (C-a x quits, C-a h helps, C-a C-a sends a literal C-a). Guest
 * output goes to stdout as it comes.
 */
import type { CharBackend } from "../hw/legacy/index.js";
import type { CliIo } from "./runner.js";

const CTRL_A = 0x01;

export const ESCAPE_HELP = [
  "",
  "C-a h    print this help",
  "C-a x    exit tsvm",
  "C-a C-a  send C-a to the guest",
  "",
].join("\r\n");

interface RawCapable {
  isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
}

export class TerminalConsole implements CharBackend {
  private receiver: ((bytes: Uint8Array) => void) | undefined;
  private escape = false;
  private wasRaw = false;
  private readonly onData = (chunk: Buffer | string) => this.input(Buffer.from(chunk));

  /** `onQuit` runs when the user types C-a x. */
  constructor(
    private readonly io: CliIo,
    private readonly onQuit: () => void,
  ) {
    const stdin = io.stdin as NodeJS.ReadableStream & RawCapable;
    if (stdin.isTTY && typeof stdin.setRawMode === "function") {
      stdin.setRawMode(true);
      this.wasRaw = true;
    }
    stdin.on("data", this.onData);
    stdin.resume?.();
  }

  write(bytes: Uint8Array): boolean {
    this.io.stdout.write(bytes);
    return true;
  }

  onInput(callback: ((bytes: Uint8Array) => void) | undefined): void {
    this.receiver = callback;
  }

  onDrain(): void {}

  /** Handles host keystrokes: escapes are ours, everything else goes to the guest. */
  input(chunk: Uint8Array): void {
    const forward: number[] = [];
    for (const byte of chunk) {
      if (this.escape) {
        this.escape = false;
        if (byte === 0x78 /* x */) {
          this.io.stderr.write("\r\ntsvm: terminated by C-a x\r\n");
          this.onQuit();
        } else if (byte === 0x68 /* h */) {
          this.io.stderr.write(ESCAPE_HELP);
        } else if (byte === CTRL_A) {
          forward.push(CTRL_A);
        }
        continue;
      }
      if (byte === CTRL_A) this.escape = true;
      else forward.push(byte);
    }
    if (forward.length > 0) this.receiver?.(Uint8Array.from(forward));
  }

  async close(): Promise<void> {
    const stdin = this.io.stdin as NodeJS.ReadableStream & RawCapable;
    stdin.removeListener("data", this.onData);
    if (this.wasRaw) stdin.setRawMode?.(false);
    stdin.pause?.();
  }
}
