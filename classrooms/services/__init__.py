"""Writes of the classrooms app, along their seams:

    roster.py       classes, the teachers who teach them, students and who is in which class
    claim_codes.py  plain claim codes: re-issued for a class or a student, kept briefly for an import, printed as slips
    import_jobs.py  student imports and the ImportJob lifecycle (preview -> queued -> running -> done | failed)

Every service is keyword-only, takes the acting user `by`, resolves the ids it is given through the models' scoped
querysets, and is called alike by the pages, the API, the Celery tasks, the management command and the Django admin
(STYLE.md). `from classrooms import services; services.class_create(...)` keeps working for every caller.
"""

from classrooms.services.claim_codes import (
    CLAIM_CODES_TTL,
    claim_codes_reissue,
    claim_slip,
    claim_slips_pdf,
    import_job_claim_codes,
    import_job_discard_codes,
    import_jobs_purge_expired_codes,
    new_claim_code,
    student_claim_code_issue,
)
from classrooms.services.import_jobs import (
    ASYNC_THRESHOLD,
    import_job_confirm,
    import_job_preview,
    import_job_progress,
    import_job_queue,
    import_job_record,
    import_job_run,
    import_job_start,
    students_bulk_import,
    students_import,
    students_import_rows,
)
from classrooms.services.roster import (
    class_assign_students,
    class_assign_teacher,
    class_create,
    class_delete,
    class_remove_student,
    class_unassign_teacher,
    class_update,
    student_create,
    student_delete,
    student_update,
)

__all__ = [
    "ASYNC_THRESHOLD",
    "CLAIM_CODES_TTL",
    "claim_codes_reissue",
    "claim_slip",
    "claim_slips_pdf",
    "class_assign_students",
    "class_assign_teacher",
    "class_create",
    "class_delete",
    "class_remove_student",
    "class_unassign_teacher",
    "class_update",
    "import_job_claim_codes",
    "import_job_confirm",
    "import_job_discard_codes",
    "import_job_preview",
    "import_job_progress",
    "import_job_queue",
    "import_job_record",
    "import_job_run",
    "import_job_start",
    "import_jobs_purge_expired_codes",
    "new_claim_code",
    "student_claim_code_issue",
    "student_create",
    "student_delete",
    "student_update",
    "students_bulk_import",
    "students_import",
    "students_import_rows",
]
