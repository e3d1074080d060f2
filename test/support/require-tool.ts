import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

// The real parts some tests talk to. Under CI=true a missing one FAILS the test file (thrown while it is collected),
// naming what is missing and how to get it; elsewhere the tests that need it are skipped, their name saying why.
// The lookups match scripts/test-deps.sh, which installs them.

export type Tool = "mosquitto" | "chromium" | "pytorch";

interface Lookup {
  /** Names looked up on the PATH, then absolute paths, in order. */
  readonly commands: readonly string[];
  readonly paths: readonly string[];
  /** For a module rather than a program: the interpreter must be able to import it. */
  readonly check?: (found: string) => boolean;
  readonly what: string;
  readonly debian: string;
}

const LOOKUPS: Record<Tool, Lookup> = {
  mosquitto: { commands: ["mosquitto"], paths: ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"], what: "the Mosquitto MQTT broker", debian: "mosquitto" },
  chromium: {
    commands: ["chromium", "chromium-browser"],
    paths: ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium"],
    what: "Chromium (headless, for the HTML report)",
    debian: "chromium",
  },
  pytorch: {
    commands: [],
    paths: ["/usr/bin/python3"],
    check: (python) => spawnSync(python, ["-c", "import torch"], { stdio: "ignore" }).status === 0,
    what: "PyTorch for /usr/bin/python3 (the benchmark peer)",
    debian: "python3-torch",
  },
};

function onPath(name: string): string | null {
  const r = spawnSync("sh", ["-c", `command -v "$1"`, "sh", name], { encoding: "utf8" });
  const p = r.status === 0 ? r.stdout.trim() : "";
  return p.startsWith("/") ? p : null;
}

/**
 * Where the tool is (a program, or the python that imports it), or null. LAM_TEST_HIDE_TOOLS (comma-separated)
 * makes tools count as missing, to see what a machine without them does: CI=true LAM_TEST_HIDE_TOOLS=chromium.
 */
export function findTool(tool: Tool, env: NodeJS.ProcessEnv = process.env): string | null {
  if ((env.LAM_TEST_HIDE_TOOLS ?? "").split(",").includes(tool)) return null;
  const l = LOOKUPS[tool];
  const candidates = [...l.commands.map(onPath), ...l.paths.filter((p) => existsSync(p))].filter((p): p is string => p !== null);
  return candidates.find((p) => !l.check || l.check(p)) ?? null;
}

/** Under CI, set to "true" or "1" (GitHub Actions, GitLab and most runners set CI=true). */
export const isCI = (env: NodeJS.ProcessEnv = process.env): boolean => env.CI === "true" || env.CI === "1";

export interface Required {
  /** The tool's path; null when missing (never under CI: there it throws). */
  readonly path: string | null;
  /** "" when found, else " (skipped: … missing …)": append it to the describe/it name. */
  readonly skipNote: string;
}

/** Why `tool` is missing, naming where it was looked for and how to install it. */
export function missingMessage(tool: Tool): string {
  const l = LOOKUPS[tool];
  const looked = [...l.commands.map((c) => `${c} on PATH`), ...l.paths].join(", ");
  return `${tool} missing: ${l.what} not found (looked for ${looked}${l.check ? " with torch importable" : ""}); install it with scripts/test-deps.sh (Debian package ${l.debian})`;
}

/**
 * The tool a test file needs. Missing under CI: throws (the run fails loudly, naming the tool). Missing elsewhere:
 * returns path null and a note for the skipped tests' names, and says so on stderr once.
 */
export function requireTool(tool: Tool, env: NodeJS.ProcessEnv = process.env, find: (t: Tool, env: NodeJS.ProcessEnv) => string | null = findTool): Required {
  const path = find(tool, env);
  if (path !== null) return { path, skipNote: "" };
  const msg = missingMessage(tool);
  if (isCI(env)) throw new Error(`CI=${env.CI}: ${msg}. Under CI the tests that need it fail instead of skipping.`);
  process.stderr.write(`skipping tests that need ${tool}: ${msg}\n`);
  return { path: null, skipNote: ` (skipped: ${tool} missing, see scripts/test-deps.sh)` };
}
