// The closed loop on a virtual clock: at each control tick the driver sees the sensor samples delivered so far
// and the reference action, its command is checked (non-finite → hold the last executed value) and executed by
// the vehicle model for the tick's physics steps, while traffic moves and collisions are checked every step.
// Nothing here reads the wall clock: `options.now` (ms) is used only to time the driver when it does not time itself.
import type { Scenario } from "../scenarios/schema.js";
import type { ActionSequence } from "../dynamics/types.js";
import { buildRoad, type Road } from "./road.js";
import { vehicleParams, stepVehicle, yawRate, latAccel, bodyAccel, type VehicleParams, type VehicleState, type VehicleCommand } from "./vehicle.js";
import { initTraffic, stepTraffic, agentBox, timeToCollision, type EgoView, type Traffic } from "./traffic.js";
import { boxesOverlap } from "./geometry.js";
import { sensorSuite, type Truth } from "./sensors.js";
import { makeRoute } from "./route.js";
import { simScene } from "./scene.js";
import { referenceController } from "./reference.js";
import { passCriteria } from "./criteria.js";
import type { Driver, DriverOutput } from "./driver.js";
import { commandOutcome, firstStep } from "../pipeline/tally.js";
import { predictionAhead } from "./report/ahead.js";
import type { ScenarioRun, TickRecord } from "./run.js";

export interface RunOptions {
  readonly seed: number;
  /** Monotonic milliseconds, used only to time driver ticks (never for simulated time). */
  readonly now?: () => number;
  /** Deadline for one driver tick (ms); default: the control period. */
  readonly deadlineMs?: number;
  /** Every tick's driver output as it is made (tick index k): where sinks (MQTT) attach. Must not throw. */
  readonly onTick?: (out: DriverOutput, k: number) => void;
}

const OVERRIDE_KEYS: Record<string, keyof VehicleParams> = {
  wheelbase: "wheelbase",
  length: "length",
  width: "width",
  rear_overhang: "rearOverhang",
  max_steer: "maxSteer",
  max_steer_rate: "maxSteerRate",
  steer_tau: "steerTau",
  accel_tau: "accelTau",
  max_accel: "maxAccel",
  max_decel: "maxDecel",
  max_speed: "maxSpeed",
  allow_reverse: "allowReverse",
  speed_gain: "speedGain",
};

export function scenarioVehicle(sc: Scenario): VehicleParams {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(sc.vehicle.overrides ?? {})) o[OVERRIDE_KEYS[k]] = v;
  return vehicleParams(sc.vehicle.model, o as Partial<VehicleParams>);
}

/** Ego's body centre in Frenet, from the rear-axle state. */
function egoView(road: Road, st: VehicleState, p: VehicleParams, hint: number): { view: EgoView; s: number; d: number } {
  const f = road.project(st.x, st.y, st.heading, hint);
  const off = p.length / 2 - p.rearOverhang;
  const cx = st.x + off * Math.cos(st.heading);
  const cy = st.y + off * Math.sin(st.heading);
  const c = road.project(cx, cy, st.heading, f.s);
  return { view: { s: c.s, d: c.d, speed: st.speed, length: p.length, width: p.width }, s: f.s, d: f.d };
}

function egoBox(st: VehicleState, p: VehicleParams) {
  const off = p.length / 2 - p.rearOverhang;
  return { x: st.x + off * Math.cos(st.heading), y: st.y + off * Math.sin(st.heading), heading: st.heading, length: p.length, width: p.width };
}

function predictionError(pred: ActionSequence, executed: readonly Record<string, number>[], rate: number): { ade: number; fde: number } | null {
  const horizon = pred.mean.length / Math.max(pred.channels.length, 1);
  let sum = 0;
  let n = 0;
  let last = 0;
  let lastN = 0;
  for (let i = 0; i < horizon; i++) {
    const k = Math.floor((pred.t0 + i * pred.dt) * rate + 1e-6);
    if (k < 0) continue;
    if (k >= executed.length) return null;
    let stepSum = 0;
    let stepN = 0;
    pred.channels.forEach((ch, c) => {
      const actual = executed[k][ch];
      const p = pred.mean[i * pred.channels.length + c];
      if (actual === undefined || !Number.isFinite(p)) return;
      stepSum += Math.abs(p - actual);
      stepN++;
    });
    if (stepN === 0) continue;
    sum += stepSum / stepN;
    n++;
    if (i === horizon - 1) (last = stepSum / stepN), (lastN = 1);
  }
  return n === 0 || lastN === 0 ? null : { ade: sum / n, fde: last };
}

/** First step and spread, plus (for the report, as replays record it) what was predicted 0.5 s and 1 s ahead. */
function predictionRecord(p: ActionSequence, t: number, rate: number): NonNullable<TickRecord["prediction"]> {
  const ahead = predictionAhead(p, t, rate);
  return ahead ? { ...firstStep(p), ahead } : firstStep(p);
}

export function runScenario(sc: Scenario, driver: Driver, options: RunOptions): ScenarioRun {
  const road = buildRoad(sc.road);
  const p = scenarioVehicle(sc);
  const route = makeRoute(sc, road);
  const ref = referenceController(sc, road, p, route);
  const ctrlDt = 1 / sc.rate;
  // Whole physics steps per control tick, each no longer than the vehicle's step.
  const substeps = Math.max(1, Math.ceil(ctrlDt / p.dt - 1e-9));
  const physicsDt = ctrlDt / substeps;
  const pv: VehicleParams = { ...p, dt: physicsDt };
  const ticks = Math.floor(sc.duration * sc.rate + 1e-9);
  const sensors = sensorSuite({ rates: sc.sensors, faults: sc.faults, seed: options.seed, duration: sc.duration });

  const start = road.pose(sc.ego.s, road.laneCenter(sc.ego.lane) + sc.ego.lateral_offset);
  let ego: VehicleState = {
    x: start.x,
    y: start.y,
    heading: start.heading + sc.ego.heading_error,
    speed: sc.ego.speed,
    // Start in the steady turn of the road there, so a curved start is not a step input.
    steer: Math.atan(p.wheelbase * road.curvatureAt(sc.ego.s)),
    accel: 0,
  };
  let traffic: Traffic = initTraffic(sc.traffic, road);
  let frenet = egoView(road, ego, p, sc.ego.s);
  const scene = simScene(sc, road, p, route);
  const truth = (st: VehicleState, t: number): Truth => ({
    speed: st.speed,
    accel: bodyAccel(st, p),
    lat_accel: latAccel(st, p),
    yaw_rate: yawRate(st, p),
    steer: st.steer,
    x: st.x,
    y: st.y,
    heading: st.heading,
    scene: () => scene.values(t, st, frenet.s, traffic.agents),
  });

  driver.reset();
  ref.reset();
  const records: TickRecord[] = [];
  const predictions: (ActionSequence | undefined)[] = [];
  const executedSeries: Record<string, number>[] = [];
  const collided = new Map<number, number>();
  let lastExec: Record<string, number> = {};
  for (const ch of sc.actions) lastExec[ch] = ch === "steer_cmd" ? ego.steer : ch === "speed_cmd" ? ego.speed : 0;

  for (let k = 0; k < ticks; k++) {
    const t = k / sc.rate;
    sensors.observe(t, truth(ego, t));
    const samples = sensors.deliver(t);
    const reference = ref.act({ t, ego, s: frenet.s, d: frenet.d, egoView: frenet.view, agents: traffic.agents }, ctrlDt);
    const t0 = options.now?.();
    const out = driver.tick({ t, samples, reference });
    const measured = t0 !== undefined && options.now ? options.now() - t0 : undefined;
    options.onTick?.(out, k);

    // Execute only finite values on the scenario's action channels (the pipeline's non-finite guard); anything
    // else holds the last executed value.
    const outcome = commandOutcome(out.command, { reason: out.fallbackReason ?? null }, sc.actions);
    const command = outcome.values;
    const exec: Record<string, number> = {};
    for (const ch of sc.actions) exec[ch] = command[ch] ?? lastExec[ch];
    lastExec = exec;
    sensors.recordCommand(t, exec);
    const vcmd: VehicleCommand = { steer_cmd: exec.steer_cmd, accel_cmd: exec.accel_cmd, speed_cmd: exec.speed_cmd };

    const route0 = route(t);
    const ttc = timeToCollision(frenet.view, traffic.agents);
    const stateAtT = ego;
    const sAtT = frenet.s;
    const dAtT = frenet.d;
    const vehicleLimits = new Set<string>();
    for (let j = 0; j < substeps; j++) {
      const ts = (k * substeps + j) * physicsDt;
      if (j > 0) sensors.observe(ts, truth(ego, ts));
      const r = stepVehicle(ego, vcmd, pv);
      for (const l of r.limits) vehicleLimits.add(`vehicle.${l}`);
      ego = r.state;
      traffic = stepTraffic(traffic, sc.traffic, road, frenet.view, ts, physicsDt);
      frenet = egoView(road, ego, p, frenet.s);
      const eb = egoBox(ego, p);
      for (const a of traffic.agents) {
        if (!collided.has(a.id) && boxesOverlap(eb, agentBox(a, road))) collided.set(a.id, ts + physicsDt);
      }
    }

    records.push({
      t,
      x: stateAtT.x,
      y: stateAtT.y,
      heading: stateAtT.heading,
      speed: stateAtT.speed,
      accel: bodyAccel(stateAtT, p),
      lat_accel: latAccel(stateAtT, p),
      yaw_rate: yawRate(stateAtT, p),
      steer: stateAtT.steer,
      s: sAtT,
      lateral_offset: dAtT - route0.d,
      ref_speed: ref.desiredSpeed,
      ttc: Number.isFinite(ttc) ? ttc : null,
      command,
      executed: exec,
      reference,
      mode: outcome.mode,
      limits: [...outcome.limits, ...[...vehicleLimits].sort()],
      fallback: outcome.fallback,
      prediction: out.prediction ? predictionRecord(out.prediction, t, sc.rate) : null,
      prediction_error: null,
      tick_ms: out.tickMs ?? measured ?? null,
    });
    predictions.push(out.prediction);
    executedSeries.push(exec);
  }

  const withErrors = records.map((r, i) => {
    const pr = predictions[i];
    return pr ? { ...r, prediction_error: predictionError(pr, executedSeries, sc.rate) } : r;
  });
  const every = Math.max(1, Math.floor(road.line.x.length / 400));
  const rx: number[] = [];
  const ry: number[] = [];
  for (let i = 0; i < road.line.x.length; i += every) rx.push(road.line.x[i]), ry.push(road.line.y[i]);
  return {
    name: sc.name,
    description: sc.description,
    rate: sc.rate,
    duration: sc.duration,
    seed: options.seed,
    vehicle: p.name,
    actions: [...sc.actions],
    ticks: withErrors,
    collisions: [...collided].map(([agent, t]) => ({ t, agent })).sort((a, b) => a.t - b.t || a.agent - b.agent),
    expected_distance: sc.reference.distance ?? sc.reference.speed * sc.duration,
    criteria: passCriteria(sc, p),
    fault_counts: sensors.faultCounts(),
    sensor_samples: sensors.produced(),
    deadline_ms: options.deadlineMs ?? 1000 / sc.rate,
    road: { lane_width: road.laneWidth, lanes: road.lanes, x: rx, y: ry },
  };
}
