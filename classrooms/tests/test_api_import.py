"""POST /api/v1/students/bulk-import, the import-job status URL, claim slips, and the student export."""

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from accounts.claim_codes import claim_code_matches
from accounts.models import AuditLog, Student, User
from classrooms.models import ImportJob, SchoolClass
from classrooms.tests.conftest import NamedBytesIO, csv_upload

pytestmark = pytest.mark.django_db

URL = "/api/v1/students/bulk-import"
HEADER = "name,email,registration_number,class_name\n"


def post(client, upload, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(f"{URL}?{query}" if query else URL, {"file": upload}, format="multipart")


def xlsx_upload(rows, name="students.xlsx"):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return NamedBytesIO(out.getvalue(), name)


# --- happy paths and file formats ------------------------------------------------------------------------------
def test_admin_imports_csv_with_bom_and_creates_missing_class(api_for, admin, school_class):
    upload = csv_upload(
        "Name, Email ,Registration Number,Class Name,Section\n"
        "Ann Lee,ANN@School.test ,stu100,Class 10A,A\n"
        "Bob Ray,bob@school.test,stu101,Class 12Z,Q\n",
        bom=True,
    )
    res = post(api_for(admin), upload)
    assert res.status_code == 200, res.json()
    body = res.json()
    assert body["message"] == "Import successful"
    assert body["imported"] == 2 and body["failed"] == 0 and body["errors"] == []
    assert body["created_classes"] == ["Class 12Z Q"]
    ann = Student.objects.select_related("user").get(registration_number="STU100")
    assert ann.user.email == "ann@school.test" and ann.school_class == school_class
    assert ann.is_account_claimed is False and not ann.user.has_usable_password()
    assert SchoolClass.objects.get(name="Class 12Z").created_by == admin
    assert AuditLog.objects.filter(action="students.import", user=admin).exists()


def test_semicolons_blank_lines_and_trailing_spaces(api_for, admin, school_class):
    upload = csv_upload(
        "name;email;registration_number;class_name\n"
        "\n"
        "Ann Lee  ;ann@school.test  ;  stu100 ;Class 10A \n"
        ";;;\n"
        "Bob Ray;not-an-email;stu101;Class 10A\n"
    )
    body = post(api_for(admin), upload).json()
    assert body["imported"] == 1
    # Rows are numbered as a spreadsheet shows them: header 1, blank 2, Ann 3, blank 4, Bob 5.
    assert body["errors"] == [{"row": 5, "error": "Invalid email format"}]
    assert User.objects.get(email="ann@school.test").name == "Ann Lee"


def test_xlsx_import(api_for, admin, school_class):
    upload = xlsx_upload(
        [
            ["Name", "Email", "Registration_Number", "Class_Name", "Date of Birth"],
            ["Xia", "x@school.test", 12345, "Class 10A", "2009-02-03"],
        ]
    )
    body = post(api_for(admin), upload).json()
    assert body["imported"] == 1, body
    s = Student.objects.get(registration_number="12345")
    assert str(s.date_of_birth) == "2009-02-03"


def test_row_errors_duplicates_in_file_and_in_database(api_for, admin, student, school_class):
    upload = csv_upload(
        HEADER + "A One,a1@school.test,R1,Class 10A\n"
        "A Dup,A1@SCHOOL.TEST,R2,Class 10A\n"  # mixed-case duplicate e-mail of row 2
        "R Dup,r3@school.test,r1,Class 10A\n"  # duplicate registration number of row 2
        "Existing,alice@school.test,R4,Class 10A\n"
        "Existing Reg,r5@school.test,stu2026001,Class 10A\n"
        ",r6@school.test,R6,Class 10A\n"
        "No Class,r7@school.test,R7,\n"
    )
    body = post(api_for(admin), upload).json()
    assert body["imported"] == 1 and body["failed"] == 6
    errors = {e["row"]: e["error"] for e in body["errors"]}
    assert "Duplicate email a1@school.test (also in row 2)" in errors[3]
    assert "Duplicate registration number R1 (also in row 2)" in errors[4]
    assert "already exists" in errors[5] and "already exists" in errors[6]
    assert errors[7] == "Missing name" and errors[8] == "Missing class name"
    assert body["message"] == "Imported 1 students; 6 rows failed."


def test_dry_run_writes_nothing(api_for, admin, school_class):
    upload = csv_upload(HEADER + "Ann,ann@school.test,S1,New Class\nBad,bad,S2,Class 10A\n")
    res = post(api_for(admin), upload, dry_run="true")
    body = res.json()
    assert res.status_code == 200
    assert body["dry_run"] is True and body["would_import"] == 1 and body["imported"] == 0 and body["failed"] == 1
    assert body["created_classes"] == ["New Class"]
    assert not User.objects.filter(email="ann@school.test").exists()
    assert not SchoolClass.objects.filter(name="New Class").exists()
    assert not ImportJob.objects.exists()


def test_formula_cells_are_stored_as_text_and_exported_defused(api_for, admin, school_class):
    upload = csv_upload(HEADER + '"=HYPERLINK(""http://evil"",""x"")",f@school.test,F1,Class 10A\n')
    assert post(api_for(admin), upload).json()["imported"] == 1
    assert User.objects.get(email="f@school.test").name == '=HYPERLINK("http://evil","x")'
    res = api_for(admin).get("/api/v1/students/export?format=csv")
    text = res.content.decode("utf-8-sig")
    row = next(r for r in csv.reader(io.StringIO(text)) if r and r[1] == "f@school.test")
    assert row[0] == '\'=HYPERLINK("http://evil","x")'


# --- teacher rules ---------------------------------------------------------------------------------------------
def test_teacher_imports_only_into_own_classes(api_for, teacher, other_teacher, school_class, other_class):
    upload = csv_upload(
        HEADER
        + "Mine,mine@school.test,T1,class 10a\nTheirs,theirs@school.test,T2,Class 11B\nNew,new@school.test,T3,Nope\n"
    )
    body = post(api_for(teacher), upload).json()
    assert body["imported"] == 1
    assert [e["row"] for e in body["errors"]] == [3, 4]
    assert "Unknown class 'Class 11B'" in body["errors"][0]["error"]
    assert Student.objects.get(registration_number="T1").school_class == school_class
    assert not SchoolClass.objects.filter(name="Nope").exists()
    assert not User.objects.filter(email="theirs@school.test").exists()


@pytest.mark.parametrize("persona", ["student", "outsider_student"])
def test_students_cannot_import(request, api_for, persona, school_class):
    res = post(api_for(request.getfixturevalue(persona)), csv_upload(HEADER + "A,a@school.test,Z1,Class 10A\n"))
    assert res.status_code == 403
    assert not User.objects.filter(email="a@school.test").exists()


def test_anonymous_cannot_import(api, school_class):
    assert post(api, csv_upload(HEADER + "A,a@school.test,Z1,Class 10A\n")).status_code == 401
    assert not User.objects.filter(email="a@school.test").exists()


# --- refused files ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "upload,detail",
    [
        (NamedBytesIO(b"\x00\x01\x02\xff\xfe binary", "students.csv"), "not a text CSV"),
        (NamedBytesIO(b"name,email\n", "students.pdf"), "Only .csv and .xlsx"),
        (NamedBytesIO(b"PK\x03\x04garbage", "students.xlsx"), "not a readable .xlsx"),
        (csv_upload("name,email\nA,a@school.test\n"), "Missing required columns: registration_number, class_name"),
        (csv_upload(HEADER), "no students"),
        (NamedBytesIO(b"", "students.csv"), "empty"),
        (NamedBytesIO(b"a" * (5 * 1024 * 1024 + 1), "students.csv"), "larger than 5 MB"),
    ],
)
def test_unreadable_files_are_400_and_write_nothing(api_for, admin, upload, detail):
    res = post(api_for(admin), upload)
    assert res.status_code == 400
    assert detail in res.json()["detail"]
    assert not Student.objects.exists() and not ImportJob.objects.exists()


def test_missing_file_field_is_400(api_for, admin):
    res = api_for(admin).post(URL, {}, format="multipart")
    assert res.status_code == 400 and "file" in res.json()["detail"]


def test_too_many_rows_is_400(api_for, admin):
    lines = [HEADER] + [f"S{i},s{i}@school.test,R{i},C\n" for i in range(20001)]
    res = post(api_for(admin), csv_upload("".join(lines)))
    assert res.status_code == 400 and "more than 20000 rows" in res.json()["detail"]
    assert not Student.objects.exists()


def test_a_crash_midway_leaves_nothing(api_for, admin, school_class, monkeypatch):
    from classrooms import imports

    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    real = Student.objects.bulk_create
    calls = []

    def failing_bulk_create(objs, *args, **kwargs):
        calls.append(len(objs))
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real(objs, *args, **kwargs)

    monkeypatch.setattr(Student.objects, "bulk_create", failing_bulk_create)
    upload = csv_upload(HEADER + "".join(f"S{i},s{i}@school.test,R{i},New Class\n" for i in range(5)))
    with pytest.raises(RuntimeError):
        post(api_for(admin), upload)
    assert calls == [2, 2]
    assert not User.objects.filter(email__startswith="s").exists()
    assert not SchoolClass.objects.filter(name="New Class").exists()


# --- claim codes -----------------------------------------------------------------------------------------------
def test_issue_claim_codes_and_download_slips_once_available(api_for, admin, teacher, school_class):
    upload = csv_upload(HEADER + "Ann,ann@school.test,C1,Class 10A\nBob,bob@school.test,C2,Class 10A\n")
    body = post(api_for(admin), upload, issue_claim_codes="true").json()
    assert body["claim_codes_issued"] == 2
    codes = {c["registration_number"]: c["code"] for c in body["claim_codes"]}
    ann = Student.objects.get(registration_number="C1")
    assert claim_code_matches(codes["C1"], ann.claim_code_hash)
    assert claim_code_matches(codes["C1"].lower().replace("-", " "), ann.claim_code_hash)
    assert not claim_code_matches(codes["C2"], ann.claim_code_hash)
    assert codes["C1"] not in ann.claim_code_hash

    slips = api_for(admin).get(body["claim_slips_url"])
    assert slips.status_code == 200 and slips["Content-Type"] == "application/pdf"
    assert slips.content.startswith(b"%PDF")
    # Nobody else can fetch the job or its slips.
    assert api_for(teacher).get(body["status_url"]).status_code == 404
    assert api_for(teacher).get(body["claim_slips_url"]).status_code == 404


def test_rows_without_a_date_of_birth_always_get_a_claim_code(api, api_for, teacher, school_class):
    """Issue 13: imported without the (default-off) option, students had no secret on record and anyone with the
    registration number could claim them. Claim codes are now the rule for rows without a date of birth; the
    option gives codes to the rows with one as well."""
    header = "name,email,registration_number,class_name,date_of_birth\n"
    upload = csv_upload(header + "Ann,ann@school.test,C1,Class 10A,\nDee,dee@school.test,C2,Class 10A,2010-05-15\n")
    body = post(api_for(teacher), upload).json()
    assert body["imported"] == 2 and body["claim_codes_issued"] == 1
    assert [c["registration_number"] for c in body["claim_codes"]] == ["C1"] and body["claim_slips_url"]
    ann = Student.objects.get(registration_number="C1")
    assert claim_code_matches(body["claim_codes"][0]["code"], ann.claim_code_hash)
    assert Student.objects.get(registration_number="C2").claim_code_hash == ""
    claim = {"registration_number": "C1", "password": "Blue-Kettle-42", "confirm_password": "Blue-Kettle-42"}
    assert api.post("/api/v1/auth/claim-account", claim, format="json").status_code == 400

    upload = csv_upload(header + "Eve,eve@school.test,C3,Class 10A,2010-05-15\n")
    body = post(api_for(teacher), upload, issue_claim_codes="true").json()
    assert body["claim_codes_issued"] == 1 and body["claim_codes"][0]["registration_number"] == "C3"


def test_status_url_and_claim_codes_are_the_creators(api_for, admin, teacher, other_teacher, school_class):
    upload = csv_upload(HEADER + "Ann,ann@school.test,C1,Class 10A\n")
    body = post(api_for(teacher), upload, issue_claim_codes="true").json()
    assert api_for(teacher).get(body["status_url"]).json()["claim_codes"][0]["registration_number"] == "C1"
    assert api_for(other_teacher).get(body["status_url"]).status_code == 404
    as_admin = api_for(admin).get(body["status_url"]).json()
    assert as_admin["imported"] == 1 and "claim_codes" not in as_admin


# --- large files go through the task ---------------------------------------------------------------------------
def test_ten_thousand_rows_run_as_a_task(api_for, admin, school_class, django_capture_on_commit_callbacks):
    rows = "".join(f"Student {i},student{i}@big.test,BIG{i:05d},Class {i % 20}\n" for i in range(10000))
    upload = csv_upload(HEADER + rows + "Dup,student1@big.test,DUP1,Class 1\n")
    client = api_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        res = post(client, upload, issue_claim_codes="true")
    assert res.status_code == 202
    body = res.json()
    assert body["status"] == "queued" and body["status_url"].endswith(f"/api/v1/students/import-jobs/{body['job_id']}")
    status_body = client.get(body["status_url"]).json()
    assert status_body["status"] == "done", status_body
    assert status_body["imported"] == 10000 and status_body["failed"] == 1
    assert status_body["errors"] == [{"row": 10002, "error": "Duplicate email student1@big.test (also in row 3)"}]
    assert status_body["progress"] == {"processed": 10000, "total": 10000}
    assert len(status_body["claim_codes"]) == 10000
    assert Student.objects.filter(registration_number__startswith="BIG").count() == 10000
    assert SchoolClass.objects.filter(name__startswith="Class ").count() == 21  # 20 new + Class 10A
    job = ImportJob.objects.get(pk=body["job_id"])
    assert bytes(job.content) == b""  # the upload is not kept once imported


def test_queued_file_with_bad_columns_is_refused_before_queueing(api_for, admin):
    rows = "".join(f"S{i},s{i}@school.test\n" for i in range(600))
    res = post(api_for(admin), csv_upload("name,email\n" + rows))
    assert res.status_code == 400 and not ImportJob.objects.exists()


# --- export ----------------------------------------------------------------------------------------------------
def test_export_csv_has_guide_columns_bom_and_scope(api_for, teacher, student, outsider_student, school_class):
    res = api_for(teacher).get(f"/api/v1/students/export?class_id={school_class.pk}&format=csv")
    assert res.status_code == 200 and res["Content-Type"].startswith("text/csv")
    assert res.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(res.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Name", "Email", "Registration Number", "Class", "Section"]
    assert "Account Claimed" in rows[0]
    assert [r[2] for r in rows[1:]] == ["STU2026001"]
    assert rows[1][rows[0].index("Account Claimed")] == "Yes"
    # The same service under the guide's 5.12 path; without class_id, still only the teacher's students.
    res = api_for(teacher).get("/api/v1/exports/students")
    rows = list(csv.reader(io.StringIO(res.content.decode("utf-8-sig"))))
    assert [r[2] for r in rows[1:]] == ["STU2026001"]


def test_export_xlsx_escapes_formulas(api_for, admin, student):
    student.user.name = "+SUM(1,2)"
    student.user.save()
    res = api_for(admin).get("/api/v1/students/export?format=xlsx")
    assert res.status_code == 200 and "spreadsheetml" in res["Content-Type"]
    ws = load_workbook(io.BytesIO(res.content)).active
    values = [row for row in ws.iter_rows(values_only=True)]
    assert values[1][0] == "'+SUM(1,2)"


def test_export_outsiders(api, api_for, teacher, other_teacher, student, school_class):
    assert api_for(other_teacher).get(f"/api/v1/students/export?class_id={school_class.pk}").status_code == 404
    assert api_for(student).get("/api/v1/students/export").status_code == 403
    assert api.get("/api/v1/exports/students").status_code == 401
    assert api_for(teacher).get("/api/v1/students/export?format=pdf").status_code == 400
