"""Selectors of the attempts app (see STYLE.md): what students and teachers read of an attempt.

Whose attempts a user may see is said once, by QuizAttempt.objects.for_student / visible_to / gradable_by
(attempts/models.py); which quizzes, by Quiz.objects (quizzes/models.py). What a student may see of the answer key is
decided here and only here (`reveals_answers`): nothing while the attempt runs; after it, the correct answers only
when the quiz allows review AND showing answers. The objects built here carry nothing the viewer may not see; the
API renders them with attempts.api.serializers and the pages read the same objects.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from accounts.models import Student
from attempts.models import AttemptStatus, QuizAttempt, StudentAnswer
from attempts.questions import attempt_questions
from quizzes import types as question_types
from quizzes.models import (
    HAS_OPTIONS,
    OPTION_TYPES,
    QuestionImage,
    QuestionType,
    Quiz,
    QuizQuestion,
    QuizStatus,
    normalize_access_code,
)
from quizzes.selectors import questions_as_seen

UNKNOWN_CODE = "No quiz has this access code. Check it with your teacher."
NOT_ASSIGNED = "This quiz is not assigned to your class."
CLOSED = "This quiz is closed."


def quiz_is_assigned(*, quiz: Quiz, student: Student) -> bool:
    """Is `quiz` assigned to the student's class (the quizzes a student may start)? The rule is
    Quiz.objects.assigned_to's."""
    return Quiz.objects.assigned_to(student.user).filter(pk=quiz.pk).exists()


def access_code_refusal(*, student: Student, code: str) -> str:
    """Why quizzes.selectors.quiz_get_by_access_code found no quiz for this student: the words of the page's form.
    Only explains a refusal; which codes are accepted is that selector's alone (the API's too)."""
    quiz = Quiz.objects.filter(access_code=normalize_access_code(code)).exclude(status=QuizStatus.DRAFT).first()
    if quiz is None:
        return UNKNOWN_CODE
    if not quiz_is_assigned(quiz=quiz, student=student):
        return NOT_ASSIGNED
    return CLOSED


def can_review(attempt: QuizAttempt, user) -> bool:
    """May `user` (who may already see the attempt) see its questions and answers once it is finished?"""
    if user.is_teacher_or_admin:
        return True
    return attempt.is_finished and attempt.quiz.allow_review


def reveals_question_marks(attempt: QuizAttempt, question_type: str, user) -> bool:
    """May `user` see the marks of one question of the attempt? An auto-marked question's marks say whether the answer
    was right, so while the key is hidden and the quiz allows another attempt they would give the key away between
    attempts: the student then sees only the total. Hand-marked (descriptive) marks and feedback are the teacher's
    words to the student and are always shown."""
    if question_type == QuestionType.DESCRIPTIVE or reveals_answers(attempt, user):
        return True
    return attempt.quiz.max_attempts <= 1


def reveals_answers(attempt: QuizAttempt, user) -> bool:
    """May `user` (who may already see the attempt) see the answer key next to its answers?"""
    if user.is_teacher_or_admin:
        return True
    quiz = attempt.quiz
    return attempt.is_finished and quiz.allow_review and quiz.show_answers_after_submission


def public_status(attempt: QuizAttempt) -> str:
    """The guide's submit status: `graded` when nothing awaits a teacher, otherwise `pending`."""
    return "graded" if attempt.status == AttemptStatus.GRADED else "pending"


def ordered_quiz_questions(attempt: QuizAttempt) -> list[QuizQuestion]:
    """The quiz's questions in this attempt's order (fixed at start); questions added later come last. Issue 16:
    with the questions its random slots drew (attempts.questions.attempt_questions, the one place)."""
    return attempt_questions(attempt)


def question_options(question) -> list:
    """The options a question offers, in their original order."""
    if question.options:
        return list(question.options)
    # A true/false question written without its options (by hand, not through Question.clean) still has two.
    return ["True", "False"] if question.type == QuestionType.TRUE_FALSE else []


@dataclass(frozen=True)
class QuizSummary:
    """The quiz as an attempt's responses describe it; the counts only where the exam shows them."""

    quiz: Quiz
    question_count: int | None = None
    total_marks: int | None = None


# ------------------------------------------------------------------------------------------- the exam (running)


@dataclass(frozen=True)
class SavedAnswer:
    """What the student saved for a question, given back so a reload restores it: the option as DISPLAYED."""

    answer_option: int | None
    answer_text: str | None
    client_seq: int | None
    response: object = None  # issue 15's types: the structured answer (quizzes/types), as displayed


@dataclass(frozen=True)
class QuestionParts:
    """What issue 15's types show beside the text, never the key: matching's prompts and (shuffled) answers,
    ordering's items (shuffled: never in the right order), cloze's blank numbers, numeric's unit."""

    prompts: list[str] | None = None
    choices: list[str] | None = None
    items: list[str] | None = None
    blanks: list[str] | None = None
    unit: str | None = None


def question_parts(question, seed: str) -> QuestionParts:
    """The parts of a question an attempt shows, in this attempt's stable order (`seed`: attempt and question)."""
    details = question.details or {}
    if question.type == QuestionType.MATCHING:
        return QuestionParts(
            prompts=[p["prompt"] for p in details.get("pairs") or []],
            choices=question_types.matching.exam_choices(question, seed),
        )
    if question.type == QuestionType.ORDERING:
        return QuestionParts(items=question_types.ordering.exam_items(question, seed))
    if question.type == QuestionType.CLOZE:
        return QuestionParts(blanks=[str(b["id"]) for b in details.get("blanks") or []])
    if question.type == QuestionType.NUMERIC:
        return QuestionParts(unit=details.get("unit") or None)
    return QuestionParts()


@dataclass(frozen=True)
class ExamQuestion:
    """A question as this student sees it during the attempt: own order, own option order, no answer key."""

    id: uuid.UUID
    text: str
    type: str
    marks: int
    order_index: int
    options: list[str] | None  # None for a question answered with text
    saved_answer: SavedAnswer | None
    parts: QuestionParts = field(default_factory=QuestionParts)
    images: list | None = None  # issue 15: QuestionImage rows (None when the question has none)
    flagged: bool = False  # issue 16: flagged by the student for review before submitting

    @property
    def saved_option(self) -> int | None:
        return self.saved_answer.answer_option if self.saved_answer else None

    @property
    def saved_text(self) -> str:
        return (self.saved_answer.answer_text if self.saved_answer else None) or ""

    # Issue 15's widgets (templates/attempts/_answer_widget.html) read the saved structured answer through these.
    @property
    def saved_response(self):
        return self.saved_answer.response if self.saved_answer else None

    @property
    def is_answered(self) -> bool:
        return self.saved_option is not None or bool(self.saved_text) or self.saved_response is not None

    @property
    def checked(self) -> list[int]:
        r = self.saved_response
        return r if self.type == QuestionType.MULTIPLE_RESPONSE and isinstance(r, list) else []

    @property
    def matching_rows(self) -> list[tuple[int, str, str | None]]:
        r = self.saved_response if isinstance(self.saved_response, list) else []
        return [(i, p, r[i] if i < len(r) else None) for i, p in enumerate(self.parts.prompts or [])]

    @property
    def ordering_items(self) -> list[str]:
        r = self.saved_response
        shown = self.parts.items or []
        return r if isinstance(r, list) and sorted(r) == sorted(shown) else shown


@dataclass(frozen=True)
class Exam:
    """The start/resume response (guide 5.6) and the exam page: the attempt, its quiz and its questions."""

    attempt: QuizAttempt
    quiz: QuizSummary
    questions: list[ExamQuestion]
    time_remaining_seconds: int
    resumed: bool = False


def images_by_question(question_ids) -> dict:
    """{question_id: [QuestionImage, ...]} in one query (issue 15)."""
    out: dict = {}
    for image in QuestionImage.objects.filter(question_id__in=list(question_ids)):
        out.setdefault(image.question_id, []).append(image)
    return out


def exam_questions(attempt: QuizAttempt) -> list[ExamQuestion]:
    answers = {str(a.question_id): a for a in attempt.answers.all()}
    items = []
    links = ordered_quiz_questions(attempt)
    images = images_by_question(qq.question_id for qq in links)
    flags = set(attempt.review_flags or [])
    for index, qq in enumerate(links):
        q = qq.question  # during the attempt: the current wording (a typo fixed mid-exam reaches the student)
        qid = str(q.id)
        perm = options = None
        if q.type in HAS_OPTIONS:
            all_options = question_options(q)
            perm = (attempt.option_order or {}).get(qid) or list(range(len(all_options)))
            # The API freezes the number of options once a quiz is attempted; the Django admin does not, so an
            # index that no longer exists is skipped rather than failing the student's exam page.
            options = [all_options[i] for i in perm if i < len(all_options)]
        saved = answers.get(qid)
        if saved is not None:
            shown = saved.answer_option
            if shown is not None and perm is not None and shown in perm:
                shown = perm.index(shown)
            response = question_types.response_of(q.type, saved.answer_text)
            if q.type == QuestionType.MULTIPLE_RESPONSE and isinstance(response, list) and perm is not None:
                response = sorted(perm.index(i) for i in response if i in perm)
            text = None if q.type in question_types.STRUCTURED_TYPES else saved.answer_text
            saved = SavedAnswer(answer_option=shown, answer_text=text, client_seq=saved.client_seq, response=response)
        items.append(
            ExamQuestion(
                id=q.id,
                text=q.text,
                type=q.type,
                marks=qq.marks,
                order_index=index,
                options=options,
                saved_answer=saved,
                parts=question_parts(q, f"{attempt.pk}:{qid}"),
                images=images.get(q.id),
                flagged=qid in flags,
            )
        )
    return items


def attempt_exam(attempt: QuizAttempt, *, resumed: bool = False, now=None) -> Exam:
    questions = exam_questions(attempt)
    return Exam(
        attempt=attempt,
        quiz=QuizSummary(attempt.quiz, question_count=len(questions), total_marks=sum(q.marks for q in questions)),
        questions=questions,
        time_remaining_seconds=attempt.seconds_remaining(now or timezone.now()),
        resumed=resumed,
    )


# --------------------------------------------------------------------------------------- the attempt (review)


@dataclass(frozen=True)
class ReviewQuestion:
    id: uuid.UUID
    text: str
    type: str
    marks: int
    options: list[str] | None  # None for a question answered with text
    parts: QuestionParts = field(default_factory=QuestionParts)
    images: list | None = None


@dataclass(frozen=True)
class ReviewItem:
    """One question and the student's answer. The key fields are None unless `reveals_answers`; the rubric is for
    staff only."""

    question: ReviewQuestion
    answer: StudentAnswer | None
    correct_answer: int | None = None
    accepted_answers: list[str] | None = None
    sample_answer: str | None = None
    is_correct: bool | None = None
    marking_rubric: str | None = None
    marks_hidden: bool = False  # reveals_question_marks said no: the total only
    # Issue 15: the structured answer (always, it is the student's own), and only with the key: the type's key
    # (quizzes/types table: the question's `details`), the key and answer in words, and the teacher's feedback.
    key: dict | None = None
    key_display: str | None = None
    general_feedback: str | None = None
    option_feedback: list[str] | None = None
    source: object = field(default=None, repr=False, compare=False)  # the Question row, for the words

    @property
    def response(self):
        return question_types.response_of(self.question.type, self.answer.answer_text) if self.answer else None

    @property
    def answer_display(self) -> str:
        if self.answer is None:
            return ""
        return question_types.answer_display(
            self._question, answer_option=self.answer.answer_option, answer_text=self.answer.answer_text
        )

    @property
    def _question(self):
        return self.source

    @property
    def chosen_options(self) -> list[int]:
        """The options the student chose (one for mcq / true-false, any number for multiple response)."""
        r = self.response
        if self.question.type == QuestionType.MULTIPLE_RESPONSE:
            return r if isinstance(r, list) else []
        return [self.answer_option] if self.answer_option is not None else []

    @property
    def correct_options(self) -> list[int]:
        """The key's options, only when revealed."""
        if self.key and self.question.type == QuestionType.MULTIPLE_RESPONSE:
            return list(self.key.get("correct") or [])
        return [self.correct_answer] if self.correct_answer is not None else []

    @property
    def answer_option(self) -> int | None:
        return self.answer.answer_option if self.answer else None

    @property
    def answer_text(self) -> str | None:
        if self.answer is None or self.question.type in question_types.STRUCTURED_TYPES:
            return None  # a structured answer is `response`
        return self.answer.answer_text

    @property
    def marks_awarded(self) -> Decimal | None:
        return self.answer.marks_awarded if self.answer and not self.marks_hidden else None

    @property
    def feedback(self) -> str:
        return self.answer.feedback if self.answer else ""


def review_answers(attempt: QuizAttempt, user) -> list[ReviewItem]:
    """The answers in the guide's GET /attempts/{id} shape; the key only when `reveals_answers`."""
    reveal = reveals_answers(attempt, user)
    staff = user.is_teacher_or_admin
    answers = {a.question_id: a for a in attempt.answers.all()}
    items = []
    links = ordered_quiz_questions(attempt)
    images = images_by_question(qq.question_id for qq in links)
    seen = questions_as_seen((qq.question for qq in links), attempt.submitted_at)  # the wording it was taken with
    for qq in links:
        q = seen[qq.question_id]
        a = answers.get(q.id)
        key: dict = {}
        if reveal:
            if q.type in OPTION_TYPES:
                key["correct_answer"] = q.correct_answer
            elif q.type == QuestionType.SHORT_ANSWER:
                key["accepted_answers"] = list(q.accepted_answers or [])
            if q.sample_answer:
                key["sample_answer"] = q.sample_answer
            if a is not None and a.marks_awarded is not None and q.type != QuestionType.DESCRIPTIVE:
                key["is_correct"] = a.marks_awarded >= qq.marks
            if question_types.module_for(q.type) is not None:
                key["key"] = dict(q.details or {})
            if question_types.module_for(q.type) is not None or q.type in OPTION_TYPES:
                key["key_display"] = question_types.key_display(q)
            if q.general_feedback:
                key["general_feedback"] = q.general_feedback
            if (q.details or {}).get("feedback"):
                key["option_feedback"] = list(q.details["feedback"])
        if staff and q.marking_rubric:
            key["marking_rubric"] = q.marking_rubric
        options = question_options(q) if q.type in HAS_OPTIONS else None
        parts = question_parts(q, f"{attempt.pk}:{q.id}")
        question = ReviewQuestion(
            id=q.id, text=q.text, type=q.type, marks=qq.marks, options=options, parts=parts, images=images.get(q.id)
        )
        hidden = not reveals_question_marks(attempt, q.type, user)
        items.append(ReviewItem(question=question, answer=a, marks_hidden=hidden, source=q, **key))
    return items


@dataclass(frozen=True)
class AttemptDetail:
    """GET /attempts/{id} (guide 5.8) and the result page. `staff`: the viewer also sees how the student's browser
    was identified (IP address, user agent)."""

    attempt: QuizAttempt
    quiz: QuizSummary
    answers: list[ReviewItem] = field(default_factory=list)
    staff: bool = False

    @property
    def time_remaining_seconds(self) -> int:
        return 0 if self.attempt.is_finished else self.attempt.seconds_remaining()


def attempt_detail(attempt: QuizAttempt, user) -> AttemptDetail:
    shown = can_review(attempt, user) or not attempt.is_finished
    return AttemptDetail(
        attempt=attempt,
        quiz=QuizSummary(attempt.quiz),
        answers=review_answers(attempt, user) if shown else [],
        staff=user.is_teacher_or_admin,
    )
