import type { Bag } from "@foxglove/rosbag";
import { loadDecompressHandlers } from "@mcap/support";
import Bunzip from "seek-bzip";

export type Decompress = NonNullable<ConstructorParameters<typeof Bag>[1]>["decompress"] & {};

/**
 * Chunk decompressors for ROS 1 bags: bz2 with seek-bzip (pure JS); lz4 with the LZ4-frame decoder that
 * @mcap/support already loads (roslz4 writes standard LZ4 frames). Any other compression fails with
 * the chunk named by the caller.
 */
export async function bagDecompressors(): Promise<Decompress> {
  const mcap = await loadDecompressHandlers();
  return {
    bz2: (buffer: Uint8Array, size: number) => Bunzip.decode(Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength), size),
    lz4: (buffer: Uint8Array, size: number) => mcap.lz4!(buffer, BigInt(size)),
  };
}
