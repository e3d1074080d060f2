import { VirtualTimeScheduler } from "rxjs";
import { driveOrigin } from "./drive-merge.js";
import { driveSamples } from "./drive-samples.js";
import type { DriveFrames, FramesFromDriveOptions } from "./frames-from-drive.js";
import { perceive } from "./operators/perceive.js";
import { RejectTally } from "./reject-tally.js";
import type { Drive, Frame, FrameSpec } from "./types.js";

/**
 * The streaming path run to the end on a VirtualTimeScheduler: `driveSamples` -> `perceive`, exactly
 * as live, but on virtual time. Same result as `framesFromDrive`, which is the faster way to get it;
 * this one exists to check that (and to bench the operators).
 */
export function framesOnVirtualTime(drive: Drive, spec: FrameSpec, options: FramesFromDriveOptions = {}): DriveFrames {
  const scheduler = new VirtualTimeScheduler();
  const tally = new RejectTally(options.onReject);
  const frames: Frame[] = [];
  let failure: unknown;
  driveSamples(drive, scheduler)
    .pipe(perceive(spec, { ...options, scheduler, origin: driveOrigin(drive), tally }))
    .subscribe({ next: (f) => frames.push(f), error: (e) => (failure = e) });
  scheduler.flush();
  if (failure !== undefined) throw failure;
  return { frames, rejected: tally.counts };
}
