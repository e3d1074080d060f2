import fc from "fast-check";
import { VirtualTimeScheduler, from } from "rxjs";
import { describe, expect, test } from "vitest";
import {
  RejectTally,
  Validity,
  driveOrigin,
  driveSamples,
  frameChannel,
  framesFromDrive,
  mergeDrive,
  perceive,
  rejectOutliers,
  reorderSamples,
  framesOnVirtualTime,
  validateSamples,
  type Frame,
  type FrameSpec,
  type Sample,
} from "../../perception/index.js";
import { checkFrames, makeDrive } from "./helpers.js";
import { runs } from "../support/fc-seed.js";

const spec: FrameSpec = { rate: 20, channels: [frameChannel("speed"), frameChannel("yaw_rate"), frameChannel("brake"), frameChannel("lat")] };

/** A messy multi-rate drive on an epoch clock: jitter, a spike, NaN, out-of-range, duplicates, a dead channel, a gap. */
function messyDrive() {
  const t0 = 1651600000.123;
  const speed: Array<[number, number]> = [];
  const yaw: Array<[number, number]> = [];
  const brake: Array<[number, number]> = [];
  const lat: Array<[number, number]> = [];
  for (let i = 0; i < 500; i++) {
    const t = t0 + i / 83 + 0.001 * Math.sin(i);
    if (i > 200 && i < 260) continue; // a 0.7 s gap
    speed.push([t, i === 100 ? 70 : i === 120 ? NaN : 10 + Math.sin(i / 30)]);
  }
  for (let i = 0; i < 300; i++) yaw.push([t0 + 0.004 + i / 50, i === 50 ? 12 : 0.1 * Math.cos(i / 10)]);
  yaw.splice(80, 0, yaw[79]); // an exact duplicate
  for (let i = 0; i < 40; i++) brake.push([t0 + i / 10, i > 20 ? 1 : 0]);
  for (let i = 0; i < 5; i++) lat.push([t0 + 0.3 + i * 0.4, 37.4]); // 2.5 Hz, then dead
  return makeDrive({ speed, yaw_rate: yaw, brake, lat });
}

describe("framesFromDrive (batch) and driveSamples + perceive (RxJS, virtual time)", () => {
  test("give exactly the same frames and the same rejection counts on a messy drive", () => {
    const drive = messyDrive();
    const batch = framesFromDrive(drive, spec);
    const rx = framesOnVirtualTime(drive, spec);
    expect(batch.frames.length).toBeGreaterThan(100);
    expect(rx.frames).toEqual(batch.frames);
    expect(rx.rejected).toEqual(batch.rejected);
    expect(batch.rejected).toEqual({ speed: { outlier: 1, nonfinite: 1 }, yaw_rate: { out_of_range: 1, duplicate: 1 } });
    expect(checkFrames(batch.frames)).toBeUndefined();
  });

  test("frames are on the 20 Hz grid, cover the drive, and mark the gap and the dead channel", () => {
    const drive = messyDrive();
    const { frames } = framesFromDrive(drive, spec);
    const t0 = driveOrigin(drive);
    frames.forEach((f, i) => expect(f.t).toBe((Math.ceil(t0 * 20) + i) / 20));
    const at = (t: number) => frames.find((f) => Math.abs(f.t - t) < 0.026)!;
    expect(at(t0 + 1.8).valid[0]).toBe(Validity.Fresh);
    expect(at(t0 + 2.95).valid[0]).toBe(Validity.Missing); // inside the speed gap, > 0.5 s after its last sample
    expect(at(t0 + 1.0).valid[3]).toBe(Validity.Held); // 2.5 Hz GNSS: held between fixes
    expect(at(t0 + 5.0).valid[3]).toBe(Validity.Missing); // GNSS dead after 1.9 s
  });

  test("same inputs, same bytes: two runs agree", () => {
    const a = framesFromDrive(messyDrive(), spec).frames;
    const b = framesFromDrive(messyDrive(), spec).frames;
    expect(Buffer.concat(b.map((f) => Buffer.from(f.values.buffer)))).toEqual(Buffer.concat(a.map((f) => Buffer.from(f.values.buffer))));
  });

  test("property: batch and RxJS agree on arbitrary small drives, with no NaN in any Fresh/Held value", () => {
    const value = fc.oneof(fc.double({ min: -30, max: 30, noNaN: true }), fc.constantFrom(NaN, Infinity, 1e9));
    const series = fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), value), { maxLength: 40 }).map((xs) => xs.sort((p, q) => p[0] - q[0]).map(([ms, v]) => [1000 + ms / 1000, v] as [number, number]));
    fc.assert(
      // steer is not a frame channel: it must not change which frames are built.
      fc.property(series, series, series, series, (speed, yaw, brake, steer) => {
        const drive = makeDrive({ speed, yaw_rate: yaw, brake, steer });
        const batch = framesFromDrive(drive, spec, { window: 0.02, lookahead: 0.06 });
        const rx = framesOnVirtualTime(drive, spec, { window: 0.02, lookahead: 0.06 });
        expect(rx.frames).toEqual(batch.frames);
        expect(rx.rejected).toEqual(batch.rejected);
        expect(checkFrames(batch.frames)).toBeUndefined();
      }),
      { numRuns: runs(300) },
    );
  });

  test("a rejected last sample landing exactly on a tick's due time: both paths build that tick (random seed 1902117696)", () => {
    // Tick 1002.8 is due at 2875 ms, when the last sample (brake, +Infinity: rejected) arrives. The RxJS path's tick
    // timer ran before that sample's step; the batch path had assumed the sample first and built one frame fewer.
    const drive = makeDrive({ speed: [[1000.006, NaN]], yaw_rate: [], brake: [[1002.881, Infinity]], steer: [[1002.831, 0]] });
    const batch = framesFromDrive(drive, spec, { window: 0.02, lookahead: 0.06 });
    const rx = framesOnVirtualTime(drive, spec, { window: 0.02, lookahead: 0.06 });
    expect(rx.frames).toEqual(batch.frames);
    expect(batch.frames.at(-1)!.t).toBeCloseTo(1002.8, 9);
  });
});

describe("driveSamples", () => {
  test("merges channels into global time order, each sample at (t - t0) * 1000 virtual ms", () => {
    const drive = makeDrive({ speed: [[10.0, 1], [10.02, 2]], steer: [[10.01, 0.1], [10.02, 0.2]] });
    const seen: Array<[number, string, number]> = [];
    const sched = new VirtualTimeScheduler();
    driveSamples(drive, sched).subscribe((s) => seen.push([Math.round(sched.now() * 1000) / 1000, s.channel, s.t]));
    sched.flush();
    expect(seen).toEqual([[0, "speed", 10], [10, "steer", 10.01], [20, "speed", 10.02], [20, "steer", 10.02]]);
    expect([...mergeDrive(drive)].map((s) => s.t)).toEqual([10, 10.01, 10.02, 10.02]);
  });
});

describe("validate -> reorder -> outliers", () => {
  test("property: released + counted = inputs, for garbage and good samples alike; output in time order", () => {
    const good = fc.record({ channel: fc.constantFrom("speed", "steer"), t: fc.integer({ min: 0, max: 1000 }).map((ms) => ms / 1000), value: fc.double({ min: -1, max: 1, noNaN: true }) });
    const bad = fc.oneof(
      fc.constant(null),
      fc.string(),
      fc.record({ channel: fc.constantFrom("speed", "nope", 3), t: fc.constantFrom(NaN, Infinity, "1", 0.5), value: fc.constantFrom(NaN, -Infinity, 1e6, "x", 0.2) }),
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(good, good, bad), { maxLength: 80 }), (input) => {
        const tally = new RejectTally();
        const sched = new VirtualTimeScheduler();
        const out: Sample[] = [];
        from(input)
          .pipe(validateSamples({ tally }), reorderSamples(0.05, { scheduler: sched, tally }), rejectOutliers({ tally }))
          .subscribe((s) => out.push(s));
        sched.flush();
        expect(out.length + tally.total).toBe(input.length);
        for (let i = 1; i < out.length; i++) expect(out[i].t).toBeGreaterThanOrEqual(out[i - 1].t);
      }),
    );
  });
});

describe("perceive on garbage", () => {
  test("property: any mix of garbage, NaN, Inf and good samples gives frames with no NaN/Inf in a Fresh/Held channel", () => {
    const value = fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity, "1", null, undefined), fc.double({ min: -2, max: 2, noNaN: true }));
    const sample = fc.oneof(
      fc.record({ channel: fc.constantFrom("speed", "yaw_rate", "brake", "lat", "bogus", 1), t: fc.oneof(fc.integer({ min: 0, max: 2000 }).map((ms) => ms / 1000), fc.constantFrom(NaN, -Infinity, "0")), value }),
      fc.anything(),
    );
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 80 }), (input) => {
        const sched = new VirtualTimeScheduler();
        const tally = new RejectTally();
        const frames: Frame[] = [];
        from(input).pipe(perceive(spec, { scheduler: sched, origin: 0, tally })).subscribe((f) => frames.push(f));
        sched.flush();
        expect(checkFrames(frames)).toBeUndefined();
        for (const f of frames) expect(f.values.length).toBe(spec.channels.length);
      }),
    );
  });
});
