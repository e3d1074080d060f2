// Ingress: MCAP and ROS 1 bag bytes. Small seed recordings are cut from the real Husky drive (its first messages
// on every topic, re-written: an indexed MCAP with 4 KB uncompressed chunks, and an indexed bag with one
// uncompressed chunk), then mutated (bit flips, overwritten runs, huge length fields, cuts, inserted or deleted
// spans, splices) and loaded from a temp file through loadMcapDrive / loadRosbagDrive as `lam inspect` does.
// A plain Error naming the file is a rejection ("refused"); a load that keeps data but reports file issues is
// "damaged"; a TypeError/RangeError/etc. escaping the loader, a hang, or a non-finite value kept is a crash.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bag } from "@foxglove/rosbag";
import { McapIndexedReader, McapWriter, TempBuffer } from "@mcap/core";
import { loadMcapDrive } from "../../bridges/mcap/index.js";
import { bagDecompressors, BagFile, loadRosbagDrive } from "../../bridges/rosbag/index.js";
import type { Drive } from "../../perception/types.js";
import type { Rng } from "./rng.js";
import { show, Tally, type IngressReport } from "./tally.js";

const PER_TOPIC = 4;
const HANG_MS = 20_000;

/** The first PER_TOPIC messages of every topic of the real MCAP, re-written small (4 KB chunks, uncompressed). */
export async function mcapSeed(path: string): Promise<Uint8Array> {
  const src = await McapIndexedReader.Initialize({ readable: new TempBuffer(await readFile(path)) });
  const out = new TempBuffer();
  const writer = new McapWriter({ writable: out, chunkSize: 4096 });
  await writer.start({ profile: src.header.profile, library: "lam fuzz seed" });
  const schemaIds = new Map<number, number>();
  const channelIds = new Map<number, number>();
  for (const s of src.schemasById.values()) schemaIds.set(s.id, await writer.registerSchema({ name: s.name, encoding: s.encoding, data: s.data }));
  for (const c of src.channelsById.values()) {
    channelIds.set(c.id, await writer.registerChannel({ topic: c.topic, messageEncoding: c.messageEncoding, schemaId: schemaIds.get(c.schemaId) ?? 0, metadata: c.metadata }));
  }
  const taken = new Map<number, number>();
  for await (const m of src.readMessages()) {
    const n = taken.get(m.channelId) ?? 0;
    if (n >= PER_TOPIC) {
      if ([...channelIds.keys()].every((id) => (taken.get(id) ?? 0) >= PER_TOPIC)) break;
      continue;
    }
    taken.set(m.channelId, n + 1);
    await writer.addMessage({ ...m, channelId: channelIds.get(m.channelId)! });
  }
  await writer.end();
  return out.get();
}

function record(fields: Record<string, Uint8Array | string>, data: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    const f = Buffer.concat([Buffer.from(`${k}=`), Buffer.from(v)]);
    const len = Buffer.alloc(4);
    len.writeInt32LE(f.length);
    parts.push(len, f);
  }
  const header = Buffer.concat(parts);
  const hl = Buffer.alloc(4);
  hl.writeInt32LE(header.length);
  const dl = Buffer.alloc(4);
  dl.writeInt32LE(data.byteLength);
  return Buffer.concat([hl, header, dl, Buffer.from(data)]);
}

const u32 = (x: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(x >>> 0);
  return b;
};
const u64 = (x: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(x));
  return b;
};
const time = (sec: number, nsec: number) => Buffer.concat([u32(sec), u32(nsec)]);

/** The first PER_TOPIC messages of every topic of the real bag, re-written as a v2.0 bag with one uncompressed chunk and its index. */
export async function bagSeed(path: string): Promise<Uint8Array> {
  const file = await BagFile.open(path);
  try {
    const decompress = await bagDecompressors();
    const bag = new Bag(file, { decompress, parse: false });
    await bag.open();
    const conns = [...bag.connections.values()];
    const msgs: { conn: number; sec: number; nsec: number; data: Uint8Array }[] = [];
    const taken = new Map<string, number>();
    const byTopic = new Map(conns.map((c) => [c.topic, c.conn]));
    await bag.readMessages({ decompress, topics: conns.map((c) => c.topic), endTime: { sec: bag.startTime!.sec + 10, nsec: 0 } }, (r) => {
      const n = taken.get(r.topic) ?? 0;
      if (n >= PER_TOPIC) return;
      taken.set(r.topic, n + 1);
      msgs.push({ conn: byTopic.get(r.topic)!, sec: r.timestamp.sec, nsec: r.timestamp.nsec, data: Uint8Array.from(r.data) });
    });
    const connRecord = (c: (typeof conns)[number]) =>
      record({ op: Buffer.from([0x07]), conn: u32(c.conn), topic: c.topic }, Buffer.concat([record({ topic: c.topic, type: c.type ?? "", md5sum: c.md5sum ?? "*", message_definition: c.messageDefinition }, new Uint8Array(0)).subarray(4, -4)]));
    // Chunk: connections then messages; offsets of messages within the chunk for the index.
    const inChunk: Buffer[] = conns.map(connRecord);
    let offset = inChunk.reduce((n, b) => n + b.length, 0);
    const index = new Map<number, Buffer[]>();
    for (const m of msgs) {
      const r = record({ op: Buffer.from([0x02]), conn: u32(m.conn), time: time(m.sec, m.nsec) }, m.data);
      (index.get(m.conn) ?? index.set(m.conn, []).get(m.conn)!).push(Buffer.concat([time(m.sec, m.nsec), u32(offset)]));
      inChunk.push(r);
      offset += r.length;
    }
    const records = Buffer.concat(inChunk);
    const magic = Buffer.from("#ROSBAG V2.0\n");
    const HEADER_LEN = 4096;
    const chunkPos = magic.length + HEADER_LEN;
    const chunk = record({ op: Buffer.from([0x05]), compression: "none", size: u32(records.length) }, records);
    const indexData = [...index].map(([conn, entries]) => record({ op: Buffer.from([0x04]), ver: u32(1), conn: u32(conn), count: u32(entries.length) }, Buffer.concat(entries)));
    const indexPos = chunkPos + chunk.length + indexData.reduce((n, b) => n + b.length, 0);
    const start = msgs.reduce((a, m) => (m.sec < a.sec || (m.sec === a.sec && m.nsec < a.nsec) ? m : a), msgs[0]!);
    const end = msgs.reduce((a, m) => (m.sec > a.sec || (m.sec === a.sec && m.nsec > a.nsec) ? m : a), msgs[0]!);
    const chunkInfo = record(
      { op: Buffer.from([0x06]), ver: u32(1), chunk_pos: u64(chunkPos), start_time: time(start.sec, start.nsec), end_time: time(end.sec, end.nsec), count: u32(index.size) },
      Buffer.concat([...index].flatMap(([conn, e]) => [u32(conn), u32(e.length)])),
    );
    const headFields = record({ op: Buffer.from([0x03]), index_pos: u64(indexPos), conn_count: u32(conns.length), chunk_count: u32(1) }, new Uint8Array(0));
    const pad = HEADER_LEN - headFields.length;
    const header = record({ op: Buffer.from([0x03]), index_pos: u64(indexPos), conn_count: u32(conns.length), chunk_count: u32(1) }, Buffer.alloc(pad, 0x20));
    return Buffer.concat([magic, header, chunk, ...indexData, ...conns.map(connRecord), chunkInfo]);
  } finally {
    await file.close();
  }
}

/** One mutation of `seed` (or a splice with `other`). */
export function mutateBytes(rng: Rng, seed: Uint8Array, other: Uint8Array): Uint8Array {
  const b = Buffer.from(seed);
  const at = () => rng.int(b.length);
  switch (rng.int(9)) {
    case 0:
      for (let k = 1 + rng.int(8); k > 0; k--) {
        const i = at();
        b[i] = b[i]! ^ (1 << rng.int(8));
      }
      return b;
    case 1: {
      const i = at();
      b.fill(rng.pick([0, 0xff, rng.int(256)]), i, Math.min(b.length, i + 1 + rng.int(256)));
      return b;
    }
    case 2: {
      // A length field gone huge or negative: u32/u64 patterns at a random offset.
      const i = at();
      const v = rng.pick([0xffffffff, 0x7fffffff, 0x80000000, 0x10000000, 0]);
      if (i + 8 <= b.length) rng.chance(0.5) ? b.writeUInt32LE(v, i) : b.writeBigUInt64LE(BigInt(v) * (rng.chance(0.5) ? 1n : 0x100000000n), i);
      return b;
    }
    case 3:
      return b.subarray(0, at());
    case 4: {
      const i = at();
      return Buffer.concat([b.subarray(0, i), Buffer.from(rng.bytes(1 + rng.int(64))), b.subarray(i)]);
    }
    case 5: {
      const i = at();
      return Buffer.concat([b.subarray(0, i), b.subarray(Math.min(b.length, i + 1 + rng.int(512)))]);
    }
    case 6: {
      const i = at();
      const j = rng.int(other.length);
      return Buffer.concat([b.subarray(0, i), Buffer.from(other.subarray(j))]);
    }
    case 7: {
      const i = at();
      const n = 1 + rng.int(256);
      return Buffer.concat([b.subarray(0, i + n), b.subarray(i, i + n), b.subarray(i + n)]);
    }
    default:
      for (let k = 1 + rng.int(64); k > 0; k--) b[at()] = rng.int(256);
      return b;
  }
}

function nonFiniteKept(d: Drive): number {
  let bad = 0;
  for (const c of d.channels) for (let i = 0; i < c.t.length; i++) if (!Number.isFinite(c.t[i]) || !Number.isFinite(c.values[i])) bad++;
  return bad;
}

async function fuzzFormat(
  name: string,
  ext: string,
  seed: Uint8Array,
  load: (path: string) => Promise<Drive>,
  rng: Rng,
  inputs: number,
  log: (line: string) => void,
): Promise<IngressReport> {
  const tally = new Tally(name);
  const dir = await mkdtemp(join(tmpdir(), "lam-fuzz-files-"));
  const path = join(dir, `fuzz.${ext}`);
  try {
    for (let i = 0; i < inputs; i++) {
      const bytes = mutateBytes(rng, seed, seed);
      await writeFile(path, bytes);
      tally.inputs++;
      let timer: NodeJS.Timeout | undefined;
      try {
        const d = await Promise.race([load(path), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new HangError()), HANG_MS)))]);
        const damaged = d.issues.some((x) => x.reason === "malformed" && x.where.startsWith(`${path}@`));
        if (damaged) tally.reject("damaged_kept_rest");
        else tally.accepted++;
        const bad = nonFiniteKept(d);
        if (bad) {
          tally.nonfinite += bad;
          if (tally.examples.length < 5) tally.examples.push(`${name}: ${bad} non-finite samples kept ← ${show(bytes)}`);
        }
      } catch (e) {
        if (e instanceof Error && e.constructor === Error) tally.reject("refused");
        else {
          tally.crash(e, `${name} ${show(bytes)}`);
          if (tally.crashes <= 3) await writeFile(join(tmpdir(), `lam-fuzz-crash-${ext}-${tally.crashes}.${ext}`), bytes);
        }
      } finally {
        clearTimeout(timer);
      }
      if ((i + 1) % 10_000 === 0) log(`fuzz: ${name} ${i + 1}/${inputs}: ${JSON.stringify(tally.report())}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return tally.report(`${seed.byteLength}-byte seed from the real Husky drive; mutated copies loaded from a temp file (crash inputs saved as ${tmpdir()}/lam-fuzz-crash-${ext}-N.${ext})`);
}

class HangError extends Error {
  override readonly name = "HangError";
  constructor() {
    super(`load did not finish within ${HANG_MS} ms`);
  }
}

export async function fuzzMcap(rng: Rng, inputs: number, dataDir: string, log: (line: string) => void): Promise<IngressReport> {
  const seed = await mcapSeed(join(dataDir, "husky/test1_ros2.mcap"));
  return fuzzFormat("MCAP bytes", "mcap", seed, (p) => loadMcapDrive(p), rng, inputs, log);
}

export async function fuzzBag(rng: Rng, inputs: number, dataDir: string, log: (line: string) => void): Promise<IngressReport> {
  const seed = await bagSeed(join(dataDir, "husky/test1.bag"));
  return fuzzFormat("ROS 1 bag bytes", "bag", seed, (p) => loadRosbagDrive(p), rng, inputs, log);
}
