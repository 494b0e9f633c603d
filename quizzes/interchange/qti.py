"""IMS QTI: 2.1 items (alone or in a content package) and QTI 1.2 as Canvas exports it, read into Items; QTI 2.1
content packages written from Items.

A package is a zip with imsmanifest.xml: the manifest's QTI resources are read (every XML file when there is no
manifest), after common.open_package has checked the zip. Canvas's question types come from its
`question_type` metadata; other QTI 1.2 tools are read from their response elements.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree.ElementTree import Element, SubElement, tostring

from quizzes.interchange.common import (
    Choice,
    InterchangeError,
    Item,
    Kind,
    Pair,
    Parsed,
    is_zip,
    local,
    open_package,
    parse_xml,
    safe_text,
)

QTI21_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
CANVAS_KINDS = {
    "multiple_choice_question": Kind.SINGLE_CHOICE,
    "true_false_question": Kind.TRUE_FALSE,
    "short_answer_question": Kind.SHORT_ANSWER,
    "essay_question": Kind.ESSAY,
    "multiple_answers_question": Kind.MULTIPLE_RESPONSE,
    "numerical_question": Kind.NUMERICAL,
    "matching_question": Kind.MATCHING,
    "fill_in_multiple_blanks_question": Kind.CLOZE,
    "multiple_dropdowns_question": Kind.CLOZE,
    "text_only_question": Kind.DESCRIPTION,
}


def _children(node: Element, name: str):
    return [n for n in node.iter() if local(n.tag) == name]


def _first(node: Element, name: str) -> Element | None:
    return next((n for n in node.iter() if local(n.tag) == name), None)


def _inner_xml(node: Element, skip: set[str] = frozenset()) -> str:
    parts = [node.text or ""]
    for child in node:
        if local(child.tag) not in skip:
            child_copy = tostring(child, encoding="unicode")
            parts.append(re.sub(r"\sxmlns(:\w+)?=\"[^\"]*\"", "", re.sub(r"<(/?)\w+:", r"<\1", child_copy)))
        elif child.tail:
            parts.append(child.tail)
    return "".join(parts)


# --- QTI 2.1 -------------------------------------------------------------------------------------------------------

INTERACTIONS = {
    "choiceInteraction",
    "textEntryInteraction",
    "extendedTextInteraction",
    "matchInteraction",
    "orderInteraction",
    "inlineChoiceInteraction",
    "associateInteraction",
    "gapMatchInteraction",
    "hotspotInteraction",
    "sliderInteraction",
    "uploadInteraction",
}


def _qti21_item(root: Element, number: int) -> Item:
    title = root.get("title", "")
    item = Item(kind="", text="", name=title, category=root.get("label", ""))
    item.source = f"item {number}" + (f" “{title[:60]}”" if title else "")
    body = _first(root, "itemBody")
    interactions = [n for n in (body.iter() if body is not None else []) if local(n.tag) in INTERACTIONS]
    if body is not None:
        item.text, item.notes = safe_text(_inner_xml(body, skip=INTERACTIONS))
    correct: dict[str, list[str]] = {}
    mapped: dict[str, list[tuple[str, bool]]] = {}
    for decl in _children(root, "responseDeclaration"):
        rid = decl.get("identifier", "")
        correct[rid] = [(v.text or "").strip() for v in _children(decl, "value") if _in_correct(decl, v)]
        mapped[rid] = [
            ((e.get("mapKey") or "").strip(), e.get("caseSensitive", "false") == "true")
            for e in _children(decl, "mapEntry")
            if float(e.get("mappedValue") or 0) > 0
        ]
    if not any(correct.values()):
        # Tools that score in responseProcessing instead of declaring a correctResponse (Canvas's converter).
        for rid, values in _scored_values(root).items():
            correct.setdefault(rid, [])
            correct[rid] += values
    instructure = {f.get("name"): f.get("value", "") for f in _children(root, "instructureField")}
    feedback = [safe_text(_inner_xml(f))[0] for f in _children(root, "modalFeedback")]
    item.general_feedback = "\n".join(f for f in feedback if f)
    for outcome in _children(root, "outcomeDeclaration"):
        if outcome.get("identifier") == "MAXSCORE":
            value = _first(outcome, "value")
            try:
                item.marks = float((value.text or "").strip()) if value is not None else None
            except ValueError:
                pass
    if "points_possible" in instructure:
        try:
            item.marks = float(instructure["points_possible"])
        except ValueError:
            pass
    canvas_kind = CANVAS_KINDS.get(instructure.get("question_type", ""))
    if canvas_kind == Kind.SHORT_ANSWER:
        rid = interactions[0].get("responseIdentifier", "") if interactions else ""
        item.kind = Kind.SHORT_ANSWER
        item.choices = [Choice(text=v, fraction=100.0) for v in dict.fromkeys(correct.get(rid, [])) if v]
        return item
    if len(interactions) != 1:
        item.kind = Kind.CLOZE if len(interactions) > 1 else Kind.DESCRIPTION
        if len(interactions) > 1:
            item.problem = ""
        return item
    inter = interactions[0]
    name = local(inter.tag)
    rid = inter.get("responseIdentifier", "")
    keys = correct.get(rid, [])
    if name == "choiceInteraction":
        choices = [c for c in inter.iter() if local(c.tag) == "simpleChoice"]
        item.choices = [
            Choice(text=safe_text(_inner_xml(c))[0], fraction=100.0 if c.get("identifier") in keys else 0.0)
            for c in choices
        ]
        single = inter.get("maxChoices", "1") == "1"
        texts = sorted(c.text.strip().lower() for c in item.choices)
        if single and texts == ["false", "true"]:
            item.kind = Kind.TRUE_FALSE
        else:
            item.kind = Kind.SINGLE_CHOICE if single else Kind.MULTIPLE_RESPONSE
    elif name == "textEntryInteraction" and _base_type(root, rid) == "float":
        item.kind = Kind.NUMERICAL
        item.choices = _numeric_answers(root, keys)
    elif name == "textEntryInteraction":
        item.kind = Kind.SHORT_ANSWER
        answers = mapped.get(rid) or [(k, False) for k in keys]
        item.choices = [Choice(text=a, fraction=100.0) for a, _ in answers if a]
        item.case_sensitive = any(cs for _, cs in answers)
    elif name == "extendedTextInteraction":
        item.kind = Kind.ESSAY
    elif name == "matchInteraction":
        item.kind = Kind.MATCHING
        sets = [s for s in inter if local(s.tag) == "simpleMatchSet"]
        if len(sets) == 2:
            left = {c.get("identifier"): safe_text(_inner_xml(c))[0] for c in sets[0]}
            right = {c.get("identifier"): safe_text(_inner_xml(c))[0] for c in sets[1]}
            used = set()
            for key in keys:
                a, _, b = key.partition(" ")
                if a in left and b in right:
                    item.pairs.append(Pair(prompt=left[a], answer=right[b]))
                    used.add(b)
            # Answers that match no prompt are distractors.
            item.pairs += [Pair(prompt="", answer=text) for ident, text in right.items() if ident not in used and text]
    elif name == "orderInteraction":
        item.kind = Kind.ORDERING
    else:
        item.kind = name.removesuffix("Interaction")
    return item


def _base_type(root: Element, rid: str) -> str:
    return next(
        (d.get("baseType", "") for d in _children(root, "responseDeclaration") if d.get("identifier") == rid), ""
    )


def _numeric_answers(root: Element, keys: list[str]) -> list[Choice]:
    """A numeric item's accepted values: each <equal> of its responseProcessing (value, absolute tolerance, and the
    share of MAXSCORE it sets), or its correctResponse alone."""
    choices = []
    for branch in root.iter():
        if local(branch.tag) not in ("responseIf", "responseElseIf"):
            continue
        equal = next((n for n in branch.iter() if local(n.tag) == "equal"), None)
        value = next((n for n in (equal.iter() if equal is not None else []) if local(n.tag) == "baseValue"), None)
        if value is None:
            continue
        tolerance = (equal.get("tolerance") or "0").split()[0] if equal.get("toleranceMode") == "absolute" else "0"
        share = next((n for n in branch.iter() if local(n.tag) == "product"), None)
        share_value = next(
            (n for n in (share.iter() if share is not None else []) if local(n.tag) == "baseValue"), None
        )
        try:
            fraction = float((share_value.text or "1").strip()) * 100 if share_value is not None else 100.0
            choices.append(Choice(text=(value.text or "").strip(), fraction=fraction, tolerance=float(tolerance)))
        except ValueError:
            continue
    return choices or [Choice(text=k, fraction=100.0) for k in keys]


def _scored_values(root: Element) -> dict[str, list[str]]:
    """{response id: the values a responseIf/responseElseIf gives a positive SCORE for}."""
    found: dict[str, list[str]] = {}
    for branch in root.iter():
        if local(branch.tag) not in ("responseIf", "responseElseIf"):
            continue
        children = list(branch)
        scores = [c for c in children if local(c.tag) == "setOutcomeValue" and c.get("identifier") == "SCORE"]
        if not children or not scores:
            continue
        try:
            positive = any(float((_first(c, "baseValue").text or "0").strip()) > 0 for c in scores)
        except (AttributeError, ValueError):
            positive = False
        if not positive:
            continue
        condition = children[0]
        negated = {id(n) for x in condition.iter() if local(x.tag) == "not" for n in x.iter()}
        for test in condition.iter():
            if local(test.tag) not in ("match", "stringMatch") or id(test) in negated:
                continue
            variable, value = _first(test, "variable"), _first(test, "baseValue")
            if variable is not None and value is not None:
                found.setdefault(variable.get("identifier", ""), []).append((value.text or "").strip())
    return found


def _in_correct(decl: Element, value: Element) -> bool:
    correct = _first(decl, "correctResponse")
    return correct is not None and any(v is value for v in correct.iter())


# --- QTI 1.2 (Canvas) ----------------------------------------------------------------------------------------------


def _mattext(node: Element | None) -> tuple[str, list[str]]:
    if node is None:
        return "", []
    texts = [n for n in node.iter() if local(n.tag) == "mattext"]
    if not texts:
        return "", []
    m = texts[0]
    return safe_text(m.text or "", is_html="html" in (m.get("texttype") or ""))


def _metadata(item_node: Element) -> dict[str, str]:
    meta = {}
    for field in _children(item_node, "qtimetadatafield"):
        label, entry = _first(field, "fieldlabel"), _first(field, "fieldentry")
        if label is not None:
            meta[(label.text or "").strip()] = (entry.text or "").strip() if entry is not None else ""
    return meta


def _qti12_item(node: Element, number: int, category: str) -> Item:
    meta = _metadata(node)
    title = node.get("title", "")
    item = Item(kind="", text="", name=title if title != "Question" else "", category=category)
    item.source = f"item {number}" + (f" “{title[:60]}”" if title and title != "Question" else "")
    presentation = _first(node, "presentation")
    if presentation is not None:
        material = next((m for m in presentation if local(m.tag) == "material"), None)
        item.text, item.notes = _mattext(material)
    try:
        item.marks = float(meta.get("points_possible", "1") or 1)
    except ValueError:
        item.marks = 1
    # Correct answers: values set to a positive score by a respcondition (Canvas sets SCORE 100).
    correct: list[str] = []
    for cond in _children(node, "respcondition"):
        setvar = _first(cond, "setvar")
        try:
            score = float((setvar.text or "0").strip()) if setvar is not None else 0
        except ValueError:
            score = 0
        if score <= 0:
            continue
        var = _first(cond, "conditionvar")
        if var is None:
            continue
        negated = {id(v) for n in var.iter() if local(n.tag) == "not" for v in n.iter()}
        correct += [(v.text or "").strip() for v in var.iter() if local(v.tag) == "varequal" and id(v) not in negated]
    labels = [(lab.get("ident", ""), _mattext(lab)[0]) for lab in _children(node, "response_label")]
    kind = CANVAS_KINDS.get(meta.get("question_type", ""))
    if kind is None:
        lid = _first(node, "response_lid")
        if lid is not None:
            kind = Kind.SINGLE_CHOICE if lid.get("rcardinality", "Single") == "Single" else Kind.MULTIPLE_RESPONSE
        elif _first(node, "response_str") is not None:
            kind = Kind.SHORT_ANSWER if correct else Kind.ESSAY
        else:
            kind = meta.get("question_type") or Kind.DESCRIPTION
    item.kind = kind
    if kind in (Kind.SINGLE_CHOICE, Kind.MULTIPLE_RESPONSE, Kind.TRUE_FALSE):
        item.choices = [Choice(text=text, fraction=100.0 if ident in correct else 0.0) for ident, text in labels]
        if kind == Kind.TRUE_FALSE:
            for c in item.choices:
                c.text = c.text.strip().lower()
    elif kind == Kind.SHORT_ANSWER:
        seen = []
        for value in correct:
            if value and value not in seen:
                seen.append(value)
        item.choices = [Choice(text=v, fraction=100.0) for v in seen]
    for fb in _children(node, "itemfeedback"):
        if fb.get("ident") == "general_fb":
            item.general_feedback = _mattext(fb)[0]
    return item


# --- reading -------------------------------------------------------------------------------------------------------


def _items_from_xml(data: bytes, start: int, what: str) -> list[Item]:
    root = parse_xml(data, what=what)
    name = local(root.tag)
    if name == "assessmentItem":
        return [_qti21_item(root, start)]
    if name == "questestinterop":
        items = []
        for section_item in root.iter():
            if local(section_item.tag) != "item":
                continue
            items.append(_qti12_item(section_item, start + len(items), _category_of(root)))
        return items
    return []


def _category_of(root: Element) -> str:
    """Canvas: the quiz's title (an assessment) or the question bank's (an objectbank's bank_title)."""
    assessment = _first(root, "assessment")
    if assessment is not None:
        return assessment.get("title", "")[:100]
    bank = _first(root, "objectbank")
    return _metadata(bank).get("bank_title", "")[:100] if bank is not None else ""


def _manifest_files(members: dict[str, bytes]) -> list[str]:
    manifest = members.get("imsmanifest.xml")
    if manifest is None:
        return sorted(n for n in members if n.lower().endswith(".xml"))
    root = parse_xml(manifest, what="The package's imsmanifest.xml")
    files = []
    for resource in _children(root, "resource"):
        if not (resource.get("type") or "").startswith("imsqti"):
            continue
        hrefs = [resource.get("href")] + [f.get("href") for f in resource if local(f.tag) == "file"]
        for href in hrefs:
            if href and href.lower().endswith(".xml") and href not in files:
                files.append(href)
    return files


def parse(data: bytes) -> Parsed:
    items: list[Item] = []
    if is_zip(data):
        members = open_package(data)
        files = _manifest_files(members)
        for name in files:
            if name not in members:
                raise InterchangeError(f"The package's manifest lists “{name[:100]}”, which is not in the package.")
            items += _items_from_xml(members[name], len(items) + 1, f"“{name[:100]}” in the package")
        fmt = "qti12" if any(b"questestinterop" in members[n][:4096] for n in files if n in members) else "qti21"
    else:
        items = _items_from_xml(data, 1, "The QTI file")
        fmt = "qti12" if b"questestinterop" in data[:4096] else "qti21"
    return Parsed(format=fmt, items=items)


# --- writing QTI 2.1 -------------------------------------------------------------------------------------------------


def _item_xml(item: Item, ident: str) -> Element | None:
    root = Element("assessmentItem", {
        "xmlns": QTI21_NS, "identifier": ident, "title": (item.name or item.text.split("\n", 1)[0])[:200],
        "adaptive": "false", "timeDependent": "false",
    })  # fmt: skip
    if item.category:
        root.set("label", item.category)
    kind = item.kind
    cardinality = {Kind.MULTIPLE_RESPONSE: "multiple", Kind.MATCHING: "multiple"}.get(kind, "single")
    base = {Kind.SHORT_ANSWER: "string", Kind.ESSAY: "string", Kind.MATCHING: "directedPair",
            Kind.NUMERICAL: "float"}.get(kind, "identifier")  # fmt: skip
    prompts = [p for p in item.pairs if p.prompt]
    decl = SubElement(root, "responseDeclaration", identifier="RESPONSE", cardinality=cardinality, baseType=base)
    choice_ids = [f"C{i + 1}" for i in range(len(item.choices))]
    if kind in (Kind.SINGLE_CHOICE, Kind.MULTIPLE_RESPONSE, Kind.TRUE_FALSE):
        correct = SubElement(decl, "correctResponse")
        for cid, choice in zip(choice_ids, item.choices, strict=True):
            if choice.fraction >= 100 or (kind == Kind.MULTIPLE_RESPONSE and choice.fraction > 0):
                SubElement(correct, "value").text = cid
    elif kind == Kind.SHORT_ANSWER:
        correct = SubElement(decl, "correctResponse")
        SubElement(correct, "value").text = item.choices[0].text if item.choices else ""
        mapping = SubElement(decl, "mapping", defaultValue="0")
        for choice in item.choices:
            SubElement(mapping, "mapEntry", mapKey=choice.text, mappedValue="1",
                       caseSensitive="true" if item.case_sensitive else "false")  # fmt: skip
    elif kind == Kind.MATCHING:
        correct = SubElement(decl, "correctResponse")
        for i in range(len(prompts)):
            SubElement(correct, "value").text = f"P{i + 1} A{i + 1}"
    elif kind == Kind.NUMERICAL:
        numeric = sorted(item.choices, key=lambda c: -c.fraction)
        if not numeric:
            return None
        SubElement(SubElement(decl, "correctResponse"), "value").text = numeric[0].text
    elif kind != Kind.ESSAY:
        return None
    for ident_, value in (("SCORE", "0"), ("MAXSCORE", f"{item.marks or 1:g}")):
        outcome = SubElement(root, "outcomeDeclaration", identifier=ident_, cardinality="single", baseType="float")
        SubElement(SubElement(outcome, "defaultValue"), "value").text = value
    body = SubElement(root, "itemBody")
    for paragraph in item.text.split("\n\n"):
        p = SubElement(body, "p")
        first, *more = paragraph.split("\n")
        p.text = first
        for line in more:
            SubElement(p, "br").tail = line
    if kind in (Kind.SINGLE_CHOICE, Kind.MULTIPLE_RESPONSE, Kind.TRUE_FALSE):
        max_choices = "1" if kind != Kind.MULTIPLE_RESPONSE else "0"
        inter = SubElement(body, "choiceInteraction", responseIdentifier="RESPONSE", shuffle="false",
                           maxChoices=max_choices)  # fmt: skip
        for cid, choice in zip(choice_ids, item.choices, strict=True):
            text = choice.text.capitalize() if kind == Kind.TRUE_FALSE else choice.text
            SubElement(inter, "simpleChoice", identifier=cid).text = text
    elif kind in (Kind.SHORT_ANSWER, Kind.NUMERICAL):
        SubElement(SubElement(body, "p"), "textEntryInteraction", responseIdentifier="RESPONSE", expectedLength="40")
    elif kind == Kind.ESSAY:
        SubElement(body, "extendedTextInteraction", responseIdentifier="RESPONSE")
    elif kind == Kind.MATCHING:
        inter = SubElement(body, "matchInteraction", responseIdentifier="RESPONSE", shuffle="true",
                           maxAssociations=str(len(prompts)))  # fmt: skip
        left, right = SubElement(inter, "simpleMatchSet"), SubElement(inter, "simpleMatchSet")
        for i, pair in enumerate(prompts):
            SubElement(left, "simpleAssociableChoice", identifier=f"P{i + 1}", matchMax="1").text = pair.prompt
            SubElement(right, "simpleAssociableChoice", identifier=f"A{i + 1}", matchMax="1").text = pair.answer
        for i, pair in enumerate([p for p in item.pairs if not p.prompt], start=len(prompts) + 1):  # distractors
            SubElement(right, "simpleAssociableChoice", identifier=f"A{i}", matchMax="1").text = pair.answer
    if kind == Kind.NUMERICAL:
        _numeric_processing(root, sorted(item.choices, key=lambda c: -c.fraction))
    else:
        template = "map_response" if kind == Kind.SHORT_ANSWER else "match_correct"
        SubElement(
            root, "responseProcessing", template=f"http://www.imsglobal.org/question/qti_v2p1/rptemplates/{template}"
        )
    if item.general_feedback:
        # Shown whatever the answer: "hide" a feedback whose identifier no outcome ever takes.
        fb = SubElement(root, "modalFeedback", outcomeIdentifier="FEEDBACK", identifier="GENERAL", showHide="hide")
        fb.text = item.general_feedback
    return root


def _numeric_processing(root: Element, choices: list[Choice]) -> None:
    """Each accepted value, best first: equal within its absolute tolerance sets SCORE to its share of MAXSCORE."""
    condition = SubElement(SubElement(root, "responseProcessing"), "responseCondition")
    for number, choice in enumerate(choices):
        branch = SubElement(condition, "responseIf" if number == 0 else "responseElseIf")
        tolerance = f"{choice.tolerance or 0:g}"
        equal = SubElement(branch, "equal", toleranceMode="absolute", tolerance=f"{tolerance} {tolerance}")
        SubElement(equal, "variable", identifier="RESPONSE")
        SubElement(equal, "baseValue", baseType="float").text = choice.text
        product = SubElement(SubElement(branch, "setOutcomeValue", identifier="SCORE"), "product")
        SubElement(product, "variable", identifier="MAXSCORE")
        SubElement(product, "baseValue", baseType="float").text = f"{choice.fraction / 100:g}"


def _document(node: Element) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(node, encoding="unicode").encode("utf-8")


def write(items: list[Item]) -> tuple[bytes, list[str | None]]:
    """A QTI 2.1 content package (zip): imsmanifest.xml and one item file per question."""
    problems: list[str | None] = []
    out = io.BytesIO()
    manifest = Element("manifest", {"xmlns": CP_NS, "identifier": "MANIFEST-quiz-bank"})
    SubElement(manifest, "organizations")
    resources = SubElement(manifest, "resources")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, item in enumerate(items, start=1):
            ident = f"item{number:04d}"
            node = _item_xml(item, ident)
            if node is None:
                problems.append("this QTI 2.1 export does not write this type yet")
                continue
            href = f"items/{ident}.xml"
            archive.writestr(href, _document(node))
            resource = SubElement(resources, "resource", identifier=ident, type="imsqti_item_xmlv2p1", href=href)
            SubElement(resource, "file", href=href)
            problems.append(None)
        archive.writestr("imsmanifest.xml", _document(manifest))
    return out.getvalue(), problems


# --- writing Canvas's QTI 1.2 ----------------------------------------------------------------------------------------

QTI12_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CANVAS_TYPES = {
    Kind.SINGLE_CHOICE: "multiple_choice_question",
    Kind.TRUE_FALSE: "true_false_question",
    Kind.SHORT_ANSWER: "short_answer_question",
    Kind.ESSAY: "essay_question",
}


def _mat(parent: Element, text: str) -> None:
    SubElement(SubElement(parent, "material"), "mattext", texttype="text/plain").text = text


def _canvas_item(section: Element, item: Item, ident: str) -> bool:
    qtype = CANVAS_TYPES.get(item.kind)
    if qtype is None:
        return False
    node = SubElement(section, "item", ident=ident, title=(item.name or "Question")[:200])
    meta = SubElement(SubElement(node, "itemmetadata"), "qtimetadata")
    for label, entry in (("question_type", qtype), ("points_possible", f"{item.marks or 1:g}")):
        field = SubElement(meta, "qtimetadatafield")
        SubElement(field, "fieldlabel").text = label
        SubElement(field, "fieldentry").text = entry
    presentation = SubElement(node, "presentation")
    _mat(presentation, item.text)
    processing = SubElement(node, "resprocessing")
    outcomes = SubElement(processing, "outcomes")
    SubElement(outcomes, "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    if item.kind in (Kind.SINGLE_CHOICE, Kind.TRUE_FALSE):
        lid = SubElement(presentation, "response_lid", ident="response1", rcardinality="Single")
        render = SubElement(lid, "render_choice")
        for number, choice in enumerate(item.choices, start=1):
            text = choice.text.capitalize() if item.kind == Kind.TRUE_FALSE else choice.text
            _mat(SubElement(render, "response_label", ident=f"{ident}_{number}"), text)
            if choice.fraction >= 100:
                cond = SubElement(processing, "respcondition", {"continue": "No"})
                SubElement(
                    SubElement(cond, "conditionvar"), "varequal", respident="response1"
                ).text = f"{ident}_{number}"
                SubElement(cond, "setvar", action="Set", varname="SCORE").text = "100"
    elif item.kind == Kind.SHORT_ANSWER:
        SubElement(SubElement(presentation, "response_str", ident="response1", rcardinality="Single"), "render_fib")
        cond = SubElement(processing, "respcondition", {"continue": "No"})
        var = SubElement(cond, "conditionvar")
        for choice in item.choices:
            if choice.fraction >= 100:
                SubElement(var, "varequal", respident="response1").text = choice.text
        SubElement(cond, "setvar", action="Set", varname="SCORE").text = "100"
    else:  # essay
        SubElement(SubElement(presentation, "response_str", ident="response1", rcardinality="Single"), "render_fib")
        cond = SubElement(processing, "respcondition", {"continue": "No"})
        SubElement(SubElement(cond, "conditionvar"), "other")
    return True


def write_canvas(items: list[Item]) -> tuple[bytes, list[str | None]]:
    """A package Canvas imports as a quiz (Settings → Import course content → QTI .zip): imsmanifest.xml and one
    QTI 1.2 assessment with Canvas's question_type and points_possible metadata."""
    problems: list[str | None] = []
    root = Element("questestinterop", xmlns=QTI12_NS)
    assessment = SubElement(root, "assessment", ident="quiz_bank_export", title="Question bank export")
    section = SubElement(assessment, "section", ident="root_section")
    for number, item in enumerate(items, start=1):
        written = _canvas_item(section, item, f"q{number:04d}")
        problems.append(None if written else "this Canvas QTI 1.2 export does not write this type")
    manifest = Element("manifest", {"xmlns": "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1",
                                    "identifier": "quiz_bank_export_manifest"})  # fmt: skip
    SubElement(manifest, "organizations")
    resource = SubElement(SubElement(manifest, "resources"), "resource", identifier="quiz_bank_export",
                          type="imsqti_xmlv1p2")  # fmt: skip
    SubElement(resource, "file", href="quiz_bank_export/quiz_bank_export.xml")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", _document(manifest))
        archive.writestr("quiz_bank_export/quiz_bank_export.xml", _document(root))
    return out.getvalue(), problems
