import type { ColumnMap } from "../column-map.js";
import { comma2k19Map } from "./comma2k19.js";
import { f1tenthMap } from "./f1tenth.js";
import { genericMap } from "./generic.js";

export { comma2k19Map, RAV4_STEER_RATIO } from "./comma2k19.js";
export { f1tenthMap } from "./f1tenth.js";
export { genericMap } from "./generic.js";

/** The built-in maps by name (`--map comma2k19`). */
export const BUILTIN_MAPS: Readonly<Record<string, ColumnMap>> = {
  comma2k19: comma2k19Map,
  f1tenth: f1tenthMap,
  generic: genericMap,
};
