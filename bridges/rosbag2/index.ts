// ROS 2 bags as `ros2 bag record` writes them: a folder with metadata.yaml and SQLite (.db3) or MCAP files.
export { loadRosbag2Drive, type Rosbag2DriveOptions } from "./load.js";
export { isRosbag2Folder, SQLITE_MAGIC } from "./detect.js";
export { parseBagMetadata, type BagMetadata, type BagTopicInfo } from "./metadata.js";
export { readDb3, isSqlite, sqlite } from "./db3.js";
export { frameContentSize } from "./zstd.js";
