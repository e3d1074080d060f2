// Recording what the learner sees and what the expert would do: a Driver wrapper that feeds the simulator's samples
// through the runtime's perception (a Framer: the Perceiver in practice), keeps each new frame with the reference
// controller's action at that tick as the label, and drives either with the reference plus injected action noise
// (DART: the demonstrations visit the states a slightly wrong driver reaches) or with the model (DAgger: the states
// the model itself reaches, labelled by the reference).
import type { Frame, Sample } from "../../perception/types.js";
import type { Driver, DriverInput, DriverOutput } from "../driver.js";
import type { Rng } from "../rng.js";

/** Samples in, the frame of the newest tick at or before t out (runtime/perceiver.ts's Perceiver fits). */
export interface Framer {
  push(sample: Sample): void;
  frameAt(t: number): Frame;
}

/** One recorded run: frames at the model's rate and the reference's action at each (n × actions, row-major). */
export interface Episode {
  readonly scenario: string;
  /** "dart" (reference with noise drove) or "model" (the model being trained drove). */
  readonly drivenBy: "dart" | "model";
  readonly round: number;
  readonly frames: Frame[];
  readonly labels: number[];
}

export interface DartNoise {
  /** Per action channel, the noise std added to the reference's action. */
  readonly std: readonly number[];
  /** Correlation time (s) of the noise (an AR(1) process): a drift the expert corrects, not white jitter. */
  readonly tau: number;
  readonly rng: Rng;
}

export type RecordMode = { readonly kind: "dart"; readonly noise: DartNoise } | { readonly kind: "model"; readonly driver: Driver };

export function recordingDriver(framer: () => Framer, actions: readonly string[], mode: RecordMode, episode: Episode): Driver {
  let f = framer();
  let lastT = -Infinity;
  let lastTick = -Infinity;
  const n = new Float64Array(actions.length);
  return {
    reset() {
      f = framer();
      lastT = -Infinity;
      lastTick = -Infinity;
      n.fill(0);
      if (mode.kind === "model") mode.driver.reset();
    },
    tick(input: DriverInput): DriverOutput {
      for (const s of input.samples) f.push(s);
      const frame = f.frameAt(input.t);
      if (frame.t > lastT) {
        lastT = frame.t;
        episode.frames.push({ t: frame.t, values: Float32Array.from(frame.values), valid: Uint8Array.from(frame.valid) });
        for (const a of actions) episode.labels.push(input.reference[a] ?? NaN);
      }
      if (mode.kind === "model") return mode.driver.tick(input);
      const dt = Number.isFinite(lastTick) ? input.t - lastTick : 0;
      lastTick = input.t;
      const rho = Math.exp(-dt / mode.noise.tau);
      const values: Record<string, number> = {};
      actions.forEach((a, i) => {
        n[i] = rho * n[i] + Math.sqrt(1 - rho * rho) * mode.noise.std[i] * mode.noise.rng.normal();
        values[a] = (input.reference[a] ?? 0) + n[i];
      });
      if (values.speed_cmd !== undefined) values.speed_cmd = Math.max(0, values.speed_cmd);
      return { command: { t: input.t, values, mode: "model", limits: [] } };
    },
  };
}
