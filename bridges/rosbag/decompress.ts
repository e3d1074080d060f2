import type { Bag } from "@foxglove/rosbag";
import { loadDecompressHandlers } from "@mcap/support";
import Bunzip from "seek-bzip";

let mcapHandlers: ReturnType<typeof loadDecompressHandlers> | undefined;

export type Decompress = NonNullable<ConstructorParameters<typeof Bag>[1]>["decompress"] & {};

/**
 * Chunk decompressors for ROS 1 bags: bz2 with seek-bzip (pure JS); lz4 with the LZ4-frame decoder that
 * @mcap/support already loads (roslz4 writes standard LZ4 frames). Any other compression fails with
 * the chunk named by the caller.
 */
export async function bagDecompressors(): Promise<Decompress> {
  // Loaded once: the WebAssembly modules take milliseconds to start, on every bag otherwise.
  mcapHandlers ??= loadDecompressHandlers().catch((e: unknown) => {
    mcapHandlers = undefined;
    throw e;
  });
  const mcap = await mcapHandlers;
  return {
    bz2: named("bz2", (buffer, size) => Bunzip.decode(Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength), size)),
    lz4: named("lz4", (buffer, size) => mcap.lz4!(buffer, BigInt(size))),
  };
}

/** Decoder errors are terse ("Data error"): say which codec and sizes they were about. */
function named(codec: string, fn: (buffer: Uint8Array, size: number) => Uint8Array): (buffer: Uint8Array, size: number) => Uint8Array {
  return (buffer, size) => {
    try {
      return fn(buffer, size);
    } catch (e) {
      throw new Error(`${codec} decompression of ${buffer.byteLength} bytes to ${size} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
}
