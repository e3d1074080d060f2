// ROS 2 message definitions (Humble/Jazzy, comments dropped) of the types lam maps, in the ros2msg form
// MCAP embeds: the type's own fields, then each dependency after a "MSG: pkg/Type" separator. Used to write
// ROS 2 messages (McapSink, the live bridge) and to test the mappers on real CDR bytes.

const FIELDS: Readonly<Record<string, string>> = {
  "builtin_interfaces/Time": "int32 sec\nuint32 nanosec",
  "std_msgs/Header": "builtin_interfaces/Time stamp\nstring frame_id",
  "geometry_msgs/Vector3": "float64 x\nfloat64 y\nfloat64 z",
  "geometry_msgs/Point": "float64 x\nfloat64 y\nfloat64 z",
  "geometry_msgs/Quaternion": "float64 x 0\nfloat64 y 0\nfloat64 z 0\nfloat64 w 1",
  "geometry_msgs/Pose": "Point position\nQuaternion orientation",
  "geometry_msgs/PoseWithCovariance": "Pose pose\nfloat64[36] covariance",
  "geometry_msgs/Twist": "Vector3 linear\nVector3 angular",
  "geometry_msgs/TwistWithCovariance": "Twist twist\nfloat64[36] covariance",
  "geometry_msgs/TwistStamped": "std_msgs/Header header\nTwist twist",
  "sensor_msgs/Imu": [
    "std_msgs/Header header",
    "geometry_msgs/Quaternion orientation",
    "float64[9] orientation_covariance",
    "geometry_msgs/Vector3 angular_velocity",
    "float64[9] angular_velocity_covariance",
    "geometry_msgs/Vector3 linear_acceleration",
    "float64[9] linear_acceleration_covariance",
  ].join("\n"),
  "sensor_msgs/NavSatStatus": [
    "int8 STATUS_NO_FIX = -1",
    "int8 STATUS_FIX = 0",
    "int8 STATUS_SBAS_FIX = 1",
    "int8 STATUS_GBAS_FIX = 2",
    "int8 status",
    "uint16 SERVICE_GPS = 1",
    "uint16 SERVICE_GLONASS = 2",
    "uint16 SERVICE_COMPASS = 4",
    "uint16 SERVICE_GALILEO = 8",
    "uint16 service",
  ].join("\n"),
  "sensor_msgs/NavSatFix": [
    "std_msgs/Header header",
    "NavSatStatus status",
    "float64 latitude",
    "float64 longitude",
    "float64 altitude",
    "float64[9] position_covariance",
    "uint8 COVARIANCE_TYPE_UNKNOWN = 0",
    "uint8 COVARIANCE_TYPE_APPROXIMATED = 1",
    "uint8 COVARIANCE_TYPE_DIAGONAL_KNOWN = 2",
    "uint8 COVARIANCE_TYPE_KNOWN = 3",
    "uint8 position_covariance_type",
  ].join("\n"),
  "nav_msgs/Odometry": [
    "std_msgs/Header header",
    "string child_frame_id",
    "geometry_msgs/PoseWithCovariance pose",
    "geometry_msgs/TwistWithCovariance twist",
  ].join("\n"),
  "ackermann_msgs/AckermannDrive": [
    "float32 steering_angle",
    "float32 steering_angle_velocity",
    "float32 speed",
    "float32 acceleration",
    "float32 jerk",
  ].join("\n"),
  "ackermann_msgs/AckermannDriveStamped": "std_msgs/Header header\nAckermannDrive drive",
  "geometry_msgs/Transform": "Vector3 translation\nQuaternion rotation",
  "geometry_msgs/TransformStamped": "std_msgs/Header header\nstring child_frame_id\nTransform transform",
  "tf2_msgs/TFMessage": "geometry_msgs/TransformStamped[] transforms",
  // Autoware (autowarefoundation/autoware_msgs, Apache-2.0; see bridges/ros2/msg/autoware/NOTICE).
  "autoware_vehicle_msgs/VelocityReport": "std_msgs/Header header\nfloat32 longitudinal_velocity\nfloat32 lateral_velocity\nfloat32 heading_rate",
  "autoware_vehicle_msgs/SteeringReport": "builtin_interfaces/Time stamp\nfloat32 steering_tire_angle",
};

const PRIMITIVES = new Set([
  "bool", "byte", "char", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
  "float32", "float64", "string", "wstring",
]);

const SEPARATOR = "=".repeat(80);

/** The types a field list refers to, resolved against the package of the type that holds them. */
function dependencies(type: string, fields: Readonly<Record<string, string>>): string[] {
  const pkg = type.split("/")[0];
  const out: string[] = [];
  for (const raw of fields[type].split("\n")) {
    const line = raw.split("#")[0]!;
    const [fieldType, name] = line.trim().split(/\s+/);
    // Blank, comment-only and constant lines (NAME=value) name no dependency.
    if (name === undefined || line.includes("=")) continue;
    const bare = fieldType.replace(/\[\d*\]$/, "");
    if (PRIMITIVES.has(bare)) continue;
    out.push(bare.includes("/") ? bare : `${pkg}/${bare}`);
  }
  return out;
}

/**
 * The full ros2msg definition of a type lam maps, as an MCAP schema holds it. Accepts either ROS spelling.
 * `extra` adds field lists (e.g. the types lam publishes), which may refer to these and to each other.
 */
export function ros2Definition(type: string, extra: Readonly<Record<string, string>> = {}): string {
  const fields: Readonly<Record<string, string>> = { ...FIELDS, ...extra };
  const root = type.replace("/msg/", "/");
  if (!(root in fields)) throw new Error(`no ROS 2 definition for ${type} (have: ${Object.keys(fields).join(", ")})`);
  const seen = new Set([root]);
  const parts = [fields[root]];
  const queue = dependencies(root, fields);
  while (queue.length > 0) {
    const dep = queue.shift()!;
    if (seen.has(dep)) continue;
    seen.add(dep);
    if (!(dep in fields)) throw new Error(`no ROS 2 definition for ${dep}, which ${root} needs`);
    parts.push(`${SEPARATOR}\nMSG: ${dep}\n${fields[dep]}`);
    queue.push(...dependencies(dep, fields));
  }
  return parts.join("\n");
}

/** Types that `ros2Definition` knows. */
export const ROS2_DEFINED_TYPES: readonly string[] = Object.keys(FIELDS);
