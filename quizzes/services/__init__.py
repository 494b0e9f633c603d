"""Writes of the quizzes app, one module per seam:

    bank        questions: create, edit (what freezes once students used a question), delete
    imports     questions from a CSV/XLSX, Moodle XML, GIFT, Aiken or QTI file into a teacher's bank
    exports     questions to Moodle XML, GIFT, QTI 2.1 or Aiken, with a per-question report
    images      question images (issue 15): checked, re-encoded, stored through Django's storage API
    lifecycle   quizzes: create and edit (settings, classes, questions), access codes, publish (and notify the
                students), archive, back to draft, delete, a pass mark that moves after results were given
    overrides   issue 17: a quiz's dates, time limit, attempts or access code for one student or one class

Every service is keyword-only, atomic and takes the acting user `by`; the API, the pages and the demo data call
the same functions (`from quizzes import services; services.quiz_publish(quiz=..., by=...)`). Rules of a question
type live in `Question.clean()`; the rules of the bank and of a quiz's life live in these modules and are raised as
`QuizError` (the API turns it into a 4xx with `detail`, pages into a message).
"""

from quizzes.services.bank import (
    ANSWER_KEY_FIELDS,
    QUESTION_FIELDS,
    question_create,
    question_delete,
    question_update,
)
from quizzes.services.base import QuizError
from quizzes.services.exports import question_export
from quizzes.services.images import question_image_add, question_image_delete
from quizzes.services.imports import (
    IMPORT_COLUMNS,
    QUESTION_ASYNC_THRESHOLD,
    question_bulk_import,
    question_file_import,
    question_import_job_progress,
)
from quizzes.services.lifecycle import (
    QUIZ_SETTINGS,
    publish_problems,
    quiz_add_questions,
    quiz_archive,
    quiz_create,
    quiz_delete,
    quiz_has_attempts,
    quiz_publish,
    quiz_set_status,
    quiz_slot_add,
    quiz_slot_remove,
    quiz_unpublish,
    quiz_update,
)
from quizzes.services.overrides import OVERRIDE_FIELDS, override_delete, override_set

__all__ = [
    "ANSWER_KEY_FIELDS",
    "IMPORT_COLUMNS",
    "QUESTION_ASYNC_THRESHOLD",
    "OVERRIDE_FIELDS",
    "QUESTION_FIELDS",
    "QUIZ_SETTINGS",
    "QuizError",
    "override_delete",
    "override_set",
    "publish_problems",
    "question_bulk_import",
    "question_file_import",
    "question_import_job_progress",
    "question_create",
    "question_delete",
    "question_export",
    "question_image_add",
    "question_image_delete",
    "question_update",
    "quiz_add_questions",
    "quiz_slot_add",
    "quiz_slot_remove",
    "quiz_archive",
    "quiz_create",
    "quiz_delete",
    "quiz_has_attempts",
    "quiz_publish",
    "quiz_set_status",
    "quiz_unpublish",
    "quiz_update",
]
