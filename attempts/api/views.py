"""API views of the attempts app: thin, every write is an attempts.services call and every response body is rendered
by an output serializer of attempts.api.serializers."""

from __future__ import annotations

from django.db import connection
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import MessageSerializer
from accounts.models import Student
from attempts import access, services
from attempts.api.fastsave import fast_save
from attempts.api.serializers import (
    AnswerSavedSerializer,
    AnswerSerializer,
    AnswersSavedSerializer,
    AttemptDetailSerializer,
    AttemptListSerializer,
    AttemptStaffDetailSerializer,
    ExamSerializer,
    ExplanationInputSerializer,
    ExplanationSerializer,
    SubmitResultSerializer,
    TimeRemainingSerializer,
    ViolationInputSerializer,
    ViolationRecordedSerializer,
)
from attempts.autosave import MAX_BATCH
from attempts.errors import AttemptError
from attempts.filters import AttemptFilter
from attempts.models import QuizAttempt
from attempts.selectors import attempt_detail, attempt_exam
from quizsite.api.permissions import IsStudent, IsTeacherOrAdmin
from quizsite.clientip import client_ip
from quizsite.text import STRIP
from quizzes.models import Quiz

UUID_RE = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


class QuizStartView(APIView):
    """POST /api/v1/quizzes/{id}/start: start or resume the signed-in student's attempt."""

    permission_classes = [IsStudent]

    @extend_schema(request=None, responses={200: ExamSerializer, 201: ExamSerializer}, tags=["attempts"])
    def post(self, request, pk):
        # Not scoped to the quizzes the student may see: the service answers a draft, closed or other class's quiz
        # with the reason (403), as the SPA shows it.
        quiz = get_object_or_404(Quiz, pk=pk)
        student = get_object_or_404(Student.objects.select_related("user"), pk=request.user.pk)
        password = request.data.get("network_password") if isinstance(request.data, dict) else None
        attempt, created, token = services.attempt_start_through_access(
            request=request,
            network_password=password if isinstance(password, str) else None,
            quiz=quiz,
            student=student,
            by=request.user,
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
        body = ExamSerializer(attempt_exam(attempt, resumed=not created), context={"session_token": token}).data
        response = Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
        access.set_session_cookie(request, response, attempt, token)
        return response


class AttemptAnswerView(APIView):
    """POST /api/v1/attempts/{id}/answer: the autosave hot path. One answer, or {"answers": [...]}.

    Queries with a Bearer token (the fast path, attempts.api.fastsave): the user and the attempt in one
    statement, the upsert. With the exam page's session: session, user, the attempt, the upsert.
    """

    permission_classes = [IsStudent]
    # A control character pasted into an answer is stripped, not refused: a refused save would lose the answer.
    control_characters = STRIP

    def dispatch(self, request, *args, **kwargs):
        # A Bearer-token save in the usual shape takes the fast path (attempts.api.fastsave, issue 14); anything
        # else (the exam page's session, an error to explain) the DRF path below, which answers as before.
        if request.method == "POST" and connection.vendor == "postgresql":
            response = fast_save(request, kwargs.get("pk"))
            if response is not None:
                return response
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        request=AnswerSerializer,
        responses=PolymorphicProxySerializer(
            component_name="AnswerSaveResult",
            serializers=[AnswerSavedSerializer, AnswersSavedSerializer],
            resource_type_field_name=None,
        ),
        tags=["attempts"],
    )
    def post(self, request, pk):
        data = request.data
        batch = isinstance(data, dict) and "answers" in data
        items = data["answers"] if batch else [data]
        if not isinstance(items, list) or not items:
            raise ValidationError({"answers": ["A non-empty list of answers is required."]})
        if len(items) > MAX_BATCH:
            raise ValidationError({"answers": [f"At most {MAX_BATCH} answers per request."]})
        serializer = AnswerSerializer(data=items, many=True)
        serializer.is_valid(raise_exception=True)
        answers = [{**item, "question_id": str(item["question_id"])} for item in serializer.validated_data]
        access.check_attempt_request(request, attempt_id=pk)  # issue 17: network, SEB, one session (cached rules)
        result = services.answers_save(
            attempt_id=pk, answers=answers, student_id=request.user.pk, student_name=request.user.name
        )
        if batch:
            return Response(AnswersSavedSerializer(result).data)
        return Response(AnswerSavedSerializer({**result, **result["results"][0]}).data)


class AttemptViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """GET /attempts (own, or of the teacher's quizzes), GET /attempts/{id}, POST .../submit, .../violations."""

    serializer_class = AttemptListSerializer
    filterset_class = AttemptFilter
    lookup_value_regex = UUID_RE

    def get_queryset(self):
        return (
            QuizAttempt.objects.visible_to(self.request.user)
            .select_related("quiz", "student__user")
            .order_by("-started_at")
        )

    def _load(self, pk) -> QuizAttempt:
        """The attempt, closed first if its time ran out meanwhile (the closed one comes back freshly loaded)."""
        return services.attempt_expire_if_overdue(attempt=get_object_or_404(self.get_queryset(), pk=pk))

    def _load_own(self, pk) -> QuizAttempt:
        attempt = self._load(pk)
        if attempt.student_id != self.request.user.pk:
            raise PermissionDenied("Only the student taking this quiz can do this.")
        access.check_attempt_request(self.request, attempt_id=attempt.pk)  # issue 17
        return attempt

    def list(self, request, *args, **kwargs):
        if request.user.is_student:
            services.expire_overdue_for_student(student_id=request.user.pk)
        return super().list(request, *args, **kwargs)

    @extend_schema(
        responses=PolymorphicProxySerializer(
            component_name="AttemptDetailResult",
            serializers=[AttemptDetailSerializer, AttemptStaffDetailSerializer],
            resource_type_field_name=None,
        )
    )
    def retrieve(self, request, pk=None):
        detail = attempt_detail(self._load(pk), request.user)
        serializer = AttemptStaffDetailSerializer if detail.staff else AttemptDetailSerializer
        return Response(serializer(detail).data)

    @extend_schema(request=None, responses={200: SubmitResultSerializer, 409: TimeRemainingSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        attempt = self._load_own(pk)
        already = attempt.is_finished
        if not already and isinstance(request.data, dict) and request.data.get("reason") == "time_up":
            # The page's timer reached zero. If a teacher extended the time meanwhile, the page only learns it
            # here: tell it how long is left instead of ending the exam early.
            left_ms = int((attempt.deadline - timezone.now()).total_seconds() * 1000)
            if left_ms > 1000:
                body = {
                    "detail": "There is still time left.",
                    "code": "time_remaining",
                    "time_remaining_seconds": left_ms // 1000,
                    "time_remaining_ms": left_ms,
                }
                return Response(TimeRemainingSerializer(body).data, status=status.HTTP_409_CONFLICT)
        attempt = services.attempt_submit(attempt=attempt, by=request.user)
        return Response(SubmitResultSerializer(attempt, context={"already": already}).data)

    @extend_schema(request=ViolationInputSerializer, responses={201: ViolationRecordedSerializer})
    @action(detail=True, methods=["post"])
    def violations(self, request, pk=None):
        attempt = self._load_own(pk)
        serializer = ViolationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = services.violation_record(
            attempt=attempt,
            violation_type=data["violation_type"],
            question_index=data.get("question_index"),
            details=data.get("metadata"),
            severity=data.get("severity"),
            duration_ms=data.get("duration_ms"),
        )
        return Response(ViolationRecordedSerializer(result).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=inline_serializer(
            "FlagInput", {"question_id": serializers.UUIDField(), "flagged": serializers.BooleanField()}
        ),
        responses={
            200: inline_serializer("Flags", {"review_flags": serializers.ListField(child=serializers.UUIDField())})
        },
        description="Issue 16: flag (or unflag) a question of one's attempt in progress for review before submitting.",
    )
    @action(detail=True, methods=["post"])
    def flags(self, request, pk=None):
        attempt = self._load_own(pk)
        data = request.data if isinstance(request.data, dict) else {}
        flagged = data.get("flagged", True)
        if not isinstance(flagged, bool):
            raise AttemptError("flagged must be true or false.", status_code=400)
        flags = services.attempt_flag(
            attempt=attempt, by=request.user, question_id=data.get("question_id"), flagged=flagged
        )
        return Response({"review_flags": flags})

    @extend_schema(request=ExplanationInputSerializer, responses={200: ExplanationSerializer})
    @action(detail=True, methods=["post"])
    def explanation(self, request, pk=None):
        """Issue 17: the student explains their violations after a flag or an auto-submit for violations."""
        attempt = self._load_own(pk)
        serializer = ExplanationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attempt = services.attempt_explain(
            attempt=attempt, by=request.user, text=serializer.validated_data["explanation"]
        )
        return Response(ExplanationSerializer(attempt).data)


class AttemptReleaseSessionView(APIView):
    """Issue 17: POST /api/v1/attempts/{id}/release-session: a teacher lets the student continue in another
    browser (quizzes with one active session)."""

    permission_classes = [IsTeacherOrAdmin]

    @extend_schema(request=None, responses={200: MessageSerializer}, tags=["attempts"])
    def post(self, request, pk):
        attempt = get_object_or_404(QuizAttempt.objects.gradable_by(request.user), pk=pk)
        access.attempt_release_session(attempt=attempt, by=request.user)
        return Response({"message": "Released: the next browser to open the quiz can continue it."})
