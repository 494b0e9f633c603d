from decimal import Decimal

import pytest

from quizzes.marking import auto_mark, short_answer_matches
from quizzes.models import Question


@pytest.mark.parametrize(
    ("response", "accepted", "case_sensitive", "expected"),
    [
        ("  Paris ", ["paris"], False, True),
        ("PARIS", ["Paris"], True, False),
        ("the   hypotenuse", ["the hypotenuse"], False, True),
        ("ﬁsh", ["fish"], False, True),  # NFKC folds the ligature
        ("photosynthesis", ["photo*"], False, True),
        ("photo", ["*synthesis"], False, False),
        ("", ["anything"], False, False),
        ("3.14", ["3.14"], False, True),
        ("3x14", ["3.14"], False, False),  # a dot is literal, not a regex wildcard
    ],
)
def test_short_answer_matching_like_moodle(response, accepted, case_sensitive, expected):
    assert short_answer_matches(response, accepted, case_sensitive=case_sensitive) is expected


def test_auto_mark_by_type():
    mcq = Question(type="mcq", options=["a", "b"], correct_answer=1)
    assert auto_mark(mcq, marks=3, answer_option=1, answer_text=None) == Decimal(3)
    assert auto_mark(mcq, marks=3, answer_option=0, answer_text=None) == Decimal(0)
    short = Question(type="short_answer", accepted_answers=[], sample_answer="Nile")
    assert auto_mark(short, marks=2, answer_option=None, answer_text="nile") == Decimal(2)
    essay = Question(type="descriptive")
    assert auto_mark(essay, marks=5, answer_option=None, answer_text="long text") is None
