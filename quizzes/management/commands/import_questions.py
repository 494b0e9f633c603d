"""manage.py import_questions FILE --owner EMAIL [--dry-run] [--format F] [--import-valid]: the same import as the
API and the page, with the per-question report printed."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User, normalize_email
from quizsite.errors import DomainError
from quizzes import services
from quizzes.interchange import FORMATS


class Command(BaseCommand):
    help = "Import questions (Moodle XML, GIFT, Aiken, QTI, CSV/XLSX) into a teacher's bank."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--owner", required=True, help="e-mail of the teacher whose bank receives the questions")
        parser.add_argument("--dry-run", action="store_true", help="report what would happen, write nothing")
        parser.add_argument("--format", dest="fmt", choices=list(FORMATS), help="default: detected from the file")
        parser.add_argument(
            "--import-valid", action="store_true", help="import the valid questions even when others are skipped"
        )

    def handle(self, *args, file: Path, owner: str, dry_run: bool, fmt, import_valid: bool, **options):
        user = User.objects.filter(email=normalize_email(owner), is_active=True).first()
        if user is None or not user.is_teacher:
            raise CommandError(f"No active teacher with e-mail {owner}.")
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        with file.open("rb") as handle:
            try:
                result = services.question_bulk_import(
                    by=user, upload=_Named(handle, file.name), dry_run=dry_run, fmt=fmt, import_valid=import_valid
                )
            except DomainError as exc:
                raise CommandError(exc.message) from None
        for q in result.get("questions", []):
            detail = q["reason"] or "; ".join(q["changes"])
            self.stdout.write(
                f"{q['number']:>3}  {q['status_label']}  {q['source']}" + (f": {detail}" if detail else "")
            )
        if "questions" not in result:
            for error in result["errors"]:
                self.stdout.write(f"row {error['row']}: {error['error']}")
        self.stdout.write(result["message"])
        if result.get("refused"):
            raise CommandError("Nothing was imported; rerun with --import-valid to import the valid questions.")


class _Named:
    """A file object with the name the services look at."""

    def __init__(self, handle, name: str):
        self._handle, self.name = handle, name

    def read(self, *args):
        return self._handle.read(*args)

    def seek(self, *args):
        return self._handle.seek(*args)
