import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { McapStreamReader, type TypedMcapRecord } from "@mcap/core";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { McapSink } from "../../bridges/mcap/index.js";

// The MCAP header (and everything else in the file) must not depend on the wall clock: equal inputs give equal
// bytes. Two files written "within one second" cannot show a clock of one-second resolution, so the clock is set
// here: the same file written an hour and a few milliseconds apart must come out byte for byte the same.

const tmp = mkdtempSync(join(tmpdir(), "lam-mcap-header-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => vi.useRealTimers());

async function writeAt(isoTime: string, name: string, options?: { profile?: string; library?: string }): Promise<Buffer> {
  // Only Date is faked: file I/O keeps its real timers.
  vi.useFakeTimers({ toFake: ["Date"], now: new Date(isoTime) });
  const path = join(tmp, name);
  const sink = await McapSink.create(path, options);
  const ch = await sink.addJsonChannel("/lam/command", "lam.Command");
  for (let i = 0; i < 3; i++) await sink.write(ch, BigInt(i) * 50_000_000n, { t: i * 0.05, values: { steer_cmd: i } });
  await sink.close();
  vi.useRealTimers();
  return readFileSync(path);
}

function records(bytes: Uint8Array): TypedMcapRecord[] {
  const reader = new McapStreamReader();
  reader.append(bytes);
  const out: TypedMcapRecord[] = [];
  for (let r; (r = reader.nextRecord()); ) out.push(r);
  expect(reader.done()).toBe(true);
  return out;
}

describe("MCAP header", () => {
  it("holds exactly the profile and library asked for: no version, no date", async () => {
    const plain = records(await writeAt("2030-01-01T00:00:00.000Z", "plain.mcap"));
    expect(plain[0]).toEqual({ type: "Header", profile: "", library: "lam" });
    const ros2 = records(await writeAt("2030-01-01T00:00:00.000Z", "ros2.mcap", { profile: "ros2", library: "lam-test" }));
    expect(ros2[0]).toEqual({ type: "Header", profile: "ros2", library: "lam-test" });
    // No metadata record carries a time either.
    expect(plain.filter((r) => r.type === "Metadata")).toEqual([]);
  });

  it.each([
    ["an hour apart", "2030-01-01T00:00:00.000Z", "2030-01-01T01:00:00.000Z"],
    ["in different seconds, 2 ms apart", "2030-01-01T00:00:00.999Z", "2030-01-01T00:00:01.001Z"],
    ["in the same second, 1 ms apart", "2030-01-01T00:00:00.100Z", "2030-01-01T00:00:00.101Z"],
  ])("gives the same bytes for files written %s", async (_, a, b) => {
    const x = await writeAt(a, "a.mcap");
    const y = await writeAt(b, "b.mcap");
    expect(x.equals(y)).toBe(true);
  });
});
