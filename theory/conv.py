"""The convolution contract's arithmetic: output sizes, padding, receptive fields,
parameter counts, and the padded input every reference and bound reads.

``conv(x, w, b, *, stride, padding, dilation, groups, padding_mode) -> y`` with x of
shape (N, C_in, *n), w of (C_out, C_in // groups, *k), b of (C_out,) or None, and per
spatial axis a stride s, a dilation δ and a padding pair (lo, hi). With xp the padded
input and G = C_in // groups, output channel o of group g = o // (C_out // groups) is

    y[m, o, i] = b[o] + Σ_{c < G} Σ_a w[o, c, a]·xp[m, g·G + c, i·s + a·δ]

(a cross-correlation), and the output has ⌊(n + lo + hi - δ·(k - 1) - 1) / s⌋ + 1
positions per axis (Dumoulin & Visin 2016, "A guide to convolution arithmetic for deep
learning", relationship 15; a size below 1 is a ValueError). 'circular' reads index j of
the padded axis at (j - lo) mod n, however many turns lo and hi wrap.

The article's layer is the case N = 1, C_in = C_out = 1, s = δ = groups = 1, k = 2Δ + 1
and padding (Δ, Δ) ('zeros', 'circular') or (0, 0) ('valid').
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod
from typing import Literal

import numpy as np

PaddingMode = Literal["zeros", "circular"]
PADDING_MODES: tuple[PaddingMode, ...] = ("zeros", "circular")


@dataclass(frozen=True)
class ConvSpec:
    """The keyword arguments of one conv call, one entry (or pair) per spatial axis."""

    stride: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    dilation: tuple[int, ...]
    groups: int = 1
    padding_mode: PaddingMode = "zeros"

    def __post_init__(self) -> None:
        d = len(self.stride)
        if not (len(self.padding) == len(self.dilation) == d) or d not in (1, 2, 3):
            raise ValueError(f"stride, padding and dilation must have one entry per spatial "
                             f"axis (1, 2 or 3), got {self.stride}, {self.padding}, "
                             f"{self.dilation}")
        if min(self.stride) < 1 or min(self.dilation) < 1 or self.groups < 1:
            raise ValueError(f"stride, dilation and groups must be positive, got {self}")
        if min(min(p) for p in self.padding) < 0:
            raise ValueError(f"padding pairs must be non-negative, got {self.padding}")
        if self.padding_mode not in PADDING_MODES:
            raise ValueError(f"padding_mode {self.padding_mode!r} is not one of {PADDING_MODES}")

    @property
    def ndim(self) -> int:
        return len(self.stride)

    def kwargs(self) -> dict:
        """The keyword arguments of the contract's call."""
        return {"stride": self.stride, "padding": self.padding, "dilation": self.dilation,
                "groups": self.groups, "padding_mode": self.padding_mode}


def spec_of(kw: dict) -> ConvSpec:
    """The ConvSpec of a call's keyword arguments (sequences as tuples)."""
    return ConvSpec(tuple(kw["stride"]), tuple(tuple(p) for p in kw["padding"]),
                    tuple(kw["dilation"]), kw.get("groups", 1), kw.get("padding_mode", "zeros"))


def plain(ndim: int, padding: tuple[tuple[int, int], ...] | None = None,
          padding_mode: PaddingMode = "zeros", groups: int = 1) -> ConvSpec:
    """Stride 1, dilation 1 and the given padding (none by default)."""
    return ConvSpec((1,) * ndim, padding or ((0, 0),) * ndim, (1,) * ndim, groups, padding_mode)


def output_size(n: int, k: int, lo: int, hi: int, stride: int = 1, dilation: int = 1) -> int:
    """⌊(n + lo + hi - δ·(k - 1) - 1) / s⌋ + 1: the windows of extent δ·(k-1) + 1 that fit
    in the padded axis, taken every s positions (may be < 1: no window fits)."""
    return (n + lo + hi - dilation * (k - 1) - 1) // stride + 1


def d2l_output_size(n: int, k: int, p: int, s: int) -> int:
    """d2l 7.3's ⌊(n - k + p + s) / s⌋, p the total padding of the axis."""
    return (n - k + p + s) // s


def conv_shape(spatial: tuple[int, ...], kernel: tuple[int, ...], spec: ConvSpec
                 ) -> tuple[int, ...]:
    """The spatial output shape; ValueError when some axis has no window."""
    out = tuple(output_size(n, k, lo, hi, s, dl) for n, k, (lo, hi), s, dl in
                zip(spatial, kernel, spec.padding, spec.stride, spec.dilation, strict=True))
    if min(out) < 1:
        raise ValueError(f"no output: input {spatial}, kernel {kernel}, {spec} give {out}")
    return out


def receptive_field(k: int, dilation: int = 1) -> int:
    """Input positions one output spans along an axis: (k - 1)·δ + 1."""
    return (k - 1) * dilation + 1


def parameters(c_in: int, c_out: int, kernel: tuple[int, ...], groups: int = 1,
               bias: bool = True) -> int:
    """(C_in / groups)·C_out·Πk weights, plus C_out biases."""
    return (c_in // groups) * c_out * prod(kernel) + (c_out if bias else 0)


def products_per_output(c_in: int, kernel: tuple[int, ...], groups: int = 1) -> int:
    """Products one output sums: (C_in / groups)·Πk (plus the bias, a further term)."""
    return (c_in // groups) * prod(kernel)


def padded_index(n: int, lo: int, hi: int, mode: PaddingMode) -> np.ndarray:
    """For each position j of the padded axis (length n + lo + hi), the input index it
    reads, or -1 for a zero ('zeros' outside the input)."""
    j = np.arange(-lo, n + hi)
    if mode == "circular":
        return j % n
    return np.where((0 <= j) & (j < n), j, -1)


def conv_pad(x: np.ndarray, spec: ConvSpec) -> np.ndarray:
    """xp: x (N, C, *n) padded on its spatial axes by the spec's pairs and mode, C-ordered
    (x itself when it is C-ordered and no axis is padded)."""
    pads = spec.padding
    if spec.padding_mode == "zeros":
        if not any(lo or hi for lo, hi in pads):
            return np.ascontiguousarray(x)
        # x copied once into a zero array, where a concatenation and a take per axis
        # copied it twice per padded axis
        sides = list(zip(x.shape[2:], pads, strict=True))
        xp = np.zeros((*x.shape[:2], *(n + lo + hi for n, (lo, hi) in sides)), dtype=x.dtype)
        xp[(slice(None), slice(None), *(slice(lo, lo + n) for n, (lo, _) in sides))] = x
        return xp
    for axis, (n, (lo, hi)) in enumerate(zip(x.shape[2:], pads, strict=True), start=2):
        if lo or hi:  # circular: j mod n, any number of turns
            x = np.take(x, padded_index(n, lo, hi, spec.padding_mode), axis=axis)
    return np.ascontiguousarray(x)


def window_view(xp: np.ndarray, kernel: tuple[int, ...], spec: ConvSpec,
            out: tuple[int, ...]) -> np.ndarray:
    """A view v (N, C, *out, *k) of the padded input with v[m, c, i, a] = xp[m, c, i·s + a·δ]."""
    d = spec.ndim
    extent = tuple(receptive_field(k, dl) for k, dl in zip(kernel, spec.dilation, strict=True))
    v = np.lib.stride_tricks.sliding_window_view(xp, extent, axis=tuple(range(2, 2 + d)))
    v = v[(slice(None), slice(None),
           *(slice(None, s * (o - 1) + 1, s) for s, o in zip(spec.stride, out, strict=True)),
           *(slice(None, None, dl) for dl in spec.dilation))]
    return v


def impulse_response(w: np.ndarray, spec: ConvSpec, x_shape: tuple[int, ...],
                     p: tuple[int, ...], t: float = 1.0) -> np.ndarray:
    """conv(x + t·e_p) - conv(x): t·w[o, c - g·G, a] at every output (m, o, i) whose tap a
    reads x[p] (i·s + a·δ - lo = j, mod n on the torus), 0 elsewhere; shape (N, C_out, *out)."""
    out = conv_shape(x_shape[2:], w.shape[2:], spec)
    m, c, j = p[0], p[1], p[2:]
    G, per_group = w.shape[1], w.shape[0] // spec.groups
    g = c // G
    outputs = slice(g * per_group, (g + 1) * per_group)
    r = np.zeros((x_shape[0], w.shape[0], *out))
    for a in np.ndindex(w.shape[2:]):
        masks = []
        for o, aa, n, jj, s, dl, (lo, _) in zip(out, a, x_shape[2:], j, spec.stride,
                                                spec.dilation, spec.padding, strict=True):
            reads = np.arange(o) * s + aa * dl - lo
            masks.append((reads % n if spec.padding_mode == "circular" else reads) == jj)
        hit = np.ones(out, dtype=bool)
        for axis, mask in enumerate(masks):
            hit = hit & mask.reshape([-1 if q == axis else 1 for q in range(len(out))])
        r[m, outputs] += t * w[(outputs, c - g * G, *a)].reshape(-1, *(1,) * len(out)) * hit
    return r
