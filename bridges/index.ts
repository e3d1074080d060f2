// The outside world. Each transport keeps its own namespace (they share names such as `source` and `sink`);
// `loadDrive` reads any recorded drive by content.
export { loadDrive, detectDriveFormat } from "./drive.js";
export type { DriveFormat, LoadDriveOptions } from "./drive.js";
export * as csv from "./csv/index.js";
export * as mcap from "./mcap/index.js";
export * as rosbag from "./rosbag/index.js";
export * as rosbag2 from "./rosbag2/index.js";
export * as canonical from "./canonical/index.js";
export * as ros from "./ros/index.js";
export * as ros2 from "./ros2/index.js";
export * as mqtt from "./mqtt/index.js";
export * as foxglove from "./foxglove/index.js";
export * as codec from "./codec/index.js";
