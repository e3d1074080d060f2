export { loadDrive, detectDriveFormat } from "./drive.js";
export type { DriveFormat, LoadDriveOptions } from "./drive.js";
