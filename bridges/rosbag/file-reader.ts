import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import type { Filelike } from "@foxglove/rosbag";
import { regularFileSize } from "../regular-file.js";

/** @foxglove/rosbag's Filelike over a Node file handle; reads past the end fail with offsets named. */
export class BagFile implements Filelike {
  private constructor(
    private readonly handle: FileHandle,
    private readonly bytes: number,
    readonly path: string,
  ) {}

  static async open(path: string): Promise<BagFile> {
    await regularFileSize(path, "a ROS 1 bag file");
    const handle = await open(path, "r");
    try {
      return new BagFile(handle, (await handle.stat()).size, path);
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  size(): number {
    return this.bytes;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (!(offset >= 0 && length >= 0 && offset + length <= this.bytes)) {
      throw new RangeError(`${this.path}: read of ${length} bytes at offset ${offset} is past the end of the file (${this.bytes} bytes)`);
    }
    const buffer = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(buffer, done, length - done, offset + done);
      if (bytesRead === 0) throw new RangeError(`${this.path}: file ended at offset ${offset + done}`);
      done += bytesRead;
    }
    return buffer;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
