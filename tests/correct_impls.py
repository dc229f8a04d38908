"""Correct contract layers, written differently from the references on purpose.

They are the controls of tests/test_mutants.py: every layer property must pass on them,
so a property that fails here is a bug of the suite (or of its bounds), not of the layer.
Each takes a route the references do not, so that a property tuned, by accident, to one
reference's quirks shows up:

* ``pixel_loops``: np.pad once, then one BLAS dot product per output pixel;
* ``take_einsum``: every window gathered into an explicit (H', W', 2Δ+1, 2Δ+1) array with
  np.take on flat indices (modulo the shape on the torus, a sentinel zero outside the
  image otherwise), then one einsum;
* ``numpy_fft_pow2``: numpy.fft (not scipy.fft); zero padding to power-of-two grids for
  'zeros' and 'valid', the exact h×w torus with a hand-folded kernel for 'circular'.
"""

from __future__ import annotations

import numpy as np
from convproof.reference.contract import Layer, as_layer, declare


def _radius(V: np.ndarray) -> int:
    if V.ndim != 2 or V.shape[0] != V.shape[1] or V.shape[0] % 2 == 0:
        raise ValueError(f"kernel must have shape (2Δ+1, 2Δ+1), got {V.shape}")
    return V.shape[0] // 2


def _check(x: np.ndarray, delta: int, padding: str) -> None:
    if padding not in ("valid", "zeros", "circular"):
        raise ValueError(f"unknown padding {padding!r}")
    if padding == "valid" and min(x.shape) < 2 * delta + 1:
        raise ValueError(f"a {2 * delta + 1}-wide kernel is larger than the image {x.shape}")


@declare(error_model="direct")
def pixel_loops(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """The layer pixel by pixel: u + <window of the padded image, V> as one dot product."""
    d = _radius(V)
    _check(x, d, padding)
    if padding == "valid":
        xp = np.asarray(x, dtype=np.float64)
    else:
        xp = np.pad(x, d, mode="wrap" if padding == "circular" else "constant")
    side = 2 * d + 1
    weights = np.ascontiguousarray(V, dtype=np.float64).ravel()
    h = np.empty((xp.shape[0] - 2 * d, xp.shape[1] - 2 * d))
    for i in range(h.shape[0]):
        for j in range(h.shape[1]):
            h[i, j] = u + float(np.dot(xp[i : i + side, j : j + side].ravel(), weights))
    return h




@declare(error_model="direct")
def take_einsum(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """The layer as einsum over an explicitly gathered window array (np.take, flat indices)."""
    d = _radius(V)
    _check(x, d, padding)
    height, width = x.shape
    offsets = np.arange(-d, d + 1)
    start = d if padding == "valid" else 0
    out = (height - 2 * d, width - 2 * d) if padding == "valid" else (height, width)
    rows = np.arange(out[0])[:, None] + start + offsets  # (H', 2Δ+1)
    cols = np.arange(out[1])[:, None] + start + offsets  # (W', 2Δ+1)
    if padding == "circular":
        rows, cols = rows % height, cols % width
    inside = ((0 <= rows) & (rows < height))[:, None, :, None] & (
        (0 <= cols) & (cols < width)
    )[None, :, None, :]
    flat = rows[:, None, :, None] * width + cols[None, :, None, :]  # (H', W', 2Δ+1, 2Δ+1)
    source = np.append(np.ravel(x), 0.0)  # logical C order, whatever the layout; then 0
    gathered = np.take(source, np.where(inside, flat, x.size))
    return u + np.einsum("ijab,ab->ij", gathered, V)




def _pow2(n: int) -> int:
    return 1 << (n - 1).bit_length()


@declare(error_model="fft")
def numpy_fft_pow2(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """The layer by the correlation theorem with numpy.fft: IFFT(FFT(x)·conj(FFT(k)))[s]
    = Σ_r k[r]·x[r + s] on the transform grid.

    'zeros' and 'valid': x and V zero-padded to a power-of-two grid of at least
    (H+2Δ)×(W+2Δ), on which no window wraps; h[i] = c[i - Δ] ('zeros'), c[i] ('valid').
    'circular': on the H×W torus itself, V folded onto it (offsets summed modulo H, W).
    """
    d = _radius(V)
    _check(x, d, padding)
    height, width = x.shape
    if padding == "circular":
        offsets = np.arange(-d, d + 1)
        K = np.zeros((height, width))
        np.add.at(K, ((offsets % height)[:, None], (offsets % width)[None, :]), V)
        grid = (height, width)
    else:
        K = np.asarray(V, dtype=np.float64)
        grid = (_pow2(height + 2 * d), _pow2(width + 2 * d))
    c = np.fft.irfft2(np.fft.rfft2(x, s=grid) * np.conj(np.fft.rfft2(K, s=grid)), s=grid)
    if padding == "valid":
        return u + c[: height - 2 * d, : width - 2 * d]
    if padding == "zeros":
        return u + c[np.ix_((np.arange(height) - d) % grid[0], (np.arange(width) - d) % grid[1])]
    return u + c



#: The correct implementations as :class:`reference.contract.Layer`, by name.
CORRECT: dict[str, Layer] = {
    fn.__name__: as_layer(fn.__name__, fn) for fn in (pixel_loops, take_einsum, numpy_fft_pow2)
}
