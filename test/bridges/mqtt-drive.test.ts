import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCsvDrive } from "../../bridges/csv/index.js";
import { connectMqtt, mqttSamplePublisher, openMqttBridge } from "../../bridges/mqtt/index.js";
import type { Sample } from "../../perception/types.js";
import { startMosquitto, type Mosquitto } from "../support/mosquitto.js";

const data = resolve(import.meta.dirname, "../../../shared/data");

let broker: Mosquitto;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.stop();
});

describe("a real drive through a real broker", () => {
  it.each(["msgpack", "json"] as const)(
    "carries 10 s of the comma2k19 RAV4 drive (every channel, in time order), every value exact, with %s",
    async (codec) => {
      const drive = await loadCsvDrive(resolve(data, "comma2k19-rav4"));
      const t0 = Math.min(...drive.channels.map((c) => c.t[0]!));
      const sent: Sample[] = [];
      for (const ch of drive.channels)
        for (let i = 0; i < ch.t.length && ch.t[i]! < t0 + 10; i++) sent.push({ channel: ch.name, t: ch.t[i]!, value: ch.values[i]! });
      sent.sort((a, b) => a.t - b.t);

      const vehicle = `rav4-${codec}`;
      const node = await openMqttBridge({ url: broker.url, vehicle, codec, backwardsToleranceS: 0 });
      const feeder = mqttSamplePublisher(await connectMqtt({ url: broker.url, vehicle, codec }));
      const got: Sample[] = [];
      node.source.samples$.subscribe((s) => got.push(s));
      // In batches, as a replay at many times real time would: bounded socket buffering on the publisher.
      for (let i = 0; i < sent.length; i += 250) await Promise.all(sent.slice(i, i + 250).map((s) => feeder.publishSample(s)));
      for (const deadline = Date.now() + 20_000; got.length < sent.length && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));

      expect(sent.length).toBeGreaterThan(10_000);
      expect(node.source.stats()).toMatchObject({ received: sent.length, accepted: sent.length, rejected: {} });
      expect(got).toHaveLength(sent.length);
      // === on purpose: neither codec keeps the sign of a zero (msgpack writes -0 as the integer 0, JSON as "0").
      const firstBad = got.findIndex((g, i) => g.channel !== sent[i]!.channel || g.t !== sent[i]!.t || g.value !== sent[i]!.value);
      expect(firstBad, firstBad >= 0 ? `sample ${firstBad}: got ${JSON.stringify(got[firstBad])}, sent ${JSON.stringify(sent[firstBad])}` : "").toBe(-1);
      await feeder.close();
      await node.close();
    },
  );
});
