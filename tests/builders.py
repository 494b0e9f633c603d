"""States the tests start from, reached the way a user reaches them.

A quiz is set up with the factories (what a teacher built is a given); an attempt is started, answered, reported
and submitted through the attempts services (which mark what can be marked automatically; grading.services
marks the rest in the tests that are about it), so its status, times, marks and score are the
ones the product writes, never columns filled in by hand. Options are given as the question stores them (the
builder maps them through the attempt's shuffled order).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from attempts import services as attempt_services
from attempts.models import QuizAttempt, SubmitReason
from quizzes.models import Question, QuestionType, Quiz, QuizStatus
from tests.factories import QuestionFactory, QuizClassFactory, QuizFactory, QuizQuestionFactory

# --- quizzes -------------------------------------------------------------------------------------------------


def fraction_questions(teacher) -> list[Question]:
    """One question of each type, whose answer keys are easy to spot if they ever leak (SECRET-...)."""
    return [
        QuestionFactory(
            created_by=teacher,
            text="What is 1/2 + 1/4?",
            type=QuestionType.MCQ,
            options=["1/4", "3/4", "2/6", "1"],
            correct_answer=1,
            marks=2,
        ),
        QuestionFactory(
            created_by=teacher,
            text="1/3 is larger than 1/4.",
            type=QuestionType.TRUE_FALSE,
            options=["True", "False"],
            correct_answer=0,
            marks=1,
        ),
        QuestionFactory(
            created_by=teacher,
            text="Write 0.5 as a fraction.",
            type=QuestionType.SHORT_ANSWER,
            options=None,
            correct_answer=None,
            accepted_answers=["1/2", "SECRET-ACCEPTED"],
            marks=2,
        ),
        QuestionFactory(
            created_by=teacher,
            text="Explain why 2/4 equals 1/2.",
            type=QuestionType.DESCRIPTIVE,
            options=None,
            correct_answer=None,
            sample_answer="SECRET-SAMPLE",
            marking_rubric="SECRET-RUBRIC",
            marks=5,
        ),
    ]


def make_quiz(teacher, school_class, *, questions=None, marks=None, **overrides) -> Quiz:
    """A published quiz of `teacher`, open since an hour ago until tomorrow, assigned to `school_class` (None: to
    no class), with `questions` in that order (default: fraction_questions). `marks` maps a question to the marks
    it is worth in this quiz (marks_override); any Quiz field can be overridden."""
    now = timezone.now()
    fields = {
        "title": "Fractions check",
        "subject": "Mathematics",
        "status": QuizStatus.PUBLISHED,
        "time_limit_minutes": 30,
        "start_date": now - timedelta(hours=1),
        "end_date": now + timedelta(days=1),
        "created_by": teacher,
    }
    fields.update(overrides)
    quiz = QuizFactory(**fields)
    if school_class is not None:
        QuizClassFactory(quiz=quiz, school_class=school_class)
    if questions is None:
        questions = fraction_questions(teacher)
    marks = marks or {}
    for i, q in enumerate(questions):
        QuizQuestionFactory(quiz=quiz, question=q, order_index=i, marks_override=marks.get(q))
    return quiz


def science_quiz(teacher, school_class) -> Quiz:
    """A published quiz (no dates, pass mark 50 %) with one question of each marking kind, reachable as
    quiz.mcq (2 marks), quiz.short (3, accepts "Paris") and quiz.essay (10 in this quiz, 5 in the bank)."""
    mcq = QuestionFactory(text="What is 2+2?", options=["3", "4", "5"], correct_answer=1, marks=2, created_by=teacher)
    short = QuestionFactory(
        text="Capital of France?",
        type=QuestionType.SHORT_ANSWER,
        options=None,
        correct_answer=None,
        accepted_answers=["Paris"],
        marks=3,
        created_by=teacher,
    )
    essay = QuestionFactory(
        text="Explain photosynthesis",
        type=QuestionType.DESCRIPTIVE,
        options=None,
        correct_answer=None,
        marks=5,
        sample_answer="Plants turn light, water and CO2 into sugar and oxygen.",
        marking_rubric="2 marks light, 2 marks products, 1 mark clarity",
        created_by=teacher,
    )
    quiz = make_quiz(
        teacher,
        school_class,
        questions=[mcq, short, essay],
        # Worth 10 in this quiz, not the bank's 5: grading must use the quiz's marks.
        marks={essay: 10},
        title="Science Quiz",
        subject="Science",
        passing_percentage=50,
        start_date=None,
        end_date=None,
    )
    quiz.mcq, quiz.short, quiz.essay = mcq, short, essay
    return quiz


CORRECT = 1  # QuestionFactory's correct option
WRONG = 0


def build_quiz(teacher, *, questions: int = 3, marks: int = 1, title: str = "Fractions test", school_class=None):
    """A published quiz (no dates, pass mark 50 %) of `questions` MCQs worth `marks` each (CORRECT is right),
    which a student may take up to three times."""
    return make_quiz(
        teacher,
        school_class,
        questions=[QuestionFactory(created_by=teacher, marks=marks) for _ in range(questions)],
        title=title,
        passing_percentage=50,
        max_attempts=3,
        start_date=None,
        end_date=None,
    )


def options_for(marks_row):
    return [CORRECT if m else WRONG for m in marks_row]


# --- attempts ------------------------------------------------------------------------------------------------


def start_attempt(quiz: Quiz, student, *, at=None) -> QuizAttempt:
    """The student starts a new attempt (attempts.services.attempt_start), `at` a given moment (default now)."""
    attempt, created = attempt_services.attempt_start(quiz=quiz, student=student, by=student.user, now=at)
    assert created, f"{student} already had an attempt in progress at {quiz}"
    return attempt


def answer(attempt: QuizAttempt, answers: dict, *, at=None) -> None:
    """Autosave `answers` ({question: stored option index or text}; None leaves it unanswered) one question after
    another, a second apart, the last one at `at` (default now): the board sees them saved in that order."""
    given = [(q, v) for q, v in answers.items() if v is not None]
    last = at or timezone.now()
    for i, (question, value) in enumerate(given):
        item = {"question_id": str(question.pk)}
        if isinstance(value, str):
            item["answer_text"] = value
        else:
            shown = (attempt.option_order or {}).get(str(question.pk))
            item["answer_option"] = shown.index(value) if shown else value
        attempt_services.answers_save(
            attempt_id=attempt.pk,
            answers=[item],
            student_id=attempt.student_id,
            now=last - timedelta(seconds=len(given) - 1 - i),
        )


def report_violations(attempt: QuizAttempt, count: int, *, violation_type="tab_switch", at=None) -> None:
    for _ in range(count):
        attempt_services.violation_record(attempt=attempt, violation_type=violation_type, now=at)


def submit(attempt: QuizAttempt, *, reason=SubmitReason.STUDENT, at=None) -> QuizAttempt:
    """Finish the attempt as the product does for `reason` (the student's click, the deadline, violations...)."""
    by = attempt.student.user if reason == SubmitReason.STUDENT else None
    return attempt_services.attempt_submit(attempt=attempt, by=by, reason=reason, now=at)


def take_quiz(
    quiz: Quiz,
    student,
    answers: dict,
    *,
    started=None,
    answered=None,
    violations: int = 0,
    submitted=None,
    reason=SubmitReason.STUDENT,
    finish: bool = True,
) -> QuizAttempt:
    """Start, answer (the last answer at `answered`), report `violations` and, with `finish`, submit at
    `submitted` (default now). Returns the attempt as the services left it."""
    attempt = start_attempt(quiz, student, at=started)
    report_violations(attempt, violations, at=started)
    answer(attempt, answers, at=answered)
    if finish:
        attempt = submit(attempt, reason=reason, at=submitted)
    return QuizAttempt.objects.select_related("quiz", "student__user").get(pk=attempt.pk)


def make_attempt(
    quiz,
    student,
    *,
    option=1,
    short="paris",
    essay="Light and water make sugar.",
    finish=True,
    reason=SubmitReason.STUDENT,
    started_minutes_ago=10,
):
    """An attempt at science_quiz, started `started_minutes_ago` minutes ago, every answer given (essay=None
    leaves the essay blank) and, with `finish`, submitted a minute ago for `reason`: the mcq and short answer
    are marked automatically, the essay awaits the teacher."""
    now = timezone.now()
    submitted = now - timedelta(minutes=1)
    return take_quiz(
        quiz,
        student,
        {quiz.mcq: option, quiz.short: short, quiz.essay: essay},
        started=now - timedelta(minutes=started_minutes_ago),
        answered=submitted - timedelta(seconds=1) if finish else now,
        submitted=submitted,
        reason=reason,
        finish=finish,
    )


def finish_attempt(quiz, student, options, *, number: int = 1, violations: int = 0):
    """The student's `number`-th attempt, started 20 - number minutes ago and submitted ten minutes later, whose
    answers are the given option indexes (None = unanswered), with `violations` tab switches."""
    started = timezone.now() - timedelta(minutes=20 - number)
    submitted = started + timedelta(minutes=10)
    questions = [qq.question for qq in quiz.quiz_questions.select_related("question").order_by("order_index")]
    attempt = take_quiz(
        quiz,
        student,
        dict(zip(questions, options, strict=True)),
        started=started,
        violations=violations,
        answered=submitted - timedelta(seconds=1),
        submitted=submitted,
    )
    assert attempt.attempt_number == number, (attempt.attempt_number, number)
    return attempt


# --- issue 15: one question of each new type -----------------------------------------------------------------

NEW_TYPE_QUESTIONS = {
    "multiple_response": {
        "text": "Which of these are prime numbers?",
        "options": ["2", "3", "4", "5", "6"],
        "details": {"correct": [0, 1, 3], "scoring": "partial"},
        "marks": 3,
    },
    "numeric": {
        "text": "Free fall: $g \\approx$ ? (two decimals)",
        "details": {
            "answers": [
                {"value": 9.81, "tolerance": 0.01, "fraction": 1},
                {"value": 9.8, "tolerance": 0.1, "fraction": 0.5},
            ],
            "unit": "m/s²",
        },
        "marks": 2,
    },
    "matching": {
        "text": "Match each formula with its substance.",
        "details": {
            "pairs": [{"prompt": "H₂O", "answer": "water"}, {"prompt": "NaCl", "answer": "salt"}],
            "distractors": ["sugar"],
        },
        "marks": 2,
    },
    "ordering": {
        "text": "Order the planets from the Sun outwards.",
        "details": {"items": ["Mercury", "Venus", "Earth", "Mars"], "scoring": "partial"},
        "marks": 6,
    },
    "cloze": {
        "text": "Water boils at [[1]] °C and freezes at [[2]] °C.",
        "details": {"blanks": [{"id": 1, "answers": ["100"], "marks": 1}, {"id": 2, "answers": ["0", "zero"]}]},
        "marks": 2,
    },
}


def new_types_quiz(teacher, school_class, **overrides) -> Quiz:
    """A published quiz (no dates) with one question of each issue-15 type, created through the bank service (so
    validated); the questions are reachable as quiz.q["numeric"] etc."""
    from quizzes.services import question_create

    questions = {
        qtype: question_create(by=teacher.user, data={"type": qtype, **data})
        for qtype, data in NEW_TYPE_QUESTIONS.items()
    }
    fields = {"title": "New types", "subject": "Science", "start_date": None, "end_date": None}
    quiz = make_quiz(teacher, school_class, questions=list(questions.values()), **{**fields, **overrides})
    quiz.q = questions
    return quiz
