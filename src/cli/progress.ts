/**
 * The progress line on a terminal: bytes read out of the inputs' size (when
 * known), messages done, findings so far and the rate, redrawn at most five
 * times a second on stderr and cleared at the end. Only when stderr is a
 * terminal (b4 and hooks count every stderr line as a failure), and only
 * once a run has gone on for a moment, so a single patch never flashes one.
 */
import type { Writable } from "node:stream";

export interface ProgressCounts {
  messages: number;
  /** Bytes read from the inputs so far (compressed bytes for a .gz). */
  bytes: number;
  findings: number;
}

export interface Progress {
  update(counts: ProgressCounts): void;
  /** Takes the line off the screen (before the report writes to the same terminal, and at the end). */
  clear(): void;
  done(): void;
}

export interface ProgressOptions {
  /** Sum of the inputs' sizes, when every one is known (not stdin). */
  totalBytes?: number;
  /** Nothing is drawn before the run is this old. */
  delayMs?: number;
  intervalMs?: number;
  now?: () => number;
}

export function terminalProgress(out: Writable, options: ProgressOptions = {}): Progress {
  const now = options.now ?? Date.now;
  const start = now();
  const delay = options.delayMs ?? 500;
  const interval = options.intervalMs ?? 200;
  let last = -Infinity;
  let shown = false;
  let counts: ProgressCounts = { messages: 0, bytes: 0, findings: 0 };
  const draw = () => {
    const t = now();
    const secs = Math.max(0.001, (t - start) / 1000);
    const mb = (n: number) => (n / 1048576).toFixed(1);
    const total = options.totalBytes;
    const read = total ? `${mb(counts.bytes)}/${mb(total)} MB (${Math.min(100, Math.floor((counts.bytes * 100) / total))}%)` : `${mb(counts.bytes)} MB`;
    const line = `kreview: ${read} read, ${counts.messages} messages, ${counts.findings} findings, ${Math.round(counts.messages / secs)} messages/s`;
    out.write(`\r${line}\x1b[K`);
    shown = true;
    last = t;
  };
  return {
    update(c) {
      counts = c;
      const t = now();
      if (t - start < delay || t - last < interval) return;
      draw();
    },
    clear() {
      if (shown) out.write("\r\x1b[K");
      shown = false;
      last = -Infinity;
    },
    done() {
      if (shown) out.write("\r\x1b[K");
      shown = false;
    },
  };
}
