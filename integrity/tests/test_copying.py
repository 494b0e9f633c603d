"""The generalized binomial test against worked examples computed by hand and by exact enumeration."""

from __future__ import annotations

import itertools
import math
import random
from fractions import Fraction

import pytest

from integrity import copying


def test_tail_of_three_items_by_hand():
    # p = 0.5, 0.2, 0.1: P(M=0) = .5*.8*.9 = .36; P(M=1) = .36 + .09 + .04 = .49; P(M=2) = .09 + .04 + .01 = .14;
    # P(M=3) = .01. So P(M>=m) = 1, .64, .15, .01, 0.
    tail = copying.generalized_binomial_tail([0.5, 0.2, 0.1])
    assert tail == pytest.approx([1.0, 0.64, 0.15, 0.01, 0.0])


def test_tail_equals_exact_enumeration_of_every_match_pattern():
    rng = random.Random(3)
    probs = [rng.random() for _ in range(9)]
    exact = [0.0] * 10
    for pattern in itertools.product([0, 1], repeat=9):
        exact[sum(pattern)] += math.prod(p if hit else 1 - p for p, hit in zip(probs, pattern, strict=True))
    tail = copying.generalized_binomial_tail(probs)
    for m in range(10):
        assert tail[m] == pytest.approx(sum(exact[m:]), abs=1e-12)


# Six students, four items, options A-D, one score group (so the match probabilities are the class's shares).
WORKED = ["ABCD", "ABCA", "ACDD", "BBCD", "ADAB", "CBBD"]


def test_gbt_worked_example_by_hand():
    responses = [list(row) for row in WORKED]
    groups = [0] * 6
    shares = copying.option_shares(responses, groups, 1)
    # Student 1 (the source) answered A, B, C, A. The class chose A on item 1 four times in six, B on item 2 four
    # times, C on item 3 three times, A on item 4 once: p = 2/3, 2/3, 1/2, 1/6.
    assert [shares[0][i][u] for i, u in enumerate("ABCA")] == pytest.approx([2 / 3, 2 / 3, 1 / 2, 1 / 6])
    # Student 0 matches on items 1-3 (m = 3). P(M = 4) = 4/108; P(M = 3) = 2/108 + 2/108 + 4/108 + 20/108 = 28/108;
    # P(M >= 3) = 32/108 = 8/27.
    p = copying.gbt_pvalue(0, 1, responses, groups, shares)
    assert p == pytest.approx(float(Fraction(8, 27)))
    # The other way round (source 0: A, B, C, D; D chosen by four in six): p = 2/3, 2/3, 1/2, 2/3;
    # P(M = 4) = 16/108; P(M = 3) = 8/108 + 8/108 + 16/108 + 8/108 = 40/108; P(M >= 3) = 56/108 = 14/27.
    assert copying.gbt_pvalue(1, 0, responses, groups, shares) == pytest.approx(14 / 27)


def test_pair_takes_the_stronger_direction_doubled():
    responses = [list(row) for row in WORKED]
    correct = [[u == "A" for u in row] for row in responses]
    analysis = copying.analyse(responses, correct, screen_alpha=1.0, groups=1)
    assert analysis.pairs == 15
    assert analysis.lead_threshold == pytest.approx(0.05 / 15)
    pair = next(e for e in analysis.evidence if (e.a, e.b) == (0, 1))
    assert pair.matches == 3
    assert pair.p_value == pytest.approx(16 / 27)
    assert pair.copier == 0
    # Identical wrong answers: items 2 (B) and 3 (C), both wrong under this key.
    assert pair.identical_wrong == 2
    assert len(analysis.evidence) == 15


def test_fast_pairs_equal_the_direct_computation():
    from integrity.tests.simulate import simulate

    responses, correct = simulate(60, 15, seed=11)
    analysis = copying.analyse(responses, correct, screen_alpha=1.0)
    groups = copying.score_groups([sum(r) for r in correct], analysis.groups)
    shares = copying.option_shares(responses, groups, analysis.groups)
    for e in analysis.evidence:
        direct = min(
            copying.gbt_pvalue(e.a, e.b, responses, groups, shares),
            copying.gbt_pvalue(e.b, e.a, responses, groups, shares),
        )
        assert e.p_value == pytest.approx(min(1.0, 2 * direct))
    # The screen only drops pairs, never changes one.
    screened = copying.analyse(responses, correct, screen_alpha=0.05)
    assert [(e.a, e.b, e.p_value) for e in screened.evidence] == [
        (e.a, e.b, e.p_value) for e in analysis.evidence if e.p_value < 0.05
    ]


def test_score_groups_keep_ties_together():
    assert copying.score_groups([5, 1, 3, 3, 9, 0], 2) == [1, 0, 0, 0, 1, 0]
