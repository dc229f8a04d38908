"""The final equation of the article, transcribed loop for loop:

    h[i,j] = u + Σ_{a=-Δ}^{Δ} Σ_{b=-Δ}^{Δ} V[a,b]·x[i+a, j+b]

The point of this reference is to be obviously the equation, not to be fast.
"""

from __future__ import annotations

import numpy as np
from convproof.reference.contract import declare

#: The work it takes on (reference.contract.Limits): pure Python, 0.2 to 0.4 µs per term
#: on the bench machine, so at most about 1.5 ms a call.
LOOPS_WORK = 4096


@declare(error_model="direct", max_work=LOOPS_WORK)
def loops(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """The layer by the article's double sum, one term at a time."""
    delta = (V.shape[0] - 1) // 2
    height, width = x.shape
    if padding == "valid":
        if height < 2 * delta + 1 or width < 2 * delta + 1:
            raise ValueError(f"kernel {V.shape} is larger than the image {x.shape}")
        h = np.empty((height - 2 * delta, width - 2 * delta))
    elif padding in ("zeros", "circular"):
        h = np.empty((height, width))
    else:
        raise ValueError(f"unknown padding {padding!r}")
    # Python lists of Python floats: the same IEEE double arithmetic as numpy float64,
    # and element access a few times cheaper than indexing an ndarray
    x, V = x.tolist(), V.tolist()
    for i in range(h.shape[0]):
        for j in range(h.shape[1]):
            total = float(u)
            for a in range(-delta, delta + 1):
                for b in range(-delta, delta + 1):
                    k, l = i + a, j + b
                    if padding == "valid":
                        k, l = k + delta, l + delta
                    elif padding == "circular":
                        k, l = k % height, l % width
                    elif not (0 <= k < height and 0 <= l < width):
                        continue  # zero padding: x[k, l] = 0 outside the image
                    total += V[delta + a][delta + b] * x[k][l]
            h[i, j] = total
    return h
