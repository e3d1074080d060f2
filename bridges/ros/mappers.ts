import { ackermannDriveMapper, ackermannDriveStampedMapper } from "./ackermann.js";
import { imuMapper } from "./imu.js";
import { normalizeRosType } from "./message-type.js";
import { navSatFixMapper } from "./navsatfix.js";
import { odometryMapper } from "./odometry.js";
import { tfMessageMapper } from "./tf-static.js";
import { lamFrameMapper } from "./lam-frame.js";
import { twistMapper, twistStampedMapper } from "./twist.js";
import { steeringReportMapper, velocityReportMapper } from "./autoware.js";
import type { RosMessageMapper } from "./types.js";

/** Every message type lam reads from ROS, by its ROS 1 spelling. */
export const ROS_MAPPERS: ReadonlyMap<string, RosMessageMapper> = new Map(
  [
    imuMapper,
    odometryMapper,
    navSatFixMapper,
    twistMapper,
    twistStampedMapper,
    ackermannDriveStampedMapper,
    ackermannDriveMapper,
    velocityReportMapper,
    steeringReportMapper,
    tfMessageMapper,
    lamFrameMapper,
  ].map((m) => [m.type, m]),
);

/** The mapper for a message type in either ROS spelling, or undefined when lam does not read it. */
export function mapperFor(type: string): RosMessageMapper | undefined {
  return ROS_MAPPERS.get(normalizeRosType(type));
}
