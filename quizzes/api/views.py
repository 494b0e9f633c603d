"""API views of the quizzes app: thin wrappers that parse input, load through scoped querysets and call services."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from quizsite.api.parsers import FormParser, MultiPartParser
from quizsite.api.permissions import IsTeacherOrAdmin
from quizzes import selectors, services
from quizzes.api.serializers import (
    BulkImportSerializer,
    QuestionImageInputSerializer,
    QuestionImageSerializer,
    QuestionInputSerializer,
    QuestionSerializer,
    QuizInputSerializer,
    QuizStaffDetailSerializer,
    QuizStaffListSerializer,
    QuizStudentSerializer,
)
from quizzes.filters import QuestionFilter, QuizFilter
from quizzes.interchange.export import EXPORT_FORMATS
from quizzes.models import QuestionImportJob, Quiz, normalize_access_code

UUID_RE = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


QUESTION_IMPORT_RESULT = inline_serializer(
    "QuestionImportResult",
    {
        "message": serializers.CharField(),
        "dry_run": serializers.BooleanField(),
        "total_rows": serializers.IntegerField(),
        "imported": serializers.IntegerField(),
        "would_import": serializers.IntegerField(),
        "failed": serializers.IntegerField(),
        "errors": serializers.ListField(child=serializers.DictField()),
        # Question files (Moodle XML, GIFT, Aiken, QTI) only: the per-question report.
        "format": serializers.CharField(required=False),
        "format_label": serializers.CharField(required=False),
        "import_valid": serializers.BooleanField(required=False),
        "refused": serializers.BooleanField(required=False),
        "changed": serializers.IntegerField(required=False),
        "questions": serializers.ListField(child=serializers.DictField(), required=False),
        "question_ids": serializers.ListField(child=serializers.CharField(), required=False),
        # A large question file queued for a worker (202): where to follow it.
        "queued": serializers.BooleanField(required=False),
        "job_id": serializers.UUIDField(required=False),
        "status_url": serializers.URLField(required=False),
    },
)
QUESTION_IMPORT_JOB = inline_serializer(
    "QuestionImportJob",
    {
        "id": serializers.UUIDField(),
        "status": serializers.ChoiceField(choices=["queued", "running", "done", "failed"]),
        "file_name": serializers.CharField(),
        "format": serializers.CharField(),
        "progress": serializers.DictField(child=serializers.IntegerField()),
        "result": serializers.DictField(allow_null=True),
        "error": serializers.CharField(),
    },
)
QUESTION_EXPORT_REPORT = inline_serializer(
    "QuestionExportReport",
    {
        "format": serializers.CharField(),
        "filename": serializers.CharField(),
        "exported": serializers.IntegerField(),
        "changed": serializers.IntegerField(),
        "skipped": serializers.IntegerField(),
        "questions": serializers.ListField(child=serializers.DictField()),
    },
)


@extend_schema_view(partial_update=extend_schema(request=QuestionInputSerializer, responses=QuestionSerializer))
class QuestionViewSet(viewsets.ModelViewSet):
    """The question bank (guide 5.7). Teachers see and edit their own bank, admins every bank."""

    permission_classes = [IsTeacherOrAdmin]
    serializer_class = QuestionSerializer
    lookup_value_regex = UUID_RE
    filterset_class = QuestionFilter
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.question_list(user=self.request.user)

    @extend_schema(request=QuestionInputSerializer, responses={201: QuestionSerializer})
    def create(self, request, *args, **kwargs):
        payload = QuestionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        owner_id = data.pop("owner_id", None)
        question = services.question_create(by=request.user, data=data, owner_id=owner_id, request=request)
        question = self.get_queryset().get(pk=question.pk)
        return Response(QuestionSerializer(question).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=QuestionInputSerializer, responses=QuestionSerializer)
    def update(self, request, *args, **kwargs):
        question = self.get_object()
        payload = QuestionInputSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data.pop("owner_id", None)  # the owner of an existing question does not change
        question = services.question_update(question=question, by=request.user, data=data, request=request)
        return Response(QuestionSerializer(self.get_queryset().get(pk=question.pk)).data)

    def destroy(self, request, *args, **kwargs):
        services.question_delete(question=self.get_object(), by=request.user, request=request)
        return Response({"message": "Question deleted"})

    @extend_schema(
        request={"multipart/form-data": QuestionImageInputSerializer},
        responses={201: QuestionImageSerializer},
        summary="Attach an image to a question (issue 15)",
    )
    @action(detail=True, methods=["post"], url_path="images", parser_classes=[MultiPartParser, FormParser])
    def images(self, request, pk=None):
        question = self.get_object()
        payload = QuestionImageInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        image = services.question_image_add(
            question=question,
            by=request.user,
            upload=payload.validated_data["file"],
            alt_text=payload.validated_data["alt_text"],
            request=request,
        )
        return Response(QuestionImageSerializer(image).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=inline_serializer("ImageDeleted", {"message": serializers.CharField()}))
    @action(detail=True, methods=["delete"], url_path=rf"images/(?P<image_id>{UUID_RE})")
    def image_delete(self, request, pk=None, image_id=None):
        question = self.get_object()
        image = get_object_or_404(question.images.all(), pk=image_id)
        services.question_image_delete(image=image, by=request.user, request=request)
        return Response({"message": "Image deleted"})

    @extend_schema(
        request={"multipart/form-data": BulkImportSerializer},
        responses={200: QUESTION_IMPORT_RESULT, 202: QUESTION_IMPORT_RESULT, 422: QUESTION_IMPORT_RESULT},
    )
    @action(detail=False, methods=["post"], url_path="bulk-import", parser_classes=[MultiPartParser, FormParser])
    def bulk_import(self, request):
        payload = BulkImportSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        dry_run = data["dry_run"] or request.query_params.get("dry_run", "").lower() in ("1", "true", "yes")
        result = services.question_bulk_import(
            by=request.user,
            upload=data["file"],
            owner_id=data.get("owner_id"),
            dry_run=dry_run,
            request=request,
            fmt=data.get("format"),
            import_valid=data["import_valid"],
        )
        if result.get("refused"):
            # A question file with questions that cannot be imported, and "import what is valid" not chosen.
            return Response({"detail": result["message"], **result}, status=422)
        if result.get("queued"):
            # A large question file: a worker imports it; the job's URL reports progress and then the report.
            url = request.build_absolute_uri(reverse("question-import-job", kwargs={"job_id": result["job_id"]}))
            return Response({**result, "status_url": url}, status=202)
        return Response(result)

    @extend_schema(responses=QUESTION_IMPORT_JOB)
    @action(detail=False, methods=["get"], url_path=f"import-jobs/(?P<job_id>{UUID_RE})", filterset_class=None)
    def import_job(self, request, job_id=None):
        """A large question file's import: queued, running (with progress), done (with the report) or failed."""
        job = get_object_or_404(QuestionImportJob.objects.visible_to(request.user), pk=job_id)
        return Response(
            {
                "id": str(job.pk),
                "status": job.status,
                "file_name": job.file_name,
                "format": job.format,
                "progress": services.question_import_job_progress(job),
                "result": job.result,
                "error": job.error,
            }
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=list(EXPORT_FORMATS), required=True),
            OpenApiParameter("ids", str, description="comma-separated question ids (default: the filtered bank)"),
            OpenApiParameter("quiz", str, description="export this quiz's questions, in its order"),
            OpenApiParameter("report", bool, description="answer the per-question report (JSON), not the file"),
        ],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 200: QUESTION_EXPORT_REPORT},
    )
    @action(detail=False, methods=["get"], url_path="export", filterset_class=None)
    def export(self, request):
        """The bank (filtered like the list), a selection (`ids`) or a quiz's questions as Moodle XML, GIFT, QTI 2.1
        or Aiken; the per-question report is in `?report=true` and, summed up, in the X-Export-Report header."""
        fmt = request.query_params.get("format", "")
        questions = selectors.questions_for_export(
            user=request.user, params=request.query_params, quiz_id=request.query_params.get("quiz")
        )
        result = services.question_export(by=request.user, questions=questions, fmt=fmt)
        if request.query_params.get("report", "").lower() in ("1", "true", "yes"):
            return Response({"format": fmt, "filename": result.filename, **result.summary, "questions": result.report})
        response = HttpResponse(result.data, content_type=result.content_type)
        response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
        summary = result.summary
        response["X-Export-Report"] = (
            f"exported={summary['exported']}; changed={summary['changed']}; skipped={summary['skipped']}"
        )
        return response


def _quiz_for_role(*, many: bool = False) -> PolymorphicProxySerializer:
    """Staff get the quiz with its access code (and, in detail, its questions); students the summary without."""
    staff = QuizStaffListSerializer if many else QuizStaffDetailSerializer
    return PolymorphicProxySerializer(
        component_name="QuizListItemForRole" if many else "QuizForRole",
        serializers=[staff, QuizStudentSerializer],
        resource_type_field_name=None,
        many=many,
    )


@extend_schema_view(
    list=extend_schema(responses=_quiz_for_role(many=True)),
    retrieve=extend_schema(responses=_quiz_for_role()),
    partial_update=extend_schema(request=QuizInputSerializer, responses=QuizStaffDetailSerializer),
)
class QuizViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Quizzes (guide 5.6, except `start`, which the attempts app serves). Staff get the answer key, students
    a separate serializer without it (and without the questions, which arrive with `start`).

    Questions are set either with `question_ids` (order = list order) or, to give a question different marks in
    this quiz, with `questions: [{"id": ..., "marks_override": 5}, ...]` (`null` = the question's own marks).
    Both replace the whole list, and only while nobody has attempted the quiz (409 afterwards; resending the
    unchanged list is accepted). `status` in a PUT goes through publish/archive/back-to-draft with their rules.
    """

    filterset_class = QuizFilter
    lookup_value_regex = UUID_RE
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_permissions(self):
        if self.action in ("list", "retrieve", "access"):
            return [IsAuthenticated()]
        return [IsTeacherOrAdmin()]

    def _is_student(self) -> bool:
        return bool(getattr(self.request.user, "is_student", False))

    def get_queryset(self):
        user = self.request.user
        if self.action in ("list", "access") or self._is_student():
            return selectors.quiz_list(user=user)
        if self.action == "retrieve":
            return selectors.quiz_detail_queryset(user=user)
        # Writes: the services load the quiz again under a row lock, so it needs none of the list's extras.
        return Quiz.objects.manageable_by(user)

    def get_serializer_class(self):
        if self._is_student():
            return QuizStudentSerializer
        if self.action == "list":
            return QuizStaffListSerializer
        return QuizStaffDetailSerializer

    def _detail(self, quiz):
        fresh = selectors.quiz_detail_queryset(user=self.request.user).get(pk=quiz.pk)
        return QuizStaffDetailSerializer(fresh).data

    def _payload(self, *, partial: bool) -> tuple[dict, dict]:
        """The quiz's settings, and the lists that replace its classes and questions (None: unchanged)."""
        payload = QuizInputSerializer(data=self.request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        lists = {name: data.pop(name, None) for name in ("class_ids", "question_ids", "questions")}
        return data, lists

    @extend_schema(request=QuizInputSerializer, responses={201: QuizStaffDetailSerializer})
    def create(self, request, *args, **kwargs):
        data, lists = self._payload(partial=False)
        if data.pop("status", None) not in (None, "draft"):
            raise ValidationError(
                {"status": "A quiz is created as a draft; publish it with POST /quizzes/{id}/publish."}
            )
        owner_id = data.pop("owner_id", None)
        quiz = services.quiz_create(by=request.user, data=data, owner_id=owner_id, **lists, request=request)
        return Response(self._detail(quiz), status=status.HTTP_201_CREATED)

    @extend_schema(request=QuizInputSerializer, responses=QuizStaffDetailSerializer)
    def update(self, request, *args, **kwargs):
        quiz = self.get_object()
        data, lists = self._payload(partial=True)
        data.pop("owner_id", None)  # the owner of an existing quiz does not change
        quiz = services.quiz_update(quiz=quiz, by=request.user, data=data, **lists, request=request)
        return Response(self._detail(quiz))

    def destroy(self, request, *args, **kwargs):
        services.quiz_delete(quiz=self.get_object(), by=request.user, request=request)
        return Response({"message": "Quiz deleted"})

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "QuizPublished",
            {
                "message": serializers.CharField(),
                "access_code": serializers.CharField(),
                "status": serializers.CharField(),
            },
        ),
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        quiz = services.quiz_publish(quiz=self.get_object(), by=request.user, request=request)
        return Response({"message": "Quiz published", "access_code": quiz.access_code, "status": quiz.status})

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "QuizArchived", {"message": serializers.CharField(), "status": serializers.CharField()}
        ),
    )
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        quiz = services.quiz_archive(quiz=self.get_object(), by=request.user, request=request)
        return Response({"message": "Quiz archived", "status": quiz.status})

    @extend_schema(responses=_quiz_for_role())
    @action(detail=False, methods=["get"], url_path=r"access/(?P<code>[^/]+)")
    def access(self, request, code=None):
        """A student's access-code check: the quiz, if it is published and assigned to their class."""
        if self._is_student():
            quiz = selectors.quiz_get_by_access_code(user=request.user, code=code)
            if quiz is None:
                raise NotFound("No published quiz for your class has this access code.")
            return Response(QuizStudentSerializer(quiz).data)
        quiz = get_object_or_404(
            selectors.quiz_detail_queryset(user=request.user), access_code=normalize_access_code(code)
        )
        return Response(QuizStaffDetailSerializer(quiz).data)
