import type { Frame } from "../perception/types.js";
import { Decider, type DeciderOptions, type TickResult } from "./decider.js";
import { commandOutcome, TickTally, type CommandOutcome } from "./tally.js";

export interface PipelineCoreOptions extends DeciderOptions {
  /** The action channels a command is recorded on (the model's, or the scenario's); default the command's own. */
  readonly actions?: readonly string[];
}

/** One tick as every driver records it: what the Decider did, and the command after the non-finite guard. */
export interface CoreTick {
  readonly result: TickResult;
  readonly outcome: CommandOutcome;
}

/**
 * One tick, and nothing else: frame → Decider → non-finite guard → tally. The live node, the replay and the
 * simulator's driver each own a clock and a way to make frames; what a tick does and how it is counted is here.
 */
export class PipelineCore {
  readonly decider: Decider;
  readonly tally = new TickTally();

  constructor(private readonly opts: PipelineCoreOptions) {
    this.decider = new Decider(opts);
  }

  reset(): void {
    this.decider.reset();
  }

  /**
   * Decides one tick; `tally.decided` is counted here, `tally.commanded` by the caller when the command is sent
   * (the live node may hold a command back: late or paced; replay and simulation send every one).
   */
  tick(frame: Frame, reference?: Readonly<Record<string, number>>, t?: number): CoreTick {
    const result = this.decider.tick(frame, reference, t);
    this.tally.decided(result);
    const actions = this.opts.actions ?? Object.keys(result.command.values);
    return { result, outcome: commandOutcome(result.command, result.why, actions, result.error) };
  }
}
