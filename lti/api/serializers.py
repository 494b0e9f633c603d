from rest_framework import serializers

from lti.models import GradeStatus, GradeSync
from quizsite.api.fields import ScoreField


class GradeSyncSerializer(serializers.ModelSerializer):
    """One score on its way to an LMS gradebook: sent, waiting (retrying) or failed (with the LMS's reason)."""

    attempt_id = serializers.UUIDField(source="attempt.id", read_only=True)
    attempt_number = serializers.IntegerField(source="attempt.attempt_number", read_only=True)
    student_id = serializers.UUIDField(source="attempt.student_id", read_only=True)
    student_name = serializers.CharField(source="attempt.student.user.name", read_only=True)
    platform = serializers.CharField(source="link.platform.name", read_only=True)
    status = serializers.ChoiceField(choices=GradeStatus.choices, read_only=True)
    score_given = ScoreField(read_only=True)
    score_maximum = ScoreField(read_only=True)

    class Meta:
        model = GradeSync
        fields = [
            "id", "attempt_id", "attempt_number", "student_id", "student_name", "platform", "status",
            "score_given", "score_maximum", "fully_graded", "tries", "last_error", "sent_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields
