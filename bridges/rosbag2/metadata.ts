import { parse } from "yaml";

/** One topic as metadata.yaml lists it (rosbag2_bagfile_information.topics_with_message_count). */
export interface BagTopicInfo {
  readonly name: string;
  readonly type: string;
  readonly serializationFormat: string;
  readonly messageCount: number;
  /** RIHS01 hash of the type description (Iron and later), when recorded. */
  readonly typeDescriptionHash?: string;
}

/** What lam reads of a rosbag2 folder's metadata.yaml. */
export interface BagMetadata {
  readonly version: number;
  /** "sqlite3" or "mcap". */
  readonly storage: string;
  readonly files: readonly string[];
  readonly messageCount: number;
  readonly topics: readonly BagTopicInfo[];
  /** "" when not compressed; else the format (zstd) and mode (FILE or MESSAGE). */
  readonly compressionFormat: string;
  readonly compressionMode: string;
}

/**
 * Parses metadata.yaml as `ros2 bag record` writes it (versions 1-9). Errors name the file and the key
 * that is missing or of the wrong kind.
 */
export function parseBagMetadata(text: string, where: string): BagMetadata {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new Error(`${where}: not valid YAML: ${e instanceof Error ? e.message : String(e)}`);
  }
  const info = (doc as { rosbag2_bagfile_information?: unknown } | null)?.rosbag2_bagfile_information;
  if (info === null || typeof info !== "object") throw new Error(`${where}: no rosbag2_bagfile_information (not a rosbag2 metadata file)`);
  const o = info as Record<string, unknown>;
  const str = (k: string, fallback?: string): string => {
    const v = o[k];
    if (typeof v === "string") return v;
    if (v === undefined && fallback !== undefined) return fallback;
    throw new Error(`${where}: rosbag2_bagfile_information.${k} = ${JSON.stringify(v)}: expected a string`);
  };
  const files = o.relative_file_paths;
  if (!Array.isArray(files) || files.some((f) => typeof f !== "string")) {
    throw new Error(`${where}: rosbag2_bagfile_information.relative_file_paths = ${JSON.stringify(files)}: expected a list of file names`);
  }
  const topics: BagTopicInfo[] = [];
  const twmc = o.topics_with_message_count ?? [];
  if (!Array.isArray(twmc)) throw new Error(`${where}: rosbag2_bagfile_information.topics_with_message_count: expected a list`);
  twmc.forEach((t: unknown, i: number) => {
    const m = (t as { topic_metadata?: Record<string, unknown> } | null)?.topic_metadata;
    if (!m || typeof m.name !== "string" || typeof m.type !== "string") {
      throw new Error(`${where}: topics_with_message_count[${i}].topic_metadata needs a name and a type`);
    }
    topics.push({
      name: m.name,
      type: m.type,
      serializationFormat: typeof m.serialization_format === "string" ? m.serialization_format : "cdr",
      messageCount: Number((t as { message_count?: unknown }).message_count ?? 0),
      ...(typeof m.type_description_hash === "string" && m.type_description_hash !== "" ? { typeDescriptionHash: m.type_description_hash } : {}),
    });
  });
  return {
    version: Number(o.version ?? 0),
    storage: str("storage_identifier"),
    files: files as string[],
    messageCount: Number(o.message_count ?? 0),
    topics,
    compressionFormat: str("compression_format", ""),
    compressionMode: str("compression_mode", ""),
  };
}
