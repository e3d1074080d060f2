// Perception throughput on the real drives: validate -> reorder -> outliers -> sync at 20 Hz, the
// batch path (framesFromDrive) against the RxJS operators on a VirtualTimeScheduler (framesOnVirtualTime),
// measured in the same run. Prints a table; never passes or fails on time.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { loadDrive } from "../bridges/drive.js";
import { driveSize, frameChannel, framesFromDrive, framesOnVirtualTime, type Drive, type FrameSpec } from "../perception/index.js";

export interface PerceptionBenchRow {
  readonly drive: string;
  readonly samples: number;
  readonly frames: number;
  readonly batch_samples_per_s: number;
  readonly rxjs_samples_per_s: number;
  /** batch throughput / RxJS throughput. */
  readonly ratio: number;
  /** Whether both paths produced the same frames (they must). */
  readonly identical: boolean;
}

/** ../shared/data beside the package root, found from this file (bench/ in the source tree, dist/bench/ once built). */
export function defaultDataDir(from = fileURLToPath(import.meta.url)): string {
  for (let dir = path.dirname(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return path.resolve(dir, "../shared/data");
    if (path.dirname(dir) === dir) return path.resolve(path.dirname(from), "../../shared/data");
  }
}

/** The real drives, relative to the data folder (../shared/data by default). */
export const BENCH_DRIVES: readonly string[] = ["comma2k19-rav4", "f1tenth/DS1", "husky/test1_ros2.mcap", "husky/test1.bag"];

/** Every channel of the drive at `rate` Hz with the registry's resampling and staleness. */
export function fullSpec(drive: Drive, rate = 20): FrameSpec {
  return { rate, channels: drive.channels.map((c) => frameChannel(c.name)) };
}

/** Best-of timings (ms) of two functions, interleaved so both see the same machine load. */
function bestOf<A, B>(runs: number, a: () => A, b: () => B): { aMs: number; bMs: number; a: A; b: B } {
  let aMs = Infinity;
  let bMs = Infinity;
  let ra!: A;
  let rb!: B;
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    ra = a();
    aMs = Math.min(aMs, performance.now() - t);
    t = performance.now();
    rb = b();
    bMs = Math.min(bMs, performance.now() - t);
  }
  return { aMs, bMs, a: ra, b: rb };
}

export async function benchPerception(options: { runs?: number; drives?: readonly string[]; dataDir?: string } = {}): Promise<PerceptionBenchRow[]> {
  const dataDir = options.dataDir ?? defaultDataDir();
  const runs = options.runs ?? 5;
  const rows: PerceptionBenchRow[] = [];
  for (const name of options.drives ?? BENCH_DRIVES) {
    const drive = await loadDrive(path.join(dataDir, name));
    const spec = fullSpec(drive);
    const samples = driveSize(drive);
    const m = bestOf(runs, () => framesFromDrive(drive, spec), () => framesOnVirtualTime(drive, spec));
    rows.push({
      drive: name,
      samples,
      frames: m.a.frames.length,
      batch_samples_per_s: Math.round((samples / m.aMs) * 1000),
      rxjs_samples_per_s: Math.round((samples / m.bMs) * 1000),
      ratio: Math.round((m.bMs / m.aMs) * 100) / 100,
      identical: sameFrames(m.a.frames, m.b.frames),
    });
  }
  return rows;
}

function sameFrames(a: ReturnType<typeof framesFromDrive>["frames"], b: typeof a): boolean {
  if (a.length !== b.length) return false;
  return a.every((f, i) => f.t === b[i].t && Buffer.compare(Buffer.from(f.values.buffer), Buffer.from(b[i].values.buffer)) === 0 && Buffer.compare(f.valid, b[i].valid) === 0);
}

export function formatPerceptionTable(rows: readonly PerceptionBenchRow[]): string {
  const head = ["drive", "samples", "frames", "batch samples/s", "RxJS samples/s", "batch/RxJS", "identical"];
  const body = rows.map((r) => [r.drive, r.samples, r.frames, r.batch_samples_per_s.toLocaleString("en"), r.rxjs_samples_per_s.toLocaleString("en"), `${r.ratio}x`, r.identical ? "yes" : "NO"].map(String));
  const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join("  ");
  const title = "perception: validate -> reorder -> outliers -> sync, 20 Hz, every channel; best of 5, interleaved";
  return [title, line(head), width.map((w) => "-".repeat(w)).join("  "), ...body.map(line), ""].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  console.log(formatPerceptionTable(await benchPerception()));
}
