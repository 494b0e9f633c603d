"""The neutral shape every format is read into and written from, and the safety rules every reader shares.

Each reader (moodle_xml, gift, aiken, qti) turns a file into a list of `Item`s and knows nothing of our models;
`mapping` is the one place that turns an Item into a Question (and a Question into an Item for the writers).
Uploads are hostile until read: XML goes through `parse_xml` (defusedxml, no DTD at all, so no entity expansion
and no external reference), zip packages through `open_package` (count, size, ratio and paths checked in the zip
directory before anything is unpacked), question text through `safe_text` (markup dropped, scripts and their
content removed).
"""

from __future__ import annotations

import html
import io
import re
import stat
import zipfile
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

import nh3
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from quizsite.errors import DomainError
from quizsite.tabular import MAX_UPLOAD_BYTES

# A question file may be as large as any upload (quizsite.uploads refuses a larger body before it is read).
MAX_FILE_BYTES = MAX_UPLOAD_BYTES
MAX_QUESTIONS = 5000
# A zip package (QTI): what its directory may declare before we unpack anything.
MAX_PACKAGE_MEMBERS = 2000
MAX_PACKAGE_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_PACKAGE_RATIO = 100  # unpacked : packed, for members past RATIO_FLOOR (XML compresses 5-20 : 1)
RATIO_FLOOR = 1024 * 1024


class InterchangeError(DomainError):
    """The file cannot be read as questions at all (wrong format, malformed, hostile): nothing is imported."""


class Kind:
    """Neutral question kinds, named after what they are rather than after any one tool."""

    SINGLE_CHOICE = "single_choice"
    MULTIPLE_RESPONSE = "multiple_response"
    TRUE_FALSE = "true_false"
    SHORT_ANSWER = "short_answer"
    NUMERICAL = "numerical"
    ESSAY = "essay"
    MATCHING = "matching"
    ORDERING = "ordering"
    CLOZE = "cloze"
    DESCRIPTION = "description"


KIND_LABELS = {
    Kind.SINGLE_CHOICE: "multiple choice",
    Kind.MULTIPLE_RESPONSE: "multiple response",
    Kind.TRUE_FALSE: "true/false",
    Kind.SHORT_ANSWER: "short answer",
    Kind.NUMERICAL: "numerical",
    Kind.ESSAY: "essay",
    Kind.MATCHING: "matching",
    Kind.ORDERING: "ordering",
    Kind.CLOZE: "cloze (embedded answers)",
    Kind.DESCRIPTION: "description (text only)",
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


@dataclass
class Choice:
    """An option (choice kinds) or an accepted answer (short answer, numerical), with its share of the marks in
    percent (Moodle's fraction x 100: 100 = full marks, 50 = half, negative = a penalty)."""

    text: str
    fraction: float = 0.0
    feedback: str = ""
    tolerance: float | None = None  # numerical: the answer is right within +/- tolerance


@dataclass
class Pair:
    prompt: str
    answer: str


@dataclass
class Blank:
    """A cloze gap: its number in the text ([[id]]), Moodle's sub-question type, answers and weight."""

    id: int
    subtype: str  # SHORTANSWER, SHORTANSWER_C, MULTICHOICE, NUMERICAL, ... (Moodle's names, long form)
    choices: list[Choice] = field(default_factory=list)
    marks: int = 1


@dataclass
class Image:
    name: str
    data: bytes
    mime: str = ""
    alt: str = ""  # the <img alt> that showed it, when the file had one
    in_answer: bool = False  # shown in an option or answer (our options are text only)


@dataclass
class Item:
    kind: str
    text: str
    name: str = ""
    choices: list[Choice] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    blanks: list[Blank] = field(default_factory=list)  # cloze: the text holds [[id]] where each gap was
    general_feedback: str = ""
    grader_info: str = ""  # essay: what the marker reads (Moodle's graderinfo)
    sample_answer: str = ""
    category: str = ""
    tags: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    marks: float | None = None
    case_sensitive: bool = False
    difficulty: str = ""
    # What reading the file already changed (markup dropped, a script removed...): reported with the question.
    notes: list[str] = field(default_factory=list)
    # Set when the reader could not make a question of it at all: the question is skipped with this reason.
    problem: str = ""
    source: str = ""  # where it is in the file, for the report ("question 3", "line 12")


@dataclass
class Parsed:
    format: str
    items: list[Item]


# --- safe text ---------------------------------------------------------------------------------------------------

BREAKS = re.compile(r"<\s*br\s*/?\s*>|<\s*/\s*(li|tr)\s*>", re.I)
PARAGRAPHS = re.compile(r"<\s*/\s*(p|div|h[1-6])\s*>", re.I)
TAG = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9]*)")
DANGEROUS = re.compile(r"<\s*(script|style|iframe|object|embed)\b|\son[a-z]+\s*=|javascript:", re.I)
PLAIN_TAGS = {"p", "br", "div", "span"}


def safe_text(value: str, *, is_html: bool = True) -> tuple[str, list[str]]:
    """Question text as our bank holds it (plain text), and what was lost on the way.

    HTML is reduced to its text: line breaks kept, every tag dropped, and scripts/styles removed with their
    content (nh3, the same cleaner the platform uses for rich text). Plain text is only trimmed."""
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    if not is_html and not DANGEROUS.search(value):
        # Plain text is shown escaped, so "<b>" stays "<b>"; a script is dropped all the same (defence in depth).
        return value.strip(), []
    notes: list[str] = []
    if DANGEROUS.search(value):
        notes.append("scripts or event handlers removed from the text")
    tags = {t.lower() for t in TAG.findall(value)}
    if is_html and tags - PLAIN_TAGS:
        notes.append("HTML formatting removed (" + ", ".join(sorted(f"<{t}>" for t in tags - PLAIN_TAGS)) + ")")
    text = re.sub(r"\s+", " ", value)  # in HTML a line break in the source is a space
    text = PARAGRAPHS.sub("\n\n", BREAKS.sub("\n", text))
    text = html.unescape(nh3.clean(text, tags=set(), clean_content_tags={"script", "style"}))
    lines = [" ".join(line.split()) for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text, notes


# --- XML ---------------------------------------------------------------------------------------------------------


def parse_xml(data: bytes, *, what: str = "The file") -> Element:
    """Parse XML from an upload: any document type declaration is refused (so no entity bombs, no external
    entities, no external DTD), as is anything that is not well-formed."""
    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise InterchangeError(
            f"{what} declares a DTD or entities, which question files never need; it was refused unread.",
            code="xml_forbidden",
        ) from None
    except ParseError as exc:
        raise InterchangeError(f"{what} is not well-formed XML ({exc}).", code="xml_malformed") from None


def local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


# --- zip packages ------------------------------------------------------------------------------------------------


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def _unsafe_path(name: str) -> bool:
    if not name or "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name) or "\x00" in name:
        return True
    return any(part == ".." for part in name.split("/"))


def open_package(data: bytes) -> dict[str, bytes]:
    """The members of a zip package, read into memory after the zip directory has been checked: member count,
    total unpacked size, compression ratio, paths that would leave the package (zip slip), links and encryption.
    Sizes are counted again while unpacking, so a directory that lies does not help."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InterchangeError("The package is not a readable zip file.", code="zip_malformed") from None
    if len(infos) > MAX_PACKAGE_MEMBERS:
        raise InterchangeError(
            f"The package holds {len(infos)} files; at most {MAX_PACKAGE_MEMBERS} are accepted.", code="zip_refused"
        )
    total = 0
    for info in infos:
        if _unsafe_path(info.filename):
            raise InterchangeError(
                f"The package contains a path that leaves the package (“{info.filename[:100]}”); it was refused.",
                code="zip_refused",
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            raise InterchangeError("The package contains a symbolic link; it was refused.", code="zip_refused")
        if info.flag_bits & 0x1:
            raise InterchangeError("The package is encrypted; export it again without a password.", code="zip_refused")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_PACKAGE_RATIO * max(info.compress_size, 1):
            raise InterchangeError(
                f"“{info.filename[:100]}” unpacks to more than {MAX_PACKAGE_RATIO} times its size, which real "
                "packages never do (a zip bomb?); it was refused.",
                code="zip_refused",
            )
        total += info.file_size
    if total > MAX_PACKAGE_UNPACKED_BYTES:
        raise InterchangeError(
            f"The package unpacks to more than {MAX_PACKAGE_UNPACKED_BYTES // (1024 * 1024)} MB; it was refused.",
            code="zip_refused",
        )
    members: dict[str, bytes] = {}
    budget = MAX_PACKAGE_UNPACKED_BYTES
    try:
        for info in infos:
            if info.is_dir():
                continue
            with archive.open(info) as member:
                content = member.read(min(info.file_size, budget) + 1)
            if len(content) > info.file_size or len(content) > budget:
                raise InterchangeError("The package's files are larger than it declares; it was refused.")
            budget -= len(content)
            members[info.filename] = content
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, RuntimeError):
        raise InterchangeError("The package is damaged and cannot be unpacked.", code="zip_malformed") from None
    return members


def decode_text(data: bytes) -> str:
    """A text file from any tool: UTF-8 with or without a BOM (Windows), else UTF-16 with a BOM, else Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError:
            raise InterchangeError("The file is not valid UTF-16 text.") from None
    if b"\x00" in data:
        raise InterchangeError("The file is not a text file (it holds binary data).", code="not_text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")
