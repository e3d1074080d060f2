import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { isKnownChannel } from "../../perception/channels.js";
import { parseColumnMap, type ColumnMap } from "./column-map.js";
import { BUILTIN_MAPS, comma2k19Map, f1tenthMap, genericMap } from "./maps/index.js";
import { readCsvHeader } from "./read.js";

/** Files whose presence in a folder names its dataset. */
const SIGNATURES: readonly { file: string; map: ColumnMap }[] = [
  { file: "processed_can_83hz.csv", map: comma2k19Map },
  { file: "commandData.csv", map: f1tenthMap },
];

/**
 * The column map for a drive: a folder holding a known dataset's signature file, or one .csv (or a folder
 * with exactly one .csv) whose header is `t` plus canonical channel names. Throws saying what was looked for.
 */
export async function detectCsvMap(path: string): Promise<ColumnMap> {
  const st = await stat(path);
  if (st.isDirectory()) {
    const names = (await readdir(path)).sort();
    for (const s of SIGNATURES) if (names.includes(s.file)) return s.map;
    const csvs = names.filter((n) => n.toLowerCase().endsWith(".csv"));
    if (csvs.length === 1 && (await isCanonical(join(path, csvs[0])))) return genericMap;
    throw new Error(
      `${path}: no column map fits: no ${SIGNATURES.map((s) => s.file).join(" or ")} (${SIGNATURES.map((s) => s.map.name).join(", ")}), ` +
        `and not a single .csv with a "t" + canonical channel header (found ${csvs.length} .csv files); pass a map (JSON file or built-in name)`,
    );
  }
  if (await isCanonical(path)) return genericMap;
  const header = await readCsvHeader(path);
  throw new Error(
    `${path}: header ${JSON.stringify(header ?? [])} is not "t" + canonical channel names; pass a column map (JSON file or built-in name)`,
  );
}

/** A header of `t` plus at least one canonical channel, every other column an unnamed index or a channel. */
async function isCanonical(file: string): Promise<boolean> {
  const header = await readCsvHeader(file);
  if (!header) return false;
  const names = header.map((h) => h.trim()).filter((h) => h !== "");
  return names.includes("t") && names.length >= 2 && names.every((h) => h === "t" || isKnownChannel(h));
}

/** A map given as an object (validated), a built-in name, or the path of a JSON file. */
export async function resolveColumnMap(map: ColumnMap | string): Promise<ColumnMap> {
  if (typeof map !== "string") return parseColumnMap(map);
  const builtin = BUILTIN_MAPS[map];
  if (builtin) return builtin;
  let text: string;
  try {
    text = await readFile(map, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`column map "${map}": not a built-in map (${Object.keys(BUILTIN_MAPS).join(", ")}) and not a readable file (${code ?? String(e)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${map}: not valid JSON: ${(e as Error).message}`);
  }
  try {
    return parseColumnMap(json);
  } catch (e) {
    throw new Error(`${map}: ${(e as Error).message}`);
  }
}
