"""What reading an upload may cost (TableLimits), the deadline that enforces its time, and the error for a file
that cannot be read as a table."""

from __future__ import annotations

import time
from dataclasses import dataclass

from quizsite.errors import DomainError


@dataclass(frozen=True)
class TableLimits:
    """How much of an upload read_table looks at. The defaults are far beyond any real class list or question bank
    and far below what hurts a server."""

    columns: int = 50  # cells right of this column are ignored (no import has more than ~15 columns)
    seconds: float = 10.0  # the whole read: unzipping, parsing, every row
    unpacked_bytes: int = 50 * 1024 * 1024  # any one member of an .xlsx, as the zip directory declares it
    ratio: int = 100  # unpacked : packed, for members past ratio_floor (real sheets compress 5-30 : 1)
    ratio_floor: int = 1024 * 1024
    shared_strings: int = 1_000_000  # distinct texts in an .xlsx
    styles: int = 100_000  # cell formats in an .xlsx (Excel itself allows 64,000)
    parts: int = 10_000  # sheets and relationships listed in an .xlsx


class TableError(DomainError):
    """The uploaded file cannot be read as a table at all (wrong type, too big, not UTF-8...)."""


class Deadline:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.at:
            raise TableError(
                f"Reading the file took longer than {self.seconds:g} seconds; split it into smaller files."
            )
