"""Exports: the guide's results columns, formula-injection-safe cells, PDFs with the right text for the right
viewer, and nothing for outsiders."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from analytics import exports
from analytics.cache import invalidate_quiz_analytics
from attempts.models import QuizAttempt
from tests.builders import CORRECT, WRONG, finish_attempt, make_quiz
from tests.factories import QuestionFactory, QuizAttemptFactory, StudentFactory
from tests.pdf import border_box, flow_boxes, inside, is_text, layout, page_area, pdf_lines

pytestmark = pytest.mark.django_db

RESULT_HEADERS = [
    "Student Name",
    "Registration Number",
    "Quiz Title",
    "Attempt Number",
    "Score",
    "Total Marks",
    "Percentage",
    "Status",
    "Passed",
    "Violations",
    "Submitted At",
]


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"[ \t]+", " ", text)


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def alice_attempt(quiz, student):
    return finish_attempt(quiz, student, [CORRECT, WRONG, CORRECT], violations=1)


def test_results_csv_has_the_guide_columns(api_for, teacher, quiz, alice_attempt, school_class):
    QuizAttemptFactory(quiz=quiz, student=StudentFactory(school_class=school_class, user__name="Zed Zero"))
    response = api_for(teacher).get(f"/api/v1/exports/quiz/{quiz.pk}/results?format=csv")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == RESULT_HEADERS
    alice = rows[1]
    assert alice[:4] == ["Alice Johnson", "STU2026001", "Fractions test", "1"]
    assert alice[4:10] == ["2.00", "3", "66.67%", "Graded", "Yes", "1"]
    assert alice[10] == alice_attempt.submitted_at.strftime("%Y-%m-%d %H:%M:%S")
    in_progress = rows[2]
    assert in_progress[0] == "Zed Zero" and in_progress[6] == "N/A" and in_progress[10] == "N/A"


def test_results_cells_cannot_become_formulas(api_for, teacher, quiz, school_class):
    evil = StudentFactory(school_class=school_class, user__name='=HYPERLINK("http://evil.test","x")')
    finish_attempt(quiz, evil, [CORRECT, CORRECT, CORRECT])
    quiz.title = "+SUM(A1:A9)"
    quiz.save()
    rows = read_csv(api_for(teacher).get(f"/api/v1/exports/quiz/{quiz.pk}/results"))
    assert rows[1][0] == '\'=HYPERLINK("http://evil.test","x")'
    assert rows[1][2] == "'+SUM(A1:A9)"

    response = api_for(teacher).get(f"/api/v1/exports/quiz/{quiz.pk}/results?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == RESULT_HEADERS
    assert sheet["A2"].value.startswith("'=") and sheet["A2"].data_type == "s"


def test_results_export_rejects_unknown_format(api_for, teacher, quiz):
    response = api_for(teacher).get(f"/api/v1/exports/quiz/{quiz.pk}/results?format=pdf")
    assert response.status_code == 400 and "format" in response.json()["detail"]


def test_analytics_export_csv_and_xlsx_item_table(api_for, teacher, quiz, alice_attempt, make_students):
    finish_attempt(quiz, make_students(1)[0], [WRONG, WRONG, WRONG])
    client = api_for(teacher)
    rows = read_csv(client.get(f"/api/v1/analytics/quiz/{quiz.pk}/export?format=csv"))
    assert rows[0][:3] == ["Number", "Question", "Type"] and "Discrimination index (%)" in rows[0]
    assert len(rows) == 4  # header + 3 questions
    assert rows[1][rows[0].index("Facility index (%)")] == "50.0"
    xlsx = client.get(f"/api/v1/analytics/quiz/{quiz.pk}/export?format=xlsx&attempts=best")
    assert xlsx.status_code == 200 and "best" in xlsx["Content-Disposition"]
    assert load_workbook(io.BytesIO(xlsx.content)).active.max_row == 4


def test_analytics_pdf_has_summary_histogram_and_items(api_for, teacher, admin, quiz, alice_attempt):
    for path in (f"/api/v1/analytics/quiz/{quiz.pk}/export?format=pdf", f"/api/v1/exports/analytics/{quiz.pk}"):
        response = api_for(teacher).get(path)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content)
        assert "Quiz analytics: Fractions test" in text
        assert "Score distribution" in text and "Discrimination" in text
        assert "Alice Johnson" in text
    assert api_for(admin).get(f"/api/v1/exports/analytics/{quiz.pk}?format=pdf").status_code == 200
    assert api_for(teacher).get(f"/api/v1/exports/analytics/{quiz.pk}?format=csv").status_code == 400


def test_attempt_pdf_for_staff_shows_correct_answers(api_for, teacher, admin, quiz, alice_attempt):
    for user in (teacher, admin):
        response = api_for(user).get(f"/api/v1/exports/attempts/{alice_attempt.pk}/pdf")
        assert response.status_code == 200
        text = pdf_text(response.content)
        assert "Alice Johnson" in text and "STU2026001" in text and "Fractions test" in text
        assert "Answer given: two" in text and "Answer given: one" in text  # option texts, not indexes
        assert "Correct answer: two" in text
        assert "Tab switch" in text  # the violation


def test_attempt_pdf_for_the_student_hides_answers_unless_quiz_shows_them(api_for, student, quiz, alice_attempt):
    client = api_for(student)
    text = pdf_text(client.get(f"/api/v1/exports/attempts/{alice_attempt.pk}/pdf").content)
    assert "Alice Johnson" in text and "Answer given" in text
    assert "Correct answer" not in text

    quiz.show_answers_after_submission = True
    quiz.save()
    text = pdf_text(client.get(f"/api/v1/exports/attempts/{alice_attempt.pk}/pdf").content)
    assert "Correct answer: two" in text

    quiz.allow_review = False
    quiz.save()
    text = pdf_text(client.get(f"/api/v1/exports/attempts/{alice_attempt.pk}/pdf").content)
    assert "not allowed review" in text and "Answer given" not in text and "Correct answer" not in text


def test_student_cannot_download_an_attempt_in_progress(api_for, student, quiz):
    attempt = QuizAttemptFactory(quiz=quiz, student=student)
    assert api_for(student).get(f"/api/v1/exports/attempts/{attempt.pk}/pdf").status_code == 404


@pytest.mark.parametrize("who", ["other_teacher", "outsider_student"])
def test_outsiders_get_404_for_every_export(request, api_for, who, quiz, alice_attempt):
    client = api_for(request.getfixturevalue(who))
    for path in (
        f"/api/v1/exports/attempts/{alice_attempt.pk}/pdf",
        f"/api/v1/exports/quiz/{quiz.pk}/results?format=csv",
        f"/api/v1/exports/analytics/{quiz.pk}?format=pdf",
        f"/api/v1/analytics/quiz/{quiz.pk}/export?format=csv",
    ):
        response = client.get(path)
        assert response.status_code in (403, 404), path
        assert b"Alice" not in response.content and not response.content.startswith(b"%PDF")
        if who == "other_teacher":
            assert response.status_code == 404


def test_the_student_cannot_export_the_class_results(api_for, student, quiz, alice_attempt):
    response = api_for(student).get(f"/api/v1/exports/quiz/{quiz.pk}/results")
    assert response.status_code == 403 and "Alice" not in response.content.decode()
    assert QuizAttempt.objects.count() == 1


def test_long_reports_point_to_the_results_export_instead_of_listing_everyone(
    api_for, teacher, quiz, alice_attempt, make_students, monkeypatch
):
    for s in make_students(2):
        finish_attempt(quiz, s, [WRONG, CORRECT, WRONG])
    monkeypatch.setattr(exports, "REPORT_STUDENT_ROWS", 2)
    text = pdf_text(api_for(teacher).get(f"/api/v1/exports/analytics/{quiz.pk}").content)
    assert "3 attempts: too many to list here" in text and "Alice Johnson" not in text


def test_empty_quiz_exports_and_analytics_do_not_fail(api_for, teacher):
    from tests.builders import build_quiz

    empty = build_quiz(teacher, questions=0, title="Empty quiz")
    client = api_for(teacher)
    data = client.get(f"/api/v1/analytics/quiz/{empty.pk}").json()
    assert data["total_attempts"] == 0 and data["question_statistics"] == [] and data["average_score"] is None
    assert "Empty quiz" in pdf_text(client.get(f"/api/v1/exports/analytics/{empty.pk}").content)
    assert read_csv(client.get(f"/api/v1/exports/quiz/{empty.pk}/results")) == [RESULT_HEADERS]


def test_export_query_counts_do_not_grow_with_attempts(
    api_for, teacher, quiz, alice_attempt, make_students, django_assert_num_queries
):
    client = api_for(teacher)
    paths = {
        f"/api/v1/exports/quiz/{quiz.pk}/results?format=csv": 3,  # auth user, quiz, attempts
        f"/api/v1/exports/quiz/{quiz.pk}/results?format=xlsx": 3,
        f"/api/v1/analytics/quiz/{quiz.pk}/export?format=csv": 6,  # the quiz analytics' queries
        # auth, attempt, answers, questions, question versions (issue 15), violations
        f"/api/v1/exports/attempts/{alice_attempt.pk}/pdf": 6,
    }
    for size in (1, 8):
        for s in make_students(size):
            finish_attempt(quiz, s, [CORRECT, WRONG, CORRECT], violations=1)
        invalidate_quiz_analytics(quiz.pk)
        for path, expected in paths.items():
            with django_assert_num_queries(expected):
                assert client.get(path).status_code == 200


# --- the analytics PDF on paper -------------------------------------------------------------------------------------

TRAIN = (
    "A train leaves the station at nine in the morning travelling east at sixty kilometres an hour; how far has "
    "it gone by noon if it never stops on the way?"
)
ITEM_TABLE_HEADERS = [
    "Question",
    "Marks",
    "Correct / answered",
    "Avg marks",
    "Facility",
    "SD",
    "Discr. index",
    "Discr. efficiency",
    "Eff. weight",
]


def test_analytics_pdf_question_table_fits_the_page(api_for, teacher, school_class, make_students):
    questions = [QuestionFactory(created_by=teacher, text=f"{TRAIN} ({i})", marks=1) for i in range(4)]
    quiz = make_quiz(teacher, school_class, questions=questions, title="Long questions", start_date=None, end_date=None)
    for s in make_students(6):
        finish_attempt(quiz, s, [CORRECT, WRONG, CORRECT, WRONG])

    lines = pdf_lines(api_for(teacher).get(f"/api/v1/exports/analytics/{quiz.pk}").content)
    text = "\n".join(lines)
    for header in ITEM_TABLE_HEADERS:
        assert header in text, header
    # The question column is wide enough for a phrase of 40-odd characters on one line (it was ~6 a line).
    phrase = "A train leaves the station at nine in the"
    assert sum(phrase in line for line in lines) == 4, [line for line in lines if "train" in line]

    # Nothing of the report is laid out beyond the page's printable area: not a cell, not a letter.
    context = {**exports.quiz_report_context(quiz, attempts="all"), "pdf": True}
    document = layout("analytics/print/quiz_report.html", context)
    for number, page in enumerate(document.pages, start=1):
        area = page_area(page)
        for box in flow_boxes(page):
            if is_text(box) or type(box).__name__ in ("TableBox", "TableCellBox"):
                assert inside(border_box(box), area), (number, getattr(box, "text", type(box).__name__), area)
