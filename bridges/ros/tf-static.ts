import { describe, field, rejectAll } from "./collect.js";
import { multiply } from "./quaternion.js";
import type { MapOptions, MapResult, Quaternion, RosMessageMapper } from "./types.js";

/** Frames a sensor mount is resolved up to (REP-105 names the vehicle frame base_link; some robots root at base_footprint). */
export const BASE_FRAMES: readonly string[] = ["base_link", "base_footprint"];

const stripSlash = (f: string): string => f.replace(/^\/+/, "");

/**
 * The static transforms of a recording or a live /tf_static: each child frame's rotation in its parent.
 * A sensor's mount is the rotation of its frame in the vehicle frame, composed along the chain.
 */
export class StaticTransforms {
  readonly #parent = new Map<string, { parent: string; rotation: Quaternion }>();

  /** Reads a tf2_msgs/TFMessage; returns what could not be used (named), the rest is kept. */
  add(msg: unknown): string[] {
    const transforms = field(msg, "transforms");
    if (!Array.isArray(transforms)) return [`transforms is ${describe(transforms)}, not an array`];
    const problems: string[] = [];
    transforms.forEach((t, i) => {
      const parent = field(t, "header", "frame_id");
      const child = field(t, "child_frame_id");
      const r = field(t, "transform", "rotation");
      const q = [field(r, "x"), field(r, "y"), field(r, "z"), field(r, "w")];
      if (typeof parent !== "string" || typeof child !== "string" || parent === "" || child === "") {
        problems.push(`transforms[${i}]: frame ids ${describe(parent)} → ${describe(child)}`);
        return;
      }
      if (!q.every((x): x is number => typeof x === "number" && Number.isFinite(x))) {
        problems.push(`transforms[${i}] (${parent} → ${child}): rotation is not four finite numbers`);
        return;
      }
      const n = Math.hypot(...q);
      if (!(Math.abs(n - 1) < 0.01)) {
        problems.push(`transforms[${i}] (${parent} → ${child}): rotation has norm ${n.toFixed(4)}, not a unit quaternion`);
        return;
      }
      this.#parent.set(stripSlash(child), { parent: stripSlash(parent), rotation: { x: q[0] / n, y: q[1] / n, z: q[2] / n, w: q[3] / n } });
    });
    return problems;
  }

  get size(): number {
    return this.#parent.size;
  }

  /**
   * The rotation of `frame` in the vehicle frame (base_link, else base_footprint); undefined where no chain
   * leads there, and for the vehicle frame itself (nothing to rotate).
   */
  mountOf(frame: string): Quaternion | undefined {
    let f = stripSlash(frame);
    if (BASE_FRAMES.includes(f)) return undefined;
    let q: Quaternion = { x: 0, y: 0, z: 0, w: 1 };
    for (let hops = 0; hops < 64; hops++) {
      const link = this.#parent.get(f);
      if (!link) return undefined;
      q = multiply(link.rotation, q);
      if (BASE_FRAMES.includes(link.parent)) return q;
      f = link.parent;
    }
    return undefined;
  }
}

/** tf2_msgs/TFMessage on /tf_static gives no samples: importers and the live source feed it to a StaticTransforms. */
export const tfMessageMapper: RosMessageMapper = {
  type: "tf2_msgs/TFMessage",
  kind: "tf",
  rank: 9,
  channels: [],
  map: (_msg: unknown, logTime: number, options: MapOptions = {}): MapResult => rejectAll([], logTime, options, ""),
};

/** The header.frame_id of a message, or undefined. */
export function frameIdOf(msg: unknown): string | undefined {
  const f = field(msg, "header", "frame_id");
  return typeof f === "string" && f !== "" ? f : undefined;
}
