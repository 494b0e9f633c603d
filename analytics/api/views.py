"""API views of the analytics app: dashboards (/api/v1/analytics/...) and exports (/api/v1/exports/...).

Everything is a read: a view loads the object through the model's scoped queryset (an outsider gets 404), calls
one selector or export builder and returns JSON through an output serializer, or a file.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Student, Teacher
from analytics import exports, selectors
from analytics.api import serializers
from attempts.models import QuizAttempt
from quizsite.api.permissions import IsAdmin, IsTeacherOrAdmin
from quizsite.api.schema import file_responses
from quizsite.pages import file_response
from quizzes.models import Quiz

ATTEMPTS_PARAM = OpenApiParameter(
    "attempts", str, enum=list(selectors.ATTEMPT_MODES), description="Which attempts of each student to analyse."
)


class FormatParamNegotiation(DefaultContentNegotiation):
    """The guide's `?format=csv|xlsx|pdf` names the export file, not a DRF renderer: always answer JSON (errors)
    and let the view return the file itself."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def download(export: exports.ExportFile) -> HttpResponse:
    response = file_response(export.content, export.content_type, export.filename)
    response["Cache-Control"] = "private, no-store"  # marks of named students: no shared cache may keep them
    return response


class AdminAnalyticsView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(responses=serializers.AdminAnalyticsSerializer, summary="System-wide analytics (admins)")
    def get(self, request):
        return Response(serializers.AdminAnalyticsSerializer(selectors.admin_analytics()).data)


class TeacherAnalyticsView(APIView):
    permission_classes = [IsTeacherOrAdmin]

    @extend_schema(
        responses=serializers.TeacherAnalyticsSerializer, summary="A teacher's dashboard (that teacher or admins)"
    )
    def get(self, request, teacher_id):
        teacher = get_object_or_404(Teacher.objects.manageable_by(request.user).select_related("user"), pk=teacher_id)
        return Response(serializers.TeacherAnalyticsSerializer(selectors.teacher_analytics(teacher)).data)


class StudentAnalyticsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=serializers.StudentAnalyticsSerializer,
        summary="A student's dashboard (the student, their teachers, admins)",
    )
    def get(self, request, student_id):
        student = get_object_or_404(
            Student.objects.visible_to(request.user).select_related("user", "school_class"), pk=student_id
        )
        return Response(serializers.StudentAnalyticsSerializer(selectors.student_analytics(student)).data)


class QuizAnalyticsView(APIView):
    permission_classes = [IsTeacherOrAdmin]

    @extend_schema(
        parameters=[ATTEMPTS_PARAM],
        responses=serializers.QuizAnalyticsSerializer,
        summary="Quiz analytics and item statistics",
    )
    def get(self, request, quiz_id):
        quizzes = Quiz.objects.manageable_by(request.user).select_related(*selectors.QUIZ_RELATED)
        data = selectors.quiz_analytics(
            get_object_or_404(quizzes, pk=quiz_id), attempts=request.query_params.get("attempts")
        )
        return Response(serializers.QuizAnalyticsSerializer(data).data)


class QuizAnalyticsExportView(APIView):
    """GET /analytics/quiz/{id}/export?format=csv|xlsx|pdf — the item table (CSV/XLSX) or the full report (PDF)."""

    permission_classes = [IsTeacherOrAdmin]
    content_negotiation_class = FormatParamNegotiation
    formats = ("csv", "xlsx", "pdf")
    default_format = "csv"

    @extend_schema(
        parameters=[ATTEMPTS_PARAM, OpenApiParameter("format", str, enum=["csv", "xlsx", "pdf"])],
        responses=file_responses("csv", "xlsx", "pdf"),
        summary="Export quiz analytics",
    )
    def get(self, request, quiz_id):
        quizzes = Quiz.objects.manageable_by(request.user).select_related(*selectors.QUIZ_RELATED)
        quiz = get_object_or_404(quizzes, pk=quiz_id)
        fmt = exports.parse_format(request.query_params.get("format"), self.formats, self.default_format)
        return download(exports.quiz_analytics_file(quiz, fmt, attempts=request.query_params.get("attempts") or "all"))


class AnalyticsPdfExportView(QuizAnalyticsExportView):
    """GET /exports/analytics/{quiz_id}?format=pdf — the analytics report as PDF (guide 5.12)."""

    formats = ("pdf",)
    default_format = "pdf"


class QuizResultsExportView(APIView):
    """GET /exports/quiz/{id}/results?format=csv|xlsx — every attempt of the quiz with the guide's columns."""

    permission_classes = [IsTeacherOrAdmin]
    content_negotiation_class = FormatParamNegotiation

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["csv", "xlsx"])],
        responses=file_responses("csv", "xlsx"),
        summary="Export a quiz's results",
    )
    def get(self, request, quiz_id):
        quiz = get_object_or_404(Quiz.objects.manageable_by(request.user), pk=quiz_id)
        fmt = exports.parse_format(request.query_params.get("format"), ("csv", "xlsx"), "csv")
        return download(exports.quiz_results_file(quiz, fmt))


class AttemptPdfExportView(APIView):
    """GET /exports/attempts/{id}/pdf — the attempt report: staff always see the correct answers, the student
    only when the quiz allows review and shows answers after submission."""

    permission_classes = [IsAuthenticated]
    content_negotiation_class = FormatParamNegotiation

    @extend_schema(responses=file_responses("pdf"), summary="An attempt as PDF")
    def get(self, request, attempt_id):
        attempts = QuizAttempt.objects.reportable_by(request.user).select_related(*selectors.REPORT_RELATED)
        attempt = get_object_or_404(attempts, pk=attempt_id)
        return download(exports.attempt_pdf(attempt, viewer=request.user))
