from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import AuditLog, Notification
from accounts.services import notify
from attempts.models import AttemptStatus, StudentAnswer
from tests.builders import make_attempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def login(client):
    def as_(user):
        client.force_login(getattr(user, "user", user))
        return client

    return as_


def test_queue_lists_pending_with_filters_and_links_to_the_board(login, teacher, submitted, quiz, other_class):
    page = login(teacher).get(reverse("grading:queue"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Alice Johnson" in html and reverse("grading:attempt", args=[submitted.pk]) in html
    assert reverse("grading:board", args=[quiz.pk]) in html
    filtered = login(teacher).get(reverse("grading:queue"), {"class_id": other_class.pk})
    assert "Alice Johnson" not in filtered.content.decode()
    graded_tab = login(teacher).get(reverse("grading:queue"), {"tab": "graded"})
    assert "Alice Johnson" not in graded_tab.content.decode()


def test_grading_page_shows_question_rubric_sample_and_answer(login, teacher, submitted):
    html = login(teacher).get(reverse("grading:attempt", args=[submitted.pk])).content.decode()
    for text in (
        "Explain photosynthesis",
        "2 marks light",
        "Plants turn light",
        "Light and water make sugar.",
        "out of 10",
    ):
        assert text in html
    assert "board_grading.js" in html


def test_grading_page_links_each_objective_question_to_its_quality_page(login, teacher, submitted):
    """Issue 20: from grading a teacher reaches a question's statistics and one-click fixes; the link works."""
    client = login(teacher)
    html = client.get(reverse("grading:attempt", args=[submitted.pk])).content.decode()
    objective = [a.question for a in submitted.answers.select_related("question") if a.question.is_objective]
    assert objective
    url = reverse("integrity:question", args=[submitted.quiz_id, objective[0].pk])
    assert url in html
    assert client.get(url).status_code == 200


def test_grading_form_saves_and_goes_to_the_next_attempt(login, teacher, submitted, quiz, classmates):
    nxt = make_attempt(quiz, classmates(1)[0])
    essay = StudentAnswer.objects.get(attempt=submitted, question=quiz.essay)
    r = login(teacher).post(
        reverse("grading:attempt", args=[submitted.pk]),
        {f"marks_{essay.pk}": "8", f"feedback_{essay.pk}": "Nice", "save_next": "1"},
    )
    assert r.status_code == 302 and r.url == reverse("grading:attempt", args=[nxt.pk])
    submitted.refresh_from_db()
    assert submitted.status == AttemptStatus.GRADED and submitted.score == Decimal("13.00")
    # The untouched automatic marks stay automatic (not turned into teacher overrides by the prefilled form).
    assert StudentAnswer.objects.filter(attempt=submitted, graded_by__isnull=False).count() == 1


def test_grading_form_shows_errors_next_to_the_field_and_saves_nothing(login, teacher, submitted, quiz):
    essay = StudentAnswer.objects.get(attempt=submitted, question=quiz.essay)
    r = login(teacher).post(reverse("grading:attempt", args=[submitted.pk]), {f"marks_{essay.pk}": "11"})
    assert r.status_code == 400
    assert "less than or equal to 10" in r.content.decode()
    essay.refresh_from_db()
    assert essay.marks_awarded is None


def test_board_page_renders_rows_actions_and_the_socket_script(login, teacher, in_progress, quiz):
    html = login(teacher).get(reverse("grading:board", args=[quiz.pk])).content.decode()
    assert "Alice Johnson" in html and "board.js" in html
    assert reverse("grading:attempt_extend", args=[in_progress.pk]) in html
    assert reverse("grading:attempt_force_submit", args=[in_progress.pk]) in html


def test_board_actions_from_the_page(login, teacher, in_progress, quiz):
    client = login(teacher)
    before = in_progress.deadline
    r = client.post(reverse("grading:attempt_extend", args=[in_progress.pk]), {"minutes": "5"})
    assert r.status_code == 302 and r.url == reverse("grading:board", args=[quiz.pk])
    client.post(reverse("grading:quiz_extend", args=[quiz.pk]), {"minutes": "5"})
    in_progress.refresh_from_db()
    assert (in_progress.deadline - before).total_seconds() == 600
    client.post(reverse("grading:attempt_force_submit", args=[in_progress.pk]))
    in_progress.refresh_from_db()
    assert in_progress.status == AttemptStatus.AUTO_SUBMITTED
    client.post(reverse("grading:attempt_reinstate", args=[in_progress.pk]), {"reason": "Power cut", "minutes": "10"})
    in_progress.refresh_from_db()
    assert in_progress.status == AttemptStatus.IN_PROGRESS
    assert (
        AuditLog.objects.filter(
            action__in=["attempt.extend_time", "quiz.extend_time", "attempt.force_submit", "attempt.reinstate"]
        ).count()
        == 4
    )


@pytest.mark.parametrize("who,code", [("other_teacher", 404), ("student", 404), ("outsider_student", 404)])
def test_outsiders_get_nothing_from_the_pages(request, login, who, code, submitted, quiz):
    in_progress = make_attempt(quiz, request.getfixturevalue("classmates")(1)[0], finish=False)
    c = login(request.getfixturevalue(who))
    assert c.get(reverse("grading:attempt", args=[submitted.pk])).status_code == code
    assert c.get(reverse("grading:board", args=[quiz.pk])).status_code == code
    essay = StudentAnswer.objects.get(attempt=submitted, question=quiz.essay)
    assert c.post(reverse("grading:attempt", args=[submitted.pk]), {f"marks_{essay.pk}": "10"}).status_code == code
    for name in ("attempt_extend", "attempt_force_submit", "attempt_reinstate"):
        assert (
            c.post(reverse(f"grading:{name}", args=[in_progress.pk]), {"minutes": "5", "reason": "x"}).status_code
            == code
        )
    assert c.post(reverse("grading:quiz_extend", args=[quiz.pk]), {"minutes": "5"}).status_code == code
    queue = c.get(reverse("grading:queue"))
    assert queue.status_code == (200 if who == "other_teacher" else 403)
    assert str(submitted.pk) not in queue.content.decode()
    essay.refresh_from_db()
    in_progress.refresh_from_db()
    assert essay.marks_awarded is None and in_progress.status == AttemptStatus.IN_PROGRESS
    assert not AuditLog.objects.exists()


def test_anonymous_is_sent_to_login(client, submitted, quiz):
    for url in (
        reverse("grading:queue"),
        reverse("grading:attempt", args=[submitted.pk]),
        reverse("grading:board", args=[quiz.pk]),
        reverse("grading:notifications"),
    ):
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login" in r.url


def test_notifications_page_read_one_and_all(login, student, outsider_student):
    notify(users=[student.user], type="t", title="Quiz opened", message="Science Quiz")
    notify(users=[student.user], type="t", title="Result", message="You scored 9")
    notify(users=[outsider_student.user], type="t", title="Oscar only", message="secret")
    client = login(student)
    html = client.get(reverse("grading:notifications")).content.decode()
    assert "Quiz opened" in html and "Result" in html and "Oscar only" not in html
    assert 'class="bell-count">2<' in html  # the bell in base.html
    first = Notification.objects.get(title="Quiz opened")
    assert client.post(reverse("grading:notification_read", args=[first.pk])).status_code == 302
    assert 'class="bell-count">1<' in client.get(reverse("grading:notifications")).content.decode()
    client.post(reverse("grading:notifications_read_all"))
    assert not Notification.objects.filter(user=student.user, is_read=False).exists()
    assert Notification.objects.filter(user=outsider_student.user, is_read=False).count() == 1


def test_someone_elses_notification_cannot_be_marked(login, student, outsider_student):
    notify(users=[student.user], type="t", title="Mine", message="m")
    note = Notification.objects.get()
    assert login(outsider_student).post(reverse("grading:notification_read", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.is_read is False


def test_the_queue_menus_offer_only_what_the_user_may_grade(
    login, teacher, other_teacher, submitted, quiz, school_class
):
    mine = login(teacher).get(reverse("grading:queue"))
    assert list(mine.context["quizzes"]) == [quiz] and list(mine.context["classes"]) == [school_class]
    theirs = login(other_teacher).get(reverse("grading:queue"))
    assert list(theirs.context["quizzes"]) == [] and list(theirs.context["classes"]) == []
    assert "Science Quiz" not in theirs.content.decode() and str(school_class) not in theirs.content.decode()
