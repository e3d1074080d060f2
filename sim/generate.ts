// Procedural scenarios: random road geometry, speeds, traffic (leads that brake or stop, stopped vehicles,
// cut-ins), lane changes and sensor faults, for both vehicle models. Seeded: scenario i of seed S is the same
// object on every machine, and it is an ordinary scenario (ScenarioInput) that round-trips through the YAML schema,
// so a failure found on a generated scenario is reproduced from its file.
import { stringify } from "yaml";
import type { ScenarioInput } from "../scenarios/schema.js";
import { mulberry32, streamSeed, type Rng } from "./rng.js";

export type GenVehicle = "car" | "robot";

export interface GenerateOptions {
  readonly seed: number;
  /** Which vehicle(s): "both" alternates car and robot by index. */
  readonly vehicle?: GenVehicle | "both";
  /** Name prefix (default "gen"). */
  readonly prefix?: string;
  /** The situations drawn from, uniformly (default EVAL_KINDS; training leans on traffic events: TRAIN_KINDS). */
  readonly kinds?: readonly GenKind[];
}

export type GenKind = "free" | "follow" | "brake" | "stop_and_go" | "stopped" | "cut_in" | "lane_change";
export const EVAL_KINDS: readonly GenKind[] = ["free", "free", "follow", "brake", "stop_and_go", "stopped", "cut_in", "lane_change"];
/** Rare, hard events twice as often as in EVAL_KINDS, so the learner sees enough of them. */
export const TRAIN_KINDS: readonly GenKind[] = ["free", "follow", "brake", "brake", "stop_and_go", "stopped", "cut_in", "cut_in", "lane_change", "lane_change"];

const r2 = (x: number) => Math.round(x * 100) / 100;
const r4 = (x: number) => Math.round(x * 10000) / 10000;

interface Scale {
  readonly laneWidth: [number, number];
  readonly speed: [number, number];
  /** Largest |curvature| (1/m) of a generated curve at the generated speed. */
  readonly maxCurv: number;
  readonly len: number;
  readonly duration: [number, number];
  readonly carLength: number;
  readonly rate: number;
}

const SCALES: Record<GenVehicle, Scale> = {
  car: { laneWidth: [3.2, 3.8], speed: [8, 24], maxCurv: 0.012, len: 1, duration: [20, 30], carLength: 4.6, rate: 20 },
  robot: { laneWidth: [0.75, 1.0], speed: [1.0, 3.0], maxCurv: 0.4, len: 0.1, duration: [12, 20], carLength: 0.55, rate: 40 },
};

const uni = (r: Rng, [a, b]: readonly [number, number]) => a + (b - a) * r.next();
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r.next() * xs.length)];

/** A road of straights and clothoid–arc–clothoid curves, long enough for the run. */
function road(r: Rng, s: Scale, speed: number, duration: number) {
  const need = speed * duration * 1.3 + 80 * s.len;
  const segments: ({ type: "straight"; length: number } | { type: "arc"; length: number; curvature: number } | { type: "clothoid"; length: number; curvature_end: number })[] = [];
  let total = 0;
  segments.push({ type: "straight", length: r2(uni(r, [20, 80]) * s.len) });
  total += segments[0].length;
  while (total < need) {
    if (r.next() < 0.35) {
      const l = r2(uni(r, [30, 150]) * s.len);
      segments.push({ type: "straight", length: l });
      total += l;
      continue;
    }
    // Keep the curve drivable near the scenario's speed: lateral acceleration ≤ ~2.5 m/s² at `speed` …
    // … and a yaw rate ≤ 0.7 rad/s (the comfort bound is 0.95).
    const kMax = Math.min(s.maxCurv, 2.5 / (speed * speed), 0.7 / speed);
    const k = r4((r.next() < 0.5 ? -1 : 1) * uni(r, [0.25, 1]) * kMax);
    const trans = r2(uni(r, [20, 60]) * s.len);
    const arc = r2(uni(r, [20, 150]) * s.len);
    segments.push({ type: "clothoid", length: trans, curvature_end: k }, { type: "arc", length: arc, curvature: k }, { type: "clothoid", length: trans, curvature_end: 0 });
    total += 2 * trans + arc;
  }
  segments.push({ type: "straight", length: r2(100 * s.len) });
  return segments;
}

type Traffic = NonNullable<ScenarioInput["traffic"]>;
type Faults = NonNullable<ScenarioInput["faults"]>;

/** Sensor faults a vehicle should ride through: noise, short latency, short dropouts of non-critical channels. */
function faults(r: Rng, duration: number, robot: boolean): Faults {
  const out: Faults = [];
  const n = Math.floor(r.next() * 3);
  for (let i = 0; i < n; i++) {
    const from = r2(uni(r, [1, duration - 4]));
    const to = r2(from + uni(r, [1, 3]));
    const kind = pick(r, ["imu_noise", "gnss_noise", "scene_noise", "scene_latency", "lead_dropout", "gnss_dropout"] as const);
    switch (kind) {
      case "imu_noise":
        out.push({ kind: "noise", channel: ["yaw_rate", "accel", "lat_accel"], std: r2(uni(r, [0.02, 0.2])), from, to });
        break;
      case "gnss_noise":
        out.push({ kind: "noise", channel: ["x", "y"], std: r2(uni(r, [0.05, 0.5]) * (robot ? 0.1 : 1)), from, to });
        break;
      case "scene_noise":
        out.push({ kind: "noise", channel: ["path_offset"], std: r4(uni(r, [0.02, 0.08]) * (robot ? 0.2 : 1)), from, to });
        break;
      case "scene_latency":
        // Short: the runtime's perception drops samples that arrive after later ones were used ("late").
        out.push({ kind: "latency", channel: ["path_offset", "path_heading", "lead_gap", "lead_speed", "lead_present"], delay: r2(uni(r, [0.05, 0.15])), jitter: 0.05, from, to: r2(from + uni(r, [0.2, 0.4])) });
        break;
      case "lead_dropout":
        out.push({ kind: "dropout", channel: ["lead_gap", "lead_speed", "lead_present"], prob: r2(uni(r, [0.2, 0.5])), from, to });
        break;
      case "gnss_dropout":
        out.push({ kind: "dropout", channel: ["x", "y", "heading"], prob: r2(uni(r, [0.3, 0.8])), from, to });
        break;
    }
  }
  return out;
}

/** Scenario `index` of a seed. */
export function generateScenario(index: number, opts: GenerateOptions): ScenarioInput {
  const r = mulberry32(streamSeed(opts.seed, `gen:${index}`));
  const vehicle: GenVehicle = opts.vehicle === "car" || opts.vehicle === "robot" ? opts.vehicle : index % 2 === 0 ? "car" : "robot";
  const s = SCALES[vehicle];
  const robot = vehicle === "robot";
  const speed = r2(uni(r, s.speed));
  const duration = Math.round(uni(r, s.duration));
  const kind = pick(r, opts.kinds ?? EVAL_KINDS);
  // Cut-ins and lane changes need a second lane.
  const lanes = Math.max(robot ? pick(r, [1, 1, 2]) : pick(r, [1, 2, 2, 3]), kind === "cut_in" || kind === "lane_change" ? 2 : 1);
  const laneWidth = r2(uni(r, s.laneWidth));
  const egoLane = Math.floor(r.next() * lanes);
  const L = s.carLength;
  const traffic: Traffic = [];
  const route: { t: number; lane: number; duration?: number }[] = [];
  let distance = speed * duration;
  let minProgress: number | undefined;
  const ahead = (k: number) => r2(L * k);
  switch (kind) {
    case "follow": {
      const v = r2(speed * uni(r, [0.5, 0.95]));
      traffic.push({ kind: "lead", lane: egoLane, s: ahead(uni(r, [6, 14])), speed: v });
      distance = Math.max(v, 0.1) * duration;
      break;
    }
    case "brake": {
      const v = r2(speed * uni(r, [0.7, 1]));
      const t = r2(uni(r, [4, duration / 2]));
      const to = r2(v * uni(r, [0, 0.5]));
      traffic.push({ kind: "lead", lane: egoLane, s: ahead(uni(r, [7, 14])), speed: v, profile: [{ t, speed: to, accel: r2(uni(r, [1.5, 4]) * (robot ? 0.5 : 1)) }] });
      distance = (v * t + to * (duration - t)) * 0.9;
      minProgress = 0.5;
      break;
    }
    case "stop_and_go": {
      const v = r2(speed * uni(r, [0.6, 0.9]));
      const t1 = r2(uni(r, [3, 6]));
      const t2 = r2(t1 + uni(r, [4, 8]));
      traffic.push({
        kind: "lead",
        lane: egoLane,
        s: ahead(uni(r, [6, 12])),
        speed: v,
        profile: [
          { t: t1, speed: 0, accel: robot ? 1 : 2 },
          { t: t2, speed: v, accel: robot ? 0.5 : 1 },
        ],
      });
      distance = v * duration * 0.5;
      minProgress = 0.5;
      break;
    }
    case "stopped": {
      traffic.push({ kind: "stopped", lane: egoLane, s: r2(speed * uni(r, [4, 8]) + L * 6) });
      distance = speed * 4;
      minProgress = 0;
      break;
    }
    case "cut_in": {
      if (lanes < 2) break;
      const other = egoLane === 0 ? 1 : egoLane - 1;
      const v = r2(speed * uni(r, [0.7, 0.95]));
      traffic.push({ kind: "lead", lane: other, s: ahead(uni(r, [8, 14])), speed: v, lane_change: { to_lane: egoLane, duration: r2(uni(r, [2, 4]) * (robot ? 0.5 : 1)), gap: r2(L * uni(r, [3, 6])) } });
      distance = v * duration;
      minProgress = 0.6;
      break;
    }
    case "lane_change": {
      if (lanes < 2) break;
      const to = egoLane === 0 ? 1 : egoLane - 1;
      route.push({ t: r2(uni(r, [2, duration / 2])), lane: to, duration: r2(robot ? uni(r, [1.5, 3]) : uni(r, [3, 6])) });
      break;
    }
  }
  // A slower vehicle in the next lane, to be passed or just seen (never on the path unless ego changes lane).
  if (lanes > 1 && kind !== "lane_change" && r.next() < 0.4) {
    const other = egoLane === lanes - 1 ? egoLane - 1 : egoLane + 1;
    traffic.push({ kind: "lead", lane: other, s: ahead(uni(r, [3, 10])), speed: r2(speed * uni(r, [0.6, 1])) });
  }
  const sc: ScenarioInput = {
    name: `${opts.prefix ?? "gen"}-${opts.seed}-${index}`,
    description: `generated (seed ${opts.seed}, #${index}): ${vehicle}, ${kind}, ${speed} m/s`,
    vehicle: { model: vehicle },
    road: { lane_width: laneWidth, lanes, segments: road(r, s, speed, duration) },
    ego: {
      lane: egoLane,
      speed: r2(speed * uni(r, [0.6, 1.05])),
      lateral_offset: r2(uni(r, [-0.1, 0.1]) * laneWidth),
      heading_error: r4(uni(r, [-0.03, 0.03])),
    },
    traffic,
    faults: faults(r, duration, robot),
    duration,
    rate: s.rate,
    actions: robot ? ["steer_cmd", "speed_cmd"] : ["steer_cmd", "accel_cmd"],
    reference: { speed, distance: r2(Math.max(distance, 1)), route },
    ...(minProgress !== undefined ? { pass: { min_progress: minProgress } } : {}),
  };
  return sc;
}

export function generateScenarios(n: number, opts: GenerateOptions): ScenarioInput[] {
  return Array.from({ length: n }, (_, i) => generateScenario(i, opts));
}

/** The scenario as a YAML file's text. */
export function scenarioYaml(sc: ScenarioInput): string {
  return stringify(sc, { lineWidth: 0 });
}
