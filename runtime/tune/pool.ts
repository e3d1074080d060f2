// Runs parameter sets on worker threads: each worker opens the model once and takes the next set when it is
// free; results are put back in set order, so the outcome never depends on which worker finished first.
import { Worker } from "node:worker_threads";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { SetResult } from "../../sim/tune/index.js";
import type { TuneJob } from "./set.js";
import type { SetTask, WorkerReply } from "./worker.js";

/**
 * A worker on the compiled worker.js (beside this file in dist/runtime/tune/); from the TypeScript sources (tsx, vitest) the worker registers
 * tsx's loader first, since a worker thread does not inherit the parent's module hooks.
 */
function spawn(job: TuneJob): Worker {
  const js = new URL("./worker.js", import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData: job });
  const ts = new URL("./worker.ts", import.meta.url);
  let api: string;
  try {
    api = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve("tsx/esm/api")), "index.mjs")).href;
  } catch {
    throw new Error(`tune workers from the TypeScript sources need tsx (npm i -D tsx), or build first (npm run build)`);
  }
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(ts.href)}); })`;
  return new Worker(boot, { eval: true, workerData: job });
}

export interface PoolOptions {
  readonly workers: number;
  readonly onResult?: (r: SetResult, done: number, total: number) => void;
}

export async function runSetsOnWorkers(job: TuneJob, tasks: readonly SetTask[], opts: PoolOptions): Promise<SetResult[]> {
  const results: SetResult[] = new Array(tasks.length);
  const n = Math.max(1, Math.min(opts.workers, tasks.length));
  const workers: Worker[] = [];
  let next = 0;
  let done = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (why: string) => reject(new Error(why));
      const feed = (w: Worker) => {
        if (next < tasks.length) w.postMessage(tasks[next++]);
      };
      for (let i = 0; i < n; i++) {
        const w = spawn(job);
        workers.push(w);
        w.on("message", (m: WorkerReply) => {
          if (m.kind === "ready") return feed(w);
          if (m.kind === "error") return fail(m.index === null ? `tune worker: ${m.message}` : `parameter set ${m.index}: ${m.message}`);
          const pos = tasks.findIndex((t) => t.index === m.result.index);
          results[pos] = m.result;
          done++;
          opts.onResult?.(m.result, done, tasks.length);
          if (done === tasks.length) resolve();
          else feed(w);
        });
        w.on("error", (e) => fail(`tune worker crashed: ${e.message}`));
        w.on("exit", (code) => {
          if (done < tasks.length && code !== 0) fail(`tune worker exited with code ${code}`);
        });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
