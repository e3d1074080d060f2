import { describe, expect, it } from "vitest";
import { loadMcapDrive } from "../../bridges/mcap/index.js";
import { loadRosbagDrive } from "../../bridges/rosbag/index.js";
import { RosImporter, mapImu, parseMount, quaternionFromMatrix, quaternionFromRpy, rotate, StaticTransforms } from "../../bridges/ros/index.js";
import type { RosDrive } from "../../bridges/ros/index.js";
import { main } from "../../runtime/main.js";

const HUSKY_MCAP = "../shared/data/husky/test1_ros2.mcap";
const HUSKY_BAG = "../shared/data/husky/test1.bag";
// Found from the recording itself (not from a mount file, which the bag lacks): the gyro's y axis follows the
// odometry's yaw rate (r = 0.83), the gravity-free -z axis the odometry's speed change, -x its v·ω.
const HUSKY_MOUNT = "90deg,0,-90deg";

const ch = (d: RosDrive, name: string) => {
  const c = d.channels.find((x) => x.name === name);
  if (!c) throw new Error(`no ${name} in ${d.channels.map((x) => x.name).join(", ")}`);
  return c;
};
const mean = (v: ArrayLike<number>) => Array.from(v).reduce((s, x) => s + x, 0) / v.length;

/** Value of channel `c` at time t (last sample at or before t). */
function at(c: { t: Float64Array; values: Float64Array }, t: number): number {
  let lo = 0;
  let hi = c.t.length - 1;
  while (hi - lo > 1) {
    const m = (lo + hi) >> 1;
    if (c.t[m] <= t) lo = m;
    else hi = m;
  }
  return c.values[lo];
}

function corr(a: number[], b: number[]): number {
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** IMU channel smoothed over ±0.5 s at each odometry stamp, against an odometry-derived series. */
function against(d: RosDrive, imuName: string, odomOf: (t: number) => number): number {
  const imu = ch(d, imuName);
  const speed = ch(d, "speed");
  const a: number[] = [];
  const b: number[] = [];
  let j0 = 0;
  for (let i = 5; i < speed.t.length - 5; i++) {
    const t = speed.t[i];
    while (imu.t[j0] < t - 0.5) j0++;
    let s = 0, n = 0;
    for (let j = j0; j < imu.t.length && imu.t[j] <= t + 0.5; j++, n++) s += imu.values[j];
    if (n === 0) continue;
    a.push(s / n);
    b.push(odomOf(t));
  }
  return corr(a, b);
}

describe("IMU mounting and gravity (Husky: imu_link has y up, no /tf_static in the recording)", () => {
  it("parses --imu-mount as roll,pitch,yaw (rad or deg) or a quaternion, naming a bad value", () => {
    const q = parseMount(HUSKY_MOUNT);
    const m = quaternionFromMatrix([[0, 0, -1], [-1, 0, 0], [0, 1, 0]]);
    const sign = Math.sign(q.w) === Math.sign(m.w) ? 1 : -1;
    for (const k of ["x", "y", "z", "w"] as const) expect(q[k]).toBeCloseTo(sign * m[k], 12);
    expect(parseMount("0,0,1.5707963267948966")).toEqual(quaternionFromRpy(0, 0, Math.PI / 2));
    expect(parseMount("0,0,2,0")).toEqual({ x: 0, y: 0, z: 1, w: 0 });
    expect(() => parseMount("1,x,3")).toThrow('"x" is not a number');
    expect(() => parseMount("1,2")).toThrow("2 numbers");
    expect(() => parseMount("0,0,0,0")).toThrow("zero");
  });

  it("removes gravity from accel and lat_accel with the IMU's orientation (the recording gave lat_accel ≈ 9.8 m/s² at < 1 m/s)", async () => {
    for (const d of [await loadMcapDrive(HUSKY_MCAP), await loadRosbagDrive(HUSKY_BAG)]) {
      expect(Math.max(...Array.from(ch(d, "speed").values))).toBeLessThan(1.1);
      expect(Math.abs(mean(ch(d, "lat_accel").values))).toBeLessThan(0.2);
      expect(Math.abs(mean(ch(d, "accel").values))).toBeLessThan(0.2);
    }
  });

  it("with --imu-mount the axes are the vehicle's: yaw rate, longitudinal and lateral acceleration follow the odometry", async () => {
    const d = await loadMcapDrive(HUSKY_MCAP, { imuMount: parseMount(HUSKY_MOUNT) });
    const speed = ch(d, "speed");
    const odomYaw = ch(d, "yaw_rate@odom");
    expect(against(d, "yaw_rate", (t) => at(odomYaw, t))).toBeGreaterThan(0.8);
    expect(against(d, "accel", (t) => at(speed, t + 0.5) - at(speed, t - 0.5))).toBeGreaterThan(0.3);
    expect(against(d, "lat_accel", (t) => at(speed, t) * at(odomYaw, t))).toBeGreaterThan(0.3);
    expect(Math.abs(mean(ch(d, "lat_accel").values))).toBeLessThan(0.2);
    // vert_accel is specific force by definition: gravity stays, now on the vehicle's z.
    expect(mean(ch(d, "vert_accel").values)).toBeCloseTo(9.79, 1);
  });

  it("reads the mount from /tf_static (chained through an intermediate frame) when no --imu-mount is given", () => {
    const q = quaternionFromMatrix([[0, 0, -1], [-1, 0, 0], [0, 1, 0]]);
    const tf = new StaticTransforms();
    const t = (parent: string, child: string, r: { x: number; y: number; z: number; w: number }) => ({
      header: { stamp: { sec: 0, nanosec: 0 }, frame_id: parent },
      child_frame_id: child,
      transform: { translation: { x: 0, y: 0, z: 0 }, rotation: r },
    });
    // Identity chain through "mast": mountOf composes parent rotations.
    expect(tf.add({ transforms: [t("base_link", "mast", { x: 0, y: 0, z: 0, w: 1 }), t("/mast", "imu_link", q)] })).toEqual([]);
    const m = tf.mountOf("imu_link")!;
    expect(rotate(m, [0, 9.8, 0]).map((x) => Math.round(x * 1e9) / 1e9)).toEqual([0, 0, 9.8]);
    expect(tf.add({ transforms: [t("base_link", "bad", { x: 0, y: 0, z: 0, w: 2 })] })[0]).toContain("norm 2.0000");
    expect(tf.mountOf("nowhere")).toBeUndefined();

    const importer = new RosImporter();
    importer.topic("/tf_static", "tf2_msgs/msg/TFMessage");
    importer.topic("/imu", "sensor_msgs/msg/Imu");
    const imu = (sec: number) => ({
      header: { stamp: { sec, nanosec: 0 }, frame_id: "imu_link" },
      orientation: { x: 0, y: 0, z: 0, w: 1 },
      orientation_covariance: [-1, 0, 0, 0, 0, 0, 0, 0, 0],
      angular_velocity: { x: 0, y: 0.5, z: 0 },
      angular_velocity_covariance: new Array(9).fill(0),
      linear_acceleration: { x: 0, y: 9.8, z: -1 },
      linear_acceleration_covariance: new Array(9).fill(0),
    });
    for (const [topic, msg] of [["/tf_static", { transforms: [t("base_link", "imu_link", q)] }], ["/imu", imu(1)], ["/imu", imu(2)]] as const) {
      expect(importer.take(topic)).toBe(true);
      importer.message(topic, 0, msg, () => topic);
    }
    const d = importer.finish({ name: "x", path: "x", format: "mcap" });
    expect(Array.from(ch(d, "yaw_rate").values)).toEqual([0.5, 0.5].map((v) => expect.closeTo(v, 12)) as unknown as number[]);
    expect(ch(d, "accel").values[0]).toBeCloseTo(1, 12);
    expect(ch(d, "vert_accel").values[0]).toBeCloseTo(9.8, 12);
    expect(d.issues).toEqual([]);
  });

  it("an IMU without an orientation keeps its specific force (no gravity guessed)", () => {
    const msg = {
      header: { stamp: { sec: 1, nanosec: 0 }, frame_id: "imu" },
      orientation: { x: 0, y: 0, z: 0, w: 0 },
      orientation_covariance: new Array(9).fill(0),
      angular_velocity: { x: 0, y: 0, z: 0 },
      linear_acceleration: { x: 0.5, y: 9.8, z: 0 },
    };
    const v = Object.fromEntries(mapImu(msg, 0).samples.map((s) => [s.channel, s.value]));
    expect(v.lat_accel).toBe(9.8);
    const level = mapImu({ ...msg, orientation: { x: 0, y: 0, z: 0, w: 1 }, linear_acceleration: { x: 0.5, y: 0.2, z: 9.8 } }, 0);
    const lv = Object.fromEntries(level.samples.map((s) => [s.channel, s.value]));
    expect([lv.accel, lv.lat_accel, lv.vert_accel]).toEqual([0.5, 0.2, 9.8].map((x) => expect.closeTo(x, 9)) as unknown as number[]);
    expect(mapImu({ ...msg, orientation: { x: 0, y: 0, z: 0, w: 1 } }, 0, { gravity: "keep" }).samples.find((s) => s.channel === "lat_accel")?.value).toBe(9.8);
  });

  it("lam inspect --imu-mount reads the Husky bag in the vehicle frame; a bad mount is a usage error", async () => {
    let out = "";
    let err = "";
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
    expect(await main(["inspect", HUSKY_BAG, "--json", "--imu-mount", HUSKY_MOUNT], io)).toBe(0);
    const summary = JSON.parse(out) as { channels: { name: string; min: number; max: number }[] };
    const vert = summary.channels.find((c) => c.name === "vert_accel")!;
    expect(vert.min).toBeGreaterThan(2);
    expect(await main(["inspect", HUSKY_BAG, "--imu-mount", "1,2"], io)).toBe(2);
    expect(err).toContain("--imu-mount 1,2");
  });
});
