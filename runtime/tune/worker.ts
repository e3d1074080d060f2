// A tune worker thread: opens the model once, then runs the parameter sets it is sent, one at a time.
import { parentPort, workerData } from "node:worker_threads";
import type { ParamSet } from "../../sim/tune/index.js";
import { openTuneContext, runSet, type TuneJob } from "./set.js";

export interface SetTask {
  readonly index: number;
  readonly params: ParamSet;
}

export type WorkerReply =
  | { readonly kind: "ready" }
  | { readonly kind: "result"; readonly result: ReturnType<typeof runSet> }
  | { readonly kind: "error"; readonly index: number | null; readonly message: string };

const port = parentPort;
if (!port) throw new Error("runtime/tune/worker runs only as a worker thread");
const send = (m: WorkerReply) => port.postMessage(m);
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

openTuneContext(workerData as TuneJob).then(
  (ctx) => {
    port.on("message", (task: SetTask) => {
      try {
        send({ kind: "result", result: runSet(ctx, task.index, task.params) });
      } catch (e) {
        send({ kind: "error", index: task.index, message: message(e) });
      }
    });
    send({ kind: "ready" });
  },
  (e) => send({ kind: "error", index: null, message: message(e) }),
);
