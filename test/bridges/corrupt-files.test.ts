import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDrive } from "../../bridges/drive.js";
import { loadMcapDrive } from "../../bridges/mcap/index.js";
import { loadRosbagDrive } from "../../bridges/rosbag/index.js";
import type { Drive } from "../../perception/types.js";
import { main } from "../../runtime/main.js";

// Damaged copies of the real Husky drive (written to a temp dir; ../shared is never touched).
const BAG = new URL("../../../shared/data/husky/test1.bag", import.meta.url).pathname;
const MCAP = new URL("../../../shared/data/husky/test1_ros2.mcap", import.meta.url).pathname;
const FULL_SPAN_S = 395.3;
// Byte layout of the real files (checked below, so a changed data set fails loudly rather than silently).
const BAG_CHUNK = 613_625; // a bz2 chunk in the middle of test1.bag
const BAG_INDEX = 1_460_552; // where test1.bag's index section starts
const MCAP_CHUNK = 2_174_998; // the third (uncompressed) chunk of test1_ros2.mcap

let dir: string;
let bag: Buffer;
let mcap: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lam-corrupt-"));
  [bag, mcap] = await Promise.all([readFile(BAG), readFile(MCAP)]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function damaged(name: string, bytes: Buffer): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, bytes);
  return p;
}

function span(d: Drive): number {
  const t0 = Math.min(...d.channels.map((c) => c.t[0]));
  const t1 = Math.max(...d.channels.map((c) => c.t[c.t.length - 1]));
  return t1 - t0;
}

const messages = (d: Drive) => d.issues.map((i) => i.message).join("\n");

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } } as never);
  return { code, out: out.join(""), err: err.join("") };
}

describe("a corrupt chunk is skipped and reading resumes after it", () => {
  it("the real files have the layout these tests damage", () => {
    expect(bag.subarray(BAG_CHUNK + 4, BAG_CHUNK + 40).toString("latin1")).toContain("compression=bz2");
    expect(bag.subarray(BAG_INDEX + 4, BAG_INDEX + 64).toString("latin1")).toMatch(/op=\x07|op=\x04/);
    expect(mcap[MCAP_CHUNK]).toBe(0x06);
  });

  it("ROS 1 bag without its index, 4 KB zeroed over a chunk header in the middle: the rest of the file is still read", async () => {
    const b = Buffer.from(bag);
    b.fill(0, BAG_CHUNK, BAG_CHUNK + 4096);
    // Cut before the index (a recorder that died), so the bag must be read front to back across the damage.
    const d = await loadRosbagDrive(await damaged("mid-noindex.bag", b.subarray(0, BAG_INDEX)));
    expect(span(d)).toBeGreaterThan(FULL_SPAN_S - 1);
    expect(messages(d)).toMatch(/corrupt record at byte offset \d+: .* bytes skipped, reading resumed at byte \d+/);
  });

  it("ROS 1 bag with its index, 4 KB of garbage in the middle: only that chunk is lost", async () => {
    const b = Buffer.from(bag);
    for (let i = 0; i < 4096; i++) b[735_417 + i] = (i * 131 + 7) & 0xff;
    const d = await loadDrive(await damaged("mid.bag", b));
    expect(span(d)).toBeGreaterThan(FULL_SPAN_S - 1);
    expect(messages(d)).toContain(`chunk at byte ${BAG_CHUNK} cannot be read`);
  });

  it("MCAP, 4 KB of garbage in the middle: the damaged chunk is skipped, the drive still spans the whole recording", async () => {
    // Before: the front-to-back read stopped at the bad chunk, keeping 112.6 of 395.3 s.
    const b = Buffer.from(mcap);
    for (let i = 0; i < 4096; i++) b[3_000_000 + i] = (i * 97 + 3) & 0xff;
    const d = await loadDrive(await damaged("mid.mcap", b));
    expect(span(d)).toBeGreaterThan(FULL_SPAN_S - 1);
    expect(messages(d)).toMatch(new RegExp(`corrupt record at byte offset ${MCAP_CHUNK} of ${b.byteLength}: Incorrect chunk CRC.*reading resumed at byte \\d+`));
  });

  it("MCAP with a chunk header overwritten: resync finds the next chunk", async () => {
    const b = Buffer.from(mcap);
    b.fill(0xee, MCAP_CHUNK, MCAP_CHUNK + 64);
    const d = await loadDrive(await damaged("head.mcap", b));
    expect(span(d)).toBeGreaterThan(FULL_SPAN_S - 1);
    expect(messages(d)).toMatch(new RegExp(`corrupt record at byte offset ${MCAP_CHUNK} .*reading resumed at byte \\d+`));
  });
});

describe("a truncated file says what was lost", () => {
  it("MCAP cut to 100 B: nothing readable is an error naming the byte offset, and lam inspect exits non-zero", async () => {
    const p = await damaged("cut100.mcap", mcap.subarray(0, 100));
    await expect(loadDrive(p)).rejects.toThrow(/nothing readable \(100 bytes.*chunk at byte offset 84/);
    const r = await cli(["inspect", p]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/nothing readable/);
  });

  it("MCAP cut to 4 KB and 1 MB: the complete messages of the cut chunk are kept, and the issues say how many and where the file ends", async () => {
    const small = await loadDrive(await damaged("cut4k.mcap", mcap.subarray(0, 4096)));
    expect(messages(small)).toMatch(/file is truncated: the chunk at byte offset 84 of 4096 .*; \d+ complete messages from it were kept/);
    const d = await loadDrive(await damaged("cut1m.mcap", mcap.subarray(0, 1_000_000)));
    // The first chunk covers the first ~56 s; everything complete before the cut is kept.
    expect(span(d)).toBeGreaterThan(50);
    expect(messages(d)).toMatch(
      /file is truncated: the chunk at byte offset 84 of 1000000 .*; \d{4} complete messages from it were kept, the \d+ bytes after byte \d+ are lost \(\d{4} messages were read before it, log times up to 1432235\d{3}\.\d{9}\)/,
    );
  });

  it("ROS 1 bag cut to 4 KB: nothing readable is an error; cut to 1 MB: what was kept is said", async () => {
    await expect(loadDrive(await damaged("cut4k.bag", bag.subarray(0, 4096)))).rejects.toThrow(/nothing readable \(4096 bytes.*byte offset 13/);
    const d = await loadDrive(await damaged("cut1m.bag", bag.subarray(0, 1_000_000)));
    expect(span(d)).toBeGreaterThan(200);
    expect(messages(d)).toMatch(/record at byte offset \d+ .*every complete record before it was read \(\d+ messages were read, up to time 1432235\d{3} s\)/);
  });
});

describe("non-regular files are refused at once", () => {
  it("a FIFO named .mcap / .bag is refused, not opened (opening blocks forever)", async () => {
    const fifo = join(dir, "pipe.mcap");
    execFileSync("mkfifo", [fifo]);
    await expect(loadDrive(fifo)).rejects.toThrow(/pipe\.mcap: is a FIFO \(named pipe\).*refused/);
    await expect(loadMcapDrive(fifo)).rejects.toThrow(/is a FIFO/);
    const bagFifo = join(dir, "pipe.bag");
    execFileSync("mkfifo", [bagFifo]);
    await expect(loadRosbagDrive(bagFifo)).rejects.toThrow(/is a FIFO/);
    const r = await cli(["inspect", fifo]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/FIFO/);
  }, 5000);

  it("a directory or a device where a recording file is expected", async () => {
    const sub = join(dir, "folder.mcap");
    await mkdir(sub);
    await expect(loadMcapDrive(sub)).rejects.toThrow(/folder\.mcap: is a directory, expected an MCAP file/);
    await expect(loadRosbagDrive(sub)).rejects.toThrow(/is a directory, expected a ROS 1 bag file/);
    await expect(loadDrive("/dev/zero")).rejects.toThrow(/\/dev\/zero: is a character device/);
  });
});
