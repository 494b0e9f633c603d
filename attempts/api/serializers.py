"""API serializers of the attempts app: the input checks, and the output serializers that render every response the
SPA and the exam page read (so /api/schema/ describes each body). The objects they render come from
attempts.selectors (the exam, the attempt detail), the attempt itself (list, submit) or attempts.services (a save,
a violation)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from attempts.models import QuizAttempt
from attempts.selectors import public_status
from quizsite.api.fields import ScoreField
from quizzes.api.serializers import QuestionImageSerializer

# ------------------------------------------------------------------------------------------------- input


class AnswerSerializer(serializers.Serializer):
    """Shape check only; type rules against the question live in the service."""

    question_id = serializers.UUIDField()
    answer_option = serializers.IntegerField(required=False, allow_null=True)
    answer_text = serializers.CharField(required=False, allow_null=True, allow_blank=True, trim_whitespace=False)
    client_seq = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    response = serializers.JSONField(
        required=False,
        allow_null=True,
        help_text="Issue 15's types (instead of answer_option / answer_text): multiple_response [0, 2] (option "
        'indexes as displayed); matching ["water", null] (an answer per prompt); ordering ["b", "a", "c"] (every '
        'item, in order); cloze {"1": "100", "2": "zero"}; numeric "3,5" (or answer_text). null clears the answer.',
    )


class ViolationInputSerializer(serializers.Serializer):
    violation_type = serializers.CharField()
    question_index = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    metadata = serializers.JSONField(required=False, allow_null=True)
    severity = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    duration_ms = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, help_text="Issue 17: how long focus was lost (ms)."
    )


class ExplanationInputSerializer(serializers.Serializer):
    explanation = serializers.CharField(max_length=2000)


class ExplanationSerializer(serializers.Serializer):
    """Issue 17: POST /attempts/{id}/explanation."""

    message = serializers.CharField(default="Explanation saved")
    violation_explanation = serializers.CharField()
    explained_at = serializers.DateTimeField()


# ------------------------------------------------------------------------------------------------ output


class IsoDateTimeField(serializers.DateTimeField):
    """`datetime.isoformat()` (`...+00:00`), as the exam endpoints have always sent their times (the attempt list,
    a ModelSerializer, uses DRF's own `...Z`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value.isoformat()


class OutputSerializer(serializers.Serializer):
    """A response shape. The fields named in `omit_if_none` are keys the object may not have for this viewer (the
    answer key for a student, options for a text question): they are left out of the output, never sent as null."""

    omit_if_none: tuple[str, ...] = ()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for name in self.omit_if_none:
            if data.get(name) is None:
                data.pop(name, None)
        return data


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
    score = ScoreField()
    percentage = ScoreField()

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


class QuizSummarySerializer(OutputSerializer):
    """The quiz of an attempt (selectors.QuizSummary); the counts in the exam only."""

    omit_if_none = ("question_count", "total_marks")

    id = serializers.UUIDField(source="quiz.id")
    title = serializers.CharField(source="quiz.title")
    subject = serializers.CharField(source="quiz.subject")
    description = serializers.CharField(source="quiz.description")
    time_limit_minutes = serializers.IntegerField(source="quiz.time_limit_minutes")
    passing_percentage = serializers.IntegerField(source="quiz.passing_percentage")
    max_attempts = serializers.IntegerField(source="quiz.max_attempts")
    violation_threshold = serializers.IntegerField(source="quiz.violation_threshold")
    allow_review = serializers.BooleanField(source="quiz.allow_review")
    show_answers_after_submission = serializers.BooleanField(source="quiz.show_answers_after_submission")
    start_date = IsoDateTimeField(source="quiz.start_date", allow_null=True)
    end_date = IsoDateTimeField(source="quiz.end_date", allow_null=True)
    question_count = serializers.IntegerField(required=False)
    total_marks = serializers.IntegerField(required=False)


class SavedAnswerSerializer(OutputSerializer):
    omit_if_none = ("response",)

    answer_option = serializers.IntegerField(allow_null=True, help_text="The option index as displayed.")
    answer_text = serializers.CharField(allow_null=True)
    client_seq = serializers.IntegerField(allow_null=True)
    response = serializers.JSONField(
        required=False,
        help_text="Issue 15's types only: the structured answer as saved (shapes: AnswerSerializer.response).",
    )


_PARTS = ("prompts", "choices", "items", "blanks", "unit")


class AttemptQuestionSerializer(OutputSerializer):
    """A question as an attempt shows it: no answer key. Options only for option questions, in their original order
    after the attempt (review), in this attempt's own order during it (the exam)."""

    omit_if_none = ("options", "images", *_PARTS)

    id = serializers.UUIDField()
    text = serializers.CharField()
    type = serializers.CharField()
    marks = serializers.IntegerField()
    options = serializers.ListField(child=serializers.CharField(), required=False)
    # Issue 15's types (quizzes/types): what the widget shows, never the key.
    prompts = serializers.ListField(
        child=serializers.CharField(), source="parts.prompts", required=False, help_text="matching: the prompts."
    )
    choices = serializers.ListField(
        child=serializers.CharField(),
        source="parts.choices",
        required=False,
        help_text="matching: the answers to pick from for each prompt (shuffled, distractors included).",
    )
    items = serializers.ListField(
        child=serializers.CharField(),
        source="parts.items",
        required=False,
        help_text="ordering: the items, shuffled (never in the right order).",
    )
    blanks = serializers.ListField(
        child=serializers.CharField(),
        source="parts.blanks",
        required=False,
        help_text="cloze: the blank numbers; the text holds them as [[1]], [[2]].",
    )
    unit = serializers.CharField(source="parts.unit", required=False, help_text="numeric: the unit, if any.")
    images = QuestionImageSerializer(
        many=True, required=False, help_text="Issue 15: the question's images (url, alt_text, width, height), if any."
    )


class ExamQuestionSerializer(AttemptQuestionSerializer):
    """A question during the attempt, with what the student saved for it."""

    order_index = serializers.IntegerField()
    saved_answer = SavedAnswerSerializer(allow_null=True)
    flagged = serializers.BooleanField(help_text="Issue 16: the student flagged it for review (POST .../flags).")


class ExamSerializer(serializers.Serializer):
    """POST /quizzes/{id}/start: the attempt started or resumed, with its questions and no answer key."""

    attempt_id = serializers.UUIDField(source="attempt.id")
    attempt_number = serializers.IntegerField(source="attempt.attempt_number")
    status = serializers.CharField(source="attempt.status")
    quiz = QuizSummarySerializer()
    started_at = IsoDateTimeField(source="attempt.started_at")
    deadline = IsoDateTimeField(source="attempt.deadline")
    time_remaining_seconds = serializers.IntegerField()
    total_violations = serializers.IntegerField(source="attempt.total_violations")
    questions = ExamQuestionSerializer(many=True)
    resumed = serializers.BooleanField()
    session_token = serializers.SerializerMethodField(
        help_text="Issue 17, quizzes with one active session: this browser's token, given once (also set as a "
        "cookie); send it as X-Exam-Session with every request on the attempt. Null otherwise."
    )

    def get_session_token(self, exam) -> str | None:
        return self.context.get("session_token")


class ReviewItemSerializer(OutputSerializer):
    """One question with the student's answer and marks; the key only where selectors.reveals_answers allows it."""

    omit_if_none = (
        "correct_answer",
        "accepted_answers",
        "sample_answer",
        "is_correct",
        "marking_rubric",
        "response",
        "key",
        "key_display",
        "general_feedback",
        "option_feedback",
    )

    question = AttemptQuestionSerializer()
    answer_option = serializers.IntegerField(allow_null=True)
    answer_text = serializers.CharField(allow_null=True)
    marks_awarded = ScoreField()
    marks_hidden = serializers.BooleanField(
        help_text="True when this question's marks are withheld (answers hidden and another attempt allowed: they "
        "would tell which answers were right); marks_awarded is then null and only the attempt's total is given."
    )
    feedback = serializers.CharField()
    correct_answer = serializers.IntegerField(required=False, help_text="Only when the answers are revealed.")
    accepted_answers = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Only when the answers are revealed."
    )
    sample_answer = serializers.CharField(required=False, help_text="Only when the answers are revealed.")
    is_correct = serializers.BooleanField(required=False, help_text="Only when the answers are revealed.")
    marking_rubric = serializers.CharField(required=False, help_text="Teachers and administrators only.")
    response = serializers.JSONField(required=False, help_text="Issue 15's types: the student's structured answer.")
    key = serializers.DictField(
        required=False,
        help_text="Issue 15's types, only when the answers are revealed: the question's key (its `details`, e.g. "
        '{"correct": [0, 2], "scoring": "partial"}).',
    )
    key_display = serializers.CharField(
        required=False, help_text='Only when the answers are revealed: the key in words (e.g. "9.81 ± 0.01 m/s²").'
    )
    general_feedback = serializers.CharField(required=False, help_text="Only when the answers are revealed.")
    option_feedback = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Only when the answers are revealed: per option."
    )


class AttemptViolationSerializer(serializers.Serializer):
    type = serializers.CharField(source="violation_type")
    detected_at = IsoDateTimeField()
    question_index = serializers.IntegerField(allow_null=True)
    severity = serializers.CharField()
    duration_ms = serializers.IntegerField(allow_null=True, help_text="Issue 17: how long focus was lost.")
    counted = serializers.BooleanField(help_text="Issue 17: false for a blip, a weight-0 type or an exempt student.")


class AttemptDetailSerializer(serializers.Serializer):
    """GET /attempts/{id} as a student sees it (selectors.AttemptDetail)."""

    id = serializers.UUIDField(source="attempt.id")
    quiz = QuizSummarySerializer()
    student = AttemptStudentSerializer(source="attempt.student")
    attempt_number = serializers.IntegerField(source="attempt.attempt_number")
    status = serializers.CharField(source="attempt.status")
    submit_reason = serializers.CharField(source="attempt.submit_reason")
    started_at = IsoDateTimeField(source="attempt.started_at")
    submitted_at = IsoDateTimeField(source="attempt.submitted_at", allow_null=True)
    deadline = IsoDateTimeField(source="attempt.deadline")
    time_remaining_seconds = serializers.IntegerField()
    score = ScoreField(source="attempt.score")
    total_marks = serializers.IntegerField(source="attempt.total_marks", allow_null=True)
    percentage = ScoreField(source="attempt.percentage")
    passed = serializers.BooleanField(source="attempt.passed", allow_null=True)
    total_violations = serializers.IntegerField(source="attempt.total_violations")
    auto_submitted_due_to_violations = serializers.BooleanField(source="attempt.auto_submitted_due_to_violations")
    answers = ReviewItemSerializer(many=True)
    violations = AttemptViolationSerializer(source="attempt.violations.all", many=True)
    flagged = serializers.SerializerMethodField(help_text="Issue 17: the violations reached a 'flag' threshold.")
    violation_explanation = serializers.CharField(source="attempt.violation_explanation")

    def get_flagged(self, detail) -> bool:
        return detail.attempt.flagged_at is not None


class AttemptStaffDetailSerializer(AttemptDetailSerializer):
    """GET /attempts/{id} as a teacher or administrator sees it: also how the student's browser was identified."""

    ip_address = serializers.IPAddressField(source="attempt.ip_address", allow_null=True)
    user_agent = serializers.CharField(source="attempt.user_agent")


class SubmitResultSerializer(serializers.Serializer):
    """POST /attempts/{id}/submit. `status` is the guide's (`graded`, or `pending` while answers await a teacher);
    `attempt_status` the attempt's own."""

    message = serializers.SerializerMethodField()
    attempt_id = serializers.UUIDField(source="id")
    score = ScoreField()
    total_marks = serializers.IntegerField(allow_null=True)
    percentage = ScoreField()
    passed = serializers.BooleanField(allow_null=True)
    status = serializers.SerializerMethodField()
    attempt_status = serializers.CharField(source="status")
    submit_reason = serializers.CharField()
    auto_submitted_due_to_violations = serializers.BooleanField()
    submitted_at = IsoDateTimeField(allow_null=True)

    def get_message(self, attempt) -> str:
        return "Quiz already submitted" if self.context.get("already") else "Quiz submitted successfully"

    @extend_schema_field(serializers.ChoiceField(choices=["graded", "pending"]))
    def get_status(self, attempt) -> str:
        return public_status(attempt)


class TimeRemainingSerializer(serializers.Serializer):
    """409 from submit with {"reason": "time_up"} while time is left (a teacher extended it): carry on."""

    detail = serializers.CharField()
    code = serializers.CharField()
    time_remaining_seconds = serializers.IntegerField()
    time_remaining_ms = serializers.IntegerField()


class AnswerAckSerializer(serializers.Serializer):
    question_id = serializers.UUIDField()
    client_seq = serializers.IntegerField(allow_null=True)
    applied = serializers.BooleanField(help_text="False when a newer save (higher client_seq) was already stored.")


class AnswersSavedSerializer(serializers.Serializer):
    """POST /attempts/{id}/answer with {"answers": [...]}."""

    message = serializers.CharField()
    results = AnswerAckSerializer(many=True)
    time_remaining_seconds = serializers.IntegerField()
    time_remaining_ms = serializers.IntegerField()
    saved_at = IsoDateTimeField()


class AnswerSavedSerializer(AnswersSavedSerializer):
    """POST /attempts/{id}/answer with one answer: its acknowledgement is repeated at the top level."""

    question_id = serializers.UUIDField()
    client_seq = serializers.IntegerField(allow_null=True)
    applied = serializers.BooleanField()


class ViolationRecordedSerializer(serializers.Serializer):
    message = serializers.CharField()
    total_violations = serializers.IntegerField()
    violation_threshold = serializers.IntegerField(help_text="On the lifetime scale: 'violation 4 of 6'.")
    auto_submit = serializers.BooleanField(help_text="True when this violation submitted the quiz.")
    counted = serializers.BooleanField(help_text="Issue 17: false when logged only (a blip, weight 0, exempt).")
    action = serializers.CharField(help_text="Issue 17: the quiz's action at the threshold: flag or auto_submit.")
    flagged = serializers.BooleanField(help_text="Issue 17: the attempt is flagged for the teacher.")
