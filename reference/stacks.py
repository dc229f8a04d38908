"""Stacks of the article's layer, and the one layer a stack equals.

With h1[i] = u1 + Σ_a V1[a]·x[i + a] and h2[i] = u2 + Σ_b V2[b]·h1[i + b],

    h2[i] = U + Σ_c K[c]·x[i + c],   K[c] = Σ_{a + b = c} V1[a]·V2[b],   U = u2 + u1·ΣV2,

so K is the full *convolution* of the two kernels (not their correlation), of radius
Δ1 + Δ2: :func:`compose_kernels`, :func:`compose_bias`, folded over a stack by
:func:`stack_as_one_layer`. :func:`run_stack` applies the layers one after the other.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.signal
from convproof.reference.vectorized import vectorized
from convproof.theory.bounds import exact_on
from convproof.theory.indices import Padding


def compose_kernels(V1: np.ndarray, V2: np.ndarray) -> np.ndarray:
    """The kernel of 'V1 first, then V2': the full convolution of the two."""
    return scipy.signal.convolve(V1, V2, mode="full", method="direct")


def compose_bias(u1: float, V2: np.ndarray, u2: float) -> float:
    """The bias of 'u1 first, then (V2, u2)': u2 + u1·ΣV2."""
    return u2 + u1 * float(np.sum(V2))


def stack_as_one_layer(Vs: Sequence[np.ndarray], us: Sequence[float]) -> tuple[np.ndarray, float]:
    """(K, U) of the whole stack, first layer first."""
    K, U = Vs[0], us[0]
    for V, u in zip(Vs[1:], us[1:], strict=True):
        K, U = compose_kernels(K, V), compose_bias(U, V, u)
    return K, U


def run_stack(x: np.ndarray, Vs: Sequence[np.ndarray], us: Sequence[float],
              padding: Padding) -> np.ndarray:
    """The layers one after the other (the vectorized reference), each stage exact in
    float64 (theory.bounds, item 1); ArithmeticError if a stage's sums could round."""
    for V, u in zip(Vs, us, strict=True):
        if not exact_on(x, V, u, padding):
            raise ArithmeticError("stack entries too large for exact float64 sums")
        x = vectorized(x, V, u, padding)
    return x
