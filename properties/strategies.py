"""Shared Hypothesis strategies: images, kernels, biases, shifts and whole layer inputs.

Everything composes: a new property draws a :class:`Case` from :func:`cases` (or builds
its own from the parts) and states its claim in a few lines; what goes with the input
(a shift, an impulse, a second input) comes with it in the same draw through ``extra=``
(:func:`shift_of`, :func:`impulse_of`, :func:`alternatives_of`, or a reader of its own).
Two ways of drawing:

* the default, fast one (properties.packed): a whole layer input is a fixed-size header
  of small digits and one block of bytes for its arrays, two Hypothesis choices whatever
  the sizes, since Hypothesis's cost is per draw and per choice;
* ``minimal=True``: every part and every element drawn on its own with
  ``hypothesis.extra.numpy``, which shrinks each to 0 separately; for the
  counterexamples a reader sees (convproof.harness.refute).

Two kinds of values:

* integer-valued floats (``exact=True``, the default): small enough that every sum the
  layer forms is exact in float64 (theory.bounds, item 1), so algebraic identities are
  checked with ``==``;
* wide-range floats (``exact=False``): magnitudes 0 or 2^-200 .. 2^200 of either sign,
  so products neither overflow nor underflow and the error bounds of theory.bounds apply;
* either, drawn (``exact=None``), integer-valued first so that shrinking goes there.

Shapes cover 1×N, N×1 and non-square images; Δ covers 0 (a 1×1 kernel) and kernels
larger than the image; arrays arrive in every memory layout (:data:`LAYOUTS`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from math import prod
from typing import Any

import hypothesis.extra.numpy as hnp
import numpy as np
from convproof.properties import packed
from convproof.properties.packed import INT_BOUND, Reader, zigzag
from convproof.theory.indices import PADDINGS, Padding
from hypothesis import strategies as st

#: Largest side of a drawn image, and largest Δ: small enough to keep the dense W and the
#: loop reference cheap, large enough for kernels that wrap the image several times.
MAX_SIDE = 8
MAX_DELTA = 3
#: Integer entries lie in [-INT_BOUND, INT_BOUND] (properties.packed): with at most
#: (2·MAX_DELTA+1)^2 terms every sum stays far below 2^53 (and below 2^24, so float32
#: is exact too on them).
TINY, HUGE = 2.0**-200, 2.0**200
#: float32 data: products of two such values neither overflow nor underflow in float32.
TINY32, HUGE32 = 2.0**-40, 2.0**40


@cache
def scalars(exact: bool = True) -> st.SearchStrategy[float]:
    """One entry of x or V, or a bias u."""
    if exact:
        return st.integers(-INT_BOUND, INT_BOUND).map(float)
    return st.floats(
        -HUGE, HUGE, allow_nan=False, allow_infinity=False, allow_subnormal=False
    ).map(lambda v: v if abs(v) >= TINY else 0.0)


@cache
def deltas(max_delta: int = MAX_DELTA) -> st.SearchStrategy[int]:
    """The locality radius Δ >= 0; Δ = 0 is a 1×1 kernel."""
    return st.integers(0, max_delta)


@cache
def shapes(min_side: int = 1, max_side: int = MAX_SIDE) -> st.SearchStrategy[tuple[int, int]]:
    """(H, W) image shapes, 1×N, N×1 and non-square included."""
    side = st.integers(min_side, max_side)
    return st.tuples(side, side)  # two choices; hnp.array_shapes spends a dozen


def _flush_tiny(a: np.ndarray) -> np.ndarray:
    a[np.abs(a) < TINY] = 0.0
    return a


@cache
def arrays(
    shape: tuple[int, ...], exact: bool = True, minimal: bool = False
) -> st.SearchStrategy[np.ndarray]:
    """A float64 array of the given shape: small integers (``exact``) or wide-range floats.

    Drawn as a few header digits and one seeded block (properties.packed): a constant,
    sparse or dense array, in two choices whatever its size. ``minimal=True`` draws
    every element with hypothesis.extra.numpy, which shrinks each one to 0 on its own:
    use it where the shrunk example is shown to a reader (counterexamples).
    """
    if not minimal:
        size = prod(shape)
        return packed.packed(lambda r: packed.array(r, shape, size, exact))
    if exact:
        ints = hnp.arrays(np.int64, shape, elements=st.integers(-INT_BOUND, INT_BOUND),
                          fill=st.nothing())
        return ints.map(lambda a: a.astype(np.float64))
    floats = st.floats(-HUGE, HUGE, allow_nan=False, allow_infinity=False, allow_subnormal=False)
    return hnp.arrays(np.float64, shape, elements=floats, fill=st.nothing()).map(_flush_tiny)


@cache
def float32_arrays(shape: tuple[int, ...], exact: bool = True) -> st.SearchStrategy[np.ndarray]:
    """A float32 array: small integers, or magnitudes 0 or 2^-40 .. 2^40 (float32 values)."""
    size = prod(shape)
    return packed.packed(lambda r: packed.array(r, shape, size, exact, np.float32))


@cache
def images(min_side: int = 1, max_side: int = MAX_SIDE) -> st.SearchStrategy[np.ndarray]:
    """An integer-valued image x of sides min_side .. max_side, its shape and entries
    read in one draw (properties.packed)."""

    def read(r: Reader) -> np.ndarray:
        shape = (r.side(min_side, max_side), r.side(min_side, max_side))
        return packed.array(r, shape, max_side**2)

    return packed.packed(read)


@cache
def kernels(delta: int, exact: bool = True, minimal: bool = False) -> st.SearchStrategy[np.ndarray]:
    """V of shape (2Δ+1, 2Δ+1), V[Δ + a, Δ + b] the article's V[a, b]."""
    return arrays((2 * delta + 1, 2 * delta + 1), exact, minimal)


@cache
def shifts(shape: tuple[int, int], beyond: int = 2) -> st.SearchStrategy[tuple[int, int]]:
    """Shifts s with |s_d| <= beyond·n_d: zero, partial, full and several turns of the torus."""
    return st.tuples(*(st.integers(-beyond * n, beyond * n) for n in shape))


def _strided(a: np.ndarray) -> np.ndarray:
    buffer = np.zeros((2 * a.shape[0], 3 * a.shape[1]))
    view = buffer[::2, ::3]
    view[...] = a
    return view


def _reversed(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a[::-1, ::-1])[::-1, ::-1]


def _transposed(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a.T).T


def _read_only(a: np.ndarray) -> np.ndarray:
    b = a.copy()
    b.flags.writeable = False
    return b


#: Memory layouts of the same values: the contract says x may be any of these.
LAYOUTS = {
    "contiguous": np.ascontiguousarray,
    "fortran": np.asfortranarray,
    "strided": _strided,
    "reversed": _reversed,
    "transposed": _transposed,
    "read-only": _read_only,
}


_LAYOUT_FUNCTIONS = tuple(LAYOUTS.values())
#: One of the :data:`LAYOUTS` functions, drawn (contiguous first, so it shrinks there).
layout_functions = st.sampled_from(_LAYOUT_FUNCTIONS)


@dataclass(frozen=True)
class Case:
    """One input of the layer: h = layer(x, V, u, padding)."""

    x: np.ndarray
    V: np.ndarray
    u: float
    padding: Padding

    @property
    def delta(self) -> int:
        return (self.V.shape[0] - 1) // 2

    def __repr__(self) -> str:
        return (
            f"Case(padding={self.padding!r}, u={self.u!r},\n  x={self.x.tolist()!r},\n"
            f"  V={self.V.tolist()!r})"
        )

    def _repr_pretty_(self, p, cycle: bool) -> None:
        p.text(repr(self))


def _paddings(padding: Padding | tuple[Padding, ...] | None) -> tuple[Padding, ...]:
    if padding is None:
        return PADDINGS
    return padding if isinstance(padding, tuple) else (padding,)


@st.composite
def _minimal_cases(draw: st.DrawFn, paddings: tuple[Padding, ...], exact: bool,
                   max_side: int, max_delta: int, any_layout: bool) -> Case:
    pad = draw(st.sampled_from(paddings), label="padding")
    delta = draw(deltas(max_delta))
    low = 2 * delta + 1 if pad == "valid" else 1
    x = draw(arrays(draw(shapes(low, max(low, max_side))), exact, minimal=True))
    if any_layout:
        x = draw(layout_functions)(x)
    V = draw(kernels(delta, exact, minimal=True))
    return Case(x=x, V=V, u=draw(scalars(exact)), padding=pad)


#: Reads a value that goes with a drawn case off the same reader: ``extra(r, case,
#: exact)``. It may depend on the case's shapes, but must read a fixed number of header
#: bytes (properties.packed); ``exact`` is the case strategy's.
Extra = Callable[[Reader, Case, bool], Any]


def _packed_with(read: Callable[[Reader, bool], Case], extra: Extra | None,
                 exact: bool | None) -> st.SearchStrategy[Any]:
    """The packed strategy of ``read(r, exact)``, or of (case, extra(r, case, exact)), for
    ``exact`` None both kinds (integer-valued first, so it shrinks there): one draw where
    a drawn boolean, a case and its extra took three, each of which costs Hypothesis
    more than the reading."""
    kinds = (True, False) if exact is None else (exact,)

    def build(kind: bool) -> Callable[[Reader], Any]:
        if extra is None:
            return lambda r: read(r, kind)

        def both(r: Reader) -> tuple[Case, Any]:
            case = read(r, kind)
            return case, extra(r, case, kind)

        return both

    return packed.packed(*(build(kind) for kind in kinds))


@cache
def cases(
    padding: Padding | tuple[Padding, ...] | None = None,
    exact: bool | None = True,
    max_side: int = MAX_SIDE,
    max_delta: int = MAX_DELTA,
    any_layout: bool = True,
    minimal: bool = False,
    extra: Extra | None = None,
) -> st.SearchStrategy[Any]:
    """A layer input; for 'valid' the image is at least as large as the kernel (the
    larger-kernel case is its own property), otherwise any size, often smaller.
    ``padding``: one padding, a tuple to draw from, or None for all of them. Drawn as a
    header and one block for the arrays (properties.packed); ``minimal=True`` draws
    each part, and each element, on its own, for counterexamples shown to a reader (see
    :func:`arrays`). ``exact``: integer-valued entries (True), wide-range floats (False)
    or either, drawn (None). With ``extra`` (:func:`impulse_of`, :func:`shift_of`,
    :func:`alternatives_of`), the strategy gives (case, extra value), read in the same
    draw."""
    paddings = _paddings(padding)
    if minimal:
        if exact is None or extra is not None:
            raise ValueError("cases(minimal=True) takes exact=True or False and no extra")
        return _minimal_cases(paddings, exact, max_side, max_delta, any_layout)
    layouts = _LAYOUT_FUNCTIONS if any_layout else ()
    return _packed_with(lambda r, kind: _read_input(r, 2, paddings, max_side, max_delta, kind,
                                                    layouts=layouts), extra, exact)


def spatial_shape(case: Case) -> tuple[int, ...]:
    """The spatial axes of x: all of them, or all but the channel axis when V carries
    (C_in, C_out) axes."""
    return case.x.shape[:-1] if case.V.ndim == case.x.ndim + 1 else case.x.shape


def impulse_of(r: Reader, case: Case, exact: bool = True) -> tuple[tuple[int, ...], float]:
    """(k, t): a position k of x (its channel axis included) and a nonzero integer t in
    [-INT_BOUND, INT_BOUND], for probing h(x + t·e_k) - h(x); zero bytes give k = 0, t = 1."""
    k = tuple(r.digit(n) for n in case.x.shape)
    return k, float(zigzag(r.digit(2 * INT_BOUND) + 1))


def shift_of(r: Reader, case: Case, exact: bool = True, beyond: int = 2) -> tuple[int, ...]:
    """A shift s of x's spatial axes with |s_d| <= beyond·n_d (as :func:`shifts`)."""
    return tuple(r.signed(beyond * n) for n in spatial_shape(case))


def turn_shift_of(r: Reader, case: Case, exact: bool = True) -> tuple[int, ...]:
    """A shift of at most one turn of the torus per axis, |s_d| <= n_d."""
    return shift_of(r, case, exact, beyond=1)


def alternatives_of(r: Reader, case: Case, exact: bool = True
                    ) -> tuple[np.ndarray, np.ndarray, float]:
    """(x2, V2, u2): another image in any layout, kernel and bias of the case's shapes
    and kind (integer-valued if ``exact``), for calls that change one argument; for 2-D
    cases within MAX_SIDE and MAX_DELTA."""
    side = 2 * MAX_DELTA + 1
    x_plan = packed.plan(r, case.x.shape, max(MAX_SIDE, side)**2, exact)
    layout = r.pick(_LAYOUT_FUNCTIONS)
    V_plan = packed.plan(r, case.V.shape, side**2, exact)
    u2 = packed.scalar(r, exact)
    x2, V2 = packed.fill(r, x_plan, V_plan)
    return layout(x2), V2, u2


@cache
def oversized_cases(ndim: int, max_delta: int, margin: int = 1) -> st.SearchStrategy[Case]:
    """An integer-valued 'valid' input whose kernel (Δ >= 1) is wider than x along at
    least one axis (drawn): sides 1 .. 2Δ + 1 + ``margin`` elsewhere."""

    def read(r: Reader) -> Case:
        delta = 1 + r.digit(max_delta)
        side = 2 * delta + 1
        short = r.digit(ndim)
        shape = tuple(r.side(1, side - 1 if d == short else side + margin) for d in range(ndim))
        top_x = (2 * max_delta + 1 + margin) ** ndim
        plans = (packed.plan(r, shape, top_x), packed.plan(r, (side,) * ndim,
                                                            (2 * max_delta + 1) ** ndim))
        u = packed.scalar(r)
        x, V = packed.fill(r, *plans)
        return Case(x=x, V=V, u=u, padding="valid")

    return packed.packed(read)


def impulse(shape: tuple[int, int], k: int, l: int, t: float = 1.0) -> np.ndarray:
    """t·e_kl: the image that is t at (k, l) and 0 elsewhere."""
    e = np.zeros(shape)
    e[k, l] = t
    return e


# --- N-D signals, channels, stacks (every-dimension, channels, stacking) ---------------

#: Largest side and Δ of a drawn N-D input, per dimension: the loop references visit
#: side^d outputs × (2Δ+1)^d offsets, so 3-D volumes stay tiny. Δ still exceeds the side
#: (a kernel that wraps the torus) in every dimension.
ND_MAX_SIDE: dict[int, int] = {1: 10, 2: 5, 3: 3}
ND_MAX_DELTA: dict[int, int] = {1: 3, 2: 2, 3: 1}


def thorough() -> bool:
    """Whether the run uses the ``thorough`` profile (10,000 examples per property): the
    exhaustive small-scope checks then widen their scope."""
    from hypothesis import settings

    return settings.default.max_examples >= 10_000


def nd_shapes(ndim: int, min_side: int = 1, max_side: int | None = None
              ) -> st.SearchStrategy[tuple[int, ...]]:
    """Shapes of ``ndim`` axes, sides 1 .. ND_MAX_SIDE[ndim] by default."""
    top = ND_MAX_SIDE[ndim] if max_side is None else max_side
    return hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=min_side,
                            max_side=max(min_side, top))  # type: ignore[return-value]


def _read_input(r: Reader, ndim: int, paddings: tuple[Padding, ...], max_side: int,
                max_delta: int, exact: bool = True, dtype: type = np.float64,
                max_channels: int = 0, layouts: tuple = (), one_tap: bool = False) -> Case:
    """A layer input in ``ndim`` dimensions read off ``r``: x (n1, ..., nd), V (2Δ+1,)*d
    and a scalar u, or with ``max_channels`` > 0, x (n1, ..., nd, C_in),
    V ((2Δ+1,)*d, C_in, C_out) and u (C_out,). For 'valid' the input is at least as large
    as the kernel. ``layouts``: memory layouts x is drawn in; ``one_tap``: V has a single
    nonzero entry half the time (only for wide-range floats)."""
    pad = r.pick(paddings)
    delta = r.digit(max_delta + 1)
    low = 2 * delta + 1 if pad == "valid" else 1
    shape = tuple(r.side(low, max(low, max_side)) for _ in range(ndim))
    kernel = (2 * delta + 1,) * ndim
    top_x, top_V = max(max_side, 2 * max_delta + 1) ** ndim, (2 * max_delta + 1) ** ndim
    if max_channels:
        c_in, c_out = r.side(1, max_channels), r.side(1, max_channels)
        shape, kernel = (*shape, c_in), (*kernel, c_in, c_out)
        top_x, top_V = top_x * max_channels, top_V * max_channels**2
    plans = [packed.plan(r, shape, top_x, exact, dtype)]
    layout = r.pick(layouts) if layouts else None
    plans.append(packed.plan(r, kernel, top_V, exact, dtype))
    if one_tap:
        # wide-range floats through a kernel with one nonzero entry: a term that a layer
        # drops or flushes (a tiny weight, say) is then alone in its sums, not hidden
        # under the error bound of larger terms
        alone = r.digit(2) == 1
        tap = tuple(r.digit(n) for n in kernel)
        t = packed.scale(r, dtype)
    if max_channels:
        plans.append(packed.plan(r, (c_out,), max_channels, exact, dtype))
    else:
        u = packed.scalar(r, exact, dtype)
        u = np.float32(u) if dtype == np.float32 else u
    x, V, *rest = packed.fill(r, *plans)
    if layout:
        x = layout(x)
    if one_tap and alone:
        V = np.zeros_like(V)
        V[tap] = t
    if max_channels:
        u = rest[0]
    return Case(x=x, V=V, u=u, padding=pad)  # type: ignore[arg-type]


@cache
def nd_cases(
    ndim: int,
    padding: Padding | tuple[Padding, ...] | None = None,
    exact: bool | None = True,
    max_side: int | None = None,
    max_delta: int | None = None,
    extra: Extra | None = None,
) -> st.SearchStrategy[Any]:
    """A layer input in ``ndim`` dimensions (x of shape (n1, ..., nd), V of (2Δ+1,)*d),
    sides and Δ up to ND_MAX_SIDE and ND_MAX_DELTA; for 'valid' the input is at least
    as large as the kernel. ``exact`` and ``extra``: as for :func:`cases`."""
    side = ND_MAX_SIDE[ndim] if max_side is None else max_side
    delta = ND_MAX_DELTA[ndim] if max_delta is None else max_delta
    paddings = _paddings(padding)
    return _packed_with(lambda r, kind: _read_input(r, ndim, paddings, side, delta, kind),
                        extra, exact)


@cache
def channel_cases(
    padding: Padding | None = None,
    max_side: int = 5,
    max_delta: int = 2,
    max_channels: int = 3,
    extra: Extra | None = None,
) -> st.SearchStrategy[Any]:
    """An integer-valued channel-layer input: x (H, W, C_in), V (2Δ+1, 2Δ+1, C_in, C_out),
    u (C_out,); 1 <= C_in, C_out <= max_channels. ``extra``: as for :func:`cases`."""
    paddings = _paddings(padding)
    return _packed_with(lambda r, kind: _read_input(r, 2, paddings, max_side, max_delta,
                                                    max_channels=max_channels), extra, True)


def small_arrays(shape: tuple[int, ...], bound: int) -> st.SearchStrategy[np.ndarray]:
    """Integer-valued float64 arrays with entries in [-bound, bound]: for products of
    several kernels (stacks), whose sums must stay exact in float64."""
    ints = hnp.arrays(np.int64, shape, elements=st.integers(-bound, bound))
    return ints.map(lambda a: a.astype(np.float64))


# --- explicit examples and fitted cases (rare regions pinned down with @example) --------


def distinct_case(shape: tuple[int, int], delta: int, padding: Padding = "circular",
                  u: float = 3.0, twist: int = 0) -> Case:
    """An explicit layer input for ``@example``: integer-valued, pairwise distinct image
    pixels (1, 2, 3, ...) and an asymmetric kernel, so that any mix-up of indices, wrap
    or border shows, and a nonzero bias; ``twist`` > 0 gives another kernel of the same
    size. Read-only, so that a layer that writes to its inputs fails instead of
    corrupting the example for the next implementation."""
    x = np.arange(1.0, 1.0 + shape[0] * shape[1]).reshape(shape)
    side = 2 * delta + 1
    V = (np.arange(1.0, 1.0 + side * side) + twist).reshape(side, side) ** 2 % 61 - 30
    for a in (x, V):
        a.flags.writeable = False
    return Case(x=x, V=V, u=u, padding=padding)


def fitted(case: Case, padding: Padding) -> Case:
    """``case`` under ``padding``: for 'valid', a kernel larger than the image is cut to
    its central (2Δ'+1)×(2Δ'+1) block with Δ' = (min side - 1) // 2, the largest that
    fits, so one drawn (or explicit) case serves every padding."""
    delta = case.delta
    if padding == "valid" and min(case.x.shape) < 2 * delta + 1:
        cut = delta - (min(case.x.shape) - 1) // 2
        return Case(x=case.x, V=case.V[cut : case.V.shape[0] - cut, cut : case.V.shape[1] - cut],
                    u=case.u, padding=padding)
    return Case(x=case.x, V=case.V, u=case.u, padding=padding)


@cache
def cases_and_shifts(
    padding: Padding | tuple[Padding, ...] | None = None,
    beyond: int = 2,
    any_layout: bool = True,
) -> st.SearchStrategy[tuple[Case, tuple[int, int]]]:
    """(case, s): a layer input of :func:`cases` and a shift of up to ``beyond`` (1 or 2)
    turns of its image (:func:`shift_of`), as one value, so that properties over shifts
    can take ``@example``s."""
    extras = {1: turn_shift_of, 2: shift_of}
    if beyond not in extras:
        raise ValueError(f"cases_and_shifts: beyond={beyond!r}; expected 1 or 2 turns")
    return cases(padding, any_layout=any_layout, extra=extras[beyond])


# --- the layer under test in every dimension, with channels, in float32 ----------------
# (the layer properties of properties/test_layers_nd.py)

#: The dtypes an implementation may declare (reference.contract).
DTYPES: tuple[str, ...] = ("float64", "float32")


def _reversed_nd(a: np.ndarray) -> np.ndarray:
    every = (slice(None, None, -1),) * a.ndim
    return np.ascontiguousarray(a[every])[every]


def _strided_nd(a: np.ndarray) -> np.ndarray:
    buffer = np.zeros(tuple(2 * n for n in a.shape), dtype=a.dtype)
    view = buffer[(slice(None, None, 2),) * a.ndim]
    view[...] = a
    return view


#: :data:`LAYOUTS` for arrays of any dimension (and dtype): negative strides, gaps,
#: Fortran order and read-only buffers, in 1-, 2- and 3-D and with channel axes.
ND_LAYOUTS = {
    "contiguous": np.ascontiguousarray,
    "fortran": np.asfortranarray,
    "strided": _strided_nd,
    "reversed": _reversed_nd,
    "read-only": _read_only,
}

_ND_LAYOUT_FUNCTIONS = tuple(ND_LAYOUTS.values())


#: Largest side and Δ of a layer input drawn by :func:`layer_cases`, per dimension: Δ
#: exceeds the smallest sides in every dimension (kernels that wrap the torus more than
#: once), while the loop oracles stay cheap (at most 4^3 outputs × 5^3 offsets in 3-D).
LAYER_MAX_SIDE: dict[int, int] = {1: 10, 2: 6, 3: 4}
LAYER_MAX_DELTA: dict[int, int] = {1: 3, 2: 3, 3: 2}
#: Largest C_in and C_out: a 3-D kernel of 5×5×5×3×3 wide-range float64 entries would
#: need 10 KiB, beyond properties.packed.MAX_BYTES.
LAYER_MAX_CHANNELS: dict[int, int] = {1: 3, 2: 3, 3: 2}


@cache
def layer_cases(
    ndim: int,
    channels: bool = False,
    dtype: str = "float64",
    padding: Padding | tuple[Padding, ...] | None = None,
    exact: bool | None = True,
    max_side: int | None = None,
    max_delta: int | None = None,
    max_channels: int | None = None,
    any_layout: bool = True,
    extra: Extra | None = None,
) -> st.SearchStrategy[Any]:
    """An input of a layer under test in ``ndim`` spatial dimensions, in ``dtype``:
    x of shape (n1, ..., nd), V of (2Δ+1,)*d and a scalar u, or with ``channels``
    x (n1, ..., nd, C_in), V ((2Δ+1,)*d, C_in, C_out) and u (C_out,), 1 <= C <= max_channels
    (reference.contract). Sides, Δ and channels default to LAYER_MAX_SIDE,
    LAYER_MAX_DELTA and LAYER_MAX_CHANNELS; for 'valid' the input is at least as large
    as the kernel. ``padding``: one, a tuple to draw from, or None for all. With
    wide-range floats (``exact=False``), V has a single nonzero entry half the time. x
    arrives in one of :data:`ND_LAYOUTS`. ``exact`` (None: either, drawn) and ``extra``:
    as for :func:`cases`."""
    side = LAYER_MAX_SIDE[ndim] if max_side is None else max_side
    delta = LAYER_MAX_DELTA[ndim] if max_delta is None else max_delta
    c = (LAYER_MAX_CHANNELS[ndim] if max_channels is None else max_channels) if channels else 0
    paddings = _paddings(padding)
    layouts = _ND_LAYOUT_FUNCTIONS if any_layout else ()
    width = np.float32 if dtype == "float32" else np.float64
    return _packed_with(lambda r, kind: _read_input(r, ndim, paddings, side, delta, kind, width,
                                                    c, layouts, one_tap=not kind), extra, exact)
