"""API serializers of the grading app (guide 5.9 shapes) and of notifications."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import Notification
from attempts.models import QuizAttempt


def _num(value):
    if value is None:
        return None
    return float(value)


def student_brief(student) -> dict:
    school_class = student.school_class
    return {
        "id": str(student.pk),
        "name": student.user.name,
        "registration_number": student.registration_number,
        "class_id": str(school_class.pk) if school_class else None,
        "class_name": str(school_class) if school_class else None,
    }


def quiz_brief(quiz) -> dict:
    return {"id": str(quiz.pk), "title": quiz.title, "subject": quiz.subject}


class QueueAttemptSerializer(serializers.ModelSerializer):
    """One row of the grading queues; expects grading.selectors' annotations."""

    attempt_id = serializers.UUIDField(source="pk", read_only=True)
    student = serializers.SerializerMethodField()
    quiz = serializers.SerializerMethodField()
    descriptive_questions_count = serializers.IntegerField(read_only=True)
    auto_graded_score = serializers.SerializerMethodField()
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

    def get_student(self, obj) -> dict:
        return student_brief(obj.student)

    def get_quiz(self, obj) -> dict:
        return quiz_brief(obj.quiz)

    def get_auto_graded_score(self, obj) -> float:
        return _num(obj.auto_graded_score)


class GradedAttemptSerializer(QueueAttemptSerializer):
    score = serializers.SerializerMethodField()
    percentage = serializers.SerializerMethodField()
    graded_at = serializers.DateTimeField(read_only=True)

    class Meta(QueueAttemptSerializer.Meta):
        fields = [*QueueAttemptSerializer.Meta.fields, "score", "total_marks", "percentage", "passed", "graded_at"]

    def get_score(self, obj) -> float | None:
        return _num(obj.score)

    def get_percentage(self, obj) -> float | None:
        return _num(obj.percentage)


def grading_detail(attempt, items, violations) -> dict:
    """GET /grading/attempts/{id}: the attempt, its student and quiz, every answer and the violations."""
    return {
        "attempt": {
            "id": str(attempt.pk),
            "attempt_number": attempt.attempt_number,
            "status": attempt.status,
            "submit_reason": attempt.submit_reason,
            "started_at": attempt.started_at.isoformat(),
            "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None,
            "deadline": attempt.deadline.isoformat(),
            "score": _num(attempt.score),
            "total_marks": attempt.total_marks,
            "percentage": _num(attempt.percentage),
            "passed": attempt.passed,
            "total_violations": attempt.total_violations,
            "auto_submitted_due_to_violations": attempt.auto_submitted_due_to_violations,
        },
        "student": student_brief(attempt.student),
        "quiz": {**quiz_brief(attempt.quiz), "passing_percentage": attempt.quiz.passing_percentage},
        "answers": [
            {
                "answer_id": str(item.answer.pk),
                "position": item.position,
                "question": {
                    "id": str(item.question.pk),
                    "text": item.question.text,
                    "type": item.question.type,
                    "marks": item.marks,
                    "options": item.question.options,
                    "correct_answer": item.question.correct_answer,
                    "accepted_answers": item.question.accepted_answers,
                    "sample_answer": item.question.sample_answer,
                    "marking_rubric": item.question.marking_rubric,
                },
                "student_answer": item.student_answer,
                "answer_option": item.answer.answer_option,
                "answer_text": item.answer.answer_text,
                "current_marks": _num(item.answer.marks_awarded),
                "current_feedback": item.answer.feedback or None,
                "needs_marks": item.needs_marks,
                "auto_marked": item.answer.marks_awarded is not None and item.answer.graded_by_id is None,
                "graded_by": str(item.answer.graded_by_id) if item.answer.graded_by_id else None,
                "graded_at": item.answer.graded_at.isoformat() if item.answer.graded_at else None,
            }
            for item in items
        ],
        "violations": [
            {
                "id": str(v.pk),
                "type": v.violation_type,
                "detected_at": v.detected_at.isoformat(),
                "question_index": v.question_index,
                "severity": v.severity,
                "metadata": v.details,
            }
            for v in violations
        ],
    }


class GradeItemSerializer(serializers.Serializer):
    answer_id = serializers.UUIDField()
    marks_awarded = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0)
    feedback = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=5000)


class GradeRequestSerializer(serializers.Serializer):
    grades = GradeItemSerializer(many=True, allow_empty=False)


class MinutesSerializer(serializers.Serializer):
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)


class ReinstateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60, required=False, allow_null=True)


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "type", "title", "message", "link", "is_read", "created_at", "read_at"]
        read_only_fields = fields


# --- Response shapes, for the API schema the SPA's client is generated from -----------------------------------
class GradeResultSerializer(serializers.Serializer):
    message = serializers.CharField()
    status = serializers.CharField()
    final_score = serializers.FloatField(allow_null=True)
    total_marks = serializers.IntegerField(allow_null=True)
    percentage = serializers.FloatField(allow_null=True)
    passed = serializers.BooleanField(allow_null=True)
    pending_answers = serializers.IntegerField()


class AttemptStateSerializer(serializers.Serializer):
    message = serializers.CharField()
    attempt_id = serializers.UUIDField()
    status = serializers.CharField()
    deadline = serializers.DateTimeField()
    seconds_remaining = serializers.IntegerField()


class QuizExtendResultSerializer(serializers.Serializer):
    message = serializers.CharField()
    extended = serializers.IntegerField()


class ReadAllResultSerializer(serializers.Serializer):
    message = serializers.CharField()
    updated = serializers.IntegerField()
