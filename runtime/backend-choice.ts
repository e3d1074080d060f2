import type { BackendChoice, BackendOptions } from "../dynamics/backend.js";
import { parseBackendName } from "../dynamics/backend-names.js";

/** Where `lam --backend NAME` leaves its choice, so tune's worker threads see it too. */
export const BACKEND_ENV = "LAM_BACKEND";

/** DESIGN.md's order, or only the backend forced by `--backend` / LAM_BACKEND (which then must start). */
export function backendPreference(env: NodeJS.ProcessEnv = process.env): BackendOptions {
  const forced = env[BACKEND_ENV];
  if (forced === undefined || forced === "") return {};
  return { order: [parseBackendName(forced, BACKEND_ENV)], strict: true };
}

const chosen = new Map<string, Promise<BackendChoice>>();

/**
 * The tfjs backend every command runs on (train, eval, replay, sim, tune, run, bench's model loading), chosen once per
 * process and preference: probing WebGPU starts Dawn, which is worth doing once, not per model opened.
 */
export function commandBackend(env: NodeJS.ProcessEnv = process.env): Promise<BackendChoice> {
  const key = env[BACKEND_ENV] ?? "";
  let choice = chosen.get(key);
  if (!choice) {
    choice = import("../dynamics/backend.js").then((b) => b.chooseBackend(backendPreference(env)));
    chosen.set(key, choice);
    // A failed choice is not kept: the error names the forced backend, and a retry may follow a fix.
    choice.catch(() => chosen.delete(key));
  }
  return choice;
}
