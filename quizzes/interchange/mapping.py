"""The one bridge between the neutral Items and our questions, both ways, and what each crossing loses.

`IMPORT_TYPES` is the single table that says which kinds our bank can hold: switching a kind on is one line here
plus its branch in `item_to_question` (issue 15's types take their shape from `issue15.issue15_fields`). Every
question is validated by `Question.clean()`, the one validation the API and the forms use, so a question that does
not fit is skipped with the reason, never half written. Everything the crossing drops or alters is said in words,
per question, for the report.
"""

from __future__ import annotations

import math
import mimetypes
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError

from quizsite.text import control_character_error
from quizzes.interchange.common import Choice, Image, Item, Kind, kind_label
from quizzes.interchange.issue15 import MAX_NUMERIC_ANSWERS, TEXT_GAPS, issue15_fields, issue15_item
from quizzes.models import MAX_OPTIONS, Question, QuestionType
from quizzes.services.images import ALT_TEXT_MAX_LENGTH, MAX_IMAGES_PER_QUESTION, image_problem

# Neutral kind -> our question type; None: our bank cannot hold it, the question is skipped with
# "skipped: <kind> not supported". Ordering stays off: no reader yet reads Moodle's ordering items, so it could not
# be imported faithfully. Cloze: Moodle XML's embedded answers with short-answer gaps (others are refused).
IMPORT_TYPES: dict[str, str | None] = {
    Kind.SINGLE_CHOICE: QuestionType.MCQ,
    Kind.TRUE_FALSE: QuestionType.TRUE_FALSE,
    Kind.SHORT_ANSWER: QuestionType.SHORT_ANSWER,
    Kind.ESSAY: QuestionType.DESCRIPTIVE,
    Kind.MULTIPLE_RESPONSE: QuestionType.MULTIPLE_RESPONSE,
    Kind.NUMERICAL: QuestionType.NUMERIC,
    Kind.MATCHING: QuestionType.MATCHING,
    Kind.ORDERING: None,
    Kind.CLOZE: QuestionType.CLOZE,
    Kind.DESCRIPTION: None,
}
# Question images (issue 15): an image shown in a question's text becomes a question image, checked and re-encoded
# by quizzes.services.images; one it refuses is reported as not imported, with its reason.
IMAGES_SUPPORTED = True

IMPORTED = "imported"
CHANGED = "imported_with_changes"
SKIPPED = "skipped"
STATUS_LABELS = {IMPORTED: "imported", CHANGED: "imported with changes", SKIPPED: "skipped"}


@dataclass
class Outcome:
    """What happens to one question of a file (or of an export)."""

    number: int
    source: str
    kind: str
    text: str
    status: str = IMPORTED
    changes: list[str] = field(default_factory=list)
    reason: str = ""
    question: Question | None = None
    type: str = ""
    # (file name, bytes, alt text) of the images to attach once the question is written
    images: list[tuple[str, bytes, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "number": self.number,
            "source": self.source,
            "kind": self.kind,
            "kind_label": kind_label(self.kind),
            "type": self.type,
            "text": self.text[:200],
            "status": self.status,
            "status_label": STATUS_LABELS[self.status],
            "changes": self.changes,
            "reason": self.reason,
        }


def _pct(value: float) -> str:
    return f"{value:g}%"


def _validation_text(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


def _marks(item: Item, changes: list[str]) -> int:
    marks = item.marks if item.marks is not None else 1
    if marks <= 0:
        changes.append(f"marks {marks:g} set to 1 (a question is worth at least 1 mark)")
        return 1
    if marks != int(marks):
        rounded = max(1, math.ceil(marks))
        changes.append(f"marks {marks:g} rounded to {rounded} (marks are whole numbers)")
        return rounded
    return int(marks)


def _dropped_feedback(item: Item, changes: list[str]) -> None:
    """Short answers keep no per-answer feedback (only options carry feedback in the bank)."""
    if any(c.feedback for c in item.choices):
        changes.append("per-answer feedback not kept (short answers have no per-answer feedback)")


def _best_choice(item: Item, changes: list[str]) -> int | None:
    best = max(range(len(item.choices)), key=lambda i: item.choices[i].fraction)
    if item.choices[best].fraction < 100:
        return None
    full = [c.text for c in item.choices if c.fraction >= 100]
    if len(full) > 1:
        changes.append(f"only the first of {len(full)} fully correct options kept as the answer")
    if any(c.fraction < 0 for c in item.choices):
        changes.append("negative marks for wrong options dropped")
    return best


def _true_false_order(item: Item) -> Item:
    """The item with its choices in our order (True, False), so that per-option feedback lands on the right one."""
    truth = [c.text.strip().lower().startswith("t") for c in item.choices]
    if len(item.choices) == 2 and truth[0] != truth[1]:
        choices = item.choices if truth[0] else item.choices[::-1]
    else:  # not a pair we can place: no per-option details
        choices = [Choice(text=c.text, fraction=c.fraction) for c in item.choices[:2]]
    return replace(item, choices=list(choices))


def _issue15_changes(item: Item, fields: dict, changes: list[str]) -> str | None:
    """What issue 15's shapes leave out of this item (said in the report), or why it cannot be imported."""
    details = fields["details"]
    if item.kind == Kind.MULTIPLE_RESPONSE:
        if not details["correct"]:
            return "no option is correct"
        if len(item.choices) > MAX_OPTIONS:
            return f"{len(item.choices)} options; a multiple-response question has at most {MAX_OPTIONS}"
        weights = [c.fraction for c in item.choices if c.fraction > 0]
        if max(weights) - min(weights) > 0.5:  # 33 and 33.33333 are the same third
            changes.append("unequal weights of the correct options made equal (each right option scores the same)")
        wrong = [c for c in item.choices if c.fraction <= 0]
        if wrong and any(abs(c.fraction + 100 / len(wrong)) > 0.5 for c in wrong):
            changes.append(
                f"each wrong option chosen now costs {100 / len(wrong):.4g}% (scored “partial”: right share minus "
                "wrong share, never below 0)"
            )
    elif item.kind == Kind.NUMERICAL:
        given = [c for c in item.choices if c.fraction > 0 and c.text.strip() not in ("", "*")]
        if not given:
            return "no accepted value could be read from the file"
        if len(given) > MAX_NUMERIC_ANSWERS:
            changes.append(f"only the first {MAX_NUMERIC_ANSWERS} of {len(given)} accepted values kept")
        if any(c.feedback for c in item.choices):
            changes.append("per-answer feedback not kept (numeric answers have no per-answer feedback)")
    elif item.kind == Kind.CLOZE:
        if not item.blanks:
            return "no gaps could be read (cloze is read from Moodle XML's embedded answers only)"
        if other := sorted({b.subtype for b in item.blanks if b.subtype not in TEXT_GAPS}):
            return (
                f"gaps of type {', '.join(other)} cannot be imported: our blanks take typed answers "
                "(short-answer gaps) only"
            )
        if empty := [b.id for b in item.blanks if not any(c.fraction >= 100 for c in b.choices)]:
            return f"gap {empty[0]} has no fully correct answer (100%)"
        partial = [f"“{c.text[:40]}” ({_pct(c.fraction)})" for b in item.blanks for c in b.choices
                   if 0 < c.fraction < 100]  # fmt: skip
        if partial:
            changes.append("partial credit dropped for " + ", ".join(partial) + ": only fully correct answers score")
        if any(c.feedback for b in item.blanks for c in b.choices):
            changes.append("feedback in the gaps not kept (blanks have no per-answer feedback)")
        if any(b.marks > 100 for b in item.blanks):
            changes.append("gap weights above 100 set to 100")
    elif item.kind == Kind.MATCHING:
        if not details["pairs"]:
            return "no pairs could be read from the file"
        if sum(1 for p in item.pairs if not p.prompt and not p.answer):
            changes.append("empty pairs dropped")
    return None


def _question_images(images: list[Image], changes: list[str]) -> list[tuple[str, bytes, str]]:
    """The images a question keeps (checked as an upload is, alt text from the file or invented and said so)."""
    kept = []
    if answers := [i for i in images if i.in_answer]:
        names = ", ".join(f"“{i.name}”" for i in answers[:5])
        changes.append(f"image(s) {names} in the answers not imported (options hold text only)")
    for image in [i for i in images if not i.in_answer]:
        if len(kept) == MAX_IMAGES_PER_QUESTION:
            changes.append(f"image “{image.name}” not imported: a question has at most {MAX_IMAGES_PER_QUESTION}")
            continue
        if problem := image_problem(image.data):
            changes.append(f"image “{image.name}” not imported: {problem}")
            continue
        alt = image.alt[:ALT_TEXT_MAX_LENGTH].strip()
        if not alt or control_character_error(alt):
            alt = " ".join(PurePosixPath(image.name).stem.replace("_", " ").replace("-", " ").split())[:100] or "image"
            changes.append(f"image “{image.name}”: alt text “{alt}” made from its file name (describe the image)")
        kept.append((image.name, image.data, alt))
    return kept


def item_to_question(item: Item, *, teacher, number: int) -> Outcome:
    """Build (unsaved) the question an Item becomes, or say why it cannot."""
    outcome = Outcome(number=number, source=item.source or f"question {number}", kind=item.kind, text=item.text)
    changes = list(item.notes)
    outcome.changes = changes

    def skip(reason: str) -> Outcome:
        outcome.status, outcome.reason, outcome.changes, outcome.images = SKIPPED, reason, [], []
        return outcome

    if item.problem:
        return skip(item.problem)
    if item.kind not in IMPORT_TYPES or IMPORT_TYPES[item.kind] is None:
        return skip(f"{kind_label(item.kind)} not supported")
    qtype = IMPORT_TYPES[item.kind]
    outcome.type = qtype
    fields: dict = {"options": None, "correct_answer": None, "accepted_answers": [], "sample_answer": "",
                    "marking_rubric": "", "case_sensitive": False, "details": {},
                    "general_feedback": item.general_feedback}  # fmt: skip
    if qtype == QuestionType.MCQ:
        if not item.choices:
            return skip("no options")
        if len(item.choices) > MAX_OPTIONS:
            return skip(f"{len(item.choices)} options; a multiple-choice question has at most {MAX_OPTIONS}")
        best = _best_choice(item, changes)
        if best is None:
            return skip("no option is fully correct (100%)")
        fields["options"] = [c.text for c in item.choices]
        fields["correct_answer"] = best
        fields["details"] = issue15_fields(item)["details"]  # partial credit and per-option feedback
    elif qtype == QuestionType.TRUE_FALSE:
        right = [c for c in item.choices if c.fraction >= 100]
        if len(right) != 1 or right[0].text.strip().lower() not in ("true", "false", "t", "f"):
            return skip("the correct answer is neither true nor false")
        fields["options"] = ["True", "False"]
        fields["correct_answer"] = 0 if right[0].text.strip().lower().startswith("t") else 1
        fields["details"] = issue15_fields(_true_false_order(item))["details"]
    elif qtype == QuestionType.SHORT_ANSWER:
        accepted = [c.text for c in item.choices if c.fraction >= 100]
        if not accepted:
            return skip("no answer is fully correct (100%)")
        partial = [f"“{c.text[:40]}” ({_pct(c.fraction)})" for c in item.choices if 0 < c.fraction < 100]
        if partial:
            changes.append("partial credit dropped for " + ", ".join(partial) + ": only fully correct answers score")
        fields["accepted_answers"] = accepted
        fields["case_sensitive"] = item.case_sensitive
        _dropped_feedback(item, changes)
    elif qtype == QuestionType.DESCRIPTIVE:
        fields["sample_answer"] = item.sample_answer
        fields["marking_rubric"] = item.grader_info
    else:  # issue 15's multiple response, numeric, matching: their shapes from the one translation
        try:
            shaped = issue15_fields(item)
        except ValueError:
            return skip("an accepted value is not a number")
        if problem := _issue15_changes(item, shaped, changes):
            return skip(problem)
        fields.update(shaped)
    images = [i for i in item.images if (i.mime or mimetypes.guess_type(i.name)[0] or "").startswith("image/")]
    if images and not IMAGES_SUPPORTED:
        names = ", ".join(f"“{i.name}”" for i in images[:5])
        changes.append(f"image(s) {names} not imported (the bank has no question images yet)")
    elif images:
        outcome.images = _question_images(images, changes)
    if others := [i for i in item.images if i not in images]:
        names = ", ".join(f"“{i.name}”" for i in others[:5])
        changes.append(f"file(s) {names} not imported (the bank holds no sound, video or other files)")
    if item.tags:
        changes.append(
            "tags " + ", ".join(f"“{t}”" for t in item.tags[:5]) + " not kept (the bank has topics, not tags)"
        )
    if item.name and not item.text.startswith(item.name):
        changes.append(f"title “{item.name[:60]}” not kept (questions have no title)")
    topic = item.category
    if len(topic) > 100:
        topic = topic[-100:]
        changes.append("category shortened to its last 100 characters for the topic")
    question = Question(
        created_by=teacher,
        text=item.text,
        type=qtype,
        topic=topic,
        difficulty=item.difficulty or "medium",
        marks=_marks(item, changes),
        **fields,
    )
    try:
        question.full_clean(exclude=["created_by"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return skip(_validation_text(exc))
    outcome.question = question
    outcome.status = CHANGED if changes else IMPORTED
    return outcome


# --- our questions -> Items (for the writers) ----------------------------------------------------------------------


def question_to_item(question: Question) -> Item:
    """The neutral form of one of our questions; nothing is lost on this side (the writers say what they lose)."""
    item = Item(kind="", text=question.text, category=question.topic, marks=question.marks)
    item.difficulty = question.difficulty
    item.source = f"“{question.text[:60]}”"
    item.general_feedback = question.general_feedback or ""
    details = question.details or {}
    if question.type in (QuestionType.MCQ, QuestionType.TRUE_FALSE):
        # Issue 15's option details: a near answer's share of the marks, and each option's feedback.
        fractions, feedback = details.get("fractions") or [], details.get("feedback") or []

        def choice(i: int, text: str) -> Choice:
            near = fractions[i] * 100 if i < len(fractions) and question.type == QuestionType.MCQ else 0.0
            share = 100.0 if i == question.correct_answer else near  # true/false: all or nothing in every format
            return Choice(text=text, fraction=share, feedback=feedback[i] if i < len(feedback) else "")

    if question.type == QuestionType.MCQ:
        item.kind = Kind.SINGLE_CHOICE
        item.choices = [choice(i, o) for i, o in enumerate(question.options or [])]
    elif question.type == QuestionType.TRUE_FALSE:
        item.kind = Kind.TRUE_FALSE
        item.choices = [choice(0, "true"), choice(1, "false")]
    elif question.type == QuestionType.SHORT_ANSWER:
        item.kind = Kind.SHORT_ANSWER
        item.choices = [Choice(text=a, fraction=100.0) for a in question.accepted_answers or []]
        item.case_sensitive = question.case_sensitive
        item.sample_answer = question.sample_answer
    elif question.type == QuestionType.DESCRIPTIVE:
        item.kind = Kind.ESSAY
        item.sample_answer = question.sample_answer
        item.grader_info = question.marking_rubric
    else:  # issue 15's types, read from their `details` once they exist; any other type is not exportable
        issue15_item(question, item)
    return item
