// A car log as a logger writes it, made from a canonical CSV (`lam convert <drive> --out x.csv`): epoch
// milliseconds, speed in mph, the steering-wheel angle in degrees (road-wheel angle × the steering ratio), the
// accelerator pedal in %, accelerations in g, the yaw rate in deg/s and a column nothing maps. It stands in for a
// new vehicle's CAN log (README, "Your own vehicle"): `lam map init` must work the units out from the header alone.
// Usage: node scripts/car-csv.mjs canonical.csv out.csv [steering-ratio=15.5]
import { readFileSync, writeFileSync } from "node:fs";

const [src, out, ratioArg] = process.argv.slice(2);
if (!src || !out) throw new Error("usage: node scripts/car-csv.mjs canonical.csv out.csv [steering-ratio]");
const ratio = Number(ratioArg ?? 15.5);
const lines = readFileSync(src, "utf8").trim().split("\n");
const head = lines[0].split(",");
const col = (name) => {
  const i = head.indexOf(name);
  if (i < 0) throw new Error(`${src}: no column "${name}" (it has: ${head.join(", ")})`);
  return i;
};
const deg = 180 / Math.PI;
const g = 9.80665;
const map = [
  ["VehicleSpeed [mph]", col("speed"), (x) => x / 0.44704],
  ["SteeringWheelAngle [deg]", col("steer"), (x) => x * deg * ratio],
  ["AccelPedal [%]", col("throttle"), (x) => x * 100],
  ["LongAccel [g]", col("accel"), (x) => x / g],
  ["LatAccel [g]", col("lat_accel"), (x) => x / g],
  ["phone_gyro_z [deg/s]", col("yaw_rate"), (x) => x * deg],
];
const t = col("t");
const rows = ["Time," + map.map((m) => m[0]).join(",") + ",EngineRPM"];
for (const line of lines.slice(1)) {
  const cells = line.split(",");
  const vals = map.map(([, i, f]) => (cells[i] === "" ? "" : String(Number(f(Number(cells[i])).toPrecision(9)))));
  if (vals.every((v) => v === "")) continue;
  // Epoch milliseconds (the drive's own seconds shifted to 2023), as a logger stamps rows.
  rows.push([((Number(cells[t]) + 1.7e9) * 1000).toFixed(3), ...vals, "2000"].join(","));
}
writeFileSync(out, rows.join("\n") + "\n");
console.log(`${out}: ${rows.length - 1} rows`);
