"""Celery tasks of the reports app: thin, they take IDs and call a service (STYLE.md).

`run_report_job` and `send_result_emails` are defined beside the services that queue them after commit
(reports.services.jobs, reports.services.results_emails); they are importable and named here."""

from celery import shared_task

from reports.services import report_jobs_purge_expired, report_jobs_reap_stale
from reports.services.jobs import run_report_job
from reports.services.results_emails import send_result_emails

__all__ = ["purge_expired_reports", "reap_stale_report_jobs", "run_report_job", "send_result_emails"]


@shared_task(ignore_result=True)
def purge_expired_reports() -> int:
    return report_jobs_purge_expired()


@shared_task(ignore_result=True)
def reap_stale_report_jobs() -> int:
    return report_jobs_reap_stale()
