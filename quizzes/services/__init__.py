"""Writes of the quizzes app, one module per seam:

    bank        questions: create, edit (what freezes once students used a question), delete
    images      question images (issue 15): checked, re-encoded, stored through Django's storage API
    imports     questions from a CSV/XLSX file into a teacher's bank
    lifecycle   quizzes: create and edit (settings, classes, questions), access codes, publish (and notify the
                students), archive, back to draft, delete, a pass mark that moves after results were given

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
from quizzes.services.images import question_image_add, question_image_delete
from quizzes.services.imports import IMPORT_COLUMNS, question_bulk_import
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
    quiz_unpublish,
    quiz_update,
)

__all__ = [
    "ANSWER_KEY_FIELDS",
    "IMPORT_COLUMNS",
    "QUESTION_FIELDS",
    "QUIZ_SETTINGS",
    "QuizError",
    "publish_problems",
    "question_bulk_import",
    "question_create",
    "question_delete",
    "question_image_add",
    "question_image_delete",
    "question_update",
    "quiz_add_questions",
    "quiz_archive",
    "quiz_create",
    "quiz_delete",
    "quiz_has_attempts",
    "quiz_publish",
    "quiz_set_status",
    "quiz_unpublish",
    "quiz_update",
]
