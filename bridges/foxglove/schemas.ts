// JSON schemas of what lam shows in Foxglove (schemaEncoding "jsonschema"): Foxglove uses them to list
// fields in the Plot and Raw Message panels.

const number = { type: "number" };
const time = { type: "number", description: "seconds, source clock" };

export const FRAME_SCHEMA = {
  title: "lam.Frame",
  description: "One perception tick: channel values (null = missing) and their validity",
  type: "object",
  properties: {
    t: time,
    values: { type: "object", additionalProperties: { type: ["number", "null"] } },
    valid: { type: "object", additionalProperties: { type: "string", enum: ["missing", "fresh", "held"] } },
  },
  required: ["t", "values", "valid"],
};

export const PREDICTION_SCHEMA = {
  title: "lam.ActionSequence",
  description: "A predicted action sequence, one row per step (std as <channel>_std when the model gives it)",
  type: "object",
  properties: {
    t0: time,
    dt: number,
    model: { type: "string" },
    channels: { type: "array", items: { type: "string" } },
    steps: { type: "array", items: { type: "object", properties: { t: time }, additionalProperties: number } },
  },
  required: ["t0", "dt", "model", "channels", "steps"],
};

export const COMMAND_SCHEMA = {
  title: "lam.Command",
  description: "What was sent to the actuators, and which limits changed it",
  type: "object",
  properties: {
    t: time,
    values: { type: "object", additionalProperties: number },
    mode: { type: "string", enum: ["model", "fallback", "stop"] },
    limits: { type: "array", items: { type: "string" } },
  },
  required: ["t", "values", "mode", "limits"],
};

export const STATUS_SCHEMA = {
  title: "lam.Status",
  type: "object",
  properties: {
    state: { type: "string", enum: ["starting", "online", "degraded", "offline"] },
    t: { type: "number", description: "Unix seconds" },
    detail: { type: "string" },
    model: { type: "string" },
  },
  required: ["state"],
};
