"""Issue 15: a question written (or imported) with script, event handlers, javascript: links and SVG payloads
renders inert on every page that shows it and in the PDF: the exam, the review, the grading view, the preview,
the printable report and its PDF."""

import io

import pytest
from django.urls import reverse

from attempts import services
from quizzes.services import question_create
from tests.builders import make_quiz
from tests.html_checks import live_markup

pytestmark = pytest.mark.django_db

XSS = (
    '<script>alert("s")</script> <img src=x onerror=alert(1)> [click](javascript:alert(2)) '
    '<svg onload=alert(3)><circle/></svg> <a href="javascript:alert(4)">a</a> $x^2$ $<img src=x onerror=alert(5)>$'
)


@pytest.fixture
def hostile_quiz(teacher, school_class):
    by = teacher.user
    questions = [
        question_create(
            by=by,
            data={
                "type": "mcq",
                "text": "MCQ " + XSS,
                "options": ["<img src=x onerror=alert(6)>", "**safe** $\\frac{1}{2}$"],
                "correct_answer": 1,
                "details": {"feedback": ["<script>alert(7)</script>", "[x](javascript:alert(8))"]},
                "general_feedback": XSS,
            },
        ),
        question_create(
            by=by,
            data={
                "type": "multiple_response",
                "text": "MR " + XSS,
                "options": ["<svg onload=alert(9)>", "b"],
                "details": {"correct": [1]},
            },
        ),
        question_create(
            by=by,
            data={
                "type": "cloze",
                "text": "Cloze " + XSS + " fill [[1]]",
                "details": {"blanks": [{"id": 1, "answers": ["<script>alert(10)</script>"]}]},
            },
        ),
        question_create(
            by=by,
            data={
                "type": "matching",
                "text": "Match " + XSS,
                "details": {
                    "pairs": [
                        {"prompt": "<img src=x onerror=alert(11)>", "answer": '"><script>alert(12)</script>'},
                        {"prompt": "p2", "answer": "<svg onload=alert(13)>"},
                    ]
                },
            },
        ),
        question_create(
            by=by,
            data={
                "type": "ordering",
                "text": "Order " + XSS,
                "details": {"items": ['"><img src=x onerror=alert(14)>', "<b onmouseover=alert(15)>b</b>"]},
            },
        ),
    ]
    return make_quiz(
        teacher, school_class, questions=questions, start_date=None, end_date=None, show_answers_after_submission=True
    )


def assert_inert_page(html: str, where: str):
    problems = live_markup(html, page=True)
    assert not problems, f"{where}: live markup from a question: {problems}"
    assert "alert(" in html, f"{where}: the payloads should be shown as text"  # shown, escaped, not dropped


def test_hostile_questions_are_inert_everywhere(client, teacher, student, hostile_quiz):
    attempt, _ = services.attempt_start(quiz=hostile_quiz, student=student, by=student.user)
    questions = {qq.question.type: qq.question for qq in hostile_quiz.quiz_questions.select_related("question")}
    services.answers_save(
        attempt_id=attempt.pk,
        student_id=student.pk,
        answers=[
            {"question_id": str(questions["cloze"].pk), "response": {"1": "<script>alert(16)</script>"}},
            {
                "question_id": str(questions["matching"].pk),
                "response": ['"><script>alert(12)</script>', "<svg onload=alert(13)>"],
            },
            {"question_id": str(questions["mcq"].pk), "answer_option": 0},
        ],
    )
    client.force_login(student.user)
    assert_inert_page(client.get(reverse("attempts:take", args=[attempt.pk])).content.decode(), "exam page")
    services.attempt_submit(attempt=attempt, by=student.user)
    assert_inert_page(client.get(reverse("attempts:result", args=[attempt.pk])).content.decode(), "review")
    print_page = client.get(reverse("analytics:attempt_print", args=[attempt.pk]))
    assert_inert_page(print_page.content.decode(), "printable report (student)")

    client.force_login(teacher.user)
    assert_inert_page(client.get(reverse("grading:attempt", args=[attempt.pk])).content.decode(), "grading")
    assert_inert_page(client.get(reverse("quizzes:preview", args=[hostile_quiz.pk])).content.decode(), "preview")

    # The PDF: the HTML WeasyPrint renders is inert too (its fetcher would refuse any URL anyway), and the text
    # and the math come out as text.
    from django.template.loader import render_to_string

    from analytics.selectors.reports import attempt_report

    html = render_to_string(
        "analytics/print/attempt_report.html", {**attempt_report(attempt, viewer=teacher.user), "pdf": True}
    )
    assert not live_markup(html, page=True), "PDF source"
    pdf = client.get(reverse("exports-attempt-pdf", kwargs={"attempt_id": attempt.pk}))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    text = "".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content)).pages
    )
    assert 'alert("s")' in text  # the script is printed as text
    assert "Correct answer" in text
