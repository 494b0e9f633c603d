"""Users (guide 5.2, admins only) and teachers (5.4) × every persona; the OpenAPI schema."""

import pytest
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import AuditLog, Role, Teacher, User
from tests.factories import TeacherFactory, UserFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["teacher", "other_teacher", "student", "outsider_student"]


@pytest.fixture
def everyone(admin, teacher, other_teacher, student, outsider_student):
    return {
        "admin": admin,
        "teacher": teacher,
        "other_teacher": other_teacher,
        "student": student,
        "outsider_student": outsider_student,
    }


def client_for(api, api_for, everyone, who):
    return api if who == "anonymous" else api_for(everyone[who])


# --- users: refused for everyone but admins ------------------------------------------------------------------------
@pytest.mark.parametrize("who,status", [(p, 403) for p in PERSONAS] + [("anonymous", 401)])
def test_non_admins_cannot_touch_users(api, api_for, everyone, who, status, snapshot):
    c = client_for(api, api_for, everyone, who)
    target = everyone["teacher"].user
    before = snapshot()
    assert c.get("/api/v1/users").status_code == status
    assert c.get(f"/api/v1/users/{target.pk}").status_code == status
    body = {"email": "new@school.test", "name": "New", "password": "Blue-Kettle-42", "role": "teacher"}
    r = c.post("/api/v1/users", body, format="json")
    assert r.status_code == status and "detail" in r.json()
    assert c.put(f"/api/v1/users/{target.pk}", {"name": "Hacked"}, format="json").status_code == status
    assert c.patch(f"/api/v1/users/{target.pk}", {"is_active": False}, format="json").status_code == status
    assert c.delete(f"/api/v1/users/{target.pk}").status_code == status
    assert snapshot() == before


def test_admin_lists_users_with_the_envelope_filters_and_search(api_for, everyone, django_assert_num_queries):
    c = api_for(everyone["admin"])
    body = c.get("/api/v1/users", {"limit": 2}).json()
    assert body["total"] == 5 and body["limit"] == 2 and body["pages"] == 3 and body["page"] == 1
    assert len(body["items"]) == 2
    teachers = c.get("/api/v1/users?role=teacher").json()["items"]
    assert {u["email"] for u in teachers} == {"teacher@school.test", "other.teacher@school.test"}
    assert all(u["subject"] == "Mathematics" for u in teachers)
    found = c.get("/api/v1/users?search=STU2026999").json()["items"]
    assert [u["name"] for u in found] == ["Oscar Outsider"] and found[0]["registration_number"] == "STU2026999"
    assert [u["name"] for u in c.get("/api/v1/users?search=olga").json()["items"]] == ["Olga Other"]
    for i in range(10):
        TeacherFactory(user__email=f"t{i}@school.test")
    # Cost does not grow with rows: session-less JWT auth (1), count (1), page (1).
    with django_assert_num_queries(3):
        assert len(c.get("/api/v1/users?limit=100").json()["items"]) == 15


def test_admin_gets_one_user_and_unknown_is_404(api_for, admin, student):
    c = api_for(admin)
    body = c.get(f"/api/v1/users/{student.user.pk}/").json()
    assert body["email"] == "alice@school.test" and body["role"] == "student"
    r = c.get("/api/v1/users/00000000-0000-0000-0000-000000000000")
    assert r.status_code == 404 and r.json()["detail"]


def test_admin_creates_a_teacher_with_subject(api_for, admin):
    body = {
        "email": "NewTeacher@School.test",
        "name": "New Teacher",
        "password": "Blue-Kettle-42",
        "role": "teacher",
        "subject": "Physics",
    }
    r = api_for(admin).post("/api/v1/users", body, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["email"] == "newteacher@school.test" and r.json()["subject"] == "Physics"
    user = User.objects.get(email="newteacher@school.test")
    assert user.teacher.subject == "Physics" and user.check_password("Blue-Kettle-42")
    log = AuditLog.objects.get(action="user.create")
    assert log.user == admin and log.entity_id == user.pk and log.new_value["role"] == "teacher"
    assert "password" not in log.new_value


def test_create_refuses_students_duplicates_and_weak_passwords(api_for, admin, teacher, snapshot):
    c = api_for(admin)
    before = snapshot()
    stu = c.post("/api/v1/users", {"email": "s@school.test", "name": "S", "role": "student"}, format="json")
    assert stu.status_code == 400 and "/api/v1/students" in stu.json()["detail"]
    dup = c.post("/api/v1/users", {"email": "TEACHER@school.test", "name": "T", "role": "teacher"}, format="json")
    assert dup.status_code == 400 and "email" in dup.json()["errors"]
    weak = c.post(
        "/api/v1/users", {"email": "w@school.test", "name": "W", "role": "admin", "password": "123"}, format="json"
    )
    assert weak.status_code == 400 and "password" in weak.json()["errors"]
    assert c.post("/api/v1/users", {"name": "No e-mail", "role": "admin"}, format="json").status_code == 400
    assert snapshot() == before


def test_put_is_a_partial_update_and_patch_too(api_for, admin, teacher):
    c = api_for(admin)
    url = f"/api/v1/users/{teacher.user.pk}"
    r = c.put(url, {"name": "Tom Renamed"}, format="json")
    assert r.status_code == 200 and r.json()["name"] == "Tom Renamed" and r.json()["email"] == "teacher@school.test"
    r = c.patch(url, {"email": "Tom@School.test", "subject": "Chemistry"}, format="json")
    assert r.json()["email"] == "tom@school.test" and r.json()["subject"] == "Chemistry"
    log = AuditLog.objects.filter(action="user.update").first()
    assert log.old_value == {"email": "teacher@school.test", "subject": "Mathematics"}
    assert log.new_value == {"email": "tom@school.test", "subject": "Chemistry"}
    assert c.put(url, {"role": "admin"}, format="json").status_code == 400
    assert User.objects.get(pk=teacher.user.pk).role == Role.TEACHER


def test_deactivating_revokes_tokens_and_admin_cannot_deactivate_or_delete_self(api, api_for, admin, teacher):
    refresh = str(RefreshToken.for_user(teacher.user))
    c = api_for(admin)
    r = c.patch(f"/api/v1/users/{teacher.user.pk}", {"is_active": False}, format="json")
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert api.post("/api/v1/auth/refresh", {"refresh_token": refresh}, format="json").status_code == 401
    assert api_for(teacher).get("/api/v1/auth/me").status_code == 401
    assert AuditLog.objects.filter(action="user.deactivate", entity_id=teacher.user.pk).exists()
    me = f"/api/v1/users/{admin.pk}"
    assert c.patch(me, {"is_active": False}, format="json").status_code == 400
    r = c.delete(me)
    assert r.status_code == 400 and "own account" in r.json()["detail"]
    assert User.objects.get(pk=admin.pk).is_active


def test_delete_answers_200_with_a_message(api_for, admin):
    victim = UserFactory(email="gone@school.test", role=Role.ADMIN)
    r = api_for(admin).delete(f"/api/v1/users/{victim.pk}")
    assert r.status_code == 200 and r.json() == {"message": "User deleted successfully"}
    assert not User.objects.filter(pk=victim.pk).exists()
    log = AuditLog.objects.get(action="user.delete")
    assert log.entity_id == victim.pk and log.old_value["email"] == "gone@school.test"


def test_delete_of_a_teacher_with_quizzes_is_refused(api_for, admin, teacher):
    from tests.factories import QuizFactory

    QuizFactory(created_by=teacher)
    r = api_for(admin).delete(f"/api/v1/users/{teacher.user.pk}")
    assert r.status_code == 409 and "Deactivate" in r.json()["detail"]
    assert Teacher.objects.filter(pk=teacher.pk).exists()


# --- teachers -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["admin", "teacher", "other_teacher"])
def test_staff_see_teachers_public_profiles(api_for, everyone, who, school_class):
    c = api_for(everyone[who])
    body = c.get("/api/v1/teachers").json()
    assert body["total"] == 2
    t = everyone["teacher"]
    detail = c.get(f"/api/v1/teachers/{t.pk}").json()
    assert detail == {
        "id": str(t.pk),
        "name": "Tom Teacher",
        "email": "teacher@school.test",
        "subject": "Mathematics",
        "department": "Sciences",
        "is_active": True,
        "classes": [{"id": str(school_class.pk), "name": "Class 10A", "section": "A", "academic_year": "2026-2027"}],
    }
    classes = c.get(f"/api/v1/teachers/{t.pk}/classes").json()
    assert classes == detail["classes"]
    assert [x["name"] for x in c.get("/api/v1/teachers?search=olga").json()["items"]] == ["Olga Other"]


@pytest.mark.parametrize("who,status", [("student", 403), ("outsider_student", 403), ("anonymous", 401)])
def test_students_and_anonymous_cannot_list_teachers(api, api_for, everyone, who, status):
    c = client_for(api, api_for, everyone, who)
    t = everyone["teacher"]
    for url in ("/api/v1/teachers", f"/api/v1/teachers/{t.pk}", f"/api/v1/teachers/{t.pk}/classes"):
        r = c.get(url)
        assert r.status_code == status and "detail" in r.json()


def test_teachers_are_read_only(api_for, admin, teacher):
    r = api_for(admin).delete(f"/api/v1/teachers/{teacher.pk}")
    assert r.status_code == 405
    assert Teacher.objects.filter(pk=teacher.pk).exists()


def test_inactive_teachers_are_hidden_from_colleagues_not_from_admins(api_for, admin, teacher, other_teacher):
    other_teacher.user.is_active = False
    other_teacher.user.save()
    assert api_for(teacher).get("/api/v1/teachers").json()["total"] == 1
    assert api_for(teacher).get(f"/api/v1/teachers/{other_teacher.pk}").status_code == 404
    assert api_for(admin).get("/api/v1/teachers").json()["total"] == 2


def test_teacher_list_query_count_is_flat(api_for, admin, teacher, django_assert_num_queries):
    from tests.factories import TeacherClassFactory

    for _ in range(8):
        TeacherClassFactory()
    c = api_for(admin)
    with django_assert_num_queries(4):  # user, count, page, classes prefetch
        body = c.get("/api/v1/teachers?limit=100").json()
    assert body["total"] == 9 and all(len(t["classes"]) == 1 for t in body["items"])


# --- OpenAPI ------------------------------------------------------------------------------------------------------
def test_openapi_schema_and_docs_render(client):
    r = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert r.status_code == 200
    schema = r.json()
    for path in ("/api/v1/auth/login/", "/api/v1/auth/refresh/", "/api/v1/users/", "/api/v1/teachers/{id}/classes/"):
        assert path in schema["paths"], path
    login = schema["paths"]["/api/v1/auth/login/"]["post"]
    assert "email_or_reg_no" in str(schema["components"]["schemas"]["Login"])
    assert "200" in login["responses"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
