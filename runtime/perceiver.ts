// The stepped perception core lives in perception/stepped.ts (one wiring for the RxJS, batch and stepped drivers).
export { SteppedPerception as Perceiver, type SteppedPerceptionOptions as PerceiverOptions } from "../perception/stepped.js";
