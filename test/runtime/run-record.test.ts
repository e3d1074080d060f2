// lam run --record FILE.mcap: what the live node computes, through lam replay's recorder, in a file the standard
// reader opens after the process was stopped by SIGINT or SIGTERM (the summary and footer are written on close).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { McapIndexedReader, type McapTypes } from "@mcap/core";
import { loadDecompressHandlers } from "@mcap/support";
import { beforeAll, describe, expect, it } from "vitest";
import run from "../../runtime/commands/run.js";
import { writeTinyModel } from "./live-support.js";

const root = resolve(__dirname, "../..");
let modelDir: string;
let tmp: string;
beforeAll(async () => {
  modelDir = mkdtempSync(join(tmpdir(), "lam-record-model-"));
  await writeTinyModel(modelDir);
  tmp = mkdtempSync(join(tmpdir(), "lam-record-"));
});

const memoryReadable = (bytes: Uint8Array): McapTypes.IReadable => ({ size: async () => BigInt(bytes.byteLength), read: async (o, n) => bytes.subarray(Number(o), Number(o + n)) });

async function until(what: string, ok: () => boolean, ms: number, log: () => string): Promise<void> {
  for (const t0 = Date.now(); !ok(); ) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("lam run --record FILE.mcap", () => {
  it.each(["SIGINT", "SIGTERM"] as const)("records frames, predictions and commands; closed and readable after %s", async (signal) => {
    const file = join(tmp, `${signal}.mcap`);
    // The CLI entry in its own process, its own broker on a free port, the demo vehicle feeding it.
    const proc = spawn(process.execPath, ["--import", "tsx", resolve(root, "runtime/cli.ts"), "run", "--demo", "--broker-port", "0", "--model", modelDir, "--record", file], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    proc.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    proc.stdout!.resume();
    let gone = false;
    const exited = new Promise<number | null>((r) => proc.once("exit", (code) => ((gone = true), r(code))));
    try {
      await until("the node to command", () => err.includes("status online: commanding") || gone, 90_000, () => err);
      expect(gone, err).toBe(false);
      await new Promise((r) => setTimeout(r, 1500));
      proc.kill(signal);
      const code = await Promise.race([exited, new Promise<"late">((r) => setTimeout(() => r("late"), 10_000))]);
      expect(code, err).toBe(0);
    } finally {
      proc.kill("SIGKILL");
    }
    const recorded = Number(/recorded (\d+) ticks to /.exec(err)?.[1]);
    expect(recorded, err).toBeGreaterThan(10);

    // The indexed reader needs the summary and footer: only a file closed on the signal opens.
    const reader = await McapIndexedReader.Initialize({ readable: memoryReadable(readFileSync(file)), decompressHandlers: await loadDecompressHandlers() });
    const topics = new Map([...reader.channelsById.values()].map((c) => [c.id, c.topic]));
    const count: Record<string, number> = {};
    let last = -1n;
    for await (const msg of reader.readMessages({ topics: ["/lam/command"] })) {
      const cmd = JSON.parse(new TextDecoder().decode(msg.data)) as { values: Record<string, number> };
      expect(Object.values(cmd.values).every(Number.isFinite)).toBe(true);
      expect(msg.logTime).toBeGreaterThanOrEqual(last);
      last = msg.logTime;
    }
    for await (const msg of reader.readMessages()) count[topics.get(msg.channelId)!] = (count[topics.get(msg.channelId)!] ?? 0) + 1;
    // One frame and one command per tick the node made, the last one included.
    expect(count["/lam/frame"]).toBe(recorded);
    expect(count["/lam/command"]).toBe(recorded);
    expect(count["/lam/prediction"]).toBeGreaterThan(0);
    // Live frames are stamped on the wall clock (Unix s): the log times are now-ish, not the drive's 0.
    expect(Number(last) / 1e9).toBeGreaterThan(Date.now() / 1000 - 600);
  }, 150_000);

  it("a path it cannot write fails before any broker or bridge starts, naming the path", async () => {
    let err = "";
    const io = { stdout: { write: () => true }, stderr: { write: (x: string) => void (err += x) } };
    const bad = join(tmp, "no-such-dir", "x.mcap");
    await expect(run(["--broker-port", "0", "--model", modelDir, "--record", bad, "--duration", "1"], io)).rejects.toThrow(bad);
    expect(err).not.toMatch(/MQTT|broker/);
  }, 60_000);
});
