/**
 * One spelling per message type: ROS 2's "pkg/msg/Type" becomes ROS 1's "pkg/Type", so a mapper is found
 * by either (MCAP ros2msg schemas, ROS 1 bag connections, rclnodejs type strings).
 */
export function normalizeRosType(type: string): string {
  const parts = type.split("/");
  if (parts.length === 3 && parts[1] === "msg") return `${parts[0]}/${parts[2]}`;
  return type;
}
