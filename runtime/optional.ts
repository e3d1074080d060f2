import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** The installed version of a package, or null; never imports it (importing rclnodejs without ROS compiles it). */
export function installedVersion(pkg: string): string | null {
  try {
    const entry = require.resolve(`${pkg}/package.json`);
    return (JSON.parse(readFileSync(entry, "utf8")) as { version?: string }).version ?? null;
  } catch {
    // Packages whose exports hide package.json: walk up from the main entry.
    try {
      let dir = dirname(require.resolve(pkg));
      for (let i = 0; i < 6; i++) {
        try {
          const pj = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
          if (pj.name === pkg) return pj.version ?? null;
        } catch {
          /* keep walking */
        }
        dir = dirname(dir);
      }
    } catch {
      /* not installed */
    }
    return null;
  }
}
