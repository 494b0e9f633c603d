"""API views of the classrooms app (guide 5.3 students, 5.4 teachers/{id}/students, 5.5 classes, 5.12 export).

Thin: parse input, load objects through the scoped selectors (outsiders get 404), call a service, render.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Teacher
from classrooms import selectors, services
from classrooms.api.serializers import (
    AssignStudentsSerializer,
    AssignTeacherSerializer,
    ClassDetailSerializer,
    ClassSerializer,
    ClassWriteSerializer,
    StudentSerializer,
    StudentWriteSerializer,
)
from classrooms.models import ImportJob, SchoolClass
from quizsite.api.permissions import IsAdmin, IsTeacherOrAdmin

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
    from uuid import UUID

    try:
        return UUID(value)
    except ValueError:
        raise ValidationError({name: ["Must be a valid UUID."]}) from None


class IgnoreFormatParamNegotiation(DefaultContentNegotiation):
    """`?format=csv|xlsx` names the export's file type (guide 5.3), not a DRF renderer; errors stay JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


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
            from django.http import Http404

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

    @action(detail=True, methods=["post"], url_path="assign-teacher")
    def assign_teacher(self, request, pk=None):
        school_class = self.get_object()
        if not request.user.is_admin:
            raise PermissionDenied("Only administrators can assign teachers.")
        data = AssignTeacherSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        teacher = Teacher.objects.select_related("user").filter(pk=data.validated_data["teacher_id"]).first()
        if teacher is None:
            raise ValidationError({"teacher_id": ["No teacher with this id."]})
        services.class_assign_teacher(school_class=school_class, teacher=teacher, by=request.user, request=request)
        return Response({"message": "Teacher assigned successfully"})

    @action(detail=True, methods=["post"], url_path="assign-students")
    def assign_students(self, request, pk=None):
        school_class = self.get_object()
        if not selectors.can_manage_class(request.user, school_class):
            raise PermissionDenied("Only administrators and the class's teachers can change its students.")
        data = AssignStudentsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = set(data.validated_data["student_ids"])
        students = list(selectors.students_assignable_by(request.user).filter(pk__in=ids))
        missing = ids - {s.pk for s in students}
        if missing:
            # Unknown and not-yours look the same: a teacher cannot probe other classes' students.
            raise ValidationError({"student_ids": [f"Unknown student ids: {', '.join(sorted(map(str, missing)))}"]})
        services.class_assign_students(school_class=school_class, students=students, by=request.user, request=request)
        return Response({"message": "Students assigned successfully"})

    @action(detail=True, methods=["delete"], url_path=rf"students/(?P<student_id>{UUID_RE})")
    def remove_student(self, request, pk=None, student_id=None):
        school_class = self.get_object()
        student = get_object_or_404(
            selectors.students_visible_to(request.user), pk=student_id, school_class=school_class
        )
        services.class_remove_student(school_class=school_class, student=student, by=request.user, request=request)
        return Response({"message": "Student removed from class"})

    @action(detail=True, methods=["post"], url_path="claim-codes")
    def claim_codes(self, request, pk=None):
        """Re-issue claim codes for the class's unclaimed students; the plain codes are in this response only."""
        school_class = self.get_object()
        codes = services.claim_codes_reissue(school_class=school_class, by=request.user, request=request)
        return Response({"message": f"{len(codes)} claim codes issued", "claim_codes": codes})


def _student_class(request, class_id):
    """The class named by class_id, loaded through what the acting user may see (400 when not visible)."""
    if class_id is None:
        return None
    school_class = selectors.classes_visible_to(request.user).filter(pk=class_id).first()
    if school_class is None:
        raise ValidationError({"class_id": ["No such class."]})
    return school_class


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
        return get_object_or_404(selectors.students_visible_to(self.request.user), pk=self.kwargs["pk"])

    def _student_response(self, pk, code=status.HTTP_200_OK):
        student = selectors.students_visible_to(self.request.user).get(pk=pk)
        return Response(StudentSerializer(student).data, status=code)

    def create(self, request, *args, **kwargs):
        data = StudentWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        school_class = _student_class(request, values.pop("class_id", None))
        student = services.student_create(by=request.user, school_class=school_class, request=request, **values)
        return self._student_response(student.pk, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        student = self.get_object()
        if not (request.user.is_admin or request.user.is_teacher):
            raise PermissionDenied("Only administrators and teachers can edit students.")
        data = StudentWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "class_id" in values:
            values["school_class"] = _student_class(request, values.pop("class_id"))
        services.student_update(student=student, by=request.user, request=request, **values)
        return self._student_response(student.pk)

    def destroy(self, request, *args, **kwargs):
        student = self.get_object()
        services.student_delete(student=student, by=request.user, request=request)
        return Response({"message": "Student deleted"})

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
    codes = services.import_job_claim_codes(job) if job.created_by_id == request.user.pk else []
    if codes:
        body["claim_codes"] = codes
        body["claim_slips_url"] = request.build_absolute_uri(
            reverse("classrooms-api:import-job-claim-slips", kwargs={"pk": job.pk})
        )
    return body


class ImportJobView(APIView):
    permission_classes = [IsTeacherOrAdmin]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk):
        job = get_object_or_404(selectors.import_jobs_visible_to(request.user), pk=pk)
        return Response(import_job_payload(request, job))


class ImportJobClaimSlipsView(APIView):
    """The printable claim slips of an import, for its creator, while the codes are still kept."""

    permission_classes = [IsTeacherOrAdmin]
    content_negotiation_class = IgnoreFormatParamNegotiation

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        job = get_object_or_404(selectors.import_jobs_visible_to(request.user), pk=pk, created_by=request.user)
        codes = services.import_job_claim_codes(job)
        if not codes:
            return Response(
                {"detail": "The claim codes of this import are no longer available; re-issue them for the class."},
                status=status.HTTP_404_NOT_FOUND,
            )
        pdf = services.claim_slips_pdf(codes=codes, title=f"Claim slips — {job.file_name}")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="claim-slips.pdf"'
        return response


class StudentExportView(APIView):
    """GET /students/export and /exports/students: ?class_id=&format=csv|xlsx (guide 5.3, 5.12, 9.2)."""

    permission_classes = [IsTeacherOrAdmin]
    content_negotiation_class = IgnoreFormatParamNegotiation

    @extend_schema(
        parameters=[
            OpenApiParameter("class_id", OpenApiTypes.UUID),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["csv", "xlsx"]),
        ],
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
    )
    def get(self, request):
        class_id = _uuid_param(request, "class_id")
        try:
            content, content_type, filename = selectors.students_export(
                user=request.user, class_id=class_id, fmt=request.query_params.get("format", "csv")
            )
        except SchoolClass.DoesNotExist:
            return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class TeacherStudentsView(APIView):
    """GET /teachers/{id}/students: the students of a teacher's classes (a plain list, as in the guide)."""

    permission_classes = [IsTeacherOrAdmin]

    @extend_schema(responses=StudentSerializer(many=True))
    def get(self, request, pk):
        try:
            students = selectors.teacher_students(user=request.user, teacher_id=pk)
        except Teacher.DoesNotExist:
            return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
        return Response(StudentSerializer(students, many=True).data)
