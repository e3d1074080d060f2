import { readdir } from "node:fs/promises";

/** A rosbag2 recording folder: metadata.yaml, or .db3 files where the recorder never wrote metadata.yaml. */
export async function isRosbag2Folder(dir: string): Promise<boolean> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.includes("metadata.yaml") || names.some((n) => /\.db3(\.zstd)?$/.test(n));
}

/** The first 16 bytes of every SQLite 3 database file, rosbag2's .db3 among them. */
export const SQLITE_MAGIC = Buffer.from("SQLite format 3\u0000", "latin1");
