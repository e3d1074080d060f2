import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createConnection, createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { findTool, missingMessage } from "./require-tool.js";

/** A real Mosquitto broker on a loopback port, for one test file. */
export interface Mosquitto {
  readonly url: string;
  readonly port: number;
  /** Stop the broker (SIGTERM, then SIGKILL after 2 s). */
  stop(): Promise<void>;
  /** Stop and start again on the same port (for reconnect tests). */
  restart(): Promise<void>;
}

/** The broker binary, found as test-deps.sh and requireTool("mosquitto") find it; undefined when missing. */
export const MOSQUITTO_BIN = findTool("mosquitto") ?? undefined;

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function waitForPort(port: number, proc: ChildProcess, log: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`mosquitto exited with ${proc.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ port, host: "127.0.0.1" });
      s.once("connect", () => (s.destroy(), resolve(true)));
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`mosquitto did not listen on 127.0.0.1:${port} within ${timeoutMs} ms: ${log()}`);
}

/** Starts `mosquitto -c <tmp conf>` listening on 127.0.0.1 only, anonymous, no persistence. */
export async function startMosquitto(): Promise<Mosquitto> {
  if (!MOSQUITTO_BIN) throw new Error(missingMessage("mosquitto"));
  const dir = await mkdtemp(path.join(tmpdir(), "lam-mosquitto-"));
  const port = await freePort();
  const conf = path.join(dir, "mosquitto.conf");
  await writeFile(conf, [`listener ${port} 127.0.0.1`, "allow_anonymous true", "persistence false", "log_dest stderr", "log_type error", "log_type warning", ""].join("\n"));

  let proc: ChildProcess;
  let log = "";
  const launch = async (): Promise<void> => {
    log = "";
    proc = spawn(MOSQUITTO_BIN!, ["-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
    // If the test worker dies without afterAll, the broker must not outlive it.
    const child = proc;
    const reap = (): void => void child.kill("SIGKILL");
    process.once("exit", reap);
    child.once("exit", () => process.off("exit", reap));
    proc.stdout!.on("data", (d: Buffer) => (log += d.toString()));
    proc.stderr!.on("data", (d: Buffer) => (log += d.toString()));
    await waitForPort(port, proc, () => log);
  };
  const kill = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill("SIGTERM");
    const hard = setTimeout(() => proc.kill("SIGKILL"), 2000);
    await exited;
    clearTimeout(hard);
  };
  await launch();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
    async restart() {
      await kill();
      await launch();
    },
  };
}
