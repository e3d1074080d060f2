export { loadMcapDrive } from "./load.js";
export type { McapDriveOptions } from "./load.js";
export { FileReadable } from "./file-readable.js";
export { FileWritable } from "./file-writable.js";
export { decoderFor } from "./decoders.js";
export { McapSink } from "./writer.js";
export type { McapSinkOptions } from "./writer.js";
