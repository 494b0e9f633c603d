"""The question-quality loop: each fix re-marks the attempts, moves pass/fail and the analytics, tells the students
why, is audited, and undoes the same way; outsiders can do none of it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import AuditLog, Notification
from analytics import selectors as analytics_selectors
from attempts.models import QuizAttempt
from integrity import quality
from integrity.models import QuestionFix
from integrity.services import IntegrityError
from quizzes.models import QuestionType
from tests.builders import make_quiz, take_quiz
from tests.factories import QuestionFactory

pytestmark = pytest.mark.django_db


def result(attempt):
    a = QuizAttempt.objects.get(pk=attempt.pk)
    return a.score, a.total_marks, a.passed


def apply(quiz, by, action, value=None, reason="Two options are right", capture=None):
    with capture(execute=True):
        return quality.question_fix_apply(quiz=quiz, question=quiz.q1, by=by, action=action, value=value, reason=reason)


def undo(fix, by, capture):
    with capture(execute=True):
        return quality.question_fix_undo(fix=fix, by=by)


def messages_of(attempt):
    return list(
        Notification.objects.filter(user=attempt.student.user, type="attempt_regraded")
        .order_by("created_at")
        .values_list("message", flat=True)
    )


def test_accept_another_option_then_undo(flawed, teacher, django_capture_on_commit_callbacks):
    bob, carol = flawed.attempts_by_name["Bob"], flawed.attempts_by_name["Carol"]
    before = analytics_selectors.quiz_analytics(flawed)
    assert result(bob) == (Decimal("2.00"), 5, False)
    fix = apply(flawed, teacher.user, "accept_option", 2, capture=django_capture_on_commit_callbacks)
    assert result(bob) == (Decimal("3.00"), 5, True)
    assert result(carol) == (Decimal("2.00"), 5, False)  # chose B: still right, score unchanged
    assert messages_of(bob) == [
        "Your score changed from 2 to 3 out of 5 (passed) because option C is now also accepted as correct in "
        'question 1 of "Fractions test" (Two options are right).'
    ]
    assert messages_of(carol) == []
    after = analytics_selectors.quiz_analytics(flawed)
    assert after["passed_count"] == before["passed_count"] + 1
    assert after["question_statistics"][0]["correct_count"] == before["question_statistics"][0]["correct_count"] + 3
    audit = AuditLog.objects.get(action="question.fix")
    assert audit.user == teacher.user and audit.new_value["reason"] == "Two options are right"
    assert audit.old_value == {"also_correct_options": []}
    assert AuditLog.objects.filter(action="question.regrade", entity_id=flawed.q1.pk).count() == 1

    undo(fix, teacher.user, django_capture_on_commit_callbacks)
    assert result(bob) == (Decimal("2.00"), 5, False)
    assert messages_of(bob)[-1] == (
        "Your score changed from 3 to 2 out of 5 (not passed) because the earlier change to question 1 of "
        '"Fractions test" was undone.'
    )
    assert analytics_selectors.quiz_analytics(flawed)["passed_count"] == before["passed_count"]
    fix.refresh_from_db()
    assert not fix.active and fix.undone_by == teacher.user
    assert AuditLog.objects.filter(action="question.fix_undo", user=teacher.user).count() == 1
    with pytest.raises(IntegrityError, match="already been undone"):
        quality.question_fix_undo(fix=fix, by=teacher.user)


def test_full_marks_for_everyone_then_undo(flawed, teacher, django_capture_on_commit_callbacks):
    carol, dan = flawed.attempts_by_name["Carol"], flawed.attempts_by_name["Dan"]
    fix = apply(flawed, teacher.user, "full_marks", capture=django_capture_on_commit_callbacks)
    assert result(dan) == (Decimal("4.00"), 5, True)
    assert result(carol) == (Decimal("2.00"), 5, False)  # was already right
    assert "because everyone now gets full marks for it in question 1" in messages_of(dan)[0]
    undo(fix, teacher.user, django_capture_on_commit_callbacks)
    assert result(dan) == (Decimal("3.00"), 5, True)


def test_drop_from_the_total_then_undo(flawed, teacher, django_capture_on_commit_callbacks):
    bob, carol = flawed.attempts_by_name["Bob"], flawed.attempts_by_name["Carol"]
    fix = apply(flawed, teacher.user, "drop", capture=django_capture_on_commit_callbacks)
    assert result(bob) == (Decimal("2.00"), 4, True)  # 2 of 4 = 50 %: passes
    assert result(carol) == (Decimal("1.00"), 4, False)
    assert "because it no longer counts towards the total" in messages_of(carol)[0]
    undo(fix, teacher.user, django_capture_on_commit_callbacks)
    assert result(bob) == (Decimal("2.00"), 5, False)
    assert result(carol) == (Decimal("2.00"), 5, False)


def test_correct_the_key_then_undo(flawed, teacher, django_capture_on_commit_callbacks):
    bob, carol = flawed.attempts_by_name["Bob"], flawed.attempts_by_name["Carol"]
    fix = apply(
        flawed,
        teacher.user,
        "correct_option",
        2,
        reason="The key was wrong",
        capture=django_capture_on_commit_callbacks,
    )
    flawed.q1.refresh_from_db()
    assert flawed.q1.correct_answer == 2
    assert result(bob) == (Decimal("3.00"), 5, True)
    assert result(carol) == (Decimal("1.00"), 5, False)
    assert "because the correct answer is now option C" in messages_of(carol)[0]
    undo(fix, teacher.user, django_capture_on_commit_callbacks)
    flawed.q1.refresh_from_db()
    assert flawed.q1.correct_answer == 1
    assert result(carol) == (Decimal("2.00"), 5, False)


def test_accept_another_short_answer(teacher, school_class, student, django_capture_on_commit_callbacks):
    short = QuestionFactory(
        created_by=teacher,
        type=QuestionType.SHORT_ANSWER,
        options=None,
        correct_answer=None,
        accepted_answers=["Paris"],
        marks=1,
    )
    quiz = make_quiz(teacher, school_class, questions=[short], passing_percentage=50)
    attempt = take_quiz(quiz, student, {short: "Lutetia"})
    assert result(attempt)[0] == Decimal("0.00")
    with django_capture_on_commit_callbacks(execute=True):
        quality.question_fix_apply(
            quiz=quiz,
            question=short,
            by=teacher.user,
            action="accept_text",
            value="  lutetia ",
            reason="Latin name accepted",
        )
    short.refresh_from_db()
    assert short.accepted_answers == ["Paris", "lutetia"]
    assert result(attempt) == (Decimal("1.00"), 1, True)
    assert 'because the answer "lutetia" is now also accepted' in messages_of(attempt)[0]


def test_only_the_latest_fix_can_be_undone(flawed, teacher, django_capture_on_commit_callbacks):
    first = apply(flawed, teacher.user, "accept_option", 2, capture=django_capture_on_commit_callbacks)
    apply(flawed, teacher.user, "correct_option", 0, capture=django_capture_on_commit_callbacks)
    with pytest.raises(IntegrityError, match="later fix"):
        quality.question_fix_undo(fix=first, by=teacher.user)


@pytest.mark.parametrize(
    "action, value, message",
    [
        ("accept_option", 1, "already the correct answer"),
        ("accept_option", 9, "Choose one of the question's options"),
        ("accept_text", "x", "Only a short-answer question"),
        ("explode", None, "listed fixes"),
    ],
)
def test_bad_fixes_are_refused_and_change_nothing(flawed, teacher, action, value, message):
    with pytest.raises(IntegrityError, match=message):
        quality.question_fix_apply(
            quiz=flawed, question=flawed.q1, by=teacher.user, action=action, value=value, reason="x"
        )
    with pytest.raises(IntegrityError, match="Say why"):
        quality.question_fix_apply(quiz=flawed, question=flawed.q1, by=teacher.user, action="drop", reason="  ")
    assert not QuestionFix.objects.exists() and not AuditLog.objects.filter(action="question.fix").exists()


def test_outsiders_cannot_fix_or_undo(flawed, teacher, other_teacher, student, django_capture_on_commit_callbacks):
    for who in (other_teacher.user, student.user):
        with pytest.raises(IntegrityError):
            quality.question_fix_apply(quiz=flawed, question=flawed.q1, by=who, action="full_marks", reason="x")
    fix = apply(flawed, teacher.user, "full_marks", capture=django_capture_on_commit_callbacks)
    for who in (other_teacher.user, student.user):
        with pytest.raises(IntegrityError):
            quality.question_fix_undo(fix=fix, by=who)
    fix.refresh_from_db()
    assert fix.active


# --- pages --------------------------------------------------------------------------------------------------------


def test_review_page_explains_the_flag_and_applies_a_fix(client, flawed, teacher, django_capture_on_commit_callbacks):
    client.force_login(teacher.user)
    analytics_body = client.get(reverse("analytics:quiz", args=[flawed.pk])).content.decode()
    url = reverse("integrity:question", args=[flawed.pk, flawed.q1.pk])
    assert url in analytics_body
    body = client.get(url).content.decode()
    assert "How the answers were spread" in body and "Accept C as also correct" in body
    assert "Option D was chosen by nobody." in body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("integrity:question_fix", args=[flawed.pk, flawed.q1.pk]),
            {"choice": "accept_option:2", "reason": "C is right too"},
            follow=True,
        )
    body = response.content.decode()
    assert "Fixed. Every affected attempt is being re-marked" in body
    assert "Accept another option as also correct" in body and "C is right too" in body
    history = client.get(reverse("integrity:question_history", args=[flawed.q1.pk])).content.decode()
    assert "C is right too" in history and "Fractions test" in history
    bank = client.get(reverse("quizzes:question_list")).content.decode()
    assert reverse("integrity:question_history", args=[flawed.q1.pk]) in bank


@pytest.mark.parametrize("who, status", [("other_teacher", 404), ("student", 403)])
def test_outsider_pages(client, request, flawed, teacher, who, status, django_capture_on_commit_callbacks):
    fix = apply(flawed, teacher.user, "full_marks", capture=django_capture_on_commit_callbacks)
    client.force_login(request.getfixturevalue(who).user)
    assert client.get(reverse("integrity:question", args=[flawed.pk, flawed.q1.pk])).status_code == status
    assert (
        client.post(
            reverse("integrity:question_fix", args=[flawed.pk, flawed.q1.pk]), {"action": "drop", "reason": "x"}
        ).status_code
        == status
    )
    assert client.post(reverse("integrity:question_fix_undo", args=[fix.pk])).status_code == status
    assert client.get(reverse("integrity:question_history", args=[flawed.q1.pk])).status_code == status
    fix.refresh_from_db()
    assert fix.active and QuestionFix.objects.count() == 1


def test_the_student_sees_the_change_and_the_reason(
    client, flawed, teacher, student, django_capture_on_commit_callbacks
):
    apply(flawed, teacher.user, "full_marks", reason="Ambiguous wording", capture=django_capture_on_commit_callbacks)
    client.force_login(student.user)
    body = client.get(reverse("grading:notifications")).content.decode()
    assert "Ambiguous wording" in body and "everyone now gets full marks" in body


def test_a_fix_without_a_reason_is_refused_on_the_page(client, flawed, teacher):
    client.force_login(teacher.user)
    url = reverse("integrity:question_fix", args=[flawed.pk, flawed.q1.pk])
    body = client.post(url, {"choice": "drop", "reason": ""}, follow=True).content.decode()
    assert "Say why" in body
    body = client.post(url, {"choice": "explode", "reason": "x"}, follow=True).content.decode()
    assert "choose one of the listed fixes" in body
    assert not QuestionFix.objects.exists()
