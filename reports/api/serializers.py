from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from analytics.selectors import ATTEMPT_MODES
from reports.forms import ATTEMPT_LABELS
from reports.models import ReportJob
from reports.services.jobs import PACK_FORMATS, PACK_VIEWS


class ReportJobStartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReportJob.Kind.choices)
    quiz_id = serializers.UUIDField(required=False, help_text="Every kind but claim_slips.")
    class_id = serializers.UUIDField(
        required=False, help_text="claim_slips (required), class_pack (optional), report_cards (a card per student)."
    )
    attempts = serializers.ChoiceField(
        choices=[(m, ATTEMPT_LABELS[m]) for m in ATTEMPT_MODES], required=False,
        help_text="quiz_report: which attempts to analyse (default all); class_pack: which attempt of each student "
        "(default last).",
    )  # fmt: skip
    format = serializers.ChoiceField(
        choices=PACK_FORMATS, required=False, help_text="class_pack: pdf (default) or zip."
    )
    view = serializers.ChoiceField(
        choices=PACK_VIEWS, required=False,
        help_text="class_pack: each report as its student may see it (default), or the teacher's view with the key.",
    )  # fmt: skip
    student_id = serializers.UUIDField(required=False, help_text="report_cards: one student's card.")
    date_from = serializers.DateField(required=False, help_text="report_cards: the term's first day (submissions).")
    date_to = serializers.DateField(required=False, help_text="report_cards: the term's last day.")
    email_when_done = serializers.BooleanField(required=False, default=False)


class ProgressSerializer(serializers.Serializer):
    processed = serializers.IntegerField(help_text="As in the roster import jobs' progress: the same as done.")
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()


class ReportJobSerializer(serializers.ModelSerializer):
    """A report job: the shape of the roster import jobs' status (status, progress, status_url) plus its file."""

    job_id = serializers.UUIDField(source="id", read_only=True, help_text="As in the roster import jobs: the id.")
    progress = serializers.SerializerMethodField()
    status_url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportJob
        fields = (
            "id", "job_id", "kind", "title", "params", "status", "progress", "error", "file_name", "size",
            "content_type", "created_at", "started_at", "finished_at", "expires_at", "status_url", "download_url",
        )  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, job):
        return {"processed": job.done, "done": job.done, "total": job.total, "percent": job.percent}

    def _url(self, name, job):
        return self.context["request"].build_absolute_uri(reverse(name, kwargs={"pk": job.pk}))

    def get_status_url(self, job) -> str:
        return self._url("reports-api:job", job)

    def get_download_url(self, job) -> str | None:
        return self._url("reports-api:job-file", job) if job.status == ReportJob.Status.DONE else None


class ResultsEmailRequestSerializer(serializers.Serializer):
    class_id = serializers.UUIDField()
    include_parents = serializers.BooleanField(
        required=False, default=False,
        help_text="Also the parent e-mail on record; only where the school enabled RESULTS_EMAIL_TO_PARENTS.",
    )  # fmt: skip


class ResultsEmailRecipientSerializer(serializers.Serializer):
    attempt_id = serializers.UUIDField(source="attempt.pk")
    student_name = serializers.CharField(source="attempt.student.user.name")
    registration_number = serializers.CharField(source="attempt.student.registration_number")
    recipient = serializers.ChoiceField(choices=["student", "parent"])
    email = serializers.EmailField()
    status = serializers.CharField(help_text="Of an earlier send: '' (never sent), pending, sending, sent, failed.")
    error = serializers.CharField()


class ResultsEmailPreviewSerializer(serializers.Serializer):
    recipients = ResultsEmailRecipientSerializer(many=True, source="rows")
    awaiting_grading = serializers.SerializerMethodField(help_text="Finished attempts not graded yet: not sent.")
    parents_enabled = serializers.BooleanField()
    sample_subject = serializers.CharField()
    sample_body = serializers.CharField()

    def get_awaiting_grading(self, preview) -> int:
        return len(preview.not_graded)


class ResultsEmailQueuedSerializer(serializers.Serializer):
    queued = serializers.IntegerField()
    message = serializers.CharField()
