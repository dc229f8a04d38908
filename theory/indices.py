"""The index maps of the article: reindexing, shifts, the locality window, and the
embedding of a shared kernel V[a, b] into a dense weight tensor W[i, j, k, l].

Conventions used throughout the suite:

* an image ``x`` has shape ``(height, width)``; pixel ``x[k, l]``;
* the hidden map ``h`` has pixels ``h[i, j]``;
* the article's offsets ``a, b`` run over ``-delta .. delta``; a kernel is stored as an
  array ``V`` of shape ``(2*delta + 1, 2*delta + 1)`` with ``V[delta + a, delta + b]``
  the article's ``V[a, b]``;
* ``shift(x, s)`` moves content by ``s``: ``shift(x, s)[k, l] = x[k - s[0], l - s[1]]``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

Padding = Literal["valid", "zeros", "circular"]
PADDINGS: tuple[Padding, ...] = ("valid", "zeros", "circular")


def delta_of(V: np.ndarray, ndim: int | None = None) -> int:
    """The locality radius Δ of a kernel whose first ``ndim`` sides (all, by default) are
    2Δ+1; any further axes are channel axes (C_in, C_out)."""
    sides = V.shape[: V.ndim if ndim is None else ndim]
    if not sides or len(set(sides)) != 1 or sides[0] % 2 == 0:
        raise ValueError(f"kernel must have sides 2Δ+1, got shape {V.shape}")
    return (sides[0] - 1) // 2


def offsets(delta: int) -> np.ndarray:
    """The offsets a = -Δ, ..., Δ of the Δ-limited sum."""
    return np.arange(-delta, delta + 1)


def offset_range(i: int, n: int) -> range:
    """All offsets a with 0 <= i + a < n: the image of range(n) under k -> k - i."""
    return range(-i, n - i)


def output_shape(shape: tuple[int, ...], delta: int, padding: Padding) -> tuple[int, ...]:
    """Shape of h for an image of ``shape``; 'valid' keeps only windows inside the image."""
    if padding == "valid":
        return tuple(n - 2 * delta for n in shape)
    return tuple(shape)


def shift(
    x: np.ndarray, s: tuple[int, ...], boundary: Literal["circular", "zeros"]
) -> np.ndarray:
    """Translate ``x`` by ``s`` along its first len(s) axes: result[k] = x[k - s].

    On the torus ('circular') indices are taken modulo the shape; on the finite grid
    ('zeros') pixels moved in from outside the image are 0.
    """
    axes = tuple(range(len(s)))
    if boundary == "circular":
        return np.roll(x, s, axis=axes)
    out = np.zeros_like(x)
    src, dst = [], []
    for n, t in zip(x.shape, s, strict=True):
        lo, hi = max(0, t), min(n, n + t)
        dst.append(slice(lo, max(lo, hi)))
        src.append(slice(lo - t, max(lo, hi) - t))
    out[tuple(dst)] = x[tuple(src)]
    return out


def _axis_window_in(n: int, delta: int, s: int, p: np.ndarray) -> np.ndarray:
    """For hidden positions p (before the shift), whether the part of p's window that lies
    inside range(n) still lies inside range(n) once moved by s."""
    lo = np.maximum(0, p - delta) + s
    hi = np.minimum(n - 1, p + delta) + s
    return (0 <= lo) & (hi <= n - 1)


def equivariance_region(
    shape: tuple[int, int], delta: int, s: tuple[int, int], padding: Padding
) -> np.ndarray:
    """Boolean mask over h: where layer(shift(x, s)) == shift(layer(x), s) for every x, V, u.

    Shifts are zero-filling ('zeros', 'valid') or circular ('circular': everywhere).

    'valid': out[i] reads x[i .. i + 2Δ]; the identity holds exactly when the shifted-back
    position i - s0 is itself a valid output, 0 <= i - s0 < H - 2Δ (per axis).

    'zeros': with p = i - s0 the position h came from, the identity holds exactly when
    0 <= p < H and the part of p's window inside the image, moved by s0, stays inside the
    image (per axis): then both sides read the same pixels of x, and no pixel that
    zero padding hides on one side is visible on the other. Outside this mask some x
    and V (a single impulse, or x = 0 with u != 0) break the identity, so the mask is
    the largest region on which the claim holds for all inputs.
    """
    out = output_shape(shape, delta, padding)
    if padding == "circular":
        return np.ones(out, dtype=bool)
    masks = []
    for n, m, t in zip(shape, out, s, strict=True):
        i = np.arange(m)
        p = i - t
        if padding == "valid":
            ok = (0 <= p) & (p < m)
        else:
            inside = (0 <= p) & (p < n)
            ok = inside & _axis_window_in(n, delta, t, np.clip(p, 0, n - 1))
        masks.append(ok)
    return masks[0][:, None] & masks[1][None, :]


def window_mask(
    shape: tuple[int, int], i: int, j: int, delta: int, padding: Padding
) -> np.ndarray:
    """Pixels (k, l) of x that h[i, j] may depend on: |k - i| <= Δ and |l - j| <= Δ, with
    distances taken modulo the shape on the torus and output indices offset by Δ for
    'valid'."""
    if padding == "valid":
        i, j = i + delta, j + delta
    k = np.arange(shape[0])[:, None]
    l = np.arange(shape[1])[None, :]
    dk, dl = k - i, l - j
    if padding == "circular":
        dk = np.minimum(dk % shape[0], -dk % shape[0])
        dl = np.minimum(dl % shape[1], -dl % shape[1])
    return (np.abs(dk) <= delta) & (np.abs(dl) <= delta)


def embed(V: np.ndarray, shape: tuple[int, int], padding: Padding) -> np.ndarray:
    """The dense weight tensor W[i, j, k, l] of the shared, local layer with kernel V.

    W[i, j, k, l] = V[a, b] where (k, l) = (i + a, j + b) (+Δ for 'valid'), summed over
    all (a, b) that land on (k, l) modulo the shape for 'circular' (a kernel larger than
    the image wraps onto itself), and dropped when (k, l) is outside the image for
    'zeros'. Then layer(x) = u + einsum('ijkl,kl->ij', W, x).
    """
    delta = delta_of(V)
    height, width = shape
    out = output_shape(shape, delta, padding)
    if min(out) < 1:
        raise ValueError(f"'valid' needs an image of at least {2 * delta + 1} per side, got {shape}")
    i, j, a, b = np.meshgrid(
        np.arange(out[0]), np.arange(out[1]), offsets(delta), offsets(delta), indexing="ij"
    )
    base = delta if padding == "valid" else 0
    k, l = i + base + a, j + base + b
    weights = V[a + delta, b + delta]
    if padding == "circular":
        k, l = k % height, l % width
        keep = np.ones_like(k, dtype=bool)
    else:
        keep = (0 <= k) & (k < height) & (0 <= l) & (l < width)
    W = np.zeros((*out, height, width), dtype=np.result_type(V.dtype, np.float64))
    np.add.at(W, (i[keep], j[keep], k[keep], l[keep]), weights[keep])
    return W


def reindex_weights(W: np.ndarray) -> np.ndarray:
    """V[i, j, a, b] = W[i, j, i + a, j + b] for a in -(H-1)..H-1, b in -(W-1)..W-1.

    Stored with offset: ``V4[i, j, a + H - 1, b + W - 1]``; entries with (i + a, j + b)
    outside the image are 0 (no weight exists there).
    """
    height, width = W.shape[2:]
    i, j, k, l = np.meshgrid(*(np.arange(n) for n in W.shape), indexing="ij")
    V4 = np.zeros((*W.shape[:2], 2 * height - 1, 2 * width - 1), dtype=W.dtype)
    V4[i, j, k - i + height - 1, l - j + width - 1] = W
    return V4


def unreindex_weights(V4: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Inverse of :func:`reindex_weights`: W[i, j, k, l] = V4[i, j, k - i + H - 1, l - j + W - 1]."""
    height, width = shape
    i, j, k, l = np.meshgrid(
        np.arange(V4.shape[0]), np.arange(V4.shape[1]), np.arange(height), np.arange(width),
        indexing="ij",
    )
    return V4[i, j, k - i + height - 1, l - j + width - 1]


def padded(x: np.ndarray, delta: int, padding: Padding, spatial: int | None = None) -> np.ndarray:
    """x extended by Δ on every side of its first ``spatial`` axes (all, by default) the
    way the padding reads outside the image: zeros, periodically (also when Δ exceeds the
    image, which wraps several times), or not at all."""
    if padding == "valid":
        return x
    spatial = x.ndim if spatial is None else spatial
    if padding == "circular":
        return np.pad(x, [(delta, delta)] * spatial + [(0, 0)] * (x.ndim - spatial), mode="wrap")
    # zeros: one assignment into a zero array, where np.pad's generality costs ~15 µs a call
    out = np.zeros((*(n + 2 * delta for n in x.shape[:spatial]), *x.shape[spatial:]), x.dtype)
    out[tuple(slice(delta, delta + n) for n in x.shape[:spatial])] = x
    return out


def windows(x: np.ndarray, delta: int, padding: Padding, spatial: int | None = None) -> np.ndarray:
    """A read-only view w with w[i, ..., Δ + a, ...] = the pixel h[i] reads at offset a:
    x[i + a] under the padding ('valid' with i counted from Δ). Axes: the output's spatial
    axes, then any channel axes of x, then the kernel's spatial axes."""
    spatial = x.ndim if spatial is None else spatial
    if padding == "valid" and min(x.shape[:spatial]) < 2 * delta + 1:
        raise ValueError(
            f"'valid' needs an image of at least {2 * delta + 1} per side, got {x.shape}"
        )
    side = 2 * delta + 1
    p = padded(x, delta, padding, spatial)
    if min(p.shape[:spatial], default=side) < side:  # an empty image: no window
        return np.lib.stride_tricks.sliding_window_view(p, (side,) * spatial,
                                                        axis=tuple(range(spatial)))
    # sliding_window_view's views, made directly (its checks cost ~10 µs a call)
    shape = (*(n - side + 1 for n in p.shape[:spatial]), *p.shape[spatial:], *(side,) * spatial)
    strides = (*p.strides, *p.strides[:spatial])
    return np.lib.stride_tricks.as_strided(p, shape, strides, writeable=False)


def fold(V: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The kernel wrapped onto the torus of this shape: K[a mod n] = Σ V[a] over all
    offsets a that land on the same residue (first len(shape) axes; further axes are
    channels). Circular correlation with V equals circular correlation with K, even when
    V is larger than the image."""
    d = len(shape)
    delta = delta_of(V, d)
    K = np.zeros((*shape, *V.shape[d:]), dtype=np.result_type(V.dtype, np.float64))
    index = np.ix_(*(offsets(delta) % n for n in shape))
    np.add.at(K, index, V)
    return K
