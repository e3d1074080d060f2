import { readdir, stat } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import type { Drive } from "../../perception/types.js";
import type { ColumnMap, FileMap } from "./column-map.js";
import { detectCsvMap, resolveColumnMap } from "./detect.js";
import { DriveBuilder } from "./drive-builder.js";
import { importCsvFile } from "./import-file.js";
import { readCsvFile } from "./read.js";

export interface LoadCsvOptions {
  /** A map object, a built-in map name ("comma2k19", "f1tenth", "generic") or a JSON file; detected if left out. */
  readonly map?: ColumnMap | string;
}

/**
 * A recorded drive from a folder of CSV files or one .csv, in canonical channels and SI units.
 * Problems with the map or a file's header throw, naming the file; bad rows and cells are counted in
 * `rejected` and described in `issues` (file:line), and the good data beside them is kept.
 */
export async function loadCsvDrive(path: string, options: LoadCsvOptions = {}): Promise<Drive> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    throw new Error(`${path}: cannot read drive (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const map = options.map === undefined ? await detectCsvMap(path) : await resolveColumnMap(options.map);
  const drive = new DriveBuilder();
  for (const [i, fm, file] of await filesOf(path, st.isDirectory(), map)) {
    if (file === undefined) {
      const where = join(path, fm.file ?? "");
      drive.issue({ where, reason: "malformed", message: `${where}: optional file of column map "${map.name}" not found` }, where);
      continue;
    }
    await importCsvFile(file, readCsvFile(file), fm, map.name, `files[${i}]`, drive);
  }
  const name = st.isDirectory() ? basename(path) : basename(path, extname(path));
  return drive.build(name, path);
}

/** Each map entry with the file it reads (undefined: an optional file that is absent). */
async function filesOf(path: string, isDir: boolean, map: ColumnMap): Promise<[number, FileMap, string | undefined][]> {
  if (!isDir) {
    const own = map.files.findIndex((f) => f.file === basename(path));
    const i = own >= 0 ? own : map.files.length === 1 ? 0 : -1;
    if (i < 0) {
      throw new Error(
        `${path}: column map "${map.name}" reads ${map.files.length} files (${map.files.map((f) => f.file).join(", ")}); give the folder, not one file`,
      );
    }
    return [[i, map.files[i], path]];
  }
  if (map.files.length === 1 && map.files[0].file === undefined) {
    // A one-file map without a name (generic) reads the folder's only .csv.
    const csvs = (await readdir(path)).filter((n) => n.toLowerCase().endsWith(".csv"));
    if (csvs.length !== 1) {
      throw new Error(`${path}: column map "${map.name}" reads one unnamed .csv, but the folder has ${csvs.length}; give the file`);
    }
    return [[0, map.files[0], join(path, csvs[0])]];
  }
  const out: [number, FileMap, string | undefined][] = [];
  for (const [i, fm] of map.files.entries()) {
    if (fm.file === undefined) {
      throw new Error(`${path}: column map "${map.name}" files[${i}] names no file; give the .csv itself, not its folder`);
    }
    const file = join(path, fm.file);
    const exists = await stat(file).then((s) => s.isFile(), () => false);
    if (!exists && !fm.optional) throw new Error(`${file}: not found (required by column map "${map.name}", files[${i}])`);
    out.push([i, fm, exists ? file : undefined]);
  }
  return out;
}
