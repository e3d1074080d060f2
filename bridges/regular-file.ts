import { stat } from "node:fs/promises";
import type { Stats } from "node:fs";

/** What a non-regular path is, in words, for the refusal message. */
function kindOf(info: Stats): string {
  if (info.isDirectory()) return "a directory";
  if (info.isFIFO()) return "a FIFO (named pipe)";
  if (info.isSocket()) return "a socket";
  if (info.isCharacterDevice()) return "a character device";
  if (info.isBlockDevice()) return "a block device";
  return "not a regular file";
}

/**
 * Refuses anything but a regular file before it is opened: opening a FIFO for reading blocks until a writer
 * comes (forever, for a recording), and a device or directory has no size to read against. `stat` itself
 * never blocks, so this answers at once. Returns the file's size.
 */
export async function regularFileSize(path: string, expected = "a recording file"): Promise<number> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new Error(code === "ENOENT" ? `${path}: no such file` : `${path}: cannot be read (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!info.isFile()) throw new Error(`${path}: is ${kindOf(info)}, expected ${expected}; refused`);
  return info.size;
}

/** For a path that may be a folder or a file: refuses FIFOs, sockets and devices at once. */
export function refuseSpecial(path: string, info: Stats): void {
  if (!info.isFile() && !info.isDirectory()) throw new Error(`${path}: is ${kindOf(info)}, expected a drive file or folder; refused`);
}
