"""Max and average pooling (d2l 7.5), two independent ways.

pool(x)[m, c, i] = max (or mean) over the window a in Πk of xp[m, c, i·s + a], channel by
channel, with xp the padded input: -inf for max pooling and 0 for average pooling
outside the input ('zeros': a padded zero is averaged in, PyTorch's count_include_pad,
d2l's default), or the torus ('circular'). Output sizes are the conv contract's with
dilation 1 (theory.conv.output_size).

* :func:`pool_loops`: the definition, one output and one window element at a time;
* :func:`pool_windows`: max or mean over the window view (theory.conv.window_view) of
  the input padded by np.pad (-inf or 0 outside, 'wrap' on the torus): no padding code of
  theory.conv, which the tap-by-tap conv reference uses, so that average pooling as a
  convolution meets an independent side.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from convproof.theory.conv import ConvSpec, conv_shape, plain, window_view

Kind = Literal["max", "avg"]


def pool_spec(kernel: tuple[int, ...], stride: tuple[int, ...] | None = None,
              padding: tuple[tuple[int, int], ...] | None = None,
              padding_mode: str = "zeros") -> ConvSpec:
    """A pooling's window arithmetic as a ConvSpec: stride defaults to the window (d2l)."""
    d = len(kernel)
    base = plain(d, padding, padding_mode)  # type: ignore[arg-type]
    return ConvSpec(stride or kernel, base.padding, base.dilation, 1, base.padding_mode)


def pool_loops(x: np.ndarray, kernel: tuple[int, ...], spec: ConvSpec, kind: Kind) -> np.ndarray:
    """pool(x)[m, c, i] by the definition, term by term."""
    out = conv_shape(x.shape[2:], kernel, spec)
    y = np.empty((*x.shape[:2], *out))
    for m, c in np.ndindex(x.shape[:2]):
        for i in np.ndindex(out):
            values = []
            for a in np.ndindex(kernel):
                j, inside = [], True
                for ii, aa, n, s, (lo, _) in zip(i, a, x.shape[2:], spec.stride, spec.padding,
                                                 strict=True):
                    k = ii * s + aa - lo
                    if spec.padding_mode == "circular":
                        k %= n
                    inside = inside and 0 <= k < n
                    j.append(k)
                if inside:
                    values.append(float(x[(m, c, *j)]))
                else:
                    values.append(-np.inf if kind == "max" else 0.0)
            y[(m, c, *i)] = max(values) if kind == "max" else sum(values) / len(values)
    return y


def pool_windows(x: np.ndarray, kernel: tuple[int, ...], spec: ConvSpec, kind: Kind
                 ) -> np.ndarray:
    """pool(x) as a max or mean over the window view."""
    out = conv_shape(x.shape[2:], kernel, spec)
    d = len(kernel)
    pairs = [(0, 0), (0, 0), *spec.padding]
    if spec.padding_mode == "circular":
        xp = np.pad(x.astype(np.float64), pairs, mode="wrap")
    else:  # max pooling pads with -inf, average pooling with zeros
        xp = np.pad(x.astype(np.float64), pairs, constant_values=-np.inf if kind == "max" else 0.0)
    v = window_view(xp, kernel, spec, out)
    axes = tuple(range(2 + d, 2 + 2 * d))
    return v.max(axis=axes) if kind == "max" else v.sum(axis=axes) / float(np.prod(kernel))
