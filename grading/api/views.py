"""API views of the grading app (guide 5.9), the board's teacher actions and notifications.

Thin: parse the body, load through the selectors composed from the scoped managers (anyone but the quiz's teacher
or an admin gets 404, students included, so an attempt's existence is never revealed; the queues answer students
403), call the same service as the pages, render the result with an output serializer."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Notification
from grading import selectors, services
from grading.api import serializers as s
from grading.filters import GradingQueueFilter, NotificationFilter
from quizsite.api.permissions import IsTeacherOrAdmin
from quizzes.models import Quiz


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


class _GradableAttemptView(APIView):
    permission_classes = [IsAuthenticated]

    def get_object(self, pk):
        return get_object_or_404(selectors.attempts_for_grading(self.request.user), pk=pk)


class AttemptGradingView(_GradableAttemptView):
    """GET /grading/attempts/{id}: every answer with its question, marks, feedback; and the violations."""

    @extend_schema(responses=s.GradingDetailSerializer)
    def get(self, request, pk):
        attempt = self.get_object(pk)
        detail = {
            "attempt": attempt,
            "items": selectors.attempt_grading_items(attempt),
            "violations": attempt.violations.all(),
        }
        return Response(s.GradingDetailSerializer(detail).data)


class _ActionView(APIView):
    """POST on one object: load it through the scoped queryset (`get_object`), parse `body_serializer` (if any),
    call the subclass's `perform(obj, data)` (the service), render what it returns with `result_serializer`."""

    body_serializer = None
    result_serializer = s.AttemptStateSerializer

    def post(self, request, pk):
        obj = self.get_object(pk)
        data = {}
        if self.body_serializer is not None:
            body = self.body_serializer(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
        return Response(self.result_serializer(self.perform(obj, data)).data)


@extend_schema_view(post=extend_schema(request=s.GradeRequestSerializer, responses=s.GradeResultSerializer))
class AttemptGradeView(_ActionView, _GradableAttemptView):
    """POST /grading/attempts/{id}/grade {"grades": [{answer_id, marks_awarded, feedback}]}."""

    body_serializer = s.GradeRequestSerializer
    result_serializer = s.GradeResultSerializer

    def perform(self, attempt, data):
        attempt = services.attempt_grade(
            attempt=attempt, by=self.request.user, grades=data["grades"], request=self.request
        )
        pending = selectors.answers_awaiting_marks(attempt)
        message = "Grading completed" if pending == 0 else "Grades saved; some answers still await marks"
        return {"message": message, "attempt": attempt, "pending_answers": pending}


@extend_schema_view(post=extend_schema(request=s.MinutesSerializer, responses=s.AttemptStateSerializer))
class AttemptExtendView(_ActionView, _GradableAttemptView):
    """POST /grading/attempts/{id}/extend {"minutes": n}: more time for one student."""

    body_serializer = s.MinutesSerializer

    def perform(self, attempt, data):
        minutes = data["minutes"]
        attempt = services.attempt_extend_time(
            attempt=attempt, by=self.request.user, minutes=minutes, request=self.request
        )
        return {"message": "Time extended", "attempt": attempt}


@extend_schema_view(post=extend_schema(request=None, responses=s.ForceSubmitResultSerializer))
class AttemptForceSubmitView(_ActionView, _GradableAttemptView):
    """POST /grading/attempts/{id}/force-submit: end the attempt now."""

    result_serializer = s.ForceSubmitResultSerializer

    def perform(self, attempt, data):
        attempt = services.attempt_force_submit(attempt=attempt, by=self.request.user, request=self.request)
        return {"message": "Attempt submitted", "attempt": attempt}


@extend_schema_view(post=extend_schema(request=s.ReinstateSerializer, responses=s.AttemptStateSerializer))
class AttemptReinstateView(_ActionView, _GradableAttemptView):
    """POST /grading/attempts/{id}/reinstate {"reason": "...", "minutes": n (optional)}."""

    body_serializer = s.ReinstateSerializer

    def perform(self, attempt, data):
        attempt = services.attempt_reinstate(
            attempt=attempt,
            by=self.request.user,
            reason=data["reason"],
            minutes=data.get("minutes"),
            request=self.request,
        )
        return {"message": "Attempt reinstated", "attempt": attempt}


class _ManagedQuizView(APIView):
    permission_classes = [IsAuthenticated]

    def get_object(self, pk):
        return get_object_or_404(Quiz.objects.manageable_by(self.request.user), pk=pk)


@extend_schema_view(post=extend_schema(request=s.MinutesSerializer, responses=s.QuizExtendResultSerializer))
class QuizExtendView(_ActionView, _ManagedQuizView):
    """POST /grading/quizzes/{id}/extend {"minutes": n}: more time for everyone taking the quiz now."""

    body_serializer = s.MinutesSerializer
    result_serializer = s.QuizExtendResultSerializer

    def perform(self, quiz, data):
        count = services.quiz_extend_time(
            quiz=quiz, by=self.request.user, minutes=data["minutes"], request=self.request
        )
        return {"message": f"Time extended for {count} attempt(s)", "extended": count}


class QuizStatusView(_ManagedQuizView):
    """GET /grading/quizzes/{id}/status: the board's quiz_status payload over HTTP (for clients without sockets)."""

    @extend_schema(responses=s.BoardStatusSerializer)
    def get(self, request, pk):
        return Response(s.BoardStatusSerializer(selectors.quiz_monitor_status(self.get_object(pk))).data)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """GET /notifications?unread=true, POST /notifications/{id}/read, POST /notifications/read-all."""

    permission_classes = [IsAuthenticated]
    serializer_class = s.NotificationSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = NotificationFilter

    def get_queryset(self):
        return Notification.objects.visible_to(self.request.user).order_by("-created_at", "pk")

    @extend_schema(request=None, responses=s.NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = services.notification_mark_read(notification=self.get_object(), by=request.user)
        return Response(s.NotificationSerializer(notification).data)

    @extend_schema(request=None, responses=s.ReadAllResultSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        count = services.notifications_mark_all_read(by=request.user)
        result = {"message": f"{count} notification(s) marked as read", "updated": count}
        return Response(s.ReadAllResultSerializer(result).data)
