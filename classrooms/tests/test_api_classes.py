"""/api/v1/classes: list, detail, create, update, delete, assign-teacher, assign-students, remove student."""

import pytest

from accounts.models import AuditLog, Student
from classrooms.models import SchoolClass, TeacherClass
from tests.factories import SchoolClassFactory, StudentFactory, TeacherClassFactory

pytestmark = pytest.mark.django_db


def url(path=""):
    return f"/api/v1/classes{path}"


# --- list ------------------------------------------------------------------------------------------------------
def test_admin_lists_all_classes_with_counts_and_teachers(api_for, admin, teacher, other_teacher, student):
    res = api_for(admin).get(url())
    assert res.status_code == 200
    body = res.json()
    assert body["total"] == 2 and body["page"] == 1
    by_name = {c["name"]: c for c in body["items"]}
    assert by_name["Class 10A"]["student_count"] == 1
    assert by_name["Class 10A"]["teacher"]["name"] == "Tom Teacher"
    assert [t["name"] for t in by_name["Class 11B"]["teachers"]] == ["Olga Other"]


def test_teacher_sees_only_their_classes(api_for, teacher, other_teacher):
    res = api_for(teacher).get(url())
    assert [c["name"] for c in res.json()["items"]] == ["Class 10A"]


def test_student_sees_only_their_own_class(api_for, student, other_class):
    res = api_for(student).get(url())
    assert [c["name"] for c in res.json()["items"]] == ["Class 10A"]


def test_anonymous_cannot_list(api, school_class):
    assert api.get(url()).status_code == 401


def test_list_search_and_pagination(api_for, admin):
    for i in range(5):
        SchoolClassFactory(name=f"Year 9 group {i}", section="")
    SchoolClassFactory(name="Class 12C", section="C")
    res = api_for(admin).get(url("?search=year 9&limit=2&page=2"))
    body = res.json()
    assert body["total"] == 5 and body["pages"] == 3 and len(body["items"]) == 2
    assert all("Year 9" in c["name"] for c in body["items"])


def test_list_query_count_does_not_grow_with_classes(api_for, admin, django_assert_num_queries):
    client = api_for(admin)
    for i in range(3):
        cls = SchoolClassFactory(name=f"Class {i}")
        TeacherClassFactory(school_class=cls)
        StudentFactory(school_class=cls)
    # auth user, count, page of classes, their teachers
    with django_assert_num_queries(4):
        assert client.get(url()).status_code == 200
    for i in range(10):
        cls = SchoolClassFactory(name=f"More {i}")
        TeacherClassFactory(school_class=cls)
        TeacherClassFactory(school_class=cls)
    with django_assert_num_queries(4):
        assert len(client.get(url()).json()["items"]) == 13


# --- detail ----------------------------------------------------------------------------------------------------
def test_detail_has_the_guide_shape(api_for, teacher, student, school_class):
    res = api_for(teacher).get(url(f"/{school_class.pk}"))
    assert res.status_code == 200
    body = res.json()
    assert body["id"] == str(school_class.pk) and body["name"] == "Class 10A" and body["section"] == "A"
    assert body["teacher"] == {"id": str(teacher.pk), "name": "Tom Teacher", "email": "teacher@school.test"}
    assert body["students"][0]["registration_number"] == "STU2026001"
    assert body["students"][0]["name"] == "Alice Johnson"
    assert body["student_count"] == 1
    assert body["created_at"]


def test_first_assigned_teacher_is_the_teacher(api_for, admin, teacher, spare_teacher, school_class):
    TeacherClassFactory(teacher=spare_teacher, school_class=school_class)
    body = api_for(admin).get(url(f"/{school_class.pk}/")).json()
    assert body["teacher"]["name"] == "Tom Teacher"
    assert [t["name"] for t in body["teachers"]] == ["Tom Teacher", "Sam Spare"]


@pytest.mark.parametrize("persona", ["other_teacher", "outsider_student"])
def test_outsiders_get_404_on_detail(request, api_for, persona, teacher, school_class):
    user = request.getfixturevalue(persona)
    assert api_for(user).get(url(f"/{school_class.pk}")).status_code == 404


def test_anonymous_detail_401(api, school_class):
    assert api.get(url(f"/{school_class.pk}")).status_code == 401


def test_unknown_and_malformed_ids_are_404(api_for, admin):
    assert api_for(admin).get(url("/00000000-0000-0000-0000-000000000000")).status_code == 404
    assert api_for(admin).get(url("/not-a-uuid")).status_code == 404


# --- create ----------------------------------------------------------------------------------------------------
def test_admin_creates_class(api_for, admin):
    res = api_for(admin).post(url(), {"name": "Class 11B", "section": "B", "academic_year": "2024-2025"}, format="json")
    assert res.status_code == 201
    body = res.json()
    assert body["name"] == "Class 11B" and body["student_count"] == 0 and body["teacher"] is None
    cls = SchoolClass.objects.get(pk=body["id"])
    assert cls.created_by == admin
    assert AuditLog.objects.filter(action="class.create", entity_id=cls.pk).exists()


def test_duplicate_class_is_400(api_for, admin, school_class):
    res = api_for(admin).post(
        url(), {"name": "Class 10A", "section": "A", "academic_year": school_class.academic_year}, format="json"
    )
    assert res.status_code == 400
    assert "already exists" in res.json()["detail"]


def test_create_requires_name_and_valid_json(api_for, admin):
    client = api_for(admin)
    assert client.post(url(), {"section": "A"}, format="json").status_code == 400
    res = client.post(url(), data="{bad json", content_type="application/json")
    assert res.status_code == 400 and "detail" in res.json()
    assert SchoolClass.objects.count() == 0


@pytest.mark.parametrize("persona", ["teacher", "student"])
def test_non_admins_cannot_create(request, api_for, persona):
    user = request.getfixturevalue(persona)
    before = SchoolClass.objects.count()
    res = api_for(user).post(url(), {"name": "Sneaky"}, format="json")
    assert res.status_code == 403
    assert SchoolClass.objects.count() == before


def test_anonymous_cannot_create(api, db):
    assert api.post(url(), {"name": "Sneaky"}, format="json").status_code == 401
    assert not SchoolClass.objects.exists()


# --- update / delete -------------------------------------------------------------------------------------------
def test_put_is_partial(api_for, admin, school_class):
    res = api_for(admin).put(url(f"/{school_class.pk}"), {"name": "Class 10A Maths"}, format="json")
    assert res.status_code == 200
    school_class.refresh_from_db()
    assert school_class.name == "Class 10A Maths" and school_class.section == "A"
    res = api_for(admin).patch(url(f"/{school_class.pk}"), {"academic_year": "2030-2031"}, format="json")
    assert res.json()["academic_year"] == "2030-2031" and res.json()["name"] == "Class 10A Maths"


def test_teacher_cannot_edit_own_class_and_outsider_gets_404(api_for, teacher, other_teacher, school_class):
    assert api_for(teacher).put(url(f"/{school_class.pk}"), {"name": "X"}, format="json").status_code == 403
    assert api_for(other_teacher).put(url(f"/{school_class.pk}"), {"name": "X"}, format="json").status_code == 404
    school_class.refresh_from_db()
    assert school_class.name == "Class 10A"


def test_delete_returns_message_and_keeps_students(api_for, admin, student, school_class):
    res = api_for(admin).delete(url(f"/{school_class.pk}"))
    assert res.status_code == 200 and res.json() == {"message": "Class deleted"}
    assert not SchoolClass.objects.filter(pk=school_class.pk).exists()
    student.refresh_from_db()
    assert student.school_class is None


@pytest.mark.parametrize("persona,code", [("teacher", 403), ("other_teacher", 404), ("student", 403)])
def test_non_admin_delete_refused(request, api_for, persona, code, teacher, student, school_class):
    user = request.getfixturevalue(persona)
    assert api_for(user).delete(url(f"/{school_class.pk}")).status_code == code
    assert SchoolClass.objects.filter(pk=school_class.pk).exists()


def test_anonymous_delete_401(api, school_class):
    assert api.delete(url(f"/{school_class.pk}")).status_code == 401
    assert SchoolClass.objects.filter(pk=school_class.pk).exists()


# --- assign-teacher --------------------------------------------------------------------------------------------
def test_admin_assigns_teacher(api_for, admin, spare_teacher, school_class):
    res = api_for(admin).post(
        url(f"/{school_class.pk}/assign-teacher"), {"teacher_id": str(spare_teacher.pk)}, format="json"
    )
    assert res.status_code == 200 and res.json() == {"message": "Teacher assigned successfully"}
    assert TeacherClass.objects.filter(teacher=spare_teacher, school_class=school_class).exists()
    # Assigning again is harmless.
    again = api_for(admin).post(
        url(f"/{school_class.pk}/assign-teacher/"), {"teacher_id": str(spare_teacher.pk)}, format="json"
    )
    assert again.status_code == 200
    assert TeacherClass.objects.filter(teacher=spare_teacher, school_class=school_class).count() == 1


def test_assign_unknown_teacher_or_a_student_is_400(api_for, admin, student, school_class):
    client = api_for(admin)
    res = client.post(url(f"/{school_class.pk}/assign-teacher"), {"teacher_id": str(student.pk)}, format="json")
    assert res.status_code == 400
    assert client.post(url(f"/{school_class.pk}/assign-teacher"), {}, format="json").status_code == 400


@pytest.mark.parametrize("persona,code", [("teacher", 403), ("other_teacher", 404), ("student", 403)])
def test_only_admin_assigns_teachers(request, api_for, persona, code, teacher, spare_teacher, student, school_class):
    user = request.getfixturevalue(persona)
    res = api_for(user).post(
        url(f"/{school_class.pk}/assign-teacher"), {"teacher_id": str(spare_teacher.pk)}, format="json"
    )
    assert res.status_code == code
    assert not TeacherClass.objects.filter(teacher=spare_teacher).exists()


# --- assign-students / remove ----------------------------------------------------------------------------------
def test_teacher_assigns_unassigned_and_own_students(
    api_for, teacher, student, unassigned_student, second_class_of_teacher
):
    res = api_for(teacher).post(
        url(f"/{second_class_of_teacher.pk}/assign-students"),
        {"student_ids": [str(student.pk), str(unassigned_student.pk)]},
        format="json",
    )
    assert res.status_code == 200 and res.json() == {"message": "Students assigned successfully"}
    assert set(Student.objects.filter(school_class=second_class_of_teacher)) == {student, unassigned_student}


def test_teacher_cannot_take_another_teachers_student(api_for, teacher, outsider_student, school_class, other_class):
    res = api_for(teacher).post(
        url(f"/{school_class.pk}/assign-students"), {"student_ids": [str(outsider_student.pk)]}, format="json"
    )
    assert res.status_code == 400
    outsider_student.refresh_from_db()
    assert outsider_student.school_class == other_class


@pytest.mark.parametrize("persona,code", [("other_teacher", 404), ("student", 403)])
def test_assign_students_outsiders(request, api_for, persona, code, teacher, student, unassigned_student, school_class):
    user = request.getfixturevalue(persona)
    res = api_for(user).post(
        url(f"/{school_class.pk}/assign-students"), {"student_ids": [str(unassigned_student.pk)]}, format="json"
    )
    assert res.status_code == code
    unassigned_student.refresh_from_db()
    assert unassigned_student.school_class is None


def test_assign_students_validates_body(api_for, admin, school_class):
    client = api_for(admin)
    assert (
        client.post(url(f"/{school_class.pk}/assign-students"), {"student_ids": []}, format="json").status_code == 400
    )
    res = client.post(url(f"/{school_class.pk}/assign-students"), {"student_ids": ["nope"]}, format="json")
    assert res.status_code == 400


def test_teacher_removes_student_from_class(api_for, teacher, student, school_class):
    res = api_for(teacher).delete(url(f"/{school_class.pk}/students/{student.pk}"))
    assert res.status_code == 200 and res.json() == {"message": "Student removed from class"}
    student.refresh_from_db()
    assert student.school_class is None
    assert Student.objects.filter(pk=student.pk).exists()


def test_remove_student_not_in_class_is_404(api_for, admin, outsider_student, school_class, other_class):
    res = api_for(admin).delete(url(f"/{school_class.pk}/students/{outsider_student.pk}"))
    assert res.status_code == 404
    outsider_student.refresh_from_db()
    assert outsider_student.school_class == other_class


@pytest.mark.parametrize("persona,code", [("other_teacher", 404), ("student", 403), ("outsider_student", 404)])
def test_remove_student_outsiders(request, api_for, persona, code, teacher, student, school_class):
    user = request.getfixturevalue(persona)
    assert api_for(user).delete(url(f"/{school_class.pk}/students/{student.pk}")).status_code == code
    student.refresh_from_db()
    assert student.school_class == school_class


def test_remove_student_anonymous(api, student, school_class):
    assert api.delete(url(f"/{school_class.pk}/students/{student.pk}")).status_code == 401
    student.refresh_from_db()
    assert student.school_class == school_class


# --- claim codes -----------------------------------------------------------------------------------------------
def test_teacher_reissues_claim_codes_for_unclaimed_students(api_for, teacher, student, school_class):
    from accounts.claim_codes import claim_code_matches

    fresh = StudentFactory(school_class=school_class, is_account_claimed=False, claimed_at=None)
    res = api_for(teacher).post(url(f"/{school_class.pk}/claim-codes"))
    assert res.status_code == 200
    codes = res.json()["claim_codes"]
    assert [c["registration_number"] for c in codes] == [fresh.registration_number]  # claimed Alice is skipped
    fresh.refresh_from_db()
    assert claim_code_matches(codes[0]["code"], fresh.claim_code_hash)
    # Re-issuing replaces the old code.
    second = api_for(teacher).post(url(f"/{school_class.pk}/claim-codes")).json()["claim_codes"][0]["code"]
    fresh.refresh_from_db()
    assert claim_code_matches(second, fresh.claim_code_hash)
    assert not claim_code_matches(codes[0]["code"], fresh.claim_code_hash)


@pytest.mark.parametrize("persona,code", [("other_teacher", 404), ("student", 403)])
def test_claim_codes_outsiders(request, api_for, persona, code, teacher, student, school_class):
    fresh = StudentFactory(school_class=school_class, is_account_claimed=False, claimed_at=None)
    user = request.getfixturevalue(persona)
    assert api_for(user).post(url(f"/{school_class.pk}/claim-codes")).status_code == code
    fresh.refresh_from_db()
    assert fresh.claim_code_hash == ""
