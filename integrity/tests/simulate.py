"""Synthetic classes for the statistics tests and the benchmark: students with abilities answer multiple-choice
items under a two-parameter logistic model (the chance of the right option rises with ability) and pick a wrong
option with fixed, unequal popularities (some distractors are rare). Copiers copy a share of a source's responses."""

from __future__ import annotations

import math
import random


def simulate(n: int, k: int, *, seed: int, options: int = 4, copiers=()):
    """(responses, correct): option 0 is right. `copiers`: (copier, source, share of items copied)."""
    rng = random.Random(seed)
    theta = [rng.gauss(0, 1) for _ in range(n)]
    items = [
        (rng.gauss(0, 1), rng.uniform(0.5, 2.0), [rng.random() ** 2 for _ in range(options - 1)]) for _ in range(k)
    ]
    responses, correct = [], []
    for s in range(n):
        row, right = [], []
        for difficulty, slope, weights in items:
            if rng.random() < 1 / (1 + math.exp(-slope * (theta[s] - difficulty))):
                row.append(0)
                right.append(True)
            else:
                row.append(1 + rng.choices(range(options - 1), weights=weights)[0])
                right.append(False)
        responses.append(row)
        correct.append(right)
    for copier, source, share in copiers:
        for i in range(k):
            if rng.random() < share:
                responses[copier][i] = responses[source][i]
                correct[copier][i] = correct[source][i]
    return responses, correct
