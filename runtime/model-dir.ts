import { mkdir, readFile, writeFile, rename } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ModelStore } from "../dynamics/save.js";

/** A model folder on disk. Writes go to a temp name first, so a crash never leaves a half-written file. */
export function dirStore(dir: string): ModelStore {
  const abs = resolve(dir);
  return {
    where: (name) => join(abs, name),
    read: async (name) => new Uint8Array(await readFile(join(abs, name))),
    write: async (name, data) => {
      await mkdir(abs, { recursive: true });
      const tmp = join(abs, `.${name}.tmp`);
      await writeFile(tmp, data);
      await rename(tmp, join(abs, name));
    },
  };
}

/** The package root: the nearest folder above this file with a package.json (works from the sources and from dist/). */
export function packageRoot(from = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
}

/** The bundled default model (trained on the F1TENTH runs by scripts/train-default.sh). */
export function defaultModelDir(): string {
  return join(packageRoot(), "dynamics", "models", "default");
}

/** The bundled car model ([steer_cmd, accel_cmd], trained on the comma2k19 RAV4 segment by scripts/train-car.sh). */
export function carModelDir(): string {
  return join(packageRoot(), "dynamics", "models", "car");
}

/** The bundled models, in the order `lam sim` tries them for a scenario's vehicle. */
export function bundledModelDirs(): string[] {
  return [defaultModelDir(), carModelDir()];
}
