import type { ColumnMap } from "../column-map.js";

/**
 * One wide CSV: a `t` column in seconds and one column per canonical channel, already in SI units
 * (`speed`, `yaw_rate@imu`, ...): bring your own data without writing a map. `writeCsvDrive` writes it.
 */
export const genericMap: ColumnMap = {
  name: "generic",
  description: "t (s) + canonical channel columns in SI units",
  files: [{ time: { column: "t" }, canonicalColumns: true }],
};
