import type { ColumnMap } from "../column-map.js";

/**
 * Toyota RAV4 2017-18 steering ratio (steering-wheel angle / road-wheel angle) as openpilot uses it:
 * commaai/openpilot selfdrive/car/toyota/values.py, TOYOTA_RAV4 CarSpecs(mass=3650 lb, wheelbase=2.65,
 * steerRatio=16.88). On this segment the CAN yaw rate is 0.64 × speed × road-wheel angle / wheelbase
 * (r = 0.9, 1 s means), the steady-state understeer gain expected at 15-20 m/s.
 */
export const RAV4_STEER_RATIO = 16.88;

const toRoadWheel = { scale: 1 / RAV4_STEER_RATIO };

/**
 * comma2k19 RAV4 CSVs (shared/data/comma2k19-rav4). Signs were checked against each other on the data:
 * CAN yaw rate is + = left (it tracks -gyro_down, and steering angle + = left); accel_x_mps2 is + = slowing
 * (README) and accel_y_mps2 is + = right (it tracks -speed × yaw rate), so both are negated; the phone IMU
 * is forward-right-down, so left/up/counter-clockwise are its negated right/down axes.
 * The ECEF global pose is not mapped: position comes from GNSS lat/lon, heading from the GNSS bearing.
 */
export const comma2k19Map: ColumnMap = {
  name: "comma2k19",
  description: "comma2k19 Toyota RAV4 segment: CAN, phone IMU, u-blox GNSS",
  files: [
    {
      file: "processed_can_83hz.csv",
      time: { column: "t_boot_s" },
      columns: {
        speed_mps: { channel: "speed" },
        // The person steers this RAV4: no steering command is recorded (the decoded CAN has no LKA request, only
        // the driver's and the EPS torque). The measured road-wheel angle is the closest thing to the driver's
        // steering action, so it is also steer_cmd, the action the car model (dynamics/models/car) predicts and
        // the simulator's car executes (there, too, steer_cmd is a road-wheel angle).
        steering_angle_deg: [
          { channel: "steer", transform: ["deg_to_rad", toRoadWheel] },
          { channel: "steer_cmd", transform: ["deg_to_rad", toRoadWheel] },
        ],
      },
    },
    {
      file: "can_decoded_83hz.csv",
      time: { column: "t_boot_s" },
      columns: {
        steer_rate_deg_s: { channel: "steer_rate", transform: ["deg_s_to_rad_s", toRoadWheel] },
        yaw_rate_deg_s: { channel: "yaw_rate@can", transform: "deg_s_to_rad_s" },
        accel_x_mps2: { channel: "accel", transform: "negate" },
        accel_y_mps2: { channel: "lat_accel", transform: "negate" },
        gas_pedal_pct: { channel: "throttle", transform: "percent_to_unit" },
        brake_pressed: { channel: "brake" },
        cruise_active: { channel: "cruise_active" },
        pcm_accel_net_mps2: { channel: "accel_cmd" },
      },
    },
    {
      file: "processed_imu_104hz.csv",
      time: { column: "t_boot_s" },
      columns: {
        acc_fwd_mps2: { channel: "accel@imu" },
        acc_right_mps2: { channel: "lat_accel@imu", transform: "negate" },
        acc_down_mps2: { channel: "vert_accel", transform: "negate" },
        gyro_fwd_rads: { channel: "roll_rate" },
        gyro_right_rads: { channel: "pitch_rate", transform: "negate" },
        gyro_down_rads: { channel: "yaw_rate", transform: "negate" },
      },
    },
    {
      file: "processed_gnss_ublox_10hz.csv",
      time: { column: "t_boot_s" },
      columns: {
        lat_deg: { channel: "lat" },
        lon_deg: { channel: "lon" },
        alt_m: { channel: "alt" },
        speed_mps: { channel: "gnss_speed" },
        bearing_deg: { channel: "heading", transform: "bearing_deg_to_heading" },
      },
    },
  ],
};
