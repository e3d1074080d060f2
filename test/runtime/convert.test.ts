import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { McapIndexedReader } from "@mcap/core";
import { loadDecompressHandlers } from "@mcap/support";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDrive } from "../../bridges/drive.js";
import { FileReadable } from "../../bridges/mcap/file-readable.js";
import { McapSink } from "../../bridges/mcap/writer.js";
import { SAMPLE_SCHEMA, loadCanonicalMcap } from "../../bridges/canonical/index.js";
import type { Drive } from "../../perception/types.js";
import { main } from "../../runtime/main.js";

const DATA = resolve(__dirname, "../../../shared/data");
const HUSKY = join(DATA, "husky/test1_ros2.mcap");
const DS1 = join(DATA, "f1tenth/DS1");

async function lam(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } });
  return { code, out: out.join(""), err: err.join("") };
}

interface InspectJson {
  channels: { name: string; samples: number; min: number | null; max: number | null }[];
}

async function inspectRows(path: string) {
  const r = await lam("inspect", path, "--json");
  expect(r.code, r.err).toBe(0);
  return (JSON.parse(r.out) as InspectJson).channels.map((c) => [c.name, c.samples, c.min, c.max]);
}

/** Channel by channel: same names, and bit-identical times and values. */
function expectSameSamples(a: Drive, b: Drive) {
  expect(b.channels.map((c) => c.name).sort()).toEqual(a.channels.map((c) => c.name).sort());
  for (const ca of a.channels) {
    const cb = b.channels.find((c) => c.name === ca.name)!;
    expect(cb.t.length, ca.name).toBe(ca.t.length);
    expect(Buffer.from(cb.t.buffer, cb.t.byteOffset, cb.t.byteLength).equals(Buffer.from(ca.t.buffer, ca.t.byteOffset, ca.t.byteLength)), `${ca.name} t`).toBe(true);
    expect(Buffer.from(cb.values.buffer, cb.values.byteOffset, cb.values.byteLength).equals(Buffer.from(ca.values.buffer, ca.values.byteOffset, ca.values.byteLength)), `${ca.name} values`).toBe(true);
  }
}

describe("lam convert: canonical MCAP and CSV that lam inspect reads back unchanged", () => {
  const dir = mkdtempSync(join(tmpdir(), "lam-convert-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let husky: Drive;
  beforeAll(async () => {
    husky = await loadDrive(HUSKY);
  });

  it("the Husky ROS 2 MCAP → .mcap and .csv: same channels, counts, ranges, and the very same Float64 samples", async () => {
    const mcap = join(dir, "husky.mcap");
    const csv = join(dir, "husky.csv");
    const r = await lam("convert", HUSKY, "--out", mcap, "--json");
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { format: string; channels: Record<string, number> };
    expect(j.format).toBe("mcap");
    expect(j.channels).toEqual(Object.fromEntries(husky.channels.map((c) => [c.name, c.t.length])));
    expect((await lam("convert", HUSKY, "--out", csv)).code).toBe(0);

    const original = await inspectRows(HUSKY);
    expect(await inspectRows(mcap)).toEqual(original);
    expect(await inspectRows(csv)).toEqual(original);
    expectSameSamples(husky, await loadDrive(mcap));
    expectSameSamples(husky, await loadDrive(csv));
  });

  it("a CSV folder (F1TENTH DS1, built-in map) → .mcap keeps every sample; the same drive gives the same bytes", async () => {
    const a = join(dir, "ds1-a.mcap");
    const b = join(dir, "ds1-b.mcap");
    expect((await lam("convert", DS1, "--out", a)).code).toBe(0);
    expect((await lam("convert", DS1, "--out", b, "--map", "f1tenth")).code).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    const drive = await loadDrive(DS1);
    expectSameSamples(drive, await loadDrive(a));
    expect(await inspectRows(a)).toEqual(await inspectRows(DS1));
  });

  it("the canonical MCAP is a standard indexed MCAP: /lam/in/<channel> JSON topics with a JSON Schema", async () => {
    const path = join(dir, "husky.mcap");
    const handle = await open(path, "r");
    try {
      const reader = await McapIndexedReader.Initialize({ readable: new FileReadable(handle, (await handle.stat()).size), decompressHandlers: await loadDecompressHandlers() });
      const topics = [...reader.channelsById.values()].map((c) => c.topic).sort();
      expect(topics).toEqual(husky.channels.map((c) => `/lam/in/${c.name}`).sort());
      for (const c of reader.channelsById.values()) {
        expect(c.messageEncoding).toBe("json");
        const schema = reader.schemasById.get(c.schemaId)!;
        expect(schema.encoding).toBe("jsonschema");
        expect(JSON.parse(new TextDecoder().decode(schema.data))).toEqual(SAMPLE_SCHEMA);
      }
      let n = 0;
      let last = -1n;
      for await (const m of reader.readMessages()) {
        const msg = JSON.parse(new TextDecoder().decode(m.data)) as { t: number; value: number };
        expect(typeof msg.t).toBe("number");
        expect(m.logTime >= last).toBe(true);
        last = m.logTime;
        n++;
      }
      expect(n).toBe(husky.channels.reduce((s, c) => s + c.t.length, 0));
    } finally {
      await handle.close();
    }
  });

  it("bad messages in a canonical MCAP are counted and named; the good samples beside them are kept", async () => {
    const path = join(dir, "bad.mcap");
    const sink = await McapSink.create(path);
    const speed = await sink.addJsonChannel("/lam/in/speed", "lam.Sample", SAMPLE_SCHEMA);
    await sink.write(speed, 1_000_000_000n, { t: 1, value: 2 });
    await sink.write(speed, 2_000_000_000n, { t: "2", value: 3 });
    await sink.write(speed, 3_000_000_000n, { t: 3, value: null });
    await sink.write(speed, 4_000_000_000n, { t: 4, value: 5 });
    await sink.close();
    const d = (await loadCanonicalMcap(path))!;
    expect(d.channels[0].name).toBe("speed");
    expect(Array.from(d.channels[0].t)).toEqual([1, 4]);
    expect(Array.from(d.channels[0].values)).toEqual([2, 5]);
    expect(d.rejected.speed).toEqual({ malformed: 2 });
    expect(d.issues[0].message).toMatch(/\/lam\/in\/speed#1: expected \{ t: number, value: number \}, got \{"t":"2","value":3\}/);
  });

  it("an MCAP that is not canonical (a ROS 2 recording) is left to the ROS importer", async () => {
    expect(await loadCanonicalMcap(HUSKY)).toBeUndefined();
  });

  it("refuses an output name without .mcap/.csv, a missing --out, and overwriting without --force", async () => {
    expect((await lam("convert", DS1, "--out", join(dir, "x.json"))).code).toBe(2);
    expect((await lam("convert", DS1)).code).toBe(2);
    const existing = join(dir, "exists.csv");
    writeFileSync(existing, "t,speed\n0,1\n");
    const r = await lam("convert", DS1, "--out", existing);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/exists; --force/);
    expect((await lam("convert", DS1, "--out", existing, "--force")).code).toBe(0);
  });
});
