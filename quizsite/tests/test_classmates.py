"""No classmate's name, e-mail, registration number or claimed state reaches a student, through ANY endpoint or page.

Issue 13: a student's GET /classes/{own id} listed every classmate with their registration number and whether
they had claimed their account yet, which is the list an account thief needs. Here a student whose class has an
unclaimed and a claimed classmate (both of whom sat the class's quiz) walks every GET URL of the project (from the
URL resolver, so a new endpoint is covered automatically) with every id they could know or guess; none may carry
what identifies a classmate. The control shows the class's teacher does see them, so the walk can fail.
"""

import json

import pytest
from django.test import Client

from quizsite.tests.sweep import api_routes, page_routes
from quizsite.tests.test_leakage import _text_of, _urls
from tests.builders import make_attempt, science_quiz
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def classmates(school_class):
    unclaimed = StudentFactory(
        user__email="zed.unclaimed@school.test",
        user__name="Zedediah Unclaimedson",
        registration_number="STU2026777",
        school_class=school_class,
        is_account_claimed=False,
        claimed_at=None,
    )
    claimed = StudentFactory(
        user__email="yolanda.claimed@school.test",
        user__name="Yolanda Claimedottir",
        registration_number="STU2026778",
        school_class=school_class,
    )
    return [unclaimed, claimed]


@pytest.fixture
def class_history(teacher, student, classmates, school_class):
    quiz = science_quiz(teacher, school_class)
    for who in (student, classmates[1]):
        make_attempt(quiz, who)
    return quiz


def _identifying(classmates) -> list[str]:
    return [v for s in classmates for v in (s.user.name, s.user.email, s.registration_number)]


def _ids(class_history, teacher, student, classmates, school_class):
    return [school_class.pk, student.pk, teacher.pk, class_history.pk, *(s.pk for s in classmates)]


def _walk(client, routes, ids, secrets, *, json_only=False):
    leaks, seen_ok = [], 0
    for url in _urls(routes, ids, []):
        if url.startswith("/accounts/logout"):
            continue
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if response.status_code != 200:
            continue
        seen_ok += 1
        text = _text_of(response)
        if response["Content-Type"].startswith("application/json"):
            text = json.dumps(json.loads(text), ensure_ascii=False)
        leaks += [(url, s) for s in secrets if s in text]
    return leaks, seen_ok


def test_a_students_own_class_has_its_fields_and_teachers_names_but_no_roster(
    api_for, student, teacher, classmates, school_class
):
    res = api_for(student).get(f"/api/v1/classes/{school_class.pk}")
    assert res.status_code == 200
    body = res.json()
    assert body["name"] == "Class 10A" and body["section"] == "A" and body["academic_year"]
    assert body["teacher"] == {"id": str(teacher.pk), "name": "Tom Teacher"}
    assert body["teachers"] == [{"id": str(teacher.pk), "name": "Tom Teacher"}]
    assert body["students"] == []
    listed = api_for(student).get("/api/v1/classes")
    assert [c["teachers"] for c in listed.json()["items"]] == [[{"id": str(teacher.pk), "name": "Tom Teacher"}]]
    for text in (res.content.decode(), listed.content.decode()):
        for secret in [*_identifying(classmates), "is_account_claimed", "teacher@school.test"]:
            assert secret not in text


def test_no_classmate_reaches_a_student_through_any_api_endpoint(
    class_history, api_for, teacher, student, classmates, school_class
):
    ids = _ids(class_history, teacher, student, classmates, school_class)
    leaks, seen_ok = _walk(api_for(student), api_routes(), ids, _identifying(classmates))
    assert seen_ok > 10, "the student should reach their class, quiz, attempt and profile"
    assert not leaks, "\n".join(map(str, leaks))


def test_no_classmate_reaches_a_student_through_any_page(class_history, teacher, student, classmates, school_class):
    client = Client()
    client.force_login(student.user)
    ids = _ids(class_history, teacher, student, classmates, school_class)
    leaks, seen_ok = _walk(client, page_routes(), ids, _identifying(classmates))
    assert seen_ok > 5
    assert not leaks, "\n".join(map(str, leaks))


def test_the_classs_teacher_still_sees_the_roster(api_for, teacher, classmates, school_class):
    """Control: staff views are unchanged, so the walks above would see a roster if a student got one."""
    body = api_for(teacher).get(f"/api/v1/classes/{school_class.pk}").json()
    rows = {s["registration_number"]: s for s in body["students"]}
    assert rows["STU2026777"]["is_account_claimed"] is False and rows["STU2026777"]["name"] == "Zedediah Unclaimedson"
    assert body["teacher"]["email"] == "teacher@school.test"
