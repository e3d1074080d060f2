import { parseArgs } from "node:util";
import { loadDrive } from "../../bridges/drive.js";
import { frameChannel, isKnownChannel } from "../../perception/channels.js";
import { summariseDrive, type DriveSummary } from "../../perception/drive-summary.js";
import { framesFromDrive } from "../../perception/frames-from-drive.js";
import { Validity, type Drive, type FrameSpec } from "../../perception/types.js";
import { UsageError, type CliIO } from "../io.js";
import { imuMountOption } from "../imu-mount.js";

const USAGE = "usage: lam inspect <drive> [--json] [--rate HZ] [--map NAME|FILE] [--imu-mount R,P,Y|X,Y,Z,W]";

export interface FrameStats {
  readonly rate_hz: number;
  readonly frames: number;
  /** Per channel: share of frames Fresh, Held, Missing; and NaN found in a channel marked valid (must be 0). */
  readonly channels: Record<string, { fresh: number; held: number; missing: number; nan_in_valid: number }>;
}

/** Resamples every canonical channel of the drive to `rate` and counts validity per channel. */
export function frameStats(drive: Drive, rate: number): { stats: FrameStats; rejected: ReturnType<typeof framesFromDrive>["rejected"] } {
  const spec: FrameSpec = { rate, channels: drive.channels.filter((c) => isKnownChannel(c.name)).map((c) => frameChannel(c.name)) };
  const { frames, rejected } = framesFromDrive(drive, spec);
  const channels: FrameStats["channels"] = {};
  spec.channels.forEach((c, i) => {
    let fresh = 0;
    let held = 0;
    let missing = 0;
    let nan = 0;
    for (const f of frames) {
      const v = f.valid[i];
      if (v === Validity.Missing) missing++;
      else {
        if (v === Validity.Fresh) fresh++;
        else held++;
        if (!Number.isFinite(f.values[i])) nan++;
      }
    }
    const n = Math.max(1, frames.length);
    channels[c.name] = { fresh: round(fresh / n), held: round(held / n), missing: round(missing / n), nan_in_valid: nan };
  });
  return { stats: { rate_hz: rate, frames: frames.length, channels }, rejected };
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

function fmt(x: number | null, digits = 3): string {
  if (x === null) return "-";
  const a = Math.abs(x);
  return a !== 0 && (a >= 1e5 || a < 1e-3) ? x.toExponential(2) : x.toFixed(digits);
}

function table(summary: DriveSummary, stats: FrameStats): string {
  const head = ["channel", "unit", "samples", "rate Hz", "gaps", "min", "max", "valid@" + stats.rate_hz + "Hz", "rejected"];
  const rows = summary.channels.map((c) => {
    const fs = stats.channels[c.name];
    const rej = Object.entries(c.rejected)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
    return [c.name, c.unit, String(c.samples), fmt(c.rate_hz, 1), String(c.gaps), fmt(c.min), fmt(c.max), fs ? `${(100 * (1 - fs.missing)).toFixed(1)}%` : "-", rej || "-"];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((x, i) => (i < 2 || i === r.length - 1 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join("  ");
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export default async function inspect(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: "boolean" }, rate: { type: "string", default: "20" }, map: { type: "string" }, "imu-mount": { type: "string" }, help: { type: "boolean" } },
  });
  if (values.help) {
    io.stdout.write(USAGE + "\n");
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one drive (got ${positionals.length})\n${USAGE}`);
  const rate = Number(values.rate);
  if (!(rate > 0 && rate <= 1000)) throw new UsageError(`--rate ${values.rate}: expected a rate in Hz, 0 < rate <= 1000`);
  const path = positionals[0];
  const drive = await loadDrive(path, { ...(values.map ? { map: values.map } : {}), ...imuMountOption(values["imu-mount"]) });
  const { stats, rejected } = frameStats(drive, rate);
  const summary = summariseDrive(drive, rejected);
  if (values.json) {
    io.stdout.write(JSON.stringify({ drive: path, ...summary, frames: stats, issues: drive.issues.slice(0, 20) }) + "\n");
    return 0;
  }
  io.stdout.write(`${path}  (${summary.format}, ${summary.span_s.toFixed(1)} s, ${summary.channels.length} channels, ${stats.frames} frames at ${rate} Hz)\n\n`);
  io.stdout.write(table(summary, stats) + "\n");
  const breaks = summary.time_breaks;
  if (breaks.length || summary.implausible_t) {
    io.stdout.write(`\ntime is broken: frames are not built across a break, and a replay over one fails\n`);
    if (summary.implausible_t) io.stdout.write(`  ${summary.implausible_t} sample(s) stamped beyond any plausible clock (|t| > 1e10 s): rejected as "clock"\n`);
    for (const b of breaks) io.stdout.write(`  no sample for ${fmt(b.gap_s, 1)} s: from t=${b.from} to t=${b.to}\n`);
  }
  if (drive.issues.length) {
    io.stdout.write(`\nissues (first ${Math.min(10, drive.issues.length)} of ${drive.issues.length} recorded):\n`);
    for (const i of drive.issues.slice(0, 10)) io.stdout.write(`  ${i.message.startsWith(i.where) ? i.message : `${i.where}: ${i.message}`}\n`);
  }
  return 0;
}
