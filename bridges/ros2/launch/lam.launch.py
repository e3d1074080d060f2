"""Launch the lam action-prediction node (a Node.js process) as a ROS 2 node.

    ros2 launch bridges/ros2/launch/lam.launch.py namespace:=/car1 params_file:=/path/to/lam.params.yaml

lam is not an ament package (it is an npm one), so this runs the `lam` executable with ExecuteProcess; the
ROS arguments after --ros-args are handed to rclnodejs as any node's are: namespace, node name, parameter
file, and any remaps given in `remaps` (space-separated from:=to pairs).
"""
import os

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, ExecuteProcess, OpaqueFunction
from launch.substitutions import LaunchConfiguration

HERE = os.path.dirname(os.path.abspath(__file__))


def _lam(context, *args, **kwargs):
    get = lambda name: LaunchConfiguration(name).perform(context)  # noqa: E731
    cmd = [get("lam"), "run", "--ros2"]
    if get("extra_args"):
        cmd += get("extra_args").split()
    cmd += ["--ros-args", "-r", "__ns:=" + get("namespace"), "-r", "__node:=" + get("node_name"), "--params-file", get("params_file")]
    for remap in get("remaps").split():
        cmd += ["-r", remap]
    if get("use_sim_time").lower() in ("true", "1"):
        cmd += ["-p", "use_sim_time:=true"]
    # lam stops within 5 s of SIGINT/SIGTERM; give it that before launch escalates.
    return [ExecuteProcess(cmd=cmd, output="screen", sigterm_timeout="6", sigkill_timeout="2")]


def generate_launch_description():
    return LaunchDescription(
        [
            DeclareLaunchArgument("lam", default_value="lam", description="the lam executable (npx lam, or node dist/runtime/cli.js via a wrapper)"),
            DeclareLaunchArgument("namespace", default_value="/", description="the node's namespace, e.g. /car1"),
            DeclareLaunchArgument("node_name", default_value="lam"),
            DeclareLaunchArgument("params_file", default_value=os.path.join(HERE, "..", "config", "lam.params.yaml")),
            DeclareLaunchArgument("remaps", default_value="", description="space-separated from:=to topic remaps"),
            DeclareLaunchArgument("use_sim_time", default_value="false"),
            DeclareLaunchArgument("extra_args", default_value="", description="lam run flags, e.g. --mqtt mqtt://broker:1883"),
            OpaqueFunction(function=_lam),
        ]
    )
