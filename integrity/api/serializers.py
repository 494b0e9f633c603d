"""Output and input serializers of the integrity API (issue 20)."""

from __future__ import annotations

from rest_framework import serializers

from integrity.models import Conclusion, FixAction


class StudentRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="student_id")
    name = serializers.CharField(source="student.user.name")
    attempt_id = serializers.UUIDField(source="pk")


class LeadSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    rank = serializers.IntegerField()
    significant = serializers.BooleanField(help_text="Below the quiz's lead threshold on its own.")
    student_a = StudentRefSerializer(source="attempt_a")
    student_b = StudentRefSerializer(source="attempt_b")
    p_value = serializers.FloatField()
    matches = serializers.IntegerField()
    expected_matches = serializers.FloatField()
    identical_wrong = serializers.IntegerField()
    rare_matches = serializers.IntegerField()
    timing_matches = serializers.IntegerField()
    same_order = serializers.BooleanField()
    shared_ip = serializers.BooleanField()
    ip_shared_by = serializers.IntegerField()
    same_device = serializers.BooleanField()
    violations_near = serializers.IntegerField()
    explanation = serializers.ListField(child=serializers.CharField())
    conclusion = serializers.SerializerMethodField()

    def get_conclusion(self, lead) -> str | None:
        record = getattr(lead, "conclusion_record", None)
        return record.conclusion if record else None


class RunSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    students = serializers.IntegerField()
    questions = serializers.IntegerField(source="items")
    pairs = serializers.IntegerField()
    lead_threshold = serializers.FloatField(allow_null=True)
    too_small = serializers.CharField(help_text="Why nothing is ranked; empty when the quiz is large enough.")


class QuizLeadsSerializer(serializers.Serializer):
    run = RunSerializer(allow_null=True)
    leads = LeadSerializer(many=True)


class ConclusionRequestSerializer(serializers.Serializer):
    conclusion = serializers.ChoiceField(choices=Conclusion.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class ConclusionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    conclusion = serializers.CharField()
    note = serializers.CharField()
    decided_at = serializers.DateTimeField()


class FixRequestSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=FixAction.choices)
    value = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=255,
        default=None,
        help_text="The option index (accept_option, correct_option) or the answer text.",
    )
    reason = serializers.CharField(max_length=500, help_text="Why; the students whose score changes are told.")


class FixSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    quiz_id = serializers.UUIDField()
    question_id = serializers.UUIDField()
    action = serializers.CharField()
    value = serializers.JSONField(allow_null=True)
    reason = serializers.CharField()
    flags = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    undone_at = serializers.DateTimeField(allow_null=True)
