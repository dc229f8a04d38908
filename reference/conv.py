"""The convolution contract computed three independent ways, with their backward passes.

y[m, o, i] = b[o] + Σ_{c<G} Σ_a w[o, c, a]·xp[m, g·G + c, i·s + a·δ]   (theory.conv)

* :func:`conv_loops`: the formula transcribed term by term, the padding decided per term
  by index arithmetic (no padded copy); its backward pass :func:`vjp_loops` sends each
  term's g·w and g·xp back to where the term came from;
* :func:`conv_taps`: one strided slice of the padded input per kernel tap a, contracted
  over the group's channels with w[..., a] (the sum over taps outermost); backward pass
  :func:`vjp_taps` the same slices, added into;
* :func:`conv_windows`: every window gathered as a strided view (theory.conv.window_view)
  of the input padded by np.pad, and contracted with w in one einsum per group; backward
  pass :func:`vjp_windows` through the adjoint of the window map, scattered with
  np.add.at. It shares no computation with :func:`conv_taps` (their shape and argument
  checks aside), so that each checks the other on inputs too large for the loops.

All compute in float64 (float32 inputs are widened, and the result rounded back once),
by direct summation: exact on integer data (theory.bounds).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product
from math import prod

import numpy as np
from convproof.reference.conv_contract import declare_conv
from convproof.theory.conv import ConvSpec, conv_pad, conv_shape, padded_index, window_view

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray]


def check(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, spec: ConvSpec
          ) -> tuple[int, ...]:
    """The spatial output shape, after checking x, w and b against the contract
    (ValueError naming what does not fit)."""
    d = spec.ndim
    if x.ndim != d + 2 or w.ndim != d + 2:
        raise ValueError(f"x {x.shape} and w {w.shape} must have {d} spatial axes after "
                         "(N, C_in) and (C_out, C_in // groups)")
    c_in, c_out, g = x.shape[1], w.shape[0], spec.groups
    if c_in % g or c_out % g or w.shape[1] != c_in // g:
        raise ValueError(f"groups={g} does not fit C_in={c_in}, C_out={c_out}, w {w.shape}")
    if b is not None and np.shape(b) != (c_out,):
        raise ValueError(f"b of shape {np.shape(b)}, expected ({c_out},)")
    return conv_shape(x.shape[2:], w.shape[2:], spec)


def _spec(stride: tuple[int, ...], padding: tuple[tuple[int, int], ...],
          dilation: tuple[int, ...], groups: int, padding_mode: str) -> ConvSpec:
    return ConvSpec(tuple(stride), tuple(tuple(p) for p in padding), tuple(dilation), groups,
                    padding_mode)  # type: ignore[arg-type]


def _result(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    return y.astype(x.dtype, copy=False)


# --- the literal transcription ---------------------------------------------------------


def _sources(out: tuple[int, ...], kernel: tuple[int, ...], x_shape: tuple[int, ...],
             spec: ConvSpec) -> list[list[list[int | None]]]:
    """Per axis, the input index j = i·s + a·δ - lo that term (i, a) reads (mod n on the
    torus), or None where zero padding reads 0: table[axis][i][a]."""
    tables = []
    for o, k, n, s, dl, (lo, _) in zip(out, kernel, x_shape, spec.stride, spec.dilation,
                                       spec.padding, strict=True):
        rows = []
        for i in range(o):
            row: list[int | None] = []
            for a in range(k):
                j = i * s + a * dl - lo
                if spec.padding_mode == "circular":
                    j %= n
                row.append(j if 0 <= j < n else None)
            rows.append(row)
        tables.append(rows)
    return tables


def _terms(tables: list, out: tuple[int, ...], kernel: tuple[int, ...],
           spatial: tuple[int, ...]) -> list[list[tuple[int, int]]]:
    """Per output position i (in C order), the terms y[.., i] sums, as (a, j): the flat
    index of the kernel tap a and of the input position j it reads, taps in np.ndindex
    order, the terms that read a padded zero left out."""
    taps = list(np.ndindex(kernel))
    rows = []
    for i in np.ndindex(out):
        row = []
        for a_flat, a in enumerate(taps):
            j = tuple(table[ii][aa] for table, ii, aa in zip(tables, i, a, strict=True))
            if None not in j:
                row.append((a_flat, int(np.ravel_multi_index(j, spatial))))
        rows.append(row)
    return rows


def _flat(t: np.ndarray) -> list[list[list[float]]]:
    """t as Python floats (exactly, float32 too), t[m][c][flat spatial index]: reading a
    list is what keeps the term-by-term sum affordable (numpy scalar indexing costs ~10×)."""
    return t.reshape(t.shape[0], t.shape[1], -1).tolist()


@declare_conv(dtypes=("float64", "float32"), vjp=True)
def conv_loops(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, *,
               stride: tuple[int, ...], padding: tuple[tuple[int, int], ...],
               dilation: tuple[int, ...], groups: int = 1,
               padding_mode: str = "zeros") -> np.ndarray:
    """y[m, o, i] = b[o] + Σ_c Σ_a w[o, c, a]·xp[m, g·G + c, i·s + a·δ], one term at a time."""
    spec = _spec(stride, padding, dilation, groups, padding_mode)
    out = check(x, w, b, spec)
    n_batch, c_out, G = x.shape[0], w.shape[0], w.shape[1]
    per_group = c_out // groups
    terms = _terms(_sources(out, w.shape[2:], x.shape[2:], spec), out, w.shape[2:],
                   x.shape[2:])
    xs, ws = _flat(x), _flat(w)
    y = np.empty((n_batch, c_out, len(terms)))
    for m, o in product(range(n_batch), range(c_out)):
        g = o // per_group
        for i, row in enumerate(terms):
            total = 0.0 if b is None else float(b[o])
            for c in range(G):
                w_oc, x_mc = ws[o][c], xs[m][g * G + c]
                for a, j in row:
                    total += w_oc[a] * x_mc[j]
            y[m, o, i] = total
    return _result(y.reshape(n_batch, c_out, *out), x)


def vjp_loops(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, g_out: np.ndarray, *,
              stride: tuple[int, ...], padding: tuple[tuple[int, int], ...],
              dilation: tuple[int, ...], groups: int = 1, padding_mode: str = "zeros"
              ) -> Arrays:
    """(∂L/∂x, ∂L/∂w, ∂L/∂b) for L = <conv(x, w, b), g>: every term w·x of y[m, o, i]
    sends g[m, o, i]·w to x's gradient and g[m, o, i]·x to w's, term by term."""
    spec = _spec(stride, padding, dilation, groups, padding_mode)
    out = check(x, w, b, spec)
    n_batch, c_out, G = x.shape[0], w.shape[0], w.shape[1]
    per_group = c_out // groups
    terms = _terms(_sources(out, w.shape[2:], x.shape[2:], spec), out, w.shape[2:],
                   x.shape[2:])
    xs, ws, gs = _flat(x), _flat(w), _flat(g_out)
    n_x, n_w = prod(x.shape[2:]), prod(w.shape[2:])
    gx = [[[0.0] * n_x for _ in range(x.shape[1])] for _ in range(n_batch)]
    gw = [[[0.0] * n_w for _ in range(G)] for _ in range(c_out)]
    gb = [0.0] * c_out
    for m, o in product(range(n_batch), range(c_out)):
        g = o // per_group
        for i, row in enumerate(terms):
            t = gs[m][o][i]
            gb[o] += t
            for c in range(G):
                w_oc, x_mc = ws[o][c], xs[m][g * G + c]
                gw_oc, gx_mc = gw[o][c], gx[m][g * G + c]
                for a, j in row:
                    gx_mc[j] += t * w_oc[a]
                    gw_oc[a] += t * x_mc[j]
    return (_result(np.array(gx).reshape(x.shape), x), _result(np.array(gw).reshape(w.shape), x),
            _result(np.array(gb), x))


conv_loops.vjp = vjp_loops  # type: ignore[attr-defined]


# --- one strided slice per kernel tap ---------------------------------------------------


def _tap_slices(kernel: tuple[int, ...], out: tuple[int, ...], spec: ConvSpec
                ) -> Iterator[tuple[tuple, tuple[slice, ...]]]:
    """For each tap a (in np.ndindex order), the index (..., *a) of its weights and the
    slice of (N, g, G, *padded) it reads for all outputs: a·δ, a·δ + s, ... per axis."""
    axes = [[slice(aa * dl, aa * dl + s * (o - 1) + 1, s) for aa in range(k)]
            for k, dl, s, o in zip(kernel, spec.dilation, spec.stride, out, strict=True)]
    taps = ((Ellipsis, *a) for a in product(*map(range, kernel)))
    return zip(taps, ((slice(None),) * 3 + where for where in product(*axes)), strict=True)


def _grouped(t: np.ndarray, groups: int) -> np.ndarray:
    """(N, C, *sp) -> (N, groups, C // groups, *sp)."""
    return t.reshape(t.shape[0], groups, t.shape[1] // groups, *t.shape[2:])


@declare_conv(dtypes=("float64", "float32"), vjp=True)
def conv_taps(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, *,
              stride: tuple[int, ...], padding: tuple[tuple[int, int], ...],
              dilation: tuple[int, ...], groups: int = 1,
              padding_mode: str = "zeros") -> np.ndarray:
    """Σ over taps a of w[..., a] applied to the strided slice xp[..., a·δ :: s]."""
    spec = _spec(stride, padding, dilation, groups, padding_mode)
    out = check(x, w, b, spec)
    xp = _grouped(conv_pad(x.astype(np.float64), spec), groups)  # (N, g, G, *padded)
    wg = w.astype(np.float64).reshape(groups, w.shape[0] // groups, *w.shape[1:])
    y = np.zeros((x.shape[0], groups, w.shape[0] // groups, *out))
    spatial = "ijk"[:spec.ndim]
    subscripts = f"ngc{spatial},goc->ngo{spatial}"
    for a, where in _tap_slices(w.shape[2:], out, spec):  # xp[where]: (N, g, G, *out)
        y += np.einsum(subscripts, xp[where], wg[a])
    y = y.reshape(x.shape[0], w.shape[0], *out)
    if b is not None:
        y += np.asarray(b, dtype=np.float64).reshape(-1, *(1,) * len(out))
    return _result(y, x)


def _fold(gxp: np.ndarray, shape: tuple[int, ...], spec: ConvSpec) -> np.ndarray:
    """The adjoint of padding: each padded position's gradient added to the input index
    it reads (mod n on the torus), dropped where it read a zero."""
    for axis, (n, (lo, hi)) in enumerate(zip(shape, spec.padding, strict=True), start=2):
        index = padded_index(n, lo, hi, spec.padding_mode)
        folded = np.zeros((*gxp.shape[:axis], n + 1, *gxp.shape[axis + 1:]))
        np.add.at(folded, (slice(None),) * axis + (index,), gxp)  # -1: the dropped slot
        gxp = np.take(folded, np.arange(n), axis=axis)
    return gxp


def vjp_taps(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, g_out: np.ndarray, *,
             stride: tuple[int, ...], padding: tuple[tuple[int, int], ...],
             dilation: tuple[int, ...], groups: int = 1, padding_mode: str = "zeros"
             ) -> Arrays:
    """The backward pass tap by tap: gxp[..., a·δ :: s] += g·w[..., a], gw[..., a] =
    <g, xp[..., a·δ :: s]>, then the padding folded back (:func:`_fold`)."""
    spec = _spec(stride, padding, dilation, groups, padding_mode)
    out = check(x, w, b, spec)
    xp = _grouped(conv_pad(x.astype(np.float64), spec), groups)
    wg = w.astype(np.float64).reshape(groups, w.shape[0] // groups, *w.shape[1:])
    gg = _grouped(g_out.astype(np.float64), groups)  # (N, g, O, *out)
    spatial = "ijk"[:spec.ndim]
    gxp = np.zeros(xp.shape)
    gw = np.zeros(wg.shape)
    to_x, to_w = f"ngo{spatial},goc->ngc{spatial}", f"ngo{spatial},ngc{spatial}->goc"
    for a, where in _tap_slices(w.shape[2:], out, spec):
        gxp[where] += np.einsum(to_x, gg, wg[a])
        gw[a] = np.einsum(to_w, gg, xp[where])
    gx = _fold(gxp.reshape(x.shape[0], x.shape[1], *xp.shape[3:]), x.shape[2:], spec)
    gb = g_out.astype(np.float64).sum(axis=(0, *range(2, g_out.ndim)))
    return _result(gx, x), _result(gw.reshape(w.shape), x), _result(gb, x)


conv_taps.vjp = vjp_taps  # type: ignore[attr-defined]


# --- every window at once ---------------------------------------------------------------
#
# Independent of the two above: the padding is numpy's (np.pad) and the groups a loop,
# so that a mistake in theory.conv.conv_pad / padded_index or in _grouped, which the
# tap-by-tap reference uses, is not repeated here (reference.oracles compares the two).

#: np.pad's mode for each padding mode ('wrap' wraps as many turns as lo and hi need).
_NP_PAD = {"zeros": "constant", "circular": "wrap"}


def _np_padded(x: np.ndarray, spec: ConvSpec) -> np.ndarray:
    """xp by np.pad: (N, C, *n) padded on its spatial axes."""
    return np.pad(x, [(0, 0), (0, 0), *spec.padding], mode=_NP_PAD[spec.padding_mode])


def _np_unpadded(gxp: np.ndarray, shape: tuple[int, ...], spec: ConvSpec) -> np.ndarray:
    """The adjoint of :func:`_np_padded`: a padded zero's gradient dropped, a wrapped
    copy's added to the input position it copies ((j - lo) mod n)."""
    for axis, (n, (lo, _)) in enumerate(zip(shape, spec.padding, strict=True), start=2):
        if spec.padding_mode == "zeros":
            gxp = np.take(gxp, np.arange(lo, lo + n), axis=axis)
            continue
        folded = np.zeros((*gxp.shape[:axis], n, *gxp.shape[axis + 1:]))
        copies = (np.arange(gxp.shape[axis]) - lo) % n
        np.add.at(folded, (slice(None),) * axis + (copies,), gxp)
        gxp = folded
    return gxp


@declare_conv(dtypes=("float64", "float32"), vjp=True)
def conv_windows(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, *,
                 stride: tuple[int, ...], padding: tuple[tuple[int, int], ...],
                 dilation: tuple[int, ...], groups: int = 1,
                 padding_mode: str = "zeros") -> np.ndarray:
    """Per group q, one einsum of the window view (N, G, *out, *k) of q's input channels
    with q's filters (O, G, *k)."""
    spec = _spec(stride, padding, dilation, groups, padding_mode)
    out = check(x, w, b, spec)
    d = spec.ndim
    v = window_view(_np_padded(x.astype(np.float64), spec), w.shape[2:], spec, out)
    w64 = w.astype(np.float64)
    G, O = w.shape[1], w.shape[0] // groups
    spatial, taps = "ijk"[:d], "xyz"[:d]
    y = np.concatenate([np.einsum(f"nc{spatial}{taps},oc{taps}->no{spatial}",
                                  v[:, q * G:(q + 1) * G], w64[q * O:(q + 1) * O], optimize=True)
                        for q in range(groups)], axis=1)
    if b is not None:
        y = y + np.asarray(b, dtype=np.float64).reshape(-1, *(1,) * d)
    return _result(y, x)


def vjp_windows(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, g_out: np.ndarray, *,
                stride: tuple[int, ...], padding: tuple[tuple[int, int], ...],
                dilation: tuple[int, ...], groups: int = 1, padding_mode: str = "zeros"
                ) -> Arrays:
    """The backward pass through the window map, group by group: ∂L/∂v = g ⊗ w scattered
    (np.add.at) to the padded positions i·s + a·δ, then through the padding's adjoint
    (:func:`_np_unpadded`); ∂L/∂w the contraction of g with the windows; ∂L/∂b the sum
    of g."""
    spec = _spec(stride, padding, dilation, groups, padding_mode)
    out = check(x, w, b, spec)
    d = spec.ndim
    xp = _np_padded(x.astype(np.float64), spec)
    v = window_view(xp, w.shape[2:], spec, out)  # (N, C_in, *out, *k)
    w64, g64 = w.astype(np.float64), g_out.astype(np.float64)
    G, O = w.shape[1], w.shape[0] // groups
    spatial, taps = "ijk"[:d], "xyz"[:d]
    gw = np.concatenate([np.einsum(f"no{spatial},nc{spatial}{taps}->oc{taps}",
                                   g64[:, q * O:(q + 1) * O], v[:, q * G:(q + 1) * G],
                                   optimize=True) for q in range(groups)], axis=0)
    gv = np.concatenate([np.einsum(f"no{spatial},oc{taps}->nc{spatial}{taps}",
                                   g64[:, q * O:(q + 1) * O], w64[q * O:(q + 1) * O],
                                   optimize=True) for q in range(groups)], axis=1)
    # the padded position i·s + a·δ of every (i, a), per axis, over (*out, *k)
    full = (*out, *w.shape[2:])
    position = []
    for axis, (s, dl) in enumerate(zip(spec.stride, spec.dilation, strict=True)):
        i = np.arange(out[axis]).reshape([-1 if q == axis else 1 for q in range(2 * d)])
        a = np.arange(w.shape[2 + axis]).reshape([-1 if q == d + axis else 1 for q in range(2 * d)])
        position.append(np.broadcast_to(i * s + a * dl, full))
    gxp = np.zeros(xp.shape)
    np.add.at(gxp, (slice(None), slice(None), *position), gv)
    gx = _np_unpadded(gxp, x.shape[2:], spec)
    gb = g64.sum(axis=(0, *range(2, g_out.ndim)))
    return _result(gx, x), _result(gw, x), _result(gb, x)


conv_windows.vjp = vjp_windows  # type: ignore[attr-defined]


def work(x: np.ndarray, w: np.ndarray, spec: ConvSpec) -> int:
    """Multiply-adds of one call: N·C_out·Πout outputs times (C_in/groups)·Πk terms."""
    try:
        out = conv_shape(x.shape[2:], w.shape[2:], spec)
    except ValueError:
        return 0
    return x.shape[0] * w.shape[0] * prod(out) * prod(w.shape[1:])
