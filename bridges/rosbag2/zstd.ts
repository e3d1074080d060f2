/**
 * zstd for rosbag2's compression (`ros2 bag record --compression-format zstd`, mode FILE or MESSAGE), by
 * @foxglove/wasm-zstd (WebAssembly; nothing native). Its decoder needs the output size, which
 * rosbag2's compressor writes into every frame header (Frame_Content_Size).
 */
export async function zstdDecompressor(): Promise<(data: Uint8Array, where: string) => Uint8Array> {
  const zstd = await import("@foxglove/wasm-zstd");
  await zstd.isLoaded;
  return (data, where) => {
    const size = frameContentSize(data);
    if (size === undefined) throw new Error(`${where}: not a zstd frame with its content size (first bytes ${Buffer.from(data.subarray(0, 8)).toString("hex")})`);
    return new Uint8Array(zstd.decompress(data, size));
  };
}

const MAGIC = 0xfd2fb528;

/** The decompressed size a zstd frame header states (RFC 8878 §3.1.1.1), or undefined when it has none. */
export function frameContentSize(b: Uint8Array): number | undefined {
  if (b.length < 5) return undefined;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (view.getUint32(0, true) !== MAGIC) return undefined;
  const fhd = b[4];
  const fcsFlag = fhd >> 6;
  const single = (fhd >> 5) & 1;
  const didFlag = fhd & 3;
  let at = 5 + (single ? 0 : 1) + [0, 1, 2, 4][didFlag];
  const fcsBytes = fcsFlag === 0 ? (single ? 1 : 0) : [0, 2, 4, 8][fcsFlag];
  if (fcsBytes === 0 || at + fcsBytes > b.length) return undefined;
  switch (fcsBytes) {
    case 1:
      return b[at];
    case 2:
      return view.getUint16(at, true) + 256;
    case 4:
      return view.getUint32(at, true);
    default: {
      const v = view.getBigUint64(at, true);
      at += 8;
      return v > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(v);
    }
  }
}
