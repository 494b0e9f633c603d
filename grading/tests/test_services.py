from decimal import Decimal

import pytest
from django.core import mail

from accounts.models import AuditLog, Notification
from attempts.models import AttemptStatus, QuizAttempt, StudentAnswer
from grading import services
from grading.services import GradingError

pytestmark = pytest.mark.django_db


def answer(attempt, question):
    return StudentAnswer.objects.get(attempt=attempt, question=question)


def test_grading_the_last_answer_grades_the_attempt_notifies_and_emails(
    submitted, teacher, quiz, django_capture_on_commit_callbacks
):
    essay = answer(submitted, quiz.essay)
    with django_capture_on_commit_callbacks(execute=True):
        attempt = services.attempt_grade(
            attempt=submitted,
            by=teacher.user,
            grades=[{"answer_id": essay.pk, "marks_awarded": Decimal("7.5"), "feedback": "Good, missing CO2"}],
        )
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.score == Decimal("12.50")  # 2 + 3 + 7.5
    assert attempt.total_marks == 15  # 2 + 3 + the quiz's 10 for the essay
    assert attempt.percentage == Decimal("83.33")
    assert attempt.passed is True
    essay.refresh_from_db()
    assert essay.feedback == "Good, missing CO2" and essay.graded_by == teacher.user
    note = Notification.objects.get(user=submitted.student.user)
    assert note.type == "attempt_graded" and "12.5 out of 15" in note.message
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@school.test"]
    assert "Science Quiz" in mail.outbox[0].subject
    assert AuditLog.objects.filter(action="attempt.grade", entity_id=submitted.pk, user=teacher.user).exists()


def test_marks_above_the_quiz_marks_are_refused_and_nothing_is_saved(submitted, teacher, quiz):
    essay, short = answer(submitted, quiz.essay), answer(submitted, quiz.short)
    with pytest.raises(GradingError, match="between 0 and 10"):
        services.attempt_grade(
            attempt=submitted,
            by=teacher.user,
            grades=[
                {"answer_id": short.pk, "marks_awarded": 1, "feedback": "override"},
                {"answer_id": essay.pk, "marks_awarded": Decimal("10.5"), "feedback": ""},
            ],
        )
    short.refresh_from_db()
    assert short.marks_awarded == Decimal("3.00") and short.graded_by is None
    assert not AuditLog.objects.filter(action="attempt.grade").exists()


def test_the_quiz_marks_override_is_the_limit_not_the_bank_marks(submitted, teacher, quiz):
    essay = answer(submitted, quiz.essay)
    attempt = services.attempt_grade(
        attempt=submitted, by=teacher.user, grades=[{"answer_id": essay.pk, "marks_awarded": 9}]
    )
    assert attempt.score == Decimal("14.00")


@pytest.mark.parametrize("bad", [-1, "abc", "1.234", "NaN"])
def test_bad_marks_are_refused(submitted, teacher, quiz, bad):
    with pytest.raises(GradingError):
        services.attempt_grade(
            attempt=submitted,
            by=teacher.user,
            grades=[{"answer_id": answer(submitted, quiz.essay).pk, "marks_awarded": bad}],
        )


def test_an_answer_of_another_attempt_is_refused(submitted, teacher, quiz, classmates):
    from tests.builders import make_attempt

    other = make_attempt(quiz, classmates(1)[0])  # a classmate: only a student of its class can take the quiz
    with pytest.raises(GradingError, match="not part of this attempt"):
        services.attempt_grade(
            attempt=submitted, by=teacher.user, grades=[{"answer_id": answer(other, quiz.essay).pk, "marks_awarded": 1}]
        )
    assert answer(other, quiz.essay).marks_awarded is None


def test_an_attempt_in_progress_cannot_be_graded(in_progress, teacher, quiz):
    with pytest.raises(GradingError, match="in progress"):
        services.attempt_grade(
            attempt=in_progress,
            by=teacher.user,
            grades=[{"answer_id": answer(in_progress, quiz.mcq).pk, "marks_awarded": 1}],
        )


def test_teacher_override_of_an_automatic_mark_survives_remarking(submitted, teacher, quiz):
    from attempts.scoring import mark_objective_answers

    wrong = answer(submitted, quiz.short)
    wrong.answer_text = "Pariss"
    wrong.marks_awarded = Decimal(0)
    wrong.save()
    services.attempt_grade(
        attempt=submitted,
        by=teacher.user,
        grades=[{"answer_id": wrong.pk, "marks_awarded": 3, "feedback": "Typo, accepted"}],
    )
    mark_objective_answers(submitted)
    wrong.refresh_from_db()
    assert wrong.marks_awarded == Decimal("3.00") and wrong.feedback == "Typo, accepted"


def test_partial_grading_keeps_the_attempt_pending_without_notifying(submitted, teacher, quiz):
    attempt = services.attempt_grade(
        attempt=submitted, by=teacher.user, grades=[{"answer_id": answer(submitted, quiz.mcq).pk, "marks_awarded": 1}]
    )
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.passed is None
    assert not Notification.objects.exists()


def test_regrade_after_answer_key_change_updates_scores_notifies_and_audits(
    quiz, teacher, student, classmates, django_capture_on_commit_callbacks
):
    from tests.builders import make_attempt

    bob = classmates(1)[0]
    alice_attempt = make_attempt(quiz, student, short="Lyon", essay=None)  # wrong under the old key
    bob_attempt = make_attempt(quiz, bob, short="Paris", essay=None)
    assert alice_attempt.status == AttemptStatus.GRADED and alice_attempt.score == Decimal("2.00")
    quiz.short.accepted_answers = ["Paris", "Lyon"]
    quiz.short.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.question_answer_key_changed(quiz.short.pk, teacher.user.pk)
    alice_attempt.refresh_from_db()
    bob_attempt.refresh_from_db()
    assert alice_attempt.score == Decimal("5.00")
    assert bob_attempt.score == Decimal("5.00")
    assert list(Notification.objects.values_list("user_id", "type")) == [(student.pk, "attempt_regraded")]
    log = AuditLog.objects.get(action="question.regrade", entity_id=quiz.short.pk)
    assert log.user == teacher.user and log.new_value["attempts_remarked"] == 2
    assert [c["attempt_id"] for c in log.new_value["scores_changed"]] == [str(alice_attempt.pk)]


def test_regrade_flips_pass_fail(quiz, teacher, student):
    from tests.builders import make_attempt

    attempt = make_attempt(quiz, student, option=0, short="Paris", essay=None)  # 3/15 = 20 %: failed
    assert attempt.passed is False
    quiz.mcq.correct_answer = 0
    quiz.mcq.save()
    services.question_regrade(question_id=quiz.mcq.pk, by=teacher.user)
    attempt.refresh_from_db()
    assert attempt.score == Decimal("5.00") and attempt.passed is False  # 33 %
    quiz.passing_percentage = 30
    quiz.save()
    services.question_regrade(question_id=quiz.mcq.pk, by=teacher.user)
    attempt.refresh_from_db()
    assert attempt.passed is True


def test_extend_time_for_one_and_for_everyone(quiz, teacher, student, classmates, django_capture_on_commit_callbacks):
    from tests.builders import make_attempt

    alice = make_attempt(quiz, student, finish=False)
    bob = make_attempt(quiz, classmates(1)[0], finish=False)
    finished = make_attempt(quiz, classmates(1)[0])
    before = {a.pk: a.deadline for a in (alice, bob, finished)}
    services.attempt_extend_time(attempt=alice, by=teacher.user, minutes=10)
    alice.refresh_from_db()
    assert (alice.deadline - before[alice.pk]).total_seconds() == 600
    assert services.quiz_extend_time(quiz=quiz, by=teacher.user, minutes=5) == 2
    for a in (alice, bob, finished):
        a.refresh_from_db()
    assert (alice.deadline - before[alice.pk]).total_seconds() == 900
    assert (bob.deadline - before[bob.pk]).total_seconds() == 300
    assert finished.deadline == before[finished.pk]
    assert AuditLog.objects.filter(action__in=["attempt.extend_time", "quiz.extend_time"]).count() == 2
    with pytest.raises(GradingError):
        services.attempt_extend_time(attempt=finished, by=teacher.user, minutes=5)
    with pytest.raises(GradingError):
        services.attempt_extend_time(attempt=alice, by=teacher.user, minutes=0)


def test_reinstate_gives_back_the_remaining_time_and_clears_automatic_marks(quiz, teacher, student):
    from datetime import timedelta

    from attempts.models import SubmitReason
    from tests.builders import make_attempt

    attempt = make_attempt(quiz, student, reason=SubmitReason.VIOLATIONS)
    attempt.submitted_at = attempt.deadline - timedelta(minutes=12)
    attempt.save()
    with pytest.raises(GradingError, match="reason"):
        services.attempt_reinstate(attempt=attempt, by=teacher.user, reason=" ")
    attempt = services.attempt_reinstate(attempt=attempt, by=teacher.user, reason="Fire alarm")
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS and attempt.submitted_at is None and attempt.score is None
    assert 11 * 60 < attempt.seconds_remaining() <= 12 * 60
    assert not StudentAnswer.objects.filter(attempt=attempt, marks_awarded__isnull=False).exists()
    log = AuditLog.objects.get(action="attempt.reinstate")
    assert log.new_value["reason"] == "Fire alarm" and log.old_value["submit_reason"] == "violations"
    assert Notification.objects.filter(user=student.user, type="attempt_reinstated").exists()


def test_a_students_own_submit_cannot_be_reinstated(submitted, teacher):
    with pytest.raises(GradingError, match="Only an attempt ended"):
        services.attempt_reinstate(attempt=submitted, by=teacher.user, reason="please", minutes=5)
    assert QuizAttempt.objects.get(pk=submitted.pk).status == AttemptStatus.SUBMITTED


def test_board_status_costs_three_queries_whatever_the_class_size(quiz, student, classmates, django_assert_num_queries):
    from dataclasses import asdict

    from grading.selectors import quiz_monitor_status
    from tests.builders import make_attempt

    make_attempt(quiz, student, finish=False)
    with django_assert_num_queries(3):
        small = asdict(quiz_monitor_status(quiz))
    kids = classmates(12)
    for kid in kids[:6]:
        make_attempt(quiz, kid, finish=False)
    for kid in kids[6:9]:
        make_attempt(quiz, kid)
    with django_assert_num_queries(3):
        big = asdict(quiz_monitor_status(quiz))
    assert len(small["students"]) == 1 and len(big["students"]) == 13
    assert big["active_attempts"] == 7 and big["completed_attempts"] == 3 and big["not_started"] == 3
    assert [r["status"] for r in big["students"]][:7] == ["in_progress"] * 7
    assert big["students"][-1]["status"] == "not_started"


def test_the_services_resolve_the_attempt_through_the_acting_users_scope(
    quiz, submitted, classmates, other_teacher, student, outsider_student
):
    """Whatever interface calls them, another teacher or a student cannot act through a service: the attempt or
    quiz is not found for them (the API's and pages' 404), and nothing is written."""
    from accounts.services import notify
    from tests.builders import make_attempt

    in_progress = make_attempt(quiz, classmates(1)[0], finish=False)

    essay = answer(submitted, quiz.essay)
    calls = (
        lambda who: services.attempt_grade(
            attempt=submitted, by=who, grades=[{"answer_id": essay.pk, "marks_awarded": 1}]
        ),
        lambda who: services.attempt_extend_time(attempt=in_progress, by=who, minutes=5),
        lambda who: services.attempt_force_submit(attempt=in_progress, by=who),
        lambda who: services.attempt_reinstate(attempt=submitted, by=who, reason="x", minutes=5),
        lambda who: services.quiz_extend_time(quiz=quiz, by=who, minutes=5),
    )
    for who in (other_teacher.user, student.user):
        for call in calls:
            with pytest.raises(GradingError) as refused:
                call(who)
            assert refused.value.status_code == 404
    notify(users=[student.user], type="t", title="Mine", message="m")
    note = Notification.objects.get(user=student.user)
    with pytest.raises(GradingError):
        services.notification_mark_read(notification=note, by=outsider_student.user)
    assert services.notifications_mark_all_read(by=outsider_student.user) == 0
    essay.refresh_from_db()
    in_progress.refresh_from_db()
    note.refresh_from_db()
    assert essay.marks_awarded is None and in_progress.status == AttemptStatus.IN_PROGRESS and not note.is_read
    assert not AuditLog.objects.exists()
