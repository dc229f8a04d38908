"""The layer through scipy: thin adapters, each with the index mapping it relies on.

scipy.signal.correlate2d(x, V, mode) computes c[m, n] = Σ_{p,q} x[p, q]·V[p - m', q - n']
on the 'full' grid (SciPy reference guide, scipy.signal.correlate2d); for a
(2Δ+1)×(2Δ+1) kernel, 'same' keeps the h×w block centred on it, whose pixel (i, j) is
Σ_{a,b} V[Δ+a, Δ+b]·x[i+a, j+b], our h[i, j] - u. boundary='fill' (fillvalue 0) is
zero padding; boundary='wrap' is the torus, and wraps as often as a kernel larger
than the image needs. 'valid' keeps the windows inside the image; for a kernel larger
than the image scipy would silently swap the two arguments, so the adapter raises
ValueError instead, as the contract requires.

scipy.signal.convolve2d flips its kernel: convolve2d(x, K)[i, j] = Σ K[Δ-a, Δ-b]·x[i+a, j+b],
so convolve2d with V[::-1, ::-1] is the layer.

scipy.ndimage.correlate(x, V, mode) centres the kernel at V[Δ, Δ] (origin 0, odd size)
and reads outside the image by its mode: 'constant' with cval 0 is zero padding,
'grid-wrap' is the torus ('wrap' is not periodic for kernels larger than the image in
older SciPy). 'valid' is the zero-padded output cropped by Δ on every side.
ndimage.correlate skips every weight with |w| <= DBL_EPSILON (2^-52), whatever the size
of the pixels it multiplies: this suite found it (x = [[1.0]], V = [[6.3e-34]] gives 0).
The adapter therefore correlates those weights separately, scaled up by a power of two
(exact, barring overflow), and adds the two parts; that re-associates the same sum, so
the direct-summation bound of theory.bounds still applies.
"""

from __future__ import annotations

import numpy as np

# scipy's submodules load on first use (SciPy's lazy loading): a fast start for
# pytest-xdist's controller, which builds the layers but never calls them
import scipy
from convproof.reference.contract import check_fits, declare
from convproof.theory.indices import delta_of

_SIGNAL_BOUNDARY = {"zeros": "fill", "circular": "wrap"}
_NDIMAGE_MODE = {"zeros": "constant", "circular": "grid-wrap"}


def _signal(op, x: np.ndarray, K: np.ndarray, u: float, padding: str) -> np.ndarray:  # noqa: ANN001
    if padding == "valid":
        check_fits(x.shape, delta_of(K))
        return u + op(x, K, mode="valid")
    if padding not in _SIGNAL_BOUNDARY:
        raise ValueError(f"unknown padding {padding!r}")
    return u + op(x, K, mode="same", boundary=_SIGNAL_BOUNDARY[padding], fillvalue=0)


@declare(error_model="direct")
def correlate2d(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """u + scipy.signal.correlate2d(x, V): the layer is this cross-correlation."""
    return _signal(scipy.signal.correlate2d, x, V, u, padding)


@declare(error_model="direct")
def convolve2d(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """u + scipy.signal.convolve2d(x, V rotated by 180°)."""
    return _signal(scipy.signal.convolve2d, x, V[::-1, ::-1], u, padding)


_EPS = float(np.finfo(np.float64).eps)


def _ndimage_correlate(x: np.ndarray, V: np.ndarray, mode: str, origin: int = 0) -> np.ndarray:
    """scipy.ndimage.correlate, with the weights it would skip (|w| <= eps) put back.
    ``origin`` is ndimage's (0: the kernel centred at V[Δ, ...], as the layer needs)."""
    tiny = (V != 0) & (np.abs(V) <= _EPS)
    h = scipy.ndimage.correlate(x, np.where(tiny, 0.0, V), mode=mode, cval=0.0, origin=origin)
    if tiny.any():
        scale = 2.0 ** (np.ceil(np.log2(_EPS / np.abs(V[tiny]).min())) + 1)
        small = np.where(tiny, V, 0.0) * scale
        h = h + scipy.ndimage.correlate(x, small, mode=mode, cval=0.0, origin=origin) / scale
    return h


def _ndimage_single(x: np.ndarray, V: np.ndarray, padding: str) -> np.ndarray:
    delta = delta_of(V)
    if padding == "valid":
        check_fits(x.shape, delta)
        full = _ndimage_correlate(x, V, "constant")
        return full[tuple(slice(delta, n - delta) for n in x.shape)]
    if padding not in _NDIMAGE_MODE:
        raise ValueError(f"unknown padding {padding!r}")
    return _ndimage_correlate(x, V, _NDIMAGE_MODE[padding])


@declare(error_model="direct", dims=(1, 2, 3), channels=True,
         dtypes=("float64", "float32"))
def ndimage(x: np.ndarray, V: np.ndarray, u: float | np.ndarray, padding: str) -> np.ndarray:
    """u + scipy.ndimage.correlate(x, V), cropped by Δ for 'valid'; in 1-, 2- and 3-D, and
    with channels (output channel o sums the correlations of x[..., c] with V[..., c, o])."""
    if V.ndim == x.ndim:
        return u + _ndimage_single(x, V, padding)
    per_output = [
        sum(_ndimage_single(x[..., c], V[..., c, o], padding) for c in range(x.shape[-1]))
        for o in range(V.shape[-1])
    ]
    return np.asarray(u) + np.stack(per_output, axis=-1)
