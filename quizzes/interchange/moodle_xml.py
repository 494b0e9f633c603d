"""Moodle XML (https://docs.moodle.org/en/Moodle_XML_format), read into Items and written from them.

Read: multichoice (single and multiple response), truefalse, shortanswer, numerical, essay, matching, ordering
(ddwtos/gapselect/ordering are reported as what they are), cloze/multianswer, description; `category` pseudo-
questions set the category of the questions after them; `@@PLUGINFILE@@` files and Moodle 1.9's image_base64
become Item images. Unknown types are kept as their Moodle name so the report can say what was skipped.
"""

from __future__ import annotations

import base64
import binascii
import html
import mimetypes
import re
from urllib.parse import unquote
from xml.etree.ElementTree import Element, SubElement, tostring

from quizzes.interchange.common import (
    Blank,
    Choice,
    Image,
    InterchangeError,
    Item,
    Kind,
    Pair,
    Parsed,
    parse_xml,
    safe_text,
)

TYPE_KINDS = {
    "truefalse": Kind.TRUE_FALSE,
    "shortanswer": Kind.SHORT_ANSWER,
    "numerical": Kind.NUMERICAL,
    "essay": Kind.ESSAY,
    "matching": Kind.MATCHING,
    "ordering": Kind.ORDERING,
    "cloze": Kind.CLOZE,
    "multianswer": Kind.CLOZE,
    "description": Kind.DESCRIPTION,
}
CATEGORY_PREFIXES = ("$course$", "$system$", "$module$", "$cat1$", "top")


def _text(node: Element | None) -> tuple[str, str]:
    """(the text of a node's <text> child, its format)."""
    if node is None:
        return "", ""
    child = node.find("text")
    value = child.text if child is not None else node.text
    return (value or "").strip(), node.get("format", "")


def _rich(node: Element | None, notes: list[str] | None = None) -> str:
    value, fmt = _text(node)
    text, lost = safe_text(value, is_html=fmt not in ("plain_text", "markdown"))
    if notes is not None:
        notes.extend(n for n in lost if n not in notes)
    return text


IMG_TAG = re.compile(r"<\s*img\b[^>]*>", re.I)
ATTRIBUTE = re.compile(r"""\b(src|alt)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)


def _alt_texts(html_text: str) -> dict[str, str]:
    """{file name: alt text} of the @@PLUGINFILE@@ images an HTML text shows."""
    found = {}
    for tag in IMG_TAG.findall(html_text or ""):
        attrs = {m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or "") for m in ATTRIBUTE.finditer(tag)}
        src = attrs.get("src", "")
        if src.startswith("@@PLUGINFILE@@/"):
            found[unquote(src.removeprefix("@@PLUGINFILE@@/")).rsplit("/", 1)[-1]] = " ".join(
                attrs.get("alt", "").split()
            )
    return found


def _files(node: Element | None, *, in_answer: bool = False) -> list[Image]:
    images = []
    if node is None:
        return images
    alts = _alt_texts(node.findtext("text") or "")
    for f in node.findall("file"):
        name = f.get("name", "file")
        try:
            data = base64.b64decode((f.text or "").strip(), validate=False)
        except (binascii.Error, ValueError):
            continue
        images.append(Image(name=name, data=data, mime=mimetypes.guess_type(name)[0] or "", alt=alts.get(name, ""),
                            in_answer=in_answer))  # fmt: skip
    return images


# Moodle's embedded answers (cloze): {weight:TYPE:answer~answer}, with \} \~ \# \\ escaped inside.
CLOZE_GAP = re.compile(r"\{(\d*):([A-Z_]+):((?:\\.|[^\\}])*)\}")
CLOZE_TYPES = {"SA": "SHORTANSWER", "MW": "SHORTANSWER", "SAC": "SHORTANSWER_C", "MWC": "SHORTANSWER_C",
               "MC": "MULTICHOICE", "NM": "NUMERICAL"}  # fmt: skip
CLOZE_SPLIT = re.compile(r"(?<!\\)~")


def _cloze_unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text).strip()


def _cloze(item: Item) -> None:
    """Replace each {n:TYPE:answers} gap of a cloze text by [[id]] and read its answers into item.blanks."""

    def gap(match: re.Match) -> str:
        number = len(item.blanks) + 1
        subtype = CLOZE_TYPES.get(match.group(2), match.group(2))
        blank = Blank(id=number, subtype=subtype, marks=int(match.group(1) or 1) or 1)
        for part in CLOZE_SPLIT.split(match.group(3)):
            pieces = re.split(r"(?<!\\)#", part, maxsplit=1)
            answer, feedback = pieces[0].strip(), pieces[1] if len(pieces) > 1 else ""
            fraction = 0.0
            if answer.startswith("="):
                answer, fraction = answer[1:], 100.0
            elif weight := re.match(r"%(-?\d+(?:\.\d+)?)%", answer):
                answer, fraction = answer[weight.end() :], float(weight.group(1))
            blank.choices.append(Choice(text=_cloze_unescape(answer), fraction=fraction,
                                        feedback=_cloze_unescape(feedback)))  # fmt: skip
        item.blanks.append(blank)
        return f"[[{number}]]"

    item.text = CLOZE_GAP.sub(gap, item.text)


def _number(value: str | None, default: float | None = None) -> float | None:
    try:
        return float((value or "").strip())
    except ValueError:
        return default


def _category(path: str) -> str:
    parts = [p.strip() for p in path.split("/") if p.strip()]
    while parts and parts[0] in CATEGORY_PREFIXES:
        parts.pop(0)
    return "/".join(parts)


def _question(node: Element, qtype: str, category: str, number: int) -> Item:
    notes: list[str] = []
    name, _ = _text(node.find("name"))
    name = safe_text(name)[0]
    text_node = node.find("questiontext")
    item = Item(kind=TYPE_KINDS.get(qtype, qtype), text=_rich(text_node, notes), name=name, category=category)
    item.source = f"question {number}" + (f" “{name[:60]}”" if name else "")
    item.images = _files(text_node)
    old_image = node.find("image_base64")
    if old_image is not None and (old_image.text or "").strip():
        image_name = (node.findtext("image") or "image").strip()
        try:
            item.images.append(Image(name=image_name, data=base64.b64decode(old_image.text.strip())))
        except (binascii.Error, ValueError):
            pass
    item.general_feedback = _rich(node.find("generalfeedback"))
    item.marks = _number(node.findtext("defaultgrade"), 1.0)
    item.tags = [t for t in (safe_text(x.findtext("text") or "")[0] for x in node.findall("tags/tag")) if t]
    item.notes = notes
    if qtype == "multichoice":
        single = (node.findtext("single") or "true").strip().lower() in ("true", "1")
        item.kind = Kind.SINGLE_CHOICE if single else Kind.MULTIPLE_RESPONSE
    if qtype in ("multichoice", "truefalse", "shortanswer", "numerical"):
        for answer in node.findall("answer"):
            choice = Choice(
                text=_rich(answer, notes),
                fraction=_number(answer.get("fraction"), 0.0) or 0.0,
                feedback=_rich(answer.find("feedback")),
            )
            if qtype == "numerical":
                choice.tolerance = _number(answer.findtext("tolerance"), 0.0)
            item.choices.append(choice)
            item.images.extend(_files(answer, in_answer=True))
    if item.kind == Kind.CLOZE:
        _cloze(item)
    if qtype == "shortanswer":
        item.case_sensitive = (node.findtext("usecase") or "0").strip() == "1"
    if qtype == "matching":
        for sub in node.findall("subquestion"):
            prompt = _rich(sub, notes)
            answer = safe_text(sub.findtext("answer/text") or "", is_html=False)[0]
            item.pairs.append(Pair(prompt=prompt, answer=answer))
    if qtype == "essay":
        item.grader_info = _rich(node.find("graderinfo"))
        item.sample_answer = _rich(node.find("responsetemplate"))
    return item


def parse(data: bytes) -> Parsed:
    root = parse_xml(data, what="The Moodle XML file")
    items: list[Item] = []
    if root.tag != "quiz":
        raise InterchangeError("This is XML but not Moodle XML (its root element is not <quiz>).")
    category = ""
    number = 0
    for node in root.findall("question"):
        qtype = node.get("type", "")
        if qtype == "category":
            category = _category(_text(node.find("category"))[0])
            continue
        number += 1
        items.append(_question(node, qtype, category, number))
    return Parsed(format="moodle_xml", items=items)


# --- writing -----------------------------------------------------------------------------------------------------

KIND_TYPES = {
    Kind.SINGLE_CHOICE: "multichoice",
    Kind.MULTIPLE_RESPONSE: "multichoice",
    Kind.TRUE_FALSE: "truefalse",
    Kind.SHORT_ANSWER: "shortanswer",
    Kind.NUMERICAL: "numerical",
    Kind.ESSAY: "essay",
    Kind.MATCHING: "matching",
    Kind.DESCRIPTION: "description",
    Kind.CLOZE: "multianswer",
}


def _text_node(parent: Element, tag: str, value: str, fmt: str | None = "plain_text") -> Element:
    node = SubElement(parent, tag)
    if fmt:
        node.set("format", fmt)
    SubElement(node, "text").text = value
    return node


def _fraction(value: float) -> str:
    return f"{value:g}"


def _cloze_escape(text: str) -> str:
    return re.sub(r"([\\}~#/\"])", r"\\\1", text)


def _cloze_text(item: Item) -> str:
    """The text with each [[id]] written as Moodle's embedded answer {marks:TYPE:=answer~=answer}."""
    blanks = {b.id: b for b in item.blanks}

    def gap(match: re.Match) -> str:
        blank = blanks.get(int(match.group(1)))
        if blank is None:
            return match.group(0)
        answers = "~".join(f"={_cloze_escape(c.text)}" for c in blank.choices)
        return f"{{{blank.marks}:{blank.subtype}:{answers}}}"

    return re.sub(r"\[\[(\d{1,3})\]\]", gap, item.text)


def write(items: list[Item]) -> tuple[bytes, list[str | None]]:
    """The file, and per item None (written) or why it could not be written."""
    root = Element("quiz")
    problems: list[str | None] = []
    category = None
    for item in items:
        qtype = KIND_TYPES.get(item.kind)
        if qtype is None:
            problems.append("this Moodle XML export does not write this type yet")
            continue
        if item.category != category:
            category = item.category
            cat = SubElement(root, "question", type="category")
            _text_node(cat, "category", "$course$/top" + (f"/{category}" if category else ""), None)
        node = SubElement(root, "question", type=qtype)
        _text_node(node, "name", item.name or item.text[:80].splitlines()[0], None)
        _text_node(node, "questiontext", _cloze_text(item) if item.kind == Kind.CLOZE else item.text)
        _text_node(node, "generalfeedback", item.general_feedback)
        SubElement(node, "defaultgrade").text = f"{item.marks or 1:g}"
        if item.kind in (Kind.SINGLE_CHOICE, Kind.MULTIPLE_RESPONSE):
            SubElement(node, "single").text = "true" if item.kind == Kind.SINGLE_CHOICE else "false"
            SubElement(node, "shuffleanswers").text = "true"
            SubElement(node, "answernumbering").text = "abc"
        if item.kind == Kind.SHORT_ANSWER:
            SubElement(node, "usecase").text = "1" if item.case_sensitive else "0"
        for choice in item.choices:
            answer = _text_node(node, "answer", choice.text)
            answer.set("fraction", _fraction(choice.fraction))
            _text_node(answer, "feedback", choice.feedback)
            if item.kind == Kind.NUMERICAL:
                SubElement(answer, "tolerance").text = f"{choice.tolerance or 0:g}"
        for pair in item.pairs:
            sub = _text_node(node, "subquestion", pair.prompt)
            _text_node(sub, "answer", pair.answer, None)
        if item.kind == Kind.ESSAY:
            SubElement(node, "responseformat").text = "editor"
            _text_node(node, "graderinfo", item.grader_info)
            _text_node(node, "responsetemplate", item.sample_answer)
        if item.tags:
            tags = SubElement(node, "tags")
            for tag in item.tags:
                _text_node(tags, "tag", tag, None)
        problems.append(None)
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode").encode("utf-8")
    return data, problems
