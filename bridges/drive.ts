import { open, stat } from "node:fs/promises";
import type { Drive } from "../perception/types.js";
import { SQLITE_MAGIC, isRosbag2Folder } from "./rosbag2/detect.js";
import { refuseSpecial } from "./regular-file.js";

export type DriveFormat = Drive["format"];

const MCAP_MAGIC = Buffer.from([0x89, 0x4d, 0x43, 0x41, 0x50]); // \x89MCAP
const BAG_MAGIC = Buffer.from("#ROSBAG V2.0");

/**
 * Which importer reads `path`: a folder is a rosbag2 recording when it holds metadata.yaml or .db3 files,
 * else CSV; files are told apart by their magic bytes (a .db3 is read as a rosbag2 SQLite file).
 */
export async function detectDriveFormat(path: string): Promise<DriveFormat> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new Error(`${path}: no such file or folder`);
  }
  if (info.isDirectory()) return (await isRosbag2Folder(path)) ? "rosbag2" : "csv";
  // Before open(): opening a FIFO blocks until something writes to it.
  refuseSpecial(path, info);
  const fh = await open(path, "r");
  try {
    const head = Buffer.alloc(16);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    if (bytesRead === 0) throw new Error(`${path}: empty file`);
    if (head.subarray(0, MCAP_MAGIC.length).equals(MCAP_MAGIC)) return "mcap";
    if (head.subarray(0, BAG_MAGIC.length).equals(BAG_MAGIC)) return "rosbag1";
    if (bytesRead >= SQLITE_MAGIC.length && head.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) return "rosbag2";
    if (path.toLowerCase().endsWith(".csv")) return "csv";
    throw new Error(`${path}: not a drive lam can read (expected a CSV file or folder, an MCAP file, a rosbag2 folder or .db3, or a ROS 1 bag)`);
  } finally {
    await fh.close();
  }
}

export interface LoadDriveOptions {
  /** CSV column map: built-in name, JSON file path, or object. */
  readonly map?: string;
  /** ROS recordings: mount of every IMU topic (base_link → IMU), overriding /tf_static (`--imu-mount`). */
  readonly imuMount?: import("./ros/types.js").Quaternion;
}

/** Any recorded drive, by content: CSV (with a column map), ROS 2 MCAP, rosbag2 folder, ROS 1 bag. */
export async function loadDrive(path: string, options: LoadDriveOptions = {}): Promise<Drive> {
  const format = await detectDriveFormat(path);
  switch (format) {
    case "csv":
      return (await import("./csv/index.js")).loadCsvDrive(path, options.map ? { map: options.map } : {});
    case "mcap":
      // lam's own canonical MCAP (lam convert) first; any other MCAP is a ROS recording.
      return (
        (await (await import("./canonical/index.js")).loadCanonicalMcap(path)) ??
        (await import("./mcap/index.js")).loadMcapDrive(path, options.imuMount ? { imuMount: options.imuMount } : {})
      );
    case "rosbag1":
      return (await import("./rosbag/index.js")).loadRosbagDrive(path, options.imuMount ? { imuMount: options.imuMount } : {});
    case "rosbag2":
      return (await import("./rosbag2/index.js")).loadRosbag2Drive(path, options.imuMount ? { imuMount: options.imuMount } : {});
  }
}
