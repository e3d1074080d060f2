/** What one ingress's fuzz run counted: every input ends as accepted, a rejection (by reason) or a crash. */
export interface IngressReport {
  readonly ingress: string;
  readonly inputs: number;
  readonly accepted: number;
  readonly rejected: Readonly<Record<string, number>>;
  /** Inputs that made the code under test throw something other than its own "bad input" error, or hang. */
  readonly crashes: number;
  /** The harness's own failures to generate an input (counted, skipped; not inputs). */
  readonly harness_errors: number;
  /** Up to 5 crashes: the error and a short reproducer. */
  readonly crash_examples: readonly string[];
  /** Commands (or accepted values) that were not finite numbers. */
  readonly nonfinite: number;
  /** Commands outside the policy envelope. */
  readonly out_of_limit: number;
  /** Commands checked for the two counts above (0 where the ingress produces none). */
  readonly commands_checked: number;
  readonly rss_before_mb: number;
  readonly rss_after_mb: number;
  readonly seconds: number;
  readonly note?: string;
}

export class Tally {
  inputs = 0;
  accepted = 0;
  readonly rejected: Record<string, number> = {};
  crashes = 0;
  harnessErrors = 0;
  readonly examples: string[] = [];
  nonfinite = 0;
  outOfLimit = 0;
  commandsChecked = 0;
  private readonly rss0 = process.memoryUsage().rss;
  private readonly t0 = performance.now();

  constructor(readonly ingress: string) {}

  reject(reason: string): void {
    this.rejected[reason] = (this.rejected[reason] ?? 0) + 1;
  }

  /** The generator itself failed: count it and go on (the suite never stops on its own errors). */
  harness(error: unknown): void {
    this.harnessErrors++;
    if (this.examples.length < 5) this.examples.push(`harness: ${error instanceof Error ? error.message : String(error)}`);
  }

  crash(error: unknown, reproducer: string): void {
    this.crashes++;
    if (this.examples.length < 5) this.examples.push(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)} ← ${reproducer.slice(0, 300)}`);
  }

  report(note?: string): IngressReport {
    const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
    return {
      ingress: this.ingress,
      inputs: this.inputs,
      accepted: this.accepted,
      rejected: { ...this.rejected },
      crashes: this.crashes,
      harness_errors: this.harnessErrors,
      crash_examples: [...this.examples],
      nonfinite: this.nonfinite,
      out_of_limit: this.outOfLimit,
      commands_checked: this.commandsChecked,
      rss_before_mb: mb(this.rss0),
      rss_after_mb: mb(process.memoryUsage().rss),
      seconds: Math.round((performance.now() - this.t0) / 100) / 10,
      ...(note ? { note } : {}),
    };
  }
}

/** A short printable form of an input for a crash report. */
export function show(x: unknown): string {
  if (x instanceof Uint8Array) return `bytes(${x.byteLength}) ${Buffer.from(x.subarray(0, 48)).toString("hex")}`;
  try {
    return JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? `${v}n` : typeof v === "number" && !Number.isFinite(v) ? String(v) : v)) ?? String(x);
  } catch {
    return String(x);
  }
}
