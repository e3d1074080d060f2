import type { ColumnMap } from "../column-map.js";

const stamp = { s: "s", ns: "ns" } as const;
const quaternion = { x: "q.x", y: "q.y", z: "q.z", w: "q.w" } as const;

/**
 * F1TENTH DS1–DS4 (shared/data/f1tenth). The actions are the person's commands (V, delta).
 * The IMU is mounted turned 90° about z: on all four runs its ax tracks speed × yaw rate (lateral, + = left,
 * r ≈ 0.95) and its ay tracks minus d(speed)/dt (r ≈ -0.8), while wz tracks the odometry heading's rate.
 * So accel = -ay, lat_accel = ax, and by the same rotation roll_rate = -wy, pitch_rate = wx.
 * Odometry wx/wz are not mapped (logger bug: wx repeats vx, wz is always 0); pfOdomData repeats the
 * odometry twist and the particle-filter pose, so it is not read.
 */
export const f1tenthMap: ColumnMap = {
  name: "f1tenth",
  description: "F1TENTH 1/10 car driven by a person: commands, IMU, wheel odometry, particle-filter pose",
  files: [
    {
      file: "commandData.csv",
      time: stamp,
      columns: { V: { channel: "speed_cmd" }, delta: { channel: "steer_cmd" } },
    },
    {
      file: "imuData.csv",
      time: stamp,
      columns: {
        ax: { channel: "lat_accel", transform: "g_to_mps2" },
        ay: { channel: "accel", transform: ["g_to_mps2", "negate"] },
        az: { channel: "vert_accel", transform: "g_to_mps2" },
        wx: { channel: "pitch_rate", transform: "deg_s_to_rad_s" },
        wy: { channel: "roll_rate", transform: ["deg_s_to_rad_s", "negate"] },
        wz: { channel: "yaw_rate", transform: "deg_s_to_rad_s" },
      },
    },
    {
      file: "odomData.csv",
      time: stamp,
      columns: { vx: { channel: "speed" }, x: { channel: "x" }, y: { channel: "y" } },
      derived: [{ channel: "heading", from: "quaternion_yaw", columns: quaternion }],
    },
    {
      file: "pfPoseData.csv",
      time: stamp,
      columns: { x: { channel: "x@pf" }, y: { channel: "y@pf" } },
      derived: [{ channel: "heading@pf", from: "quaternion_yaw", columns: quaternion }],
    },
  ],
};
