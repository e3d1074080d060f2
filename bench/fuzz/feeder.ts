// An honest sensor feed in its own process (so its timing does not depend on the node's event loop): every
// given channel of a real drive at `rate` Hz into lam/<vehicle>/in/<channel>, each sample stamped with the wall
// clock when it is sent, the drive played forward then backward (no jump at the loop point). Started by
// startFeeder() with child_process.fork; reports how many samples it sent when asked to stop.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import mqtt from "mqtt";
import { msgpackCodec } from "../../bridges/codec/payload-codec.js";

export interface FeedChannel {
  readonly name: string;
  readonly t: readonly number[];
  readonly values: readonly number[];
}

export interface FeederSpec {
  readonly url: string;
  readonly vehicle: string;
  readonly rate: number;
  readonly channels: readonly FeedChannel[];
}

export interface Feeder {
  /** Samples sent so far (updated about once a second). */
  sent(): number;
  stop(): Promise<number>;
}

function valueAt(c: FeedChannel, t: number): number {
  let lo = 0;
  let hi = c.t.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (c.t[mid]! <= t) lo = mid;
    else hi = mid - 1;
  }
  return c.values[lo]!;
}

async function runFeeder(spec: FeederSpec): Promise<void> {
  const client = await mqtt.connectAsync(spec.url, { protocolVersion: 5, clientId: `lam-feeder-${process.pid}` });
  const t0 = Math.max(...spec.channels.map((c) => c.t[0]!));
  const span = Math.min(...spec.channels.map((c) => c.t.at(-1)!)) - t0;
  const start = performance.now();
  let sent = 0;
  let stopping = false;
  process.on("message", (m) => {
    if (m === "stop") stopping = true;
  });
  const report = setInterval(() => process.send?.({ sent }), 1000);
  let next = performance.now();
  while (!stopping) {
    const now = performance.now();
    if (now >= next) {
      // Slow turns send fewer samples rather than a burst of stale stamps.
      next = Math.max(next + 1000 / spec.rate, now);
      const t = Date.now() / 1000;
      const x = ((now - start) / 1000) % (2 * span);
      const dt = x <= span ? x : 2 * span - x;
      for (const c of spec.channels) {
        client.publish(`lam/${spec.vehicle}/in/${c.name}`, Buffer.from(msgpackCodec.encode({ t, value: valueAt(c, t0 + dt) })), { qos: 0, properties: { contentType: "application/msgpack" } });
        sent++;
      }
    }
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now() - 0.5)));
  }
  clearInterval(report);
  await client.endAsync();
  process.send?.({ sent, done: true });
  process.exit(0);
}

export function startFeeder(spec: FeederSpec): Promise<Feeder> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], { execArgv: process.execArgv, env: { ...process.env, LAM_FEEDER: "1" }, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  let sent = 0;
  let done: ((n: number) => void) | undefined;
  child.on("message", (m: { sent?: number; done?: boolean }) => {
    if (typeof m.sent === "number") sent = m.sent;
    if (m.done) done?.(sent);
  });
  child.send(spec);
  const reap = (): void => void child.kill("SIGKILL");
  process.once("exit", reap);
  return Promise.resolve({
    sent: () => sent,
    stop: () =>
      new Promise<number>((resolve) => {
        done = (n) => {
          process.off("exit", reap);
          resolve(n);
        };
        child.once("exit", () => done?.(sent));
        child.send("stop");
      }),
  });
}

if (process.env.LAM_FEEDER === "1" && process.send) {
  process.once("message", (spec) => void runFeeder(spec as FeederSpec));
}
