"""The layer through the FFT.

On the h×w torus the layer is the cyclic cross-correlation with the folded kernel
K = theory.indices.fold(V, (h, w)):  h = u + F⁻¹( F(x) · conj(F(K)) ), since K is real.

Zero padding: pad x with Δ zeros per side; on that (h+2Δ)×(w+2Δ) torus the windows of
the pixels Δ..Δ+h-1 never wrap, so cropping them gives the zero-padded layer.
'valid': on the h×w torus the windows of the pixels Δ..h-Δ-1 never wrap either.
"""

from __future__ import annotations

import numpy as np

# scipy's submodules load on first use (SciPy's lazy loading): a fast start for
# pytest-xdist's controller, which builds the layers but never calls them
import scipy
from convproof.reference.contract import declare
from convproof.theory.indices import delta_of, fold


def _circular(x: np.ndarray, V: np.ndarray) -> np.ndarray:
    K = fold(V, x.shape)
    spectrum = scipy.fft.rfft2(x) * np.conj(scipy.fft.rfft2(K))
    return scipy.fft.irfft2(spectrum, s=x.shape)


@declare(error_model="fft")
def fft(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """The layer as a product of spectra."""
    delta = delta_of(V)
    if padding == "circular":
        return u + _circular(x, V)
    if padding == "zeros":
        height, width = x.shape
        return u + _circular(np.pad(x, delta), V)[delta : delta + height, delta : delta + width]
    if padding == "valid":
        height, width = x.shape
        if height < 2 * delta + 1 or width < 2 * delta + 1:
            raise ValueError(f"kernel {V.shape} is larger than the image {x.shape}")
        return u + _circular(x, V)[delta : height - delta, delta : width - delta]
    raise ValueError(f"unknown padding {padding!r}")
