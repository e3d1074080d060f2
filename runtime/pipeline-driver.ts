import type { Driver, DriverInput, DriverOutput } from "../sim/driver.js";
import { Decider, type DeciderOptions } from "../pipeline/decider.js";
import { Perceiver, type PerceiverOptions } from "./perceiver.js";

/**
 * The whole runtime (perception → dynamics → policy) as the simulator's driver: what the closed loop evaluates is
 * the code that runs on the vehicle, fed by simulated sensors and stepped by the simulator's virtual clock.
 */
export class PipelineDriver implements Driver {
  private perceiver: Perceiver;
  private readonly decider: Decider;

  constructor(
    private readonly opts: DeciderOptions & { readonly perception?: PerceiverOptions },
  ) {
    this.perceiver = new Perceiver(opts.frameSpec, opts.perception);
    this.decider = new Decider(opts);
  }

  reset(): void {
    this.perceiver = new Perceiver(this.opts.frameSpec, this.opts.perception);
    this.decider.reset();
  }

  get rejected() {
    return this.perceiver.tally.counts;
  }

  tick(input: DriverInput): DriverOutput {
    const start = this.opts.timer?.();
    for (const s of input.samples) this.perceiver.push(s);
    const frame = this.perceiver.frameAt(input.t);
    const r = this.decider.tick(frame, input.reference, input.t);
    const tickMs = start === undefined || !this.opts.timer ? undefined : this.opts.timer() - start;
    return {
      command: r.command,
      prediction: r.prediction,
      fallbackReason: r.command.mode === "model" ? undefined : (r.why.reason ?? r.error ?? undefined),
      tickMs,
    };
  }
}
