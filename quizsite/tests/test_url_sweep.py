"""Every URL of the project, walked by an anonymous visitor and fuzzed with bad input by an admin and a teacher.

The lists come from the URL resolver (quizsite.tests.sweep), so an endpoint added later is covered without
anyone remembering to add it here. Each endpoint is first called bare, noting which keys of the body and query
string it reads (sweep.keys_read); the bad values are then sent for those keys only: a key the endpoint never
reads leaves the answer the bare call already had.
"""

import json
import uuid
from urllib.parse import parse_qs

import pytest
from django.test import Client

from quizsite.tests.sweep import ALL, api_routes, keys_read, page_routes, record_keys_read
from tests.builders import answer, make_quiz, start_attempt

PUBLIC_API = {
    "/api/v1/auth/login/",
    "/api/v1/auth/refresh/",
    "/api/v1/auth/logout/",
    "/api/v1/auth/claim-account/",
    "/api/v1/auth/forgot-password/",
    "/api/v1/auth/verify-reset-code/",
    "/api/v1/auth/reset-password/",
}
PUBLIC_PAGES = {
    "/",
    "/healthz",
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/claim/",
    "/accounts/password/forgot/",
    "/accounts/password/verify/",
    "/accounts/password/reset/",
}
# LTI (issue 19): what an LMS and its users reach before any sign-in here; each is protected by the LTI flow itself
# (signed id_token, OIDC state/nonce, one-use tokens; tested in lti/tests). Without those they refuse with a 4xx.
PUBLIC_PROTOCOL_PAGES = {
    "/lti/jwks/",
    "/lti/login/",
    "/lti/launch/",
    "/lti/go/{ticket}/",
    "/lti/deep-link/",
    "/lti/register/{token}/",
}


@pytest.fixture
def notes_keys_read(monkeypatch):
    record_keys_read(monkeypatch)


def _union(a, b):
    return ALL if a is ALL or b is ALL else a | b


def _call(client, method, url, body=None, content_type="application/json"):
    fn = getattr(client, method.lower())
    if method == "GET":
        return fn(url)
    return fn(url, data=body if body is not None else "{}", content_type=content_type)


@pytest.mark.django_db
def test_every_api_endpoint_refuses_anonymous_callers_with_401(api):
    checked = 0
    for route in api_routes():
        if route.template in PUBLIC_API:
            continue
        url = route.url()
        for method in route.methods:
            response = _call(api, method, url)
            checked += 1
            assert response.status_code in (401, 405), (method, url, response.status_code)
            assert "detail" in response.json(), (method, url)
    assert checked > 60  # the resolver really was walked


@pytest.mark.django_db
def test_public_auth_endpoints_answer_empty_bodies_with_4xx_json(api):
    for url in sorted(PUBLIC_API):
        response = api.post(url, data="{}", content_type="application/json")
        assert 400 <= response.status_code < 500, (url, response.status_code)
        assert "detail" in response.json(), url


@pytest.mark.django_db
def test_every_page_sends_anonymous_visitors_to_the_login_page():
    client = Client()
    checked = 0
    for route in page_routes():
        if route.template in PUBLIC_PAGES | PUBLIC_PROTOCOL_PAGES:
            continue
        url = route.url()
        response = client.get(url)
        checked += 1
        assert response.status_code == 302, (url, response.status_code)
        assert response["Location"].startswith("/accounts/login/"), (url, response["Location"])
        # A POST must not act either (and never 500).
        response = client.post(url, {"confirm": "1"})
        assert response.status_code in (302, 405), (url, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), url
    assert checked > 50


@pytest.mark.django_db
def test_public_pages_render_for_anonymous_visitors():
    client = Client()
    for url in sorted(PUBLIC_PAGES):
        response = client.get(url)
        assert response.status_code in (200, 302, 405), (url, response.status_code)


@pytest.mark.django_db
def test_protocol_pages_refuse_anonymous_visitors_without_the_protocol_with_a_4xx():
    client = Client()
    for url in sorted(PUBLIC_PROTOCOL_PAGES):
        for method in ("get", "post"):
            response = getattr(client, method)(url.format(ticket="x", token="x"))
            assert response.status_code < 500, (method, url, response.status_code)
            assert "_auth_user_id" not in client.session


# ---------------------------------------------------------------------------------------------------------------
# Bad input never 500: every write endpoint, as an admin and as a teacher, with a real object in the URL.

BAD_BODIES = [
    ("malformed", "{not json", "application/json"),
    ("list", "[1, 2, 3]", "application/json"),
    ("string", '"hello"', "application/json"),
    ("number", "42", "application/json"),
    ("null", "null", "application/json"),
    ("form", "a=1&b=2", "application/x-www-form-urlencoded"),
]

# Values a serializer may let through to a service are sent one field at a time; values of a wrong shape are
# rejected by every field, so one body carrying all fields covers them (DRF validates every field of a body).
WRONG_VALUES = ["x", -1, 10**30, None, str(uuid.uuid4())]
WRONG_SHAPES = [[1, "a"], {"a": 1}, True, 1.5e300]

NESTED_BODIES = [
    {"grades": [{"answer_id": "x", "marks_awarded": "lots"}]},
    {"grades": [{"answer_id": str(uuid.uuid4()), "marks_awarded": 1}]},
    {"grades": ["x", 1, None]},
    {"grades": {"a": 1}},
    {"answers": [{"question_id": "x", "answer_option": "a"}]},
    {"answers": [{"question_id": str(uuid.uuid4()), "answer_option": 10**30}]},
    {"answers": ["x", None]},
    {"answers": {"a": 1}},
    {"question_ids": ["x", None, 1]},
    {"question_ids": [str(uuid.uuid4())]},
    {"class_ids": ["x", None, 1]},
    {"class_ids": [str(uuid.uuid4())]},
    {"student_ids": ["x", None, 1]},
    {"student_ids": [str(uuid.uuid4())]},
    {"questions": [{"question_id": "x", "marks_override": "y"}]},
    {"questions": ["x"]},
    {"questions": [{}]},
    {"questions": [{"marks_override": 3}]},
    {"grades": [{}]},
    {"grades": [{"marks_awarded": 1}]},
    {"answers": [{}]},
    {"answers": [{"answer_option": 1}]},
    {"questions": [{"question_id": str(uuid.uuid4()), "marks_override": -5}]},
    {"metadata": "x", "violation_type": "tab_switch", "question_index": "y"},
    {"violation_type": "tab_switch", "question_index": 10**30, "metadata": [1]},
    {"question_id": str(uuid.uuid4()), "answer_option": 0, "client_seq": 10**30},
    {"question_id": str(uuid.uuid4()), "answer_text": {"a": 1}, "client_seq": -1},
    {"minutes": 10**30, "reason": "x"},
    {"minutes": -(10**30), "reason": "x"},
    {"extra_minutes": 10**30},
    {"time_limit_minutes": 10**30, "passing_percentage": 10**30, "max_attempts": 10**30},
    {"marks": 10**30},
    {"marks": "NaN"},
    {"marks": "Infinity"},
    {"start_date": "2026-13-45", "end_date": "yesterday"},
    {"options": [{"a": 1}, [1]], "type": "mcq", "correct_answer": "0", "text": "q", "marks": 1},
    {"options": ["a", "b"], "type": "mcq", "correct_answer": 10**30, "text": "q", "marks": 1},
    {"accepted_answers": [1, None, {"a": 1}], "type": "short_answer", "text": "q", "marks": 1},
    {"accepted_answers": "x", "type": "short_answer", "text": "q", "marks": 1},
    {"date_of_birth": "31/31/2020", "name": "x", "email": "a@b.c", "registration_number": "R1"},
    {"email": "x" * 300 + "@b.c", "name": "n" * 5000, "registration_number": "r" * 300},
    {"teacher_id": "x"},
    {"teacher_id": str(uuid.uuid4())},
    {"class_id": "x"},
    {"class_id": str(uuid.uuid4())},
    {"text": "\u0000"},
    {"name": "\u0000", "title": "\u0000", "reason": "\u0000", "feedback": "\u0000"},
]

FIELDS = [
    # every field name a write endpoint of the guide takes, so each gets each wrong type at least once
    "email", "name", "password", "role", "is_active", "registration_number", "class_id", "class_ids",
    "question_ids", "teacher_id", "student_ids", "title", "subject", "time_limit_minutes", "passing_percentage",
    "max_attempts", "start_date", "end_date", "show_answers_after_submission", "randomize_questions",
    "randomize_options", "allow_review", "violation_threshold", "questions", "text", "type", "options",
    "correct_answer", "accepted_answers", "marks", "difficulty", "topic", "sample_answer", "marking_rubric",
    "question_id", "answer_option", "answer_text", "client_seq", "answers", "violation_type", "question_index",
    "metadata", "severity", "grades", "minutes", "reason", "section", "academic_year", "date_of_birth",
    "parent_email", "parent_phone", "case_sensitive", "marks_override", "status", "answer_id", "marks_awarded",
    "feedback", "extra_minutes", "seconds", "refresh_token",
]  # fmt: skip


@pytest.fixture
def world(admin, teacher, other_teacher, student, outsider_student, school_class):
    from accounts.services import notify

    quiz = make_quiz(teacher, school_class)
    quiz.refresh_from_db()
    # The student is half-way through: started, every question answered, not submitted.
    attempt = start_attempt(quiz, student)
    mcq, true_false, short, essay = (qq.question for qq in quiz.quiz_questions.order_by("order_index"))
    answer(attempt, {mcq: 1, true_false: 0, short: "1/2", essay: "Two quarters make a half."})
    question = quiz.quiz_questions.first().question
    notify(users=[teacher.user], type="info", title="hello", message="hello")
    note = teacher.user.notifications.first()
    return {
        "quiz": quiz,
        "attempt": attempt,
        "question": question,
        "class": school_class,
        "student": student,
        "teacher": teacher,
        "user": outsider_student.user,
        "note": note,
    }


def _values_for(route, world):
    name = route.name
    pk = None
    if name.startswith("user"):
        pk = world["user"].pk
    elif name.startswith("teacher"):
        pk = world["teacher"].pk
    elif name.startswith("class"):
        pk = world["class"].pk
    elif name.startswith("student"):
        pk = world["student"].pk
    elif name.startswith("question"):
        pk = world["question"].pk
    elif name.startswith("quiz") or name == "grading-quiz-extend" or name == "grading-quiz-status":
        pk = world["quiz"].pk
    elif name.startswith("attempt") or name.startswith("grading"):
        pk = world["attempt"].pk
    elif name.startswith("notification"):
        pk = world["note"].pk
    return {
        "pk": pk or uuid.uuid4(),
        "student_id": world["student"].pk,
        "teacher_id": world["teacher"].pk,
        "quiz_id": world["quiz"].pk,
        "attempt_id": world["attempt"].pk,
        "code": world["quiz"].access_code or "ABCDEFGH",
    }


def _check_4xx_json(response, what, failures):
    if response.status_code >= 500:
        failures.append((what, response.status_code))
    elif response.status_code >= 400 and not (
        response["Content-Type"].startswith("application/json") and isinstance(response.json().get("detail"), str)
    ):
        failures.append((what, response.status_code, "no JSON detail"))


WRITE_SKIP = {
    # logout/refresh with junk are covered by the accounts tests and revoke nothing here
}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["admin", "teacher", "student"])
def test_write_endpoints_answer_bad_bodies_with_4xx_json(persona, world, api_for, request, notes_keys_read):
    client = api_for(request.getfixturevalue(persona))
    failures = []
    for route in api_routes():
        if route.template.startswith("/api/v1/auth/"):
            continue
        url = route.url(**_values_for(route, world))
        for method in route.methods:
            if method not in ("POST", "PUT", "PATCH"):
                continue
            for label, body, content_type in BAD_BODIES:
                response = _call(client, method, url, body, content_type)
                _check_4xx_json(response, (persona, method, url, label), failures)
            response, read = keys_read(_call, client, method, url, "{}")
            _check_4xx_json(response, (persona, method, url, "{}"), failures)
            for value in WRONG_SHAPES:
                response, more = keys_read(_call, client, method, url, json.dumps(dict.fromkeys(FIELDS, value)))
                _check_4xx_json(response, (persona, method, url, "all fields", value), failures)
                read = _union(read, more)
            # A student is refused (403) everywhere but their own attempt and notifications: fuzz those only.
            fields = FIELDS if persona != "student" or "/attempts/" in url or "/notifications/" in url else []
            done = set()
            while todo := [f for f in fields if f in read and f not in done]:  # a key read may reveal others
                for field in todo:
                    done.add(field)
                    for value in WRONG_VALUES:
                        response, more = keys_read(_call, client, method, url, json.dumps({field: value}))
                        _check_4xx_json(response, (persona, method, url, field, value), failures)
                        read = _union(read, more)
            for body in NESTED_BODIES:
                if any(key in read for key in body):
                    response = _call(client, method, url, json.dumps(body))
                    _check_4xx_json(response, (persona, method, url, body), failures)
    assert not failures, "\n".join(map(str, failures))


@pytest.mark.django_db
def test_auth_endpoints_answer_bad_bodies_with_4xx_json(api):
    failures = []
    for url in sorted(PUBLIC_API):
        for label, body, content_type in BAD_BODIES:
            response = _call(api, "POST", url, body, content_type)
            _check_4xx_json(response, (url, label), failures)
        for field in FIELDS:
            for value in WRONG_VALUES:
                response = _call(api, "POST", url, json.dumps({field: value}))
                _check_4xx_json(response, (url, field, value), failures)
    assert not failures, "\n".join(map(str, failures))


NON_UUIDS = ["-" * 36, "0" * 36, "g" * 8, "12345"]


@pytest.mark.django_db
def test_non_uuid_ids_in_api_urls_are_404_not_500(admin, api_for):
    client = api_for(admin)
    failures = []
    for route in api_routes():
        if not route.kwargs:
            continue
        for bad in NON_UUIDS:
            url = route.url(**{k: bad for k in route.kwargs})
            for method in route.methods:
                response = _call(client, method, url)
                if response.status_code not in (400, 404, 405):
                    failures.append((method, url, response.status_code))
    assert not failures, "\n".join(map(str, failures))


# ---------------------------------------------------------------------------------------------------------------
# Pages: a refused action (a service's domain error) is a message or a form error, never a 500.

PAGE_FORMS = [
    {},
    {"confirm": "1"},
    {"minutes": "x", "reason": "", "name": "", "email": "bad", "title": "", "marks": "-1", "teacher_id": "zz"},
    {"minutes": "99999999999999999999", "marks": "99999999999999999999", "time_limit_minutes": "99999999999999"},
    {"student_ids": ["not-a-uuid"], "question_ids": ["x"], "class_ids": ["x"], "teacher_id": str(uuid.uuid4())},
]


def _page_values(route, world):
    name = route.name
    if route.template.startswith("/accounts/users/"):
        pk = world["user"].pk
    elif route.template.startswith("/classes/students/"):
        pk = world["student"].pk
    elif route.template.startswith("/classes/import/"):
        pk = uuid.uuid4()
    elif route.template.startswith("/classes/"):
        pk = world["class"].pk
    elif route.template.startswith("/quizzes/questions/"):
        pk = world["question"].pk
    elif route.template.startswith("/quizzes/") or route.template.startswith("/attempts/quiz/"):
        pk = world["quiz"].pk
    elif "/quizzes/" in route.template:
        pk = world["quiz"].pk
    elif route.template.startswith("/grading/notifications/"):
        pk = world["note"].pk
    else:
        pk = world["attempt"].pk
    del name
    return {
        "pk": pk,
        "student_id": world["student"].pk,
        "teacher_id": world["teacher"].pk,
        "quiz_id": world["quiz"].pk,
        "attempt_id": world["attempt"].pk,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["admin", "teacher", "student"])
def test_page_posts_never_500(persona, world, request, notes_keys_read):
    user = request.getfixturevalue(persona)
    client = Client(raise_request_exception=False)
    client.force_login(getattr(user, "user", user))
    failures = []
    for route in page_routes():
        if route.template.startswith("/accounts/logout") or route.template.endswith("/delete/"):
            continue
        url = route.url(**_page_values(route, world))
        read = frozenset()
        for form in PAGE_FORMS:
            if form and not any(key in read for key in form):
                continue  # the page reads none of these fields: it answers as it did to the empty form
            response, more = keys_read(client.post, url, form)
            read = _union(read, more)
            if response.status_code >= 500:
                failures.append((persona, url, form, response.status_code))
        response = client.get(url)
        if response.status_code >= 500:
            failures.append((persona, "GET", url, response.status_code))
    # Deletes last: the quiz has an attempt, the question is in it, the teacher owns both (each refused or done).
    for route in page_routes():
        if route.template.endswith("/delete/"):
            url = route.url(**_page_values(route, world))
            response = client.post(url, {"confirm": "1"})
            if response.status_code >= 500:
                failures.append((persona, url, "delete", response.status_code))
    assert not failures, "\n".join(map(str, failures))


# ---------------------------------------------------------------------------------------------------------------
# Query strings: filters, search boxes and pagination with junk (NUL bytes, wrong types, huge pages) never 500.

JUNK_QUERIES = [
    "?page=abc&limit=-1&status=zz&type=zz&role=zz&class_id=zz&quiz_id=zz&teacher_id=zz&difficulty=zz&attempts=zz"
    "&format=zz&unread=zz&is_active=zz&ordering=zz&date_from=zz&date_to=zz",
    "?search=%00",
    "?q=%00",
    "?topic=%00&user=%00&action=%00",
    "?page=99999",
    "?search=" + "x" * 3000,
]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["admin", "teacher", "student"])
def test_junk_query_strings_never_500(persona, world, api_for, request, notes_keys_read):
    user = request.getfixturevalue(persona)
    api = api_for(user)
    api.raise_request_exception = False
    browser = Client(raise_request_exception=False)
    browser.force_login(getattr(user, "user", user))
    failures = []

    def sweep(client, url):
        # The bare URL first: a query string whose keys the view never reads gets the same answer.
        response, read = keys_read(client.get, url)
        if response.status_code >= 500:
            failures.append((persona, url, response.status_code))
        for query in JUNK_QUERIES:
            if any(key in read for key in parse_qs(query[1:], keep_blank_values=True)):
                response = client.get(url + query)
                if response.status_code >= 500:
                    failures.append((persona, url + query[:40], response.status_code))

    for route in api_routes():
        if "GET" in route.methods:
            sweep(api, route.url(**_values_for(route, world)))
    for route in page_routes():
        if route.template.startswith("/accounts/logout"):
            continue
        sweep(browser, route.url(**_page_values(route, world)))
    assert not failures, "\n".join(map(str, failures))


# ---------------------------------------------------------------------------------------------------------------
# Outsiders write nothing: the other teacher and the other class's student call every write endpoint and POST
# every page with the teacher's objects in the URL, and no row of any app changes.


def _snapshot():
    from accounts.models import Notification, Student, User
    from attempts.models import QuizAttempt, StudentAnswer, Violation
    from classrooms.models import SchoolClass, TeacherClass
    from quizzes.models import Question, Quiz, QuizClass, QuizQuestion

    data = {}
    for model in (Student, QuizAttempt, StudentAnswer, Violation, SchoolClass, TeacherClass, Quiz, QuizClass):
        data[model.__name__] = sorted(map(repr, model.objects.values()))
    for model in (Question, QuizQuestion):
        data[model.__name__] = sorted(map(repr, model.objects.values()))
    data["User"] = sorted(map(repr, User.objects.values("id", "email", "name", "role", "is_active", "password")))
    data["Notification"] = sorted(map(repr, Notification.objects.values("id", "user_id", "is_read")))
    return data


WRITE_BODIES = [
    {},
    {"name": "Hacked", "title": "Hacked", "text": "Hacked", "section": "H", "is_active": False, "minutes": 30},
    {"reason": "because", "minutes": 10, "student_ids": [], "teacher_id": "", "confirm": "1"},
]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["other_teacher", "outsider_student"])
def test_outsiders_change_nothing_anywhere(persona, world, api_for, request, notes_keys_read):
    user = request.getfixturevalue(persona)
    before = _snapshot()
    api = api_for(user)
    api.raise_request_exception = False
    for route in api_routes():
        if route.template.startswith("/api/v1/auth/"):
            continue
        url = route.url(**_values_for(route, world))
        for method in route.methods:
            if method == "GET":
                continue
            read = frozenset()
            for body in WRITE_BODIES:
                if body and not any(key in read for key in body):
                    continue  # none of these keys is read: the answer (and what it writes) is the empty body's
                response, more = keys_read(_call, api, method, url, json.dumps(body))
                read = _union(read, more)
                assert response.status_code < 500, (method, url, response.status_code)
    browser = Client(raise_request_exception=False)
    browser.force_login(user.user)
    for route in page_routes():
        if route.template.startswith("/accounts/") or route.template.startswith("/grading/notifications"):
            continue  # their own profile, logout and notifications are theirs to change
        url = route.url(**_page_values(route, world))
        read = frozenset()
        for body in WRITE_BODIES:
            if body and not any(key in read for key in body):
                continue
            response, more = keys_read(browser.post, url, body)
            read = _union(read, more)
            assert response.status_code < 500, (url, response.status_code)
    after = _snapshot()
    changed = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
    assert not changed, "\n".join(f"{k}: {v[0][:3]} -> {v[1][:3]}" for k, v in changed.items())
