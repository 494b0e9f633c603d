"""manage.py import_students: the same import as the API, for staff at a terminal."""

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Student

pytestmark = pytest.mark.django_db

CSV = "name,email,registration_number,class_name\nAnn,ann@school.test,c1,Class 10A\nBad,bad,c2,Class 10A\n"


def test_dry_run_then_import_as_admin(tmp_path, admin, school_class, capsys):
    path = tmp_path / "students.csv"
    path.write_text(CSV)
    call_command("import_students", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "row 3: Invalid email format" in out and "1 students would be imported" in out
    assert not Student.objects.exists()
    call_command("import_students", str(path), "--as", "admin@school.test", "--claim-codes")
    out = capsys.readouterr().out
    assert "Imported 1 students; 1 rows failed." in out and "C1\tAnn\t" in out
    assert Student.objects.get(registration_number="C1").school_class == school_class


def test_students_without_a_date_of_birth_get_codes_and_slips_without_the_option(tmp_path, admin, school_class, capsys):
    path = tmp_path / "students.csv"
    path.write_text(CSV)
    slips = tmp_path / "slips.pdf"
    call_command("import_students", str(path), "--slips", str(slips))
    assert "claim slips written to" in capsys.readouterr().out
    assert slips.read_bytes().startswith(b"%PDF")
    assert Student.objects.get(registration_number="C1").claim_code_hash


def test_refuses_students_and_unreadable_files(tmp_path, admin, student):
    path = tmp_path / "students.csv"
    path.write_text(CSV)
    with pytest.raises(CommandError, match="No active admin or teacher"):
        call_command("import_students", str(path), "--as", "alice@school.test")
    bad = tmp_path / "students.txt.pdf"
    bad.write_bytes(b"%PDF-1.4")
    with pytest.raises(CommandError, match="Only .csv and .xlsx"):
        call_command("import_students", str(bad))
    assert Student.objects.count() == 1
