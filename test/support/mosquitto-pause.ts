import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createConnection, createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { MOSQUITTO_BIN } from "./mosquitto.js";

/** A real Mosquitto that can be frozen (SIGSTOP) and thawed (SIGCONT): a broker stall, as a GC pause or an overloaded host. */
export interface PausableMosquitto {
  readonly url: string;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/** Starts `mosquitto -c <tmp conf>` on a loopback port, anonymous, no persistence, for pausing. */
export async function startPausableMosquitto(): Promise<PausableMosquitto> {
  if (!MOSQUITTO_BIN) throw new Error("mosquitto not found at /usr/sbin/mosquitto: run scripts/test-deps.sh");
  const dir = await mkdtemp(path.join(tmpdir(), "lam-mosquitto-pause-"));
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  const conf = path.join(dir, "mosquitto.conf");
  await writeFile(conf, [`listener ${port} 127.0.0.1`, "allow_anonymous true", "persistence false", "log_dest stderr", "log_type error", ""].join("\n"));
  const proc = spawn(MOSQUITTO_BIN, ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
  const reap = (): void => void proc.kill("SIGKILL");
  process.once("exit", reap);
  let log = "";
  proc.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  for (const deadline = Date.now() + 10_000; ; ) {
    if (proc.exitCode !== null) throw new Error(`mosquitto exited with ${proc.exitCode}: ${log}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = createConnection({ port, host: "127.0.0.1" });
      s.once("connect", () => (s.destroy(), resolve(true)));
      s.once("error", () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port}: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    pause: () => void proc.kill("SIGSTOP"),
    resume: () => void proc.kill("SIGCONT"),
    async stop() {
      proc.kill("SIGCONT");
      const exited = new Promise<void>((r) => proc.once("exit", () => r()));
      proc.kill("SIGTERM");
      const hard = setTimeout(() => proc.kill("SIGKILL"), 2000);
      await exited;
      clearTimeout(hard);
      process.off("exit", reap);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
