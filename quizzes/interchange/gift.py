"""GIFT (https://docs.moodle.org/en/GIFT_format), the format teachers type by hand, read and written the way
Moodle's own qformat_gift does: questions are separated by blank lines, `//` lines are comments, `$CATEGORY:`
sets the category, `::title::` names a question, `[html]`/`[markdown]`/`[plain]`/`[moodle]` say the text's format,
and the answer block decides the type: `{}` essay, `{T}`/`{F}` true/false, `{#...}` numerical (value:tolerance,
min..max, several `=%w%` answers), `~` multiple choice (several `%w%` weights and no `=`: multiple response),
`=a -> b` matching, `=a =b` short answer; `#` adds feedback to an answer and `####` general feedback; `\\ \\~ \\=
\\# \\{ \\} \\:` escape the control characters and `\\n` is a line break. Text after the answer block makes a
missing-word question ("_____" where the block was).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from quizzes.interchange.common import TAG, Choice, Item, Kind, Pair, Parsed, decode_text, safe_text

ESCAPES = {"\\\\": "\ue000", "\\~": "\ue001", "\\=": "\ue002", "\\#": "\ue003", "\\{": "\ue004", "\\}": "\ue005",
           "\\:": "\ue006"}  # fmt: skip
RESTORE = {v: k[1] for k, v in ESCAPES.items()}
WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
FORMAT = re.compile(r"^\[(html|moodle|plain|markdown)\]", re.I)
BLANK = "_____"


def _protect(text: str) -> str:
    for escaped, mark in ESCAPES.items():
        text = text.replace(escaped, mark)
    return text.replace("\\n", "\n")


def _restore(text: str) -> str:
    for mark, char in RESTORE.items():
        text = text.replace(mark, char)
    return text


def _formatted(raw: str, default_format: str = "moodle", notes: list[str] | None = None) -> tuple[str, str]:
    """(safe plain text, the format named in front of it or the default)."""
    raw = raw.strip()
    fmt = default_format
    if m := FORMAT.match(raw):
        fmt = m.group(1).lower()
        raw = raw[m.end() :]
    raw = _restore(raw).strip()
    is_html = fmt == "html" or (fmt == "moodle" and bool(TAG.search(raw)))
    text, lost = safe_text(raw, is_html=is_html)
    if notes is not None:
        notes.extend(n for n in lost if n not in notes)
    return text, fmt


def _split_feedback(raw: str) -> tuple[str, str]:
    if "#" in raw:
        answer, feedback = raw.split("#", 1)
        return answer, feedback
    return raw, ""


def _answers(block: str) -> list[tuple[str, str]]:
    """(marker, body) for each `=`/`~` answer of a block."""
    parts = re.split(r"([=~])", block)
    answers = []
    marker = None
    for part in parts:
        if part in ("=", "~"):
            marker = part
        elif marker is not None:
            answers.append((marker, part))
            marker = None
    return answers


def _weighted(body: str) -> tuple[float | None, str]:
    body = body.strip()
    if m := WEIGHT.match(body):
        return float(m.group(1)), body[m.end() :]
    return None, body


def _numeric_choice(marker: str, body: str, notes: list[str]) -> Choice | None:
    weight, body = _weighted(body)
    value, feedback = _split_feedback(body)
    value = _restore(value).strip()
    fraction = weight if weight is not None else (100.0 if marker == "=" else 0.0)
    feedback = _formatted(feedback, notes=notes)[0]
    if not value:
        return Choice(text="*", fraction=fraction, feedback=feedback)
    if ".." in value:
        # In decimal: 3.141..3.142 is 3.1415 +/- 0.0005 exactly, not 0.000499999...
        low, high = (Decimal(x.strip()) for x in value.split("..", 1))
        middle, tolerance = (low + high) / 2, abs(high - low) / 2
        return Choice(text=f"{middle.normalize():f}", fraction=fraction, feedback=feedback, tolerance=float(tolerance))
    number, _, tolerance = value.partition(":")
    return Choice(text=f"{float(number):g}", fraction=fraction, feedback=feedback, tolerance=float(tolerance or 0))


def _read_block(item: Item, block: str) -> None:
    notes = item.notes
    if "####" in block:
        block, general = block.split("####", 1)
        item.general_feedback = _formatted(general, notes=notes)[0]
    block = block.strip()
    if not block:
        item.kind = Kind.ESSAY
        return
    if block.startswith("#"):
        item.kind = Kind.NUMERICAL
        body = block[1:].strip()
        try:
            if body.startswith(("=", "~")):
                choices = [_numeric_choice(m, b, notes) for m, b in _answers(body)]
            else:
                head, rest = (body.split("~", 1) + [""])[:2] if "~" in body else (body, "")
                choices = [_numeric_choice("=", head, notes)]
                if rest:
                    choices.append(_numeric_choice("~", rest, notes))
        except (ValueError, InvalidOperation):
            item.problem = "a numerical answer is not a number"
            return
        item.choices = [c for c in choices if c is not None]
        return
    if "~" in block:
        answers = _answers(block)
        item.kind = Kind.SINGLE_CHOICE if any(m == "=" for m, _ in answers) else Kind.MULTIPLE_RESPONSE
        for marker, body in answers:
            weight, body = _weighted(body)
            text, feedback = _split_feedback(body)
            fraction = weight if weight is not None else (100.0 if marker == "=" else 0.0)
            item.choices.append(
                Choice(text=_formatted(text, notes=notes)[0], fraction=fraction, feedback=_formatted(feedback)[0])
            )
        return
    if "=" in block and "->" in block:
        item.kind = Kind.MATCHING
        for _, body in _answers(block):
            prompt, _, answer = body.partition("->")
            item.pairs.append(
                Pair(prompt=_formatted(prompt, notes=notes)[0], answer=_formatted(answer, default_format="plain")[0])
            )
        return
    head, _, feedbacks = block.partition("#")
    if head.strip().upper() in ("T", "TRUE", "F", "FALSE"):
        item.kind = Kind.TRUE_FALSE
        truth = head.strip().upper().startswith("T")
        wrong_feedback, _, right_feedback = feedbacks.partition("#")
        right = Choice(text="true" if truth else "false", fraction=100.0, feedback=_formatted(right_feedback)[0])
        wrong = Choice(text="false" if truth else "true", fraction=0.0, feedback=_formatted(wrong_feedback)[0])
        item.choices = [right, wrong] if truth else [wrong, right]
        return
    item.kind = Kind.SHORT_ANSWER
    for _marker, body in _answers(block):
        weight, body = _weighted(body)
        text, feedback = _split_feedback(body)
        item.choices.append(
            Choice(
                text=_formatted(text, default_format="plain")[0],
                fraction=weight if weight is not None else 100.0,
                feedback=_formatted(feedback)[0],
            )
        )
    if not item.choices:
        item.problem = "the answer block has no answers (start each with = or ~)"


def _question(chunk: str, category: str, line: int) -> Item:
    text = _protect(chunk.strip())
    name = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end > 0:
            name = _restore(text[2:end]).strip()
            text = text[end + 2 :].strip()
    item = Item(kind=Kind.DESCRIPTION, text="", name=name, category=category)
    item.source = f"line {line}" + (f" “{name[:60]}”" if name else "")
    start, finish = text.find("{"), text.rfind("}")
    if start == -1:
        if "}" in text:
            item.problem = "an answer block is closed with } but never opened with {"
        item.text, _ = _formatted(text, notes=item.notes)
        return item
    if finish < start:
        item.text = _formatted(text.replace("{", ""), notes=item.notes)[0]
        item.problem = "the answer block opened with { is never closed with }"
        return item
    fmt_match = FORMAT.match(text)
    before, block, after = text[:start], text[start + 1 : finish], text[finish + 1 :]
    question_text = before + (BLANK + after if after.strip() else "")
    if fmt_match and not FORMAT.match(question_text):
        question_text = fmt_match.group(0) + question_text
    item.text, _ = _formatted(question_text, notes=item.notes)
    _read_block(item, block)
    if not item.text:
        item.problem = item.problem or "the question has no text"
    return item


def parse(data: bytes) -> Parsed:
    lines = decode_text(data).split("\n")
    items: list[Item] = []
    category = ""
    chunk: list[str] = []
    first_line = 0

    def flush():
        nonlocal category
        text = "\n".join(chunk).strip()
        if not text:
            return
        if text.startswith("$CATEGORY:"):
            path = text[len("$CATEGORY:") :].strip().split("\n", 1)
            parts = [
                p for p in path[0].strip().split("/") if p and p not in ("$course$", "$system$", "$module$", "top")
            ]
            category = "/".join(parts)
            if len(path) > 1 and path[1].strip():
                items.append(_question(path[1], category, first_line + 1))
            return
        items.append(_question(text, category, first_line))

    for number, line in enumerate(lines, start=1):
        if line.strip().startswith("//"):
            continue
        if not line.strip():
            flush()
            chunk = []
            continue
        if not chunk:
            first_line = number
        chunk.append(line)
    flush()
    return Parsed(format="gift", items=items)


# --- writing -----------------------------------------------------------------------------------------------------


def plain(text: str) -> str:
    """Our text for GIFT: escaped, and marked [plain] when an importer would otherwise read it as HTML or as a
    format marker (it holds < or &, or starts with [)."""
    marker = "[plain]" if ("<" in text or "&" in text or text.startswith("[")) else ""
    return marker + escape(text)


def escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    # A blank line would end the question: keep paragraphs as GIFT's \n.
    return text.replace("\n", "\\n")


GIFT_KINDS = {Kind.SINGLE_CHOICE, Kind.MULTIPLE_RESPONSE, Kind.TRUE_FALSE, Kind.SHORT_ANSWER, Kind.NUMERICAL,
              Kind.ESSAY, Kind.MATCHING, Kind.DESCRIPTION}  # fmt: skip


def _weight(fraction: float, default: float) -> str:
    return "" if fraction == default else f"%{fraction:g}%"


def _feedback(text: str) -> str:
    return f"#{escape(text)}" if text else ""


def write(items: list[Item]) -> tuple[bytes, list[str | None]]:
    out: list[str] = []
    problems: list[str | None] = []
    category = None
    for item in items:
        if item.kind not in GIFT_KINDS:
            problems.append("GIFT cannot hold this type")
            continue
        if item.category != category:
            category = item.category
            out.append(f"$CATEGORY: $course$/top{'/' + category if category else ''}\n")
        head = f"::{escape(item.name)}::" if item.name else ""
        text = plain(item.text)
        if item.kind == Kind.DESCRIPTION:
            out.append(f"{head}{text}\n")
            problems.append(None)
            continue
        if item.kind == Kind.ESSAY:
            body = ""
        elif item.kind == Kind.TRUE_FALSE:
            right = next((c for c in item.choices if c.fraction >= 100), None)
            wrong = next((c for c in item.choices if c.fraction < 100), None)
            body = "TRUE" if right is not None and right.text.strip().lower() in ("true", "t") else "FALSE"
            if (wrong and wrong.feedback) or (right and right.feedback):
                body += f"#{escape(wrong.feedback if wrong else '')}#{escape(right.feedback if right else '')}"
        elif item.kind == Kind.NUMERICAL:
            parts = [
                f"={_weight(c.fraction, 100)}{c.text}:{c.tolerance or 0:g}{_feedback(c.feedback)}" for c in item.choices
            ]
            body = "#\n" + "\n".join(f"    {p}" for p in parts) + "\n"
        elif item.kind == Kind.MATCHING:
            body = "\n" + "\n".join(f"    ={plain(p.prompt)} -> {escape(p.answer)}" for p in item.pairs) + "\n"
        elif item.kind == Kind.SHORT_ANSWER:
            body = (
                "\n"
                + "\n".join(
                    f"    ={_weight(c.fraction, 100)}{plain(c.text)}{_feedback(c.feedback)}" for c in item.choices
                )
                + "\n"
            )
        else:  # single choice / multiple response
            lines = []
            for c in item.choices:
                if item.kind == Kind.SINGLE_CHOICE and c.fraction == 100:
                    lines.append(f"    ={plain(c.text)}{_feedback(c.feedback)}")
                else:
                    lines.append(f"    ~{_weight(c.fraction, 0)}{plain(c.text)}{_feedback(c.feedback)}")
            body = "\n" + "\n".join(lines) + "\n"
        if item.general_feedback:
            body += f"####{escape(item.general_feedback)}"
        out.append(f"{head}{text}{{{body}}}\n")
        problems.append(None)
    return "\n".join(out).encode("utf-8"), problems
