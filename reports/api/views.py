"""The report job resource (/api/v1/reports/jobs): POST starts a job (202 + its URL), GET reads its state and
progress, GET .../file downloads it when done, POST .../retry queues a failed one again. Jobs are loaded through
ReportJob.objects.visible_to: another teacher's job is a 404, students get 403 from the permission class."""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.selectors import QUIZ_RELATED
from classrooms.models import SchoolClass
from quizsite.api.permissions import IsTeacherOrAdmin
from quizsite.api.schema import file_responses
from quizzes.models import Quiz
from reports import services
from reports.api.serializers import (
    ReportJobSerializer,
    ReportJobStartSerializer,
    ResultsEmailPreviewSerializer,
    ResultsEmailQueuedSerializer,
    ResultsEmailRequestSerializer,
)
from reports.errors import ReportError
from reports.models import ReportJob


def report_file_response(job: ReportJob) -> FileResponse:
    """The finished file from storage, streamed; 404 with a reason when it is not (or no longer) there."""
    if job.status != ReportJob.Status.DONE or not job.file:
        reason = {
            ReportJob.Status.EXPIRED: "This report's file has expired; start the report again.",
            ReportJob.Status.FAILED: "This report failed; retry it.",
        }.get(job.status, "This report is not ready yet.")
        raise ReportError(reason, status_code=404 if job.status == ReportJob.Status.EXPIRED else 409)
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file_name,
                            content_type=job.content_type)  # fmt: skip
    response["Cache-Control"] = "private, no-store"  # named students' marks: no shared cache may keep them
    return response


class ReportJobListView(ListAPIView):
    permission_classes = [IsTeacherOrAdmin]
    serializer_class = ReportJobSerializer

    def get_queryset(self):
        return ReportJob.objects.visible_to(self.request.user).filter(owner_id=self.request.user.pk)

    @extend_schema(summary="Your report jobs, newest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ReportJobStartSerializer,
        responses={202: ReportJobSerializer},
        summary="Start a report (full analytics or results report, class pack, claim slips, report cards) on a worker",
    )
    def post(self, request):
        data = ReportJobStartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        job = services.report_job_start(
            by=request.user,
            kind=v["kind"],
            quiz_id=v.get("quiz_id"),
            class_id=v.get("class_id"),
            attempts=v.get("attempts"),
            fmt=v.get("format"),
            view=v.get("view"),
            email_when_done=v.get("email_when_done", False),
            student_id=v.get("student_id"),
            date_from=v.get("date_from"),
            date_to=v.get("date_to"),
        )
        body = ReportJobSerializer(job, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["status_url"]})


class ReportJobView(APIView):
    permission_classes = [IsTeacherOrAdmin]

    @extend_schema(responses=ReportJobSerializer, summary="A report job's state, progress and download URL")
    def get(self, request, pk):
        job = get_object_or_404(ReportJob.objects.visible_to(request.user), pk=pk)
        return Response(ReportJobSerializer(job, context={"request": request}).data)


class ReportJobRetryView(APIView):
    permission_classes = [IsTeacherOrAdmin]

    @extend_schema(request=None, responses={202: ReportJobSerializer}, summary="Queue a failed report again")
    def post(self, request, pk):
        job = get_object_or_404(ReportJob.objects.visible_to(request.user), pk=pk)
        job = services.report_job_retry(job=job, by=request.user)
        return Response(ReportJobSerializer(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


class ReportJobCancelView(APIView):
    permission_classes = [IsTeacherOrAdmin]

    @extend_schema(request=None, responses=ReportJobSerializer, summary="Stop a waiting or rendering report")
    def post(self, request, pk):
        job = get_object_or_404(ReportJob.objects.visible_to(request.user), pk=pk)
        job = services.report_job_cancel(job=job, by=request.user)
        return Response(ReportJobSerializer(job, context={"request": request}).data)


class ReportJobFileView(APIView):
    permission_classes = [IsTeacherOrAdmin]

    @extend_schema(responses=file_responses("pdf", "zip"), summary="A finished report's file")
    def get(self, request, pk):
        job = get_object_or_404(ReportJob.objects.visible_to(request.user), pk=pk)
        return report_file_response(job)


class ResultsEmailsView(APIView):
    """GET previews who would get a results e-mail for a class (and the status of earlier sends); POST queues them
    (202). The quiz is the teacher's own (Quiz.objects.manageable_by), the class one they may see and the quiz is
    assigned to: anything else is 404."""

    permission_classes = [IsTeacherOrAdmin]

    def _load(self, request, quiz_id, data):
        quiz = get_object_or_404(Quiz.objects.manageable_by(request.user).select_related(*QUIZ_RELATED), pk=quiz_id)
        body = ResultsEmailRequestSerializer(data=data)
        body.is_valid(raise_exception=True)
        classes = SchoolClass.objects.visible_to(request.user).filter(quiz_links__quiz=quiz)
        school_class = get_object_or_404(classes, pk=body.validated_data["class_id"])
        return quiz, school_class, body.validated_data["include_parents"]

    @extend_schema(
        parameters=[ResultsEmailRequestSerializer], responses=ResultsEmailPreviewSerializer,
        summary="Preview a quiz's results e-mails to a class",
    )  # fmt: skip
    def get(self, request, quiz_id):
        quiz, school_class, parents = self._load(request, quiz_id, request.query_params)
        preview = services.results_email_preview(
            quiz=quiz, school_class=school_class, by=request.user, include_parents=parents
        )
        return Response(ResultsEmailPreviewSerializer(preview).data)

    @extend_schema(
        request=ResultsEmailRequestSerializer, responses={202: ResultsEmailQueuedSerializer},
        summary="Send a quiz's results e-mails to a class (each recipient once)",
    )  # fmt: skip
    def post(self, request, quiz_id):
        quiz, school_class, parents = self._load(request, quiz_id, request.data)
        queued = services.results_emails_send(
            quiz=quiz, school_class=school_class, by=request.user, include_parents=parents
        )
        body = {"queued": len(queued), "message": f"{len(queued)} results e-mails queued."}
        return Response(ResultsEmailQueuedSerializer(body).data, status=status.HTTP_202_ACCEPTED)
