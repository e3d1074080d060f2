// Tests written for perception/frames-from-drive.ts's surviving mutants (docs/mutation.md, "Survivors by file"): the
// batch path's time breaks (tested end to end only in test/runtime/time-breaks.test.ts, outside the mutation suites),
// where frames start and end, and the lookahead horizon.
import { describe, expect, test } from "vitest";
import { MAX_ABS_T, Validity, framesFromDrive, framesOnVirtualTime, type FrameSpec } from "../../perception/index.js";
import { makeDrive, plain } from "./helpers.js";

const { Fresh: F, Held: H, Missing: M } = Validity;
const spec: FrameSpec = { rate: 10, channels: [{ name: "speed", interp: "linear", staleAfter: 2 }] };
const times = (r: { frames: { t: number }[] }) => r.frames.map((f) => Math.round(f.t * 1000) / 1000);
const column = (r: { frames: Parameters<typeof plain>[0] }) => plain(r.frames).map((f) => [f.values[0], f.valid[0]]);

describe("framesFromDrive: time breaks", () => {
  test("a gap longer than maxGapS: frames until maxGapS after the last sample (inclusive), then on from s − lookahead", () => {
    const r = framesFromDrive(makeDrive({ speed: [[0, 1], [0.1, 1], [5, 2], [5.1, 2]] }), spec, { maxGapS: 0.9 });
    expect(times(r)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 4.9, 5, 5.1]);
    expect(r.breaks).toEqual([{ from: 0.1, to: 5 }]);
    expect(column(r).slice(-3)).toEqual([[NaN, M], [2, F], [2, F]]);
  });

  test("the default maxGapS is TIME_BREAK_S (10 s)", () => {
    const r = framesFromDrive(makeDrive({ speed: [[0, 1], [20, 2]] }), spec);
    expect(r.breaks).toEqual([{ from: 0, to: 20 }]);
    expect(times(r).at(0)).toBe(0);
    expect(times(r)).toContain(10);
    expect(times(r)).not.toContain(10.1);
    expect(times(r).slice(-2)).toEqual([19.9, 20]);
    expect(framesFromDrive(makeDrive({ speed: [[0, 1], [9.5, 2]] }), spec).breaks).toEqual([]);
  });

  test("a gap of exactly maxGapS is no break: the frames before the sample still interpolate toward it", () => {
    const r = framesFromDrive(makeDrive({ speed: [[0, 0], [0.5, 1], [1.5, 2]] }), spec, { maxGapS: 1 });
    expect(r.breaks).toEqual([]);
    expect(times(r).slice(-2)).toEqual([1.4, 1.5]);
    expect(column(r).slice(-2)).toEqual([[Math.fround(1.9), F], [2, F]]);
  });

  test("a gap just over maxGapS whose resume tick is not ahead of the frames built is no break and repeats no frame", () => {
    // Frames up to 0.1 + 0.2 are built; resuming at the first tick after 0.35 − 0.1 would go back to 0.3.
    const back = framesFromDrive(makeDrive({ speed: [[0, 1], [0.1, 1], [0.35, 2]] }), spec, { maxGapS: 0.2 });
    expect(times(back)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(back.breaks).toEqual([]);
    // Resuming exactly at the next tick (0.45 − 0.1 = 0.35 → 0.4) is no break either.
    const same = framesFromDrive(makeDrive({ speed: [[0, 1], [0.1, 1], [0.45, 2]] }), spec, { maxGapS: 0.2 });
    expect(times(same)).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
    expect(same.breaks).toEqual([]);
  });

  test("a channel outside the frames neither moves the ticks nor makes a break, nor stretches the frames past maxGapS", () => {
    const steer: Array<[number, number]> = Array.from({ length: 300 }, (_, i) => [i / 10, 0]);
    const r = framesFromDrive(makeDrive({ speed: [[0, 1], [1, 1]], steer }), spec);
    expect(r.breaks).toEqual([]);
    expect(times(r).at(-1)).toBe(11);
    expect(r.frames).toHaveLength(111);
  });

  test("a drive without gaps reports no breaks", () => {
    expect(framesFromDrive(makeDrive({ speed: [[0, 1], [0.1, 2]] }), spec).breaks).toEqual([]);
  });
});

describe("framesFromDrive: where frames start and end", () => {
  test("ticks start at the earliest plausible first stamp over the channels; an implausible stamp is skipped", () => {
    const r = framesFromDrive(makeDrive({ speed: [[-5e10, 1], [3, 1], [3.1, 2]], steer: [[2.5, 0]], yaw_rate: [[4, 0]] }), { ...spec, channels: [...spec.channels, { name: "yaw_rate", interp: "linear", staleAfter: 2 }] });
    expect(times(r)[0]).toBe(2.5);
    expect(r.rejected).toEqual({ speed: { clock: 1 } });
  });

  test("a stamp of exactly MAX_ABS_T is plausible: it may set where ticks start", () => {
    const r = framesFromDrive(makeDrive({ speed: [[-2e10, 1], [-MAX_ABS_T, 1], [-MAX_ABS_T + 0.5, 2]] }), spec);
    expect(r.frames[0]!.t).toBe(-MAX_ABS_T);
    expect(r.rejected).toEqual({ speed: { clock: 1 } });
  });

  test("an implausible last stamp does not stretch the frames to it", () => {
    const r = framesFromDrive(makeDrive({ speed: [[0, 1], [0.5, 1]], steer: [[0, 0], [1.7e18, 0]] }), spec);
    expect(times(r).at(-1)).toBe(0.5);
    expect(r.rejected).toEqual({ steer: { clock: 1 } });
  });

  test("a last input at exactly MAX_ABS_T is plausible: the ticks the clock fires before it are built, as on the RxJS path", () => {
    // Frames to the newest speed sample (t0 + 0.5), then those due (T + 151 ms) before the steer sample at t0 + 1.
    const t0 = MAX_ABS_T - 1;
    const drive = makeDrive({ speed: [[t0, 1], [t0 + 0.5, 1]], steer: [[MAX_ABS_T, 0]] });
    const batch = framesFromDrive(drive, spec);
    expect(batch.frames).toHaveLength(9);
    expect(batch.frames.at(-1)!.t - t0).toBeCloseTo(0.8, 5);
    expect(plain(batch.frames)).toEqual(plain(framesOnVirtualTime(drive, spec).frames));
  });

  test("a frame T uses a sample at exactly T + lookahead, and not one beyond it", () => {
    const r = framesFromDrive(makeDrive({ speed: [[0, 0], [0.2, 2], [0.45, 4.5]] }), spec, { lookahead: 0.1 });
    // Frame 0.1 sees 0.2 (= 0.1 + 0.1); frame 0.3 does not see 0.45 (> 0.4): held at 2.
    expect(column(r).slice(0, 4)).toEqual([[0, F], [1, F], [2, F], [2, H]]);
  });

  test("the batch path gives the RxJS path's frames when the last input (off the frames) lands exactly on a tick's due time", () => {
    // latency 0.151: frame 0.1 is due at 251 ms, when the last input (steer, at 0.251) arrives. A tick due at the
    // drive's last instant is built on both paths (RxJS: by its timer or at completion, whichever the scheduler runs
    // first; random seed 1902117696 found the paths disagreeing when only the timer built it).
    const drive = makeDrive({ speed: [[0, 1], [0.05, 1]], steer: [[0.251, 0]] });
    expect(0.251 * 1000).toBe(251);
    const batch = framesFromDrive(drive, spec);
    expect(plain(batch.frames)).toEqual(plain(framesOnVirtualTime(drive, spec).frames));
    expect(times(batch)).toEqual([0, 0.1]);
  });
});
