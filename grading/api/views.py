"""API views of the grading app (guide 5.9), the board's teacher actions and notifications.

Thin: parse input, load through grading.selectors' scoped querysets (an outsider gets 404), call a service."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from grading import selectors, services
from grading.api import serializers as s
from grading.filters import GradingQueueFilter, NotificationFilter
from quizsite.api.permissions import IsTeacherOrAdmin


def _num(value):
    return float(value) if value is not None else None


class PendingListView(ListAPIView):
    """GET /grading/pending?quiz_id=&class_id=&page=&limit=: finished attempts awaiting marks."""

    permission_classes = [IsTeacherOrAdmin]
    serializer_class = s.QueueAttemptSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = GradingQueueFilter

    def get_queryset(self):
        return selectors.pending_attempts(self.request.user)


class GradedListView(PendingListView):
    """GET /grading/graded?quiz_id=&class_id=&page=&limit=: graded attempts, latest first."""

    serializer_class = s.GradedAttemptSerializer

    def get_queryset(self):
        return selectors.graded_attempts(self.request.user)


# One attempt or quiz: anyone but the quiz's teacher or an admin gets 404, students included (the scoped
# querysets are empty for them), so an attempt's existence is never revealed. The queues answer students 403.
def _attempt(request, pk):
    qs = selectors.attempts_gradable_by(request.user).select_related("quiz", "student__user", "student__school_class")
    return get_object_or_404(qs, pk=pk)


class AttemptGradingView(APIView):
    """GET /grading/attempts/{id}: every answer with its question, marks, feedback; and the violations."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT, description="attempt, student, quiz, answers, violations")
    def get(self, request, pk):
        attempt = _attempt(request, pk)
        items = selectors.attempt_grading_items(attempt)
        return Response(s.grading_detail(attempt, items, attempt.violations.all()))


class AttemptGradeView(APIView):
    """POST /grading/attempts/{id}/grade {"grades": [{answer_id, marks_awarded, feedback}]}."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.GradeRequestSerializer, responses=s.GradeResultSerializer)
    def post(self, request, pk):
        attempt = _attempt(request, pk)
        body = s.GradeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attempt = services.attempt_grade(
            attempt=attempt, by=request.user, grades=body.validated_data["grades"], request=request
        )
        pending = attempt.answers.filter(marks_awarded__isnull=True).count()
        return Response(
            {
                "message": "Grading completed" if pending == 0 else "Grades saved; some answers still await marks",
                "status": attempt.status,
                "final_score": _num(attempt.score),
                "total_marks": attempt.total_marks,
                "percentage": _num(attempt.percentage),
                "passed": attempt.passed,
                "pending_answers": pending,
            }
        )


def _attempt_state(attempt) -> dict:
    return {
        "attempt_id": str(attempt.pk),
        "status": attempt.status,
        "deadline": attempt.deadline.isoformat(),
        "seconds_remaining": attempt.seconds_remaining() if attempt.status == "in_progress" else 0,
    }


class AttemptExtendView(APIView):
    """POST /grading/attempts/{id}/extend {"minutes": n}: more time for one student."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.MinutesSerializer, responses=s.AttemptStateSerializer)
    def post(self, request, pk):
        attempt = _attempt(request, pk)
        body = s.MinutesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attempt = services.attempt_extend_time(
            attempt=attempt, by=request.user, minutes=body.validated_data["minutes"], request=request
        )
        return Response({"message": "Time extended", **_attempt_state(attempt)})


class AttemptForceSubmitView(APIView):
    """POST /grading/attempts/{id}/force-submit: end the attempt now."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=s.AttemptStateSerializer)
    def post(self, request, pk):
        attempt = services.attempt_force_submit(attempt=_attempt(request, pk), by=request.user, request=request)
        return Response({"message": "Attempt submitted", **_attempt_state(attempt), "score": _num(attempt.score)})


class AttemptReinstateView(APIView):
    """POST /grading/attempts/{id}/reinstate {"reason": "...", "minutes": n (optional)}."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.ReinstateSerializer, responses=s.AttemptStateSerializer)
    def post(self, request, pk):
        attempt = _attempt(request, pk)
        body = s.ReinstateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attempt = services.attempt_reinstate(
            attempt=attempt,
            by=request.user,
            reason=body.validated_data["reason"],
            minutes=body.validated_data.get("minutes"),
            request=request,
        )
        return Response({"message": "Attempt reinstated", **_attempt_state(attempt)})


def _quiz(request, pk):
    return get_object_or_404(selectors.quizzes_managed_by(request.user), pk=pk)


class QuizExtendView(APIView):
    """POST /grading/quizzes/{id}/extend {"minutes": n}: more time for everyone taking the quiz now."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.MinutesSerializer, responses=s.QuizExtendResultSerializer)
    def post(self, request, pk):
        quiz = _quiz(request, pk)
        body = s.MinutesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        count = services.quiz_extend_time(
            quiz=quiz, by=request.user, minutes=body.validated_data["minutes"], request=request
        )
        return Response({"message": f"Time extended for {count} attempt(s)", "extended": count})


class QuizStatusView(APIView):
    """GET /grading/quizzes/{id}/status: the board's quiz_status payload over HTTP (for clients without sockets)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT, description="the quiz_status payload of the live board")
    def get(self, request, pk):
        return Response(selectors.quiz_monitor_status(_quiz(request, pk)))


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """GET /notifications?unread=true, POST /notifications/{id}/read, POST /notifications/read-all."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.NotificationSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = NotificationFilter

    def get_queryset(self):
        return selectors.notifications_of(self.request.user).order_by("-created_at", "pk")

    @extend_schema(request=None, responses=s.NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = services.notification_mark_read(notification=self.get_object(), by=request.user)
        return Response({"message": "Notification marked as read", **s.NotificationSerializer(notification).data})

    @extend_schema(request=None, responses=s.ReadAllResultSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        count = services.notifications_mark_all_read(by=request.user)
        return Response({"message": f"{count} notification(s) marked as read", "updated": count})
