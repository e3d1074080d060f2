import { framesFromDrive } from "../perception/frames-from-drive.js";
import { frameChannel } from "../perception/channels.js";
import type { FrameSpec } from "../perception/types.js";
import type { FrameSeries } from "../dynamics/dataset.js";
import type { ModelSpec } from "../dynamics/spec.js";
import { loadDrive } from "../bridges/drive.js";

/** The frame layout a model needs: its features, then any action channel not already among them. */
export function frameSpecFor(spec: ModelSpec): FrameSpec {
  const names = [...spec.features, ...spec.actions.filter((a) => !spec.features.includes(a))];
  return { rate: spec.rate, channels: names.map((n) => frameChannel(n)) };
}

/** Loads a recorded drive and resamples it to the model's frames. */
export async function loadSeries(path: string, spec: ModelSpec): Promise<FrameSeries> {
  const drive = await loadDrive(path);
  const fs = frameSpecFor(spec);
  const { frames } = framesFromDrive(drive, fs);
  if (frames.length === 0) throw new Error(`${path}: the drive gave no frames at ${spec.rate} Hz`);
  return { name: drive.name, channels: fs.channels.map((c) => c.name), frames };
}
