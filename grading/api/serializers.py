"""API serializers of the grading app (guide 5.9 shapes), the live board and notifications.

Input serializers parse a request; output serializers render what a service or selector returned, so
/api/schema/ describes every response body the SPA reads. Scores, marks awarded and percentages are
quizsite.api.fields.ScoreField (always a JSON float); a question's marks and an attempt's total are whole numbers."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import Notification
from attempts.models import AttemptStatus, QuizAttempt
from grading.services import MAX_EXTENSION_MINUTES
from quizsite.api.fields import ScoreField


# --- Input ----------------------------------------------------------------------------------------------------
class GradeItemSerializer(serializers.Serializer):
    answer_id = serializers.UUIDField()
    marks_awarded = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0)
    feedback = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=5000)


class GradeRequestSerializer(serializers.Serializer):
    grades = GradeItemSerializer(many=True, allow_empty=False)


class MinutesSerializer(serializers.Serializer):
    minutes = serializers.IntegerField(min_value=1, max_value=MAX_EXTENSION_MINUTES)


class ReinstateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
    minutes = serializers.IntegerField(min_value=1, max_value=MAX_EXTENSION_MINUTES, required=False, allow_null=True)


# --- The grading queues ---------------------------------------------------------------------------------------
class StudentBriefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="pk")
    name = serializers.CharField(source="user.name")
    registration_number = serializers.CharField()
    class_id = serializers.UUIDField(source="school_class_id", allow_null=True)
    class_name = serializers.CharField(source="school_class", allow_null=True)


class QuizBriefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="pk")
    title = serializers.CharField()
    subject = serializers.CharField()


class QueueAttemptSerializer(serializers.ModelSerializer):
    """One row of the grading queues; expects grading.selectors' annotations."""

    attempt_id = serializers.UUIDField(source="pk", read_only=True)
    student = StudentBriefSerializer(read_only=True)
    quiz = QuizBriefSerializer(read_only=True)
    descriptive_questions_count = serializers.IntegerField(read_only=True)
    auto_graded_score = ScoreField()
    pending_marks = serializers.IntegerField(read_only=True)
    pending_answers = serializers.IntegerField(read_only=True)

    class Meta:
        model = QuizAttempt
        fields = [
            "attempt_id",
            "student",
            "quiz",
            "attempt_number",
            "status",
            "submit_reason",
            "started_at",
            "submitted_at",
            "descriptive_questions_count",
            "auto_graded_score",
            "pending_marks",
            "pending_answers",
            "total_violations",
        ]


class GradedAttemptSerializer(QueueAttemptSerializer):
    score = ScoreField()
    percentage = ScoreField()
    # null when every answer was marked automatically (graded_at is the latest hand mark's time).
    graded_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta(QueueAttemptSerializer.Meta):
        fields = [*QueueAttemptSerializer.Meta.fields, "score", "total_marks", "percentage", "passed", "graded_at"]


# --- One attempt for grading ----------------------------------------------------------------------------------
class GradingAttemptSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="pk")
    attempt_number = serializers.IntegerField()
    status = serializers.CharField()
    submit_reason = serializers.CharField()
    started_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    deadline = serializers.DateTimeField()
    score = ScoreField()
    total_marks = serializers.IntegerField(allow_null=True)
    percentage = ScoreField()
    passed = serializers.BooleanField(allow_null=True)
    total_violations = serializers.IntegerField()
    auto_submitted_due_to_violations = serializers.BooleanField()


class GradingQuizSerializer(QuizBriefSerializer):
    passing_percentage = serializers.IntegerField()


class GradingQuestionSerializer(serializers.Serializer):
    """The question of a grading.selectors.GradingItem, with its marks in this quiz."""

    id = serializers.UUIDField(source="question.pk")
    text = serializers.CharField(source="question.text")
    type = serializers.CharField(source="question.type")
    marks = serializers.IntegerField()
    options = serializers.ListField(child=serializers.CharField(), source="question.options", allow_null=True)
    correct_answer = serializers.IntegerField(source="question.correct_answer", allow_null=True)
    accepted_answers = serializers.ListField(
        child=serializers.CharField(), source="question.accepted_answers", allow_null=True
    )
    sample_answer = serializers.CharField(source="question.sample_answer", allow_null=True)
    marking_rubric = serializers.CharField(source="question.marking_rubric", allow_null=True)
    details = serializers.JSONField(
        source="question.details", help_text="Issue 15: the type's key and settings (quizzes/types/__init__.py)."
    )
    general_feedback = serializers.CharField(source="question.general_feedback")


class GradingAnswerSerializer(serializers.Serializer):
    """One grading.selectors.GradingItem: an answer, its question, its marks so far."""

    answer_id = serializers.UUIDField(source="answer.pk")
    position = serializers.IntegerField()
    question = GradingQuestionSerializer(source="*")
    student_answer = serializers.CharField(allow_null=True)
    answer_option = serializers.IntegerField(source="answer.answer_option", allow_null=True)
    answer_text = serializers.CharField(source="answer.answer_text", allow_null=True)
    response = serializers.JSONField(
        allow_null=True, help_text="Issue 15's types: the structured answer (null for the guide's four types)."
    )
    correct_answer_text = serializers.CharField(allow_null=True, help_text="The key in words.")
    current_marks = ScoreField(source="answer.marks_awarded")
    current_feedback = serializers.SerializerMethodField()
    needs_marks = serializers.BooleanField()
    auto_marked = serializers.SerializerMethodField()
    graded_by = serializers.UUIDField(source="answer.graded_by_id", allow_null=True)
    graded_at = serializers.DateTimeField(source="answer.graded_at", allow_null=True)

    def get_current_feedback(self, item) -> str | None:
        return item.answer.feedback or None

    def get_auto_marked(self, item) -> bool:
        return item.answer.marks_awarded is not None and item.answer.graded_by_id is None


class GradingViolationSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="pk")
    type = serializers.CharField(source="violation_type")
    detected_at = serializers.DateTimeField()
    question_index = serializers.IntegerField(allow_null=True)
    severity = serializers.CharField()
    metadata = serializers.JSONField(source="details")


class GradingDetailSerializer(serializers.Serializer):
    """GET /grading/attempts/{id}: the attempt, its student and quiz, every answer and the violations. Renders
    {"attempt": QuizAttempt, "items": [GradingItem], "violations": [Violation]}."""

    attempt = GradingAttemptSerializer()
    student = StudentBriefSerializer(source="attempt.student")
    quiz = GradingQuizSerializer(source="attempt.quiz")
    answers = GradingAnswerSerializer(source="items", many=True)
    violations = GradingViolationSerializer(many=True)


class GradeResultSerializer(serializers.Serializer):
    """Renders {"message", "attempt": QuizAttempt, "pending_answers"}."""

    message = serializers.CharField()
    status = serializers.CharField(source="attempt.status")
    final_score = ScoreField(source="attempt.score")
    total_marks = serializers.IntegerField(source="attempt.total_marks", allow_null=True)
    percentage = ScoreField(source="attempt.percentage")
    passed = serializers.BooleanField(source="attempt.passed", allow_null=True)
    pending_answers = serializers.IntegerField()


# --- The live board -------------------------------------------------------------------------------------------
class AttemptStateSerializer(serializers.Serializer):
    """A board action's answer. Renders {"message", "attempt": QuizAttempt}."""

    message = serializers.CharField()
    attempt_id = serializers.UUIDField(source="attempt.pk")
    status = serializers.CharField(source="attempt.status")
    deadline = serializers.DateTimeField(source="attempt.deadline")
    seconds_remaining = serializers.SerializerMethodField()

    def get_seconds_remaining(self, result) -> int:
        attempt = result["attempt"]
        return attempt.seconds_remaining() if attempt.status == AttemptStatus.IN_PROGRESS else 0


class ForceSubmitResultSerializer(AttemptStateSerializer):
    score = ScoreField(source="attempt.score")


class QuizExtendResultSerializer(serializers.Serializer):
    message = serializers.CharField()
    extended = serializers.IntegerField()


class BoardRowSerializer(serializers.Serializer):
    """One grading.selectors.BoardRow."""

    id = serializers.UUIDField()
    attempt_id = serializers.UUIDField(allow_null=True)
    name = serializers.CharField()
    registration_number = serializers.CharField()
    current_question = serializers.IntegerField()
    total_questions = serializers.IntegerField()
    answered = serializers.IntegerField()
    progress = serializers.IntegerField()
    violations = serializers.IntegerField()
    time_elapsed_minutes = serializers.IntegerField()
    status = serializers.CharField()
    submit_reason = serializers.CharField(allow_blank=True)
    can_reinstate = serializers.BooleanField()
    time_left_seconds = serializers.IntegerField(allow_null=True)
    deadline = serializers.DateTimeField(allow_null=True)
    seconds_since_last_save = serializers.IntegerField(allow_null=True)
    score = ScoreField()
    flagged = serializers.BooleanField(help_text="Issue 17: the violations reached the quiz's 'flag' threshold.")
    explanation = serializers.CharField(allow_blank=True, help_text="Issue 17: the student's explanation.")
    session_locked = serializers.BooleanField(help_text="Issue 17: the attempt is tied to one browser.")
    session_refused = serializers.BooleanField(help_text="Issue 17: another browser was refused; release it.")
    accommodation = serializers.CharField(allow_blank=True, help_text="Issue 17: e.g. 'time x1.5'.")
    connection = serializers.CharField(allow_null=True)  # "online", "offline", or null: never heard from
    heartbeat_age_seconds = serializers.IntegerField(allow_null=True)


class BoardStatusSerializer(serializers.Serializer):
    """grading.selectors.BoardStatus: GET /grading/quizzes/{id}/status and the socket's `quiz_status` data."""

    quiz_id = serializers.UUIDField()
    active_attempts = serializers.IntegerField()
    completed_attempts = serializers.IntegerField()
    not_started = serializers.IntegerField()
    total_questions = serializers.IntegerField()
    generated_at = serializers.DateTimeField()
    students = BoardRowSerializer(many=True)


# --- Notifications --------------------------------------------------------------------------------------------
class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "type", "title", "message", "link", "is_read", "created_at", "read_at"]
        read_only_fields = fields


class ReadAllResultSerializer(serializers.Serializer):
    message = serializers.CharField()
    updated = serializers.IntegerField()
