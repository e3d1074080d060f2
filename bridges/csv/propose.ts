import { isKnownChannel } from "../../perception/channels.js";
import { parseCell } from "./cell.js";
import type { ColumnMap, ColumnTarget, DerivedChannel, FileMap, TimeSpec, Transform } from "./column-map.js";

/**
 * `lam map init`: a column map proposed from CSV headers (and the first rows, where a name states no
 * unit), for a person to check and edit. Pure: the caller reads the files.
 */

/** One CSV file as seen by the proposer. */
export interface CsvSample {
  /** The file's name as the map will give it (`files[i].file`). */
  readonly file: string;
  readonly header: readonly string[];
  /** The first data rows, fields as text: units a name does not state are told from magnitudes. */
  readonly rows: readonly (readonly string[])[];
}

export interface ProposeOptions {
  /** Map name (default: the first file's stem). */
  readonly name?: string;
  /** Steering-wheel angle ÷ road-wheel angle for steering-wheel columns (default 15: edit for your car). */
  readonly steerRatio?: number;
  /** Write `file` on every entry (a folder's files); a single file's entry is left unnamed by default. */
  readonly nameFiles?: boolean;
}

/** What was decided for one column, and on what assumption: printed for the person to check. */
export interface ColumnNote {
  readonly file: string;
  readonly column: string;
  /** Channels the column feeds; empty when it was left out. */
  readonly channels: readonly string[];
  readonly note: string;
}

export interface MapProposal {
  readonly map: ColumnMap;
  readonly notes: readonly ColumnNote[];
}

export const DEFAULT_STEER_RATIO = 15;

type Unit = "mph" | "kph" | "mps" | "ms" | "g" | "mps2" | "deg" | "rad" | "deg_s" | "rad_s" | "pct" | "s" | "us" | "ns" | "m";
type Axis = "x" | "y" | "z";

const UNITS: Readonly<Record<string, Unit>> = {
  mph: "mph",
  kph: "kph", kmh: "kph", km_h: "kph", kmph: "kph", kmhr: "kph", km_hr: "kph",
  mps: "mps", m_s: "mps", ms: "ms",
  g: "g", gs: "g",
  mps2: "mps2", m_s2: "mps2", m_s_2: "mps2", ms2: "mps2", m_ss: "mps2", mss: "mps2",
  deg: "deg", degs: "deg", degree: "deg", degrees: "deg",
  rad: "rad", radian: "rad", radians: "rad",
  deg_s: "deg_s", dps: "deg_s", degps: "deg_s", deg_sec: "deg_s", deg_per_s: "deg_s", deg_per_sec: "deg_s",
  rad_s: "rad_s", rads: "rad_s", radps: "rad_s", rad_sec: "rad_s", rad_per_s: "rad_s", rad_per_sec: "rad_s",
  pct: "pct", percent: "pct", perc: "pct",
  s: "s", sec: "s", secs: "s", second: "s", seconds: "s",
  msec: "ms", millis: "ms", millisecond: "ms", milliseconds: "ms",
  us: "us", usec: "us", micros: "us", microsecond: "us", microseconds: "us",
  ns: "ns", nsec: "ns", nanos: "ns", nanosec: "ns", nanosecond: "ns", nanoseconds: "ns",
  m: "m", meter: "m", meters: "m", metre: "m", metres: "m",
};

const TIME_WORDS = new Set(["t", "time", "timestamp", "ts", "stamp", "epoch", "unix", "utc", "boot", "log", "logtime", "sec", "secs", "seconds", "rel", "relative", "elapsed"]);
const COMMAND_WORDS = new Set(["cmd", "command", "commanded", "target", "setpoint", "desired", "request", "req", "demand", "ref", "reference"]);
const QUAT_PREFIX = /^(q|quat|quaternion|orientation|orient|ori|rot|rotation|pose_orientation|imu_orientation)$/;

/** A header name split into lower-case word tokens and the unit it states, if any. */
export interface ColumnName {
  readonly raw: string;
  readonly tokens: readonly string[];
  readonly unit: Unit | undefined;
}

/** "Speed [mph]", "vehicle_speed_kph", "SteeringWheelAngle (°)", "accel_x_m/s^2" → tokens + unit. */
export function splitColumnName(raw: string): ColumnName {
  let name = raw.trim();
  let unit: Unit | undefined;
  const bracket = /^(.*?)\s*[[(]\s*([^\])]*?)\s*[\])]\s*$/.exec(name);
  if (bracket) {
    unit = UNITS[unitKey(bracket[2])];
    if (unit !== undefined || bracket[1] !== "") name = bracket[1];
  }
  const tokens = name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/%/g, "_pct")
    .replace(/°\s*\/\s*s/g, "_deg_s")
    .replace(/°/g, "_deg")
    .replace(/²/g, "2")
    .replace(/\^/g, "")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t !== "");
  if (unit === undefined) {
    // A unit as the name's last 1-3 words ("speed_km_h", "yaw_rate_deg_s"), never the whole name.
    for (const n of [3, 2, 1]) {
      if (tokens.length <= n) continue;
      const u = UNITS[tokens.slice(-n).join("_")];
      if (u !== undefined) {
        unit = u;
        tokens.splice(tokens.length - n, n);
        break;
      }
    }
  }
  return { raw, tokens, unit };
}

function unitKey(text: string): string {
  return text
    .toLowerCase()
    .replace(/°/g, "deg")
    .replace(/²/g, "2")
    .replace(/[\^*·\s]/g, "")
    .replace(/%/g, "pct")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");
}

/** Numbers of one column in the sampled rows. */
interface ColumnStats {
  readonly values: readonly number[];
  readonly maxAbs: number;
  readonly medianAbs: number;
}

function stats(rows: readonly (readonly string[])[], i: number): ColumnStats {
  const values: number[] = [];
  for (const r of rows) {
    const x = r[i] === undefined ? undefined : parseCell(r[i]);
    if (x !== undefined && Number.isFinite(x)) values.push(x);
  }
  const abs = values.map(Math.abs).sort((a, b) => a - b);
  return { values, maxAbs: abs.length ? abs[abs.length - 1] : NaN, medianAbs: abs.length ? abs[abs.length >> 1] : NaN };
}

/** What a column measures, before units and names are settled. */
type Kind =
  | { readonly q: "canonical"; readonly channel: string }
  | { readonly q: "speed"; readonly gnss?: boolean; readonly wheel?: boolean }
  | { readonly q: "steer"; readonly roadWheel: boolean; readonly rate: boolean }
  | { readonly q: "rate"; readonly axis: Axis; readonly sign: 1 | -1 }
  | { readonly q: "accel"; readonly axis: Axis; readonly sign: 1 | -1 }
  | { readonly q: "throttle" | "brake" | "gear" | "cruise" | "lat" | "lon" | "alt" }
  | { readonly q: "heading"; readonly bearing: boolean }
  | { readonly q: "position"; readonly axis: "x" | "y" }
  | { readonly q: "skip"; readonly why: string };

const has = (tokens: readonly string[], ...words: string[]) => words.some((w) => tokens.includes(w));

/** Axis and sign from direction words: forward/x, left/y (+), right (−), up/z (+), down (−). */
function axisOf(tokens: readonly string[]): { axis: Axis; sign: 1 | -1 } | undefined {
  if (has(tokens, "x", "fwd", "forward", "long", "longitudinal", "lon", "roll")) return { axis: "x", sign: 1 };
  if (has(tokens, "right")) return { axis: "y", sign: -1 };
  if (has(tokens, "y", "lat", "lateral", "left", "pitch", "side")) return { axis: "y", sign: 1 };
  if (has(tokens, "down")) return { axis: "z", sign: -1 };
  if (has(tokens, "z", "up", "vert", "vertical", "yaw")) return { axis: "z", sign: 1 };
  return undefined;
}

/** What a file holds by its name ("Gyroscope.csv", "accelerometer.csv"): bare x/y/z columns are then its axes. */
export type FileHint = "gyro" | "accel" | undefined;

export function fileHint(file: string): FileHint {
  if (/gyro|rotation/i.test(file)) return "gyro";
  if (/acc(el|elerometer|eleration)?[^a-z]|acc(el|elerometer|eleration)$|acceleration/i.test(file.replace(/\.[^.]*$/, ""))) return "accel";
  return undefined;
}

function classify(name: ColumnName, hint: FileHint = undefined): Kind {
  const t = name.tokens;
  const raw = name.raw.trim();
  if (raw === "") return { q: "skip", why: "unnamed index column" };
  if (hint && t.length === 1 && (t[0] === "x" || t[0] === "y" || t[0] === "z")) {
    return { q: hint === "gyro" ? "rate" : "accel", axis: t[0], sign: 1 };
  }
  if (isKnownChannel(raw) && !raw.endsWith("@")) return { q: "canonical", channel: raw };
  // Glued axis names: ax/ay/az, acc_x, wx/gz/gyro_z, yawrate, vx.
  for (const w of t) {
    const a = /^(a|acc|accel|accl)([xyz])$/.exec(w);
    if (a) return { q: "accel", axis: a[2] as Axis, sign: 1 };
    const g = /^(w|g|gyr|gyro|omega)([xyz])$/.exec(w);
    if (g) return { q: "rate", axis: g[2] as Axis, sign: 1 };
    if (w === "yawrate") return { q: "rate", axis: "z", sign: 1 };
  }
  const rateUnit = name.unit === "deg_s" || name.unit === "rad_s";
  if (has(t, "steer", "steering", "swa", "sas", "delta", "steerangle", "steeringangle", "steeringwheelangle")) {
    if (has(t, "torque", "pressure", "current", "status", "mode", "active", "fault", "req")) return { q: "skip", why: "steering torque/status is no canonical channel" };
    const roadWheel = has(t, "road", "tire", "tyre", "delta", "front") || (has(t, "wheel") && has(t, "road"));
    return { q: "steer", roadWheel, rate: rateUnit || has(t, "rate", "speed", "velocity", "vel") };
  }
  if (has(t, "brake", "brk")) {
    return has(t, "pressure", "temp", "temperature", "torque", "light", "lamp", "switch2") ? { q: "skip", why: "brake pressure/temperature is no 0..1 pedal" } : { q: "brake" };
  }
  if (has(t, "throttle", "gas", "accelerator", "pedal", "app")) {
    return has(t, "clutch") ? { q: "skip", why: "clutch is no canonical channel" } : { q: "throttle" };
  }
  if (has(t, "gear") && !has(t, "ratio", "temp")) return { q: "gear" };
  if (has(t, "cruise", "acc") && has(t, "active", "engaged", "on", "enabled", "enable", "engage")) return { q: "cruise" };
  if (has(t, "acc", "accel", "acceleration", "accl", "accelerometer") || ((name.unit === "g" || name.unit === "mps2") && axisOf(t))) {
    const ax = axisOf(t);
    return ax ? { q: "accel", ...ax } : { q: "accel", axis: "x", sign: 1 };
  }
  const rotation = has(t, "yaw", "roll", "pitch");
  const turning = has(t, "rotation", "turn") && has(t, "rate", "x", "y", "z");
  if (has(t, "gyro", "gyr", "omega", "angular") || turning || (rotation && (rateUnit || has(t, "rate", "speed", "vel", "velocity")))) {
    if (has(t, "turn") && !axisOf(t)) return { q: "rate", axis: "z", sign: 1 };
    const ax = axisOf(t);
    return ax ? { q: "rate", ...ax } : { q: "skip", why: "angular rate without an axis (x/y/z, roll/pitch/yaw)" };
  }
  if (has(t, "speed", "velocity", "vel", "spd", "v", "vx", "groundspeed", "velocity_x")) {
    if (has(t, "rpm", "engine", "wind", "sound", "fan", "vy", "vz", "battery", "batt", "volt", "voltage")) return { q: "skip", why: "not the vehicle's speed" };
    const ax = axisOf(t);
    if (ax && ax.axis !== "x") return { q: "skip", why: "lateral/vertical velocity is no canonical channel" };
    if (has(t, "gps", "gnss", "ublox", "nmea", "sog")) return { q: "speed", gnss: true };
    if (has(t, "wheel", "whl", "fl", "fr", "rl", "rr")) return { q: "speed", wheel: true };
    return { q: "speed" };
  }
  if (name.unit === "mps" || name.unit === "mph" || name.unit === "kph") {
    if (has(t, "wheel", "whl", "fl", "fr", "rl", "rr")) return { q: "speed", wheel: true };
  }
  if (has(t, "lat", "latitude")) return { q: "lat" };
  if (has(t, "lon", "lng", "long", "longitude")) return { q: "lon" };
  if (has(t, "alt", "altitude", "elevation")) return { q: "alt" };
  if (has(t, "bearing", "course", "azimuth", "cog")) return { q: "heading", bearing: true };
  if (has(t, "heading", "hdg") || (t.length === 1 && t[0] === "yaw")) return { q: "heading", bearing: false };
  if ((t.length === 1 && (t[0] === "x" || t[0] === "y")) || (has(t, "pos", "position", "utm") && has(t, "x", "y"))) {
    return { q: "position", axis: has(t, "x") ? "x" : "y" };
  }
  if (has(t, "east", "easting")) return { q: "position", axis: "x" };
  if (has(t, "north", "northing")) return { q: "position", axis: "y" };
  return { q: "skip", why: "not recognised" };
}

/** One channel a column would feed, with its transforms and the note explaining them. */
interface Planned {
  readonly base: string;
  readonly transform: Transform[];
  readonly note: string;
  /** Prefer this qualifier when the bare name is taken. */
  readonly qualifier?: string;
  /**
   * A measured signal standing in for an action nobody logged (steering angle for steer_cmd, longitudinal
   * acceleration for accel_cmd): kept only when no such command is logged and no other column took it.
   */
  readonly proxy?: boolean;
}

interface FileContext {
  readonly file: string;
  readonly command: boolean;
  /** Accelerations in g: told from a vertical axis reading ~1 (g) or ~9.8 (m/s²), when the names do not say. */
  readonly accelInG: boolean | undefined;
  readonly steerRatio: number;
}

function plan(kind: Kind, name: ColumnName, s: ColumnStats, ctx: FileContext): Planned[] | string {
  const cmd = ctx.command || has(name.tokens, ...COMMAND_WORDS);
  const qual = name.tokens.join("_") || "col";
  const sign = (k: { sign: 1 | -1 }, tr: Transform[]) => (k.sign < 0 ? [...tr, "negate" as const] : tr);
  switch (kind.q) {
    case "skip":
      return kind.why;
    case "canonical":
      return [{ base: kind.channel, transform: [], note: "canonical channel name: read as is, in SI units" }];
    case "speed": {
      const [tr, how] = speedUnit(name.unit);
      if (kind.gnss) return [{ base: "gnss_speed", transform: tr, note: how }];
      if (kind.wheel) return [{ base: "speed", transform: tr, note: `wheel speed, ${how}`, qualifier: qual }];
      return [{ base: cmd ? "speed_cmd" : "speed", transform: tr, note: how }];
    }
    case "steer": {
      const rate = kind.rate;
      let unit = name.unit;
      let how: string;
      if (unit === "deg" || unit === "deg_s") how = rate ? "deg/s → rad/s" : "deg → rad";
      else if (unit === "rad" || unit === "rad_s") how = rate ? "rad/s" : "rad";
      else if (kind.roadWheel && !(s.maxAbs > 1.3)) {
        unit = rate ? "rad_s" : "rad";
        how = `no unit in the name: read as ${rate ? "rad/s" : "rad"} (largest value ${fmt(s.maxAbs)})`;
      } else {
        unit = rate ? "deg_s" : "deg";
        how = `no unit in the name: read as ${rate ? "deg/s" : "deg"}${Number.isFinite(s.maxAbs) ? ` (largest value ${fmt(s.maxAbs)})` : ""}`;
      }
      const tr: Transform[] = unit === "deg" ? ["deg_to_rad"] : unit === "deg_s" ? ["deg_s_to_rad_s"] : [];
      if (!kind.roadWheel) {
        tr.push({ scale: 1 / ctx.steerRatio });
        how += `, steering-wheel → road-wheel angle ÷ steering ratio ${ctx.steerRatio} (set your vehicle's: --steer-ratio)`;
      }
      if (rate) return [{ base: "steer_rate", transform: tr, note: how }];
      if (cmd) return [{ base: "steer_cmd", transform: tr, note: how }];
      return [
        { base: "steer", transform: tr, note: how },
        { base: "steer_cmd", transform: [...tr], note: "also steer_cmd: the person's steering is the action when no steering command is logged", proxy: true },
      ];
    }
    case "rate": {
      const base = kind.axis === "z" ? (cmd ? "yaw_rate_cmd" : "yaw_rate") : kind.axis === "x" ? "roll_rate" : "pitch_rate";
      let tr: Transform[];
      let how: string;
      if (name.unit === "deg_s" || name.unit === "deg") [tr, how] = [["deg_s_to_rad_s"], "deg/s → rad/s"];
      else if (name.unit === "rad_s" || name.unit === "rad") [tr, how] = [[], "rad/s"];
      else if (s.maxAbs > 6.5) [tr, how] = [["deg_s_to_rad_s"], `no unit in the name: read as deg/s (largest value ${fmt(s.maxAbs)} is too fast for rad/s)`];
      else [tr, how] = [[], `no unit in the name: read as rad/s (largest value ${fmt(s.maxAbs)})`];
      if (kind.sign < 0) how += ", negated (the axis points the other way)";
      const about = kind.axis === "z" ? "+ = turning left (counter-clockwise seen from above)" : "right-hand rule about x forward, y left, z up";
      return [{ base, transform: sign(kind, tr), note: `${how}; check the sign: ${about}` }];
    }
    case "accel": {
      const base = kind.axis === "x" ? (cmd ? "accel_cmd" : "accel") : kind.axis === "y" ? "lat_accel" : "vert_accel";
      let tr: Transform[];
      let how: string;
      if (name.unit === "g") [tr, how] = [["g_to_mps2"], "g → m/s²"];
      else if (name.unit === "mps2") [tr, how] = [[], "m/s²"];
      else if (ctx.accelInG === true) [tr, how] = [["g_to_mps2"], "no unit in the name: read as g (the vertical axis reads about 1)"];
      else if (ctx.accelInG === false) [tr, how] = [[], "no unit in the name: read as m/s² (the vertical axis reads about 9.8)"];
      else [tr, how] = [[], "no unit in the name: read as m/s²"];
      if (kind.sign < 0) how += ", negated (the axis points the other way)";
      const axis = kind.axis === "x" ? "+ = speeding up" : kind.axis === "y" ? "+ = to the left" : "+ = up, gravity included";
      const out: Planned[] = [{ base, transform: sign(kind, tr), note: `${how}; check the sign: ${axis}` }];
      if (base === "accel") {
        out.push({
          base: "accel_cmd",
          transform: sign(kind, tr),
          note: "also accel_cmd: the person's pedals as the acceleration they produced, when no acceleration command is logged (the car model predicts steer_cmd + accel_cmd)",
          proxy: true,
        });
      }
      return out;
    }
    case "throttle":
    case "brake": {
      const pct = name.unit === "pct" || s.maxAbs > 1.5;
      const how = name.unit === "pct" ? "% → 0..1" : pct ? `no unit in the name: read as % (largest value ${fmt(s.maxAbs)})` : "0..1";
      return [{ base: kind.q, transform: pct ? ["percent_to_unit"] : [], note: `${how}; a driver input: the outlier filter leaves its steps alone` }];
    }
    case "gear":
      return [{ base: "gear", transform: [], note: "gear as logged (-1 reverse, 0 neutral/park, 1.. forward): check your log's coding" }];
    case "cruise":
      return [{ base: "cruise_active", transform: [], note: "0/1" }];
    case "lat":
    case "lon":
      return [{ base: kind.q, transform: [], note: "degrees" }];
    case "alt":
      return [{ base: "alt", transform: [], note: "metres" }];
    case "heading":
      if (kind.bearing) return [{ base: "heading", transform: ["bearing_deg_to_heading"], note: "compass bearing (deg, clockwise from north) → heading (rad, counter-clockwise from east)" }];
      if (name.unit === "rad") return [{ base: "heading", transform: [], note: "rad, counter-clockwise from east assumed" }];
      return [{ base: "heading", transform: ["deg_to_rad"], note: "deg → rad, counter-clockwise from east assumed (a compass heading needs bearing_deg_to_heading)" }];
    case "position":
      return [{ base: kind.axis, transform: [], note: "metres" }];
  }
}

function speedUnit(unit: Unit | undefined): [Transform[], string] {
  switch (unit) {
    case "mph":
      return [["mph_to_mps"], "mph → m/s"];
    case "kph":
      return [["kph_to_mps"], "km/h → m/s"];
    case "mps":
    case "ms":
      return [[], "m/s"];
    default:
      return [[], "no unit in the name: read as m/s"];
  }
}

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 1000) / 1000) : "?";
}

/** The file's time: one column (s/ms/us/ns by name or magnitude) or a ROS-style seconds + nanoseconds pair. */
export function proposeTime(names: readonly ColumnName[], rows: readonly (readonly string[])[]): { spec: TimeSpec; columns: number[]; note: string } | undefined {
  const exact = (i: number, w: string) => names[i].raw.trim().toLowerCase() === w;
  const sPair = names.findIndex((_, i) => exact(i, "s") || exact(i, "sec") || exact(i, "secs") || exact(i, "stamp.sec") || exact(i, "header.stamp.sec"));
  const nsPair = names.findIndex((_, i) => exact(i, "ns") || exact(i, "nsec") || exact(i, "nanosec") || exact(i, "stamp.nanosec") || exact(i, "header.stamp.nanosec") || exact(i, "stamp.nsec"));
  if (sPair >= 0 && nsPair >= 0) {
    return { spec: { s: names[sPair].raw, ns: names[nsPair].raw }, columns: [sPair, nsPair], note: "ROS-style whole seconds + nanoseconds" };
  }
  const timeLike = (n: ColumnName) => (n.tokens.length > 0 ? n.tokens.every((w) => TIME_WORDS.has(w)) : n.unit === "s" || n.unit === "ms");
  // A time column must hold numbers: dates as text ("2024-05-01 12:00:00") are skipped for the next candidate.
  const numeric = (k: number) => rows.length === 0 || stats(rows, k).values.length * 2 >= rows.filter((r) => (r[k] ?? "").trim() !== "").length;
  const i = names.findIndex((n, k) => timeLike(n) && numeric(k));
  if (i < 0) {
    const text = names.findIndex(timeLike);
    if (text >= 0) {
      throw new Error(
        `time column "${names[text].raw}" holds text such as ${JSON.stringify(rows[0]?.[text] ?? "")}, not numbers: lam reads times as numbers (seconds, ms, µs, ns, or epoch); convert it, e.g. to epoch seconds`,
      );
    }
    return undefined;
  }
  const n = names[i];
  const col = n.raw;
  const st = stats(rows, i);
  const first = st.values[0];
  const steps = st.values.slice(1).map((v, k) => v - st.values[k]).filter((d) => d > 0).sort((a, b) => a - b);
  const dt = steps.length ? steps[steps.length >> 1] : NaN;
  let unit: "s" | "ms" | "us" | "ns";
  let how: string;
  if (n.unit === "s" || n.unit === "ms" || n.unit === "us" || n.unit === "ns") {
    unit = n.unit;
    how = `in ${unit} (from the name)`;
  } else if (first > 1e17) [unit, how] = ["ns", "epoch nanoseconds (from the magnitude)"];
  else if (first > 1e14) [unit, how] = ["us", "epoch microseconds (from the magnitude)"];
  else if (first > 1e11) [unit, how] = ["ms", "epoch milliseconds (from the magnitude)"];
  else if (first > 1e8) [unit, how] = ["s", "epoch seconds (from the magnitude)"];
  else if (dt >= 1 && st.values.every(Number.isInteger)) [unit, how] = ["ms", `integer steps of ${fmt(dt)}: read as milliseconds`];
  else [unit, how] = ["s", "read as seconds"];
  const scale = { s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9 }[unit];
  return { spec: scale === 1 ? { column: col } : { column: col, scale }, columns: [i], note: how };
}

/** Four columns prefix.x/.y/.z/.w of an orientation quaternion, by prefix. */
function quaternions(names: readonly ColumnName[]): { prefix: string; cols: Record<"x" | "y" | "z" | "w", number> }[] {
  const groups = new Map<string, Partial<Record<"x" | "y" | "z" | "w", number>>>();
  names.forEach((n, i) => {
    const t = n.tokens;
    if (t.length < 2) return;
    const last = t[t.length - 1];
    const prefix = t.slice(0, -1).join("_");
    if (!["x", "y", "z", "w"].includes(last) || !QUAT_PREFIX.test(prefix)) return;
    const g = groups.get(prefix) ?? {};
    g[last as "x"] = i;
    groups.set(prefix, g);
  });
  return [...groups]
    .filter(([, g]) => g.x !== undefined && g.y !== undefined && g.z !== undefined && g.w !== undefined)
    .map(([prefix, g]) => ({ prefix, cols: g as Record<"x" | "y" | "z" | "w", number> }));
}

/**
 * A column map for `files`, with one note per column. Channels claimed twice are qualified
 * ("speed@wheel_fl"); the first column (in file order) keeps the bare name. Throws naming the file when
 * no time column is found.
 */
export function proposeColumnMap(files: readonly CsvSample[], options: ProposeOptions = {}): MapProposal {
  if (files.length === 0) throw new Error("no CSV file to propose a map from");
  const steerRatio = options.steerRatio ?? DEFAULT_STEER_RATIO;
  if (!(steerRatio > 0 && Number.isFinite(steerRatio))) throw new Error(`steering ratio ${steerRatio}: expected a positive number`);
  const notes: ColumnNote[] = [];
  // Channel → the file that claimed it. A second source is qualified by its column within one file
  // ("accel@pcm_accel_net") and by its file across files ("yaw_rate@odomData").
  const taken = new Map<string, string>();
  const claim = (base: string, qualifier: string | undefined, fileStem: string, column: string): string => {
    const clean = (s: string) => s.replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+|_+$/g, "") || "src";
    const other = taken.get(base);
    const q = qualifier ?? (other === fileStem ? column : fileStem);
    let name = qualifier === undefined && other === undefined ? base : `${base}@${clean(q)}`;
    if (taken.has(name)) name = `${base}@${clean(`${q}_${fileStem}`)}`;
    for (let k = 2; taken.has(name); k++) name = `${base}@${clean(`${q}_${k}`)}`;
    taken.set(name, fileStem);
    return name;
  };
  // A logged steering command anywhere means a measured steering angle is not also the action.
  const parsed = files.map((f) => ({ f, names: f.header.map(splitColumnName), command: /cmd|command/i.test(f.file), hint: fileHint(f.file) }));
  const steerCommandLogged = parsed.some(({ names, command }) =>
    names.some((n) => {
      const k = classify(n);
      return (k.q === "steer" && !k.rate && (command || has(n.tokens, ...COMMAND_WORDS))) || (k.q === "canonical" && k.channel.startsWith("steer_cmd"));
    }),
  );
  const accelCommandLogged = parsed.some(({ names, command }) =>
    names.some((n) => {
      const k = classify(n);
      return (k.q === "accel" && k.axis === "x" && (command || has(n.tokens, ...COMMAND_WORDS))) || (k.q === "canonical" && k.channel.startsWith("accel_cmd"));
    }),
  );
  const commandLogged = (base: string) => (base === "steer_cmd" ? steerCommandLogged : base === "accel_cmd" ? accelCommandLogged : false);
  const entries: FileMap[] = [];
  for (const { f, names, command, hint } of parsed) {
    let time: ReturnType<typeof proposeTime>;
    try {
      time = proposeTime(names, f.rows);
    } catch (e) {
      throw new Error(`${f.file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!time) {
      throw new Error(
        `${f.file}: no time column recognised (looked for t, time, timestamp, stamp, epoch, *_s, *_ms, *_ns, or s + ns); header: ${f.header.map((h) => JSON.stringify(h)).join(", ")}`,
      );
    }
    for (const i of time.columns) notes.push({ file: f.file, column: f.header[i], channels: [], note: `time: ${time.note}` });
    const used = new Set(time.columns);
    const stem = f.file.replace(/\.[^.]*$/, "");
    const derived: DerivedChannel[] = [];
    for (const q of quaternions(names)) {
      const channel = claim("heading", undefined, stem, q.prefix);
      const cols = { x: f.header[q.cols.x], y: f.header[q.cols.y], z: f.header[q.cols.z], w: f.header[q.cols.w] };
      derived.push({ channel, from: "quaternion_yaw", columns: cols });
      for (const i of Object.values(q.cols)) used.add(i);
      notes.push({ file: f.file, column: Object.values(cols).join(","), channels: [channel], note: "orientation quaternion → heading (yaw about +z)" });
    }
    const accelZ = names.findIndex((n) => {
      const k = classify(n, hint);
      return k.q === "accel" && k.axis === "z" && n.unit === undefined;
    });
    const gravity = accelZ >= 0 ? stats(f.rows, accelZ).medianAbs : NaN;
    const ctx: FileContext = {
      file: f.file,
      command,
      steerRatio,
      accelInG: gravity > 0.5 && gravity < 1.5 ? true : gravity > 7 && gravity < 12 ? false : undefined,
    };
    const columns: Record<string, ColumnTarget | ColumnTarget[]> = {};
    names.forEach((n, i) => {
      if (used.has(i)) return;
      const kind = classify(n, hint);
      const planned = plan(kind, n, stats(f.rows, i), ctx);
      if (typeof planned === "string") {
        if (n.raw.trim() !== "" || f.rows.some((r) => r[i] !== undefined && r[i] !== "" && r[i] !== "0")) {
          notes.push({ file: f.file, column: n.raw, channels: [], note: `not mapped: ${planned}` });
        }
        return;
      }
      const keep = planned.filter((p) => !p.proxy || (!command && !commandLogged(p.base) && !taken.has(p.base)));
      const targets = keep.map((p) => {
        const channel = claim(p.base, p.qualifier, stem, n.tokens.join("_"));
        const t: ColumnTarget = p.transform.length === 0 ? { channel } : { channel, transform: p.transform.length === 1 ? p.transform[0] : p.transform };
        return { t, p };
      });
      if (targets.length === 0) return;
      if (n.raw in columns) {
        notes.push({ file: f.file, column: n.raw, channels: [], note: "not mapped: the header names this column twice" });
        targets.forEach(({ t }) => taken.delete(t.channel));
        return;
      }
      columns[n.raw] = targets.length === 1 ? targets[0].t : targets.map((x) => x.t);
      notes.push({ file: f.file, column: n.raw, channels: targets.map((x) => x.t.channel), note: targets.map((x) => x.p.note).join("; ") });
    });
    const entry: FileMap = {
      ...(options.nameFiles || files.length > 1 ? { file: f.file } : {}),
      time: time.spec,
      columns,
      ...(derived.length ? { derived } : {}),
    };
    entries.push(entry);
  }
  const name = options.name ?? files[0].file.replace(/\.[^.]*$/, "");
  const map: ColumnMap = {
    name,
    description: `proposed by lam map init from ${files.map((f) => f.file).join(", ")}: check units, signs and the steering ratio before use`,
    files: entries,
  };
  return { map, notes };
}
