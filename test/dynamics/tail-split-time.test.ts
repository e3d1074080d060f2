/*
 * `lam train --holdout-tail F` holds out the last F of each drive's *time span*. Frames skip a time break
 * (framesFromDrive builds none across a gap over TIME_BREAK_S), so a cut at round(n·(1 − F)) frames put the held-out
 * tail at another time (DS2's 26 s silence lies in its tail, 327 frames fewer there: the frame cut held out 37 % of
 * its time, starting 11 s early). The cut is now on the frames' tick times, as splitBlocks cuts its blocks; on a
 * regular grid the blocks are exactly those of the frame cut.
 */
import { describe, expect, it } from "vitest";
import { splitBlocks, type Block, type FrameSeries } from "../../dynamics/dataset.js";
import type { ModelSpec } from "../../dynamics/spec.js";
import { tailSplit } from "../../dynamics/train-run.js";
import type { Frame } from "../../perception/types.js";
import { sineDrive as drive } from "./synthetic.js";
import { loadSeries } from "../../runtime/drive-frames.js";

const spec: ModelSpec = { features: ["speed", "steer_cmd"], actions: ["steer_cmd"], rate: 20, history: 10, horizon: 6, layers: 1, units: 4 };

/** The series without frames [from, to): what the batch path gives for a break there. */
const skip = (s: FrameSeries, from: number, to: number): FrameSeries => ({ ...s, frames: [...s.frames.slice(0, from), ...s.frames.slice(to)] });
const byTime = (bs: readonly Block[]) => bs.map((b) => ({ role: b.role, t0: b.t0, t1: b.t1 }));

describe("tailSplit cuts on time", () => {
  it("a drive with a skipped break holds out the same last 30 % of its time as the drive with the break filled", () => {
    // 300 s at 20 Hz; the break (frames 1000..1600 skipped, 30 s) lies before the cut at 210 s.
    const full = drive(6000, 100, (i) => i >= 1000 && i < 1600);
    const broken = skip(full, 1000, 1600);
    const a = tailSplit([full], spec, 10, 0.3);
    const b = tailSplit([broken], spec, 10, 0.3);
    const test = (bs: Block[]) => byTime(bs.filter((x) => x.role === "test"));
    expect(test(a)).toEqual([{ role: "test", t0: full.frames[4200 + 16].t, t1: full.frames[5999].t }]);
    expect(test(b)).toEqual(test(a));
    // The part before the cut: the same blocks where they hold real frames, and nothing after the cut's time.
    const head = (bs: Block[]) => byTime(bs.filter((x) => x.role !== "test" && (x.t1 < full.frames[1000].t || x.t0 >= full.frames[1600].t)));
    expect(head(b)).toEqual(head(a));
    for (const x of b) if (x.role !== "test") expect(x.t1).toBeLessThan(full.frames[4200].t);
    for (const x of b) expect(broken.frames[x.start].t).toBe(x.t0);
  });

  it("on a regular grid: exactly the frame cut of before (round(n·(1 − tail)), test from history + horizon after it)", () => {
    const plain = drive(1234, 5, () => false);
    const got = tailSplit([plain], spec, 5, 0.3);
    const cut = Math.round(1234 * 0.7);
    const head = splitBlocks([{ ...plain, frames: plain.frames.slice(0, cut) }], spec, { blockSeconds: 5, pattern: ["train", "train", "train", "val", "train", "train"] });
    expect(got.slice(0, -1)).toEqual(head);
    expect(got[got.length - 1]).toEqual({ drive: "d", role: "test", start: cut + 16, end: 1234, t0: plain.frames[cut + 16].t, t1: plain.frames[1233].t });
  });

  it("a short drive's last block before the cut becomes validation, history + horizon ticks in", () => {
    const short = drive(300, 0, () => false);
    const got = tailSplit([short], spec, 5, 0.3);
    expect(got.map((b) => [b.role, b.start, b.end])).toEqual([
      ["train", 0, 105],
      ["val", 121, 210],
      ["test", 226, 300],
    ]);
  });

  it("on the real DS2 (a 26 s silence): the held-out tail starts at the same time as with the break filled", async () => {
    const m: ModelSpec = { ...spec, features: ["speed", "speed_cmd", "steer_cmd"], actions: ["speed_cmd", "steer_cmd"], history: 50, horizon: 20 };
    const s = await loadSeries("../shared/data/f1tenth/DS2", m);
    const f = s.frames;
    const jumps = f.flatMap((x, i) => (i > 0 && x.t - f[i - 1].t > 1 ? [i] : []));
    expect(jumps.length).toBe(1);
    const j = jumps[0];
    const k = Math.round((f[j].t - f[j - 1].t) * 20) - 1;
    const fill: Frame[] = Array.from({ length: k }, (_, q) => ({ t: f[j - 1].t + (q + 1) / 20, values: new Float32Array(3).fill(NaN), valid: new Uint8Array(3) }));
    const filled = { ...s, frames: [...f.slice(0, j), ...fill, ...f.slice(j)] };
    const test = (bs: Block[]) => byTime(bs.filter((x) => x.role === "test"));
    const got = test(tailSplit([s], m, 10, 0.3));
    expect(got).toEqual(test(tailSplit([filled], m, 10, 0.3)));
    // The last 30 % of the drive's time (to a tick), plus the 70-tick gap.
    const span = f[f.length - 1].t - f[0].t;
    expect(Math.abs(got[0].t0 - (f[0].t + 0.7 * span + 70 / 20))).toBeLessThan(0.1);
  });
});
