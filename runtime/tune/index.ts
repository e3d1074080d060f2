// `lam tune`'s running side: parameter sets run over the scenarios with opened models, in-process or on worker
// threads (worker.ts, loaded by path: not exported), and the CLI's --param syntax. Scoring and ranking: sim/tune/.
export { runTuneSets, tune, type TuneOptions } from "./tune.js";
export { openTuneContext, openTuneModels, runSet, setupFor, type TuneContext, type TuneJob } from "./set.js";
export { runSetsOnWorkers, type PoolOptions } from "./pool.js";
export { cartesian, checkParams, parseParamSet, parseSweeps, type ParamSet, type ParamSweep } from "./params.js";
