// Progress for long commands: a bar redrawn in place on a terminal, plain periodic lines anywhere else (logs,
// CI, pipes), where carriage returns would pile up as one unreadable line.

/** Where progress goes: a stream, and whether it is a terminal (process.stderr has isTTY). */
export interface ProgressStream {
  write(s: string): unknown;
  readonly isTTY?: boolean;
}

export interface ProgressOptions {
  /** Milliseconds (monotonic). */
  readonly now: () => number;
  /** Least time between redraws on a terminal (ms; default 200). */
  readonly redrawMs?: number;
  /** Least time between plain lines elsewhere (ms; default 10 000). */
  readonly lineMs?: number;
}

/** A bar of `width` characters for done/total, e.g. "[#####.....]". */
export function bar(done: number, total: number, width = 20): string {
  const fill = total > 0 ? Math.max(0, Math.min(width, Math.round((done / total) * width))) : 0;
  return `[${"#".repeat(fill)}${".".repeat(width - fill)}]`;
}

export class Progress {
  readonly tty: boolean;
  private last = -Infinity;
  private drawn = false;
  private lastLine = "";
  private readonly redrawMs: number;
  private readonly lineMs: number;

  constructor(
    private readonly stream: ProgressStream,
    private readonly opts: ProgressOptions,
  ) {
    this.tty = stream.isTTY === true;
    this.redrawMs = opts.redrawMs ?? 200;
    this.lineMs = opts.lineMs ?? 10_000;
  }

  /**
   * The current state as one line. On a terminal it replaces the line drawn before (at most every redrawMs);
   * elsewhere it is written as its own line at most every lineMs. `important` (a phase finished) is always
   * shown, but never twice the same text in a log.
   */
  update(line: string, important = false): void {
    const now = this.opts.now();
    const every = this.tty ? this.redrawMs : this.lineMs;
    if (!important && now - this.last < every) return;
    if (!this.tty && line === this.lastLine) return;
    this.last = now;
    this.lastLine = line;
    if (this.tty) {
      this.stream.write(`\r${line}\x1b[K`);
      this.drawn = true;
    } else this.stream.write(line + "\n");
  }

  /** A message of its own: on a terminal it ends the bar's line first so the two do not overwrite each other. */
  log(line: string): void {
    this.end();
    this.stream.write(line + "\n");
  }

  /** Ends the bar's line on a terminal (nothing elsewhere: every plain line already ended). */
  end(): void {
    if (this.drawn) this.stream.write("\n");
    this.drawn = false;
  }
}
