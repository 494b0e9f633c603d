"""API views of the classrooms app (guide 5.3 students, 5.4 teachers/{id}/students, 5.5 classes, 5.12 export).

Thin: parse input, load objects through the scoped querysets (outsiders get 404), call a service, render. Ids in
a body (students to assign, a teacher, a class) are resolved by the service; its errors become 4xx in the central
handler (quizsite.api.errors).
"""

from __future__ import annotations

from uuid import UUID

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import MessageSerializer
from accounts.models import Teacher
from classrooms import selectors, services
from classrooms.api.serializers import (
    AssignStudentsSerializer,
    AssignTeacherSerializer,
    ClaimCodesIssuedSerializer,
    ClassDetailSerializer,
    ClassSerializer,
    ClassWriteSerializer,
    StudentCreatedSerializer,
    StudentImportResultSerializer,
    StudentImportUploadSerializer,
    StudentSerializer,
    StudentWriteSerializer,
)
from classrooms.models import ImportJob, SchoolClass
from quizsite.api.parsers import FormParser, MultiPartParser
from quizsite.api.permissions import IsAdmin, IsTeacherOrAdmin
from quizsite.api.schema import file_responses
from quizsite.pages import file_response

UUID_RE = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
TRUE_VALUES = {"1", "true", "yes", "on"}


def _flag(request, name: str) -> bool:
    value = request.query_params.get(name)
    if value is None:
        value = request.data.get(name) if hasattr(request.data, "get") else None
    return str(value or "").strip().lower() in TRUE_VALUES


def _uuid_param(request, name: str):
    value = (request.query_params.get(name) or "").strip()
    if not value:
        return None
    try:
        return UUID(value)
    except ValueError:
        raise ValidationError({name: ["Must be a valid UUID."]}) from None


class IgnoreFormatParamNegotiation(DefaultContentNegotiation):
    """`?format=csv|xlsx` names the export's file type (guide 5.3), not a DRF renderer; errors stay JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema_view(
    create=extend_schema(request=ClassWriteSerializer, responses={201: ClassDetailSerializer}),
    update=extend_schema(request=ClassWriteSerializer, responses=ClassDetailSerializer),
    partial_update=extend_schema(request=ClassWriteSerializer, responses=ClassDetailSerializer),
)
class ClassViewSet(viewsets.ModelViewSet):
    lookup_value_regex = UUID_RE
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_permissions(self):
        if self.action == "create":
            return [IsAdmin()]
        return [IsAuthenticated()]

    def get_queryset(self):
        return selectors.class_list(user=self.request.user, search=self.request.query_params.get("search", "").strip())

    def get_serializer_class(self):
        return ClassDetailSerializer if self.action == "retrieve" else ClassSerializer

    def get_object(self):
        try:
            return selectors.class_detail(user=self.request.user, pk=self.kwargs["pk"])
        except SchoolClass.DoesNotExist:
            raise Http404 from None

    def _detail_response(self, pk, code=status.HTTP_200_OK):
        obj = selectors.class_detail(user=self.request.user, pk=pk)
        return Response(ClassDetailSerializer(obj).data, status=code)

    def create(self, request, *args, **kwargs):
        data = ClassWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        school_class = services.class_create(by=request.user, request=request, **data.validated_data)
        return self._detail_response(school_class.pk, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        school_class = self.get_object()
        data = ClassWriteSerializer(data=request.data, partial=True)  # PUT is a partial update too (API rules)
        data.is_valid(raise_exception=True)
        services.class_update(school_class=school_class, by=request.user, request=request, **data.validated_data)
        return self._detail_response(school_class.pk)

    def destroy(self, request, *args, **kwargs):
        school_class = self.get_object()
        services.class_delete(school_class=school_class, by=request.user, request=request)
        return Response({"message": "Class deleted"})

    @extend_schema(request=AssignTeacherSerializer, responses=MessageSerializer)
    @action(detail=True, methods=["post"], url_path="assign-teacher")
    def assign_teacher(self, request, pk=None):
        school_class = self.get_object()
        data = AssignTeacherSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.class_assign_teacher(
            school_class=school_class, teacher=data.validated_data["teacher_id"], by=request.user, request=request
        )
        return Response({"message": "Teacher assigned successfully"})

    @extend_schema(request=AssignStudentsSerializer, responses=MessageSerializer)
    @action(detail=True, methods=["post"], url_path="assign-students")
    def assign_students(self, request, pk=None):
        school_class = self.get_object()
        data = AssignStudentsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.class_assign_students(
            school_class=school_class, students=data.validated_data["student_ids"], by=request.user, request=request
        )
        return Response({"message": "Students assigned successfully"})

    @action(detail=True, methods=["delete"], url_path=rf"students/(?P<student_id>{UUID_RE})")
    def remove_student(self, request, pk=None, student_id=None):
        school_class = self.get_object()
        student = get_object_or_404(selectors.student_list(user=request.user), pk=student_id, school_class=school_class)
        services.class_remove_student(school_class=school_class, student=student, by=request.user, request=request)
        return Response({"message": "Student removed from class"})

    @extend_schema(
        request=None,
        responses=ClaimCodesIssuedSerializer,
    )
    @action(detail=True, methods=["post"], url_path="claim-codes")
    def claim_codes(self, request, pk=None):
        """Re-issue claim codes for the class's unclaimed students; the plain codes are in this response only."""
        school_class = self.get_object()
        codes = services.claim_codes_reissue(school_class=school_class, by=request.user, request=request)
        return Response({"message": f"{len(codes)} claim codes issued", "claim_codes": codes})


@extend_schema_view(
    create=extend_schema(request=StudentWriteSerializer, responses={201: StudentSerializer}),
    update=extend_schema(request=StudentWriteSerializer, responses=StudentSerializer),
    partial_update=extend_schema(request=StudentWriteSerializer, responses=StudentSerializer),
)
class StudentViewSet(viewsets.ModelViewSet):
    serializer_class = StudentSerializer
    lookup_value_regex = UUID_RE
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_permissions(self):
        if self.action in ("create", "bulk_import"):
            return [IsTeacherOrAdmin()]
        return [IsAuthenticated()]

    def get_queryset(self):
        return selectors.student_list(
            user=self.request.user,
            class_id=_uuid_param(self.request, "class_id"),
            search=self.request.query_params.get("search", "").strip(),
        )

    def get_object(self):
        return get_object_or_404(selectors.student_list(user=self.request.user), pk=self.kwargs["pk"])

    def _student_response(self, pk, code=status.HTTP_200_OK):
        student = selectors.student_list(user=self.request.user).get(pk=pk)
        return Response(StudentSerializer(student).data, status=code)

    @extend_schema(request=StudentWriteSerializer, responses={201: StudentCreatedSerializer})
    def create(self, request, *args, **kwargs):
        data = StudentWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        school_class = values.pop("class_id", None)
        student = services.student_create(by=request.user, school_class=school_class, request=request, **values)
        created = selectors.student_list(user=request.user).get(pk=student.pk)
        created.claim_code = student.claim_code
        return Response(StudentCreatedSerializer(created).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        student = self.get_object()
        data = StudentWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "class_id" in values:
            values["school_class"] = values.pop("class_id")
        services.student_update(student=student, by=request.user, request=request, **values)
        return self._student_response(student.pk)

    def destroy(self, request, *args, **kwargs):
        student = self.get_object()
        services.student_delete(student=student, by=request.user, request=request)
        return Response({"message": "Student deleted"})

    @extend_schema(
        request={"multipart/form-data": StudentImportUploadSerializer},
        responses={200: StudentImportResultSerializer, 202: StudentImportResultSerializer},
    )
    @action(detail=False, methods=["post"], url_path="bulk-import", parser_classes=[MultiPartParser, FormParser])
    def bulk_import(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["Upload a CSV or XLSX file in the 'file' field."]})
        job, result = services.students_bulk_import(
            by=request.user,
            upload=upload,
            dry_run=_flag(request, "dry_run"),
            issue_claim_codes=_flag(request, "issue_claim_codes"),
        )
        if job is not None and job.status == ImportJob.Status.QUEUED:
            return Response(import_job_payload(request, job), status=status.HTTP_202_ACCEPTED)
        if job is not None:
            return Response(import_job_payload(request, job))
        return Response(result)


def import_job_payload(request, job: ImportJob) -> dict:
    """The status of an import: the finished result's shape ({message, imported, failed, errors, ...}) plus the
    job's state, progress and (for its creator, right after the import) the claim codes."""
    if job.status == ImportJob.Status.DONE and job.result:
        body = dict(job.result)
        body.pop("preview", None)
    else:
        message = {
            ImportJob.Status.PREVIEW: "Previewed, not imported yet.",
            ImportJob.Status.QUEUED: "Import queued.",
            ImportJob.Status.RUNNING: "Import running.",
            ImportJob.Status.FAILED: job.error or "The import failed; nothing was imported.",
        }.get(job.status, "")
        body = {"message": message, "imported": 0, "failed": 0, "errors": []}
    body.update(
        {
            "job_id": str(job.pk),
            "status": job.status,
            "status_url": request.build_absolute_uri(reverse("classrooms-api:import-job", kwargs={"pk": job.pk})),
            "file_name": job.file_name,
            "total_rows": job.total_rows,
            "progress": services.import_job_progress(job),
            "error": job.error,
            "created_at": job.created_at,
            "finished_at": job.finished_at,
        }
    )
    codes = services.import_job_claim_codes(job=job, by=request.user)
    if codes:
        body["claim_codes"] = codes
        body["claim_slips_url"] = request.build_absolute_uri(
            reverse("classrooms-api:import-job-claim-slips", kwargs={"pk": job.pk})
        )
    return body


class ImportJobView(APIView):
    permission_classes = [IsTeacherOrAdmin]

    @extend_schema(responses=StudentImportResultSerializer)
    def get(self, request, pk):
        job = get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
        return Response(import_job_payload(request, job))


class ImportJobClaimSlipsView(APIView):
    """The printable claim slips of an import, for its creator, while the codes are still kept."""

    permission_classes = [IsTeacherOrAdmin]
    content_negotiation_class = IgnoreFormatParamNegotiation

    @extend_schema(responses=file_responses("pdf"))
    def get(self, request, pk):
        job = get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
        codes = services.import_job_claim_codes(job=job, by=request.user)
        if not codes:
            return Response(
                {"detail": "The claim codes of this import are no longer available; re-issue them for the class."},
                status=status.HTTP_404_NOT_FOUND,
            )
        pdf = services.claim_slips_pdf(codes=codes, title=f"Claim slips — {job.file_name}")
        return file_response(pdf, "application/pdf", "claim-slips.pdf")


class StudentExportView(APIView):
    """GET /students/export and /exports/students: ?class_id=&format=csv|xlsx (guide 5.3, 5.12, 9.2)."""

    permission_classes = [IsTeacherOrAdmin]
    content_negotiation_class = IgnoreFormatParamNegotiation

    @extend_schema(
        parameters=[
            OpenApiParameter("class_id", OpenApiTypes.UUID),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["csv", "xlsx"]),
        ],
        responses=file_responses("csv", "xlsx"),
    )
    def get(self, request):
        school_class = None
        if class_id := _uuid_param(request, "class_id"):
            school_class = get_object_or_404(SchoolClass.objects.visible_to(request.user), pk=class_id)
        content, content_type, filename = selectors.students_export(
            user=request.user, school_class=school_class, fmt=request.query_params.get("format", "csv")
        )
        return file_response(content, content_type, filename)


class TeacherStudentsView(APIView):
    """GET /teachers/{id}/students: the students of a teacher's classes (a plain list, as in the guide)."""

    permission_classes = [IsTeacherOrAdmin]

    @extend_schema(responses=StudentSerializer(many=True))
    def get(self, request, pk):
        teacher = get_object_or_404(Teacher.objects.manageable_by(request.user), pk=pk)
        students = selectors.teacher_students(user=request.user, teacher=teacher)
        return Response(StudentSerializer(students, many=True).data)
