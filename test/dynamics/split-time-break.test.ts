/*
 * The train/validation/test split is by time: a drive whose frames skip a time break (framesFromDrive does not
 * build frames across a gap over TIME_BREAK_S) gets the same blocks, with the same roles, as the same drive with
 * the break filled by Missing frames. Cut by frame count, the skipped stretch moved every block boundary of the
 * drive and shifted the role pattern after the break (DS2: 16 blocks became 14; the held-out set changed from
 * 505 to 455 windows and a retrain of the bundled model could no longer be compared with it).
 */
import { describe, expect, it } from "vitest";
import { splitBlocks, type Block, type FrameSeries } from "../../dynamics/dataset.js";
import type { ModelSpec } from "../../dynamics/spec.js";
import type { Frame } from "../../perception/types.js";
import { sineDrive as drive } from "./synthetic.js";
import { loadSeries } from "../../runtime/drive-frames.js";

const spec: ModelSpec = { features: ["speed", "steer_cmd"], actions: ["steer_cmd"], rate: 20, history: 10, horizon: 6, layers: 1, units: 4 };

/** The series without frames [from, to): what the batch path gives for a break there. */
function skip(s: FrameSeries, from: number, to: number): FrameSeries {
  return { ...s, frames: [...s.frames.slice(0, from), ...s.frames.slice(to)] };
}

const byTime = (bs: readonly Block[]) => bs.map((b) => ({ role: b.role, t0: b.t0, t1: b.t1 }));

describe("splitBlocks across a time break", () => {
  // 300 s at 20 Hz; samples stop at frame 2000, frames go on Missing for the break's 10 s, then skip 16.4 s.
  const full = drive(6000, 1000, (i) => i >= 2000 && i < 2528);
  const broken = skip(full, 2200, 2528);
  const a = splitBlocks([full], spec, { blockSeconds: 10 });
  const b = splitBlocks([broken], spec, { blockSeconds: 10 });

  it("keeps the blocks' roles and times after the break", () => {
    const after = (bs: Block[]) => byTime(bs.filter((x) => x.t0 > full.frames[2528].t));
    expect(after(b)).toEqual(after(a));
    expect(after(a).length).toBe(17);
  });

  it("keeps the blocks before the break, and each block's frames are the same frames", () => {
    const before = (bs: Block[]) => byTime(bs.filter((x) => x.t1 < full.frames[2000].t));
    expect(before(b)).toEqual(before(a));
    for (const x of b) for (const i of [x.start, x.end - 1]) expect(x.t0 <= broken.frames[i].t && broken.frames[i].t <= x.t1).toBe(true);
  });

  it("cuts frames on a regular grid exactly as before", () => {
    const plain = drive(1234, 5, () => false);
    const blocks = splitBlocks([plain], spec, { blockSeconds: 5 });
    // count = round(1234 / 100) = 12 blocks of 1234/12 frames, later-role blocks starting history+horizon in.
    expect(blocks.length).toBe(12);
    expect(blocks[0]).toMatchObject({ role: "train", start: 0, end: 103 });
    expect(blocks[1]).toMatchObject({ role: "test", start: 103 + 16, end: 206 });
    expect(blocks[11]).toMatchObject({ end: 1234 });
  });

  it("on the real DS2 (a 26 s silence): the same blocks as with the break filled by Missing frames", async () => {
    const s = await loadSeries("../shared/data/f1tenth/DS2", { ...spec, features: ["speed", "speed_cmd", "steer_cmd"], actions: ["speed_cmd", "steer_cmd"], history: 50, horizon: 20 });
    const f = s.frames;
    const jumps = f.flatMap((x, i) => (i > 0 && x.t - f[i - 1].t > 1 ? [i] : []));
    expect(jumps.length).toBe(1);
    const j = jumps[0];
    const k = Math.round((f[j].t - f[j - 1].t) * 20) - 1;
    const fill: Frame[] = Array.from({ length: k }, (_, m) => ({ t: f[j - 1].t + (m + 1) / 20, values: new Float32Array(3).fill(NaN), valid: new Uint8Array(3) }));
    const filled = { ...s, frames: [...f.slice(0, j), ...fill, ...f.slice(j)] };
    const m = { ...spec, history: 50, horizon: 20 };
    const got = splitBlocks([s], m, { blockSeconds: 10 }).filter((x) => x.end > x.start);
    // Blocks of the filled drive that hold a real frame (one lies wholly inside the skipped stretch).
    const want = splitBlocks([filled], m, { blockSeconds: 10 }).filter((x) => f.some((y) => y.t >= x.t0 && y.t <= x.t1));
    expect(want.length).toBe(15);
    expect(got.map((x) => x.role)).toEqual(want.map((x) => x.role));
    const held = (bs: Block[]) => byTime(bs.filter((x) => x.role !== "train"));
    expect(held(got)).toEqual(held(want));
  });
});
