"""The quiz analytics: attempt counts and scores, the histogram, Moodle's test and item statistics
(analytics.statistics does the maths), the students' results and the violations.

Cost: a fixed number of queries whatever the number of attempts. The item statistics need every (attempt,
question) mark, which is fetched with one `values_list` and folded in a single pass. The result is cached under
the quiz's version key (analytics.cache), which a submitted or graded attempt of the quiz bumps, so a cached figure
is never older than the last submission.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.db.models import CharField, Count, FloatField
from django.db.models.functions import Cast

from analytics import statistics
from analytics.cache import analytics_cache_key, cached
from analytics.selectors.common import (
    PENDING_STATUSES,
    parse_attempts_mode,
    result_percentage,
    result_rows,
    student_ref,
)
from attempts.models import FINISHED_STATUSES, AttemptStatus, QuizAttempt, StudentAnswer, Violation, ViolationType
from quizsite.api.fields import score_number
from quizzes.models import Quiz, QuizQuestion

# What the quiz analytics read of the quiz besides its own row: load it with
# Quiz.objects.manageable_by(user).select_related(*QUIZ_RELATED).
QUIZ_RELATED = ("created_by__user",)
HISTOGRAM_BINS = 10
QUIZ_CACHE_SECONDS = 60 * 60

# Questions are flagged as doubtful (analytics.statistics.doubtful_flags) only from this many fully graded
# attempts. With n attempts a facility index moves in steps of 100/n points: below 5, one student moves it by more
# than 20, so "facility above 95%" only means nobody has got it wrong yet, and a discrimination index (a
# correlation) over four points or fewer is noise. Moodle's item statistics are meant for a cohort and its report
# gives no threshold; 5 is the smallest group in which one answer moves a facility by at most 20 points and every
# test statistic (skewness needs 3 attempts, kurtosis 4) is defined. The figures themselves are still shown.
MIN_ATTEMPTS_FOR_FLAGS = 5


def quiz_analytics(quiz: Quiz, *, attempts: str = "all") -> dict:
    mode = parse_attempts_mode(attempts)
    stamp = int(quiz.updated_at.timestamp()) if quiz.updated_at else 0
    key = analytics_cache_key("quiz", quiz.pk, mode, stamp, quiz_id=quiz.pk)
    return cached(key, QUIZ_CACHE_SECONDS, lambda: _quiz_analytics(quiz, mode))


def select_attempts(rows: list[dict], mode: str) -> list[dict]:
    """Pick the attempts of each student that the analysis uses: every one, or the first, last or best (the
    highest percentage; the earlier attempt on a tie) per student. Rows need student_id, attempt_number and
    percentage."""
    if mode == "all":
        return rows
    chosen: dict = {}
    for row in rows:
        current = chosen.get(row["student_id"])
        if current is None:
            chosen[row["student_id"]] = row
            continue
        if mode == "first":
            better = row["attempt_number"] < current["attempt_number"]
        elif mode == "last":
            better = row["attempt_number"] > current["attempt_number"]
        else:
            mine, theirs = row["percentage"] or Decimal(-1), current["percentage"] or Decimal(-1)
            better = mine > theirs or (mine == theirs and row["attempt_number"] < current["attempt_number"])
        if better:
            chosen[row["student_id"]] = row
    return [r for r in rows if chosen.get(r["student_id"]) is r]


def score_distribution(percentages: list[float], bins: int = HISTOGRAM_BINS) -> list[dict]:
    """Counts of percentages in [0,10), [10,20), ... [90,100] (the last bin includes 100)."""
    width = 100 / bins
    counts = [0] * bins
    for p in percentages:
        counts[min(bins - 1, max(0, int(p // width)))] += 1
    return [
        {
            "range": f"{int(i * width)}-{int((i + 1) * width)}",
            "min": int(i * width),
            "max": int((i + 1) * width),
            "count": c,
        }
        for i, c in enumerate(counts)
    ]


def _quiz_analytics(quiz: Quiz, mode: str) -> dict:
    quiz_questions = list(QuizQuestion.objects.filter(quiz=quiz).select_related("question").order_by("order_index"))
    rows = result_rows(
        QuizAttempt.objects.filter(quiz=quiz, status__in=FINISHED_STATUSES).order_by(
            "student__user__name", "attempt_number"
        )
    )
    selected = select_attempts(rows, mode)
    graded_rows = [r for r in selected if r["status"] == AttemptStatus.GRADED]
    marks = _fold_marks(quiz, quiz_questions, selected, graded_rows)
    summary, items = statistics.quiz_statistics(list(marks.matrix.values()), marks.max_marks)

    percentages = [float(r["percentage"]) for r in graded_rows if r["percentage"] is not None]
    passed = sum(1 for r in graded_rows if r["passed"])
    return {
        "quiz": {
            "id": quiz.pk,
            "title": quiz.title,
            "subject": quiz.subject,
            "status": quiz.status,
            "access_code": quiz.access_code,
            "passing_percentage": quiz.passing_percentage,
            "max_attempts": quiz.max_attempts,
            "question_count": len(quiz_questions),
            "total_marks": sum(qq.marks for qq in quiz_questions),
            "created_by": {"id": quiz.created_by_id, "name": quiz.created_by.user.name},
        },
        "attempts_mode": mode,
        "total_attempts": len(selected),
        "graded_attempts": len(graded_rows),
        "pending_grading": sum(1 for r in selected if r["status"] in PENDING_STATUSES),
        "students": len({r["student_id"] for r in selected}),
        "average_score": score_number(sum(percentages) / len(percentages)) if percentages else None,
        "highest_score": score_number(max(percentages)) if percentages else None,
        "lowest_score": score_number(min(percentages)) if percentages else None,
        "pass_rate": score_number(100 * passed / len(graded_rows)) if graded_rows else None,
        "passed_count": passed,
        "failed_count": len(graded_rows) - passed,
        "score_distribution": score_distribution(percentages),
        "statistics": {
            key: (score_number(v, 4) if isinstance(v, float) else v) for key, v in summary.as_dict().items()
        },
        "flags_min_attempts": MIN_ATTEMPTS_FOR_FLAGS,
        "question_statistics": [_question_row(i, qq, marks, items[i]) for i, qq in enumerate(quiz_questions)],
        "student_performance": [_student_row(r) for r in selected],
        "violation_summary": _violation_summary(quiz, selected),
    }


class _Marks:
    """Per question (by column): how its marks came out, and the score matrix of the fully graded attempts."""

    def __init__(self, max_marks: list[float], graded_keys: list[str]):
        k = len(max_marks)
        self.max_marks = max_marks
        self.matrix = {key: [0.0] * k for key in graded_keys}
        self.correct, self.partial, self.incorrect, self.pending, self.marked = ([0] * k for _ in range(5))
        self.sums = [0.0] * k


def _fold_marks(
    quiz: Quiz, quiz_questions: list[QuizQuestion], selected: list[dict], graded_rows: list[dict]
) -> _Marks:
    """One pass over every mark of the quiz's finished attempts.

    The database hands back the attempt id as text (a str hashes in C, a UUID object in Python), the question's
    position in the quiz and the mark as a float, so the loop below is plain dict and list work: 40,000 marks fold
    in a few tens of milliseconds."""
    k = len(quiz_questions)
    max_marks = [float(qq.marks) for qq in quiz_questions]
    m = _Marks(max_marks, [r["key"] for r in graded_rows])
    if not k:
        return m
    selected_keys = {r["key"] for r in selected}
    column = {qq.order_index: i for i, qq in enumerate(quiz_questions)}
    answers = (
        StudentAnswer.objects.filter(
            attempt__quiz=quiz, attempt__status__in=FINISHED_STATUSES, question__quiz_links__quiz=quiz
        )
        .order_by()
        .values_list(
            Cast("attempt_id", CharField()), "question__quiz_links__order_index", Cast("marks_awarded", FloatField())
        )
    )
    for key, order_index, value in answers:
        if key not in selected_keys:
            continue
        i = column[order_index]
        if value is None:
            m.pending[i] += 1
            continue
        m.marked[i] += 1
        m.sums[i] += value
        if value >= max_marks[i]:
            m.correct[i] += 1
        elif value > 0:
            m.partial[i] += 1
        else:
            m.incorrect[i] += 1
        row = m.matrix.get(key)
        if row is not None:
            row[i] = value
    return m


def _question_row(i: int, qq: QuizQuestion, m: _Marks, item: statistics.ItemStatistics) -> dict:
    q = qq.question
    marked = m.marked[i]
    # A hand-marked answer is given marks, not judged right or wrong: 8 of 10 is not "incorrect", so such a
    # question has no success rate (its average marks and facility say how it went).
    hand_marked = not q.is_objective
    flags = item.flags if item.attempts >= MIN_ATTEMPTS_FOR_FLAGS else []
    return {
        "question": {
            "id": q.pk,
            "order_index": qq.order_index,
            "number": i + 1,
            "text": q.text,
            "type": q.type,
            "topic": q.topic,
            "difficulty": q.difficulty,
            "marks": qq.marks,
            "hand_marked": hand_marked,
        },
        "answered_count": marked,
        "correct_count": m.correct[i],
        "partially_correct_count": m.partial[i],
        "incorrect_count": m.incorrect[i],
        "pending_count": m.pending[i],
        "success_rate": score_number(100 * m.correct[i] / marked) if marked and not hand_marked else None,
        "average_marks": score_number(m.sums[i] / marked) if marked else None,
        "facility_index": score_number(item.facility),
        "standard_deviation": score_number(item.sd),
        "discrimination_index": score_number(item.discrimination_index),
        "discriminative_efficiency": score_number(item.discriminative_efficiency),
        "effective_weight": score_number(item.effective_weight),
        "doubtful": bool(flags),
        "flags": [{"code": f, "label": statistics.FLAG_LABELS[f]} for f in flags],
    }


def _student_row(r: dict) -> dict:
    return {
        "attempt_id": r["id"],
        "student": student_ref(r["student_id"], r["student__user__name"], r["student__registration_number"]),
        "attempt_number": r["attempt_number"],
        "score": score_number(r["score"]),
        "total_marks": r["total_marks"],
        "percentage": result_percentage(r["percentage"], r["status"]),
        "awaiting_grading": r["status"] in PENDING_STATUSES,
        "passed": r["passed"],
        "status": r["status"],
        "violations": r["total_violations"],
        "auto_submitted_due_to_violations": r["auto_submitted_due_to_violations"],
        "submitted_at": r["submitted_at"],
    }


def _violation_summary(quiz: Quiz, selected: list[dict]) -> dict:
    by_type = Counter(
        dict(
            Violation.objects.filter(attempt__quiz=quiz)
            .values_list("violation_type")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    return {
        "total_violations": sum(by_type.values()),
        "by_type": dict(by_type.most_common()),
        "labels": {t: ViolationType(t).label for t in by_type if t in ViolationType.values},
        "attempts_with_violations": sum(1 for r in selected if r["total_violations"]),
        "auto_submitted_due_to_violations": sum(1 for r in selected if r["auto_submitted_due_to_violations"]),
    }
