"""The attempt lists behind the files: the quiz results export (one row per attempt) and the attempt report
(the printable page and its PDF). Which attempts a viewer may open is QuizAttempt.objects.reportable_by; what of
an attempt they may read is the attempts app's review rules."""

from __future__ import annotations

from django.utils import timezone

from analytics.selectors.common import PENDING_STATUSES, result_rows
from attempts.models import AttemptStatus, QuizAttempt, StudentAnswer
from attempts.selectors import can_review, ordered_quiz_questions, reveals_answers, reveals_question_marks
from quizsite.api.fields import score_number
from quizzes import types as question_types
from quizzes.models import Question, Quiz
from quizzes.selectors import questions_as_seen

# What the attempt report reads of an attempt besides its own row: load it with
# QuizAttempt.objects.reportable_by(user).select_related(*REPORT_RELATED).
REPORT_RELATED = ("quiz__created_by__user", "student__user", "student__school_class")


def quiz_results_rows(quiz: Quiz) -> tuple[list[str], list[list]]:
    """The guide's quiz results export (section 9.2): one row per attempt, every attempt of the quiz."""
    headers = [
        "Student Name",
        "Registration Number",
        "Quiz Title",
        "Attempt Number",
        "Score",
        "Total Marks",
        "Percentage",
        "Status",
        "Passed",
        "Violations",
        "Submitted At",
    ]
    attempts = QuizAttempt.objects.filter(quiz=quiz).order_by(
        "student__user__name", "student__registration_number", "attempt_number"
    )
    rows = [
        [
            r["student__user__name"],
            r["student__registration_number"],
            quiz.title,
            r["attempt_number"],
            r["score"] if r["score"] is not None else 0,
            r["total_marks"],
            f"{r['percentage']:.2f}%" if r["percentage"] is not None else "N/A",
            AttemptStatus(r["status"]).label,
            _passed_text(r["passed"], r["status"]),
            r["total_violations"],
            timezone.localtime(r["submitted_at"]).strftime("%Y-%m-%d %H:%M:%S") if r["submitted_at"] else "N/A",
        ]
        for r in result_rows(attempts)
    ]
    return headers, rows


def _passed_text(passed: bool | None, status: str) -> str:
    if passed:
        return "Yes"
    return "Pending" if passed is None and status in PENDING_STATUSES else "No"


def attempt_report(attempt: QuizAttempt, *, viewer) -> dict:
    """Everything the attempt report (printable page and PDF) shows to `viewer`.

    Who sees what is decided by the attempts app, the same rules as GET /attempts/{id} and the result page:
    staff see every question with the correct answer; the student sees their questions and answers once the
    attempt is finished and the quiz allows review, and the correct answers only when it also shows answers after
    submission. Questions come in the order this student saw them."""
    quiz = attempt.quiz
    show_questions = can_review(attempt, viewer)
    show_correct = reveals_answers(attempt, viewer)
    items = []
    if show_questions:
        answers = {a.question_id: a for a in StudentAnswer.objects.filter(attempt=attempt)}
        links = ordered_quiz_questions(attempt)
        seen = questions_as_seen((qq.question for qq in links), attempt.submitted_at)  # as the student saw it
        for number, qq in enumerate(links, start=1):
            q = seen[qq.question_id]
            a = answers.get(q.pk)
            options = q.options if isinstance(q.options, list) else []
            marks_hidden = not reveals_question_marks(attempt, q.type, viewer)
            items.append(
                {
                    "number": number,
                    "text": q.text,
                    "type": q.get_type_display(),
                    "options": options,
                    "given": _given_text(a, options, q),
                    "correct": _correct_text(q, options) if show_correct else None,
                    "general_feedback": q.general_feedback if show_correct else "",
                    "marks": qq.marks,
                    "marks_awarded": score_number(a.marks_awarded) if a and not marks_hidden else None,
                    "marks_hidden": marks_hidden,
                    "feedback": a.feedback if a else "",
                }
            )
    violations = list(attempt.violations.order_by("detected_at"))
    return {
        "attempt": attempt,
        "quiz": quiz,
        "student": attempt.student,
        "items": items,
        "show_questions": show_questions,
        "show_correct": show_correct,
        "violations": violations,
        "generated_at": timezone.now(),
    }


def _given_text(answer: StudentAnswer | None, options: list, question: Question | None = None) -> str | None:
    if answer is None:
        return None
    if question is not None and question_types.module_for(question.type) is not None:
        # Issue 15's types: the structured answer in words (quizzes.types).
        return question_types.answer_display(question, answer_text=answer.answer_text) or None
    if answer.answer_option is not None:
        i = answer.answer_option
        return options[i] if 0 <= i < len(options) else f"#{i}"
    return answer.answer_text if (answer.answer_text or "").strip() else None


def _correct_text(question: Question, options: list) -> str | None:
    if question_types.module_for(question.type) is not None:
        return question_types.key_display(question) or None
    if question.correct_answer is not None and 0 <= question.correct_answer < len(options):
        return options[question.correct_answer]
    if question.accepted_answers:
        return " / ".join(str(x) for x in question.accepted_answers)
    return question.sample_answer or None
