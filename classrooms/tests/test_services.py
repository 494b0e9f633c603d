"""Service rules that the API and page tests do not reach directly: claim-code hashing, class matching."""

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts import claim_codes
from accounts.models import Student
from classrooms import services
from classrooms.tests.conftest import csv_upload
from tests.factories import SchoolClassFactory
from tests.pdf import (
    border_box,
    flow_boxes,
    has_class,
    inside,
    is_text,
    layout,
    margin_boxes,
    overlap,
    page_area,
    pdf_lines,
)

pytestmark = pytest.mark.django_db

HEADER = "name,email,registration_number,class_name,section,academic_year,date_of_birth\n"


def test_claim_code_hash_format_and_matching():
    code = claim_codes.generate_claim_code()
    assert len(code) == 11 and code[5] == "-"
    stored = claim_codes.claim_code_hash(code)
    prefix, salt, digest = stored.split("$")
    assert prefix == "claim-hmac-sha256" and len(salt) == 16 and len(digest) == 64
    assert claim_codes.claim_code_matches(code, stored)
    assert claim_codes.claim_code_matches(f"  {code.lower()} ", stored)
    assert claim_codes.claim_code_matches(code.replace("-", ""), stored)
    assert not claim_codes.claim_code_matches("ABCDE-FGHJK", stored)
    assert not claim_codes.claim_code_matches("", stored) and not claim_codes.claim_code_matches(code, "")
    assert claim_codes.claim_code_hash(code) != stored  # salted


def test_claim_code_matches_reads_hashes_made_with_make_password():
    assert claim_codes.claim_code_matches("ab cd", make_password("ABCD"))
    assert not claim_codes.claim_code_matches("abce", make_password("ABCD"))


def test_classes_match_by_name_section_and_year(admin):
    a = SchoolClassFactory(name="Year 7", section="A", academic_year="2026-2027")
    b = SchoolClassFactory(name="Year 7", section="B", academic_year="2026-2027")
    upload = csv_upload(
        HEADER + "One,one@s.test,Y1,year 7,a,,\n"
        "Two,two@s.test,Y2,Year 7,B,2026-2027,15/03/2012\n"
        "Three,three@s.test,Y3,Year 7,,,\n"
        "Four,four@s.test,Y4,Year 7,C,,2012-13-01\n"
        "Five,five@s.test,Y5,Year 7,C,,\n"
    )
    outcome = services.students_import(by=admin, upload=upload)
    assert Student.objects.get(registration_number="Y1").school_class == a
    two = Student.objects.get(registration_number="Y2")
    assert two.school_class == b and str(two.date_of_birth) == "2012-03-15"
    errors = {e["row"]: e["error"] for e in outcome.errors}
    assert "matches several classes" in errors[4]
    assert errors[5] == "Invalid date of birth (use YYYY-MM-DD)"
    # Row 6 creates "Year 7 / C" once; no duplicate class appears.
    assert outcome.created_classes == ["Year 7 C"]
    assert Student.objects.get(registration_number="Y5").school_class.section == "C"


def test_dry_run_and_real_run_agree(admin, school_class):
    text = HEADER + "Ann,ann@s.test,A1,Class 10A,,,\nDup,ANN@s.test,A2,Class 10A,,,\nNew,new@s.test,A3,Other,,,\n"
    dry = services.students_import(by=admin, upload=csv_upload(text), dry_run=True).as_response()
    real = services.students_import(by=admin, upload=csv_upload(text)).as_response()
    assert dry["would_import"] == real["imported"] == 2
    assert dry["errors"] == real["errors"] and dry["created_classes"] == real["created_classes"] == ["Other"]


def test_plain_claim_codes_are_purged_after_their_ttl_but_hashes_stay(admin, school_class):
    from datetime import timedelta

    from django.utils import timezone

    from classrooms.models import ImportJob
    from classrooms.services import CLAIM_CODES_TTL, import_jobs_purge_expired_codes
    from classrooms.tasks import purge_expired_claim_codes

    now = timezone.now()
    old = ImportJob.objects.create(
        created_by=admin,
        finished_at=now - CLAIM_CODES_TTL - timedelta(minutes=1),
        claim_codes=[{"registration_number": "A1", "code": "ABCDE-FGHJK"}],
    )
    fresh = ImportJob.objects.create(
        created_by=admin,
        finished_at=now - timedelta(hours=1),
        claim_codes=[{"registration_number": "B1", "code": "KMNPQ-RSTUV"}],
    )
    assert purge_expired_claim_codes.delay().get() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.claim_codes == [] and fresh.claim_codes[0]["code"] == "KMNPQ-RSTUV"
    assert import_jobs_purge_expired_codes() == 0  # nothing left to purge


# --- roster services resolve what they are given through the scoped querysets ----------------------------------
def test_assign_students_resolves_ids_and_registration_numbers_for_the_acting_user(
    teacher, school_class, outsider_student, other_class, unassigned_student
):
    from django.core.exceptions import ValidationError

    by = teacher.user
    with pytest.raises(ValidationError) as exc:
        services.class_assign_students(school_class=school_class, by=by, students=[str(outsider_student.pk)])
    assert exc.value.message_dict == {"student_ids": [f"Unknown student ids: {outsider_student.pk}"]}
    with pytest.raises(ValidationError) as exc:
        services.class_assign_students(school_class=school_class, by=by, registration_numbers=[" stu2026999 ", "x"])
    assert exc.value.message_dict == {"registration_numbers": ["Unknown registration numbers: STU2026999, X"]}
    outsider_student.refresh_from_db()
    unassigned_student.refresh_from_db()
    assert outsider_student.school_class == other_class and unassigned_student.school_class is None

    assert services.class_assign_students(school_class=school_class, by=by, students=[unassigned_student]) == 1
    assert services.class_assign_students(school_class=school_class, by=by, registration_numbers=["stu2026500"]) == 0


def test_assign_teacher_and_student_class_are_resolved_by_id(admin, teacher, spare_teacher, student, other_class):
    from django.core.exceptions import ValidationError

    from classrooms.errors import ClassroomError
    from classrooms.models import TeacherClass

    assert services.class_assign_teacher(school_class=other_class, teacher=str(spare_teacher.pk), by=admin) is True
    assert TeacherClass.objects.filter(teacher=spare_teacher, school_class=other_class).exists()
    with pytest.raises(ValidationError):
        services.class_assign_teacher(school_class=other_class, teacher=student.pk, by=admin)
    with pytest.raises(ClassroomError) as refused:
        services.class_assign_teacher(school_class=other_class, teacher=spare_teacher.pk, by=teacher.user)
    assert refused.value.status_code == 403

    with pytest.raises(ValidationError) as exc:
        services.student_update(student=student, school_class=str(other_class.pk), by=teacher.user)
    assert exc.value.message_dict == {"class_id": ["No such class."]}
    services.student_update(student=student, school_class=str(other_class.pk), by=admin)
    student.refresh_from_db()
    assert student.school_class == other_class


def test_plain_claim_codes_of_an_import_are_for_its_creator_only(admin, teacher, school_class):
    from django.utils import timezone

    from classrooms.models import ImportJob

    job = ImportJob.objects.create(
        created_by=teacher.user, finished_at=timezone.now(), claim_codes=[{"registration_number": "A1", "code": "C"}]
    )
    assert services.import_job_claim_codes(job=job, by=teacher.user) == job.claim_codes
    assert services.import_job_claim_codes(job=job, by=admin) == []


# --- claim slips on paper -----------------------------------------------------------------------------------------


def test_claim_slips_stay_on_the_page_and_nothing_is_printed_over_them():
    """12 slips: more than one page (5 rows of 2), so the top of the second page is checked too, where the closing
    line used to be printed over the first slip."""
    title = "Claim slips — Class 10A"
    codes = [
        {
            "name": f"Student Number {i:02d} With A Rather Long Name",
            "registration_number": f"STU2026{i:04d}",
            "class_name": "Class 10A",
            "code": claim_codes.generate_claim_code(),
        }
        for i in range(12)
    ]
    text = "\n".join(pdf_lines(services.claim_slips_pdf(codes=codes, title=title)))
    assert all(c["code"] in text and c["registration_number"] in text for c in codes)
    assert "Cut along the dashed lines" in text

    document = layout("classrooms/claim_slips.html", {"codes": codes, "title": title, "generated_at": timezone.now()})
    assert len(document.pages) == 2
    for number, page in enumerate(document.pages, start=1):
        area = page_area(page)
        slips = [border_box(b) for b in flow_boxes(page) if has_class(b, "slip")]
        assert slips, number
        for slip in slips:
            assert inside(slip, area), (number, slip, area)  # the last row ran into the bottom margin
        # Every other text on the page (title, closing line, page number) is clear of every slip.
        for box in [*flow_boxes(page), *margin_boxes(page)]:
            if is_text(box) and not any(inside(border_box(box), slip) for slip in slips):
                assert not any(overlap(border_box(box), slip) for slip in slips), (number, box.text)
        # The title heads every page, above its first slip.
        titles = [border_box(b) for b in [*flow_boxes(page), *margin_boxes(page)] if is_text(b) and title in b.text]
        assert titles, number
        assert max(t[3] for t in titles) <= min(s[1] for s in slips), number
