"""Item and test statistics of a quiz, as Moodle's quiz statistics report computes them. Pure functions: no
Django, no database; the selectors hand in a score matrix.

Notation (Moodle's "Quiz statistics calculations" developer documentation):

    S          number of attempts in the analysis (rows of the matrix)
    k          number of questions (columns)
    x_i(s)     the mark of attempt s on question i;  X_i its maximum mark (the minimum is 0)
    T(s)       the attempt's total,  T(s) = sum_i x_i(s)
    X_-i(s)    the attempt's score on the rest of the test,  X_-i(s) = T(s) - x_i(s)
    mean(y)    sum_s y(s) / S
    V(y)       sample variance, sum_s (y(s) - mean(y))^2 / (S - 1)
    C(y, z)    sample covariance, sum_s (y(s) - mean(y)) (z(s) - mean(z)) / (S - 1)

Per question:

    facility index        F_i  = 100 * mean(x_i) / X_i
                          (how easy the question was: the average mark as a percentage of the maximum)
    standard deviation    SD_i = 100 * sqrt(V(x_i)) / X_i
    discrimination index  D_i  = 100 * C(x_i, X_-i) / sqrt(V(x_i) * V(X_-i))
                          (Pearson correlation of the question's mark with the rest of the test: did the
                          students who did well on the rest also do well on this question?)
    discriminative eff.   DE_i = 100 * C(x_i, X_-i) / C_max(x_i, X_-i)
                          where C_max is the covariance obtained when x_i and X_-i are each sorted ascending and
                          paired in that order, the largest covariance these marks could possibly have; DE_i is
                          the discrimination index as a share of the best this question could reach.
    effective weight      EW_i = 100 * sqrt(C(x_i, T)) / sum_j sqrt(C(x_j, T))
                          (the share of the spread of total scores this question accounts for; undefined for a
                          question whose covariance with the total is negative, which is left out of the sum.)

Per test (on the totals T):

    mean, median, SD = sqrt(V(T))
    m_r  = sum_s (T(s) - mean(T))^r / S                     (central moments)
    k2   = S m2 / (S - 1)
    k3   = S^2 m3 / ((S - 1)(S - 2))
    k4   = S^2 ((S + 1) m4 - 3 (S - 1) m2^2) / ((S - 1)(S - 2)(S - 3))
    skewness = k3 / k2^(3/2)                                (needs S >= 3)
    kurtosis = k4 / k2^2                                    (excess kurtosis, needs S >= 4)
    coefficient of internal consistency (Cronbach's alpha)
         CIC = 100 * k / (k - 1) * (1 - sum_i V(x_i) / V(T))
    error ratio     ER = 100 * sqrt(1 - CIC / 100)          (the share of the SD that is random noise)
    standard error  SE = ER / 100 * SD                      (in marks)

A question is doubtful (Moodle highlights it) when DE_i < 15 %, F_i < 5 % or F_i > 95 %, or D_i < 0.
Every statistic that is undefined for the data (too few attempts, a variance of zero) is None, never 0.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

DOUBTFUL_EFFICIENCY = 15.0
DOUBTFUL_FACILITY_LOW = 5.0
DOUBTFUL_FACILITY_HIGH = 95.0

FLAG_LABELS = {
    "low_discriminative_efficiency": "Discriminative efficiency below 15%",
    "too_hard": "Facility below 5% (almost nobody got it right)",
    "too_easy": "Facility above 95% (almost everybody got it right)",
    "negative_discrimination": "Negative discrimination (stronger students did worse on it)",
}


@dataclass
class ItemStatistics:
    max_mark: float
    attempts: int
    mean_mark: float | None
    facility: float | None
    sd: float | None
    discrimination_index: float | None
    discriminative_efficiency: float | None
    effective_weight: float | None
    flags: list[str] = field(default_factory=list)

    @property
    def doubtful(self) -> bool:
        return bool(self.flags)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["doubtful"] = self.doubtful
        return data


@dataclass
class TotalStatistics:
    attempts: int
    max_total: float
    mean: float | None
    median: float | None
    sd: float | None
    skewness: float | None
    kurtosis: float | None
    cic: float | None
    error_ratio: float | None
    standard_error: float | None

    def as_dict(self) -> dict:
        return asdict(self)


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _covariance(xs: Sequence[float], ys: Sequence[float], mx: float, my: float) -> float:
    """Sample covariance (divides by S - 1); the caller guarantees S >= 2.

    Computed as (sum(x y) - S mean(x) mean(y)) / (S - 1) with an exactly rounded sum (math.fsum over a C-level
    map), which is exact enough for marks and several times faster than a Python loop over the deviations."""
    n = len(xs)
    value = (math.fsum(map(operator.mul, xs, ys)) - n * mx * my) / (n - 1)
    return value if abs(value) > 1e-12 * max(1.0, abs(mx * my)) else 0.0


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def total_statistics(
    totals: Sequence[float], item_variances: Sequence[float | None], max_total: float
) -> TotalStatistics:
    """Statistics of the totals T(s); item_variances are the V(x_i) (sample) for the CIC."""
    s = len(totals)
    if s == 0:
        return TotalStatistics(0, max_total, None, None, None, None, None, None, None, None)
    mean = _mean(totals)
    median = _median(totals)
    sd = skewness = kurtosis = cic = error_ratio = standard_error = None
    if s >= 2:
        m2 = sum((t - mean) ** 2 for t in totals) / s
        m3 = sum((t - mean) ** 3 for t in totals) / s
        m4 = sum((t - mean) ** 4 for t in totals) / s
        k2 = s * m2 / (s - 1)
        sd = math.sqrt(k2)
        if k2 > 0:
            if s >= 3:
                k3 = s * s * m3 / ((s - 1) * (s - 2))
                skewness = k3 / k2**1.5
            if s >= 4:
                k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2) / ((s - 1) * (s - 2) * (s - 3))
                kurtosis = k4 / (k2 * k2)
            k = len(item_variances)
            if k >= 2 and all(v is not None for v in item_variances):
                cic = 100 * k / (k - 1) * (1 - sum(item_variances) / k2)
                if cic <= 100:
                    error_ratio = 100 * math.sqrt(max(0.0, 1 - cic / 100))
                    standard_error = error_ratio / 100 * sd
    return TotalStatistics(s, max_total, mean, median, sd, skewness, kurtosis, cic, error_ratio, standard_error)


def item_statistics(matrix: Sequence[Sequence[float]], max_marks: Sequence[float]) -> list[ItemStatistics]:
    """One ItemStatistics per column of `matrix` (rows = attempts, columns = questions)."""
    s = len(matrix)
    k = len(max_marks)
    totals = [sum(row) for row in matrix]
    columns = [[row[i] for row in matrix] for i in range(k)]
    mean_total = _mean(totals) if s else 0.0

    results: list[ItemStatistics] = []
    cov_with_total: list[float | None] = []
    for i in range(k):
        xs = columns[i]
        max_mark = float(max_marks[i])
        stat = ItemStatistics(max_mark, s, None, None, None, None, None, None)
        if s:
            mx = _mean(xs)
            stat.mean_mark = mx
            stat.facility = 100 * mx / max_mark if max_mark else None
        if s >= 2:
            mx = stat.mean_mark
            vx = _covariance(xs, xs, mx, mx)
            stat.sd = 100 * math.sqrt(vx) / max_mark if max_mark else None
            rest = [t - x for t, x in zip(totals, xs, strict=True)]
            mr = _mean(rest)
            vr = _covariance(rest, rest, mr, mr)
            c = _covariance(xs, rest, mx, mr)
            if vx > 0 and vr > 0:
                stat.discrimination_index = 100 * c / math.sqrt(vx * vr)
            c_max = _covariance(sorted(xs), sorted(rest), mx, mr)
            if c_max > 0:
                stat.discriminative_efficiency = 100 * c / c_max
            cov_with_total.append(_covariance(xs, totals, mx, mean_total))
        else:
            cov_with_total.append(None)
        results.append(stat)

    roots = [math.sqrt(c) for c in cov_with_total if c is not None and c >= 0]
    denominator = sum(roots)
    for stat, c in zip(results, cov_with_total, strict=True):
        if c is not None and c >= 0 and denominator > 0:
            stat.effective_weight = 100 * math.sqrt(c) / denominator
        stat.flags = doubtful_flags(stat)
    return results


def doubtful_flags(stat: ItemStatistics) -> list[str]:
    flags = []
    if stat.discriminative_efficiency is not None and stat.discriminative_efficiency < DOUBTFUL_EFFICIENCY:
        flags.append("low_discriminative_efficiency")
    if stat.facility is not None and stat.facility < DOUBTFUL_FACILITY_LOW:
        flags.append("too_hard")
    if stat.facility is not None and stat.facility > DOUBTFUL_FACILITY_HIGH:
        flags.append("too_easy")
    if stat.discrimination_index is not None and stat.discrimination_index < 0:
        flags.append("negative_discrimination")
    return flags


def quiz_statistics(
    matrix: Sequence[Sequence[float]], max_marks: Sequence[float]
) -> tuple[TotalStatistics, list[ItemStatistics]]:
    """Test and item statistics for a score matrix in one call."""
    items = item_statistics(matrix, max_marks)
    totals = [sum(row) for row in matrix]
    variances: list[float | None] = []
    for i in range(len(max_marks)):
        xs = [row[i] for row in matrix]
        if len(xs) < 2:
            variances.append(None)
            continue
        m = _mean(xs)
        variances.append(_covariance(xs, xs, m, m))
    return total_statistics(totals, variances, float(sum(max_marks))), items
