"""API serializers of the quizzes app.

Two families on purpose: staff serializers carry the answer key (correct_answer, accepted_answers, sample_answer,
marking_rubric); student serializers are written field by field and never name any of those, so a new model field
cannot leak to students by accident. Input serializers only check shapes; the rules live in the services and in
Question.clean().
"""

from __future__ import annotations

import json

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from quizzes.models import (
    ACCEPTED_ANSWER_MAX_LENGTH,
    GENERAL_FEEDBACK_MAX_LENGTH,
    MAX_ACCEPTED_ANSWERS,
    MAX_OPTIONS,
    MAX_TAGS,
    OPTION_MAX_LENGTH,
    QUESTION_TEXT_MAX_LENGTH,
    QUIZ_DESCRIPTION_MAX_LENGTH,
    RUBRIC_MAX_LENGTH,
    SAMPLE_ANSWER_MAX_LENGTH,
    TAG_MAX_LENGTH,
    Difficulty,
    Question,
    QuestionType,
    Quiz,
    QuizStatus,
    ViolationAction,
)
from quizzes.selectors import ordered_quiz_questions
from quizzes.services import QUESTION_FIELDS, QUIZ_SETTINGS

# --- whose bank or quiz ------------------------------------------------------------------------------------------


class OwnerInputSerializer(serializers.Serializer):
    """Admins create on behalf of a teacher: either name works (the SPA's forms use both spellings). Parsed into
    `owner_id`; the service decides whether the caller may act for that teacher."""

    created_by = serializers.UUIDField(required=False, write_only=True)
    teacher_id = serializers.UUIDField(required=False, write_only=True)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        owner_id = attrs.pop("created_by", None) or attrs.pop("teacher_id", None)
        attrs.pop("teacher_id", None)
        if owner_id is not None:
            attrs["owner_id"] = owner_id
        return attrs


DETAILS_MAX_BYTES = 100_000

# --- questions -------------------------------------------------------------------------------------------------


class QuestionImageSerializer(serializers.Serializer):
    """An image of a question (issue 15); `url` is served only to those allowed to see the question."""

    id = serializers.UUIDField()
    url = serializers.CharField()
    alt_text = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class QuestionImageInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PNG, JPEG or GIF, at most 2 MB and 4000 × 4000 pixels; re-encoded.")
    alt_text = serializers.CharField(max_length=300, help_text="Required: what the image shows, for screen readers.")


class QuestionSerializer(serializers.ModelSerializer):
    """A question as its owner (or an admin) sees it: with the answer key."""

    created_by = serializers.UUIDField(source="created_by_id", read_only=True)
    created_by_name = serializers.CharField(source="created_by.user.name", read_only=True)
    images = QuestionImageSerializer(source="images.all", many=True, read_only=True)

    class Meta:
        model = Question
        fields = ["id", *QUESTION_FIELDS, "images", "created_by", "created_by_name", "created_at", "updated_at"]
        read_only_fields = fields


class QuestionInputSerializer(OwnerInputSerializer):
    # The model's limits, repeated so that the schema states them and an oversized field is refused at once.
    text = serializers.CharField(max_length=QUESTION_TEXT_MAX_LENGTH)
    type = serializers.ChoiceField(choices=QuestionType.choices)
    topic = serializers.CharField(max_length=100, required=False, allow_blank=True)
    difficulty = serializers.ChoiceField(choices=Difficulty.choices, required=False)
    marks = serializers.IntegerField(min_value=1, max_value=1000, required=False)
    options = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=OPTION_MAX_LENGTH),
        required=False,
        allow_null=True,
        max_length=MAX_OPTIONS,
    )
    correct_answer = serializers.IntegerField(required=False, allow_null=True)
    accepted_answers = serializers.ListField(
        child=serializers.CharField(allow_blank=True, max_length=ACCEPTED_ANSWER_MAX_LENGTH),
        required=False,
        allow_null=True,
        max_length=MAX_ACCEPTED_ANSWERS,
    )
    case_sensitive = serializers.BooleanField(required=False)
    sample_answer = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=SAMPLE_ANSWER_MAX_LENGTH
    )
    marking_rubric = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=RUBRIC_MAX_LENGTH
    )
    details = serializers.JSONField(
        required=False,
        allow_null=True,
        help_text="Issue 15: what the new types need beyond the guide's fields (an object). multiple_response: "
        '{"correct": [0, 2], "scoring": "all_or_nothing"|"partial"|"right_minus_wrong"}; numeric: {"answers": '
        '[{"value": 9.81, "tolerance": 0.01, "fraction": 1}], "unit": "m/s²"}; matching: {"pairs": [{"prompt": '
        '"H₂O", "answer": "water"}], "distractors": ["salt"]}; ordering: {"items": ["first", "second"], '
        '"scoring": "partial"}; cloze (text with [[1]]): {"blanks": [{"id": 1, "answers": ["100"], "marks": 1}]}; '
        'mcq/true_false (optional): {"fractions": [1, 0.5, 0], "feedback": ["Yes.", "Close.", "No."]}. The full '
        "table: quizzes/types/__init__.py.",
    )
    general_feedback = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=GENERAL_FEEDBACK_MAX_LENGTH
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=TAG_MAX_LENGTH, allow_blank=True),
        required=False,
        allow_null=True,
        max_length=MAX_TAGS,
        help_text="Issue 16: free tags, stored trimmed and lower-case (GET /questions?tag= filters by one).",
    )

    def validate_details(self, value):
        if value is not None and not isinstance(value, dict):
            raise serializers.ValidationError("Must be an object.")
        if value is not None and len(json.dumps(value)) > DETAILS_MAX_BYTES:
            raise serializers.ValidationError(f"At most {DETAILS_MAX_BYTES} characters of JSON.")
        return value


class BulkImportSerializer(OwnerInputSerializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(required=False, default=False)
    # Added for the question formats of quizzes.interchange; a CSV/XLSX upload ignores both.
    format = serializers.ChoiceField(
        choices=["moodle_xml", "gift", "aiken", "qti", "csv"],
        required=False,
        help_text="The file's format; detected from the file when omitted.",
    )
    import_valid = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Question files: import the valid questions even when others cannot be imported "
        "(otherwise nothing is written; the answer is 422 with the report).",
    )


# --- quizzes ---------------------------------------------------------------------------------------------------


class QuizClassRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    section = serializers.CharField()
    academic_year = serializers.CharField()


class QuizQuestionStaffSerializer(serializers.Serializer):
    """A question inside a quiz for staff: the guide's shape plus the answer key and the override."""

    def to_representation(self, link):
        q = link.question
        return {
            "id": str(q.id),
            "text": q.text,
            "type": q.type,
            "topic": q.topic,
            "difficulty": q.difficulty,
            "options": q.options,
            "marks": link.marks,
            "question_marks": q.marks,
            "marks_override": link.marks_override,
            "order_index": link.order_index,
            "correct_answer": q.correct_answer,
            "accepted_answers": q.accepted_answers,
            "case_sensitive": q.case_sensitive,
            "sample_answer": q.sample_answer,
            "marking_rubric": q.marking_rubric,
            "details": q.details,
            "general_feedback": q.general_feedback,
            "tags": q.tags,
        }


# Staff-only settings: the grace period, and issue 17's access rules (networks, Safe Exam Browser keys).
_STAFF_ONLY_SETTINGS = (
    "grace_period_seconds",
    "allowed_networks",
    "seb_config_keys",
    "seb_browser_exam_keys",
    "network_password",
)
# The quiz's settings (less the staff-only ones) as the services define them, plus what it is and has.
_QUIZ_COMMON = [
    "id",
    *(name for name in QUIZ_SETTINGS if name not in _STAFF_ONLY_SETTINGS),
    "status",
    "created_by",
    "created_by_name",
    "created_at",
    "updated_at",
    "classes",
    "total_marks",
    "question_count",
]


class QuizSummarySerializer(serializers.ModelSerializer):
    """What staff and students alike see of a quiz (the annotations of quizzes.selectors.quiz_list)."""

    created_by = serializers.UUIDField(source="created_by_id", read_only=True)
    created_by_name = serializers.CharField(source="created_by.user.name", read_only=True)
    classes = QuizClassRefSerializer(many=True, read_only=True)
    total_marks = serializers.IntegerField(read_only=True)
    question_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Quiz
        fields = _QUIZ_COMMON
        read_only_fields = fields


class QuizStaffListSerializer(QuizSummarySerializer):
    class Meta:
        model = Quiz
        fields = [*_QUIZ_COMMON, "access_code", *_STAFF_ONLY_SETTINGS]
        read_only_fields = fields


class QuizStaffDetailSerializer(QuizStaffListSerializer):
    questions = serializers.SerializerMethodField()

    class Meta(QuizStaffListSerializer.Meta):
        fields = [*QuizStaffListSerializer.Meta.fields, "questions"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_questions(self, quiz) -> list[dict]:
        return [QuizQuestionStaffSerializer().to_representation(link) for link in ordered_quiz_questions(quiz)]


class QuizStudentSerializer(QuizSummarySerializer):
    """What a student sees of a quiz before starting it: no access code, no questions (they arrive with `start`,
    inside the time window), and nothing of the answer key."""


class QuizQuestionItemSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    marks_override = serializers.IntegerField(min_value=1, max_value=1000, required=False, allow_null=True)

    def validate(self, attrs):
        # PUT is partial, and DRF passes `partial` down to nested items, which skips `required`: an item without
        # an id reached the service (KeyError, a 500). An item always needs its question.
        if "id" not in attrs:
            raise serializers.ValidationError({"id": "This field is required."})
        return attrs


class QuizInputSerializer(OwnerInputSerializer):
    title = serializers.CharField(max_length=255)
    subject = serializers.CharField(max_length=100)
    description = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=QUIZ_DESCRIPTION_MAX_LENGTH
    )
    time_limit_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    start_date = serializers.DateTimeField(required=False, allow_null=True)
    end_date = serializers.DateTimeField(required=False, allow_null=True)
    passing_percentage = serializers.IntegerField(min_value=0, max_value=100, required=False)
    max_attempts = serializers.IntegerField(min_value=1, max_value=100, required=False)
    show_answers_after_submission = serializers.BooleanField(required=False)
    randomize_questions = serializers.BooleanField(required=False)
    randomize_options = serializers.BooleanField(required=False)
    allow_review = serializers.BooleanField(required=False)
    violation_threshold = serializers.IntegerField(min_value=1, max_value=100, required=False)
    grace_period_seconds = serializers.IntegerField(min_value=0, max_value=3600, required=False, allow_null=True)
    # Issue 17: the violation policy (QuizError/ValidationError from the service for bad weights).
    violation_action = serializers.ChoiceField(choices=ViolationAction.choices, required=False)
    violation_tolerance_seconds = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=0, max_value=60, required=False
    )
    violation_weights = serializers.DictField(child=serializers.IntegerField(min_value=0, max_value=10), required=False)
    allowed_networks = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=50)
    seb_config_keys = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=50)
    seb_browser_exam_keys = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=50
    )
    single_session = serializers.BooleanField(required=False)
    network_password = serializers.CharField(required=False, allow_blank=True, max_length=64)
    negative_marking_percent = serializers.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        help_text="Percentage of a question's marks deducted for each answered objective question that scored 0; "
        "0 (the default) is off. A quiz total never goes below 0.",
    )
    status = serializers.ChoiceField(choices=QuizStatus.choices, required=False)
    class_ids = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=200)
    question_ids = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=500)
    # Alternative to question_ids that carries per-quiz marks: [{"id": ..., "marks_override": 5}, ...].
    questions = QuizQuestionItemSerializer(many=True, required=False)

    def validate(self, attrs):
        if "questions" in attrs and "question_ids" in attrs:
            raise serializers.ValidationError({"questions": "Send either question_ids or questions, not both."})
        return super().validate(attrs)
