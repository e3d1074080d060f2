// Ingress: hostile MQTT messages through a real broker (Mosquitto on 127.0.0.1, or the embedded broker where it
// is missing) into a running live node (bundled LSTM or --model, policy, MQTT bridge; runtime/ hands it in), while an honest feeder plays a real
// F1TENTH drive at 100 Hz so the node stays in model mode. Every command the node publishes is read back and
// checked: finite, and inside the policy envelope (envelope-check.ts). Rejections are the node's own counts by
// reason; crashes are the node's internal errors plus any uncaught exception in this process.
import { resolve } from "node:path";
import mqtt from "mqtt";
import { loadCsvDrive } from "../../bridges/csv/index.js";
import { msgpackCodec } from "../../bridges/codec/payload-codec.js";
import { openMqttBridge } from "../../bridges/mqtt/index.js";
import type { OpenBenchLive } from "../live-kit.js";
import { startBenchBroker } from "./broker.js";
import { startFeeder } from "./feeder.js";
import { envelopeCheck, type CommandLike } from "./envelope-check.js";
import { hostileMessage } from "./payload.js";
import type { Rng } from "./rng.js";
import { Tally, type IngressReport } from "./tally.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function fuzzLiveMqtt(rng: Rng, inputs: number, dataDir: string, openLive: OpenBenchLive, log: (line: string) => void): Promise<IngressReport> {
  const tally = new Tally("MQTT → live node");
  const broker = await startBenchBroker();
  const vehicle = `fuzz${process.pid}`;
  const live = await openLive();
  const check = envelopeCheck(live.policy);
  const bridge = await openMqttBridge({ url: broker.url, vehicle, codec: "msgpack" });
  const node = live.start({ sources: [bridge.source], sinks: [bridge.sink], name: "fuzz" });
  let uncaught = 0;
  const onUncaught = (e: unknown) => {
    uncaught++;
    tally.crash(e, "uncaught in the node's process");
  };
  process.on("uncaughtException", onUncaught);

  let prev: CommandLike | undefined;
  const observer = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 1000, clientId: `fuzz-observer-${process.pid}` });
  observer.on("message", (_topic, payload) => {
    let c: CommandLike;
    try {
      c = msgpackCodec.decode(payload) as CommandLike;
    } catch (e) {
      tally.crash(e, "the node published a command that does not decode");
      return;
    }
    tally.commandsChecked++;
    // The wire carries the limits that acted; the angle-type limits outrank the steer rate (policy/step.ts).
    const acted = (c as { limits?: unknown }).limits;
    const outranked = Array.isArray(acted) && acted.some((l) => l === "steer_angle" || l === "lat_accel" || l === "actual_steer_diff");
    const why = check(c, prev, outranked ? ["steer_rate"] : []);
    if (why) {
      if (why.includes("not a finite")) tally.nonfinite++;
      else tally.outOfLimit++;
      if (tally.examples.length < 5) tally.examples.push(`command out of limit: ${why}`);
    }
    prev = c;
  });
  await observer.subscribeAsync(`lam/${vehicle}/command`, { qos: 0 });

  // The honest feeder: every model channel at 100 Hz from DS1, on the wall clock.
  const drive = await loadCsvDrive(resolve(dataDir, "f1tenth/DS1"));
  const features = live.features;
  const channels = drive.channels.filter((c) => features.includes(c.name) && c.t.length > 1);
  const attacker = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: `fuzz-attacker-${process.pid}` });
  const feeder = await startFeeder({ url: broker.url, vehicle, rate: 100, channels: channels.map((c) => ({ name: c.name, t: Array.from(c.t), values: Array.from(c.values) })) });
  // The node anchors its clock and commands on honest data first (the feeder process takes a while to start).
  for (const until = Date.now() + 120_000; tally.commandsChecked < 40 && Date.now() < until; ) await sleep(200);
  const before = node.stats();
  const commandsBefore = tally.commandsChecked;

  // The attack: hostile messages at RATE/s beside the honest feed (a flood past what the node can process is a
  // load test, not an input test: it would only starve the node's ticks).
  const RATE = 2000;
  const attackStart = performance.now();
  // Counted by what was sent: a generated topic the client cannot publish (a wildcard) is skipped, not an input.
  for (let i = 0; tally.inputs < inputs; ) {
    for (let k = 0; k < 100 && tally.inputs < inputs; k++, i++) {
      let msg: ReturnType<typeof hostileMessage>["msg"];
      try {
        msg = hostileMessage(rng, Date.now() / 1000).msg;
      } catch (e) {
        tally.harness(e);
        continue;
      }
      const topic = msg.topic.replace(/^lam\/fuzz\//, `lam/${vehicle}/`);
      if (topic.includes("#") || topic.includes("+")) continue; // not publishable topic names: the client refuses them
      tally.inputs++;
      attacker.publish(topic, Buffer.from(msg.payload), { qos: 0, ...(msg.contentType ? { properties: { contentType: msg.contentType } } : {}) });
    }
    await sleep(Math.max(0, attackStart + (tally.inputs / RATE) * 1000 - performance.now()));
    if (i % 20_000 < 100) log(`fuzz: MQTT ${tally.inputs}/${inputs} sent, ${tally.commandsChecked} commands checked`);
  }
  const attackS = (performance.now() - attackStart) / 1000;
  const commandsDuring = tally.commandsChecked - commandsBefore;
  await sleep(5000); // the node ticks on honest data again after the attack
  const honest = await feeder.stop();
  const after = node.stats();
  const received = after.sources.reduce((n, s) => n + s.received, 0) - before.sources.reduce((n, s) => n + s.received, 0);
  const delta = (a: Readonly<Record<string, number | undefined>>, b: Readonly<Record<string, number | undefined>>) => {
    for (const [k, v] of Object.entries(a)) {
      const n = (v ?? 0) - (b[k] ?? 0);
      if (n > 0) tally.rejected[k] = (tally.rejected[k] ?? 0) + n;
    }
  };
  delta(after.rejected.bridges, before.rejected.bridges);
  delta(after.rejected.perception as Record<string, number>, before.rejected.perception as Record<string, number>);
  const internal = after.internal_errors - before.internal_errors;
  for (let k = 0; k < internal; k++) tally.crash(new Error("live node internal error"), "see the node's log");
  tally.accepted = Math.max(0, received - Object.values(tally.rejected).reduce((a, b) => a + b, 0));
  const modeAfter = after.mode;
  await node.stop();
  await bridge.close();
  await Promise.all([attacker.endAsync(), observer.endAsync()]);
  process.off("uncaughtException", onUncaught);
  live.dispose();
  await broker.stop();
  return tally.report(
    `${broker.kind}; ${received} messages reached the node (the hostile ones + ${honest} honest samples at 100 Hz); ${after.frames - before.frames} ticks, ` +
      `commands ${JSON.stringify(after.commands)} (${commandsDuring} read back during the ${attackS.toFixed(0)} s attack), unsent ${JSON.stringify(after.unsent)}, ` +
      `${after.clock_resets - before.clock_resets} clock resets, ${after.timing.deadline_misses - before.timing.deadline_misses} deadline misses, mode at the end ${modeAfter}, ${uncaught} uncaught`,
  );
}
