"""Issue 16: THE questions of one attempt, with their marks.

An attempt's questions are the quiz's fixed questions (QuizQuestion) plus the questions its random slots drew at
start (DrawnQuestion, with the marks the slot gave them), in the attempt's own order (question_order). Scoring,
the exam page and API, review, grading, regrade, reports and analytics all list an attempt's questions through
`attempt_questions`, so they cannot disagree about what a student was asked or what it was worth.
"""

from __future__ import annotations

from attempts.models import QuizAttempt
from quizzes.models import QuizQuestion
from quizzes.selectors import ordered_quiz_questions as quiz_questions_in_order


def drawn_links(attempt: QuizAttempt, *, after: int = 0) -> list[QuizQuestion]:
    """The drawn questions as unsaved QuizQuestion rows (marks_override = the slot's marks), numbered after the
    fixed ones. One query, or none when the attempt's drawn questions were prefetched."""
    cache = getattr(attempt, "_prefetched_objects_cache", {})
    rows = (
        attempt.drawn_questions.all()
        if "drawn_questions" in cache
        else attempt.drawn_questions.select_related("question")
    )
    return [
        QuizQuestion(
            quiz_id=attempt.quiz_id, question=row.question, order_index=after + row.position, marks_override=row.marks
        )
        for row in rows
    ]


def attempt_questions(attempt: QuizAttempt) -> list[QuizQuestion]:
    """The attempt's questions in its order (fixed at start; fixed questions added later come last)."""
    links = quiz_questions_in_order(attempt.quiz)
    order = attempt.question_order or []
    fixed_ids = {str(qq.question_id) for qq in links}
    # Only an attempt whose order names a question the quiz does not hold drew from the bank: no query otherwise.
    if any(qid not in fixed_ids for qid in order):
        links = links + drawn_links(attempt, after=len(links))
    if not order:
        # Only an attempt written by hand (demo data, factories) has no order: the quiz's own order.
        return links
    position = {qid: i for i, qid in enumerate(order)}
    return sorted(links, key=lambda qq: position.get(str(qq.question_id), len(position) + qq.order_index))
