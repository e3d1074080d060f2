import { parseMount } from "../bridges/ros/quaternion.js";
import type { Quaternion } from "../bridges/ros/types.js";
import { UsageError } from "./io.js";

/** `--imu-mount` as loadDrive options; a bad value is a usage error naming it. */
export function imuMountOption(text: string | undefined): { imuMount?: Quaternion } {
  if (text === undefined) return {};
  try {
    return { imuMount: parseMount(text) };
  } catch (e) {
    throw new UsageError(`--imu-mount ${text}: ${(e as Error).message}`);
  }
}
