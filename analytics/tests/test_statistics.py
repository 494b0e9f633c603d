"""The Moodle item and test statistics against hand-computed values (and the standard library's statistics
module as an independent implementation of the same definitions)."""

import math
import statistics as st

import pytest

from analytics import statistics as qs


def test_two_item_example_computed_by_hand():
    # x1 = [1,1,0,0], x2 = [1,0,1,0], T = [2,1,1,0]
    matrix = [[1, 1], [1, 0], [0, 1], [0, 0]]
    summary, items = qs.quiz_statistics(matrix, [1, 1])

    for item in items:
        assert item.facility == pytest.approx(50.0)  # 2 of 4 right
        assert item.sd == pytest.approx(100 * math.sqrt(1 / 3))  # V = (4 * 0.25) / 3
        assert item.discrimination_index == pytest.approx(0.0)  # x1 and x2 are uncorrelated
        assert item.discriminative_efficiency == pytest.approx(0.0)  # C = 0, C_max = 1/3
        assert item.effective_weight == pytest.approx(50.0)  # C(x_i, T) = 1/3 for both
        assert item.flags == ["low_discriminative_efficiency"]
        assert item.doubtful

    assert summary.mean == pytest.approx(1.0)
    assert summary.median == pytest.approx(1.0)
    assert summary.sd == pytest.approx(math.sqrt(2 / 3))  # sum of squares 2, S - 1 = 3
    assert summary.skewness == pytest.approx(0.0)  # symmetric
    # m2 = 0.5, m4 = 0.5, k2 = 2/3, k4 = 16 (5 * 0.5 - 9 * 0.25) / 6 = 2/3, kurtosis = k4 / k2^2 = 1.5
    assert summary.kurtosis == pytest.approx(1.5)
    # CIC = 2/1 * (1 - (1/3 + 1/3) / (2/3)) = 0; ER = 100 sqrt(1 - 0) = 100; SE = SD
    assert summary.cic == pytest.approx(0.0)
    assert summary.error_ratio == pytest.approx(100.0)
    assert summary.standard_error == pytest.approx(math.sqrt(2 / 3))


MATRIX = [  # 6 attempts, 4 questions with maximum marks 1, 1, 2, 1; question 4 is answered better by weak students
    [1, 1, 2, 0],
    [1, 1, 1, 0],
    [1, 0, 2, 0],
    [0, 1, 1, 1],
    [1, 0, 0, 1],
    [0, 0, 0, 1],
]
MAX = [1, 1, 2, 1]


def column(i):
    return [row[i] for row in MATRIX]


def test_item_statistics_match_independent_definitions():
    _, items = qs.quiz_statistics(MATRIX, MAX)
    totals = [sum(r) for r in MATRIX]
    roots = []
    for i, item in enumerate(items):
        x = column(i)
        rest = [t - v for t, v in zip(totals, x, strict=True)]
        assert item.facility == pytest.approx(100 * st.mean(x) / MAX[i])
        assert item.sd == pytest.approx(100 * st.stdev(x) / MAX[i])
        assert item.discrimination_index == pytest.approx(100 * st.correlation(x, rest))
        assert item.discriminative_efficiency == pytest.approx(
            100 * st.covariance(x, rest) / st.covariance(sorted(x), sorted(rest))
        )
        roots.append(math.sqrt(st.covariance(x, totals)) if st.covariance(x, totals) >= 0 else None)
    positive = sum(r for r in roots if r is not None)
    for item, root in zip(items, roots, strict=True):
        if root is None:
            assert item.effective_weight is None
        else:
            assert item.effective_weight == pytest.approx(100 * root / positive)


def test_weak_students_question_is_flagged_negative():
    _, items = qs.quiz_statistics(MATRIX, MAX)
    last = items[3]
    assert last.discrimination_index < 0
    assert "negative_discrimination" in last.flags
    assert "low_discriminative_efficiency" in last.flags
    assert not items[0].flags or "negative_discrimination" not in items[0].flags


def test_test_statistics_match_independent_definitions():
    summary, _ = qs.quiz_statistics(MATRIX, MAX)
    totals = [sum(r) for r in MATRIX]
    s = len(totals)
    mean = st.mean(totals)
    m2, m3, m4 = (sum((t - mean) ** r for t in totals) / s for r in (2, 3, 4))
    k2 = st.variance(totals)
    assert summary.mean == pytest.approx(mean)
    assert summary.median == pytest.approx(st.median(totals))
    assert summary.sd == pytest.approx(st.stdev(totals))
    assert summary.skewness == pytest.approx((s * s * m3 / ((s - 1) * (s - 2))) / k2**1.5)
    k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2) / ((s - 1) * (s - 2) * (s - 3))
    assert summary.kurtosis == pytest.approx(k4 / k2**2)
    alpha = 4 / 3 * (1 - sum(st.variance(column(i)) for i in range(4)) / k2)
    assert summary.cic == pytest.approx(100 * alpha)
    assert summary.error_ratio == pytest.approx(100 * math.sqrt(1 - alpha))
    assert summary.standard_error == pytest.approx(math.sqrt(1 - alpha) * st.stdev(totals))
    assert summary.max_total == 5


def test_everyone_right_is_too_easy_and_undefined_correlations_are_none():
    summary, items = qs.quiz_statistics([[1, 1], [1, 0], [1, 1]], [1, 1])
    easy = items[0]
    assert easy.facility == pytest.approx(100.0)
    assert easy.sd == pytest.approx(0.0)
    assert easy.discrimination_index is None  # zero variance: no correlation
    assert easy.flags == ["too_easy"]


def test_nobody_right_is_too_hard():
    _, items = qs.quiz_statistics([[0, 1], [0, 0], [0, 1], [0, 1]], [2, 1])
    assert items[0].facility == 0
    assert "too_hard" in items[0].flags


def test_too_few_attempts_leave_spread_statistics_undefined():
    summary, items = qs.quiz_statistics([[1, 0]], [1, 1])
    assert summary.mean == 1 and summary.sd is None and summary.cic is None
    assert items[0].facility == 100 and items[0].sd is None and items[0].effective_weight is None
    empty, no_items = qs.quiz_statistics([], [1, 1])
    assert empty.attempts == 0 and empty.mean is None
    assert [i.facility for i in no_items] == [None, None]
