"""The student import engine: validate every row in memory, then write the valid ones with bulk inserts.

Called only through classrooms.services (students_import), which the API, the import page, the Celery task, the
management command and the Django admin resource all use.

Cost: a file of N rows costs a constant number of reads (existing e-mails, registration numbers, classes) and
2 * ceil(N / BATCH_SIZE) inserts, all inside one transaction, so a crash midway leaves nothing half-written.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth.hashers import make_password
from django.db.models.functions import Lower

from accounts.claim_codes import claim_code_needed, new_claim_code
from accounts.errors import AccountError
from accounts.models import (
    EMAIL_REGEX,
    Accommodation,
    Role,
    Student,
    User,
    normalize_email,
    normalize_registration_number,
)
from accounts.services import accommodation_clean
from classrooms.errors import ClassroomError
from classrooms.models import SchoolClass

REQUIRED_COLUMNS = ("name", "email", "registration_number", "class_name")
OPTIONAL_COLUMNS = ("section", "academic_year", "date_of_birth", "parent_email", "parent_phone")
# Issue 17: optional accommodation columns; a row with any of them needs accommodation_reason.
ACCOMMODATION_COLUMNS = (
    "time_multiplier",
    "extra_minutes",
    "no_time_limit",
    "extra_attempts",
    "focus_exempt",
    "accommodation_reason",
)
_TRUE = {"1", "true", "yes", "y", "x"}
# Header aliases after quizsite.tabular's normalisation; "class" makes our own export re-importable.
COLUMN_ALIASES = {"class": "class_name"}
BATCH_SIZE = 1000
PREVIEW_ROWS = 500

_EMAIL_RE = re.compile(EMAIL_REGEX)
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d")
_FIELD_LIMITS = {
    "name": 255,
    "email": 255,
    "registration_number": 50,
    "class_name": 100,
    "section": 50,
    "academic_year": 20,
    "parent_email": 255,
    "parent_phone": 20,
}

ProgressCallback = Callable[[int, int], None]


@dataclass
class ValidRow:
    number: int
    name: str
    email: str
    registration_number: str
    class_key: tuple
    date_of_birth: date | None
    parent_email: str
    parent_phone: str
    accommodation: dict | None = None  # issue 17: Accommodation field values, validated


def _accommodation(values: dict) -> tuple[dict | None, str | None]:
    """Issue 17: a row's accommodation columns, checked by accounts' one rule (accommodation_clean)."""
    given = {k: values.get(k, "") for k in ACCOMMODATION_COLUMNS}
    if not any(given.values()):
        return None, None
    try:
        multiplier, minutes, no_limit, attempts, reason = accommodation_clean(
            time_multiplier=given["time_multiplier"] or 1,
            extra_minutes=given["extra_minutes"] or 0,
            no_time_limit=given["no_time_limit"].lower() in _TRUE,
            extra_attempts=given["extra_attempts"] or 0,
            reason=given["accommodation_reason"],
        )
    except AccountError as exc:
        return None, f"Accommodation: {exc.message}"
    return {
        "time_multiplier": multiplier,
        "extra_minutes": minutes,
        "no_time_limit": no_limit,
        "extra_attempts": attempts,
        "exempt_from_focus_violations": given["focus_exempt"].lower() in _TRUE,
        "reason": reason,
    }, None


@dataclass
class ImportOutcome:
    dry_run: bool
    total_rows: int
    valid: list[ValidRow] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    created_classes: list[str] = field(default_factory=list)
    imported: int = 0
    claim_codes: list[dict] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    accommodations: int = 0  # issue 17: students imported with an accommodation

    def as_response(self) -> dict:
        """The guide's shape {message, imported, failed, errors} plus what the SPA and pages find useful."""
        failed = len(self.errors)
        if self.dry_run:
            message = f"Dry run: {len(self.valid)} students would be imported, {failed} rows have errors."
        elif failed == 0 and self.imported:
            message = "Import successful"
        elif self.imported:
            message = f"Imported {self.imported} students; {failed} rows failed."
        else:
            message = "Nothing was imported." if not failed else f"Nothing was imported; {failed} rows failed."
        return {
            "message": message,
            "dry_run": self.dry_run,
            "total_rows": self.total_rows,
            "imported": self.imported,
            "would_import": len(self.valid),
            "failed": failed,
            "errors": self.errors,
            "created_classes": self.created_classes,
            "claim_codes_issued": len(self.claim_codes),
        }


def _parse_date(value: str) -> date:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(value)


def check_columns(headers: list[str], rows: list[dict]) -> None:
    """Refuse a file that lacks a required column or has no data rows (ClassroomError, 400)."""
    _canonical_rows(headers, rows[:1])


def _canonical_rows(headers: list[str], rows: list[dict]) -> list[dict]:
    present = {COLUMN_ALIASES.get(h, h) for h in headers if h}
    missing = [c for c in REQUIRED_COLUMNS if c not in present]
    if missing:
        raise ClassroomError(
            f"Missing required columns: {', '.join(missing)}. Required: {', '.join(REQUIRED_COLUMNS)}.",
            code="missing_columns",
        )
    if not rows:
        raise ClassroomError("The file has a header row but no students.", code="empty_file")
    if not any(h in COLUMN_ALIASES for h in headers):
        return rows
    out = []
    for row in rows:
        fixed = {COLUMN_ALIASES.get(k, k): v for k, v in row.items() if not (k in COLUMN_ALIASES and row.get(k) == "")}
        out.append(fixed)
    return out


class _ClassResolver:
    """Maps (class_name, section, academic_year) from a row to a class: an existing one the importer manages or,
    for admins, one to create. Names are matched case-insensitively; section/year narrow the match when given."""

    def __init__(self, *, by: User, names: set[str]):
        self.may_create = by.is_admin
        qs = SchoolClass.objects.manageable_by(by)
        lowered = {n.lower() for n in names}
        self.by_name: dict[str, list] = {}
        for cls in qs.annotate(lname=Lower("name")).filter(lname__in=lowered):
            self.by_name.setdefault(cls.lname, []).append((cls.section, cls.academic_year, cls))
        self.to_create: dict[tuple, SchoolClass] = {}

    def resolve(self, name: str, section: str, year: str) -> tuple[tuple | None, str | None]:
        lname = name.lower()
        candidates = [
            c
            for c in self.by_name.get(lname, [])
            if (not section or c[0].lower() == section.lower()) and (not year or c[1] == year)
        ]
        if len(candidates) == 1:
            cls = candidates[0][2]
            return (lname, cls.section.lower(), cls.academic_year), None
        if len(candidates) > 1:
            return None, f"Class '{name}' matches several classes; add section and academic_year columns."
        if not self.may_create:
            return None, f"Unknown class '{name}': you can import students only into your own classes."
        key = (lname, section.lower(), year)
        new = SchoolClass(name=name, section=section, academic_year=year)
        self.to_create[key] = new
        self.by_name.setdefault(lname, []).append((section, year, new))
        return key, None

    def class_for(self, key: tuple) -> SchoolClass:
        lname, lsection, year = key
        for section, academic_year, cls in self.by_name[lname]:
            if section.lower() == lsection and academic_year == year:
                return cls
        raise KeyError(key)


def validate(*, by: User, headers: list[str], rows: list[dict], dry_run: bool) -> tuple[ImportOutcome, _ClassResolver]:
    rows = _canonical_rows(headers, rows)
    outcome = ImportOutcome(dry_run=dry_run, total_rows=len(rows))

    emails = {normalize_email(r.get("email", "")) for r in rows} - {""}
    regs = {normalize_registration_number(r.get("registration_number", "")) for r in rows} - {""}
    taken_emails = set(User.objects.filter(email__in=emails).values_list("email", flat=True)) if emails else set()
    taken_regs = (
        set(Student.objects.filter(registration_number__in=regs).values_list("registration_number", flat=True))
        if regs
        else set()
    )
    resolver = _ClassResolver(by=by, names={r.get("class_name", "") for r in rows} - {""})

    seen_emails: dict[str, int] = {}
    seen_regs: dict[str, int] = {}
    for raw in rows:
        number = raw["__row__"]
        problems: list[str] = []
        values = {k: (raw.get(k) or "").strip() for k in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, *ACCOMMODATION_COLUMNS)}
        for column in REQUIRED_COLUMNS:
            if not values[column]:
                problems.append(f"Missing {column.replace('_', ' ')}")
        for column, limit in _FIELD_LIMITS.items():
            if len(values[column]) > limit:
                problems.append(f"{column.replace('_', ' ').capitalize()} is longer than {limit} characters")
        email = normalize_email(values["email"])
        reg = normalize_registration_number(values["registration_number"])
        if email and not _EMAIL_RE.match(email):
            problems.append("Invalid email format")
        elif email in seen_emails:
            problems.append(f"Duplicate email {email} (also in row {seen_emails[email]})")
        elif email in taken_emails:
            problems.append(f"A user with email {email} already exists")
        if reg in seen_regs:
            problems.append(f"Duplicate registration number {reg} (also in row {seen_regs[reg]})")
        elif reg in taken_regs:
            problems.append(f"A student with registration number {reg} already exists")
        parent_email = normalize_email(values["parent_email"])
        if parent_email and not _EMAIL_RE.match(parent_email):
            problems.append("Invalid parent email format")
        dob = None
        if values["date_of_birth"]:
            try:
                dob = _parse_date(values["date_of_birth"][:10])
            except ValueError:
                problems.append("Invalid date of birth (use YYYY-MM-DD)")
        accommodation, accommodation_problem = _accommodation(values)
        if accommodation_problem:
            problems.append(accommodation_problem)
        class_key = None
        if values["class_name"] and not problems:
            class_key, class_problem = resolver.resolve(
                values["class_name"], values["section"], values["academic_year"]
            )
            if class_problem:
                problems.append(class_problem)

        if problems:
            error = "; ".join(problems)
            outcome.errors.append({"row": number, "error": error})
        else:
            error = ""
            seen_emails[email] = number
            seen_regs[reg] = number
            outcome.valid.append(
                ValidRow(
                    number=number,
                    name=values["name"],
                    email=email,
                    registration_number=reg,
                    class_key=class_key,
                    date_of_birth=dob,
                    parent_email=parent_email,
                    parent_phone=values["parent_phone"],
                    accommodation=accommodation,
                )
            )
        if len(outcome.preview) < PREVIEW_ROWS:
            outcome.preview.append(
                {
                    "row": number,
                    "name": values["name"],
                    "email": values["email"],
                    "registration_number": values["registration_number"],
                    "class_name": values["class_name"],
                    "section": values["section"],
                    "error": error,
                }
            )
    outcome.created_classes = [str(c) for c in resolver.to_create.values()]
    return outcome, resolver


def write(
    *,
    by: User,
    outcome: ImportOutcome,
    resolver: _ClassResolver,
    codes_for_all: bool = False,
    progress: ProgressCallback | None = None,
) -> None:
    """Insert the validated rows. The caller holds the transaction. Every row without a date of birth gets a
    one-time claim code (its plain code goes to outcome.claim_codes for the slips); `codes_for_all` gives one to
    the rows with a date of birth as well."""
    new_classes = list(resolver.to_create.values())
    for cls in new_classes:
        cls.created_by = by
    if new_classes:
        SchoolClass.objects.bulk_create(new_classes, batch_size=BATCH_SIZE)

    total = len(outcome.valid)
    done = 0
    for start in range(0, total, BATCH_SIZE):
        batch = outcome.valid[start : start + BATCH_SIZE]
        users = []
        students = []
        for row in batch:
            # make_password(None) is Django's unusable password ("!" + random): never a hash of "".
            user = User(
                id=uuid.uuid4(),
                email=row.email,
                name=row.name,
                role=Role.STUDENT,
                password=make_password(None),
                is_active=True,
            )
            school_class = resolver.class_for(row.class_key)
            code_hash = ""
            if codes_for_all or claim_code_needed(date_of_birth=row.date_of_birth):
                code, code_hash = new_claim_code()
                outcome.claim_codes.append(
                    {
                        "student_id": str(user.id),
                        "name": row.name,
                        "registration_number": row.registration_number,
                        "class_name": str(school_class),
                        "code": code,
                    }
                )
            users.append(user)
            students.append(
                Student(
                    user=user,
                    registration_number=row.registration_number,
                    school_class=school_class,
                    date_of_birth=row.date_of_birth,
                    parent_email=row.parent_email,
                    parent_phone=row.parent_phone,
                    is_account_claimed=False,
                    claim_code_hash=code_hash,
                )
            )
        User.objects.bulk_create(users, batch_size=BATCH_SIZE)
        Student.objects.bulk_create(students, batch_size=BATCH_SIZE)
        accommodations = [
            Accommodation(student=student, set_by=by, **row.accommodation)
            for row, student in zip(batch, students, strict=True)
            if row.accommodation
        ]
        if accommodations:  # issue 17; the import job's audit row records the import as a whole
            Accommodation.objects.bulk_create(accommodations, batch_size=BATCH_SIZE)
            outcome.accommodations += len(accommodations)
        done += len(batch)
        if progress is not None:
            progress(done, total)
    outcome.imported = total
