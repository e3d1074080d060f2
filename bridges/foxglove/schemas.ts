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

// Foxglove's well-known schemas (https://docs.foxglove.dev/docs/sdk/schemas), JSON-encoded: Foxglove picks
// its panels by these schema names (PosesInFrame draws as a line in the 3D panel, Log fills the Log panel).
const foxgloveTime = {
  type: "object",
  properties: { sec: { type: "integer", minimum: 0 }, nsec: { type: "integer", minimum: 0, maximum: 999999999 } },
  required: ["sec", "nsec"],
};
const vector3 = { type: "object", properties: { x: number, y: number, z: number }, required: ["x", "y", "z"] };
const quaternion = { type: "object", properties: { x: number, y: number, z: number, w: number }, required: ["x", "y", "z", "w"] };
const pose = { type: "object", properties: { position: vector3, orientation: quaternion }, required: ["position", "orientation"] };

export const POSES_IN_FRAME_SCHEMA = {
  title: "foxglove.PosesInFrame",
  description: "An array of timestamped poses in a named coordinate frame (lam: the predicted path in base_link)",
  type: "object",
  properties: { timestamp: foxgloveTime, frame_id: { type: "string" }, poses: { type: "array", items: pose } },
  required: ["timestamp", "frame_id", "poses"],
};

export const POSE_IN_FRAME_SCHEMA = {
  title: "foxglove.PoseInFrame",
  description: "A timestamped pose in a named coordinate frame (lam sim: the simulated vehicle's rear axle in the scenario's world frame)",
  type: "object",
  properties: { timestamp: foxgloveTime, frame_id: { type: "string" }, pose },
  required: ["timestamp", "frame_id", "pose"],
};

export const LOG_SCHEMA = {
  title: "foxglove.Log",
  description: "A log message (lam: mode changes and the limits that changed a command)",
  type: "object",
  properties: {
    timestamp: foxgloveTime,
    level: { type: "integer", description: "0 UNKNOWN, 1 DEBUG, 2 INFO, 3 WARNING, 4 ERROR, 5 FATAL" },
    message: { type: "string" },
    name: { type: "string" },
    file: { type: "string" },
    line: { type: "integer", minimum: 0 },
  },
  required: ["timestamp", "level", "message", "name", "file", "line"],
};
