"""The layer as a weighted sum of shifted copies of the input: the article's "weighting
pixels (i+a, j+b) in the vicinity of (i,j) with coefficients V[a,b]", one offset at a time
and every output at once,

    h = u + Σ_a V[a]·x_p[a : a + n],

with x_p the input extended by Δ on every side (zeros, or periodically on the torus) and
the slice taken along every spatial axis. With channels, the term for offset a is the
product x_p[a : a + n, :] @ V[a] (C_in to C_out).

It is the vectorized oracle of reference.oracles: it shares no code with the sliding-window
references (reference.vectorized, reference.nd.correlate_nd, reference.channels) nor with
theory.indices (it pads with numpy.pad itself), so that comparing one of those with it
compares two computations. Direct summation: every output is u plus its terms, added one
at a time, so theory.bounds' direct model applies (exact on integer data).
"""

from __future__ import annotations

import itertools

import numpy as np
from convproof.reference.contract import declare


def _layer(x: np.ndarray, V: np.ndarray, u: float | np.ndarray, padding: str, d: int) -> np.ndarray:
    side = V.shape[0]
    if side % 2 == 0 or V.shape[:d] != (side,) * d:
        raise ValueError(f"kernel must have sides 2Δ+1 on its {d} spatial axes, got {V.shape}")
    delta = (side - 1) // 2
    spatial = x.shape[:d]
    extra = [(0, 0)] * (x.ndim - d)
    if padding == "valid":
        if min(spatial) < side:
            raise ValueError(f"kernel {V.shape} is larger than the input {x.shape}")
        xp, out = x, tuple(n - 2 * delta for n in spatial)
    elif padding in ("zeros", "circular"):
        mode = "wrap" if padding == "circular" else "constant"
        xp, out = np.pad(x, [(delta, delta)] * d + extra, mode=mode), spatial
    else:
        raise ValueError(f"unknown padding {padding!r}")
    channels = V.ndim == x.ndim + 1
    h = np.zeros((*out, V.shape[-1]) if channels else out)
    h += np.asarray(u, dtype=np.float64)
    # V[Δ + a] for every a in itertools.product order, with the slice of xp it reads
    weights = V.reshape(side**d, *V.shape[d:])
    slices = itertools.product(*([slice(s, s + n) for s in range(side)] for n in out))
    for v, window in zip(weights, slices, strict=True):
        h += xp[window] @ v if channels else v * xp[window]
    return h


@declare(error_model="direct", dims=(1, 2, 3))
def shifted_sum(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """u + Σ_a V[a]·(x shifted by -a), in any dimension (x.ndim spatial axes)."""
    return _layer(x, V, u, padding, x.ndim)


@declare(error_model="direct", dims=(1, 2, 3), channels=True)
def shifted_sum_channels(x: np.ndarray, V: np.ndarray, u: np.ndarray, padding: str) -> np.ndarray:
    """u + Σ_a x_p[shifted by -a, :] @ V[a]: the same with C_in input and C_out output
    channels (x (*n, C_in), V (*k, C_in, C_out), u (C_out,))."""
    return _layer(x, V, u, padding, x.ndim - 1)
