"""Run launch/grounding.launch.py against small stand-ins for the launch and launch_ros
modules, because ROS 2 is not installed where the tests run. Print, as JSON, the declared
arguments and the node action for the launch arguments given as JSON in argv[2].

Usage: python3 launch_check.py LAUNCH_FILE '{"use_lifecycle": "true"}'
"""

import importlib.util
import json
import sys
import types


class Recorded:
    """Any launch action or substitution: keeps its arguments for inspection."""

    def __init__(self, *args, **kwargs):
        self.args = args
        self.kwargs = kwargs


class LaunchConfiguration(Recorded):
    def perform(self, context):
        return context[self.args[0]]


class PathJoinSubstitution(Recorded):
    def perform(self, context):
        return '/'.join(part if isinstance(part, str) else part.perform(context) for part in self.args[0])


class FindPackageShare(Recorded):
    def perform(self, context):
        return '/opt/ros/test/share/' + self.args[0]


def install_stand_ins():
    modules = {
        'launch': {'LaunchDescription': Recorded},
        'launch.actions': {'DeclareLaunchArgument': Recorded, 'OpaqueFunction': Recorded},
        'launch.substitutions': {
            'LaunchConfiguration': LaunchConfiguration,
            'PathJoinSubstitution': PathJoinSubstitution,
        },
        'launch_ros': {},
        'launch_ros.actions': {
            'Node': type('Node', (Recorded,), {}),
            'LifecycleNode': type('LifecycleNode', (Recorded,), {}),
        },
        'launch_ros.substitutions': {'FindPackageShare': FindPackageShare},
    }
    for name, members in modules.items():
        module = types.ModuleType(name)
        module.__dict__.update(members)
        sys.modules[name] = module


def describe(value, context):
    if hasattr(value, 'perform'):
        return value.perform(context)
    if isinstance(value, (list, tuple)):
        return [describe(item, context) for item in value]
    if isinstance(value, dict):
        return {key: describe(item, context) for key, item in value.items()}
    return value


def main():
    install_stand_ins()
    spec = importlib.util.spec_from_file_location('grounding_launch', sys.argv[1])
    launch_file = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(launch_file)

    description = launch_file.generate_launch_description()
    entities = description.args[0]
    arguments = {}
    context = {}
    function = None
    for entity in entities:
        if type(entity).__name__ == 'Recorded' and 'function' in entity.kwargs:
            function = entity.kwargs['function']
            continue
        name = entity.args[0]
        arguments[name] = entity.kwargs
        context[name] = describe(entity.kwargs['default_value'], context)
    context.update(json.loads(sys.argv[2]))

    defaults = {name: describe(kwargs['default_value'], context) for name, kwargs in arguments.items()}
    try:
        actions = function(context)
    except ValueError as error:
        print(json.dumps({'error': str(error)}))
        return
    action = actions[0]
    print(json.dumps({
        'arguments': {name: {'default': defaults[name], 'description': kwargs['description']}
                      for name, kwargs in arguments.items()},
        'action': type(action).__name__,
        'kwargs': describe(action.kwargs, context),
    }))


if __name__ == '__main__':
    main()
