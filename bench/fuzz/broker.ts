// A real Mosquitto on a free 127.0.0.1 port for the fuzz and soak benches (loopback only, anonymous, no
// persistence); where Mosquitto is not installed, lam's embedded broker on loopback instead (said in the table).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createConnection, createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export interface BenchBroker {
  readonly url: string;
  /** "mosquitto <version>" or "embedded (aedes)". */
  readonly kind: string;
  /** The broker process's RSS (kB), when it is a separate process. */
  rssKb(): Promise<number | null>;
  stop(): Promise<void>;
}

const MOSQUITTO = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"].find((p) => existsSync(p));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function listening(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = createConnection({ port, host: "127.0.0.1" });
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}

export async function startBenchBroker(): Promise<BenchBroker> {
  if (!MOSQUITTO) {
    const { startEmbeddedBroker } = await import("../../bridges/mqtt/embedded-broker.js");
    const b = await startEmbeddedBroker({ port: 0 });
    return { url: b.url, kind: "embedded (aedes)", rssKb: async () => null, stop: () => b.close() };
  }
  const dir = await mkdtemp(path.join(tmpdir(), "lam-bench-mosquitto-"));
  const port = await freePort();
  const conf = path.join(dir, "mosquitto.conf");
  // max_queued_messages: the fuzz floods faster than a slow subscriber drains; drop rather than grow.
  await writeFile(conf, [`listener ${port} 127.0.0.1`, "allow_anonymous true", "persistence false", "log_dest none", "max_queued_messages 10000", ""].join("\n"));
  const proc: ChildProcess = spawn(MOSQUITTO, ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  proc.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  const reap = (): void => void proc.kill("SIGKILL");
  process.once("exit", reap);
  const deadline = Date.now() + 10_000;
  while (!(await listening(port))) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`mosquitto did not start on 127.0.0.1:${port}: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const { execFileSync } = await import("node:child_process");
  let version = "";
  try {
    version = execFileSync(MOSQUITTO, ["-h"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).split("\n")[0] ?? "";
  } catch (e) {
    version = String((e as { stdout?: string }).stdout ?? "").split("\n")[0] ?? "";
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    kind: version.replace(/^mosquitto version /, "mosquitto ") || "mosquitto",
    async rssKb() {
      try {
        const { readFile } = await import("node:fs/promises");
        const m = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${proc.pid}/status`, "utf8"));
        return m ? Number(m[1]) : null;
      } catch {
        return null;
      }
    },
    async stop() {
      process.off("exit", reap);
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
        proc.kill("SIGTERM");
        const hard = setTimeout(() => proc.kill("SIGKILL"), 2000);
        await exited;
        clearTimeout(hard);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
