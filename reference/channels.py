"""The layer with input and output channels.

Images have channels (red, green, blue) and hidden representations have many; the
article's layer extends to them by giving every pair (input channel c, output channel d)
its own kernel and every output channel its own bias:

    h[i, j, d] = u[d] + Σ_{a,b=-Δ..Δ} Σ_{c} V[a, b, c, d]·x[i + a, j + b, c]

x has shape (H, W, C_in), V shape (2Δ+1, 2Δ+1, C_in, C_out) with V[Δ + a, Δ + b, c, d] the
kernel entry, u shape (C_out,), h shape (H', W', C_out) with the paddings of
theory.indices. This is reference.contract's channel contract.

* :func:`channel_loops`: the equation transcribed term by term (2-D);
* :func:`channel_loops_nd`: the same one output position and one offset at a time in any
  dimension, the sum over c as a vector-matrix product;
* :func:`channel_layer`: one tensordot over the sliding windows of the padded input, in
  any number of spatial dimensions (the spatial axes are all axes of x but the last).
"""

from __future__ import annotations

from operator import add, mod

import numpy as np
from convproof.reference.contract import declare
from convproof.theory.indices import delta_of, output_shape, windows


def _check(x: np.ndarray, V: np.ndarray, u: np.ndarray, padding: str) -> int:
    """Δ of V, after checking the shapes against the channel contract."""
    d = x.ndim - 1
    if V.ndim != x.ndim + 1 or V.shape[d] != x.shape[-1] or np.shape(u) != (V.shape[-1],):
        raise ValueError(
            f"x {x.shape}, V {V.shape}, u {np.shape(u)} do not fit (*n, C_in), "
            "(*(2Δ+1,)*d, C_in, C_out), (C_out,)"
        )
    delta = delta_of(V, d)
    if padding not in ("valid", "zeros", "circular"):
        raise ValueError(f"unknown padding {padding!r}")
    if padding == "valid" and min(x.shape[:d]) < 2 * delta + 1:
        raise ValueError(f"kernel {V.shape} is larger than the input {x.shape}")
    return delta


@declare(error_model="direct", channels=True)
def channel_loops(x: np.ndarray, V: np.ndarray, u: np.ndarray, padding: str) -> np.ndarray:
    """h[i, j, d] = u[d] + Σ_{a, b, c} V[a, b, c, d]·x[i + a, j + b, c], one term at a time."""
    if x.ndim != 3:
        raise ValueError(f"channel_loops takes (H, W, C_in) inputs, got {x.shape}")
    delta = _check(x, V, u, padding)
    height, width, c_in = x.shape
    c_out = V.shape[-1]
    h = np.empty((*output_shape((height, width), delta, padding), c_out))
    base = delta if padding == "valid" else 0
    for i, j, d in np.ndindex(h.shape):
        total = float(u[d])
        for a in range(-delta, delta + 1):
            for b in range(-delta, delta + 1):
                k, l = i + base + a, j + base + b
                if padding == "circular":
                    k, l = k % height, l % width
                elif not (0 <= k < height and 0 <= l < width):
                    continue  # zero padding
                for c in range(c_in):
                    total += V[delta + a, delta + b, c, d] * x[k, l, c]
        h[i, j, d] = total
    return h


@declare(error_model="direct", dims=(1, 2, 3), channels=True)
def channel_layer(x: np.ndarray, V: np.ndarray, u: np.ndarray, padding: str) -> np.ndarray:
    """The same layer vectorized, in any number of spatial dimensions: the windows have
    axes (*out, C_in, *kernel), contracted with V's (*kernel, C_in)."""
    delta = _check(x, V, u, padding)
    d = x.ndim - 1
    w = windows(x, delta, padding, d)  # type: ignore[arg-type]
    axes_w = [d, *range(d + 1, 2 * d + 1)]
    axes_v = [d, *range(d)]
    # OpenBLAS can set the invalid flag on finite data (numpy#24067, OpenBLAS#1924), a
    # RuntimeWarning that pytest makes an error; a real NaN still shows in the result
    with np.errstate(invalid="ignore"):
        return np.asarray(u) + np.tensordot(w, V, axes=(axes_w, axes_v))


@declare(error_model="direct", dims=(1, 2, 3), channels=True, max_work=4096)  # a few µs an offset
def channel_loops_nd(x: np.ndarray, V: np.ndarray, u: np.ndarray, padding: str) -> np.ndarray:
    """h[i, :] = u + Σ_a Σ_c x[i + a, c]·V[Δ + a, c, :]: the channel equation transcribed one
    output position and one offset at a time (the sum over c as a vector-matrix product),
    in any dimension, with the padding decided per term as in reference.nd."""
    d = x.ndim - 1
    delta = delta_of(V, d)
    spatial = x.shape[:d]
    h = np.empty((*output_shape(spatial, delta, padding), V.shape[-1]))
    base = delta if padding == "valid" else 0
    # the rows x[k] by index tuple and the terms (a, V[Δ + a]) made once, not per output:
    # the same products, summed in the same order
    x_at = {k: x[k] for k in np.ndindex(spatial)}
    terms = [(tuple(q - delta + base for q in stored), V[stored])  # stored = Δ + a
             for stored in np.ndindex(V.shape[:d])]
    for i in np.ndindex(h.shape[:d]):
        total = np.array(u, dtype=np.float64)
        for a, v in terms:
            k = tuple(map(add, i, a))  # k = i + a
            if padding == "circular":
                k = tuple(map(mod, k, spatial))
            x_k = x_at.get(k)
            if x_k is None:
                continue  # zero padding: x[k] = 0 outside the input
            total = total + x_k @ v
        h[i] = total
    return h
