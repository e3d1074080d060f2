import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { comma2k19Map, f1tenthMap, loadCsvDrive, parseColumnMap } from "../../bridges/csv/index.js";
import { proposeColumnMap, splitColumnName, type CsvSample } from "../../bridges/csv/propose.js";
import { readCsvFile } from "../../bridges/csv/read.js";
import { main } from "../../runtime/main.js";

const DATA = resolve(__dirname, "../../../shared/data");
const COMMA = join(DATA, "comma2k19-rav4");
const DS1 = join(DATA, "f1tenth/DS1");

async function lam(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } });
  return { code, out: out.join(""), err: err.join("") };
}

async function sampleOf(path: string, file = path.split("/").pop()!): Promise<CsvSample> {
  let header: string[] | undefined;
  const rows: string[][] = [];
  for await (const batch of readCsvFile(path)) {
    for (const r of batch) {
      if (r.kind !== "row") continue;
      if (!header) header = r.fields;
      else if (rows.length < 2000) rows.push(r.fields);
    }
    if (rows.length >= 2000) break;
  }
  return { file, header: header!, rows };
}

const MPH = 0.44704;
const G = 9.80665;
const RATIO = 15.5;
const WHEELBASE = 2.85;

/**
 * A BMW-like CAN log as a logger exports it: epoch milliseconds, speed in mph, steering-wheel angle in
 * degrees, pedals in %, accelerations in g, a phone gyro in deg/s, gear, cruise, and a column lam has no
 * channel for. 60 s at 50 Hz of a consistent drive: yaw rate = v · δ / L, lateral = v · yaw rate.
 */
function bmwCsv(): { text: string; rows: number } {
  const lines = ["Time,VehicleSpeed [mph],SteeringWheelAngle [deg],AccelPedal [%],BrakePedal [%],LongAccel [g],LatAccel [g],phone_gyro_z [deg/s],Gear,CruiseActive,EngineRPM"];
  const t0 = 1_700_000_000_000;
  const n = 3000;
  for (let i = 0; i < n; i++) {
    const t = i * 0.02;
    const mph = 30 + 10 * Math.sin(0.1 * t);
    const v = mph * MPH;
    const dv = 10 * MPH * 0.1 * Math.cos(0.1 * t);
    const swa = 90 * Math.sin(0.2 * t);
    const delta = (swa * Math.PI) / 180 / RATIO;
    const yaw = (v * delta) / WHEELBASE;
    // Pedal steps: the driver stomps on and off the throttle, brakes now and then.
    const pedal = Math.floor(t / 5) % 2 === 0 ? 35 : 0;
    const brake = Math.floor(t / 7) % 3 === 2 ? 20 : 0;
    lines.push(
      [t0 + i * 20, mph.toFixed(3), swa.toFixed(2), pedal, brake, (dv / G).toFixed(5), ((v * yaw) / G).toFixed(5), ((yaw * 180) / Math.PI).toFixed(4), 4, 1, 2000].join(","),
    );
  }
  return { text: lines.join("\n") + "\n", rows: n };
}

describe("splitColumnName: names and units as loggers write them", () => {
  it.each([
    ["VehicleSpeed [mph]", ["vehicle", "speed"], "mph"],
    ["vehicle_speed_kph", ["vehicle", "speed"], "kph"],
    ["speed (km/h)", ["speed"], "kph"],
    ["accel_x_m/s^2", ["accel", "x"], "mps2"],
    ["LatAccel [g]", ["lat", "accel"], "g"],
    ["yaw_rate_deg_s", ["yaw", "rate"], "deg_s"],
    ["gyro_z [°/s]", ["gyro", "z"], "deg_s"],
    ["AccelPedal [%]", ["accel", "pedal"], "pct"],
    ["gas_pedal_pct", ["gas", "pedal"], "pct"],
    ["t_boot_s", ["t", "boot"], "s"],
    ["timestamp_ns", ["timestamp"], "ns"],
    ["V", ["v"], undefined],
  ])("%s", (raw, tokens, unit) => {
    const n = splitColumnName(raw);
    expect(n.tokens).toEqual(tokens);
    expect(n.unit).toBe(unit);
  });
});

describe("phone sensor logs", () => {
  it("bare x/y/z columns of Gyroscope.csv / Accelerometer.csv are that sensor's axes; ns epoch time; iOS rotationRate names", () => {
    const header = ["time", "seconds_elapsed", "z", "y", "x"];
    const rows = [
      ["1700000000000000000", "0", "0.01", "0.02", "0.03"],
      ["1700000000010000000", "0.01", "0.01", "0.02", "0.03"],
    ];
    const { map } = proposeColumnMap([
      { file: "Gyroscope.csv", header, rows },
      { file: "Accelerometer.csv", header, rows },
      { file: "motion.csv", header: ["loggingSample(N)", "timestamp_s", "motionRotationRateZ(rad/s)"], rows: [["0", "1.5", "0.1"]] },
    ]);
    expect(map.files[0].time).toEqual({ column: "time", scale: 1e-9 });
    expect(map.files[0].columns).toEqual({ z: { channel: "yaw_rate" }, y: { channel: "pitch_rate" }, x: { channel: "roll_rate" } });
    expect(map.files[1].columns).toMatchObject({ z: { channel: "vert_accel" }, y: { channel: "lat_accel" } });
    expect(map.files[2].columns).toEqual({ "motionRotationRateZ(rad/s)": { channel: "yaw_rate@motion" } });
    expect(() => parseColumnMap(JSON.parse(JSON.stringify(map)))).not.toThrow();
  });
});

describe("lam map init on a BMW-like CAN CSV", () => {
  const dir = mkdtempSync(join(tmpdir(), "lam-map-init-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const csv = join(dir, "bmw.csv");
  const { text, rows } = bmwCsv();
  writeFileSync(csv, text);
  const mapFile = join(dir, "bmw.map.json");

  it("proposes a map the validator accepts, every unit recognised, and the drive loads with it in SI units", async () => {
    const r = await lam("map", "init", csv, "--out", mapFile, "--steer-ratio", String(RATIO));
    expect(r.code, r.err).toBe(0);
    const map = parseColumnMap(JSON.parse(readFileSync(mapFile, "utf8")));
    const f = map.files[0];
    expect(f.time).toEqual({ column: "Time", scale: 0.001 });
    expect(f.columns).toMatchObject({
      "VehicleSpeed [mph]": { channel: "speed", transform: "mph_to_mps" },
      "AccelPedal [%]": { channel: "throttle", transform: "percent_to_unit" },
      "BrakePedal [%]": { channel: "brake", transform: "percent_to_unit" },
      "LatAccel [g]": { channel: "lat_accel", transform: "g_to_mps2" },
      "phone_gyro_z [deg/s]": { channel: "yaw_rate", transform: "deg_s_to_rad_s" },
      Gear: { channel: "gear" },
      CruiseActive: { channel: "cruise_active" },
    });
    expect(f.columns?.["SteeringWheelAngle [deg]"]).toEqual([
      { channel: "steer", transform: ["deg_to_rad", { scale: 1 / RATIO }] },
      { channel: "steer_cmd", transform: ["deg_to_rad", { scale: 1 / RATIO }] },
    ]);
    // No steering or acceleration command is logged: the person's steering and the acceleration the pedals
    // produced stand in for them (what the bundled car model predicts).
    expect(f.columns?.["LongAccel [g]"]).toEqual([
      { channel: "accel", transform: "g_to_mps2" },
      { channel: "accel_cmd", transform: "g_to_mps2" },
    ]);
    expect(f.columns?.EngineRPM).toBeUndefined();
    expect(r.err).toMatch(/EngineRPM\s+not mapped/);
    expect(r.err).toMatch(/VehicleSpeed \[mph\]\s+→ speed: mph → m\/s/);
    expect(r.err).toMatch(/Time\s+time: epoch milliseconds/);

    const drive = await loadCsvDrive(csv, { map: mapFile });
    const ch = (n: string) => drive.channels.find((c) => c.name === n)!;
    expect(ch("speed").t.length).toBe(rows);
    // Epoch milliseconds × 0.001: float64 seconds near 1.7e9 resolve 0.24 µs.
    expect(ch("speed").t[1] - ch("speed").t[0]).toBeCloseTo(0.02, 6);
    expect(ch("speed").values[0]).toBeCloseTo(30 * MPH, 3);
    // The units line up physically: yaw rate = v·δ/L and lateral acceleration = v·yaw rate, in SI.
    for (const i of [250, 1111, 2600]) {
      const v = ch("speed").values[i];
      expect(ch("yaw_rate").values[i]).toBeCloseTo((v * ch("steer").values[i]) / WHEELBASE, 3);
      expect(ch("lat_accel").values[i]).toBeCloseTo(v * ch("yaw_rate").values[i], 3);
    }
    expect(Math.max(...ch("throttle").values)).toBeCloseTo(0.35, 12);
  });

  it("lam inspect --map keeps every pedal step (discrete driver inputs are not outliers)", async () => {
    const r = await lam("inspect", csv, "--map", mapFile, "--json");
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { channels: { name: string; samples: number; rejected: Record<string, number> }[] };
    for (const name of ["throttle", "brake", "gear", "cruise_active", "speed", "steer"]) {
      const c = j.channels.find((x) => x.name === name)!;
      expect(c.samples, name).toBe(rows);
      expect(c.rejected.outlier ?? 0, name).toBe(0);
    }
  });

  it("a model channel the drive lacks is an error naming the channel and the file, in train and in eval", async () => {
    const t = await lam("train", csv, "--map", mapFile, "--out", join(dir, "m"), "--epochs", "1");
    expect(t.code).toBe(1);
    expect(t.err).toContain(csv);
    expect(t.err).toMatch(/action channel "speed_cmd" is not in this drive/);
    expect(t.err).not.toMatch(/no training windows/);
    const e = await lam("eval", csv, "--map", mapFile);
    expect(e.code).toBe(1);
    expect(e.err).toContain(csv);
    expect(e.err).toMatch(/the model's action channel "speed_cmd" is not in this drive \(it has: speed, steer, steer_cmd, /);
  });

  it("an action observed too briefly for any window is named, with how much of the drive it covers", async () => {
    // The pedal column stops after 0.6 s (a logger that dropped the signal): no 1 s target stretch after 1.6 s of history.
    const sparse = join(dir, "sparse.csv");
    const lines = text.trimEnd().split("\n");
    writeFileSync(sparse, lines.map((l, i) => (i > 30 ? l.replace(/^([^,]*,[^,]*,[^,]*),[^,]*,/, "$1,,") : l)).join("\n") + "\n");
    const t = await lam("train", sparse, "--map", mapFile, "--out", join(dir, "m2"), "--actions", "steer_cmd,throttle", "--epochs", "1");
    expect(t.code).toBe(1);
    expect(t.err).toContain(sparse);
    expect(t.err).toMatch(/no window fits: a window needs 32 frames of history, then 20 frames \(1 s\) with every action observed.*action channel "throttle" is observed in \d+ of \d+ frames at 20 Hz/);
    expect(t.err).not.toMatch(/no training windows/);
  });

  it("the mapped drive trains and evaluates end to end (--map on train and eval)", async () => {
    const out = join(dir, "model");
    const t = await lam("train", csv, "--map", mapFile, "--out", out, "--actions", "steer_cmd,throttle", "--epochs", "1", "--units", "8", "--json");
    expect(t.code, t.err).toBe(0);
    const e = await lam("eval", csv, "--map", mapFile, "--model", out, "--json");
    expect(e.code, e.err).toBe(0);
    const j = JSON.parse(e.out) as { windows: number; model: { per_channel: Record<string, { ade: number }> } };
    expect(j.windows).toBeGreaterThan(0);
    expect(Object.keys(j.model.per_channel)).toEqual(["steer_cmd", "throttle"]);
  });

  it("fine-tunes the bundled car model on the mapped log (its features and actions all come from the map)", async () => {
    const out = join(dir, "car-ft");
    const car = resolve(__dirname, "../../dynamics/models/car");
    const t = await lam("train", csv, "--map", mapFile, "--finetune", car, "--freeze-encoder", "--epochs", "1", "--out", out, "--json");
    expect(t.code, t.err).toBe(0);
    const e = await lam("eval", csv, "--map", mapFile, "--model", out, "--json");
    expect(e.code, e.err).toBe(0);
    expect(Object.keys((JSON.parse(e.out) as { per_channel_ratio: object }).per_channel_ratio)).toEqual(["steer_cmd", "accel_cmd"]);
  });

  it("refuses to overwrite the map without --force, and says which subcommands exist", async () => {
    expect((await lam("map", "init", csv, "--out", mapFile)).code).toBe(2);
    expect((await lam("map", "init", csv, "--out", mapFile, "--force", "--no-check")).code).toBe(0);
    expect((await lam("map", "frobnicate", csv)).code).toBe(2);
  });

  it("a time column of dates as text is skipped for a numeric one, or named when it is the only one", () => {
    const rows = [["2024-05-01 12:00:00.000", "1714564800.0", "3"], ["2024-05-01 12:00:00.020", "1714564800.02", "4"]];
    const ok = proposeColumnMap([{ file: "a.csv", header: ["timestamp", "time_s", "speed_kph"], rows }]);
    expect(ok.map.files[0].time).toEqual({ column: "time_s" });
    expect(() => proposeColumnMap([{ file: "b.csv", header: ["timestamp", "speed_kph"], rows: rows.map((r) => [r[0], r[2]]) }])).toThrow(
      /b\.csv: time column "timestamp" holds text such as "2024-05-01 12:00:00\.000", not numbers/,
    );
  });

  it("a header with no time column is an error that shows the header", async () => {
    const bad = join(dir, "notime.csv");
    writeFileSync(bad, "speed_mph,steering_deg\n1,2\n");
    const r = await lam("map", "init", bad);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no time column recognised .*header: "speed_mph", "steering_deg"/);
  });
});

describe("proposals for the real recordings in ../shared/data", () => {
  it("every comma2k19 CSV: the proposal validates and loads; where the built-in map reads the same column, the same samples", async () => {
    const builtin = await loadCsvDrive(COMMA, { map: comma2k19Map });
    const names = readdirSync(COMMA).filter((n) => n.endsWith(".csv"));
    let compared = 0;
    expect(names.length).toBeGreaterThanOrEqual(5);
    for (const name of names) {
      const { map } = proposeColumnMap([await sampleOf(join(COMMA, name))], { steerRatio: 16.88 });
      const parsed = parseColumnMap(JSON.parse(JSON.stringify(map)));
      const drive = await loadCsvDrive(join(COMMA, name), { map: parsed });
      expect(drive.channels.length, name).toBeGreaterThan(0);
      // Compare with the built-in map column by column: same column, same channel base → same numbers.
      const own = comma2k19Map.files.find((f) => f.file === name);
      for (const [col, target] of Object.entries(own?.columns ?? {})) {
        const proposed = parsed.files[0].columns?.[col];
        if (!proposed) continue;
        const b = (Array.isArray(target) ? target[0] : target) as { channel: string; transform?: unknown };
        const p = (Array.isArray(proposed) ? proposed[0] : proposed) as { channel: string; transform?: unknown };
        if (b.channel.split("@")[0] !== p.channel.split("@")[0]) continue;
        // A sign only the dataset's README states (accel_x_mps2: + = slowing down) is the one thing a header cannot tell.
        const negates = (t: unknown) => JSON.stringify(t ?? null).includes("negate");
        const sign = negates(b.transform) === negates(p.transform) ? 1 : -1;
        const cb = builtin.channels.find((c) => c.name === b.channel)!;
        const cp = drive.channels.find((c) => c.name === p.channel)!;
        expect(cp.t.length, `${name} ${col}`).toBe(cb.t.length);
        for (let i = 0; i < cb.t.length; i += 97) expect(cp.values[i], `${name} ${col}[${i}]`).toBeCloseTo(sign * cb.values[i], 9);
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(15);
    // The phone IMU's forward-right-down axes come out left/up/counter-clockwise, as in the built-in map.
    const imu = proposeColumnMap([await sampleOf(join(COMMA, "processed_imu_104hz.csv"))]).map.files[0].columns!;
    expect(imu).toEqual({
      acc_fwd_mps2: [{ channel: "accel" }, { channel: "accel_cmd" }],
      acc_right_mps2: { channel: "lat_accel", transform: "negate" },
      acc_down_mps2: { channel: "vert_accel", transform: "negate" },
      gyro_fwd_rads: { channel: "roll_rate" },
      gyro_right_rads: { channel: "pitch_rate", transform: "negate" },
      gyro_down_rads: { channel: "yaw_rate", transform: "negate" },
    });
  });

  it("the F1TENTH folder: s+ns time, the person's commands, IMU in g and deg/s told from the numbers", async () => {
    const r = await lam("map", "init", DS1, "--no-check");
    expect(r.code, r.err).toBe(0);
    const map = parseColumnMap(JSON.parse(r.out));
    expect(map.files.map((f) => f.file)).toEqual(["commandData.csv", "imuData.csv", "odomData.csv", "pfOdomData.csv", "pfPoseData.csv"]);
    const cmd = map.files[0];
    expect(cmd.time).toEqual({ s: "s", ns: "ns" });
    expect(cmd.columns).toEqual({ V: { channel: "speed_cmd" }, delta: { channel: "steer_cmd" } });
    const imu = map.files[1];
    expect(imu.columns?.az).toEqual({ channel: "vert_accel", transform: "g_to_mps2" });
    expect(imu.columns?.wz).toEqual({ channel: "yaw_rate", transform: "deg_s_to_rad_s" });
    const proposed = await loadCsvDrive(DS1, { map });
    const builtin = await loadCsvDrive(DS1, { map: f1tenthMap });
    for (const name of ["speed_cmd", "steer_cmd", "yaw_rate", "vert_accel", "speed"]) {
      const a = proposed.channels.find((c) => c.name === name)!;
      const b = builtin.channels.find((c) => c.name === name)!;
      expect(Array.from(a.t), name).toEqual(Array.from(b.t));
      expect(Array.from(a.values), name).toEqual(Array.from(b.values));
    }
  });
});
