"""Answer-copying index: the generalized binomial test (GBT) of van der Linden & Sotaridona. Pure functions: no
Django, no database; `integrity.services` hands in the students' responses.

Reference
    W. J. van der Linden and L. S. Sotaridona (2006), "Detecting answer copying when the regular response process
    follows a known response model", Journal of Educational and Behavioral Statistics 31(3), 283-304.

The test. Take a suspected copier c and a source s who answered the same k items. Let u_si be the source's response
to item i (an option, a short-answer text, or "omitted") and M the number of items on which c gave the same
response as s. If c worked independently of s, the match on item i is a Bernoulli event with probability

    p_ci = pi_ci(u_si)          the probability that c, working alone, gives response u_si to item i,

and the matches on different items are independent, so M follows the generalized (Poisson) binomial distribution
with parameters p_c1 ... p_ck. The GBT rejects independence when the observed number of matches m is improbably
large:

    p-value = P(M >= m) = sum_{j >= m} f_k(j),   f_0(0) = 1,
    f_i(j) = f_{i-1}(j) (1 - p_ci) + f_{i-1}(j - 1) p_ci       (the exact recursion; no normal approximation)

Where this implementation departs from the paper, and why.
  * The paper takes pi_ci from a nominal response model (Bock 1972) fitted to the cohort. Fitting one needs an IRT
    estimation routine and a few hundred students per item. We estimate pi_ci(u) instead as the share of the
    students in c's *score group* who chose u: students are ranked by their number of correct answers and cut
    into G groups of equal size (ties kept together), the conditioning on total score that Holland's K-index
    (1996) also uses. The copier is counted in their own group, which makes every match a little more probable
    than it is: the test errs on the side of fewer leads (and no match probability is ever 0).
  * The paper's test is one-directional (c copied from s). Who copied from whom is unknown, so a pair is judged
    by the smaller of its two one-directional p-values, doubled (Bonferroni over the two directions).
  * A quiz has n(n-1)/2 pairs: testing each at 5 % would name 5 % of the pairs of an honest class. A pair becomes a
    *lead* only when its p-value is below FAMILY_ALPHA / (number of pairs) (Bonferroni over the pairs): in a quiz
    where nobody copied, the chance that even one lead is shown is at most FAMILY_ALPHA (5 %).

Assumptions (written down, as the issue asks; the teacher's page links to them in docs):
  1. Without copying, two students' responses are independent given their abilities (local independence).
  2. A student's ability is summed up by their number-correct score group; within a group the students answer
     each item with the same option probabilities.
  3. Items are answered independently of each other given ability (no linked items).
  4. The source's responses are taken as given (the test conditions on them).
  5. Omitting an item is a response like any other: two students leaving the same items blank is agreement.
  6. The test is discrete: P(M >= m) is computed exactly under the estimated probabilities, so its actual size is at
     most the nominal level (measured in integrity/tests/test_copying_statistics.py).
A small p-value is a *lead*: a pattern of agreement that independent work rarely produces. It is never a verdict:
students who revised together, sat the same tutorial or share a misconception also agree more than chance.

How it runs fast (a 1,000-student quiz has 499,500 pairs). The match probabilities of (c, s) depend on c only
through c's score group g, so the distribution of M is computed once per (group, source) pair, G x n distributions
instead of n^2 (for 1,000 students and 8 groups, 8,000 instead of 999,000), and each pair then only looks its p-value
up. Counting the matches of every pair uses one bit per (item, response) per student: M(a, b) is the popcount of
the AND of two integers, one C-level operation per pair. Only pairs with a p-value below SCREEN_ALPHA are kept.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

OMITTED = "\x00omitted"
FAMILY_ALPHA = 0.05  # the chance that an honest class shows one lead or more
SCREEN_ALPHA = 0.05  # pairs kept for the teacher's page (ranked, labelled; only those below the family level lead)
MAX_GROUPS = 8
MIN_GROUP_SIZE = 25


def generalized_binomial_tail(probs: Sequence[float]) -> list[float]:
    """tail[m] = P(M >= m) for m = 0 .. k + 1, where M is the number of successes of independent Bernoulli trials
    with success probabilities `probs` (the exact recursion of the GBT)."""
    f = [1.0]
    for p in probs:
        q = 1.0 - p
        # f_i(j) = f_{i-1}(j) q + f_{i-1}(j-1) p, for all j at once (zip pads each side with a 0).
        f = [a * q + b * p for a, b in zip([*f, 0.0], [0.0, *f], strict=True)]
    tail = [0.0] * (len(f) + 1)
    running = 0.0
    for m in range(len(f) - 1, -1, -1):
        running += f[m]
        tail[m] = min(1.0, running)
    tail[0] = 1.0
    return tail


def score_groups(scores: Sequence[float], groups: int) -> list[int]:
    """Group of each student (0 = lowest scores): ranked by score and cut into `groups` groups of about equal size;
    students with the same score are always in the same group (the one their first rank falls in)."""
    n = len(scores)
    if n == 0:
        return []
    order = sorted(range(n), key=lambda i: scores[i])
    result = [0] * n
    first_rank: dict[float, int] = {}
    for rank, i in enumerate(order):
        first = first_rank.setdefault(scores[i], rank)
        result[i] = min(groups - 1, first * groups // n)
    return result


def group_count(n: int) -> int:
    return max(1, min(MAX_GROUPS, n // MIN_GROUP_SIZE))


def option_shares(responses: Sequence[Sequence[Hashable]], group_of: Sequence[int], groups: int) -> list[list[dict]]:
    """shares[g][i][u]: the share of the students of group g whose response to item i was u."""
    k = len(responses[0]) if responses else 0
    counts = [[{} for _ in range(k)] for _ in range(groups)]
    sizes = [0] * groups
    for row, g in zip(responses, group_of, strict=True):
        sizes[g] += 1
        for i, u in enumerate(row):
            counts[g][i][u] = counts[g][i].get(u, 0) + 1
    return [
        [{u: c / sizes[g] for u, c in item.items()} for item in counts[g]] if sizes[g] else [{} for _ in range(k)]
        for g in range(groups)
    ]


def gbt_pvalue(copier: int, source: int, responses, group_of, shares) -> float:
    """The one-directional GBT p-value of `copier` having copied from `source`, computed directly (the slow,
    obvious way; used by the tests and the benchmark's baseline)."""
    g = group_of[copier]
    probs = [shares[g][i].get(u, 0.0) for i, u in enumerate(responses[source])]
    m = sum(1 for a, b in zip(responses[copier], responses[source], strict=True) if a == b)
    return generalized_binomial_tail(probs)[m]


@dataclass(frozen=True)
class PairEvidence:
    a: int  # indexes into the responses
    b: int
    matches: int
    identical_wrong: int
    rare_matches: int  # identical responses that at most RARE_SHARE of the rest of the class gave
    expected_matches: float  # under independence, the mean of the direction that gave the p-value
    p_value: float  # 2 x min of the two one-directional GBT p-values, at most 1
    copier: int  # the direction whose p-value was smaller (the likelier copier)


RARE_SHARE = 0.10


def pair_pvalue(a: int, b: int, m: int, tails, group_of) -> tuple[float, int]:
    p_ab = tails[group_of[a]][b][m]  # a copied from b
    p_ba = tails[group_of[b]][a][m]
    if p_ab <= p_ba:
        return min(1.0, 2 * p_ab), a
    return min(1.0, 2 * p_ba), b


@dataclass
class Analysis:
    students: int
    items: int
    pairs: int
    groups: int
    lead_threshold: float  # FAMILY_ALPHA / pairs
    evidence: list[PairEvidence]  # every pair with p below the screen, strongest first


def analyse(
    responses: Sequence[Sequence[Hashable]],
    correct: Sequence[Sequence[bool]],
    *,
    screen_alpha: float = SCREEN_ALPHA,
    groups: int | None = None,
) -> Analysis:
    """Every pair of students whose agreement has a GBT p-value below `screen_alpha` (1.0 keeps every pair),
    strongest evidence first. responses[s][i] is student s's response to item i (OMITTED when blank), correct[s][i]
    whether it was right."""
    n = len(responses)
    k = len(responses[0]) if n else 0
    pairs = n * (n - 1) // 2
    g_count = groups or group_count(n)
    scores = [sum(row) for row in correct]
    group_of = score_groups(scores, g_count)
    shares = option_shares(responses, group_of, g_count)
    overall = option_shares(responses, [0] * n, 1)[0] if n else []

    # The distribution of M for copier group g and source s: G x n tails.
    tails = [
        [generalized_binomial_tail([shares[g][i].get(u, 0.0) for i, u in enumerate(row)]) for row in responses]
        for g in range(g_count)
    ]

    # One bit per (item, response): M(a, b) = popcount(bits[a] & bits[b]).
    code: dict[tuple[int, Hashable], int] = {}
    bits = []
    for row in responses:
        value = 0
        for i, u in enumerate(row):
            value |= 1 << code.setdefault((i, u), len(code))
        bits.append(value)
    # The smallest m at which each direction falls below the screen, so most pairs are dismissed by comparing two ints.
    critical = [[_critical(t, screen_alpha / 2) if screen_alpha < 1.0 else 0 for t in tails[g]] for g in range(g_count)]

    evidence = []
    for a in range(n):
        bits_a, crit_a, g_a = bits[a], critical[group_of[a]], group_of[a]
        for b in range(a + 1, n):
            m = (bits_a & bits[b]).bit_count()
            if m < crit_a[b] and m < critical[group_of[b]][a]:
                continue
            p, copier = pair_pvalue(a, b, m, tails, group_of)
            if p >= screen_alpha and screen_alpha < 1.0:
                continue
            src = b if copier == a else a
            g_c = g_a if copier == a else group_of[b]
            wrong = rare = 0
            for i in range(k):
                u = responses[a][i]
                if u != responses[b][i]:
                    continue
                if not correct[a][i] and u != OMITTED:
                    wrong += 1
                if u != OMITTED and (overall[i].get(u, 0.0) * n - 2) <= RARE_SHARE * (n - 2):
                    rare += 1
            expected = math.fsum(shares[g_c][i].get(u, 0.0) for i, u in enumerate(responses[src]))
            evidence.append(PairEvidence(a, b, m, wrong, rare, expected, p, copier))
    evidence.sort(key=lambda e: (e.p_value, -e.identical_wrong, e.a, e.b))
    return Analysis(n, k, pairs, g_count, FAMILY_ALPHA / pairs if pairs else 0.0, evidence)


def _critical(tail: list[float], alpha: float) -> int:
    """The smallest m with P(M >= m) < alpha (len(tail) when no m gets there)."""
    for m, value in enumerate(tail):
        if value < alpha:
            return m
    return len(tail)
