"""Writes of the reports app: report jobs (jobs) and results e-mails (results_emails). Each module defines the
Celery task that runs its slow part beside the service that queues it (as classrooms.services.import_jobs does),
so no service imports reports.tasks."""

from reports.services.jobs import (
    report_job_cancel,
    report_job_retry,
    report_job_run,
    report_job_start,
    report_jobs_purge_expired,
    report_jobs_reap_stale,
)
from reports.services.results_emails import (
    results_email_deliver,
    results_email_preview,
    results_emails_send,
)

__all__ = [
    "report_job_cancel",
    "report_job_retry",
    "report_job_run",
    "report_job_start",
    "report_jobs_purge_expired",
    "report_jobs_reap_stale",
    "results_email_deliver",
    "results_email_preview",
    "results_emails_send",
]
