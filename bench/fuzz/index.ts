// The fuzz suite: ≥ N generated hostile inputs per ingress (deterministic under a seed, loopback only), each
// caught and counted per input, so the suite never stops on what it finds. Prints one row per ingress: inputs,
// accepted, rejections by reason, crashes (must be 0), non-finite and out-of-limit commands (must be 0), RSS.
import { fuzzBag, fuzzMcap } from "./files.js";
import { fuzzCsv } from "./csv.js";
import { fuzzLiveMqtt } from "./live-mqtt.js";
import { fuzzParams } from "./params.js";
import { fuzzPayloads } from "./payload.js";
import { Rng } from "./rng.js";
import { fuzzScenarios } from "./scenario.js";
import type { IngressReport } from "./tally.js";
import type { OpenBenchLive } from "../live-kit.js";

export type { IngressReport } from "./tally.js";

export const INGRESSES = ["payload", "mqtt", "csv", "mcap", "bag", "scenario", "params"] as const;
export type Ingress = (typeof INGRESSES)[number];

export interface FuzzOptions {
  readonly inputs: number;
  readonly seed: number;
  readonly dataDir: string;
  readonly only?: readonly Ingress[];
  /** The live node the mqtt ingress attacks (runtime/ supplies it: lam bench); without it that ingress is not run. */
  readonly openLive?: OpenBenchLive;
  readonly log?: (line: string) => void;
}

export interface FuzzReport {
  readonly seed: number;
  readonly ingresses: readonly IngressReport[];
  readonly crashes: number;
  readonly nonfinite: number;
  readonly out_of_limit: number;
}

export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const log = opts.log ?? (() => {});
  const which = new Set(opts.only ?? INGRESSES);
  const out: IngressReport[] = [];
  // One generator per ingress, seeded from the run's seed and the ingress, so each is reproducible on its own.
  const rng = (i: number) => new Rng((opts.seed * 1_000_003 + i * 7919) >>> 0);
  const run = async (name: Ingress, f: () => Promise<IngressReport> | IngressReport) => {
    if (!which.has(name)) return;
    log(`fuzz: ${name} (${opts.inputs} inputs) ...`);
    try {
      const r = await f();
      out.push(r);
      log(`fuzz: ${name}: ${r.inputs} inputs, ${r.crashes} crashes, ${r.seconds} s`);
    } catch (e) {
      // The harness itself failed (e.g. no broker): say so in the table rather than stop the suite.
      out.push({ ingress: name, inputs: 0, accepted: 0, rejected: {}, crashes: 0, harness_errors: 0, crash_examples: [], nonfinite: 0, out_of_limit: 0, commands_checked: 0, rss_before_mb: 0, rss_after_mb: 0, seconds: 0, note: `not run: ${e instanceof Error ? e.message : String(e)}` });
    }
  };
  await run("payload", () => fuzzPayloads(rng(1), opts.inputs));
  await run("mqtt", () => {
    if (!opts.openLive) throw new Error("no live node given (lam bench supplies one)");
    return fuzzLiveMqtt(rng(2), opts.inputs, opts.dataDir, opts.openLive, log);
  });
  await run("csv", () => fuzzCsv(rng(3), opts.inputs));
  await run("mcap", () => fuzzMcap(rng(4), opts.inputs, opts.dataDir, log));
  await run("bag", () => fuzzBag(rng(5), opts.inputs, opts.dataDir, log));
  await run("scenario", () => fuzzScenarios(rng(6), opts.inputs));
  await run("params", () => fuzzParams(rng(7), opts.inputs));
  const sum = (k: "crashes" | "nonfinite" | "out_of_limit") => out.reduce((n, r) => n + r[k], 0);
  return { seed: opts.seed, ingresses: out, crashes: sum("crashes"), nonfinite: sum("nonfinite"), out_of_limit: sum("out_of_limit") };
}

export function formatFuzzTable(r: FuzzReport): string {
  const head = ["ingress", "inputs", "accepted", "rejected (by reason)", "crashes", "non-finite", "out-of-limit", "cmds checked", "RSS MB before→after", "s"];
  const rows = r.ingresses.map((x) => [
    x.ingress,
    String(x.inputs),
    String(x.accepted),
    Object.entries(x.rejected)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k}=${n}`)
      .join(" ") || "-",
    String(x.crashes),
    String(x.nonfinite),
    String(x.out_of_limit),
    String(x.commands_checked),
    `${x.rss_before_mb}→${x.rss_after_mb}`,
    String(x.seconds),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 || i === 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  const notes = r.ingresses.flatMap((x) => [`  ${x.ingress}: ${x.note ?? ""}`, ...x.crash_examples.map((e) => `    ! ${e}`)]);
  return [
    `fuzz (seed ${r.seed}): ${r.crashes} crashes, ${r.nonfinite} non-finite, ${r.out_of_limit} out-of-limit`,
    line(head),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    ...notes,
    "",
  ].join("\n");
}
