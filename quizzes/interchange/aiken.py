"""Aiken (https://docs.moodle.org/en/Aiken_format): the simplest multiple-choice format, as Moodle reads it.

A question is its text (one or more lines), then options `A) ...` or `A. ...`, then `ANSWER: X`. Files come
from word processors on Windows: a BOM and CRLF line endings are normal and accepted (common.decode_text).
"""

from __future__ import annotations

import re

from quizzes.interchange.common import Choice, Item, Kind, Parsed, decode_text, safe_text

OPTION = re.compile(r"^([A-Z])[.)]\s+(.*)$")
ANSWER = re.compile(r"^ANSWER\s*:\s*([A-Z])\s*$", re.I)


def parse(data: bytes) -> Parsed:
    items: list[Item] = []
    text_lines: list[str] = []
    options: list[tuple[str, str]] = []
    start = 0

    def new_item(problem: str = "") -> Item:
        notes: list[str] = []
        text, lost = safe_text("\n".join(text_lines), is_html=False)
        notes.extend(lost)
        item = Item(kind=Kind.SINGLE_CHOICE, text=text, notes=notes, source=f"line {start}", problem=problem)
        return item

    for number, raw in enumerate(decode_text(data).split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        if not text_lines and not options:
            start = number
        if m := ANSWER.match(line):
            letter = m.group(1).upper()
            item = new_item()
            letters = [letter_ for letter_, _ in options]
            if not text_lines:
                item.problem = "ANSWER without a question before it"
            elif len(options) < 2:
                item.problem = "a question needs at least two options (A) ... B) ...)"
            elif letter not in letters:
                item.problem = f"ANSWER: {letter} names no option"
            for option_letter, option_text in options:
                item.choices.append(
                    Choice(
                        text=safe_text(option_text, is_html=False)[0],
                        fraction=100.0 if option_letter == letter else 0.0,
                    )
                )
            items.append(item)
            text_lines, options = [], []
            continue
        if (m := OPTION.match(line)) and text_lines:
            options.append((m.group(1), m.group(2)))
            continue
        if options:
            # Text after the options without an ANSWER line: Moodle reports the question as broken.
            items.append(new_item("the options are not followed by an ANSWER: line"))
            text_lines, options = [], []
            start = number
        text_lines.append(line)
    if text_lines or options:
        items.append(new_item("the file ends before this question's ANSWER: line"))
    return Parsed(format="aiken", items=items)


def write(items: list[Item]) -> tuple[bytes, list[str | None]]:
    out, problems = [], []
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for item in items:
        if item.kind not in (Kind.SINGLE_CHOICE, Kind.TRUE_FALSE) or not 2 <= len(item.choices) <= 26:
            problems.append("Aiken holds single-answer multiple choice only")
            continue
        best = max(range(len(item.choices)), key=lambda i: item.choices[i].fraction)
        block = [" ".join(item.text.split())]
        block += [f"{letters[i]}) {' '.join(c.text.split())}" for i, c in enumerate(item.choices)]
        block.append(f"ANSWER: {letters[best]}")
        out.append("\n".join(block))
        problems.append(None)
    return ("\n\n".join(out) + "\n").encode("utf-8"), problems
