"""django-import-export resource for students: the Django admin's import and export of the same data and through
the same service as the API (classrooms.services.students_import_rows and selectors.EXPORT_HEADERS).

Import: django-import-export's own row-by-row save is bypassed; `import_data` hands the whole sheet to the
service, which validates in memory and bulk-inserts in one transaction, and reports back in the admin's Result
shape. The admin is stricter than the API: a file with row errors shows them (as validation errors) and cannot be
confirmed until they are fixed, which is how django-import-export's confirm step works.
Export: the guide's column names (the import reads them back: headers are normalised, "Class" = class_name),
formula-injection safe (the admin's CSV/XLSX go through tablib, so every cell passes quizsite.tabular.safe_cell).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from import_export import fields, resources
from import_export.results import Error, Result, RowResult

from accounts.models import Student
from classrooms import imports, services
from quizsite.errors import DomainError
from quizsite.tabular import normalise_header, safe_cell


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value).strip()


class StudentResource(resources.ModelResource):
    name = fields.Field(attribute="user__name", column_name="Name")
    email = fields.Field(attribute="user__email", column_name="Email")
    registration_number = fields.Field(attribute="registration_number", column_name="Registration Number")
    class_name = fields.Field(column_name="Class")
    section = fields.Field(column_name="Section")
    academic_year = fields.Field(column_name="Academic Year")
    date_of_birth = fields.Field(attribute="date_of_birth", column_name="Date of Birth")
    parent_email = fields.Field(attribute="parent_email", column_name="Parent Email")
    parent_phone = fields.Field(attribute="parent_phone", column_name="Parent Phone")
    account_claimed = fields.Field(column_name="Account Claimed")

    IMPORT_COLUMNS = (*imports.REQUIRED_COLUMNS, *imports.OPTIONAL_COLUMNS)

    class Meta:
        model = Student
        import_id_fields = ("registration_number",)
        fields = (
            "name",
            "email",
            "registration_number",
            "class_name",
            "section",
            "academic_year",
            "date_of_birth",
            "parent_email",
            "parent_phone",
            "account_claimed",
        )
        export_order = fields

    # --- export ------------------------------------------------------------------------------------------------
    def get_queryset(self):
        return Student.objects.select_related("user", "school_class").order_by("school_class__name", "user__name")

    def dehydrate_class_name(self, student):
        return student.school_class.name if student.school_class else "Unassigned"

    def dehydrate_section(self, student):
        return student.school_class.section if student.school_class else ""

    def dehydrate_academic_year(self, student):
        return student.school_class.academic_year if student.school_class else ""

    def dehydrate_account_claimed(self, student):
        return "Yes" if student.is_account_claimed else "No"

    def export_field(self, field, instance, **kwargs):
        return safe_cell(super().export_field(field, instance, **kwargs))

    # --- import ------------------------------------------------------------------------------------------------
    def get_diff_headers(self):
        return list(self.IMPORT_COLUMNS)

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        user = kwargs.get("user")
        result = self.get_result_class()()
        result.diff_headers = self.get_diff_headers()
        result.total_rows = len(dataset)
        headers = [normalise_header(h) for h in (dataset.headers or [])]
        rows = []
        for index, values in enumerate(dataset, start=2):  # header = spreadsheet row 1
            row = {h: _text(v) for h, v in zip(headers, values, strict=False) if h}
            if not any(row.values()):
                continue
            row["__row__"] = index
            rows.append(row)
        try:
            outcome = services.students_import_rows(by=user, headers=headers, rows=rows, dry_run=True)
            if not dry_run and not outcome.errors:
                outcome = services.students_import_rows(by=user, headers=headers, rows=rows, dry_run=False)
                if outcome.claim_codes:
                    # Recorded as a finished import so its creator can print the slips (the admin links them).
                    result.claim_codes_job = services.import_job_record(
                        by=user, outcome=outcome, file_name=kwargs.get("file_name") or "admin import"
                    )
        except DomainError as exc:
            result.append_base_error(Error(exc))
            if raise_errors:
                raise
            return result
        return self._report(result, rows, outcome, dry_run=dry_run)

    def _report(self, result: Result, rows: list[dict], outcome, *, dry_run: bool) -> Result:
        by_number = {r["__row__"]: r for r in rows}
        errors = {e["row"]: e["error"] for e in outcome.errors}
        instances = {}
        if not dry_run and outcome.imported:
            regs = [v.registration_number for v in outcome.valid]
            instances = {
                s.registration_number: s
                for s in Student.objects.select_related("user").filter(registration_number__in=regs)
            }
        valid = {v.number: v for v in outcome.valid}
        for number, row in by_number.items():
            values = tuple(row.get(c, "") for c in self.IMPORT_COLUMNS)
            if number in errors:
                result.append_invalid_row(number, row, ValidationError(errors[number]))
                row_result = RowResult()
                row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            else:
                row_result = RowResult()
                row_result.import_type = RowResult.IMPORT_TYPE_NEW
                row_result.diff = list(values)
                instance = instances.get(valid[number].registration_number) if number in valid else None
                if instance is not None:
                    row_result.instance = instance
                    row_result.add_instance_info(instance)
            result.increment_row_result_total(row_result)
            result.append_row_result(row_result)
        return result
