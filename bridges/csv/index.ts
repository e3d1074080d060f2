// CSV drives: recorded runs as CSV files plus a column map → a Drive in canonical channels and SI units.
export { loadCsvDrive, type LoadCsvOptions } from "./load.js";
export { writeCsvDrive } from "./write.js";
export { detectCsvMap, resolveColumnMap } from "./detect.js";
export {
  parseColumnMap,
  mappedChannels,
  type ColumnMap,
  type FileMap,
  type ColumnTarget,
  type DerivedChannel,
  type TimeSpec,
  type Transform,
} from "./column-map.js";
export { BUILTIN_MAPS, comma2k19Map, f1tenthMap, genericMap, RAV4_STEER_RATIO } from "./maps/index.js";
export { CsvParser, type CsvRecord } from "./parser.js";
export {
  proposeColumnMap,
  proposeTime,
  splitColumnName,
  DEFAULT_STEER_RATIO,
  type CsvSample,
  type ColumnName,
  type ColumnNote,
  type MapProposal,
  type ProposeOptions,
} from "./propose.js";
export { readCsvFile, readCsvHeader } from "./read.js";
export { parseCell } from "./cell.js";
export { UNIT_TRANSFORMS, STANDARD_GRAVITY, quaternionYaw, wrapAngle, type UnitTransformName } from "./transforms.js";
