// Issue 8, reproduction 10: `lam run` as a real process, stopped by signals while its broker has stopped answering.
// Before: after SIGINT the process hung (the sink waited forever for acknowledgements) and a SIGTERM after it was
// swallowed (the first signal's handler for the other signal stayed installed and did nothing).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MOSQUITTO_BIN } from "../support/mosquitto.js";
import { startPausableMosquitto, type PausableMosquitto } from "../support/mosquitto-pause.js";
import { writeTinyModel } from "./live-support.js";

const root = resolve(__dirname, "../..");
let modelDir: string;
let broker: PausableMosquitto;

beforeAll(async () => {
  modelDir = mkdtempSync(join(tmpdir(), "lam-shutdown-model-"));
  await writeTinyModel(modelDir);
  broker = await startPausableMosquitto();
});
afterAll(async () => {
  await broker?.stop();
});

interface Lam {
  readonly proc: ChildProcess;
  stderr(): string;
  /** Resolves with the exit code (or signal) and when it came. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** The CLI entry (runtime/cli.ts, as the lam bin runs it) in its own process. */
function lamProcess(...args: string[]): Lam {
  const proc = spawn(process.execPath, ["--import", "tsx", resolve(root, "runtime/cli.ts"), ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  proc.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  proc.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((r) =>
    proc.once("exit", (code, signal) => r({ code, signal, at: performance.now() })),
  );
  return { proc, stderr: () => err, exited };
}

async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Exit within `ms`, or kill it and fail: the old code hung here. */
async function exitWithin(lam: Lam, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }> {
  const late = new Promise<"late">((r) => setTimeout(() => r("late"), ms));
  const r = await Promise.race([lam.exited, late]);
  if (r === "late") {
    lam.proc.kill("SIGKILL");
    throw new Error(`lam run still running ${ms} ms after the signal:\n${lam.stderr()}`);
  }
  return r;
}

/** The retained status of `vehicle`, read by a fresh client. */
async function retainedStatus(vehicle: string): Promise<{ state: string; detail?: string }> {
  const c = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
  const got = new Promise<{ state: string; detail?: string }>((r) => c.on("message", (_t, p) => r(JSON.parse(p.toString()))));
  await c.subscribeAsync(`lam/${vehicle}/status`, { qos: 1 });
  const s = await Promise.race([got, new Promise<never>((_, j) => setTimeout(() => j(new Error("no retained status")), 5000))]);
  await c.endAsync();
  return s;
}

async function commanding(vehicle: string): Promise<Lam> {
  const lam = lamProcess("run", "--demo", "--mqtt", broker.url, "--vehicle", vehicle, "--codec", "json", "--model", modelDir);
  await until("the node to command", () => lam.stderr().includes("status online: commanding"), 90_000);
  return lam;
}

describe.skipIf(!MOSQUITTO_BIN)("lam run stops on signals within a bounded time (reproduction 10)", () => {
  it("SIGINT with a healthy broker: exit 0 in well under the grace period, offline retained", async () => {
    const lam = await commanding("sd-ok");
    const t0 = performance.now();
    lam.proc.kill("SIGINT");
    const r = await exitWithin(lam, 8000);
    expect(r.code, lam.stderr()).toBe(0);
    expect(r.at - t0).toBeLessThan(4000);
    expect(lam.stderr()).toContain("stopping (SIGINT)");
    expect((await retainedStatus("sd-ok")).state).toBe("offline");
  }, 120_000);

  it("SIGINT while the broker answers nothing: the process still ends within the 5 s grace period; offline once the broker is back", async () => {
    const lam = await commanding("sd-hung");
    broker.pause();
    try {
      // Commands (QoS 1) go out and are never acknowledged.
      await new Promise((r) => setTimeout(r, 500));
      const t0 = performance.now();
      lam.proc.kill("SIGINT");
      const r = await exitWithin(lam, 12_000);
      expect(r.at - t0, lam.stderr()).toBeLessThan(7000);
      expect(lam.stderr()).toContain("stopping (SIGINT)");
    } finally {
      broker.resume();
    }
    // What lam wrote before it went (its "offline", or the broker's last will for it) is retained.
    expect((await retainedStatus("sd-hung")).state).toBe("offline");
  }, 120_000);

  it("SIGTERM after SIGINT ends the process at once (the first signal does not swallow the second)", async () => {
    const lam = await commanding("sd-term");
    broker.pause();
    try {
      await new Promise((r) => setTimeout(r, 500));
      lam.proc.kill("SIGINT");
      await new Promise((r) => setTimeout(r, 1000));
      const t0 = performance.now();
      lam.proc.kill("SIGTERM");
      const r = await exitWithin(lam, 10_000);
      expect(r.at - t0, lam.stderr()).toBeLessThan(1500);
      expect(r.code ?? r.signal).toBe(143);
      expect(lam.stderr()).toContain("SIGTERM while stopping: exiting now");
    } finally {
      broker.resume();
    }
    expect((await retainedStatus("sd-term")).state).toBe("offline");
  }, 120_000);
});
