import { parse } from "@foxglove/rosmsg";
import { MessageReader as Ros1Reader } from "@foxglove/rosmsg-serialization";
import { MessageReader as Ros2Reader } from "@foxglove/rosmsg2-serialization";
import type { McapTypes } from "@mcap/core";

export type Decode = (data: Uint8Array) => unknown;

/**
 * A decoder for one MCAP channel from its schema, or why there is none. ROS 2 (ros2msg + cdr) is what
 * rosbag2 writes; ROS 1 (ros1msg + ros1) is what `mcap convert` makes of ROS 1 bags; JSON is what lam and
 * Foxglove write. Chunk compression (zstd, lz4, bz2) is the reader's: loadDecompressHandlers.
 */
export function decoderFor(channel: McapTypes.Channel, schema: McapTypes.Schema | undefined): { decode: Decode } | { reason: string } {
  if (channel.messageEncoding === "json") {
    // lam's own outputs (replay/sim MCAP: lam.Frame…) and Foxglove's JSON channels; the schema is only documentation.
    const utf8 = new TextDecoder("utf-8", { fatal: true });
    return { decode: (data) => JSON.parse(utf8.decode(data)) as unknown };
  }
  if (!schema) return { reason: `channel ${channel.id} has no schema (schema id ${channel.schemaId})` };
  const text = new TextDecoder().decode(schema.data);
  try {
    if (schema.encoding === "ros2msg" && channel.messageEncoding === "cdr") {
      const reader = new Ros2Reader(parse(text, { ros2: true }));
      return { decode: (data) => reader.readMessage(data) };
    }
    if (schema.encoding === "ros1msg" && channel.messageEncoding === "ros1") {
      const reader = new Ros1Reader(parse(text));
      return { decode: (data) => reader.readMessage(data) };
    }
  } catch (e) {
    return { reason: `schema ${schema.name} (${schema.encoding}) does not parse: ${e instanceof Error ? e.message : String(e)}` };
  }
  return { reason: `unsupported encoding: schema ${schema.encoding || "(none)"}, messages ${channel.messageEncoding}` };
}
