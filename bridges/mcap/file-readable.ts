import type { FileHandle } from "node:fs/promises";
import type { McapTypes } from "@mcap/core";

/** @mcap/core's random-access IReadable over a Node file handle. */
export class FileReadable implements McapTypes.IReadable {
  constructor(
    private readonly handle: FileHandle,
    private readonly bytes: number,
  ) {}

  async size(): Promise<bigint> {
    return BigInt(this.bytes);
  }

  async read(offset: bigint, size: bigint): Promise<Uint8Array> {
    const start = Number(offset);
    const length = Number(size);
    if (start < 0 || length < 0 || start + length > this.bytes) {
      throw new RangeError(`read of ${length} bytes at offset ${start} is past the end of the file (${this.bytes} bytes)`);
    }
    const buffer = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(buffer, done, length - done, start + done);
      if (bytesRead === 0) throw new RangeError(`file ended at offset ${start + done} while reading ${length} bytes at ${start}`);
      done += bytesRead;
    }
    return buffer;
  }
}
