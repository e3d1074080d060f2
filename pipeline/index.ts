// One tick, pure: frame -> prediction -> command, shared by the live node, replay and the simulator.
export { Decider, type DeciderOptions, type TickResult } from "./decider.js";
