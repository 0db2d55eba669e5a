"""Launch the softskip_grounding node.

    ros2 launch softskip_grounding grounding.launch.py \
        image_topic:=/camera/color/image_raw transcript_topic:=/speech/transcript

Parameter values come from params_file (default: the installed config/params.yaml). The
policy and latency_budget_ms arguments override that file only when given, so this file
declares no parameter defaults of its own.
"""

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import LifecycleNode, Node
from launch_ros.substitutions import FindPackageShare

PACKAGE = 'softskip_grounding'
NODE_NAME = 'softskip_grounding'
EXECUTABLE = 'grounding_node'


def _node_action(context):
    image_topic = LaunchConfiguration('image_topic').perform(context)
    transcript_topic = LaunchConfiguration('transcript_topic').perform(context)
    params_file = LaunchConfiguration('params_file').perform(context)
    policy = LaunchConfiguration('policy').perform(context)
    budget = LaunchConfiguration('latency_budget_ms').perform(context)
    use_sim_time = LaunchConfiguration('use_sim_time').perform(context).lower()
    use_lifecycle = LaunchConfiguration('use_lifecycle').perform(context).lower() == 'true'

    overrides = {}
    # Like policy, use_sim_time overrides params_file only when given.
    if use_sim_time != '':
        if use_sim_time not in ('true', 'false'):
            raise ValueError(
                f'use_sim_time:={use_sim_time!r} is not a boolean; pass true or false')
        overrides['use_sim_time'] = use_sim_time == 'true'
    if policy != '':
        overrides['policy'] = policy
    if budget != '':
        # The node declares a double: a whole number such as 300 must arrive as 300.0.
        try:
            overrides['latency_budget_ms'] = float(budget)
        except ValueError:
            raise ValueError(
                f'latency_budget_ms:={budget!r} is not a number; pass milliseconds, '
                'for example latency_budget_ms:=250') from None

    # image_transport=compressed subscribes to image/compressed, which a remapping of
    # `image` alone does not move, so both names follow image_topic.
    remappings = [
        ('image', image_topic),
        ('image/compressed', image_topic + '/compressed'),
        ('transcript', transcript_topic),
    ]
    common = {
        'package': PACKAGE,
        'executable': EXECUTABLE,
        'name': NODE_NAME,
        'output': 'screen',
        'parameters': [params_file, overrides],
        'remappings': remappings,
    }
    if use_lifecycle:
        return [LifecycleNode(namespace='', arguments=['--lifecycle'], **common)]
    return [Node(**common)]


def generate_launch_description():
    default_params = PathJoinSubstitution([FindPackageShare(PACKAGE), 'config', 'params.yaml'])
    return LaunchDescription([
        DeclareLaunchArgument(
            'image_topic', default_value='image',
            description='Camera topic (sensor_msgs/Image); with image_transport '
                        'compressed, <image_topic>/compressed is used.'),
        DeclareLaunchArgument(
            'transcript_topic', default_value='transcript',
            description='Speech transcript topic (std_msgs/String).'),
        DeclareLaunchArgument(
            'params_file', default_value=default_params,
            description='ROS 2 parameter file for the node.'),
        DeclareLaunchArgument(
            'policy', default_value='',
            description='Overrides the policy parameter (full, lgmdp, softskip, budget, '
                        'static); empty keeps the value from params_file.'),
        DeclareLaunchArgument(
            'latency_budget_ms', default_value='',
            description='Overrides the end-to-end latency budget in ms; empty keeps the '
                        'value from params_file.'),
        DeclareLaunchArgument(
            'use_lifecycle', default_value='false',
            description='true starts a managed node that waits for configure and activate.'),
        DeclareLaunchArgument(
            'use_sim_time', default_value='',
            description='true uses /clock, for example from ros2 bag play --clock; empty '
                        'keeps the value from params_file (default false).'),
        OpaqueFunction(function=_node_action),
    ])
