// A real Mosquitto that can be frozen (SIGSTOP) and thawed (SIGCONT): a broker stall, as a GC pause or an overloaded
// host. launchMosquitto runs any configuration (mosquitto-secure.ts's TLS broker too); startPausableMosquitto is the
// plain one (loopback, anonymous, no persistence).
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, MOSQUITTO_BIN, waitForPort } from "./mosquitto.js";
import { missingMessage } from "./require-tool.js";

/** A running broker process: it keeps its sockets while paused but answers nothing. */
export interface MosquittoProcess {
  readonly port: number;
  pause(): void;
  resume(): void;
  /** Thaws, then SIGTERM (SIGKILL after 2 s); a no-op once it has exited. */
  stop(): Promise<void>;
}

export interface PausableMosquitto extends MosquittoProcess {
  /** mqtt://127.0.0.1:<port> */
  readonly url: string;
}

/** Starts `mosquitto -c conf` (which must listen on 127.0.0.1:port) and waits until it accepts connections. */
export async function launchMosquitto(port: number, conf: string): Promise<MosquittoProcess> {
  if (!MOSQUITTO_BIN) throw new Error(missingMessage("mosquitto"));
  let log = "";
  const proc = spawn(MOSQUITTO_BIN, ["-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
  // If the test worker dies without afterAll, the broker must not outlive it.
  const reap = (): void => void proc.kill("SIGKILL");
  process.once("exit", reap);
  proc.once("exit", () => process.off("exit", reap));
  proc.stdout!.on("data", (d: Buffer) => (log += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  await waitForPort(port, proc, () => log);
  return {
    port,
    pause: () => void proc.kill("SIGSTOP"),
    resume: () => void proc.kill("SIGCONT"),
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
      proc.kill("SIGCONT");
      proc.kill("SIGTERM");
      const hard = setTimeout(() => proc.kill("SIGKILL"), 2000);
      await exited;
      clearTimeout(hard);
    },
  };
}

/** A loopback, anonymous Mosquitto without persistence (as startMosquitto's), that can be paused. */
export async function startPausableMosquitto(): Promise<PausableMosquitto> {
  if (!MOSQUITTO_BIN) throw new Error(missingMessage("mosquitto"));
  const dir = await mkdtemp(path.join(tmpdir(), "lam-mosquitto-pause-"));
  const port = await freePort();
  const conf = path.join(dir, "mosquitto.conf");
  await writeFile(conf, [`listener ${port} 127.0.0.1`, "allow_anonymous true", "persistence false", "log_dest stderr", "log_type error", ""].join("\n"));
  const broker = await launchMosquitto(port, conf);
  return {
    ...broker,
    url: `mqtt://127.0.0.1:${port}`,
    async stop() {
      await broker.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
