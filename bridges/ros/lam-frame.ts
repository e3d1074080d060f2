import { CHANNELS } from "../../perception/channels.js";
import { SampleCollector, describe, field } from "./collect.js";
import type { MapOptions, MapResult, RosMessageMapper } from "./types.js";

/**
 * lam.Frame, the JSON frames lam's replay and sim MCAP files carry (/lam/frame: { t, values, valid }): each
 * value the frame marks fresh is a sample at the frame's time; held and missing ones are not measurements.
 * This is how lam reads its own output back as a drive.
 */
export function mapLamFrame(msg: unknown, logTime: number, options: MapOptions = {}): MapResult {
  const t = field(msg, "t");
  const values = field(msg, "values");
  const valid = field(msg, "valid");
  const c = new SampleCollector(typeof t === "number" && Number.isFinite(t) ? t : logTime, options);
  if (typeof values !== "object" || values === null || typeof valid !== "object" || valid === null) {
    c.reject("frame", "malformed", `values is ${describe(values)}, valid is ${describe(valid)} (want objects by channel)`);
    return c.result();
  }
  for (const [channel, v] of Object.entries(values as Record<string, unknown>)) {
    const state = (valid as Record<string, unknown>)[channel];
    if (state !== "fresh") continue;
    c.emit(channel, v, `values.${channel}`);
  }
  return c.result();
}

export const lamFrameMapper: RosMessageMapper = {
  type: "lam.Frame",
  kind: "frame",
  // Below every ROS type: a frame's channels are what lam itself decided on, so they keep the bare names.
  rank: -1,
  channels: [...CHANNELS.keys()],
  map: mapLamFrame,
};
