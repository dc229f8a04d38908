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
    a = np.indices((side,) * d).reshape(d, -1) - delta  # every offset, one per column
    # offset a reads pixel k for the output i with i + base + a = k (mod the shape on
    # the torus): one output per offset, so this costs (2Δ+1)^d, not that times the outputs
    i = np.asarray(k).reshape(d, 1) - base - a
    if padding == "circular":
        i %= np.asarray(shape).reshape(d, 1)
        hit = np.ones(i.shape[1], dtype=bool)
    else:  # outside the input nothing is read: x is zero there ('zeros') or never read
        hit = np.all((i >= 0) & (i < np.asarray(out).reshape(d, 1)), axis=0)
    total = np.zeros((*out, *V.shape[d:]))
    # add.at: on the torus several offsets may wrap onto one output, each adds its V[a]
    np.add.at(total, tuple(i[:, hit]), V.reshape(side**d, *V.shape[d:])[hit])
    return total
