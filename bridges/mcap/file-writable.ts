import type { FileHandle } from "node:fs/promises";
import type { IWritable } from "@mcap/core";

/** @mcap/core's IWritable over a Node file handle: sequential writes, position counted here. */
export class FileWritable implements IWritable {
  #position = 0n;

  constructor(private readonly handle: FileHandle) {}

  async write(buffer: Uint8Array): Promise<void> {
    let done = 0;
    while (done < buffer.byteLength) {
      const { bytesWritten } = await this.handle.write(buffer, done, buffer.byteLength - done);
      done += bytesWritten;
    }
    this.#position += BigInt(buffer.byteLength);
  }

  position(): bigint {
    return this.#position;
  }
}
