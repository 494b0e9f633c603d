"""The student's pages: enter a code → intro → start → exam page → submit → result; my results. Outsiders."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from attempts.models import AttemptStatus, QuizAttempt, StudentAnswer
from attempts.tests.conftest import assert_no_leak
from quizzes.models import QuizStatus
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_student(client, student):
    client.force_login(student.user)
    return client


def begin(client, quiz):
    response = client.post(reverse("attempts:start", args=[quiz.pk]))
    assert response.status_code == 302
    return QuizAttempt.objects.get(quiz=quiz)


def test_enter_code_case_insensitively_leads_to_the_intro(as_student, quiz):
    response = as_student.post(reverse("attempts:enter"), {"access_code": f"  {quiz.access_code.lower()} "})
    assert response.status_code == 302 and response["Location"] == reverse("attempts:intro", args=[quiz.pk])


def test_unknown_or_foreign_code_shows_an_error_next_to_the_field(as_student, teacher, other_class):
    response = as_student.post(reverse("attempts:enter"), {"access_code": "NOPE2345"})
    assert response.status_code == 200 and "No quiz has this access code" in response.content.decode()
    foreign = make_quiz(teacher, other_class)
    response = as_student.post(reverse("attempts:enter"), {"access_code": foreign.access_code})
    assert "not assigned to your class" in response.content.decode()


@pytest.mark.parametrize("typed", ["abcd-2345", " ABCD 2345 "])
def test_the_page_accepts_every_code_the_api_accepts(as_student, api_for, student, teacher, school_class, typed):
    """One lookup for both (quizzes.selectors.quiz_get_by_access_code): case, spaces and a dash do not matter."""
    quiz = make_quiz(teacher, school_class, access_code="ABCD2345")
    response = as_student.post(reverse("attempts:enter"), {"access_code": typed})
    assert response.status_code == 302 and response["Location"] == reverse("attempts:intro", args=[quiz.pk])
    api = api_for(student).get(f"/api/v1/quizzes/access/{quote(typed)}")
    assert api.status_code == 200 and api.json()["id"] == str(quiz.pk)


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("unknown", "No quiz has this access code"),
        ("draft", "No quiz has this access code"),
        ("other class", "not assigned to your class"),
        ("archived", "This quiz is closed"),
    ],
)
def test_the_page_and_the_api_refuse_the_same_codes(
    as_student, api_for, student, teacher, school_class, other_class, case, words
):
    if case == "draft":
        make_quiz(teacher, school_class, access_code="ABCD2345", status=QuizStatus.DRAFT)
    elif case == "other class":
        make_quiz(teacher, other_class, access_code="ABCD2345")
    elif case == "archived":
        make_quiz(teacher, school_class, access_code="ABCD2345", status=QuizStatus.ARCHIVED)
    response = as_student.post(reverse("attempts:enter"), {"access_code": "abcd-2345"})
    assert response.status_code == 200 and words in response.content.decode()
    assert api_for(student).get("/api/v1/quizzes/access/abcd-2345").status_code == 404


def test_intro_shows_time_questions_rules_and_violation_policy(as_student, quiz):
    text = as_student.get(reverse("attempts:intro", args=[quiz.pk])).content.decode()
    assert "30 minutes" in text and ">4<" in text and "after 3 violations your quiz is submitted automatically" in text
    assert "Start quiz" in text
    assert_no_leak(text)


def test_intro_says_why_a_start_is_refused(as_student, teacher, school_class):
    quiz = make_quiz(teacher, school_class, start_date=timezone.now() + timedelta(days=1), end_date=None)
    text = as_student.get(reverse("attempts:intro", args=[quiz.pk])).content.decode()
    assert "This quiz opens at" in text and "Start quiz" not in text


def test_start_then_exam_page_has_questions_saved_answers_and_no_key(as_student, student, quiz):
    attempt = begin(as_student, quiz)
    mcq = quiz.quiz_questions.get(order_index=0).question
    StudentAnswer.objects.create(attempt=attempt, question=mcq, answer_option=1)
    response = as_student.get(reverse("attempts:take", args=[attempt.pk]))
    text = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "What is 1/2 + 1/4?" in text and "Question 4 of 4" in text
    assert f'name="answer-{mcq.pk}" value="1" checked' in text
    assert '"violationUrl"' in text and "exam.js" in text
    assert_no_leak(text)
    # Starting again from the intro resumes.
    assert begin(as_student, quiz).pk == attempt.pk
    assert "Resume quiz" in as_student.get(reverse("attempts:intro", args=[quiz.pk])).content.decode()


def test_plain_form_submit_saves_posted_answers_and_shows_the_result(as_student, quiz):
    attempt = begin(as_student, quiz)
    questions = {qq.question.type: qq.question for qq in quiz.quiz_questions.select_related("question")}
    data = {
        f"answer-{questions['mcq'].pk}": "1",
        f"answer-{questions['short_answer'].pk}": "1/2",
        f"answer-{questions['descriptive'].pk}": "Both are one half.",
    }
    response = as_student.post(reverse("attempts:submit", args=[attempt.pk]), data, follow=True)
    text = response.content.decode()
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score == 4
    assert "Awaiting grading" in text and "Both are one half." in text
    assert_no_leak(text)
    # The exam page of a finished attempt leads to the result.
    assert as_student.get(reverse("attempts:take", args=[attempt.pk]))["Location"].endswith("/result/")


def test_result_of_a_graded_quiz_with_answers_shown(as_student, teacher, school_class):
    quiz = make_quiz(teacher, school_class, show_answers_after_submission=True, passing_percentage=10)
    attempt = begin(as_student, quiz)
    mcq = quiz.quiz_questions.get(order_index=0).question
    as_student.post(reverse("attempts:submit", args=[attempt.pk]), {f"answer-{mcq.pk}": "1"})
    text = as_student.get(reverse("attempts:result", args=[attempt.pk])).content.decode()
    assert "<strong>2</strong> / 10" in text and "Passed" in text and "(correct)" in text and "(your answer)" in text


def test_result_after_violations_says_why(as_student, quiz):
    attempt = begin(as_student, quiz)
    QuizAttempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    text = as_student.get(reverse("attempts:result", args=[attempt.pk])).content.decode()
    assert "Time ran out" in text


def test_my_results_lists_only_mine(as_student, student, outsider_student, quiz, teacher, other_class):
    begin(as_student, quiz)
    other_quiz = make_quiz(teacher, other_class, title="Not mine")
    QuizAttempt.objects.create(
        quiz=other_quiz, student=outsider_student, deadline=timezone.now() + timedelta(minutes=5)
    )
    text = as_student.get(reverse("attempts:mine")).content.decode()
    assert "Fractions check" in text and "Resume" in text and "Not mine" not in text


def test_outsiders_on_every_page(client, student, outsider_student, teacher, quiz):
    client.force_login(student.user)
    attempt = begin(client, quiz)
    pages = [
        ("get", reverse("attempts:take", args=[attempt.pk])),
        ("get", reverse("attempts:result", args=[attempt.pk])),
        ("post", reverse("attempts:submit", args=[attempt.pk])),
        ("get", reverse("attempts:intro", args=[quiz.pk])),
        ("post", reverse("attempts:start", args=[quiz.pk])),
    ]
    client.force_login(outsider_student.user)
    for method, url in pages:
        assert getattr(client, method)(url).status_code == 404, url
    client.force_login(teacher.user)
    for method, url in [*pages, ("get", reverse("attempts:enter")), ("get", reverse("attempts:mine"))]:
        assert getattr(client, method)(url).status_code == 403, url
    client.logout()
    for method, url in pages:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS and QuizAttempt.objects.count() == 1


def test_the_exam_page_loads_its_script_as_modules_that_all_resolve(as_student, quiz):
    """exam.js is an ES module importing its parts from ./exam/: every import must be served (WhiteNoise)."""
    import re

    attempt = begin(as_student, quiz)
    text = as_student.get(reverse("attempts:take", args=[attempt.pk])).content.decode()
    main = re.search(r'<script type="module" src="([^"]+/exam\.js)"></script>', text).group(1)
    pending, seen = [main], set()
    while pending:
        src = pending.pop()
        seen.add(src)
        response = as_student.get(src)
        assert response.status_code == 200 and "javascript" in response["Content-Type"], src
        body = b"".join(response.streaming_content if response.streaming else [response.content]).decode()
        base = src.rsplit("/", 1)[0]
        for target in re.findall(r'^import .* from "\./([^"]+)";$', body, flags=re.MULTILINE):
            if f"{base}/{target}" not in seen:
                pending.append(f"{base}/{target}")
    assert len(seen) > 1  # exam.js and its parts
