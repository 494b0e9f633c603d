"""quizsite.text: C0 control characters (other than tab, line feed and carriage return) are refused wherever text
comes in: every API body (JSON, form, multipart), every page form, and question import rows. Nothing is written, and
the answer names the field. An exported name with such a character once made every XLSX export answer 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import Student, User
from quizsite.text import (
    STRIP,
    control_character_error,
    find_control_character,
    strip_control_characters,
    strips_control_characters,
)
from quizzes.models import Question, Quiz

pytestmark = pytest.mark.django_db

NEW_STUDENT = {"name": "Ali\x01ce", "email": "ali@school.test", "registration_number": "STU555"}
NEW_QUESTION = {"type": "short_answer", "text": "Symbol of\x1b gold?", "accepted_answers": ["Au"], "marks": 1}
NEW_QUIZ = {"title": "Frac\x08tions", "subject": "Maths", "time_limit_minutes": 30}


# --- the rule ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("char", [chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]])
def test_every_c0_control_but_tab_newline_and_return_is_an_error(char):
    message = control_character_error(f"ab{char}c")
    assert message and f"U+{ord(char):04X}" in message


@pytest.mark.parametrize("text", ["", "plain", "tab\there", "two\nlines", "windows\r\nlines", "Zoë – 5 €", "\x7f\x85"])
def test_ordinary_text_passes(text):
    assert control_character_error(text) is None


def test_find_names_the_nested_field_and_checks_keys():
    assert find_control_character({"a": "ok", "options": ["x", "y\x02"]})[0] == "options.1"
    assert find_control_character([{"name": "ok"}, {"name": "b\x00d"}])[0] == "1.name"
    assert find_control_character({"metadata": {"k\x07": 1}})[0] == "metadata"
    assert find_control_character({"n": 1, "b": True, "x": None, "l": [1.5, {"t": "fine\n"}]}) is None


def test_deep_nesting_is_walked_without_recursion():
    data = "bad\x01"
    for _ in range(5000):
        data = [data]
    assert find_control_character(data)[0].count(".") == 4999


def test_strip_removes_them_and_keeps_the_rest():
    assert strip_control_characters({"a\x01": ["x\x00y", 3, {"t": "tab\tkeep\r\n\x1f"}]}) == {
        "a": ["xy", 3, {"t": "tab\tkeep\r\n"}]
    }


# --- the API: JSON, form and multipart bodies ------------------------------------------------------------------
def assert_refused(response, field):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"].startswith(f"{field}: ") and "control character" in body["detail"]
    assert field in body["errors"]


def test_api_refuses_a_student_name_and_writes_nothing(api_for, admin):
    res = api_for(admin).post("/api/v1/students", NEW_STUDENT, format="json")
    assert_refused(res, "name")
    assert not Student.objects.exists() and not User.objects.filter(email="ali@school.test").exists()


def test_api_refuses_a_question_text_and_writes_nothing(api_for, teacher):
    assert_refused(api_for(teacher).post("/api/v1/questions", NEW_QUESTION, format="json"), "text")
    assert not Question.objects.exists()


def test_api_refuses_a_quiz_title_and_writes_nothing(api_for, teacher):
    assert_refused(api_for(teacher).post("/api/v1/quizzes", NEW_QUIZ, format="json"), "title")
    assert not Quiz.objects.exists()


def test_api_refuses_a_nested_option_and_an_update(api_for, teacher):
    client = api_for(teacher)
    bad = {"type": "mcq", "text": "2+2?", "options": ["3", "4\x0c"], "correct_answer": 1}
    assert_refused(client.post("/api/v1/questions", bad, format="json"), "options.1")
    ok = client.post("/api/v1/questions", {**bad, "options": ["3", "4"]}, format="json")
    assert ok.status_code == 201
    res = client.patch(f"/api/v1/questions/{ok.json()['id']}", {"text": "2+2\x00?"}, format="json")
    assert_refused(res, "text")
    assert Question.objects.get().text == "2+2?"


def test_api_refuses_form_encoded_and_multipart_bodies(api_for, teacher):
    client = api_for(teacher)
    assert_refused(client.post("/api/v1/quizzes", NEW_QUIZ), "title")  # multipart, the test client's default
    res = client.generic(
        "POST",
        "/api/v1/quizzes",
        "title=Frac%08tions&subject=Maths&time_limit_minutes=30",
        content_type="application/x-www-form-urlencoded",
    )
    assert_refused(res, "title")
    assert not Quiz.objects.exists()


def test_api_accepts_tabs_and_line_breaks(api_for, teacher):
    text = "Line one\r\n\tLine two\nLine three"
    res = api_for(teacher).post("/api/v1/questions", {**NEW_QUESTION, "text": text}, format="json")
    assert res.status_code == 201, res.json()
    assert Question.objects.get().text == text


def test_upload_endpoints_check_their_form_fields_too(api_for, teacher):
    upload = SimpleUploadedFile("q.csv", b"text,type,accepted_answers\nWhat?,short_answer,a\n")
    res = api_for(teacher).post(
        "/api/v1/questions/bulk-import", {"file": upload, "dry_run": "tr\x01ue"}, format="multipart"
    )
    assert_refused(res, "dry_run")
    assert not Question.objects.exists()


def test_every_api_view_parses_with_the_checking_parsers():
    """A view that names its own parser_classes (uploads do) must take them from quizsite.api.parsers, or its
    bodies would skip the check."""
    from django.urls import get_resolver
    from rest_framework.parsers import BaseParser

    from quizsite.api.parsers import ControlCharacterCheck
    from quizsite.tests.sweep import _walk

    unchecked, views = set(), 0
    for _raw, name, callback in _walk(get_resolver().url_patterns):
        cls = getattr(callback, "cls", None)
        if cls is None:
            continue
        views += 1
        parsers = (getattr(callback, "initkwargs", None) or {}).get("parser_classes", cls.parser_classes)
        for parser in parsers:
            if issubclass(parser, BaseParser) and not issubclass(parser, ControlCharacterCheck):
                unchecked.add((name, parser.__name__))
    assert views > 40
    assert not unchecked - KNOWN_UNCHECKED, sorted(unchecked)


KNOWN_UNCHECKED: set = set()


# --- pages ---------------------------------------------------------------------------------------------------------
def assert_page_refused(response, field):
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert f"“{field}”" in text and "control character" in text


def test_page_refuses_a_student_name_and_writes_nothing(client, admin, school_class):
    client.force_login(admin)
    data = {**NEW_STUDENT, "school_class": str(school_class.pk)}
    assert_page_refused(client.post(reverse("classrooms:student_create"), data), "name")
    assert not Student.objects.exists()


def test_page_refuses_a_question_text_and_writes_nothing(client, teacher):
    client.force_login(teacher.user)
    data = {"type": "short_answer", "text": "Symbol of\x1b gold?", "difficulty": "easy", "marks": 1,
            "accepted_answers": "Au"}  # fmt: skip
    assert_page_refused(client.post(reverse("quizzes:question_create"), data), "text")
    assert not Question.objects.exists()


def test_page_refuses_a_quiz_title_and_writes_nothing(client, teacher):
    client.force_login(teacher.user)
    data = {**NEW_QUIZ, "passing_percentage": 40, "max_attempts": 1, "violation_threshold": 3}
    assert_page_refused(client.post(reverse("quizzes:create"), data), "title")
    assert not Quiz.objects.exists()


def test_page_forms_still_work_with_line_breaks(client, teacher):
    client.force_login(teacher.user)
    data = {"type": "short_answer", "text": "Symbol\r\nof gold?", "difficulty": "easy", "marks": 1,
            "accepted_answers": "Au\r\ngold"}  # fmt: skip
    assert client.post(reverse("quizzes:question_create"), data).status_code == 302
    assert Question.objects.get().accepted_answers == ["Au", "gold"]


def test_a_view_marked_to_strip_gets_clean_text_instead_of_a_refusal():
    """Where refusing would lose work (a student's answers during an exam), a view opts into stripping."""
    from quizsite.text import ControlCharacterMiddleware

    seen = {}

    @strips_control_characters
    def view(request):
        seen.update(request.POST.dict())
        return HttpResponse("ok")

    assert view.control_characters == STRIP
    request = RequestFactory().post("/attempts/x/submit/", {"answer-1": "Two\x0b quarters\n"})
    middleware = ControlCharacterMiddleware(lambda r: view(r))
    assert middleware.process_view(request, view, (), {}) is None
    view(request)
    assert seen == {"answer-1": "Two quarters\n"}


def test_an_api_view_marked_to_strip_gets_clean_data():
    from rest_framework.response import Response
    from rest_framework.test import APIRequestFactory
    from rest_framework.views import APIView

    class Echo(APIView):
        authentication_classes = []
        permission_classes = []
        control_characters = STRIP

        def post(self, request):
            return Response(request.data)

    request = APIRequestFactory().post("/x", {"answer_text": "a\x0bb", "n": [1, "c\x00"]}, format="json")
    assert Echo.as_view()(request).data == {"answer_text": "ab", "n": [1, "c"]}


# --- imports -------------------------------------------------------------------------------------------------------
def test_question_import_refuses_the_row_and_imports_the_others(api_for, teacher):
    csv = (
        "text,type,options,correct_answer,accepted_answers\n"
        "What is 2+2?,mcq,3|4|5,1,\n"
        "Symbol of\x1b gold?,short_answer,,,Au\n"
        "Capital of France?,short_answer,,,Par\x02is\n"
    )
    upload = SimpleUploadedFile("q.csv", csv.encode())
    res = api_for(teacher).post("/api/v1/questions/bulk-import", {"file": upload}, format="multipart")
    assert res.status_code == 200, res.json()
    body = res.json()
    assert body["imported"] == 1 and [e["row"] for e in body["errors"]] == [3, 4]
    assert body["errors"][0]["error"].startswith("text:") and "U+001B" in body["errors"][0]["error"]
    assert body["errors"][1]["error"].startswith("accepted_answers:")
    assert list(Question.objects.values_list("text", flat=True)) == ["What is 2+2?"]


def test_read_table_says_which_cell_of_a_row_has_one():
    from quizsite.tabular import row_control_character_error

    assert row_control_character_error({"name": "Ali\x01ce", "email": "a@b.c", "__row__": 2}).startswith("name:")
    assert row_control_character_error({"name": "Alice", "__row__": 2}) is None
