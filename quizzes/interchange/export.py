"""Writing our questions to Moodle XML, GIFT, QTI 2.1, Canvas QTI 1.2 or Aiken, with a per-question report of what
each format loses.

`FORMAT_CARRIES` is the table of what each format can hold besides a question's text, type and answer key;
whatever a question has that its format cannot carry is said in the report ("exported with changes").
"""

from __future__ import annotations

from dataclasses import dataclass

from quizzes.interchange import aiken, gift, moodle_xml, qti
from quizzes.interchange.common import Kind, kind_label
from quizzes.interchange.mapping import CHANGED, IMPORTED, SKIPPED, Outcome, question_to_item

EXPORT_FORMATS = {
    "moodle_xml": ("Moodle XML", "xml", "application/xml", moodle_xml.write),
    "gift": ("GIFT", "gift.txt", "text/plain; charset=utf-8", gift.write),
    "qti21": ("QTI 2.1 package", "qti21.zip", "application/zip", qti.write),
    "qti12": ("Canvas QTI 1.2 package", "canvas-qti12.zip", "application/zip", qti.write_canvas),
    "aiken": ("Aiken", "aiken.txt", "text/plain; charset=utf-8", aiken.write),
}
# Besides text, type, options and the answer key: what each format keeps of a question.
# "fractions": an MCQ near answer's share of the marks; "option_feedback": per-option feedback (MCQ, true/false,
# multiple response); "numeric_fractions": a numeric value worth less than full marks; "partial_scoring": multiple
# response scored right share minus wrong share (Moodle's weights); "distractors": matching answers with no prompt.
FORMAT_CARRIES = {
    "moodle_xml": {"topic", "marks", "case_sensitive", "sample_answer_essay", "marking_rubric", "fractions",
                   "option_feedback", "general_feedback", "numeric_fractions", "partial_scoring", "distractors"},
    "gift": {"topic", "fractions", "option_feedback", "general_feedback", "numeric_fractions", "partial_scoring",
             "distractors"},
    "qti21": {"topic", "marks", "case_sensitive", "general_feedback", "numeric_fractions", "distractors"},
    "qti12": {"marks"},
    "aiken": set(),
}  # fmt: skip
EXPORT_STATUS_LABELS = {IMPORTED: "exported as is", CHANGED: "exported with changes", SKIPPED: "not exportable"}


@dataclass
class Export:
    data: bytes
    filename: str
    content_type: str
    report: list[dict]

    @property
    def summary(self) -> dict:
        counts = {s: sum(1 for r in self.report if r["status"] == s) for s in (IMPORTED, CHANGED, SKIPPED)}
        return {"exported": counts[IMPORTED] + counts[CHANGED], "changed": counts[CHANGED], "skipped": counts[SKIPPED]}


def _losses(question, item, fmt: str) -> list[str]:
    carries = FORMAT_CARRIES[fmt]
    lost = []
    if question.topic and "topic" not in carries:
        lost.append(f"topic “{question.topic}” not kept ({EXPORT_FORMATS[fmt][0]} has no categories)")
    if question.marks != 1 and "marks" not in carries:
        lost.append(f"marks ({question.marks}) not kept: the format has none, importers use 1")
    if question.difficulty != "medium":
        lost.append(f"difficulty “{question.difficulty}” not kept (no format has it)")
    if question.case_sensitive and "case_sensitive" not in carries:
        lost.append("case-sensitive matching not kept: answers will match in any case")
    if question.sample_answer and (item.kind != Kind.ESSAY or "sample_answer_essay" not in carries):
        lost.append("sample answer not kept")
    if question.marking_rubric and "marking_rubric" not in carries:
        lost.append("marking rubric not kept")
    if item.kind == Kind.TRUE_FALSE and [o.casefold() for o in question.options or []] != ["true", "false"]:
        lost.append(f"options “{'”/“'.join(question.options or [])}” written as True/False")
    lost += _detail_losses(question, carries)
    images = getattr(question, "images", None)
    if images is not None and (count := len(images.all())):
        lost.append(f"{count} image(s) not exported (the export writes text only)")
    return lost


def _detail_losses(question, carries: set[str]) -> list[str]:
    """What a format loses of issue 15's details and general feedback."""
    details = getattr(question, "details", None) or {}
    lost = []
    if details.get("fractions"):
        if question.type == "true_false":
            lost.append("partial credit on the wrong option not kept (true/false is scored all or nothing)")
        elif "fractions" not in carries:
            lost.append("partial credit for near answers not kept: only the correct option scores")
    if details.get("feedback") and "option_feedback" not in carries:
        lost.append("per-option feedback not kept")
    if (getattr(question, "general_feedback", "") or "") and "general_feedback" not in carries:
        lost.append("general feedback not kept")
    if question.type == "multiple_response":
        scoring = details.get("scoring", "partial")
        if "partial_scoring" in carries and scoring != "partial":
            lost.append(f"scoring “{scoring}” written as Moodle's weights (right share minus wrong share)")
        elif "partial_scoring" not in carries and scoring != "all_or_nothing":
            lost.append(f"scoring “{scoring}” written as all or nothing (the format's only rule)")
    if question.type == "numeric":
        if details.get("unit"):
            lost.append(f"unit “{details['unit']}” not kept")
        if "numeric_fractions" not in carries and any(a.get("fraction", 1) < 1 for a in details.get("answers") or []):
            lost.append("values worth part of the marks not kept")
    if question.type == "matching" and details.get("distractors") and "distractors" not in carries:
        lost.append("extra answers (distractors) not kept")
    return lost


def export_questions(questions, fmt: str) -> Export:
    """Write `questions` (already scoped to what the user may see) in `fmt`, with the report."""
    label, extension, content_type, writer = EXPORT_FORMATS[fmt]
    items = [question_to_item(q) for q in questions]
    data, problems = writer(items)
    report = []
    for number, (question, item, problem) in enumerate(zip(questions, items, problems, strict=True), start=1):
        outcome = Outcome(number=number, source=str(question.pk), kind=item.kind, text=question.text,
                          type=question.type)  # fmt: skip
        if problem:
            outcome.status, outcome.reason = SKIPPED, f"{kind_label(item.kind)}: {problem}"
        else:
            outcome.changes = _losses(question, item, fmt)
            outcome.status = CHANGED if outcome.changes else IMPORTED
        row = outcome.as_dict()
        row["status_label"] = EXPORT_STATUS_LABELS[outcome.status]
        row["id"] = str(question.pk)
        report.append(row)
    return Export(data=data, filename=f"questions.{extension}", content_type=content_type, report=report)
