import { framesFromDrive } from "../perception/frames-from-drive.js";
import { frameChannel } from "../perception/channels.js";
import { Validity, type FrameSpec } from "../perception/types.js";
import { possibleWindows, unobservedChannels, type FrameSeries } from "../dynamics/dataset.js";
import type { ModelSpec } from "../dynamics/spec.js";
import { loadDrive } from "../bridges/drive.js";

/** The frame layout a model needs: its features, then any action channel not already among them. */
export function frameSpecFor(spec: ModelSpec): FrameSpec {
  const names = [...spec.features, ...spec.actions.filter((a) => !spec.features.includes(a))];
  return { rate: spec.rate, channels: names.map((n) => frameChannel(n)) };
}

export interface LoadSeriesOptions {
  /** CSV column map: built-in name or JSON file (`--map`); detected when left out. */
  readonly map?: string;
}

/**
 * Loads a recorded drive and resamples it to the model's frames. A feature or action channel the drive
 * lacks (or never observes) is an error naming the channel and the drive, not a later "no training windows".
 */
export async function loadSeries(path: string, spec: ModelSpec, options: LoadSeriesOptions = {}): Promise<FrameSeries> {
  const drive = await loadDrive(path, options.map ? { map: options.map } : {});
  const have = drive.channels.map((c) => c.name);
  const absent = modelChannels(spec).filter((c) => !have.includes(c.name));
  if (absent.length > 0) throw new Error(`${path}: ${missingText(absent)} not in this drive (${channelList(have)}); ${MISSING_HINT}`);
  const fs = frameSpecFor(spec);
  const { frames } = framesFromDrive(drive, fs);
  if (frames.length === 0) throw new Error(`${path}: the drive gave no frames at ${spec.rate} Hz`);
  const series = { name: drive.name, channels: fs.channels.map((c) => c.name), frames };
  const never = unobservedChannels(series, fs.channels.map((c) => c.name));
  if (never.length > 0) {
    const which = modelChannels(spec).filter((c) => never.includes(c.name));
    throw new Error(`${path}: ${missingText(which)} in this drive but no sample of it survived validation (see lam inspect ${path})`);
  }
  // A window needs `history` frames, then `horizon` frames with every action observed: say which action's gaps leave none.
  if (possibleWindows(series, spec.actions, spec.history, spec.horizon) === 0) {
    const shares = spec.actions.map((a) => {
      const j = series.channels.indexOf(a);
      return { a, n: frames.reduce((k, f) => k + (f.valid[j] !== Validity.Missing && Number.isFinite(f.values[j]) ? 1 : 0), 0) };
    });
    const worst = shares.reduce((x, y) => (y.n < x.n ? y : x));
    throw new Error(
      `${path}: no window fits: a window needs ${spec.history} frames of history, then ${spec.horizon} frames (${spec.horizon / spec.rate} s) with every action observed, and the drive has no such stretch; ` +
        `action channel "${worst.a}" is observed in ${worst.n} of ${frames.length} frames at ${spec.rate} Hz (see lam inspect ${path})`,
    );
  }
  return series;
}

const MISSING_HINT = "map a column to it with --map (README: column maps; lam map init FILE.csv proposes one), or train with --features/--actions the drive has";

function modelChannels(spec: ModelSpec): { name: string; role: "feature" | "action" }[] {
  return [
    ...spec.features.map((name) => ({ name, role: spec.actions.includes(name) ? ("action" as const) : ("feature" as const) })),
    ...spec.actions.filter((a) => !spec.features.includes(a)).map((name) => ({ name, role: "action" as const })),
  ];
}

function missingText(cs: readonly { name: string; role: string }[]): string {
  const each = cs.map((c) => `${c.role} channel "${c.name}"`).join(", ");
  return `the model's ${each} ${cs.length === 1 ? "is" : "are"}`;
}

function channelList(have: readonly string[]): string {
  return have.length === 0 ? "it has no channels" : `it has: ${have.join(", ")}`;
}
