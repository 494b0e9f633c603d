"""manage.py import_students FILE [--dry-run] [--as EMAIL] [--claim-codes] [--slips PATH]: the same import as the API.

Students without a date of birth always get a claim code (printed, or written as slips with --slips)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User, normalize_email
from classrooms import selectors, services
from quizsite.errors import DomainError


class Command(BaseCommand):
    help = "Import students from a CSV or XLSX file (columns name, email, registration_number, class_name, ...)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
        parser.add_argument("--as", dest="as_email", help="e-mail of the admin or teacher doing the import")
        parser.add_argument(
            "--claim-codes",
            action="store_true",
            help="give a claim code to students with a date of birth too (those without one always get a code)",
        )
        parser.add_argument("--slips", type=Path, help="write the claim-slip PDF here instead of listing the codes")

    def handle(self, *args, file: Path, dry_run: bool, as_email: str | None, claim_codes: bool, slips, **options):
        if as_email:
            by = User.objects.filter(email=normalize_email(as_email), is_active=True).first()
            if by is None or not by.is_teacher_or_admin:
                raise CommandError(f"No active admin or teacher with e-mail {as_email}.")
        else:
            by = selectors.active_admin()
            if by is None:
                raise CommandError("No active admin exists; pass --as EMAIL.")
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        with file.open("rb") as handle:
            try:
                outcome = services.students_import(
                    by=by, upload=_NamedFile(handle, file.name), dry_run=dry_run, issue_claim_codes=claim_codes
                )
            except DomainError as exc:
                raise CommandError(exc.message) from None
        result = outcome.as_response()
        for error in result["errors"]:
            self.stdout.write(f"row {error['row']}: {error['error']}")
        if result["created_classes"]:
            verb = "would create" if dry_run else "created"
            self.stdout.write(f"{verb} classes: {', '.join(result['created_classes'])}")
        if outcome.claim_codes:
            if slips:
                slips.write_bytes(
                    services.claim_slips_pdf(codes=outcome.claim_codes, title=f"Claim slips — {file.name}")
                )
                self.stdout.write(f"claim slips written to {slips}")
            else:
                self.stdout.write("claim codes (shown once):")
                for c in outcome.claim_codes:
                    self.stdout.write(f"  {c['registration_number']}\t{c['name']}\t{c['code']}")
        style = self.style.SUCCESS if not result["failed"] else self.style.WARNING
        self.stdout.write(style(result["message"]))


class _NamedFile:
    """A file handle with the name read_table uses to tell CSV from XLSX."""

    def __init__(self, handle, name: str):
        self._handle, self.name = handle, name

    def read(self, *args):
        return self._handle.read(*args)
