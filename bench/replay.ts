// Open-loop replay speed for one hour of 20 Hz driving (target: ≤ 5 s). The hour is built from the real F1TENTH
// runs DS1–DS4, concatenated end to end (each shifted in time to start 1 s after the last ended) and repeated.
// Timed on loaded data (no file I/O): the frames step (framesFromDrive), the predictor alone, the pipeline
// (frames → predictor → policy, the Decider) and the whole replay engine (plus scoring, baselines and the run
// record); the peer, measured in the same run, is the same pipeline with the hold-last baseline as predictor,
// so the LSTM's share of the cost reads off the ratio. Prints a table; never passes or fails on time. Times are
// best of N, wall and CPU (this process, user + system): on a shared, loaded machine CPU time is the honest figure.
import path from "node:path";
import { loadCsvDrive } from "../bridges/csv/index.js";
import { holdLast } from "../dynamics/baselines/hold-last.js";
import { standardBaselines } from "../dynamics/evaluate.js";
import type { LamJson } from "../dynamics/lam-json.js";
import { FastPredictor, type PredictorModel } from "../dynamics/predictor.js";
import type { Predictor } from "../dynamics/types.js";
import { framesFromDrive } from "../perception/frames-from-drive.js";
import type { Drive, DriveChannel, Frame, FrameSpec } from "../perception/types.js";
import { Decider } from "../pipeline/decider.js";
import type { PolicyParams } from "../policy/params.js";
import { defaultDataDir } from "./perception.js";
import { replayFrameSpec, replayFrames, replayInput } from "../sim/replay/engine.js";

export interface ReplayBenchRow {
  readonly step: string;
  readonly ticks: number;
  /** Best-of wall time for the whole hour (s). */
  readonly seconds: number;
  /**
   * Best-of CPU time of this process (user + system, s) over the same runs: the work is single-threaded, so on a
   * loaded machine this is what the wall time would be on a free core.
   */
  readonly cpu_seconds: number;
  /** Per tick, by CPU time (µs). */
  readonly us_per_tick: number;
  /** Recorded time replayed per second of CPU time. */
  readonly x_realtime: number;
  /** This step's time over the peer's (pipeline with hold-last); null for steps with no peer. */
  readonly ratio_to_peer: number | null;
}

function span(d: Drive): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of d.channels) if (c.t.length) (lo = Math.min(lo, c.t[0])), (hi = Math.max(hi, c.t[c.t.length - 1]));
  return [lo, hi];
}

/** `seconds` of driving: the drives end to end, each shifted to start `gap` s after the last, repeated, cut at the end. */
export function concatDrives(drives: readonly Drive[], seconds: number, gap = 1): Drive {
  if (drives.length === 0) throw new Error("concatDrives: no drives");
  const parts = new Map<string, { t: number[]; v: number[]; unit: string; source: string }>();
  let cursor = span(drives[0])[0];
  const start = cursor;
  for (let i = 0; cursor - start < seconds; i++) {
    const d = drives[i % drives.length];
    const [lo, hi] = span(d);
    if (!(hi > lo)) throw new Error(`concatDrives: ${d.name} spans no time`);
    const shift = cursor - lo;
    for (const c of d.channels) {
      let p = parts.get(c.name);
      if (!p) parts.set(c.name, (p = { t: [], v: [], unit: c.unit, source: c.source }));
      for (let k = 0; k < c.t.length; k++) {
        const t = c.t[k] + shift;
        if (t - start >= seconds) break;
        p.t.push(t);
        p.v.push(c.values[k]);
      }
    }
    cursor = hi + shift + gap;
  }
  const channels: DriveChannel[] = [...parts].map(([name, p]) => ({ name, unit: p.unit, source: p.source, t: Float64Array.from(p.t), values: Float64Array.from(p.v) }));
  return { name: `${drives.map((d) => d.name).join("+")} x ${seconds} s`, path: "(concatenated)", format: "csv", channels, rejected: {}, issues: [] };
}

interface Timing {
  ms: number;
  cpuMs: number;
}

function best(runs: number, f: () => void, into: Timing = { ms: Infinity, cpuMs: Infinity }): Timing {
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    f();
    into.ms = Math.min(into.ms, performance.now() - t);
    const d = process.cpuUsage(c);
    into.cpuMs = Math.min(into.cpuMs, (d.user + d.system) / 1000);
  }
  return into;
}

/** What the bench needs of an opened model folder (runtime/ opens it: bench/ does not reach up into runtime/). */
export interface BenchModel {
  readonly meta: LamJson;
  readonly frameSpec: FrameSpec;
  readonly predictorModel: PredictorModel;
}

export interface ReplayBenchOptions {
  readonly model: BenchModel;
  readonly policy: PolicyParams;
  readonly seconds?: number;
  readonly runs?: number;
  readonly log?: (s: string) => void;
  /** Folder holding f1tenth/DS1..DS4; default ../shared/data beside the repository. */
  readonly dataDir?: string;
}

export async function benchReplay(opts: ReplayBenchOptions): Promise<ReplayBenchRow[]> {
  const dataDir = opts.dataDir ?? defaultDataDir();
  const seconds = opts.seconds ?? 3600;
  const runs = opts.runs ?? 3;
  const { model, policy } = opts;
  {
    const spec: FrameSpec = replayFrameSpec(model.frameSpec);
    const names = spec.channels.map((c) => c.name);
    const drives = await Promise.all(["DS1", "DS2", "DS3", "DS4"].map((d) => loadCsvDrive(path.join(dataDir, "f1tenth", d))));
    const hour = concatDrives(drives, seconds);
    opts.log?.(`replay bench: ${hour.name}, ${hour.channels.reduce((a, c) => a + c.t.length, 0).toLocaleString("en")} samples`);

    let frames: Frame[] = [];
    let rejected = {};
    const input = replayInput(hour, spec);
    const framesMs = best(runs, () => ({ frames, rejected } = framesFromDrive(input, spec)));
    const n = frames.length;
    const lstm = () => new FastPredictor(model.predictorModel, { frameChannels: names, name: "lstm" });
    const hold = () => holdLast({ frameChannels: names, actions: model.meta.spec.actions, rate: spec.rate, horizon: model.meta.spec.horizon, fallback: model.meta.head.fallback });
    const pipeline = (make: () => Predictor) => () => {
      const d = new Decider({ frameSpec: spec, predictor: make(), policy, deadlineFallback: false });
      for (const f of frames) d.tick(f);
    };
    const predictorMs = best(runs, () => {
      const p = lstm();
      for (const f of frames) p.step(f);
    });
    // Interleave the pipeline and its peer so both see the same machine load.
    const pipeMs: Timing = { ms: Infinity, cpuMs: Infinity };
    const peerMs: Timing = { ms: Infinity, cpuMs: Infinity };
    for (let i = 0; i < runs; i++) {
      best(1, pipeline(lstm), pipeMs);
      best(1, pipeline(hold), peerMs);
    }
    const engineMs = best(runs, () =>
      replayFrames(hour, frames, rejected, {
        frameSpec: spec,
        predictor: lstm(),
        policy,
        actions: model.meta.spec.actions,
        baselines: standardBaselines(model.meta, names),
        timer: () => performance.now(),
      }),
    );
    const row = (step: string, m: Timing, peer: Timing | null): ReplayBenchRow => ({
      step,
      ticks: n,
      seconds: Math.round(m.ms) / 1000,
      cpu_seconds: Math.round(m.cpuMs) / 1000,
      us_per_tick: Math.round(((m.cpuMs * 1000) / n) * 100) / 100,
      x_realtime: Math.round(seconds / (m.cpuMs / 1000)),
      ratio_to_peer: peer === null ? null : Math.round((m.cpuMs / peer.cpuMs) * 100) / 100,
    });
    return [
      row("frames (framesFromDrive, used channels)", framesMs, null),
      row("predictor only (LSTM)", predictorMs, null),
      row("peer: frames → hold_last → policy", peerMs, peerMs),
      row("frames → LSTM → policy", pipeMs, peerMs),
      row("replay engine (+scoring, 3 baselines, record)", engineMs, peerMs),
      row("hour total: frames + replay engine", { ms: framesMs.ms + engineMs.ms, cpuMs: framesMs.cpuMs + engineMs.cpuMs }, null),
    ];
  }
}

export function formatReplayTable(rows: readonly ReplayBenchRow[]): string {
  const head = ["step", "ticks", "wall s / hour", "CPU s / hour", "CPU µs / tick", "× real time", "÷ peer"];
  const body = rows.map((r) => [r.step, String(r.ticks), r.seconds.toFixed(3), r.cpu_seconds.toFixed(3), r.us_per_tick.toFixed(2), r.x_realtime.toLocaleString("en"), r.ratio_to_peer === null ? "–" : `${r.ratio_to_peer}x`]);
  const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join("  ");
  return [line(head), width.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n") + "\n";
}
