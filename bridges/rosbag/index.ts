export { loadRosbagDrive } from "./load.js";
export type { RosbagDriveOptions } from "./load.js";
export { BagFile } from "./file-reader.js";
export { bagDecompressors } from "./decompress.js";
export { scanBag, parseFields } from "./scan.js";
export type { ScanEvent } from "./scan.js";
