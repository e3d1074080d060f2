// runs.json: the ScenarioRun records beside a report.json, so `lam merge` can re-render the HTML of merged shards.
// Ticks are stored by column (one array per TickRecord field): the field names appear once per run, not once per
// tick, which roughly halves the file.
import type { ScenarioRun, TickRecord } from "../run.js";

export const RUNS_FORMAT = "lam.runs";
export const RUNS_VERSION = 1;

type Columns = Record<string, unknown[]>;

export function encodeRuns(runs: readonly ScenarioRun[]): string {
  const out = runs.map((run) => {
    const keys = run.ticks.length ? (Object.keys(run.ticks[0]) as (keyof TickRecord)[]) : [];
    const columns: Columns = {};
    for (const k of keys) columns[k] = run.ticks.map((t) => t[k]);
    return { ...run, ticks: { n: run.ticks.length, columns } };
  });
  return JSON.stringify({ format: RUNS_FORMAT, version: RUNS_VERSION, runs: out }) + "\n";
}

/**
 * Parses runs.json: this columnar form, or a plain list of ScenarioRun records (as `lam sim` writes it). Errors
 * name the file (`where`) and the run or column that is wrong.
 */
export function decodeRuns(text: string, where: string): ScenarioRun[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (Array.isArray(doc)) {
    doc.forEach((r: unknown, i: number) => {
      const run = r as { name?: unknown; ticks?: unknown } | null;
      if (!run || typeof run.name !== "string") throw new Error(`${where}: [${i}]: not a run record (no name)`);
      if (!Array.isArray(run.ticks)) throw new Error(`${where}: [${i}] ("${run.name}"): ticks is not a list`);
    });
    return doc as ScenarioRun[];
  }
  const d = doc as { format?: unknown; version?: unknown; runs?: unknown };
  if (!d || typeof d !== "object" || d.format !== RUNS_FORMAT) throw new Error(`${where}: format=${JSON.stringify(d?.format)}, expected "${RUNS_FORMAT}"`);
  if (d.version !== RUNS_VERSION) throw new Error(`${where}: version=${JSON.stringify(d.version)}, this lam reads version ${RUNS_VERSION}`);
  if (!Array.isArray(d.runs)) throw new Error(`${where}: runs is not a list`);
  return d.runs.map((r: unknown, i: number) => {
    const run = r as Record<string, unknown> & { ticks?: { n?: unknown; columns?: unknown } };
    const label = `${where}: runs[${i}]${typeof run?.name === "string" ? ` ("${run.name}")` : ""}`;
    if (!run || typeof run !== "object" || typeof run.name !== "string") throw new Error(`${label}: no name`);
    const n = run.ticks?.n;
    const columns = run.ticks?.columns as Columns | undefined;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || !columns || typeof columns !== "object") throw new Error(`${label}: ticks is not {n, columns}`);
    for (const [k, col] of Object.entries(columns)) {
      if (!Array.isArray(col) || col.length !== n) throw new Error(`${label}: ticks column ${k} has ${Array.isArray(col) ? col.length : "no"} values, n=${n}`);
    }
    const keys = Object.keys(columns);
    const ticks: TickRecord[] = [];
    for (let t = 0; t < n; t++) {
      const rec: Record<string, unknown> = {};
      for (const k of keys) rec[k] = columns[k][t];
      ticks.push(rec as unknown as TickRecord);
    }
    return { ...(run as unknown as ScenarioRun), ticks };
  });
}
