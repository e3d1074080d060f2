import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadMcapDrive } from "../../bridges/mcap/index.js";
import { quaternionFromMatrix } from "../../bridges/ros/index.js";
import type { RosDrive } from "../../bridges/ros/index.js";
import { bagDecompressors, loadRosbagDrive, parseFields } from "../../bridges/rosbag/index.js";

const repoRoot = resolve(import.meta.dirname, "../..");
const HUSKY_BAG = resolve(repoRoot, "../shared/data/husky/test1.bag");
const HUSKY_MCAP = resolve(repoRoot, "../shared/data/husky/test1_ros2.mcap");
const tmp = mkdtempSync(join(tmpdir(), "lam-rosbag-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const channel = (d: RosDrive, name: string) => {
  const c = d.channels.find((x) => x.name === name);
  if (!c) throw new Error(`no channel ${name} in ${d.channels.map((x) => x.name).join(", ")}`);
  return c;
};

/** Every channel of `part` is a prefix of the same channel in `full`: nothing before a fault is lost or altered. */
function expectPrefixOf(part: RosDrive, full: RosDrive): void {
  for (const c of part.channels) {
    const f = channel(full, c.name);
    expect(Array.from(c.t), c.name).toEqual(Array.from(f.t.subarray(0, c.t.length)));
    expect(Array.from(c.values), c.name).toEqual(Array.from(f.values.subarray(0, c.t.length)));
  }
}

let bag: RosDrive;
let mcap: RosDrive;
beforeAll(async () => {
  [bag, mcap] = await Promise.all([loadRosbagDrive(HUSKY_BAG), loadMcapDrive(HUSKY_MCAP)]);
});

describe("loadRosbagDrive on the Husky ROS 1 bag (bz2 chunks)", () => {
  it("reads all 16,806 messages with the bag's own definitions, nothing rejected", () => {
    expect(bag.format).toBe("rosbag1");
    expect(Object.fromEntries(bag.topics.map((t) => [t.topic, [t.type, t.messages]]))).toEqual({
      "/imu/data": ["sensor_msgs/Imu", 11865],
      "/husky_velocity_controller/odom": ["nav_msgs/Odometry", 3952],
      "/fix": ["sensor_msgs/NavSatFix", 989],
    });
    expect(bag.rejected).toEqual({});
    expect(bag.issues).toEqual([]);
  });

  it("matches the MCAP conversion of the same drive: same channels, counts, and equal values at equal stamps", () => {
    expect(bag.channels.map((c) => [c.name, c.unit, c.source, c.t.length])).toEqual(mcap.channels.map((c) => [c.name, c.unit, c.source, c.t.length]));
    for (const c of bag.channels) {
      const m = channel(mcap, c.name);
      expect(Array.from(c.t), c.name).toEqual(Array.from(m.t));
      expect(Array.from(c.values), c.name).toEqual(Array.from(m.values));
    }
  });

  it("with the Husky IMU mount, IMU yaw rate follows odometry yaw rate (and does not without it)", async () => {
    // The Husky's imu_link has y up (gravity reads +9.79 m/s² on y): base x = -imu z, base y = -imu x, base z = imu y.
    const mount = quaternionFromMatrix([[0, 0, -1], [-1, 0, 0], [0, 1, 0]]);
    const mounted = await loadMcapDrive(HUSKY_MCAP, { topics: { "/imu/data": { mount } } });
    const corr = (d: RosDrive) => {
      const odom = channel(d, "yaw_rate@odom");
      const imu = channel(d, "yaw_rate");
      const a: number[] = [];
      const b: number[] = [];
      let j = 0;
      for (let i = 0; i < odom.t.length; i++) {
        while (j < imu.t.length - 1 && imu.t[j + 1] <= odom.t[i]) j++;
        a.push(odom.values[i]);
        b.push(imu.values[j]);
      }
      const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
      const ma = mean(a);
      const mb = mean(b);
      let sab = 0, saa = 0, sbb = 0;
      for (let i = 0; i < a.length; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) ** 2;
        sbb += (b[i] - mb) ** 2;
      }
      return sab / Math.sqrt(saa * sbb);
    };
    expect(corr(mounted)).toBeGreaterThan(0.8);
    expect(Math.abs(corr(mcap))).toBeLessThan(0.1);
    const vert = channel(mounted, "vert_accel").values;
    expect(vert.reduce((s, v) => s + v, 0) / vert.length).toBeCloseTo(9.79, 1);
  });
});

describe("loadRosbagDrive on damaged bags", () => {
  it("a bag cut in half loads every complete chunk before the cut, naming the missing index and the cut offset", async () => {
    const bytes = readFileSync(HUSKY_BAG);
    const path = join(tmp, "half.bag");
    writeFileSync(path, bytes.subarray(0, bytes.byteLength >> 1));
    const part = await loadRosbagDrive(path);
    expect(part.issues.map((i) => i.where)).toEqual([`${path}@1460552`, expect.stringMatching(new RegExp(`^${path}@\\d+$`))]);
    expect(part.issues[0].message).toContain("the bag index cannot be read (index at byte 1460552, file is 735417 bytes)");
    const offset = Number(part.issues[1].where.split("@")[1]);
    expect(offset).toBeLessThan(735417);
    expect(part.issues[1].message).toContain(`record at byte offset ${offset}`);
    const n = channel(part, "yaw_rate").t.length;
    expect(n).toBeGreaterThan(11865 * 0.3);
    expect(n).toBeLessThan(11865 * 0.5);
    expectPrefixOf(part, bag);
  });

  it("a bag its recorder never closed (no index in the header) is read record by record", async () => {
    const bytes = Buffer.from(readFileSync(HUSKY_BAG));
    for (const field of ["index_pos=", "conn_count=", "chunk_count="]) {
      const at = bytes.indexOf(field, 13);
      expect(at).toBeGreaterThan(0);
      bytes.fill(0, at + field.length, at + field.length + (field === "index_pos=" ? 8 : 4));
    }
    const path = join(tmp, "unclosed.bag");
    writeFileSync(path, bytes);
    const d = await loadRosbagDrive(path);
    expect(d.issues).toHaveLength(1);
    expect(d.issues[0].message).toContain("the bag was not closed");
    expect(d.topics.reduce((s, t) => s + t.messages, 0)).toBe(16806);
    expectPrefixOf(d, bag);
    expect(d.channels.map((c) => c.t.length)).toEqual(bag.channels.map((c) => c.t.length));
  });

  it("reads lz4 chunks (roslz4 writes LZ4 frames): the drive recompressed as lz4 gives the same channels", async () => {
    // Rewrite every bz2 chunk as an LZ4 frame of stored blocks (header 04224D18 6070 73: version 1,
    // independent blocks, 4 MiB max; high bit of a block size = stored). Chunk sizes change, so the index
    // would be stale: the header's index is cleared and the bag is read record by record.
    const src = readFileSync(HUSKY_BAG);
    const { bz2 } = await bagDecompressors();
    const out: Buffer[] = [src.subarray(0, 13)];
    const record = (fields: [string, Uint8Array][], data: Uint8Array) => {
      const parts = fields.map(([k, v]) => {
        const f = Buffer.concat([Buffer.from(`${k}=`), v]);
        const len = Buffer.alloc(4);
        len.writeInt32LE(f.length);
        return Buffer.concat([len, f]);
      });
      const header = Buffer.concat(parts);
      const lens = [Buffer.alloc(4), Buffer.alloc(4)];
      lens[0].writeInt32LE(header.length);
      lens[1].writeInt32LE(data.length);
      return Buffer.concat([lens[0], header, lens[1], data]);
    };
    const lz4Frame = (raw: Uint8Array) => {
      const blocks: Buffer[] = [Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x70, 0x73])];
      for (let p = 0; p < raw.length; p += 4 << 20) {
        const block = raw.subarray(p, Math.min(raw.length, p + (4 << 20)));
        const size = Buffer.alloc(4);
        size.writeUInt32LE((block.length | 0x80000000) >>> 0);
        blocks.push(size, Buffer.from(block));
      }
      blocks.push(Buffer.alloc(4));
      return Buffer.concat(blocks);
    };
    let chunks = 0;
    for (let pos = 13; pos < src.length; ) {
      const hl = src.readInt32LE(pos);
      const dl = src.readInt32LE(pos + 4 + hl);
      const end = pos + 8 + hl + dl;
      const fields = parseFields(src.subarray(pos + 4, pos + 4 + hl));
      const op = fields.get("op")![0];
      const data = src.subarray(pos + 8 + hl, end);
      if (op === 0x03) {
        const zeroed: [string, Uint8Array][] = [...fields].map(([k, v]) => [k, ["index_pos", "conn_count", "chunk_count"].includes(k) ? new Uint8Array(v.length) : v]);
        out.push(record(zeroed, data));
      } else if (op === 0x05) {
        const size = fields.get("size")!;
        const raw = bz2(data, Buffer.from(size).readUInt32LE(0));
        out.push(record([["op", Uint8Array.of(0x05)], ["compression", Buffer.from("lz4")], ["size", size]], lz4Frame(raw)));
        chunks++;
      } else if (op === 0x04) {
        out.push(src.subarray(pos, end));
      }
      pos = end;
    }
    expect(chunks).toBe(10);
    const path = join(tmp, "lz4.bag");
    writeFileSync(path, Buffer.concat(out));
    const d = await loadRosbagDrive(path);
    expect(d.issues.map((i) => i.message)).toEqual([expect.stringContaining("the bag was not closed")]);
    expect(d.channels.map((c) => c.t.length)).toEqual(bag.channels.map((c) => c.t.length));
    expectPrefixOf(d, bag);
  });

  it("a corrupt chunk is reported by its offset and skipped; the other chunks are kept", async () => {
    const bytes = Buffer.from(readFileSync(HUSKY_BAG));
    const chunkAt = 158622; // second chunk (see bag.chunkInfos)
    bytes.fill(0x55, chunkAt + 2000, chunkAt + 2100);
    const path = join(tmp, "corrupt-chunk.bag");
    writeFileSync(path, bytes);
    const d = await loadRosbagDrive(path);
    expect(d.issues).toHaveLength(1);
    expect(d.issues[0].where).toBe(`${path}@${chunkAt}`);
    expect(d.issues[0].message).toMatch(/^chunk at byte 158622 cannot be read \(bz2 decompression of \d+ bytes to \d+ failed: Data error\); its 1761 messages were skipped$/);
    const got = channel(d, "yaw_rate").t.length;
    expect(got).toBeLessThan(11865);
    expect(got).toBeGreaterThan(11865 * 0.8);
  });

  it("refuses a file that is not a bag, naming it", async () => {
    await expect(loadRosbagDrive(HUSKY_MCAP)).rejects.toThrow(/test1_ros2\.mcap: not a ROS 1 bag v2\.0/);
  });
});
