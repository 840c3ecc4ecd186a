"""The API form of a workflow's stepper (core.progress.Progress.as_dict)."""

from rest_framework import serializers


class ProgressStepSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="The status code of the step.")
    label = serializers.CharField(help_text="The step as people read it.")
    state = serializers.ChoiceField(
        choices=["done", "current", "upcoming", "attention", "stopped"],
        help_text="done, current or upcoming; attention: a detour (returned, more information "
        "asked); stopped: the workflow ended here (rejected, cancelled, withdrawn).",
    )


class NextActionSerializer(serializers.Serializer):
    action = serializers.CharField(help_text="The workflow action (as in allowed_actions).")
    label = serializers.CharField()
    actors = serializers.ListField(child=serializers.CharField(), help_text="Role codes.")
    actor_labels = serializers.ListField(child=serializers.CharField())
    yours = serializers.BooleanField(help_text="You may take this action now.")


class ProgressSerializer(serializers.Serializer):
    steps = ProgressStepSerializer(many=True)
    next_actions = NextActionSerializer(many=True)
