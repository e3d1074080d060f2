import { z } from "zod";

/** The action channels a Command may carry, and the only ones the envelope knows how to limit. */
export const ACTION_CHANNELS = ["steer_cmd", "accel_cmd", "speed_cmd"] as const;
export type ActionChannel = (typeof ACTION_CHANNELS)[number];

/** Every dotted parameter key starts with this, so `lam tune` can mix policy keys with others. */
export const PARAM_PREFIX = "policy";

// Autoware (vehicle_cmd_gate) caps the steering limit at pi/2: tan/atan in the lateral limits wrap beyond it.
const HALF_PI = Math.PI / 2;

// zod 4 rejects ±Infinity and NaN as a type error; say which it was.
const numberError = (iss: { input?: unknown }) => (typeof iss.input === "number" ? "must be finite" : "must be a number");
const positive = z.number({ error: numberError }).positive({ error: "must be > 0" });
const nonNegative = z.number({ error: numberError }).min(0, { error: "must be >= 0" });
const table = z.array(positive, { error: "must be an array of numbers" }).min(1, { error: "must not be empty" });

const objectError = { error: "must be an object" };

const fallbackSchema = z.strictObject({
  /** On a fault: "hold" the last safe command for `holdTime`, then stop; or "stop" at once. */
  action: z.enum(["hold", "stop"], { error: 'must be "hold" or "stop"' }),
  /** Longest hold of the last safe command before stopping (s). */
  holdTime: nonNegative,
  /** Deceleration of the comfortable stop (m/s², positive). */
  stopDecel: positive,
  /** How long the input must stay healthy before the model is trusted again (s). */
  recoverTime: nonNegative,
  /** How long a critical state channel may stay stale before it is a fault (s). */
  staleLimit: nonNegative,
  /** State channels (canonical names) whose staleness is a fault. */
  criticalChannels: z.array(z.string().min(1), { error: "must be an array of channel names" }),
  /** Per action channel: the largest predicted std (at the acted step) still trusted. */
  maxStd: z.partialRecord(z.enum(ACTION_CHANNELS, { error: `must be one of ${ACTION_CHANNELS.join(", ")}` }), positive, objectError).default({}),
}, objectError);

export const LIMIT_TABLES = ["steerLim", "steerRateLim", "lonAccLim", "lonJerkLim", "latAccLim", "latJerkLim", "actualSteerDiffLim"] as const;
export type LimitTable = (typeof LIMIT_TABLES)[number];

export const policyParamsSchema = z
  .strictObject({
    name: z.string().min(1, { error: "must be a non-empty string" }),
    description: z.string().optional(),
    /** Front-to-rear axle distance (m): curvature = tan(steer) / wheelbase. */
    wheelbase: positive,
    /** The channels every command carries, in this order. */
    channels: z
      .array(z.enum(ACTION_CHANNELS, { error: `must be one of ${ACTION_CHANNELS.join(", ")}` }))
      .min(1, { error: "must name at least one action channel" }),
    /** Speeds (m/s, increasing) at which each limit table is given; linear in between, clamped outside. */
    referenceSpeeds: z.array(nonNegative, { error: "must be an array of numbers" }).min(1, { error: "must not be empty" }),
    /** |steer| (rad). */
    steerLim: table,
    /** |d steer / dt| (rad/s). */
    steerRateLim: table,
    /** |accel| (m/s²), and |d speed_cmd / dt|. */
    lonAccLim: table,
    /** |d accel / dt| (m/s³), and the second difference of speed_cmd. */
    lonJerkLim: table,
    /** |v² tan(steer) / wheelbase| (m/s²) at the measured speed. */
    latAccLim: table,
    /** |d lat_accel / dt| (m/s³) at the measured speed. */
    latJerkLim: table,
    /** |steer_cmd − measured steer| (rad). */
    actualSteerDiffLim: table,
    /** Forward speed cap (m/s): clamps speed_cmd, and pulls accel_cmd down above it. */
    maxSpeed: positive,
    /** Reverse speed cap (m/s) for speed_cmd; 0 = never command reverse. */
    maxReverseSpeed: nonNegative,
    /** The tick period the policy is built for (s): the dt of the first tick. */
    nominalDt: positive,
    /** Largest dt (s) the rate limits may use: a longer gap between ticks is treated as this. */
    maxDt: positive,
    /** Act on the prediction at (tick time + lookahead) (s), interpolated between predicted steps. */
    lookahead: nonNegative,
    /** Weight of the reference controller's action: 0 = model only, 1 = reference only. */
    blend: nonNegative.max(1, { error: "must be <= 1" }),
    fallback: fallbackSchema,
  }, objectError)
  .superRefine((p, ctx) => {
    const n = p.referenceSpeeds.length;
    for (let i = 1; i < n; i++) {
      if (!(p.referenceSpeeds[i]! > p.referenceSpeeds[i - 1]!)) {
        ctx.addIssue({ code: "custom", path: ["referenceSpeeds", i], message: `must be > referenceSpeeds[${i - 1}] (${p.referenceSpeeds[i - 1]})` });
      }
    }
    for (const key of LIMIT_TABLES) {
      if (p[key].length !== n) {
        ctx.addIssue({ code: "custom", path: [key], message: `must have ${n} entries, one per referenceSpeeds entry (has ${p[key].length})` });
      }
    }
    p.steerLim.forEach((v, i) => {
      if (v > HALF_PI) ctx.addIssue({ code: "custom", path: ["steerLim", i], message: "must be <= pi/2" });
    });
    if (new Set(p.channels).size !== p.channels.length) {
      ctx.addIssue({ code: "custom", path: ["channels"], message: "must not repeat a channel" });
    }
    if (p.maxDt < p.nominalDt) ctx.addIssue({ code: "custom", path: ["maxDt"], message: `must be >= nominalDt (${p.nominalDt})` });
  });

export type PolicyParams = z.infer<typeof policyParamsSchema>;
export type FallbackParams = PolicyParams["fallback"];

/** Bad policy parameters: every problem, each naming the dotted key and the offending value. */
export class PolicyParamsError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}: invalid policy parameters:\n  ${problems.join("\n  ")}`);
    this.name = "PolicyParamsError";
  }
}

/** `["lonJerkLim", 2]` → `policy.lonJerkLim[2]`: the same syntax applyOverrides accepts. */
export function formatKey(path: readonly PropertyKey[]): string {
  let out = PARAM_PREFIX;
  for (const seg of path) out += typeof seg === "number" ? `[${seg}]` : `.${String(seg)}`;
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

function show(v: unknown): string {
  if (typeof v === "number" || v === undefined) return String(v);
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function describeIssue(raw: unknown, issue: z.core.$ZodIssue): string[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((k) => `${formatKey([...issue.path, k])}: unknown key`);
  }
  const v = valueAt(raw, issue.path);
  const msg = v === undefined && issue.code === "invalid_type" ? "required" : issue.message;
  return [`${formatKey(issue.path)} = ${show(v)}: ${msg}`];
}

/** Validate parameters read from a file or built in code; `source` names where they came from in errors. */
export function parsePolicyParams(raw: unknown, source = "policy params"): PolicyParams {
  const r = policyParamsSchema.safeParse(raw);
  if (!r.success) throw new PolicyParamsError(source, r.error.issues.flatMap((i) => describeIssue(raw, i)));
  return r.data;
}
