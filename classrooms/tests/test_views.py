"""The classrooms pages: every page for its personas, and the import page's preview → confirm → report flow."""

import re

import pytest
from django.urls import reverse

from accounts.models import Student, User
from classrooms.models import ImportJob, SchoolClass, TeacherClass
from classrooms.tests.conftest import NamedBytesIO, csv_upload
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db

HEADER = "name,email,registration_number,class_name\n"


@pytest.fixture
def browser(client):
    def login(user):
        client.force_login(getattr(user, "user", user))
        return client

    return login


# --- access matrix ---------------------------------------------------------------------------------------------
def _get_pages(school_class, student):
    return [
        reverse("classrooms:list"),
        reverse("classrooms:detail", args=[school_class.pk]),
        reverse("classrooms:students"),
        reverse("classrooms:student_create"),
        reverse("classrooms:student_edit", args=[student.pk]),
        reverse("classrooms:import"),
        reverse("classrooms:export") + f"?class_id={school_class.pk}",
    ]


def test_anonymous_is_sent_to_login(client, school_class, student):
    for url in _get_pages(school_class, student):
        res = client.get(url)
        assert res.status_code == 302 and "/accounts/login/" in res["Location"], url


def test_students_get_403_everywhere(browser, student, school_class):
    client = browser(student)
    for url in _get_pages(school_class, student):
        assert client.get(url).status_code == 403, url
    res = client.post(reverse("classrooms:remove_student", args=[school_class.pk, student.pk]))
    assert res.status_code == 403
    student.refresh_from_db()
    assert student.school_class == school_class


def test_other_teacher_gets_404_on_someone_elses_class_and_student(
    browser, other_teacher, teacher, student, school_class
):
    client = browser(other_teacher)
    assert client.get(reverse("classrooms:detail", args=[school_class.pk])).status_code == 404
    assert client.get(reverse("classrooms:student_edit", args=[student.pk])).status_code == 404
    assert client.get(reverse("classrooms:export") + f"?class_id={school_class.pk}").status_code == 404
    for name, args in [
        ("classrooms:remove_student", [school_class.pk, student.pk]),
        ("classrooms:add_students", [school_class.pk]),
        ("classrooms:claim_slips", [school_class.pk]),
        ("classrooms:student_edit", [student.pk]),
    ]:
        res = client.post(reverse(name, args=args), {"registration_numbers": "STU2026001", "name": "X"})
        assert res.status_code == 404, name
    student.refresh_from_db()
    assert student.school_class == school_class and student.user.name == "Alice Johnson"
    assert student.claim_code_hash == ""


def test_teacher_cannot_use_admin_pages(browser, teacher, student, school_class):
    client = browser(teacher)
    for url in [
        reverse("classrooms:create"),
        reverse("classrooms:edit", args=[school_class.pk]),
        reverse("classrooms:delete", args=[school_class.pk]),
        reverse("classrooms:assign_teacher", args=[school_class.pk]),
        reverse("classrooms:student_delete", args=[student.pk]),
    ]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "X"}).status_code == 403, url
    assert SchoolClass.objects.filter(pk=school_class.pk, name="Class 10A").exists()
    assert Student.objects.filter(pk=student.pk).exists()


# --- classes ---------------------------------------------------------------------------------------------------
def test_class_list_shows_visible_classes(browser, teacher, other_teacher, student):
    res = browser(teacher).get(reverse("classrooms:list"))
    assert res.status_code == 200
    assert "Class 10A" in res.text and "Class 11B" not in res.text and "Tom Teacher" in res.text


def test_admin_creates_edits_and_deletes_a_class(browser, admin):
    client = browser(admin)
    res = client.post(reverse("classrooms:create"), {"name": "Class 9C", "section": "C", "academic_year": "2026-2027"})
    cls = SchoolClass.objects.get(name="Class 9C")
    assert res.status_code == 302 and res["Location"] == reverse("classrooms:detail", args=[cls.pk])
    dup = client.post(reverse("classrooms:create"), {"name": "Class 9C", "section": "C", "academic_year": "2026-2027"})
    assert dup.status_code == 200 and "already exists" in dup.text
    client.post(reverse("classrooms:edit", args=[cls.pk]), {"name": "Class 9D", "section": "D"})
    cls.refresh_from_db()
    assert cls.name == "Class 9D" and cls.academic_year == ""
    assert "Delete Class 9D" in client.get(reverse("classrooms:delete", args=[cls.pk])).text
    res = client.post(reverse("classrooms:delete", args=[cls.pk]))
    assert res.status_code == 302 and not SchoolClass.objects.filter(pk=cls.pk).exists()


def test_admin_assigns_and_unassigns_teacher(browser, admin, spare_teacher, school_class):
    client = browser(admin)
    assert "Sam Spare" in client.get(reverse("classrooms:assign_teacher", args=[school_class.pk])).text
    client.post(reverse("classrooms:assign_teacher", args=[school_class.pk]), {"teacher": spare_teacher.pk})
    assert TeacherClass.objects.filter(teacher=spare_teacher, school_class=school_class).exists()
    page = client.get(reverse("classrooms:detail", args=[school_class.pk])).text
    assert "Sam Spare" in page
    client.post(reverse("classrooms:unassign_teacher", args=[school_class.pk, spare_teacher.pk]))
    assert not TeacherClass.objects.filter(teacher=spare_teacher, school_class=school_class).exists()


def test_teacher_adds_and_removes_students(
    browser, teacher, student, unassigned_student, outsider_student, school_class
):
    client = browser(teacher)
    url = reverse("classrooms:add_students", args=[school_class.pk])
    res = client.post(url, {"registration_numbers": "stu2026500, STU2026999"}, follow=True)
    assert "Unknown registration numbers: STU2026999" in res.text
    unassigned_student.refresh_from_db()
    assert unassigned_student.school_class is None  # all or nothing
    res = client.post(url, {"registration_numbers": "stu2026500"}, follow=True)
    assert "1 students added" in res.text
    unassigned_student.refresh_from_db()
    assert unassigned_student.school_class == school_class
    res = client.post(reverse("classrooms:remove_student", args=[school_class.pk, student.pk]), follow=True)
    assert "Alice Johnson removed" in res.text
    student.refresh_from_db()
    assert student.school_class is None


def test_class_claim_slips_pdf(browser, teacher, school_class):
    fresh = StudentFactory(school_class=school_class, is_account_claimed=False, claimed_at=None)
    res = browser(teacher).post(reverse("classrooms:claim_slips", args=[school_class.pk]))
    assert res.status_code == 200 and res["Content-Type"] == "application/pdf" and res.content.startswith(b"%PDF")
    fresh.refresh_from_db()
    assert fresh.claim_code_hash.startswith("claim-hmac-sha256$")


# --- students --------------------------------------------------------------------------------------------------
def test_teacher_creates_and_edits_a_student(browser, teacher, school_class, other_class):
    client = browser(teacher)
    form = client.get(reverse("classrooms:student_create") + f"?class_id={school_class.pk}").text
    assert "Class 10A" in form and "Class 11B" not in form
    data = {
        "name": "Nina New",
        "email": "Nina@School.test",
        "registration_number": "stu7",
        "school_class": school_class.pk,
    }
    res = client.post(reverse("classrooms:student_create"), data)
    assert res.status_code == 302
    nina = Student.objects.get(registration_number="STU7")
    assert nina.user.email == "nina@school.test" and not nina.user.has_usable_password()
    bad = client.post(reverse("classrooms:student_create"), {**data, "school_class": other_class.pk})
    assert bad.status_code == 200 and "has-error" in bad.text
    dup = client.post(reverse("classrooms:student_create"), {**data, "registration_number": "other"})
    assert "A user with this email already exists." in dup.text
    res = client.post(
        reverse("classrooms:student_edit", args=[nina.pk]), {**data, "name": "Nina N.", "school_class": school_class.pk}
    )
    assert res.status_code == 302
    nina.user.refresh_from_db()
    assert nina.user.name == "Nina N."


def test_the_creator_sees_the_new_students_claim_code_and_prints_a_slip(browser, teacher, other_teacher, school_class):
    """Issue 13: the page created claimable-by-anyone students; now it shows their claim code to the creator."""
    from accounts.claim_codes import claim_code_hash, claim_code_matches

    client = browser(teacher)
    data = {"name": "Nina", "email": "nina@school.test", "registration_number": "stu7", "school_class": school_class.pk}
    res = client.post(reverse("classrooms:student_create"), data)
    nina = Student.objects.get(registration_number="STU7")
    page_url = reverse("classrooms:student_claim_code", args=[nina.pk])
    assert res.status_code == 302 and res["Location"] == page_url
    page = client.get(page_url).text
    code = re.search(r'<code class="claim-code">([A-Z0-9-]+)</code>', page).group(1)
    assert claim_code_matches(code, nina.claim_code_hash) and code not in nina.claim_code_hash
    slip_url = reverse("classrooms:student_claim_slip", args=[nina.pk])
    assert slip_url in page
    slip = client.get(slip_url)
    assert slip.status_code == 200 and slip["Content-Type"] == "application/pdf" and slip.content.startswith(b"%PDF")
    # A class-wide re-issue elsewhere replaces the code: the page stops showing the dead one.
    Student.objects.filter(pk=nina.pk).update(claim_code_hash=claim_code_hash("OTHER-CODE1"))
    assert code not in client.get(page_url).text and client.get(slip_url).status_code == 404
    Student.objects.filter(pk=nina.pk).update(claim_code_hash=nina.claim_code_hash)
    # The code lives in the creator's session only: another teacher (or the creator's next session) never sees it.
    assert browser(other_teacher).get(page_url).status_code == 404
    client.logout()
    later = browser(teacher).get(page_url).text
    assert code not in later and "no longer shown" in later
    assert browser(teacher).get(slip_url).status_code == 404
    # A lost slip: the teacher issues this student a new code (the old one stops working).
    res = client.post(page_url)
    assert res.status_code == 302 and res["Location"] == page_url
    new_code = re.search(r'<code class="claim-code">([A-Z0-9-]+)</code>', client.get(page_url).text).group(1)
    nina.refresh_from_db()
    assert claim_code_matches(new_code, nina.claim_code_hash) and not claim_code_matches(code, nina.claim_code_hash)
    assert browser(other_teacher).post(page_url).status_code == 404
    nina.refresh_from_db()
    assert claim_code_matches(new_code, nina.claim_code_hash)


def test_a_student_created_with_a_date_of_birth_gets_no_claim_code(browser, admin, school_class):
    data = {"name": "Dora", "email": "dora@school.test", "registration_number": "d1", "date_of_birth": "2010-05-15"}
    res = browser(admin).post(reverse("classrooms:student_create"), {**data, "school_class": school_class.pk})
    assert res.status_code == 302 and res["Location"] == reverse("classrooms:detail", args=[school_class.pk])
    assert Student.objects.get(registration_number="D1").claim_code_hash == ""


def test_student_list_search(browser, admin, student, outsider_student):
    res = browser(admin).get(reverse("classrooms:students") + "?q=oscar")
    assert "Oscar Outsider" in res.text and "Alice Johnson" not in res.text
    assert browser(admin).get(reverse("classrooms:students") + "?class_id=garbage").status_code == 200


def test_admin_deletes_student(browser, admin, student):
    res = browser(admin).post(reverse("classrooms:student_delete", args=[student.pk]))
    assert res.status_code == 302 and not User.objects.filter(pk=student.pk).exists()


def test_deleting_a_student_with_attempts_is_refused_with_a_message(browser, admin, teacher, student):
    from tests.factories import QuizAttemptFactory, QuizFactory

    QuizAttemptFactory(quiz=QuizFactory(created_by=teacher), student=student)
    res = browser(admin).post(reverse("classrooms:student_delete", args=[student.pk]), follow=True)
    assert res.status_code == 200 and "Deactivate the account instead" in res.text
    assert User.objects.filter(pk=student.pk).exists() and student.attempts.count() == 1


# --- import flow -----------------------------------------------------------------------------------------------
def test_the_import_page_gives_codes_to_rows_without_a_date_of_birth_by_default(browser, teacher, school_class):
    client = browser(teacher)
    form = client.get(reverse("classrooms:import")).text
    assert "without a date of birth" in form
    upload = csv_upload(HEADER + "Ann,ann@school.test,P1,Class 10A\n")
    res = client.post(reverse("classrooms:import"), {"file": upload})
    job = ImportJob.objects.get()
    res = client.post(reverse("classrooms:import_confirm", args=[job.pk]), follow=True)
    assert "Download claim slips" in res.text
    assert Student.objects.get(registration_number="P1").claim_code_hash


def test_preview_then_confirm_then_report_with_claim_slips(browser, teacher, school_class):
    client = browser(teacher)
    upload = csv_upload(HEADER + "Ann,ann@school.test,P1,Class 10A\nBad,bad-email,P2,Class 10A\n", bom=True)
    res = client.post(reverse("classrooms:import"), {"file": upload, "issue_claim_codes": "on"})
    job = ImportJob.objects.get()
    assert res.status_code == 302 and res["Location"] == reverse("classrooms:import_job", args=[job.pk])
    preview = client.get(res["Location"]).text
    assert "Preview" in preview and 'class="row-error"' in preview and "Invalid email format" in preview
    assert not Student.objects.filter(registration_number="P1").exists()

    res = client.post(reverse("classrooms:import_confirm", args=[job.pk]), follow=True)
    assert "Imported 1 students; 1 rows failed." in res.text
    assert "Download claim slips" in res.text
    assert Student.objects.filter(registration_number="P1", is_account_claimed=False).exists()
    pdf = client.get(reverse("classrooms:import_claim_slips", args=[job.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # Confirming twice does not import twice.
    again = client.post(reverse("classrooms:import_confirm", args=[job.pk]), follow=True)
    assert "already been started" in again.text
    client.post(reverse("classrooms:import_discard_codes", args=[job.pk]))
    assert client.get(reverse("classrooms:import_claim_slips", args=[job.pk])).status_code == 404


def test_import_page_shows_file_errors_next_to_the_field(browser, admin):
    res = browser(admin).post(reverse("classrooms:import"), {"file": NamedBytesIO(b"name\nx\n", "s.docx")})
    assert res.status_code == 200 and "Only .csv and .xlsx files can be imported." in res.text
    assert not ImportJob.objects.exists()


def test_others_cannot_see_or_confirm_an_import(browser, teacher, other_teacher, student, school_class):
    browser(teacher).post(
        reverse("classrooms:import"), {"file": csv_upload(HEADER + "Ann,ann@school.test,P1,Class 10A\n")}
    )
    job = ImportJob.objects.get()
    for user in (other_teacher, student):
        client = browser(user)
        assert client.get(reverse("classrooms:import_job", args=[job.pk])).status_code in (403, 404)
        assert client.post(reverse("classrooms:import_confirm", args=[job.pk])).status_code in (403, 404)
    job.refresh_from_db()
    assert job.status == "preview" and not Student.objects.filter(registration_number="P1").exists()


def test_large_file_runs_in_background_and_page_shows_progress(
    browser, admin, school_class, django_capture_on_commit_callbacks
):
    client = browser(admin)
    rows = "".join(f"S {i},s{i}@bulk.test,BULK{i},Class 10A\n" for i in range(600))
    client.post(reverse("classrooms:import"), {"file": csv_upload(HEADER + rows)})
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("classrooms:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "queued" and len(callbacks) == 1
    page = client.get(reverse("classrooms:import_job", args=[job.pk])).text
    assert "Importing" in page and "data-status-url" in page and "classrooms-import.js" in page
    callbacks[0]()  # the worker picks the task up
    job.refresh_from_db()
    assert job.status == "done" and Student.objects.filter(registration_number__startswith="BULK").count() == 600
    assert "Import successful" in client.get(reverse("classrooms:import_job", args=[job.pk])).text


def test_export_buttons_download_files(browser, admin, student, school_class):
    res = browser(admin).get(reverse("classrooms:export") + f"?class_id={school_class.pk}&format=xlsx")
    assert res.status_code == 200 and "spreadsheetml" in res["Content-Type"]
    assert res["Content-Disposition"].endswith('.xlsx"')


def test_list_pages_paginate_and_keep_their_filters(browser, admin):
    from tests.factories import SchoolClassFactory

    for i in range(26):
        SchoolClassFactory(name=f"Paged {i:02}")
    page = browser(admin).get(reverse("classrooms:list") + "?q=Paged").text
    assert "Page 1 of 2 · 26 in all" in page and "?q=Paged&amp;page=2" in page
