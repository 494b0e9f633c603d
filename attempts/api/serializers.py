"""API serializers of the attempts app (the list item of GET /attempts; the other shapes are built by
attempts.selectors so the pages and the API read the same thing)."""

from rest_framework import serializers

from attempts.models import QuizAttempt


class AttemptQuizSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    subject = serializers.CharField()


class AttemptStudentSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="pk")
    name = serializers.CharField(source="user.name")
    registration_number = serializers.CharField()


class AttemptListSerializer(serializers.ModelSerializer):
    quiz = AttemptQuizSerializer()
    student = AttemptStudentSerializer()
    # Plain strings in the schema: a "status" enum here collides with the quizzes' in drf-spectacular's naming.
    status = serializers.CharField(read_only=True)
    submit_reason = serializers.CharField(read_only=True)
    score = serializers.DecimalField(max_digits=7, decimal_places=2, coerce_to_string=False, allow_null=True)
    percentage = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False, allow_null=True)

    class Meta:
        model = QuizAttempt
        fields = [
            "id",
            "quiz",
            "student",
            "attempt_number",
            "status",
            "submit_reason",
            "score",
            "total_marks",
            "percentage",
            "passed",
            "total_violations",
            "auto_submitted_due_to_violations",
            "started_at",
            "submitted_at",
            "deadline",
        ]
        read_only_fields = fields


class AnswerSerializer(serializers.Serializer):
    """Shape check only; type rules against the question live in the service."""

    question_id = serializers.UUIDField()
    answer_option = serializers.IntegerField(required=False, allow_null=True)
    answer_text = serializers.CharField(required=False, allow_null=True, allow_blank=True, trim_whitespace=False)
    client_seq = serializers.IntegerField(required=False, allow_null=True, min_value=0)


class ViolationInputSerializer(serializers.Serializer):
    violation_type = serializers.CharField()
    question_index = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    metadata = serializers.JSONField(required=False, allow_null=True)
    severity = serializers.CharField(required=False, allow_null=True, allow_blank=True)
