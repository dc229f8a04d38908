"""The article's layer in any number of spatial dimensions.

The derivation never uses that an image has two axes: with multi-indices i, a, k of
length d,

    h[i] = u + Σ_{a in {-Δ..Δ}^d} V[a]·x[i + a]

is the same layer for 1-D signals (d = 1), images (d = 2) and volumes (d = 3). Kernels are
stored as arrays of shape (2Δ+1,)*d with V[Δ + a] the article's V[a]; paddings are those of
theory.indices ('valid': output n - 2Δ per axis, read from i + Δ; 'zeros'; 'circular').

Two independent computations:

* :func:`correlate_nd_loops`: the equation transcribed term by term, one output and one
  offset at a time (np.ndindex over both), with the padding decided per term;
* :func:`correlate_nd`: one tensordot over a sliding-window view of the padded input
  (theory.indices.windows), no copy of the windows until the contraction.
"""

from __future__ import annotations

from operator import add, mod

import numpy as np
from convproof.reference.contract import declare
from convproof.theory.indices import delta_of, output_shape, windows


def _check(x: np.ndarray, V: np.ndarray, padding: str) -> int:
    """Δ of V, after checking the arguments fit the contract in x.ndim dimensions."""
    if V.ndim != x.ndim:
        raise ValueError(f"kernel of {V.ndim} dimensions for a {x.ndim}-D input")
    delta = delta_of(V)
    if padding not in ("valid", "zeros", "circular"):
        raise ValueError(f"unknown padding {padding!r}")
    if padding == "valid" and min(x.shape) < 2 * delta + 1:
        raise ValueError(f"kernel {V.shape} is larger than the input {x.shape}")
    return delta


@declare(error_model="direct", dims=(1, 2, 3), max_work=2048)  # a few ms at most
def correlate_nd_loops(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """h[i] = u + Σ_a V[a]·x[i + a], one term at a time, for x of any dimension."""
    delta = _check(x, V, padding)
    h = np.empty(output_shape(x.shape, delta, padding))
    base = delta if padding == "valid" else 0
    # Python floats (float64 arithmetic, as the 2-D reference.loops), x's by index tuple:
    # a lookup a few times cheaper than indexing an ndarray, the sum in the same order
    x_at = dict(zip(np.ndindex(x.shape), x.ravel().tolist(), strict=True))
    terms = [(tuple(q - delta + base for q in stored), v)  # stored = Δ + a: (a, V[a])
             for stored, v in zip(np.ndindex(V.shape), V.ravel().tolist(), strict=True)]
    for i in np.ndindex(h.shape):
        total = float(u)
        for a, v in terms:
            k = tuple(map(add, i, a))  # k = i + a
            if padding == "circular":
                k = tuple(map(mod, k, x.shape))
            x_k = x_at.get(k)
            if x_k is None:
                continue  # zero padding: x[k] = 0 outside the input
            total += v * x_k
        h[i] = total
    return h


@declare(error_model="direct", dims=(1, 2, 3))
def correlate_nd(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """The same layer vectorized: u + Σ_a windows[i, Δ + a]·V[Δ + a] as one tensordot."""
    delta = _check(x, V, padding)
    # OpenBLAS can set the invalid flag on finite data (numpy#24067, OpenBLAS#1924), a
    # RuntimeWarning that pytest makes an error; a real NaN still shows in the result
    with np.errstate(invalid="ignore"):
        return u + np.tensordot(windows(x, delta, padding), V, axes=x.ndim)  # type: ignore[arg-type]
