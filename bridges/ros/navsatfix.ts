import { SampleCollector, describe, field, headerStamp, rejectAll } from "./collect.js";
import type { MapOptions, MapResult, RosMessageMapper } from "./types.js";

const FIX_CHANNELS = ["lat", "lon", "alt"];

/** sensor_msgs/NavSatFix: latitude/longitude (deg), altitude (m); status < 0 (STATUS_NO_FIX) is no position. */
export function mapNavSatFix(msg: unknown, logTime: number, options: MapOptions = {}): MapResult {
  const stamp = headerStamp(msg, logTime);
  if ("error" in stamp) return rejectAll(FIX_CHANNELS, logTime, options, stamp.error);
  const c = new SampleCollector(stamp.t, options);
  const status = field(msg, "status", "status");
  if (typeof status !== "number") {
    for (const ch of FIX_CHANNELS) c.reject(ch, "wrong_type", `status.status is ${describe(status)}, not a number`);
    return c.result();
  }
  if (status < 0) {
    for (const ch of FIX_CHANNELS) c.reject(ch, "no_fix", `status.status=${status} (no fix)`);
    return c.result();
  }
  c.emit("lat", field(msg, "latitude"), "latitude");
  c.emit("lon", field(msg, "longitude"), "longitude");
  c.emit("alt", field(msg, "altitude"), "altitude");
  return c.result();
}

export const navSatFixMapper: RosMessageMapper = {
  type: "sensor_msgs/NavSatFix",
  kind: "gnss",
  rank: 2,
  channels: FIX_CHANNELS,
  map: mapNavSatFix,
};
