"""The layer vectorized with numpy: one einsum over the sliding windows of the padded image,
h[i, j] = u + Σ_{a,b} windows[i, j, a, b]·V[a, b]."""

from __future__ import annotations

import numpy as np
from convproof.reference.contract import declare
from convproof.theory.indices import delta_of, windows


@declare(error_model="direct")
def vectorized(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """The layer as an einsum over a sliding-window view (no copy of the windows)."""
    return u + np.einsum("ijab,ab->ij", windows(x, delta_of(V), padding), V)  # type: ignore[arg-type]
