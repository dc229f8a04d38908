"""A catalogue of conv-contract implementations that each carry one plausible bug.

Every mutant is ``conv(x, w, b, **spec)`` of reference.conv_contract, built from the
tap-by-tap reference (reference.conv.conv_taps) with one thing changed, so that the one
change is the whole bug; each declares what the reference declares (every feature, both
dtypes) and carries the reference's correct backward pass unless its bug is there.
tests/test_conv_mutants.py runs the conv properties against each and requires that some
property fails on it. :data:`KINDS` groups them: the classic adapter mistakes, the batch
bugs, the backward pass, and the contract's side conditions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from convproof.reference.conv import conv_taps, vjp_taps
from convproof.reference.conv_contract import Conv, as_conv, declare_conv
from convproof.theory.conv import receptive_field

Fn = Callable[..., Any]


def _mutant(fn: Fn, vjp: Fn = vjp_taps) -> Fn:
    """Declare ``fn`` as the reference does, with ``vjp`` as its backward pass."""
    fn = declare_conv(dtypes=("float64", "float32"), vjp=True)(fn)
    fn.vjp = vjp  # type: ignore[attr-defined]
    return fn


def _pairs(kw: dict) -> tuple[tuple[int, int], ...]:
    return tuple(tuple(p) for p in kw["padding"])  # type: ignore[misc]


# --- the classic adapter mistakes ---------------------------------------------------------


@_mutant
def stride_one_axis(x: np.ndarray, w: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
    """Applies the first axis's stride to every axis (a scalar stride where a tuple belongs)."""
    return conv_taps(x, w, b, **{**kw, "stride": (kw["stride"][0],) * len(kw["stride"])})


@_mutant
def stride_starts_late(x: np.ndarray, w: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
    """Samples the stride-1 output at i·s + s - 1 instead of i·s (the strided grid's
    origin off by s - 1; clipped to the last position)."""
    y = conv_taps(x, w, b, **kw)
    y1 = conv_taps(x, w, b, **{**kw, "stride": (1,) * len(kw["stride"])})
    index = tuple(np.minimum(np.arange(o) * s + s - 1, n - 1) for o, s, n in
                  zip(y.shape[2:], kw["stride"], y1.shape[2:], strict=True))
    return y1[(slice(None), slice(None), *np.ix_(*index))]


@_mutant
def dilation_on_input(x: np.ndarray, w: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
    """Dilates the input (δ - 1 zeros between samples, lax's lhs_dilation) instead of the kernel."""
    dilation = kw["dilation"]
    sizes = tuple((n - 1) * dl + 1 for n, dl in zip(x.shape[2:], dilation, strict=True))
    spread = np.zeros((*x.shape[:2], *sizes), dtype=x.dtype)
    spread[(slice(None), slice(None), *(slice(None, None, dl) for dl in dilation))] = x
    return conv_taps(spread, w, b, **{**kw, "dilation": (1,) * len(dilation)})


@_mutant
def groups_mix_channels(x: np.ndarray, w: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
    """Every group reads the first group's input channels (c where g·G + c belongs)."""
    G = w.shape[1]
    first = np.concatenate([x[:, :G]] * kw["groups"], axis=1)
    return conv_taps(first, w, b, **kw)


@_mutant
def padding_lo_hi_swapped(x: np.ndarray, w: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
    """Reads each padding pair as (hi, lo): the extra row of an even kernel on the wrong side."""
    return conv_taps(x, w, b, **{**kw, "padding": tuple((hi, lo) for lo, hi in _pairs(kw))})


@_mutant
def bias_per_group(x: np.ndarray, w: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
    """Keeps one bias per group, b[g], instead of one per output channel, b[o]."""
    if b is None:
        return conv_taps(x, w, b, **kw)
    per_group = w.shape[0] // kw["groups"]
    return conv_taps(x, w, np.repeat(np.asarray(b)[: kw["groups"]], per_group), **kw)


@_mutant
def output_size_ceil(x: np.ndarray, w: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
    """Rounds the output size up, ⌈(n + lo + hi - δ(k-1) - 1)/s⌉ + 1, reading zeros for
    the extra, partial window (PyTorch's ceil_mode, in a convolution)."""
    pairs = tuple((lo, hi + s - 1) for (lo, hi), s in zip(_pairs(kw), kw["stride"], strict=True))
    return conv_taps(x, w, b, **{**kw, "padding": pairs})


@_mutant
def kernel_flipped(x: np.ndarray, w: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
    """A true convolution: the kernel flipped on every spatial axis."""
    flip = (slice(None), slice(None), *(slice(None, None, -1),) * (w.ndim - 2))
    return conv_taps(x, np.ascontiguousarray(w[flip]), b, **kw)


@_mutant
def circular_one_sided(x: np.ndarray, w: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
    """'circular' wraps before the input only, and pads zeros after it."""
    if kw.get("padding_mode") != "circular":
        return conv_taps(x, w, b, **kw)
    xp = x
    for axis, (lo, _) in enumerate(_pairs(kw), start=2):
        n = xp.shape[axis]
        xp = np.take(xp, np.arange(-lo, n) % n, axis=axis)
    pairs = tuple((0, hi) for _, hi in _pairs(kw))
    return conv_taps(xp, w, b, **{**kw, "padding": pairs, "padding_mode": "zeros"})


@_mutant
def last_tap_unused(x: np.ndarray, w: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
    """Loops the first spatial axis's taps over range(k - 1): the last one never read."""
    if w.shape[2] == 1:
        return conv_taps(x, w, b, **kw)
    cut = np.array(w)
    cut[:, :, -1] = 0
    return conv_taps(x, cut, b, **kw)


@_mutant
def channels_averaged(x: np.ndarray, w: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
    """Averages over the group's input channels instead of summing them."""
    y = conv_taps(x, w, None, **kw) / w.shape[1]
    return y if b is None else y + np.asarray(b).reshape(-1, *(1,) * (x.ndim - 2))


@_mutant
def one_by_one_transposed(x: np.ndarray, w: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
    """A 1×1 fast path that reads w's (C_out, C_in) as (C_in, C_out): a reshape where a
    transpose belongs."""
    if any(k != 1 for k in w.shape[2:]):
        return conv_taps(x, w, b, **kw)
    scrambled = w.reshape(w.shape[1], w.shape[0], *w.shape[2:]).swapaxes(0, 1)
    return conv_taps(x, np.ascontiguousarray(scrambled), b, **kw)


@_mutant
def no_output_unchecked(x: np.ndarray, w: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
    """Returns an empty array where no window fits, instead of raising ValueError."""
    sizes = [n + lo + hi - receptive_field(k, dl) for n, k, dl, (lo, hi) in
             zip(x.shape[2:], w.shape[2:], kw["dilation"], _pairs(kw), strict=True)]
    if min(sizes) < 0:
        return np.zeros((x.shape[0], w.shape[0], *(max(0, s // st + 1) for s, st in
                                                    zip(sizes, kw["stride"], strict=True))))
    return conv_taps(x, w, b, **kw)


# --- the batch bugs -----------------------------------------------------------------------


@_mutant
def batch_fast_path_drops_bias(x: np.ndarray, w: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
    """A batched fast path for N >= 8 that forgets the bias: sample n's output depends on
    the batch size."""
    return conv_taps(x, w, None if x.shape[0] >= 8 else b, **kw)


@_mutant
def odd_batch_drops_last(x: np.ndarray, w: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
    """Works through the batch in pairs: the last sample of an odd batch is left as zeros."""
    y = conv_taps(x, w, b, **kw)
    if x.shape[0] % 2:
        y[-1] = 0
    return y


# --- the backward pass ----------------------------------------------------------------------


def _vjp_bias_mean(x: np.ndarray, w: np.ndarray, b: Any, g: np.ndarray, **kw: Any) -> tuple:
    gx, gw, gb = vjp_taps(x, w, b, g, **kw)
    return gx, gw, (gb / (g.size // g.shape[1])).astype(gb.dtype)


def _vjp_unfolded(x: np.ndarray, w: np.ndarray, b: Any, g: np.ndarray, **kw: Any) -> tuple:
    gx, gw, gb = vjp_taps(x, w, b, g, **kw)
    if kw.get("padding_mode") == "circular":  # the wrapped reads' gradient dropped
        gx = vjp_taps(x, w, b, g, **{**kw, "padding_mode": "zeros"})[0]
    return gx, gw, gb


def vjp_bias_mean(x: np.ndarray, w: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
    """The backward pass averages g for ∂L/∂b instead of summing it."""
    return conv_taps(x, w, b, **kw)


def vjp_circular_unfolded(x: np.ndarray, w: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
    """The backward pass drops the gradient of the wrapped reads on the torus (the
    padding's adjoint treated as zero padding's)."""
    return conv_taps(x, w, b, **kw)


vjp_bias_mean = _mutant(vjp_bias_mean, _vjp_bias_mean)
vjp_circular_unfolded = _mutant(vjp_circular_unfolded, _vjp_unfolded)


# --- the contract's side conditions --------------------------------------------------------


@_mutant
def mutates_kernel(x: np.ndarray, w: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
    """Flips w in place after using it (a caller's weights changed)."""
    y = conv_taps(x, w, b, **kw)
    w[...] = w[(Ellipsis, *(slice(None, None, -1),) * (w.ndim - 2))].copy()
    return y


@_mutant
def reads_memory_order(x: np.ndarray, w: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
    """Reads x's buffer in memory order as if it were C-contiguous (ravel(order='K'))."""
    return conv_taps(x.ravel(order="K").reshape(x.shape), w, b, **kw)


@_mutant
def reads_kernel_memory_order(x: np.ndarray, w: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
    """Reads w's buffer in memory order as if it were C-contiguous: a channels-last or
    Fortran-ordered kernel comes out transposed."""
    return conv_taps(x, w.ravel(order="K").reshape(w.shape), b, **kw)


@_mutant
def float32_arithmetic(x: np.ndarray, w: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
    """Computes in float32 whatever the input's dtype."""
    b32 = None if b is None else np.asarray(b, np.float32)
    return conv_taps(x.astype(np.float32), w.astype(np.float32), b32, **kw).astype(x.dtype)


KINDS: dict[str, tuple[Fn, ...]] = {
    "adapter mistake": (stride_one_axis, stride_starts_late, dilation_on_input, groups_mix_channels,
                        padding_lo_hi_swapped, bias_per_group, output_size_ceil,
                        kernel_flipped, circular_one_sided, last_tap_unused,
                        channels_averaged, one_by_one_transposed, no_output_unchecked),
    "batch": (batch_fast_path_drops_bias, odd_batch_drops_last),
    "backward pass": (vjp_bias_mean, vjp_circular_unfolded),
    "contract": (mutates_kernel, reads_memory_order, reads_kernel_memory_order,
                 float32_arithmetic),
}

KIND: dict[str, str] = {fn.__name__: kind for kind, group in KINDS.items() for fn in group}

CONV_MUTANTS: dict[str, Conv] = {fn.__name__: as_conv(fn.__name__, fn)
                                 for group in KINDS.values() for fn in group}
