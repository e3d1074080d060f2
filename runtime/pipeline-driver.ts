import type { Driver, DriverInput, DriverOutput } from "../sim/driver.js";
import { SteppedPerception, type SteppedPerceptionOptions } from "../perception/stepped.js";
import { PipelineCore, type PipelineCoreOptions } from "../pipeline/core.js";
import type { TickRecorder } from "../pipeline/ports.js";

/**
 * The whole runtime (perception → dynamics → policy) as the simulator's driver: what the closed loop evaluates is
 * the code that runs on the vehicle, fed by simulated sensors and stepped by the simulator's virtual clock. The
 * simulator is the clock; the samples it delivers are the source; the tick is the pipeline's core.
 */
export class PipelineDriver implements Driver {
  private perceiver: SteppedPerception;
  readonly core: PipelineCore;
  private index = 0;

  constructor(
    private readonly opts: PipelineCoreOptions & { readonly perception?: SteppedPerceptionOptions; readonly recorder?: TickRecorder },
  ) {
    this.perceiver = new SteppedPerception(opts.frameSpec, opts.perception);
    this.core = new PipelineCore(opts);
  }

  reset(): void {
    this.perceiver = new SteppedPerception(this.opts.frameSpec, this.opts.perception);
    this.core.reset();
    this.index = 0;
  }

  /** Perception only, no decision: a driver joining a stream already running (its frames are built, not acted on). */
  observe(samples: Iterable<unknown>, t: number): void {
    this.perceiver.step(samples, t);
  }

  get rejected() {
    return this.perceiver.tally.counts;
  }

  tick(input: DriverInput): DriverOutput {
    const start = this.opts.timer?.();
    const frame = this.perceiver.step(input.samples, input.t);
    const { result: r, outcome } = this.core.tick(frame, input.reference, input.t);
    this.core.tally.commanded(outcome);
    this.opts.recorder?.record(r, this.index++);
    const tickMs = start === undefined || !this.opts.timer ? undefined : this.opts.timer() - start;
    return {
      command: r.command,
      prediction: r.prediction,
      fallbackReason: outcome.fallback ?? undefined,
      tickMs,
    };
  }
}
