"""scipy.signal.correlate (method 'direct' or 'fft') as plug-ins, in 1-, 2- and 3-D, with
channels.

Mapping (SciPy reference guide, scipy.signal.correlate): for in2 of odd sides 2Δ+1,
mode='same' returns the block of the 'full' output centred on in1, whose element i is
Σ_a V[Δ + a]·x[i + a] with x = 0 outside: our 'zeros' layer without u. mode='valid' is our
'valid' when the kernel fits; otherwise scipy silently swaps in1 and in2, so the adapter
raises ValueError first. 'circular' has no scipy mode: the adapter extends x periodically
by Δ per side (np.pad mode='wrap', which wraps as often as needed) and takes 'valid'.
Channels: output channel o is Σ_c correlate(x[..., c], V[..., c, o]), summed here.
"""

from __future__ import annotations

import numpy as np

# scipy's submodules load on first use (SciPy's lazy loading): a fast start for
# pytest-xdist's controller, which builds the layers but never calls them
import scipy
from convproof.reference.contract import check_fits, declare
from convproof.theory.indices import delta_of, padded


def _correlate(x: np.ndarray, V: np.ndarray, padding: str, method: str) -> np.ndarray:
    delta = delta_of(V)
    if padding == "valid":
        check_fits(x.shape, delta)
        return scipy.signal.correlate(x, V, mode="valid", method=method)
    if padding == "zeros":
        return scipy.signal.correlate(x, V, mode="same", method=method)
    if padding == "circular":
        return scipy.signal.correlate(padded(x, delta, "circular"), V, mode="valid", method=method)
    raise ValueError(f"unknown padding {padding!r}")


def _layer(x: np.ndarray, V: np.ndarray, u: float | np.ndarray, padding: str,
           method: str) -> np.ndarray:
    if V.ndim == x.ndim:
        return u + _correlate(x, V, padding, method)
    per_output = [
        sum(_correlate(x[..., c], V[..., c, o], padding, method) for c in range(x.shape[-1]))
        for o in range(V.shape[-1])
    ]
    return np.asarray(u) + np.stack(per_output, axis=-1)


@declare(error_model="direct", dims=(1, 2, 3), channels=True, dtypes=("float64", "float32"))
def scipy_direct(x: np.ndarray, V: np.ndarray, u: float | np.ndarray, padding: str) -> np.ndarray:
    """u + scipy.signal.correlate(x, V, method='direct')."""
    return _layer(x, V, u, padding, "direct")


@declare(error_model="fft", dims=(1, 2, 3), channels=True, dtypes=("float64", "float32"))
def scipy_fft(x: np.ndarray, V: np.ndarray, u: float | np.ndarray, padding: str) -> np.ndarray:
    """u + scipy.signal.correlate(x, V, method='fft')."""
    return _layer(x, V, u, padding, "fft")
