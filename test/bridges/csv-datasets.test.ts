import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RAV4_STEER_RATIO, comma2k19Map, detectCsvMap, loadCsvDrive, writeCsvDrive, type ColumnMap } from "../../bridges/csv/index.js";
import { channelInfo } from "../../perception/channels.js";
import type { Drive, DriveChannel } from "../../perception/types.js";

const data = resolve(import.meta.dirname, "../../../shared/data");

// Small signal helpers: the sign checks compare channels from different files on one time grid.
function get(d: Drive, name: string): DriveChannel {
  const c = d.channels.find((x) => x.name === name);
  if (!c) throw new Error(`${d.name}: no channel ${name}`);
  return c;
}
function grid(c: DriveChannel, hz: number): number[] {
  const out: number[] = [];
  for (let t = c.t[0]; t <= c.t[c.t.length - 1]; t += 1 / hz) out.push(t);
  return out;
}
function at(c: DriveChannel, ts: readonly number[], unwrap = false): number[] {
  let v: ArrayLike<number> = c.values;
  if (unwrap) {
    const u = Float64Array.from(c.values);
    for (let i = 1; i < u.length; i++) u[i] = u[i - 1] + Math.atan2(Math.sin(c.values[i] - c.values[i - 1]), Math.cos(c.values[i] - c.values[i - 1]));
    v = u;
  }
  let j = 0;
  return ts.map((t) => {
    while (j < c.t.length - 2 && c.t[j + 1] < t) j++;
    const f = Math.min(1, Math.max(0, (t - c.t[j]) / (c.t[j + 1] - c.t[j])));
    return v[j] + f * (v[j + 1] - v[j]);
  });
}
function smooth(x: readonly number[], n: number): number[] {
  return x.map((_, i) => {
    const a = Math.max(0, i - (n >> 1));
    const b = Math.min(x.length, i + (n >> 1) + 1);
    let s = 0;
    for (let k = a; k < b; k++) s += x[k];
    return s / (b - a);
  });
}
function diff(x: readonly number[], hz: number): number[] {
  return x.map((_, i) => (x[Math.min(i + 1, x.length - 1)] - x[Math.max(i - 1, 0)]) * hz / (i === 0 || i === x.length - 1 ? 1 : 2));
}
const mul = (a: readonly number[], b: readonly number[]) => a.map((x, i) => x * b[i]);
function corr(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}
const rate = (c: DriveChannel) => (c.t.length - 1) / (c.t[c.t.length - 1] - c.t[0]);
function range(c: DriveChannel): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of c.values) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  return [lo, hi];
}

/** The first index where two arrays differ (Object.is: -0 and 0 differ), or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** Every drive's channels: finite, in time order, within the registry's physical range. */
function expectWellFormed(d: Drive): void {
  for (const c of d.channels) {
    const info = channelInfo(c.name);
    expect(c.unit, c.name).toBe(info.unit);
    expect(c.t.length, c.name).toBe(c.values.length);
    for (let i = 0; i < c.t.length; i++) {
      if (!(Number.isFinite(c.values[i]) && c.values[i] >= info.min && c.values[i] <= info.max)) throw new Error(`${c.name}[${i}] = ${c.values[i]}`);
      if (i > 0 && !(c.t[i] >= c.t[i - 1])) throw new Error(`${c.name}: t[${i}] = ${c.t[i]} < ${c.t[i - 1]}`);
    }
  }
}

describe("comma2k19 RAV4", () => {
  let d: Drive;
  beforeAll(async () => {
    d = await loadCsvDrive(join(data, "comma2k19-rav4"));
  });

  it("is detected and loads every mapped channel, clean, at the README's rates", async () => {
    expect((await detectCsvMap(join(data, "comma2k19-rav4"))).name).toBe("comma2k19");
    expect(d.format).toBe("csv");
    expect(d.name).toBe("comma2k19-rav4");
    expect(d.channels.map((c) => c.name)).toEqual([
      "speed", "steer", "steer_cmd", "steer_rate", "yaw_rate@can", "accel", "lat_accel", "throttle", "brake", "cruise_active", "accel_cmd",
      "accel@imu", "lat_accel@imu", "vert_accel", "roll_rate", "pitch_rate", "yaw_rate",
      "lat", "lon", "alt", "gnss_speed", "heading",
    ]);
    expectWellFormed(d);
    expect(d.rejected).toEqual({});
    expect(rate(get(d, "speed"))).toBeCloseTo(83, 0);
    expect(rate(get(d, "accel_cmd"))).toBeCloseTo(83, 0);
    expect(rate(get(d, "yaw_rate"))).toBeCloseTo(104, 0);
    expect(Math.abs(rate(get(d, "lat")) - 10)).toBeLessThan(0.5);
    const span = get(d, "speed").t.at(-1)! - get(d, "speed").t[0];
    expect(span).toBeGreaterThan(59);
    expect(span).toBeLessThan(61);
  });

  it("has plausible highway values: 8-20 m/s, cruise mostly on, brake never pressed, a 0..1 throttle", () => {
    const [vlo, vhi] = range(get(d, "speed"));
    expect(vlo).toBeGreaterThan(7.5);
    expect(vhi).toBeLessThan(20.5);
    expect(vhi).toBeGreaterThan(19);
    const cruise = get(d, "cruise_active").values;
    const on = cruise.reduce((s, x) => s + x, 0) / cruise.length;
    expect(on).toBeGreaterThan(0.8); // README: engaged for about 85% of the segment
    expect(on).toBeLessThan(0.9);
    expect(range(get(d, "brake"))).toEqual([0, 0]);
    const [tlo, thi] = range(get(d, "throttle"));
    expect(tlo).toBe(0);
    expect(thi).toBeCloseTo(0.39, 6);
    // Driving roughly north on CA-280: bearing ≈ 1-4°, so heading ≈ π/2 (counter-clockwise from east).
    const [hlo, hhi] = range(get(d, "heading"));
    expect(hlo).toBeGreaterThan(Math.PI / 2 - 0.1);
    expect(hhi).toBeLessThan(Math.PI / 2);
    // NaN cells before the first CAN frame are skipped, not rejected: the first row has no yaw rate.
    expect(get(d, "yaw_rate@can").t[0]).toBeGreaterThan(get(d, "speed").t[0] - 0.01);
    expect(get(d, "yaw_rate@can").t.length).toBe(get(d, "steer_rate").t.length - 1);
  });

  it("has consistent signs: lat_accel ≈ speed × yaw_rate, accel ≈ d(speed)/dt, steer and heading turn with yaw_rate", () => {
    const ts = grid(get(d, "speed"), 50);
    const v = at(get(d, "speed"), ts);
    const s1 = (x: number[]) => smooth(x, 50); // 1 s: the CAN accelerations are quantised and noisy
    const yawCan = at(get(d, "yaw_rate@can"), ts);
    const yawImu = at(get(d, "yaw_rate"), ts);
    expect(corr(s1(at(get(d, "lat_accel"), ts)), s1(mul(v, yawCan)))).toBeGreaterThan(0.75);
    expect(corr(s1(at(get(d, "lat_accel@imu"), ts)), s1(mul(v, yawImu)))).toBeGreaterThan(0.7);
    expect(corr(s1(yawCan), s1(yawImu))).toBeGreaterThan(0.8);
    const dv = s1(diff(v, 50));
    expect(corr(s1(at(get(d, "accel"), ts)), dv)).toBeGreaterThan(0.8);
    expect(corr(s1(at(get(d, "accel@imu"), ts)), dv)).toBeGreaterThan(0.6);
    expect(corr(s1(at(get(d, "steer"), ts)), s1(yawCan))).toBeGreaterThan(0.8);
    const headingRate = diff(at(get(d, "heading"), ts, true), 50);
    expect(corr(smooth(headingRate, 100), smooth(yawImu, 100))).toBeGreaterThan(0.3); // GNSS bearing is noisy at 10 Hz
  });

  it("would catch a sign slip: the raw accel_y_mps2 (+ = right) anti-correlates with speed × yaw_rate", async () => {
    const raw: ColumnMap = {
      name: "raw-accel-y",
      files: [
        comma2k19Map.files[0],
        { file: "can_decoded_83hz.csv", time: { column: "t_boot_s" }, columns: { accel_y_mps2: { channel: "lat_accel" }, yaw_rate_deg_s: { channel: "yaw_rate", transform: "deg_s_to_rad_s" } } },
      ],
    };
    const r = await loadCsvDrive(join(data, "comma2k19-rav4"), { map: raw });
    const ts = grid(get(r, "speed"), 50);
    const s1 = (x: number[]) => smooth(x, 50);
    expect(corr(s1(at(get(r, "lat_accel"), ts)), s1(mul(at(get(r, "speed"), ts), at(get(r, "yaw_rate"), ts))))).toBeLessThan(-0.75);
  });

  it("converts the steering-wheel angle with the RAV4 ratio: yaw rate ≈ understeer gain × speed × steer / wheelbase", () => {
    const ts = grid(get(d, "speed"), 50);
    const kin = smooth(mul(at(get(d, "speed"), ts), at(get(d, "steer"), ts)).map((x) => x / 2.65), 50);
    const yaw = smooth(at(get(d, "yaw_rate@can"), ts), 50);
    // Least-squares slope with an intercept (the CAN yaw rate has a bias of about -0.4 deg/s).
    const mk = kin.reduce((s, x) => s + x, 0) / kin.length;
    const my = yaw.reduce((s, x) => s + x, 0) / yaw.length;
    let num = 0, den = 0;
    for (let i = 0; i < kin.length; i++) {
      num += (kin[i] - mk) * (yaw[i] - my);
      den += (kin[i] - mk) ** 2;
    }
    const slope = num / den;
    expect(RAV4_STEER_RATIO).toBe(16.88);
    // Steady-state understeer lowers the yaw gain to 1 / (1 + (v / v_ch)²): at 15-20 m/s with a passenger
    // car's v_ch ≈ 20-25 m/s that is 0.5-0.75 (measured 0.64). Without the ratio the slope would be ~0.04.
    expect(slope).toBeGreaterThan(0.5);
    expect(slope).toBeLessThan(0.8);
  });
});

describe.each(["DS1", "DS2", "DS3", "DS4"])("F1TENTH %s", (ds) => {
  let d: Drive;
  beforeAll(async () => {
    d = await loadCsvDrive(join(data, "f1tenth", ds));
  });

  it("loads commands, IMU, odometry and pose channels at 20-35 Hz", async () => {
    expect((await detectCsvMap(join(data, "f1tenth", ds))).name).toBe("f1tenth");
    expect(d.channels.map((c) => c.name)).toEqual([
      "speed_cmd", "steer_cmd", "lat_accel", "accel", "vert_accel", "pitch_rate", "roll_rate", "yaw_rate",
      "speed", "x", "y", "heading", "x@pf", "y@pf", "heading@pf",
    ]);
    expectWellFormed(d);
    // The README says ~50 Hz for IMU/odometry; the files hold 21-33 Hz, and 19-30 Hz of commands.
    for (const c of d.channels) {
      expect(rate(c), c.name).toBeGreaterThan(20);
      expect(rate(c), c.name).toBeLessThan(35);
    }
    const [dlo, dhi] = range(get(d, "steer_cmd"));
    expect(dlo).toBeCloseTo(-0.34, 6);
    expect(dhi).toBeCloseTo(0.34, 6);
    expect(range(get(d, "speed_cmd"))[1]).toBeCloseTo(5, 6);
    const vert = get(d, "vert_accel").values;
    const g = [...vert].sort((a, b) => a - b)[vert.length >> 1];
    expect(g).toBeGreaterThan(9.3); // az in g → m/s², gravity included
    expect(g).toBeLessThan(10.3);
  });

  it("has the IMU turned 90°: lat_accel ≈ speed × yaw_rate, accel ≈ d(speed)/dt; the commands steer the car", () => {
    const ts = grid(get(d, "speed"), 30);
    const s = (x: number[]) => smooth(x, 9);
    const v = at(get(d, "speed"), ts);
    const yaw = at(get(d, "yaw_rate"), ts);
    expect(corr(s(at(get(d, "lat_accel"), ts)), s(mul(v, yaw)))).toBeGreaterThan(0.7);
    // -ay, not ax, is the longitudinal axis: r = 0.43 (DS2, which reverses) to 0.89, against |r| < 0.15 for ax.
    const dv = smooth(diff(v, 30), 15);
    const lon = corr(smooth(at(get(d, "accel"), ts), 15), dv);
    expect(lon).toBeGreaterThan(0.35);
    expect(lon).toBeGreaterThan(Math.abs(corr(smooth(at(get(d, "lat_accel"), ts), 15), dv)) + 0.25);
    expect(corr(s(diff(at(get(d, "heading@pf"), ts, true), 30)), s(yaw))).toBeGreaterThan(0.8);
    expect(corr(s(diff(at(get(d, "heading"), ts, true), 30)), s(yaw))).toBeGreaterThan(0.5);
    expect(corr(s(mul(at(get(d, "steer_cmd"), ts), v)), s(yaw))).toBeGreaterThan(0.5);
    expect(corr(s(at(get(d, "speed_cmd"), ts)), s(v))).toBeGreaterThan(0.5);
  });
});

describe("writeCsvDrive", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "lam-csv-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("writes a wide CSV that the generic map reads back to the same Float64 samples", async () => {
    const d = await loadCsvDrive(join(data, "f1tenth", "DS1"));
    const file = join(dir, "ds1.csv");
    await writeCsvDrive(d, file);
    expect((await detectCsvMap(file)).name).toBe("generic");
    expect((await detectCsvMap(dir)).name).toBe("generic"); // a folder holding one canonical .csv
    expect((await loadCsvDrive(dir)).channels.map((c) => c.name)).toEqual(d.channels.map((c) => c.name));
    const back = await loadCsvDrive(file);
    expect(back.rejected).toEqual({});
    expect(back.issues).toEqual([]);
    expect(back.channels.map((c) => [c.name, c.unit])).toEqual(d.channels.map((c) => [c.name, c.unit]));
    for (const c of d.channels) {
      const b = get(back, c.name);
      expect(firstDifference(b.t, c.t), c.name).toBe(-1);
      expect(firstDifference(b.values, c.values), c.name).toBe(-1);
      expect(b.source).toBe(`${file}:${c.name}`);
    }
    // Same drive, same bytes.
    const again = join(dir, "again.csv");
    await writeCsvDrive(back, again);
    const { readFile } = await import("node:fs/promises");
    expect(await readFile(again, "utf8")).toBe(await readFile(file, "utf8"));
  });

  it("keeps two samples of one channel at one time, and quotes names that need it", async () => {
    const ch = (name: string, t: number[], v: number[]): DriveChannel => ({ name, unit: channelInfo(name).unit, t: Float64Array.from(t), values: Float64Array.from(v), source: "test" });
    const file = join(dir, "dup.csv");
    await writeCsvDrive({ channels: [ch("speed", [0, 1, 1, 2], [1, 2, 3, 4]), ch("yaw_rate@a,b", [1], [0.5])] }, file);
    const { readFile } = await import("node:fs/promises");
    expect(await readFile(file, "utf8")).toBe('t,speed,"yaw_rate@a,b"\n0,1,\n1,2,0.5\n1,3,\n2,4,\n');
    const back = await loadCsvDrive(file, { map: "generic" });
    expect([...get(back, "speed").values]).toEqual([1, 2, 3, 4]);
    expect([...get(back, "yaw_rate@a,b").t]).toEqual([1]);
  });
});
