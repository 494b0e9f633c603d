"""Tasks of the classrooms app: thin, they take IDs and call a service (STYLE.md)."""

from celery import shared_task


@shared_task(ignore_result=True)
def import_students_job(job_id: str) -> None:
    from classrooms.services import import_job_run

    import_job_run(job_id=job_id)


@shared_task(ignore_result=True)
def purge_expired_claim_codes() -> int:
    from classrooms.services import import_jobs_purge_expired_codes

    return import_jobs_purge_expired_codes()
