"""What an impulse at input pixel k does to every output: the locality claims' expected value.

The layer h[i] = u + Σ_a V[a]·x[i + a] is affine, so h(x + t·e_k) - h(x) = t·∂h/∂x_k with

    ∂h[i]/∂x[k] = Σ of V[a] over the offsets a in {-Δ..Δ}^d whose input pixel is k:
    i + a = k ('zeros'), i + Δ + a = k ('valid', outputs counted from Δ),
    i + a ≡ k modulo the shape ('circular': several offsets may wrap onto one pixel).

:func:`sensitivity` transcribes this sum offset by offset, with its own index arithmetic:
it shares no code with the layers (theory.indices.embed and fold compute the same
numbers for reference.dense and reference.fft), so that a locality property comparing a
layer's response with it compares two independent computations.
"""

from __future__ import annotations

import itertools

import numpy as np


def sensitivity(V: np.ndarray, shape: tuple[int, ...], padding: str, k: tuple[int, ...]) -> np.ndarray:
    """∂h[i]/∂x[k] for every output i of the layer with kernel V on inputs of spatial
    ``shape`` (d = len(shape) axes; V's axes after the first d, such as C_out, are kept):
    an array of shape (*output, *V.shape[d:])."""
    d = len(shape)
    side = V.shape[0]
    delta = (side - 1) // 2
    base = delta if padding == "valid" else 0
    out = tuple(n - 2 * delta for n in shape) if padding == "valid" else tuple(shape)
    i = np.indices(out)  # i[axis] holds every output's index along that axis
    total = np.zeros((*out, *V.shape[d:]))
    for stored in itertools.product(range(side), repeat=d):  # stored = Δ + a
        read = [i[axis] + base + stored[axis] - delta for axis in range(d)]  # i + a
        if padding == "circular":
            hit = np.all([r % n == kk for r, n, kk in zip(read, shape, k, strict=True)], axis=0)
        else:  # outside the input nothing is read: x is zero there ('zeros') or never read
            hit = np.all([r == kk for r, kk in zip(read, k, strict=True)], axis=0)
        total[hit] += V[stored]
    return total
