"""Issue 17: access rules with real requests: allowed networks (a forged X-Forwarded-For is ignored beyond the
configured proxies), Safe Exam Browser hashes right / wrong / missing, and one active session per attempt."""

import hashlib

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from attempts.access import seb_hash
from attempts.models import QuizAttempt, StudentAnswer
from conftest import api_as
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db

CONFIG_KEY = "c" * 64
EXAM_KEY = "e" * 64


def start(client, quiz, **headers):
    return client.post(f"/api/v1/quizzes/{quiz.pk}/start", **headers)


def first_qid(attempt_id):
    attempt = QuizAttempt.objects.get(pk=attempt_id)
    return next(q for q, m in attempt.question_meta.items() if m["type"] == "descriptive")


def save(client, attempt_id, text="x", **headers):
    return client.post(
        f"/api/v1/attempts/{attempt_id}/answer",
        {"question_id": first_qid(attempt_id), "answer_text": text},
        format="json",
        **headers,
    )


def test_seb_hash_is_sha256_of_url_then_key():
    # A fixed vector, so the algorithm (URL first, then the key; hex) cannot drift.
    assert seb_hash("http://testserver/x", "0" * 64) == (
        "240809ea9716c155c9ed022b4ada9801e82ba040b485ecd7bdfe0051032492ba"
    )


@pytest.fixture
def lab_quiz(teacher, school_class):
    return make_quiz(teacher, school_class, allowed_networks=["192.0.2.0/24", "2001:db8:abcd::/48"])


def test_network_in_and_out_of_range_ipv4_and_ipv6(lab_quiz, student):
    client = api_as(student)
    outside = start(client, lab_quiz, REMOTE_ADDR="198.51.100.7")
    assert outside.status_code == 403 and "school's network" in outside.json()["detail"]
    assert not QuizAttempt.objects.exists()  # nothing created for a refused request
    inside_v6 = start(client, lab_quiz, REMOTE_ADDR="2001:db8:abcd:12::5")
    assert inside_v6.status_code == 201
    attempt_id = inside_v6.json()["attempt_id"]
    assert save(client, attempt_id, REMOTE_ADDR="192.0.2.44").status_code == 200
    moved_out = save(client, attempt_id, "from home", REMOTE_ADDR="203.0.113.9")
    assert moved_out.status_code == 403
    assert StudentAnswer.objects.get().answer_text == "x"
    submit = client.post(f"/api/v1/attempts/{attempt_id}/submit", REMOTE_ADDR="203.0.113.9")
    assert submit.status_code == 403 and QuizAttempt.objects.get().status == "in_progress"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_forged_forwarded_for_is_ignored_beyond_the_configured_proxies(lab_quiz, student):
    client = api_as(student)
    # Straight from the internet, claiming to be inside: REMOTE_ADDR is not a trusted proxy, the header is ignored.
    forged = start(client, lab_quiz, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.10")
    assert forged.status_code == 403
    # Through the trusted proxy, with a forged entry to the left of the one the proxy appended: still outside.
    chained = start(client, lab_quiz, REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="192.0.2.10, 203.0.113.9")
    assert chained.status_code == 403
    # A real school client behind the proxy.
    inside = start(client, lab_quiz, REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="192.0.2.10")
    assert inside.status_code == 201


def test_intro_page_says_why(lab_quiz, student):
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.force_login(student.user)
    html = client.get(f"/attempts/quiz/{lab_quiz.pk}/").content.decode()
    assert "school&#x27;s network" in html or "school's network" in html
    assert "Start quiz" not in html


@pytest.fixture
def seb_quiz(teacher, school_class):
    return make_quiz(teacher, school_class, seb_config_keys=[CONFIG_KEY], seb_browser_exam_keys=[EXAM_KEY])


def seb_headers(url, config_key=CONFIG_KEY, exam_key=EXAM_KEY):
    return {
        "HTTP_X_SAFEEXAMBROWSER_CONFIGKEYHASH": hashlib.sha256((url + config_key).encode()).hexdigest(),
        "HTTP_X_SAFEEXAMBROWSER_REQUESTHASH": hashlib.sha256((url + exam_key).encode()).hexdigest(),
    }


def test_safe_exam_browser_right_wrong_missing(seb_quiz, student):
    client = api_as(student)
    url = f"http://testserver/api/v1/quizzes/{seb_quiz.pk}/start"
    missing = start(client, seb_quiz)
    assert missing.status_code == 403 and "Safe Exam Browser" in missing.json()["detail"]
    wrong_key = start(client, seb_quiz, **seb_headers(url, config_key="d" * 64))
    assert wrong_key.status_code == 403
    other_url = start(client, seb_quiz, **seb_headers(url + "?x=1"))  # a hash for another URL
    assert other_url.status_code == 403
    only_config = {"HTTP_X_SAFEEXAMBROWSER_CONFIGKEYHASH": seb_headers(url)["HTTP_X_SAFEEXAMBROWSER_CONFIGKEYHASH"]}
    assert start(client, seb_quiz, **only_config).status_code == 403
    assert not QuizAttempt.objects.exists()
    right = start(client, seb_quiz, **seb_headers(url))
    assert right.status_code == 201, right.content
    attempt_id = right.json()["attempt_id"]
    answer_url = f"http://testserver/api/v1/attempts/{attempt_id}/answer"
    assert save(client, attempt_id).status_code == 403  # an ordinary browser cannot answer either
    assert save(client, attempt_id, **seb_headers(answer_url)).status_code == 200
    submit_url = f"http://testserver/api/v1/attempts/{attempt_id}/submit"
    assert client.post(submit_url).status_code == 403
    assert client.post(submit_url, **seb_headers(submit_url)).status_code == 200


def test_safe_exam_browser_page_for_an_ordinary_browser(seb_quiz, student):
    client = Client()
    client.force_login(student.user)
    html = client.get(f"/attempts/quiz/{seb_quiz.pk}/").content.decode()
    assert "must be taken in Safe Exam Browser" in html


@pytest.fixture
def one_browser_quiz(teacher, school_class):
    return make_quiz(teacher, school_class, single_session=True)


def test_second_device_refused_then_released(one_browser_quiz, student, teacher, other_teacher):
    laptop, phone = api_as(student), api_as(student)
    started = start(laptop, one_browser_quiz)
    assert started.status_code == 201
    token = started.json()["session_token"]
    attempt_id = started.json()["attempt_id"]
    assert token and started.cookies[f"exam_session_{attempt_id}"].value == token
    laptop_headers = {"HTTP_X_EXAM_SESSION": token}
    assert save(laptop, attempt_id, "laptop", **laptop_headers).status_code == 200

    resumed = start(phone, one_browser_quiz)
    assert resumed.status_code == 409 and "another browser" in resumed.json()["detail"]
    refused = save(phone, attempt_id, "phone")
    assert refused.status_code == 409 and refused.json()["code"] == "other_session"
    assert StudentAnswer.objects.get().answer_text == "laptop"
    assert QuizAttempt.objects.get().session_refused_at is not None

    # The teacher sees it on the board, and releases it (another teacher cannot).
    board = Client()
    board.force_login(teacher.user)
    assert "another browser refused" in board.get(f"/grading/quizzes/{one_browser_quiz.pk}/board/").content.decode()
    release_url = f"/api/v1/attempts/{attempt_id}/release-session"
    assert api_as(other_teacher).post(release_url).status_code == 404
    assert api_as(student).post(release_url).status_code == 403
    assert api_as(teacher).post(release_url).status_code == 200

    moved = start(phone, one_browser_quiz)
    assert moved.status_code == 200 and moved.json()["session_token"]
    phone_headers = {"HTTP_X_EXAM_SESSION": moved.json()["session_token"]}
    assert save(phone, attempt_id, "phone", **phone_headers).status_code == 200
    assert save(laptop, attempt_id, "laptop again", **laptop_headers).status_code == 409


def test_exam_page_in_a_second_browser_shows_why(one_browser_quiz, student):
    first, second = Client(), Client()
    first.force_login(student.user)
    second.force_login(student.user)
    response = first.post(f"/attempts/quiz/{one_browser_quiz.pk}/start/")
    take_url = response["Location"]
    assert first.get(take_url).status_code == 200  # the cookie set at start
    blocked = second.get(take_url)
    assert blocked.status_code == 403 and "another browser" in blocked.content.decode()


def test_no_rules_nothing_changes(student, teacher, school_class):
    quiz = make_quiz(teacher, school_class)
    client = api_as(student)
    started = start(client, quiz, REMOTE_ADDR="203.0.113.9")
    assert started.status_code == 201 and started.json()["session_token"] is None
    assert save(api_as(student), started.json()["attempt_id"]).status_code == 200


def test_outside_the_network_with_the_quizs_password(teacher, school_class, student):
    quiz = make_quiz(teacher, school_class, allowed_networks=["192.0.2.0/24"], network_password="Lighthouse-7")
    client = api_as(student)
    home = {"REMOTE_ADDR": "203.0.113.9"}
    no_password = client.post(f"/api/v1/quizzes/{quiz.pk}/start", **home)
    assert no_password.status_code == 403 and "password" in no_password.json()["detail"]
    wrong = client.post(f"/api/v1/quizzes/{quiz.pk}/start", {"network_password": "lighthouse"}, format="json", **home)
    assert wrong.status_code == 403 and not QuizAttempt.objects.exists()
    right = client.post(f"/api/v1/quizzes/{quiz.pk}/start", {"network_password": "Lighthouse-7"}, format="json", **home)
    assert right.status_code == 201
    attempt_id = right.json()["attempt_id"]
    assert QuizAttempt.objects.get().network_bypass is True
    assert save(client, attempt_id, **home).status_code == 200  # that attempt is accepted from outside now


def test_intro_page_asks_for_the_network_password(teacher, school_class, student):
    quiz = make_quiz(teacher, school_class, allowed_networks=["192.0.2.0/24"], network_password="Lighthouse-7")
    client = Client(REMOTE_ADDR="203.0.113.9")
    client.force_login(student.user)
    html = client.get(f"/attempts/quiz/{quiz.pk}/").content.decode()
    assert 'name="network_password"' in html
    refused = client.post(f"/attempts/quiz/{quiz.pk}/start/", {"network_password": "nope"})
    assert refused.status_code == 302 and not QuizAttempt.objects.exists()
    started = client.post(f"/attempts/quiz/{quiz.pk}/start/", {"network_password": "Lighthouse-7"})
    assert started.status_code == 302 and QuizAttempt.objects.get().network_bypass


def test_students_never_see_the_rules(teacher, school_class, student):
    quiz = make_quiz(
        teacher,
        school_class,
        allowed_networks=["192.0.2.0/24"],
        network_password="Lighthouse-7",
        seb_config_keys=[CONFIG_KEY],
    )
    body = api_as(student).get(f"/api/v1/quizzes/{quiz.pk}").content.decode()
    assert "Lighthouse-7" not in body and CONFIG_KEY not in body and "192.0.2.0" not in body
    staff = api_as(teacher).get(f"/api/v1/quizzes/{quiz.pk}").json()
    assert staff["network_password"] == "Lighthouse-7" and staff["allowed_networks"] == ["192.0.2.0/24"]


def test_quiz_api_validates_the_rules(teacher):
    client = api_as(teacher)
    base = {"title": "T", "subject": "S", "time_limit_minutes": 10}
    for bad in ({"allowed_networks": ["not-a-net"]}, {"seb_config_keys": ["abc"]}):
        response = client.post("/api/v1/quizzes", {**base, **bad}, format="json")
        assert response.status_code == 400, response.content
    ok = client.post("/api/v1/quizzes", {**base, "allowed_networks": ["2001:db8::1", "192.0.2.7/24"]}, format="json")
    assert ok.status_code == 201 and ok.json()["allowed_networks"] == ["2001:db8::1/128", "192.0.2.0/24"]


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="query counts pinned for PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_the_save_path_with_every_rule_still_costs_two_queries(teacher, school_class, student):
    """The access rules ride on the cached copy start made: a save costs what it costs without them."""
    quiz = make_quiz(teacher, school_class, allowed_networks=["192.0.2.0/24"], single_session=True)
    client = api_as(student)
    started = start(client, quiz, REMOTE_ADDR="192.0.2.5")
    attempt_id = started.json()["attempt_id"]
    headers = {"REMOTE_ADDR": "192.0.2.5", "HTTP_X_EXAM_SESSION": started.json()["session_token"]}
    qid = first_qid(attempt_id)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(
            f"/api/v1/attempts/{attempt_id}/answer", {"question_id": qid, "answer_text": "a"}, format="json", **headers
        )
    assert response.status_code == 200
    # The token's user and the attempt in one statement (issue 14's fast path), then the upsert: the rules ride on
    # the cached copy and cost nothing.
    assert len(ctx.captured_queries) == 2, [q["sql"] for q in ctx.captured_queries]
