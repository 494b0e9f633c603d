"""The analytics pages: one dashboard URL per role, the quiz analytics page, printable reports, outsiders."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from analytics.cache import invalidate_quiz_analytics
from quizzes.models import Question
from tests.builders import CORRECT, WRONG, finish_attempt, make_attempt, science_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(client):
    def get(user, url):
        client.force_login(getattr(user, "user", user))
        return client.get(url)

    return get


@pytest.fixture
def graded(quiz, student, make_students):
    others = make_students(3)
    finish_attempt(quiz, student, [CORRECT, CORRECT, CORRECT], violations=2)
    finish_attempt(quiz, others[0], [CORRECT, CORRECT, WRONG])
    finish_attempt(quiz, others[1], [CORRECT, WRONG, WRONG])
    return finish_attempt(quiz, others[2], [CORRECT, WRONG, WRONG])


def test_dashboard_depends_on_the_role(page, admin, teacher, student, quiz, graded):
    body = page(admin, reverse("analytics:dashboard")).content.decode()
    assert "School dashboard" in body and "Tom Teacher" in body
    body = page(teacher, reverse("analytics:dashboard")).content.decode()
    assert "My dashboard" in body and "Fractions test" in body and reverse("analytics:quiz", args=[quiz.pk]) in body
    body = page(student, reverse("analytics:dashboard")).content.decode()
    assert "My dashboard" in body and "Quizzes taken" in body and "Fractions test" in body
    assert reverse("analytics:attempt_print", args=[student.attempts.get().pk]) in body


def test_quiz_page_shows_histogram_doubtful_items_and_exports(page, teacher, quiz, graded, make_students):
    finish_attempt(quiz, make_students(1)[0], [CORRECT, WRONG, WRONG])  # 5 attempts: enough to flag questions
    response = page(teacher, reverse("analytics:quiz", args=[quiz.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body and "Score distribution" in body
    assert 'class="doubtful"' in body  # question 1: everyone right, facility 100%
    assert "Facility above 95%" in body
    assert "Discriminative efficiency" in body and "Cronbach" in body  # the explanations
    assert "Tab switch" in body  # violation summary
    assert "format=pdf" in body and "format=xlsx" in body and "/results?format=csv" in body


def test_quiz_page_attempts_selector(page, teacher, quiz, student):
    finish_attempt(quiz, student, [WRONG, WRONG, WRONG], number=1)
    finish_attempt(quiz, student, [CORRECT, CORRECT, CORRECT], number=2)
    body = page(teacher, reverse("analytics:quiz", args=[quiz.pk]) + "?attempts=first").content.decode()
    assert ">0%<" in body and ">100%<" not in body
    response = page(teacher, reverse("analytics:quiz", args=[quiz.pk]) + "?attempts=bogus")
    assert response.status_code == 200 and "showing all attempts" in response.content.decode()


def test_question_text_is_escaped(page, teacher, quiz, graded):
    Question.objects.filter(pk=quiz.quiz_questions.first().question_id).update(text="<script>alert(1)</script>")
    invalidate_quiz_analytics(quiz.pk)
    body = page(teacher, reverse("analytics:quiz", args=[quiz.pk])).content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)" in body


def test_printable_quiz_report(page, teacher, quiz, graded):
    body = page(teacher, reverse("analytics:quiz_print", args=[quiz.pk]) + "?attempts=best").content.decode()
    assert "Quiz analytics: Fractions test" in body and "Download PDF" in body and "attempts=best" in body
    assert "<svg" in body and "@page" in body  # the same template and styles as the PDF


def test_printable_attempt_report(page, teacher, student, quiz, graded):
    attempt = student.attempts.get()
    body = page(teacher, reverse("analytics:attempt_print", args=[attempt.pk])).content.decode()
    assert "Alice Johnson" in body and "Correct answer:" in body and "Download PDF" in body
    body = page(student, reverse("analytics:attempt_print", args=[attempt.pk])).content.decode()
    assert "Alice Johnson" in body and "Correct answer:" not in body


def test_attempt_report_follows_the_attempt_rules_and_order(page, teacher, student, quiz):
    """The printable report uses the attempts app's rules: questions in the order this student saw them, and
    nothing of an unfinished attempt for the student even when the quiz allows review."""
    from tests.factories import QuizAttemptFactory

    qqs = list(quiz.quiz_questions.select_related("question").order_by("order_index"))
    for i, qq in enumerate(qqs):
        Question.objects.filter(pk=qq.question_id).update(text=f"Shown as number {len(qqs) - i}")
    reversed_order = [str(qq.question_id) for qq in reversed(qqs)]
    attempt = QuizAttemptFactory(quiz=quiz, student=student, question_order=reversed_order)
    url = reverse("analytics:attempt_print", args=[attempt.pk])
    assert quiz.allow_review
    body = page(student, url).content.decode()
    assert "Shown as number" not in body  # in progress: no questions yet
    body = page(teacher, url).content.decode()
    positions = [body.index(f"Shown as number {n}") for n in range(1, len(qqs) + 1)]
    assert positions == sorted(positions)


def test_teacher_and_student_pages(page, admin, teacher, other_teacher, student, outsider_student):
    assert page(admin, reverse("analytics:teacher", args=[teacher.pk])).status_code == 200
    assert page(teacher, reverse("analytics:student", args=[student.pk])).status_code == 200
    assert page(other_teacher, reverse("analytics:teacher", args=[teacher.pk])).status_code == 404
    assert page(other_teacher, reverse("analytics:student", args=[student.pk])).status_code == 404
    assert page(outsider_student, reverse("analytics:student", args=[student.pk])).status_code == 404
    assert page(student, reverse("analytics:teacher", args=[teacher.pk])).status_code == 404


@pytest.mark.parametrize("who", ["other_teacher", "outsider_student", "student"])
def test_outsiders_get_404_on_quiz_pages(page, request, who, quiz, graded, student):
    user = request.getfixturevalue(who)
    urls = [reverse("analytics:quiz", args=[quiz.pk]), reverse("analytics:quiz_print", args=[quiz.pk])]
    if who != "student":
        urls.append(reverse("analytics:attempt_print", args=[student.attempts.get().pk]))
    for url in urls:
        response = page(user, url)
        assert response.status_code == 404, url
        body = response.content.decode()
        assert "Fractions test" not in body and "Score distribution" not in body


def test_anonymous_is_sent_to_login(client, quiz, graded, teacher):
    for url in (
        reverse("analytics:dashboard"),
        reverse("analytics:quiz", args=[quiz.pk]),
        reverse("analytics:quiz_print", args=[quiz.pk]),
        reverse("analytics:teacher", args=[teacher.pk]),
        reverse("analytics:attempt_print", args=[graded.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_pages_accept_only_get(page, teacher, quiz):
    assert page(teacher, reverse("analytics:quiz", args=[quiz.pk])).status_code == 200
    assert page(teacher, reverse("analytics:dashboard")).status_code == 200
    client = Client()
    client.force_login(teacher.user)
    assert client.post(reverse("analytics:quiz", args=[quiz.pk])).status_code == 405


# --- figures a reader could take the wrong way --------------------------------------------------------------------


def _row(body: str, text: str) -> str:
    """The table row (<tr>...</tr>) of the page that contains `text`."""
    rows = [row for row in re.findall(r"<tr[ >].*?</tr>", body, flags=re.S) if text in row]
    assert len(rows) == 1, (text, rows)
    return rows[0]


def test_student_dashboard_says_awaiting_grading_instead_of_a_percentage(page, student, teacher, quiz, school_class):
    finish_attempt(quiz, student, [CORRECT, CORRECT, WRONG])  # graded: 66.67 %
    science = science_quiz(teacher, school_class)
    make_attempt(science, student)  # mcq and short answer right (5 of 15 so far), the essay awaits the teacher

    body = page(student, reverse("analytics:dashboard")).content.decode()
    row = _row(body, "Science Quiz")
    assert "Awaiting grading" in row
    assert "33.3" not in row and "%<" not in row.replace("—", "")  # no percentage of an unfinished mark
    assert "5 / 15 so far" in row
    assert "66.7%" in _row(body, "Fractions test")
    # The average card counts the graded attempt only.
    assert re.search(r'stat-value">66\.7%</span><span class="stat-label">Average score', body)
    # The teacher's view of the student, and the quiz analytics' student list, say the same.
    body = page(teacher, reverse("analytics:student", args=[student.pk])).content.decode()
    assert "Awaiting grading" in _row(body, "Science Quiz") and "33.3" not in _row(body, "Science Quiz")
    body = page(teacher, reverse("analytics:quiz", args=[science.pk])).content.decode()
    assert "Awaiting grading" in _row(body, "Alice Johnson") and "33.3" not in _row(body, "Alice Johnson")


def test_quiz_page_flags_no_question_on_too_few_attempts(page, teacher, quiz, student):
    finish_attempt(quiz, student, [CORRECT, WRONG, CORRECT])
    for url in (reverse("analytics:quiz", args=[quiz.pk]), reverse("analytics:quiz_print", args=[quiz.pk])):
        body = page(teacher, url).content.decode()
        assert 'class="doubtful"' not in body and "Facility above 95%" not in body and "Facility below 5%" not in body
        assert "Too few attempts to flag questions" in body and "from 5 fully graded attempts" in body


def test_a_hand_marked_question_shows_marks_not_correct_over_answered(page, teacher, student, school_class):
    from grading.services import attempt_grade

    science = science_quiz(teacher, school_class)
    attempt = make_attempt(science, student)
    essay = attempt.answers.get(question=science.essay)
    attempt_grade(attempt=attempt, by=teacher.user, grades=[{"answer_id": essay.pk, "marks_awarded": 8}])
    for url in (reverse("analytics:quiz", args=[science.pk]), reverse("analytics:quiz_print", args=[science.pk])):
        body = page(teacher, url).content.decode()
        row = _row(body, "Explain photosynthesis")
        assert "0 / 1" not in row  # it was "Correct 0/1" next to 8 marks of 10
        assert "1 marked by hand" in row and ">8<" in row and ">80%<" in row
        assert "1 / 1" in _row(body, "What is 2+2?")  # objective questions keep their count
