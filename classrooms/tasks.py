"""Celery tasks of the classrooms app: thin, they take IDs and call a service (STYLE.md).

`import_students_job` is defined in classrooms.services.import_jobs, beside the service that queues it after
commit (so that service needs no import of this module); it is named and importable here as before.
"""

from celery import shared_task

from classrooms.services import import_jobs_purge_expired_codes
from classrooms.services.import_jobs import import_students_job

__all__ = ["import_students_job", "purge_expired_claim_codes"]


@shared_task(ignore_result=True)
def purge_expired_claim_codes() -> int:
    return import_jobs_purge_expired_codes()
