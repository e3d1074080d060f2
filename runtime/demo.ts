import { existsSync } from "node:fs";
import { join } from "node:path";
import { drivingModelDir } from "./sim-run.js";
import { CATALOG_DIR, loadCatalog } from "../scenarios/index.js";
import type { Sample } from "../perception/types.js";
import { runScenario } from "../sim/closed-loop.js";
import { referenceDriver } from "../sim/reference.js";

/** What the demo vehicle's sensors delivered at each control tick of one simulated run (sim time, s). */
export interface DemoDrive {
  readonly scenario: string;
  readonly duration: number;
  readonly ticks: readonly { readonly t: number; readonly samples: readonly Sample[] }[];
}

/** The catalog scenario that matches the bundled robot model (speed_cmd + steer_cmd, 1/10 scale). */
export const DEMO_SCENARIO = "robot-track";

/** The model `lam run --demo` drives with when none is given: the bundled scene-aware robot model, if present. */
export function demoModelDir(): string | undefined {
  const dir = drivingModelDir("robot");
  return existsSync(join(dir, "lam.json")) ? dir : undefined;
}

/**
 * Runs a catalog scenario closed-loop with the reference driver, and keeps what its simulated sensors delivered
 * each tick: IMU, wheel speed, steering, GNSS and the executed commands, as a real vehicle would publish them.
 */
export function recordDemoDrive(scenario = DEMO_SCENARIO, seed = 1): DemoDrive {
  const all = loadCatalog(CATALOG_DIR);
  const sc = all.find((s) => s.name === scenario);
  if (!sc) throw new Error(`no scenario "${scenario}" in ${CATALOG_DIR} (known: ${all.map((s) => s.name).join(", ")})`);
  const ticks: { t: number; samples: readonly Sample[] }[] = [];
  const ref = referenceDriver();
  runScenario(
    sc,
    {
      reset: () => ref.reset(),
      tick(input) {
        ticks.push({ t: input.t, samples: input.samples });
        return ref.tick(input);
      },
    },
    { seed },
  );
  return { scenario: sc.name, duration: sc.duration, ticks };
}

export interface DemoPublisherOptions {
  readonly drive: DemoDrive;
  /** Sends one sample (MQTT: mqttSamplePublisher(link).publishSample). */
  readonly publish: (sample: Sample) => Promise<void>;
  /** Wall clock (ms since the Unix epoch); default Date.now. */
  readonly now?: () => number;
  /** Start again from the top when the drive ends (default true), shifted so time keeps going forward. */
  readonly loop?: boolean;
}

export interface DemoPublisher {
  /** Samples handed to `publish`, and those whose publish failed. */
  stats(): { readonly published: number; readonly failed: number; readonly laps: number };
  stop(): void;
}

/**
 * Replays a DemoDrive in real time: the samples of sim tick t go out at wall time start + t, re-stamped onto the
 * wall clock (Unix seconds), so the node sees a vehicle that is driving now.
 */
export function startDemoPublisher(opts: DemoPublisherOptions): DemoPublisher {
  const now = opts.now ?? Date.now;
  const { drive } = opts;
  const loop = opts.loop ?? true;
  const startS = now() / 1000;
  let i = 0;
  let lap = 0;
  let published = 0;
  let failed = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const due = (): number => startS + lap * drive.duration + drive.ticks[i]!.t;
  const step = (): void => {
    timer = undefined;
    // Catch up on every tick already due (a busy event loop delays timers; the stamps stay right).
    while (!stopped && i < drive.ticks.length && due() <= now() / 1000 + 1e-3) {
      const offset = startS + lap * drive.duration;
      for (const s of drive.ticks[i]!.samples) {
        published++;
        opts.publish({ ...s, t: offset + s.t }).catch(() => void failed++);
      }
      if (++i === drive.ticks.length && loop) {
        i = 0;
        lap++;
      }
    }
    if (stopped || i >= drive.ticks.length) return;
    timer = setTimeout(step, Math.max(0, due() * 1000 - now()));
  };
  if (drive.ticks.length > 0) step();
  return {
    stats: () => ({ published, failed, laps: lap }),
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
