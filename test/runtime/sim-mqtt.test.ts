// lam sim --mqtt publishes what the closed loop computes, through the same MQTT sink as lam run and lam replay, to
// a real Mosquitto broker: per scenario lam/sim-<scenario>/{prediction,command} once per tick and a retained status.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { msgpackCodec } from "../../bridges/codec/payload-codec.js";
import { main } from "../../runtime/main.js";
import { simVehicleId } from "../../runtime/commands/sim.js";
import { CATALOG_DIR, parseScenario } from "../../scenarios/index.js";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.js";
import { requireTool } from "../support/require-tool.js";
import { robotModelDir } from "./sim-fixture.js";

async function lam(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } });
  return { code, out: out.join(""), err: err.join("") };
}

it("a scenario's vehicle id is one MQTT topic level", () => {
  expect(simVehicleId("robot-track")).toBe("sim-robot-track");
  expect(simVehicleId("a/b+c#")).toBe("sim-a_b_c_");
});

const MOSQUITTO = requireTool("mosquitto");
describe.skipIf(!MOSQUITTO.path)(`lam sim --mqtt through a real Mosquitto broker${MOSQUITTO.skipNote}`, () => {
  let broker: Mosquitto;
  let model: string;
  beforeAll(async () => {
    broker = await startMosquitto();
    model = await robotModelDir();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it("publishes one command (and one prediction) per tick per scenario, and its status with the verdict", async () => {
    const names = ["robot-track", "robot-follow"];
    const sub = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
    const got = new Map<string, { prediction: number; command: number; status: { state: string; detail?: string }[]; commands: { t: number }[] }>();
    for (const n of names) got.set(simVehicleId(n), { prediction: 0, command: 0, status: [], commands: [] });
    sub.on("message", (topic, payload) => {
      const [, vehicle, kind] = topic.split("/");
      const g = got.get(vehicle!);
      if (!g) return;
      if (kind === "prediction") g.prediction++;
      if (kind === "command") {
        g.command++;
        g.commands.push(msgpackCodec.decode(payload) as { t: number });
      }
      if (kind === "status") g.status.push(msgpackCodec.decode(payload) as { state: string });
    });
    await sub.subscribeAsync("lam/+/+", { qos: 1 });
    try {
      const r = await lam("sim", ...names.map((n) => join(CATALOG_DIR, `${n}.yaml`)), "--model", model, "--mqtt", broker.url, "--json");
      expect(r.code, r.err).toBe(0);
      expect(r.err).toMatch(/mqtt .*: 2 scenarios, \d+ published, 0 not/);
      const j = JSON.parse(r.out) as { scenarios: { name: string; passed: boolean; metrics: Record<string, number | null> }[] };
      for (const s of j.scenarios) {
        const g = got.get(simVehicleId(s.name))!;
        // One command and one prediction per control tick (duration × rate), in tick order on the simulator's clock.
        const file = join(CATALOG_DIR, `${s.name}.yaml`);
        const sc = parseScenario(readFileSync(file, "utf8"), file);
        const ticks = Math.floor(sc.duration * sc.rate + 1e-9);
        await expect.poll(() => g.status.length, { timeout: 10_000 }).toBe(3);
        await expect.poll(() => g.command, { timeout: 10_000 }).toBe(ticks);
        expect(g.prediction).toBe(ticks);
        for (let i = 1; i < g.commands.length; i++) expect(g.commands[i]!.t).toBeGreaterThan(g.commands[i - 1]!.t);
        // online, then offline with the verdict, then the sink's own "closed" (retained: a late subscriber sees offline).
        expect(g.status.map((x) => x.state)).toEqual(["online", "offline", "offline"]);
        expect(g.status[0]!.detail).toBe(`sim ${s.name} seed 1`);
        expect(g.status[1]!.detail).toMatch(s.passed ? /^sim done: passed$/ : /^sim done: FAILED: /);
      }
    } finally {
      await sub.endAsync();
    }
  }, 180_000);
});
