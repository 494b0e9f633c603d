"""Issue 15: the question as the student saw it. Rewording a question students have attempted keeps the earlier
wording for their attempts (review, grading, report), new attempts get the new one, the bank says how many
attempts used an older wording; a key fix still regrades earlier attempts (on purpose, through the regrade path)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from analytics.selectors.reports import attempt_report
from attempts import services
from attempts.models import QuizAttempt
from attempts.selectors import attempt_detail
from grading.selectors import attempt_grading_items
from quizzes.models import QuestionVersion
from quizzes.services import question_create, question_update
from tests.builders import make_quiz
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


def test_earlier_attempts_keep_the_wording_they_were_taken_with(
    client, teacher, student, school_class, django_capture_on_commit_callbacks
):
    q = question_create(
        by=teacher.user,
        data={
            "type": "mcq",
            "text": "Old wording: which is largest?",
            "options": ["Mars", "Jupiter"],
            "correct_answer": 0,
            "details": {"feedback": ["Old feedback A", "Old feedback B"]},
        },
    )
    quiz = make_quiz(
        teacher, school_class, questions=[q], start_date=None, end_date=None, show_answers_after_submission=True
    )
    attempt, _ = services.attempt_start(quiz=quiz, student=student, by=student.user)
    services.answers_save(
        attempt_id=attempt.pk, student_id=student.pk, answers=[{"question_id": str(q.pk), "answer_option": 1}]
    )
    services.attempt_submit(attempt=attempt, by=student.user)
    assert QuizAttempt.objects.get(pk=attempt.pk).score == 0

    # The teacher improves the wording for next year and fixes the key (on purpose: it regrades).
    with django_capture_on_commit_callbacks(execute=True):
        question_update(
            question=q,
            by=teacher.user,
            data={
                "text": "New wording: which planet is the largest?",
                "options": ["Mars (4th)", "Jupiter (5th)"],
                "correct_answer": 1,
                "details": {"feedback": ["New A", "New B"]},
            },
        )
    assert QuestionVersion.objects.filter(question=q).count() == 1
    attempt = QuizAttempt.objects.get(pk=attempt.pk)
    assert attempt.score == 1  # the key fix reached the earlier attempt through the regrade

    review = attempt_detail(attempt, student.user).answers[0]
    assert review.question.text == "Old wording: which is largest?" and review.question.options == ["Mars", "Jupiter"]
    assert review.option_feedback == ["Old feedback A", "Old feedback B"]
    assert review.correct_answer == 1  # the key is the corrected one
    item = attempt_grading_items(attempt)[0]
    assert item.question.text == "Old wording: which is largest?" and item.student_answer == "Jupiter"
    report = attempt_report(attempt, viewer=teacher.user)["items"][0]
    assert report["text"] == "Old wording: which is largest?" and report["given"] == "Jupiter"
    client.force_login(student.user)
    assert "Old wording" in client.get(reverse("attempts:result", args=[attempt.pk])).content.decode()

    # A new attempt (another student) gets the new wording, during the exam and in its review.
    other = StudentFactory(school_class=school_class)
    fresh, _ = services.attempt_start(quiz=quiz, student=other, by=other.user)
    assert attempt_detail(fresh, other.user).answers[0].question.text.startswith("New wording")
    services.attempt_submit(attempt=fresh, by=other.user)
    fresh = QuizAttempt.objects.get(pk=fresh.pk)
    assert attempt_detail(fresh, other.user).answers[0].question.text.startswith("New wording")

    # The bank says which version this is and how many attempts used an older wording.
    client.force_login(teacher.user)
    page = client.get(reverse("quizzes:question_edit", args=[q.pk])).content.decode()
    assert "Version 2 of this question. 1 attempt was taken with an older wording" in page


def test_edits_before_any_attempt_keep_no_versions(teacher):
    q = question_create(by=teacher.user, data={"type": "mcq", "text": "a?", "options": ["x", "y"], "correct_answer": 0})
    question_update(question=q, by=teacher.user, data={"text": "b?"})
    assert not QuestionVersion.objects.exists()


def test_review_query_count_does_not_grow_with_versions(teacher, student, school_class, django_assert_max_num_queries):
    qs = [
        question_create(
            by=teacher.user, data={"type": "mcq", "text": f"q{i}", "options": ["a", "b"], "correct_answer": 0}
        )
        for i in range(5)
    ]
    quiz = make_quiz(teacher, school_class, questions=qs, start_date=None, end_date=None)
    attempt, _ = services.attempt_start(quiz=quiz, student=student, by=student.user)
    services.attempt_submit(attempt=attempt, by=student.user)
    for q in qs:
        question_update(question=q, by=teacher.user, data={"text": q.text + " (reworded)"})
    attempt = QuizAttempt.objects.select_related("quiz").get(pk=attempt.pk)
    with django_assert_max_num_queries(5):  # links, answers, images, versions (+ the quiz)
        items = attempt_detail(attempt, student.user).answers
    assert [i.question.text for i in items] == [f"q{i}" for i in range(5)]
    assert Decimal(0) <= attempt.score
