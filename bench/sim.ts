// Closed-loop simulation speed, as a multiple of real time, one core, reference-controller Driver.
// Run: npx tsx bench/sim.ts [--json] [--repeat N]. Prints a table; never passes or fails on time.
import { performance } from "node:perf_hooks";
import { loadCatalog, CATALOG_DIR, type Scenario } from "../scenarios/index.js";
import { runScenario, referenceDriver, type Driver } from "../sim/index.js";

export interface SimBenchRow {
  readonly scenario: string;
  readonly driver: string;
  readonly sim_s: number;
  readonly ticks: number;
  readonly wall_ms: number;
  /** Simulated seconds per wall-clock second. */
  readonly x_realtime: number;
  readonly us_per_tick: number;
}

export function benchSim(opts: { scenarios?: readonly Scenario[]; driver?: () => Driver & { name?: string }; repeat?: number } = {}): SimBenchRow[] {
  const scenarios = opts.scenarios ?? loadCatalog(CATALOG_DIR);
  const make = opts.driver ?? (() => referenceDriver());
  const repeat = opts.repeat ?? 3;
  const rows: SimBenchRow[] = [];
  for (const sc of scenarios) {
    runScenario(sc, make(), { seed: 1 }); // warm-up: JIT
    let best = Infinity;
    let ticks = 0;
    for (let r = 0; r < repeat; r++) {
      const t0 = performance.now();
      const run = runScenario(sc, make(), { seed: 1 });
      best = Math.min(best, performance.now() - t0);
      ticks = run.ticks.length;
    }
    rows.push({
      scenario: sc.name,
      driver: make().name ?? "driver",
      sim_s: sc.duration,
      ticks,
      wall_ms: Math.round(best * 100) / 100,
      x_realtime: Math.round((sc.duration / (best / 1000)) * 10) / 10,
      us_per_tick: Math.round((best * 1000) / ticks),
    });
  }
  const simS = rows.reduce((a, r) => a + r.sim_s, 0);
  const wall = rows.reduce((a, r) => a + r.wall_ms, 0);
  const tk = rows.reduce((a, r) => a + r.ticks, 0);
  rows.push({ scenario: "(all)", driver: rows[0]?.driver ?? "", sim_s: simS, ticks: tk, wall_ms: Math.round(wall * 100) / 100, x_realtime: Math.round((simS / (wall / 1000)) * 10) / 10, us_per_tick: Math.round((wall * 1000) / tk) });
  return rows;
}

function table(rows: readonly SimBenchRow[]): string {
  const head = ["scenario", "driver", "sim s", "ticks", "wall ms", "× real time", "µs/tick"];
  const body = rows.map((r) => [r.scenario, r.driver, String(r.sim_s), String(r.ticks), r.wall_ms.toFixed(1), r.x_realtime.toFixed(1), String(r.us_per_tick)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i < 2 ? x.padEnd(w[i]) : x.padStart(w[i]))).join("  ");
  return [line(head), w.map((n) => "-".repeat(n)).join("  "), ...body.map(line)].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const json = process.argv.includes("--json");
  const ri = process.argv.indexOf("--repeat");
  const rows = benchSim({ repeat: ri > 0 ? Number(process.argv[ri + 1]) : 3 });
  if (json) process.stdout.write(JSON.stringify({ sim: rows }) + "\n");
  else process.stdout.write(`closed-loop simulation, reference driver, one core (node ${process.version})\n${table(rows)}\n`);
}
