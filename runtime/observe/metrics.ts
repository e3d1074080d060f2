import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { TickResult } from "../../pipeline/decider.js";
import type { LiveStats } from "../live/stats.js";

/** What the metrics read: the node's counters (read at scrape time) and where its broker connection stands. */
export interface MetricsSource {
  stats(): LiveStats;
  readonly model: { readonly name: string; readonly sha256: string };
}

export interface NodeMetrics {
  /** Its own registry (never prom-client's global one): two nodes in one process do not mix. */
  readonly registry: Registry;
  /** The per-tick hook (LiveNodeOptions.onTick): latency histogram and fallback episodes. */
  onTick(tick: TickResult): void;
}

/** Tick cost buckets (s): the predictor takes ~10 µs, a 20 Hz tick has 50 ms. */
const TICK_BUCKETS = [25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3];

/**
 * Counter whose value is a total the node already keeps: set at scrape time (reset + inc), so the node's stats
 * stay the one source of truth and nothing is counted twice.
 */
function totals(registry: Registry, name: string, help: string, labelNames: string[], read: () => Iterable<[Record<string, string>, number]>): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, n] of read()) this.inc(labels, n);
    },
  });
}

export function nodeMetrics(src: MetricsSource, opts: { defaultMetrics?: boolean } = {}): NodeMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: "lam_" });
  // One stats() per scrape, shared by every collector of that scrape.
  let cached: { at: number; s: LiveStats } | undefined;
  const stats = (): LiveStats => {
    const now = performance.now();
    if (!cached || now - cached.at > 50) cached = { at: now, s: src.stats() };
    return cached.s;
  };

  const tick = new Histogram({ name: "lam_tick_seconds", help: "Predict + policy time per tick", buckets: TICK_BUCKETS, registers: [registry] });
  const fallbacks = new Counter({ name: "lam_fallbacks_total", help: "Fallback episodes begun, by the fault that began them", labelNames: ["reason"], registers: [registry] });

  totals(registry, "lam_frames_total", "Frames the node decided on", [], () => [[{}, stats().frames]]);
  totals(registry, "lam_predictions_total", "Predictions published", [], () => [[{}, stats().predictions]]);
  totals(registry, "lam_samples_total", "Samples the sources delivered", [], () => [[{}, stats().samples.in]]);
  totals(registry, "lam_commands_total", "Commands published, by mode", ["mode"], () =>
    (["model", "fallback", "stop"] as const).map((mode) => [{ mode }, stats().commands[mode]]),
  );
  totals(registry, "lam_commands_unsent_total", "Commands not sent: too late for their tick, or paced to the control rate", ["why"], () =>
    Object.entries(stats().unsent ?? {}).map(([why, n]) => [{ why }, n]),
  );
  totals(registry, "lam_rejected_samples_total", "Samples refused, by where (bridge: on the wire; perception: after) and why", ["stage", "reason"], () => {
    const r = stats().rejected;
    return [
      ...Object.entries(r.bridges).map(([reason, n]): [Record<string, string>, number] => [{ stage: "bridge", reason }, n]),
      ...Object.entries(r.perception).map(([reason, n]): [Record<string, string>, number] => [{ stage: "perception", reason }, n ?? 0]),
    ];
  });
  totals(registry, "lam_deadline_misses_total", "Ticks whose predict + policy overran the budget", [], () => [[{}, stats().timing.deadline_misses]]);
  totals(registry, "lam_predictor_errors_total", "Ticks on which the predictor threw", [], () => [[{}, stats().predictor_errors]]);
  totals(registry, "lam_internal_errors_total", "Exceptions the node caught in its own tick", [], () => [[{}, stats().internal_errors + stats().sink_errors]]);
  totals(registry, "lam_clock_resets_total", "Source clock re-anchorings", [], () => [[{}, stats().clock_resets]]);
  totals(registry, "lam_broker_reconnects_total", "Reconnections to the broker, per sink", ["sink"], () =>
    stats().sinks.map((s, i): [Record<string, string>, number] => [{ sink: String(i) }, s.reconnects ?? 0]),
  );
  new Gauge({
    name: "lam_broker_connected",
    help: "1 while a sink's broker connection is up",
    labelNames: ["sink"],
    registers: [registry],
    collect() {
      this.reset();
      stats().sinks.forEach((s, i) => this.set({ sink: String(i) }, s.connected === false ? 0 : 1));
    },
  });
  new Gauge({
    name: "lam_node_state",
    help: "1 for the node's current state",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      const now = stats().state;
      for (const state of ["starting", "online", "degraded", "offline"]) this.set({ state }, state === now ? 1 : 0);
    },
  });
  new Gauge({ name: "lam_model_info", help: "The model in use (value 1)", labelNames: ["name", "sha256"], registers: [registry] }).set(
    { name: src.model.name, sha256: src.model.sha256 },
    1,
  );

  return {
    registry,
    onTick(t) {
      if (t.tickMs !== undefined && Number.isFinite(t.tickMs)) tick.observe(t.tickMs / 1000);
      if (t.why.began && t.why.reason) fallbacks.inc({ reason: t.why.reason });
    },
  };
}
