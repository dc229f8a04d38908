"""numpy.correlate as a 1-D plug-in.

Mapping (NumPy reference, numpy.correlate): np.correlate(x, v, 'full')[m] =
Σ_n v[n]·x[n + m - (N - 1)] for a kernel of length N = 2Δ+1, x = 0 outside. Our
h[i] = Σ_n V[n]·x[i + n - Δ], so h = full[Δ : Δ + len(x)] ('zeros'). The 'same' mode
returns max(len(x), N) elements, wrong when the kernel is longer than x, so the adapter
slices 'full' instead. 'valid' is np.correlate's 'valid' when the kernel fits (ValueError
otherwise, where numpy would swap its inputs); 'circular' extends x periodically first.
"""

from __future__ import annotations

import numpy as np
from convproof.reference.contract import check_fits, declare
from convproof.theory.indices import delta_of, padded


def _same(x: np.ndarray, V: np.ndarray, delta: int) -> np.ndarray:
    """The zero-padded correlation, one output per input: 'full' cropped from Δ."""
    return np.correlate(x, V, mode="full")[delta : delta + len(x)]


@declare(error_model="direct", dims=(1,), dtypes=("float64", "float32"))
def numpy_layer(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """u + numpy.correlate(x, V) with the padding's alignment, 1-D."""
    if x.ndim != 1 or V.ndim != 1:
        raise NotImplementedError("numpy.correlate is 1-D only")
    delta = delta_of(V)
    if padding == "valid":
        check_fits(x.shape, delta)
        h = np.correlate(x, V, mode="valid")
    elif padding == "zeros":
        h = _same(x, V, delta)
    elif padding == "circular":
        h = np.correlate(padded(x, delta, "circular"), V, mode="valid")
    else:
        raise ValueError(f"unknown padding {padding!r}")
    return (np.asarray(u, dtype=h.dtype) + h).astype(x.dtype, copy=False)
