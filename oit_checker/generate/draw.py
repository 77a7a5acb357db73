"""The one way the generator draws a named choice: by weight, from a sorted list of names, so
the draw depends only on the seed and the weights, never on dict order."""

from __future__ import annotations

import random


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    names = sorted(weights)
    return rng.choices(names, weights=[weights[n] for n in names])[0]
