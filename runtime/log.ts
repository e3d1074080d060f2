// One logger for long-running commands: pino underneath (levels, one JSON object per line for log collectors), a
// plain "lam run: ..." line for people, and repeats rate-limited per message instead of a fixed error budget.
import { pino, type Logger } from "pino";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = "text" | "json";
type Fields = Record<string, unknown>;

export interface LamLogger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** Writes the "repeated N times" summaries still pending (call before exiting). */
  flush(): void;
}

export interface RepeatPolicy {
  /** How many of one kind of message are written per window; the rest are counted and summarised. */
  readonly perWindow: number;
  readonly windowMs: number;
  /** Distinct kinds tracked at once (bounded memory); beyond it, kinds share one "other" entry. */
  readonly maxKinds: number;
}

export const DEFAULT_REPEATS: RepeatPolicy = { perWindow: 5, windowMs: 10_000, maxKinds: 256 };

export interface LoggerOptions {
  /** Prefix of text lines and pino's `name` ("lam run"). */
  readonly name: string;
  readonly level?: LogLevel;
  readonly format?: LogFormat;
  /** Where each line goes (stderr). */
  readonly write: (line: string) => void;
  readonly repeats?: RepeatPolicy;
  readonly now?: () => number;
}

export function parseLogLevel(s: string): LogLevel {
  if ((LOG_LEVELS as readonly string[]).includes(s)) return s as LogLevel;
  throw new Error(`log level "${s}": expected one of ${LOG_LEVELS.join(", ")}`);
}

export function parseLogFormat(s: string): LogFormat {
  if (s === "text" || s === "json") return s;
  throw new Error(`log format "${s}": expected text or json`);
}

/** The kind of a message: digits, hex ids and quoted values do not make a new kind ("t=12.3 late" ~ "t=15.1 late"). */
export function messageKind(msg: string): string {
  return msg
    .replace(/"[^"]*"/g, '"…"')
    .replace(/0x[0-9a-f]+/gi, "#")
    .replace(/[-+]?\d+(\.\d+)?(e[-+]?\d+)?/gi, "#")
    .slice(0, 200);
}

/**
 * Per kind of message: the first `perWindow` in a window pass, the rest are counted; when the window ends (checked
 * on the next message of any kind, or flush) one summary says how many were held back.
 */
export class RepeatLimiter {
  private readonly kinds = new Map<string, { start: number; seen: number; example: string }>();

  constructor(
    private readonly policy: RepeatPolicy = DEFAULT_REPEATS,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** True when `msg` should be written now; `summaries` gets the summaries of windows that have ended. */
  admit(msg: string, summaries: (kind: string, held: number, example: string) => void): boolean {
    const t = this.now();
    this.sweep(t, summaries);
    let key = messageKind(msg);
    if (!this.kinds.has(key) && this.kinds.size >= this.policy.maxKinds) key = "(other messages)";
    let k = this.kinds.get(key);
    if (!k) this.kinds.set(key, (k = { start: t, seen: 0, example: msg }));
    k.seen++;
    return k.seen <= this.policy.perWindow;
  }

  /** Ends the windows that are over (or all of them with `all`), reporting what each held back. */
  sweep(t: number, summaries: (kind: string, held: number, example: string) => void, all = false): void {
    for (const [key, k] of this.kinds) {
      if (!all && t - k.start < this.policy.windowMs) continue;
      this.kinds.delete(key);
      const held = k.seen - this.policy.perWindow;
      if (held > 0) summaries(key, held, k.example);
    }
  }

  flush(summaries: (kind: string, held: number, example: string) => void): void {
    this.sweep(this.now(), summaries, true);
  }
}

const TEXT_LEVEL: Record<number, string> = { 10: "trace: ", 20: "debug: ", 30: "", 40: "warning: ", 50: "error: ", 60: "fatal: " };

/** pino's JSON line → `name: [level: ]msg` (extra fields are for machines and stay out of the text line). */
function textLine(name: string, json: string): string {
  try {
    const o = JSON.parse(json) as { level?: number; msg?: string };
    return `${name}: ${TEXT_LEVEL[o.level ?? 30] ?? ""}${o.msg ?? ""}\n`;
  } catch {
    return json;
  }
}

export function createLogger(opts: LoggerOptions): LamLogger {
  const format = opts.format ?? "text";
  const dest = { write: (s: string) => opts.write(format === "json" ? s : textLine(opts.name, s)) };
  const base: Logger = pino({ name: opts.name, level: opts.level ?? "info", base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, dest);
  const limiter = new RepeatLimiter(opts.repeats ?? DEFAULT_REPEATS, opts.now ?? (() => Date.now()));
  const summary = (level: "warn" | "error") => (kind: string, held: number, example: string) =>
    base[level]({ repeated: held, kind, window_s: (opts.repeats ?? DEFAULT_REPEATS).windowMs / 1000 }, `repeated ${held} more times: ${example}`);
  // Repeats are limited at warn and above, where a fault can fire on every sample; info lines are the caller's cadence.
  const limited = (level: "warn" | "error") => (msg: string, fields?: Fields) => {
    if (!base.isLevelEnabled(level)) return;
    if (limiter.admit(msg, summary(level))) base[level](fields ?? {}, msg);
  };
  return {
    debug: (msg, fields) => base.debug(fields ?? {}, msg),
    info: (msg, fields) => base.info(fields ?? {}, msg),
    warn: limited("warn"),
    error: limited("error"),
    flush: () => limiter.flush(summary("warn")),
  };
}
