// Done-when of issue 9: one recorded drive through the three drivers of the pipeline core (the replay engine, the
// simulator's driver, the live node on a virtual clock with an in-memory source) gives identical frames,
// predictions and commands on the same ticks. The predictor is a real (untrained) LSTM run by FastPredictor: it
// carries state from tick to tick, so a tick missed or repeated by one driver would show in every later prediction.
//
// Tick alignment (the convention the drivers share):
// - Frame T (tick k, T = k / rate) is made of the samples stamped t <= T + lookahead (perception/timing.ts).
// - Replay (batch): every tick from the drive's first sample; the live node fires tick T at scheduler time
//   T + latency (latency = reorder window + lookahead + 1 ms), after every sample of frame T has arrived.
// - The simulator's driver is stepped by its caller: before tick T it is handed the samples stamped up to
//   T + lookahead (the sim delivers what its sensors produced by then; here the recording is the sensor).
// - The live node starts ticking only once its source clock is anchored (two channels agree), so its first tick
//   is the first grid tick at or after that moment; the other two drivers start their deciders at that same tick
//   (perception has seen everything before it in all three), and ticks are compared from there to the last tick
//   all three made.
import { resolve } from "node:path";
import { VirtualAction, VirtualTimeScheduler } from "rxjs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadCsvDrive } from "../../bridges/csv/index.js";
import { framesFromDrive } from "../../perception/frames-from-drive.js";
import { mergeDrive } from "../../perception/drive-merge.js";
import { resolveTiming } from "../../perception/timing.js";
import type { Drive, Frame, Sample } from "../../perception/types.js";
import type { TickResult } from "../../pipeline/decider.js";
import { policyPreset } from "../../policy/presets.js";
import { startLiveNode } from "../../runtime/live/index.js";
import { openModel, type RuntimeModel } from "../../runtime/model.js";
import { PipelineDriver } from "../../runtime/pipeline-driver.js";
import { replayFrames, replayInput } from "../../sim/replay/engine.js";
import { DATA, memorySource, recordingSink } from "../runtime/live-support.js";
import { robotModelDir } from "../runtime/sim-fixture.js";

const FROM_S = 20;
const SECONDS = 6;

/** Every channel of the drive cut to [t0 + from, t0 + from + seconds). */
function slice(drive: Drive, from: number, seconds: number): Drive {
  let t0 = Infinity;
  for (const c of drive.channels) if (c.t.length) t0 = Math.min(t0, c.t[0]!);
  const a = t0 + from;
  const b = a + seconds;
  return {
    ...drive,
    channels: drive.channels.map((c) => {
      const keep: number[] = [];
      for (let i = 0; i < c.t.length; i++) if (c.t[i]! >= a && c.t[i]! < b) keep.push(i);
      return { ...c, t: Float64Array.from(keep, (i) => c.t[i]!), values: Float64Array.from(keep, (i) => c.values[i]!) };
    }),
  };
}

interface Tick {
  readonly frame: Frame;
  readonly r: TickResult;
}

const key = (f: Frame, rate: number) => Math.round(f.t * rate);

describe("one pipeline, one tick: replay, sim driver and live node agree tick for tick", () => {
  let model: RuntimeModel;
  let drive: Drive;
  beforeAll(async () => {
    model = await openModel(await robotModelDir());
    drive = replayInput(slice(await loadCsvDrive(resolve(DATA, "f1tenth/DS1")), FROM_S, SECONDS), model.frameSpec);
  }, 60_000);

  it("gives identical frames, predictions and commands on the aligned ticks", () => {
    const spec = model.frameSpec;
    const rate = spec.rate;
    const policy = policyPreset("robot-1-10");
    const samples: Sample[] = [...mergeDrive(drive)];
    const t0 = samples[0]!.t;

    // 1. The live node: samples arrive at their own time on a virtual clock; ticks come from the scheduler.
    const scheduler = new VirtualTimeScheduler(VirtualAction, (SECONDS + 1) * 1000);
    const src = memorySource();
    const live: Tick[] = [];
    const node = startLiveNode({
      model,
      policy,
      sources: [src],
      sinks: [recordingSink()],
      scheduler,
      timer: () => 0,
      onTick: (r) => void live.push({ frame: r.frame, r }),
    });
    for (const s of samples) scheduler.schedule(() => src.push(s), (s.t - t0) * 1000);
    scheduler.flush();
    void node.stop();
    expect(node.stats().clock_resets).toBe(0);
    const k0 = key(live[0]!.frame, rate);

    // 2. Replay: the batch frames, decided from the live node's first tick on.
    const { frames } = framesFromDrive(drive, spec);
    const i0 = frames.findIndex((f) => key(f, rate) === k0);
    expect(i0).toBeGreaterThanOrEqual(0);
    const replay: Tick[] = [];
    replayFrames(drive, frames.slice(i0), {}, { frameSpec: spec, predictor: model.predictor(), policy, actions: model.meta.spec.actions, onTick: (r) => void replay.push({ frame: r.frame, r }) });

    // 3. The simulator's driver: stepped tick by tick, handed the samples up to T + lookahead before tick T.
    const { lookahead } = resolveTiming();
    const sim: Tick[] = [];
    const driver = new PipelineDriver({ frameSpec: spec, predictor: model.predictor(), policy, perception: { lookahead }, recorder: { record: (r) => void sim.push({ frame: r.frame, r }) } });
    driver.reset();
    let next = 0;
    const pending: Sample[] = [];
    const lastK = key(frames[frames.length - 1]!, rate);
    for (let k = key(frames[0]!, rate); k <= lastK; k++) {
      const T = k / rate;
      while (next < samples.length && samples[next]!.t <= T + lookahead) pending.push(samples[next++]!);
      // Before the live node's first tick: perception only (the decider starts at k0, as the live node's does).
      if (k < k0) driver.observe(pending.splice(0), T);
      else driver.tick({ t: T, samples: pending.splice(0), reference: {} });
    }

    const n = Math.min(live.length, replay.length, sim.length);
    expect(n).toBeGreaterThan(SECONDS * rate * 0.8);
    let predicted = 0;
    for (let i = 0; i < n; i++) {
      const [a, b, c] = [replay[i]!, sim[i]!, live[i]!];
      expect(key(b.frame, rate), `tick ${i}`).toBe(key(a.frame, rate));
      expect(key(c.frame, rate), `tick ${i}`).toBe(key(a.frame, rate));
      expect(b.frame, `sim frame at tick ${i}`).toEqual(a.frame);
      expect(c.frame, `live frame at tick ${i}`).toEqual(a.frame);
      expect(b.r.prediction, `sim prediction at tick ${i}`).toEqual(a.r.prediction);
      expect(c.r.prediction, `live prediction at tick ${i}`).toEqual(a.r.prediction);
      expect(b.r.command, `sim command at tick ${i}`).toEqual(a.r.command);
      expect(c.r.command, `live command at tick ${i}`).toEqual(a.r.command);
      if (a.r.prediction) predicted++;
    }
    // Not a vacuous agreement: the model predicted, and commanded in model mode on most ticks.
    expect(predicted).toBeGreaterThan(n / 2);
    expect(replay.slice(0, n).filter((t) => t.r.command.mode === "model").length).toBeGreaterThan(n / 2);
  }, 120_000);
});
