// Merging shard reports (of `lam replay --shard` or `lam sim --shard`) into one: scenarios sorted by name, a
// scenario in two shards is an error naming it, the summary recomputed from the scenario results. What a report
// says besides its scenarios (model, policy, seed, …) must agree across shards: merging runs of different models
// would be a silent mistake, so it is an error naming the key and the files.
import { summarise, type ReportScenario, type ScenarioReport } from "./report.js";

/** One report file's content and where it came from (for error messages). */
export interface ReportInput {
  readonly source: string;
  readonly text: string;
}

/** A merged report: scenarios, summary, and whatever else the commands put beside them. */
export type MergedReport = ScenarioReport & Readonly<Record<string, unknown>>;

/** Reads one report.json, checking the shape merge relies on; errors name the file and the scenario index. */
export function parseReport(input: ReportInput): ScenarioReport {
  let doc: unknown;
  try {
    doc = JSON.parse(input.text);
  } catch (e) {
    throw new Error(`${input.source}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const scenarios = (doc as { scenarios?: unknown } | null)?.scenarios;
  if (!Array.isArray(scenarios)) throw new Error(`${input.source}: no "scenarios" list: not a lam sim/replay report`);
  scenarios.forEach((s: unknown, i: number) => {
    const o = s as Record<string, unknown> | null;
    const at = `${input.source}: scenarios[${i}]`;
    if (!o || typeof o !== "object") throw new Error(`${at} is not an object`);
    if (typeof o.name !== "string" || o.name === "") throw new Error(`${at}: name=${JSON.stringify(o.name)}, expected a non-empty string`);
    if (typeof o.passed !== "boolean") throw new Error(`${at} ("${o.name}"): passed=${JSON.stringify(o.passed)}, expected true or false`);
    if (!o.metrics || typeof o.metrics !== "object") throw new Error(`${at} ("${o.name}"): no metrics object`);
    if (!o.timing || typeof o.timing !== "object") throw new Error(`${at} ("${o.name}"): no timing object`);
    if (!Array.isArray(o.failed)) throw new Error(`${at} ("${o.name}"): failed=${JSON.stringify(o.failed)}, expected a list`);
  });
  const summary = (doc as { summary?: unknown }).summary;
  if (summary !== undefined && (summary === null || typeof summary !== "object")) throw new Error(`${input.source}: summary is not an object`);
  return doc as ScenarioReport;
}

/** Where each merged scenario came from: its file and its index there (to pair it with its run record). */
export interface MergeOrigin {
  readonly source: number;
  readonly index: number;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const byName = (a: unknown, b: unknown) => {
  const x = String((a as { name?: unknown })?.name ?? "");
  const y = String((b as { name?: unknown })?.name ?? "");
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * Keys beside the ones merge computes: lists are concatenated (sorted by name where items have one), numbers
 * summed under `timing`, `shard` dropped (the result is every shard), anything else must be equal in every report.
 */
function mergeExtras(objs: readonly Readonly<Record<string, unknown>>[], skip: ReadonlySet<string>, where: string, sources: readonly string[]): Record<string, unknown> {
  const keys = [...new Set(objs.flatMap((o) => Object.keys(o)))].filter((k) => !skip.has(k));
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const vals = objs.map((o) => o[k]);
    if (k === "shard") {
      out[k] = null;
    } else if (vals.every((v) => Array.isArray(v))) {
      out[k] = (vals as unknown[][]).flat().sort(byName);
    } else if (k === "timing" && vals.every((v) => v && typeof v === "object")) {
      const t: Record<string, number> = {};
      for (const v of vals as Record<string, unknown>[]) for (const [n, x] of Object.entries(v)) if (typeof x === "number") t[n] = Math.round(((t[n] ?? 0) + x) * 1e6) / 1e6;
      out[k] = t;
    } else {
      const first = vals.findIndex((v) => !same(v, vals[0]));
      if (first >= 0) {
        throw new Error(
          `the reports disagree on ${where}${k}: ${JSON.stringify(vals[0])} in ${sources[0] ?? "report 1"}, ${JSON.stringify(vals[first])} in ${sources[first] ?? `report ${first + 1}`}`,
        );
      }
      out[k] = vals[0];
    }
  }
  return out;
}

const OWN_SUMMARY = new Set(["scenarios", "passed", "failed", "pass_rate", "failed_scenarios", "failed_criteria", "collisions", "timing", "replay"]);

export function mergeReports(reports: readonly ScenarioReport[], sources: readonly string[] = []): { report: MergedReport; origin: MergeOrigin[] } {
  if (reports.length === 0) throw new Error("no reports to merge");
  const seen = new Map<string, number>();
  const all: { s: ReportScenario; o: MergeOrigin }[] = [];
  reports.forEach((r, source) => {
    r.scenarios.forEach((s, index) => {
      const before = seen.get(s.name);
      if (before !== undefined) {
        const a = sources[before] ?? `report ${before + 1}`;
        const b = sources[source] ?? `report ${source + 1}`;
        throw new Error(`scenario "${s.name}" appears more than once (${a === b ? `twice in ${a}` : `in ${a} and in ${b}`}): shards must not overlap`);
      }
      seen.set(s.name, source);
      all.push({ s, o: { source, index } });
    });
  });
  all.sort((x, y) => (x.s.name < y.s.name ? -1 : x.s.name > y.s.name ? 1 : 0));
  const scenarios = all.map((x) => x.s);
  const summaryExtras = mergeExtras(
    reports.map((r) => (r.summary ?? {}) as unknown as Record<string, unknown>),
    OWN_SUMMARY,
    "summary.",
    sources,
  );
  const topExtras = mergeExtras(reports as unknown as Record<string, unknown>[], new Set(["scenarios", "summary"]), "", sources);
  const report: MergedReport = { scenarios, summary: { ...summarise(scenarios), ...summaryExtras }, ...topExtras };
  return { report, origin: all.map((x) => x.o) };
}
