/**
 * Where the report goes: stdout or `-o FILE`, with write failures caught and
 * turned into one line of text rather than a stack trace. A reader that
 * stops early (`kreview big.mbox | head`, EPIPE) is not a failure to tell
 * about: the run just stops writing, and exits 2 (it has no verdict). A full disk (ENOSPC, `> /dev/full`) or
 * any other write error is one line on stderr and exit status 2.
 */
import { createWriteStream, promises as fs } from "node:fs";
import type { Writable } from "node:stream";

export class Output {
  /** The first write error, if any. */
  error: NodeJS.ErrnoException | null = null;
  private readonly onError = (e: NodeJS.ErrnoException) => {
    this.error ??= e;
  };

  constructor(
    private readonly stream: Writable,
    /** How messages name it: "stdout", or the file's name as given. */
    readonly name: string,
    private readonly owned = false,
  ) {
    stream.on("error", this.onError);
  }

  /** Opens `-o FILE` (created or truncated); a failure to open is told at the first write. */
  static file(file: string, name: string): Output {
    return new Output(createWriteStream(file), name, true);
  }

  /** True when the reader has gone (EPIPE): stop producing output, say nothing. */
  get closed(): boolean {
    return this.error?.code === "EPIPE";
  }

  /** Writes text unless a write already failed; waits when the reader is slower than we are. */
  async write(text: string): Promise<void> {
    if (this.error || text === "") return;
    let ok: boolean;
    try {
      ok = this.stream.write(text);
    } catch (e) {
      // stdout on a file is written synchronously: the error comes back here.
      this.onError(e as NodeJS.ErrnoException);
      return;
    }
    if (!ok && !this.error) await this.drain();
  }

  private drain(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.stream.off("drain", done);
        this.stream.off("error", done);
        this.stream.off("close", done);
        resolve();
      };
      this.stream.on("drain", done);
      this.stream.on("error", done);
      this.stream.on("close", done);
    });
  }

  /** Finishes the output (closes a file we opened); resolves once what was written is written or failed. */
  async end(): Promise<void> {
    if (!this.owned) return;
    // A file that failed to open may be closed already: its "close" has been and gone.
    if (this.stream.closed || this.stream.destroyed) return;
    await new Promise<void>((resolve) => {
      this.stream.once("close", resolve);
      this.stream.once("error", () => resolve());
      this.stream.end();
    });
  }

  /** The one line to print for a failure, or null when there is none to tell (none, or the reader left). */
  failure(): string | null {
    if (!this.error || this.closed) return null;
    return `${this.name}: cannot write the report: ${describeWriteError(this.error)}`;
  }
}

export function describeWriteError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case "ENOSPC":
      return "no space left on device";
    case "ENOENT":
      return "no such directory";
    case "EACCES":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    case "EDQUOT":
      return "disk quota exceeded";
    case "EROFS":
      return "read-only file system";
    default:
      return e.code ? `${e.code}` : e.message;
  }
}

/**
 * Is `output` one of the files read? Compared by device and inode, so a
 * symlink or a hard link to an input is caught as well as the same name.
 */
export async function sameFileAsInput(output: string, inputs: readonly { name: string; path?: string }[]): Promise<string | null> {
  let out;
  try {
    out = await fs.stat(output);
  } catch {
    return null; // does not exist yet: cannot be an input
  }
  for (const input of inputs) {
    if (!input.path) continue;
    try {
      const st = await fs.stat(input.path);
      if (st.dev === out.dev && st.ino === out.ino) return input.name;
    } catch {
      // unreadable inputs are told about elsewhere
    }
  }
  return null;
}
