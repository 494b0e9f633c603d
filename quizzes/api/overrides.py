"""Issue 17: the overrides of a quiz, and a student's effective settings (additive endpoints).

    GET  /api/v1/quizzes/{id}/overrides              the quiz's overrides (its managers)
    POST /api/v1/quizzes/{id}/overrides              create or replace one (student_id or class_id)
    DELETE /api/v1/quizzes/{id}/overrides/{oid}      remove one
    GET  /api/v1/quizzes/{id}/my-settings            the signed-in student's effective settings of the quiz

The quiz is loaded through Quiz.objects.manageable_by (overrides) or visible_to + assigned (a student's settings):
an outsider gets 404.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import MessageSerializer
from accounts.models import Student
from classrooms.models import SchoolClass
from quizsite.api.permissions import IsStudent, IsTeacherOrAdmin
from quizzes import services
from quizzes.effective import effective_settings
from quizzes.models import Quiz, QuizOverride


class OverrideSerializer(serializers.ModelSerializer):
    student_id = serializers.UUIDField(allow_null=True, read_only=True)
    class_id = serializers.UUIDField(source="school_class_id", allow_null=True, read_only=True)

    class Meta:
        model = QuizOverride
        fields = [
            "id",
            "student_id",
            "class_id",
            "start_date",
            "end_date",
            "time_limit_minutes",
            "max_attempts",
            "access_code",
            "reason",
            "updated_at",
        ]
        read_only_fields = fields


class OverrideWriteSerializer(serializers.Serializer):
    student_id = serializers.UUIDField(required=False, allow_null=True)
    class_id = serializers.UUIDField(required=False, allow_null=True)
    start_date = serializers.DateTimeField(required=False, allow_null=True)
    end_date = serializers.DateTimeField(required=False, allow_null=True)
    time_limit_minutes = serializers.IntegerField(required=False, allow_null=True)
    max_attempts = serializers.IntegerField(required=False, allow_null=True)
    access_code = serializers.CharField(required=False, allow_blank=True, max_length=20)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class EffectiveSettingsSerializer(serializers.Serializer):
    quiz_id = serializers.UUIDField(source="quiz.id")
    start_date = serializers.DateTimeField(allow_null=True)
    end_date = serializers.DateTimeField(allow_null=True, help_text="The student's own close time.")
    last_start = serializers.DateTimeField(source="window_end_date", allow_null=True)
    time_limit_minutes = serializers.IntegerField(allow_null=True, help_text="null: no time limit")
    max_attempts = serializers.IntegerField()
    personalised = serializers.BooleanField(source="is_personalised")


def _manageable_quiz(request, pk) -> Quiz:
    return get_object_or_404(Quiz.objects.manageable_by(request.user), pk=pk)


class QuizOverridesView(APIView):
    permission_classes = [IsTeacherOrAdmin]

    @extend_schema(responses={200: OverrideSerializer(many=True)}, tags=["quizzes"])
    def get(self, request, pk):
        quiz = _manageable_quiz(request, pk)
        return Response(OverrideSerializer(QuizOverride.objects.filter(quiz=quiz), many=True).data)

    @extend_schema(request=OverrideWriteSerializer, responses={201: OverrideSerializer}, tags=["quizzes"])
    def post(self, request, pk):
        quiz = _manageable_quiz(request, pk)
        data = OverrideWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        student_id, class_id = values.pop("student_id", None), values.pop("class_id", None)
        reason = values.pop("reason", "")
        if (student_id is None) == (class_id is None):
            raise serializers.ValidationError({"detail": "Give student_id or class_id (one of them)."})
        target = {}
        if student_id is not None:
            target["student"] = Student.objects.filter(pk=student_id).select_related("user").first()
        else:
            target["school_class"] = SchoolClass.objects.filter(pk=class_id).first()
        if None in target.values():
            raise NotFound("No such student or class.")
        override = services.override_set(quiz=quiz, by=request.user, reason=reason, request=request, **target, **values)
        return Response(OverrideSerializer(override).data, status=status.HTTP_201_CREATED)


class QuizOverrideDetailView(APIView):
    permission_classes = [IsTeacherOrAdmin]

    @extend_schema(request=None, responses={200: MessageSerializer}, tags=["quizzes"])
    def delete(self, request, pk, override_id):
        quiz = _manageable_quiz(request, pk)
        override = get_object_or_404(QuizOverride.objects.manageable_by(request.user), pk=override_id, quiz=quiz)
        services.override_delete(override=override, by=request.user, request=request)
        return Response({"message": "Override removed"})


class MyQuizSettingsView(APIView):
    permission_classes = [IsStudent]

    @extend_schema(responses={200: EffectiveSettingsSerializer}, tags=["quizzes"])
    def get(self, request, pk):
        quiz = get_object_or_404(Quiz.objects.visible_to(request.user).assigned_to(request.user), pk=pk)
        student = get_object_or_404(Student, pk=request.user.pk)
        return Response(EffectiveSettingsSerializer(effective_settings(quiz=quiz, student=student)).data)
