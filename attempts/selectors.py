"""Selectors of the attempts app (see STYLE.md): scoped querysets and the shapes students and teachers read.

What a student may see of the answer key is decided here and only here (`reveals_answers`): nothing while the
attempt runs; after it, the correct answers only when the quiz allows review AND showing answers.
"""

from __future__ import annotations

from django.utils import timezone

from accounts.models import Student
from attempts.models import QuizAttempt
from quizzes.models import OPTION_TYPES, QuestionType, Quiz, QuizClass, QuizQuestion, QuizStatus, normalize_access_code
from quizzes.selectors import ordered_quiz_questions as quiz_questions_in_order

UNKNOWN_CODE = "No quiz has this access code. Check it with your teacher."
NOT_ASSIGNED = "This quiz is not assigned to your class."
CLOSED = "This quiz is closed."


def attempts_for_student(user):
    return QuizAttempt.objects.for_student(user)


def attempts_visible_to(user):
    return QuizAttempt.objects.visible_to(user)


def quiz_is_assigned(*, quiz: Quiz, student: Student) -> bool:
    """Is `quiz` assigned to the student's class (the quizzes a student may start)?"""
    return (
        student.school_class_id is not None
        and QuizClass.objects.filter(quiz=quiz, school_class_id=student.school_class_id).exists()
    )


def access_code_refusal(*, student: Student, code: str) -> str:
    """Why quizzes.selectors.quiz_get_by_access_code found no quiz for this student: the words of the page's form.
    Only explains a refusal; which codes are accepted is that selector's alone (the API's too)."""
    quiz = Quiz.objects.filter(access_code=normalize_access_code(code)).exclude(status=QuizStatus.DRAFT).first()
    if quiz is None:
        return UNKNOWN_CODE
    if not quiz_is_assigned(quiz=quiz, student=student):
        return NOT_ASSIGNED
    return CLOSED


def is_staff_viewer(user) -> bool:
    return getattr(user, "role", None) in ("admin", "teacher")


def can_review(attempt: QuizAttempt, user) -> bool:
    """May `user` see the questions and their own answers of this finished attempt?"""
    if is_staff_viewer(user):
        return True
    return attempt.is_finished and attempt.quiz.allow_review


def reveals_answers(attempt: QuizAttempt, user) -> bool:
    if is_staff_viewer(user):
        return True
    quiz = attempt.quiz
    return attempt.is_finished and quiz.allow_review and quiz.show_answers_after_submission


def ordered_quiz_questions(attempt: QuizAttempt) -> list[QuizQuestion]:
    """The quiz's questions in this attempt's order (fixed at start); questions added later come last."""
    qqs = quiz_questions_in_order(attempt.quiz)
    if not attempt.question_order:
        return qqs
    position = {qid: i for i, qid in enumerate(attempt.question_order)}
    return sorted(qqs, key=lambda qq: position.get(str(qq.question_id), len(position) + qq.order_index))


def question_options(question) -> list:
    """The options a question offers, in their original order."""
    if question.options:
        return list(question.options)
    # A true/false question written without its options (by hand, not through Question.clean) still has two.
    return ["True", "False"] if question.type == QuestionType.TRUE_FALSE else []


def quiz_summary(quiz: Quiz, *, question_count: int | None = None, total_marks: int | None = None) -> dict:
    data = {
        "id": str(quiz.id),
        "title": quiz.title,
        "subject": quiz.subject,
        "description": quiz.description,
        "time_limit_minutes": quiz.time_limit_minutes,
        "passing_percentage": quiz.passing_percentage,
        "max_attempts": quiz.max_attempts,
        "violation_threshold": quiz.violation_threshold,
        "allow_review": quiz.allow_review,
        "show_answers_after_submission": quiz.show_answers_after_submission,
        "start_date": quiz.start_date.isoformat() if quiz.start_date else None,
        "end_date": quiz.end_date.isoformat() if quiz.end_date else None,
    }
    if question_count is not None:
        data["question_count"] = question_count
    if total_marks is not None:
        data["total_marks"] = total_marks
    return data


def exam_questions(attempt: QuizAttempt) -> list[dict]:
    """The questions as this student sees them: own order, own option order, the saved answer (as a displayed
    option index) so a reload restores it, and no answer key."""
    answers = {str(a.question_id): a for a in attempt.answers.all()}
    items = []
    for index, qq in enumerate(ordered_quiz_questions(attempt)):
        q = qq.question
        qid = str(q.id)
        item = {"id": qid, "text": q.text, "type": q.type, "marks": qq.marks, "order_index": index}
        perm = None
        if q.type in OPTION_TYPES:
            options = question_options(q)
            perm = (attempt.option_order or {}).get(qid) or list(range(len(options)))
            # The API freezes the number of options once a quiz is attempted; the Django admin does not, so an
            # index that no longer exists is skipped rather than failing the student's exam page.
            item["options"] = [options[i] for i in perm if i < len(options)]
        saved = answers.get(qid)
        if saved is None:
            item["saved_answer"] = None
        else:
            shown = saved.answer_option
            if shown is not None and perm is not None and shown in perm:
                shown = perm.index(shown)
            item["saved_answer"] = {
                "answer_option": shown,
                "answer_text": saved.answer_text,
                "client_seq": saved.client_seq,
            }
        items.append(item)
    return items


def attempt_exam_payload(attempt: QuizAttempt, now=None) -> dict:
    """The start/resume response (guide 5.6): attempt_id, quiz, time_remaining_seconds, questions."""
    now = now or timezone.now()
    questions = exam_questions(attempt)
    return {
        "attempt_id": str(attempt.id),
        "attempt_number": attempt.attempt_number,
        "status": attempt.status,
        "quiz": quiz_summary(
            attempt.quiz, question_count=len(questions), total_marks=sum(q["marks"] for q in questions)
        ),
        "started_at": attempt.started_at.isoformat(),
        "deadline": attempt.deadline.isoformat(),
        "time_remaining_seconds": attempt.seconds_remaining(now),
        "total_violations": attempt.total_violations,
        "questions": questions,
    }


def _num(value):
    if value is None:
        return None
    return int(value) if value == int(value) else float(value)


def review_answers(attempt: QuizAttempt, user) -> list[dict]:
    """The answers in the guide's GET /attempts/{id} shape; the key only when `reveals_answers`."""
    reveal = reveals_answers(attempt, user)
    staff = is_staff_viewer(user)
    answers = {a.question_id: a for a in attempt.answers.all()}
    items = []
    for qq in ordered_quiz_questions(attempt):
        q = qq.question
        question = {"id": str(q.id), "text": q.text, "type": q.type, "marks": qq.marks}
        if q.type in OPTION_TYPES:
            question["options"] = question_options(q)
        a = answers.get(q.id)
        item = {
            "question": question,
            "answer_option": a.answer_option if a else None,
            "answer_text": a.answer_text if a else None,
            "marks_awarded": _num(a.marks_awarded) if a else None,
            "feedback": a.feedback if a else "",
        }
        if reveal:
            if q.type in OPTION_TYPES:
                item["correct_answer"] = q.correct_answer
            elif q.type == QuestionType.SHORT_ANSWER:
                item["accepted_answers"] = list(q.accepted_answers or [])
            if q.sample_answer:
                item["sample_answer"] = q.sample_answer
            if a is not None and a.marks_awarded is not None and q.type != QuestionType.DESCRIPTIVE:
                item["is_correct"] = a.marks_awarded >= qq.marks
        if staff and q.marking_rubric:
            item["marking_rubric"] = q.marking_rubric
        items.append(item)
    return items


def attempt_detail_payload(attempt: QuizAttempt, user) -> dict:
    """GET /attempts/{id} in the guide's shape."""
    student = attempt.student
    data = {
        "id": str(attempt.id),
        "quiz": quiz_summary(attempt.quiz),
        "student": {
            "id": str(student.pk),
            "name": student.user.name,
            "registration_number": student.registration_number,
        },
        "attempt_number": attempt.attempt_number,
        "status": attempt.status,
        "submit_reason": attempt.submit_reason,
        "started_at": attempt.started_at.isoformat(),
        "submitted_at": attempt.submitted_at.isoformat() if attempt.submitted_at else None,
        "deadline": attempt.deadline.isoformat(),
        "time_remaining_seconds": attempt.seconds_remaining() if not attempt.is_finished else 0,
        "score": _num(attempt.score),
        "total_marks": attempt.total_marks,
        "percentage": _num(attempt.percentage),
        "passed": attempt.passed,
        "total_violations": attempt.total_violations,
        "auto_submitted_due_to_violations": attempt.auto_submitted_due_to_violations,
        "answers": review_answers(attempt, user) if (can_review(attempt, user) or not attempt.is_finished) else [],
        "violations": [
            {
                "type": v.violation_type,
                "detected_at": v.detected_at.isoformat(),
                "question_index": v.question_index,
                "severity": v.severity,
            }
            for v in attempt.violations.all()
        ],
    }
    if is_staff_viewer(user):
        data["ip_address"] = attempt.ip_address
        data["user_agent"] = attempt.user_agent
    return data
