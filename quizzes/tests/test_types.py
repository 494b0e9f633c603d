"""Issue 15: the new question types, validated and marked in one place (quizzes/types). Pure: no database."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError

from quizzes.marking import auto_mark
from quizzes.models import Question, QuestionType
from quizzes.types import base, choice, cloze, matching, numeric, ordering
from quizzes.types.base import ResponseError, encode


def build(type, text="Q?", marks=4, **fields):
    fields.setdefault("details", {})
    q = Question(type=type, text=text, marks=marks, **fields)
    q.clean()
    return q


def errors_of(type, text="Q?", **fields):
    with pytest.raises(ValidationError) as e:
        build(type, text=text, **fields)
    return e.value.message_dict


def mark(q, response, marks=None):
    text = response if q.type == "numeric" else (encode(response) if response is not None else None)
    return auto_mark(q, marks=marks or q.marks, answer_option=None, answer_text=text)


# ------------------------------------------------------------------------------ multiple response


MR = {"options": ["2", "3", "4", "5", "6"], "details": {"correct": [0, 1, 3]}}


@pytest.mark.parametrize(
    ("rule", "chosen", "expected"),
    [
        # C = 3 correct (2, 3, 5), W = 2 wrong (4, 6)
        ("all_or_nothing", [0, 1, 3], "4.00"),
        ("all_or_nothing", [0, 1], "0.00"),
        ("all_or_nothing", [0, 1, 3, 2], "0.00"),
        ("partial", [0, 1, 3], "4.00"),
        ("partial", [0, 1], "2.67"),  # 2/3
        ("partial", [0, 1, 3, 2], "2.00"),  # 1 - 1/2
        ("partial", [0, 2, 4], "0.00"),  # 1/3 - 1 -> floored at 0
        ("right_minus_wrong", [0, 1, 3, 2], "2.67"),  # (3-1)/3
        ("right_minus_wrong", [0, 2], "0.00"),  # (1-1)/3
        ("right_minus_wrong", [0, 1, 2, 3, 4], "1.33"),  # (3-2)/3
    ],
)
def test_multiple_response_scoring_rules(rule, chosen, expected):
    q = build("multiple_response", options=MR["options"], details={"correct": [3, 0, 1], "scoring": rule})
    assert q.details["correct"] == [0, 1, 3]
    assert mark(q, choice.clean_response(chosen, choice.meta(q))) == Decimal(expected)


def test_multiple_response_all_options_correct_and_empty_answer():
    q = build("multiple_response", options=["a", "b"], details={"correct": [0, 1]})
    assert mark(q, [0, 1]) == Decimal(4)
    assert mark(q, [1]) == Decimal(2)  # no wrong option to cost anything
    assert mark(q, None) == Decimal(0)
    assert choice.clean_response([], choice.meta(q)) is None  # nothing chosen is no answer


def test_multiple_response_validation():
    assert "details" in errors_of("multiple_response", options=["a", "b"], details={"correct": []})
    assert "details" in errors_of("multiple_response", options=["a", "b"], details={"correct": [2]})
    assert "details" in errors_of("multiple_response", options=["a", "b"], details={"correct": [0, 0]})
    assert "details" in errors_of("multiple_response", options=["a", "b"], details={"correct": [0], "scoring": "x"})
    assert "options" in errors_of("multiple_response", options=["a"], details={"correct": [0]})
    assert "correct_answer" in errors_of(
        "multiple_response", options=["a", "b"], correct_answer=0, details={"correct": [0]}
    )
    assert build("multiple_response", options=["a", "b"], details={"correct": [0]}).details["scoring"] == "partial"


def test_multiple_response_maps_displayed_indexes_to_original():
    assert choice.clean_response([0, 2], {"choices": 3}, perm=[2, 0, 1]) == [1, 2]
    with pytest.raises(ResponseError):
        choice.clean_response([3], {"choices": 3})
    with pytest.raises(ResponseError):
        choice.clean_response([True], {"choices": 3})


# ------------------------------------------------------------------------------ numeric


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("3.5", "3.5"),
        ("3,5", "3.5"),
        (" -3,5 ", "-3.5"),
        ("\u22123.5", "-3.5"),
        ("1.2e-3", "0.0012"),
        ("1,2E3", "1200"),
        ("1,000.5", "1000.5"),
        ("1.000,5", "1000.5"),
        ("1 000 000", "1000000"),
        ("６.０", "6.0"),  # full-width digits (NFKC)
        (".5", "0.5"),
    ],
)
def test_numeric_input_is_locale_tolerant(typed, value):
    assert numeric.parse_number(typed) == Decimal(value)


@pytest.mark.parametrize("typed", ["", "abc", "3.5.5", "1e", "--3", "nan", "inf", "3,5,", "0x10"])
def test_numeric_input_that_is_not_a_number(typed):
    assert numeric.parse_number(typed) is None


def test_numeric_tolerance_boundaries_and_near_miss():
    q = build(
        "numeric",
        marks=2,
        details={
            "answers": [
                {"value": 9.81, "tolerance": 0.01, "fraction": 1},
                {"value": 9.81, "tolerance": 0.2, "fraction": 0.5},
            ],
            "unit": "m/s²",
        },
    )
    assert mark(q, "9.81") == Decimal(2)
    assert mark(q, "9,82") == Decimal(2)  # exactly on the boundary counts (decimal, not float)
    assert mark(q, "9.80") == Decimal(2)
    assert mark(q, "9.8201") == Decimal(1)  # just past: the near miss
    assert mark(q, "10.01") == Decimal(1)
    assert mark(q, "10.0101") == Decimal(0)
    assert mark(q, "ten") == Decimal(0)
    assert mark(q, None) == Decimal(0)
    assert "9.81 ± 0.01 m/s²" in numeric.key_display(q)


def test_numeric_validation():
    assert "details" in errors_of("numeric", details={})
    assert "details" in errors_of("numeric", details={"answers": [{"value": "3"}]})
    assert "details" in errors_of("numeric", details={"answers": [{"value": 3, "tolerance": -1}]})
    assert "details" in errors_of("numeric", details={"answers": [{"value": 3, "fraction": 0.5}]})
    assert "details" in errors_of("numeric", details={"answers": [{"value": True}]})
    q = build("numeric", details={"answers": [{"value": 0}]})
    assert q.details["answers"] == [{"value": 0, "tolerance": 0, "fraction": 1}]
    assert mark(q, "0,0") == Decimal(4)
    assert mark(q, "-0") == Decimal(4)


# ------------------------------------------------------------------------------ matching


MATCH = {
    "pairs": [
        {"prompt": "H₂O", "answer": "water"},
        {"prompt": "NaCl", "answer": "salt"},
        {"prompt": "D₂O", "answer": "water"},  # two prompts may share an answer
    ],
    "distractors": ["sugar"],
}


def test_matching_partial_per_pair_and_choices():
    q = build("matching", marks=3, details=MATCH)
    assert matching.choices(q) == ["water", "salt", "sugar"]
    info = matching.meta(q)
    assert mark(q, matching.clean_response(["water", "salt", "water"], info)) == Decimal(3)
    assert mark(q, matching.clean_response(["water", "sugar", None], info)) == Decimal(1)
    assert matching.clean_response([None, None, None], info) is None
    with pytest.raises(ResponseError):
        matching.clean_response(["water", "salt"], info)
    with pytest.raises(ResponseError):
        matching.clean_response(["water", "salt", "<script>"], info)
    assert sorted(matching.exam_choices(q, "seed")) == sorted(matching.choices(q))
    assert "NaCl → salt" in matching.key_display(q)


def test_matching_validation():
    assert "details" in errors_of("matching", details={"pairs": [{"prompt": "a", "answer": "b"}]})
    assert "details" in errors_of(
        "matching", details={"pairs": [{"prompt": "a", "answer": "b"}, {"prompt": "A", "answer": "c"}]}
    )
    assert "details" in errors_of(
        "matching",
        details={**MATCH, "distractors": ["Water"]},  # a distractor that is a right answer
    )
    assert "details" in errors_of("matching", details={"pairs": [{"prompt": "a", "answer": ""}] * 2})


# ------------------------------------------------------------------------------ ordering


def test_ordering_partial_is_pairs_in_relative_order():
    items = ["Mercury", "Venus", "Earth", "Mars"]
    q = build("ordering", marks=6, details={"items": items})
    assert q.details["scoring"] == "partial"
    info = ordering.meta(q)
    assert mark(q, ordering.clean_response(items, info)) == Decimal(6)
    assert mark(q, ["Venus", "Mercury", "Earth", "Mars"]) == Decimal(5)  # 5 of 6 pairs
    assert mark(q, list(reversed(items))) == Decimal(0)
    all_or_nothing = build("ordering", marks=6, details={"items": items, "scoring": "all_or_nothing"})
    assert mark(all_or_nothing, ["Venus", "Mercury", "Earth", "Mars"]) == Decimal(0)
    with pytest.raises(ResponseError):
        ordering.clean_response(["Mercury", "Venus", "Earth"], info)  # one missing
    with pytest.raises(ResponseError):
        ordering.clean_response(["Mercury", "Mercury", "Earth", "Mars"], info)
    shown = ordering.exam_items(q, "attempt:question")
    assert shown != items and sorted(shown) == sorted(items)
    assert ordering.exam_items(q, "attempt:question") == shown  # stable across reloads


def test_ordering_validation():
    assert "details" in errors_of("ordering", details={"items": ["one"]})
    assert "details" in errors_of("ordering", details={"items": ["one", "One"]})
    assert "details" in errors_of("ordering", details={"items": ["a", "b"], "scoring": "lcs"})


# ------------------------------------------------------------------------------ cloze


CLOZE_TEXT = "Water boils at [[1]] °C and freezes at [[2]] °C; Ünïcödé: [[3]]."
BLANKS = [
    {"id": 1, "answers": ["100"], "marks": 2},
    {"id": 2, "answers": ["0", "zero"], "marks": 1},
    {"id": 3, "answers": ["ÇA*"], "marks": 1, "case_sensitive": True},
]


def test_cloze_marks_per_blank():
    q = build("cloze", text=CLOZE_TEXT, marks=4, details={"blanks": list(reversed(BLANKS))})
    assert [b["id"] for b in q.details["blanks"]] == [1, 2, 3]  # in text order
    info = cloze.meta(q)
    assert mark(q, cloze.clean_response({"1": " 100 ", "2": "ZERO", "3": "ÇAVA"}, info)) == Decimal(4)
    assert mark(q, {"1": "100"}) == Decimal(2)
    assert mark(q, {"3": "çava"}) == Decimal(0)  # case-sensitive blank
    assert cloze.clean_response({"1": "  ", "2": None}, info) is None
    with pytest.raises(ResponseError):
        cloze.clean_response({"9": "x"}, info)
    assert [s[1] for s in cloze.segments(q.text)] == ["1", "2", "3", None]


def test_cloze_validation():
    assert "text" in errors_of("cloze", text="No blanks", details={"blanks": BLANKS})
    assert "text" in errors_of("cloze", text="[[1]] and [[1]]", details={"blanks": BLANKS[:1]})  # duplicate blank
    assert "details" in errors_of("cloze", text="[[1]] [[2]]", details={"blanks": BLANKS[:1]})  # 2 undefined
    assert "details" in errors_of("cloze", text="[[1]]", details={"blanks": BLANKS[:2]})  # 2 not in text
    assert "details" in errors_of("cloze", text="[[1]]", details={"blanks": [BLANKS[0], BLANKS[0]]})
    assert "details" in errors_of("cloze", text="[[1]]", details={"blanks": [{"id": 1, "answers": []}]})
    assert "details" in errors_of("cloze", text="[[1]]", details={"blanks": [{"id": 1, "answers": ["a"], "marks": 0}]})


# ------------------------------------------------------------------------------ mcq fractions, feedback


def test_mcq_option_fractions_and_feedback():
    q = build(
        "mcq",
        options=["π", "3.14", "3", "22/7"],
        correct_answer=0,
        details={"fractions": [0.2, 0.5, 0, 0.25], "feedback": ["Exactly.", "Close.", "", "An old guess."]},
    )
    assert q.details["fractions"] == [1.0, 0.5, 0.0, 0.25]  # the correct option always earns all
    assert auto_mark(q, marks=4, answer_option=0, answer_text=None) == Decimal(4)
    assert auto_mark(q, marks=4, answer_option=1, answer_text=None) == Decimal(2)
    assert auto_mark(q, marks=4, answer_option=3, answer_text=None) == Decimal(1)
    assert auto_mark(q, marks=4, answer_option=2, answer_text=None) == Decimal(0)
    assert auto_mark(q, marks=4, answer_option=None, answer_text=None) == Decimal(0)
    assert "details" in errors_of("mcq", options=["a", "b"], correct_answer=0, details={"fractions": [1, 1]})
    assert "details" in errors_of("mcq", options=["a", "b"], correct_answer=0, details={"feedback": ["only one"]})
    assert "details" in errors_of("mcq", options=["a", "b"], correct_answer=0, details={"other": 1})


def test_guide_types_keep_their_shape():
    q = build("mcq", options=["a", "b"], correct_answer=1)
    assert q.details == {}
    assert "details" in errors_of("short_answer", accepted_answers=["x"], details={"answers": [1]})
    assert "options" in errors_of("numeric", options=["a"], details={"answers": [{"value": 1}]})
    assert "accepted_answers" in errors_of("ordering", accepted_answers=["a"], details={"items": ["a", "b"]})


def test_stored_form_round_trips_unicode():
    assert base.decode(encode({"1": "Ünïcödé ✓"})) == {"1": "Ünïcödé ✓"}
    assert base.decode("not json") is None
    assert Fraction(1) == base.clamp(Fraction(3, 2))


def test_every_new_type_has_a_module():
    from quizzes.types import MODULES

    new = set(QuestionType.values) - {"mcq", "true_false", "short_answer", "descriptive"}
    assert new == set(MODULES)
