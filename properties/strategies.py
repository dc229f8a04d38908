"""Shared Hypothesis strategies: images, kernels, biases, shifts and whole layer inputs.

Everything is built on ``hypothesis.extra.numpy`` and composes: a new property draws a
:class:`Case` from :func:`cases` (or builds its own from the parts) and states its claim
in a few lines.

Two kinds of values:

* integer-valued floats (``exact=True``, the default): small enough that every sum the
  layer forms is exact in float64 (theory.bounds, item 1), so algebraic identities are
  checked with ``==``;
* wide-range floats (``exact=False``): magnitudes 0 or 2^-200 .. 2^200 of either sign,
  so products neither overflow nor underflow and the error bounds of theory.bounds apply.

Shapes cover 1×N, N×1 and non-square images; Δ covers 0 (a 1×1 kernel) and kernels
larger than the image; arrays arrive in every memory layout (:func:`layouts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import strategies as st

from theory.indices import PADDINGS, Padding

#: Largest side of a drawn image, and largest Δ: small enough to keep the dense W and the
#: loop reference cheap, large enough for kernels that wrap the image several times.
MAX_SIDE = 8
MAX_DELTA = 3
#: Integer entries lie in [-INT_BOUND, INT_BOUND]; with at most (2·MAX_DELTA+1)^2 terms
#: every sum stays far below 2^53 (and below 2^24, so float32 is exact too on them).
INT_BOUND = 64
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
    a[np.abs(a) < (TINY if a.dtype == np.float64 else TINY32)] = 0.0
    return a


@cache
def float32_arrays(shape: tuple[int, ...], exact: bool = True) -> st.SearchStrategy[np.ndarray]:
    """A float32 array: small integers, or magnitudes 0 or 2^-40 .. 2^40 (float32 values)."""
    if exact:
        return arrays(shape, exact=True).map(lambda a: a.astype(np.float32))
    return _wide_arrays(shape, np.float32)


#: Densities of a drawn integer array, in eighths: 0 gives a constant array (its fill
#: value), 8 an array whose every element is drawn.
DENSITY = 8


def _zigzag(k: int) -> int:
    """0, 1, -1, 2, -2, ...: an index whose shrinking (towards 0) shrinks the value."""
    return (k + 1) // 2 if k % 2 else -(k // 2)


def _from_bytes(choice: int, raw: bytes, shape: tuple[int, ...]) -> np.ndarray:
    # density in the low digits: Hypothesis favours small integers, which must not all
    # mean density 0 (a constant array)
    fill, density = divmod(choice, DENSITY + 1)
    n = len(raw) // 2
    # value byte 0 maps to 0, so the shrinker's all-zero bytes give the all-fill, then
    # the all-zero array; bytes 1..128 cover 1..64 and -64..-1 once, 129..255 wrap round
    v = (np.frombuffer(raw[n:], np.uint8).astype(np.int64) + INT_BOUND) % (2 * INT_BOUND + 1)
    drawn = np.frombuffer(raw[:n], np.uint8) % DENSITY < density
    return np.where(drawn, v - INT_BOUND, _zigzag(fill)).reshape(shape).astype(np.float64)


@cache
def _integer_arrays(shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    """Integer-valued float64 arrays in [-INT_BOUND, INT_BOUND] from two choices, whatever
    their size: an integer that packs a density (in eighths) and a fill value, and a byte
    string (which elements are drawn, then their values). Constant, sparse and dense
    arrays all occur. Hypothesis's cost is per choice (about 45 µs each on the bench
    machine, more than most layer calls here), so a choice per element, or per parameter,
    would dominate the run (bench/, issue 7)."""
    n = int(np.prod(shape, dtype=np.int64))
    choice = st.integers(0, (DENSITY + 1) * (2 * INT_BOUND + 1) - 1)
    return st.tuples(choice, st.binary(min_size=2 * n, max_size=2 * n)).map(
        lambda p: _from_bytes(*p, shape)
    )


#: IEEE 754 layouts: (unsigned view, mantissa bits, exponent bias, drawn exponent range).
_IEEE = {
    np.float64: (np.uint64, 52, 1023, 200),  # magnitudes 2^-200 .. 2^201: TINY .. 2·HUGE
    np.float32: (np.uint32, 23, 127, 40),  # 2^-40 .. 2^41: TINY32 .. 2·HUGE32
}


def _from_bits(fill: float, choice: int, raw: bytes, dtype: type) -> np.ndarray:
    uint, m, bias, span = _IEEE[dtype]
    rest, density = divmod(choice, DENSITY + 1)
    scale, spread = divmod(rest, 2 * span + 1)
    scale = _zigzag(scale)
    width = np.dtype(uint).itemsize
    n = len(raw) // (width + 1)
    bits = np.frombuffer(raw[n:], uint)
    top = 8 * width - 1
    # the raw bits give the sign (top bit), the mantissa (low m bits) and, from the bits
    # between, an exponent within ``spread`` binades around ``scale``: one array is
    # moderate-range (spread 0: a single binade) or spans 2^±span at once
    offset = ((bits >> uint(m)) & uint((1 << (top - m)) - 1)).astype(np.int64) % (spread + 1)
    e = np.clip(scale - spread // 2 + offset, -span, span)
    value_bits = ((bits >> uint(top)) << uint(top)) | ((e + bias).astype(uint) << uint(m)) \
        | (bits & uint((1 << m) - 1))
    values = np.where(bits == 0, 0, value_bits.view(dtype))  # all-zero bits (the shrinker's): 0
    drawn = np.frombuffer(raw[:n], np.uint8) % DENSITY < density
    return np.where(drawn, values, fill).astype(dtype)


@cache
def _wide_arrays(shape: tuple[int, ...], dtype: type = np.float64) -> st.SearchStrategy[np.ndarray]:
    """Wide-range float arrays from three choices whatever their size: a fill value; an
    integer that packs a density, a scale exponent and a spread (0: one binade; up to
    2·span: every magnitude from 2^-span to 2^span at once); and a byte string (which
    elements are drawn, then each one's sign, exponent offset and mantissa as raw bits).
    Every value is a finite, normal float of ``dtype`` or 0. Elementwise hnp.arrays
    drawing spent most of a float property's time in Hypothesis (see _integer_arrays)."""
    uint, _, _, span = _IEEE[dtype]
    n = int(np.prod(shape, dtype=np.int64))
    size = (np.dtype(uint).itemsize + 1) * n
    fill = scalars(False) if dtype == np.float64 else st.floats(
        -HUGE32, HUGE32, width=32, allow_nan=False, allow_infinity=False, allow_subnormal=False
    ).map(lambda v: v if abs(v) >= TINY32 else 0.0)
    choice = st.integers(0, (DENSITY + 1) * (2 * span + 1) * (2 * span + 1) - 1)
    parts = st.tuples(fill, choice, st.binary(min_size=size, max_size=size))
    return parts.map(lambda p: _from_bits(*p, dtype).reshape(shape))


@cache
def arrays(
    shape: tuple[int, ...], exact: bool = True, minimal: bool = False
) -> st.SearchStrategy[np.ndarray]:
    """A float64 array of the given shape.

    Integer-valued arrays are drawn by :func:`_integer_arrays` (a constant, sparse or
    dense array from a handful of choices), float arrays by :func:`_wide_arrays` (the
    same, with each element's bits drawn raw). ``minimal=True``
    draws every element with hypothesis.extra.numpy, which shrinks each one to 0 on its
    own: use it where the shrunk example is shown to a reader (counterexamples).
    """
    if not minimal:
        return _integer_arrays(shape) if exact else _wide_arrays(shape)
    if exact:
        ints = hnp.arrays(np.int64, shape, elements=st.integers(-INT_BOUND, INT_BOUND),
                          fill=st.nothing())
        return ints.map(lambda a: a.astype(np.float64))
    floats = st.floats(-HUGE, HUGE, allow_nan=False, allow_infinity=False, allow_subnormal=False)
    return hnp.arrays(np.float64, shape, elements=floats, fill=st.nothing()).map(_flush_tiny)


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


#: One of the :data:`LAYOUTS` functions, drawn (contiguous first, so it shrinks there).
layout_functions = st.sampled_from(list(LAYOUTS.values()))


def layouts(a: np.ndarray) -> st.SearchStrategy[np.ndarray]:
    """The values of ``a`` in one of :data:`LAYOUTS`, drawn."""
    return layout_functions.map(lambda f: f(a))


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


@st.composite
def cases(
    draw: st.DrawFn,
    padding: Padding | tuple[Padding, ...] | None = None,
    exact: bool = True,
    max_side: int = MAX_SIDE,
    max_delta: int = MAX_DELTA,
    any_layout: bool = True,
    minimal: bool = False,
) -> Case:
    """A layer input; for 'valid' the image is at least as large as the kernel (the
    larger-kernel case is its own property), otherwise any size, often smaller.
    ``padding``: one padding, a tuple to draw from, or None for all of them.
    ``minimal=True``: for counterexamples shown to a reader (see :func:`arrays`)."""
    if padding is None or isinstance(padding, tuple):
        pad = draw(st.sampled_from(padding or PADDINGS), label="padding")
    else:
        pad = padding
    delta = draw(deltas(max_delta))
    min_side = 2 * delta + 1 if pad == "valid" else 1
    shape = draw(shapes(min_side, max(min_side, max_side)))
    x = draw(arrays(shape, exact, minimal))
    if any_layout:
        x = draw(layout_functions)(x)
    V = draw(kernels(delta, exact, minimal))
    return Case(x=x, V=V, u=draw(scalars(exact)), padding=pad)


def impulse(shape: tuple[int, int], k: int, l: int, t: float = 1.0) -> np.ndarray:
    """t·e_kl: the image that is t at (k, l) and 0 elsewhere."""
    e = np.zeros(shape)
    e[k, l] = t
    return e


@cache
def pixels(shape: tuple[int, int]) -> st.SearchStrategy[tuple[int, int]]:
    """A pixel (k, l) of an image of this shape."""
    return st.tuples(st.integers(0, shape[0] - 1), st.integers(0, shape[1] - 1))


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


def nd_kernels(ndim: int, delta: int, exact: bool = True, minimal: bool = False
               ) -> st.SearchStrategy[np.ndarray]:
    """V of shape (2Δ+1,)*ndim, V[Δ + a] the kernel entry at offset a."""
    return arrays((2 * delta + 1,) * ndim, exact, minimal)


@st.composite
def nd_cases(
    draw: st.DrawFn,
    ndim: int,
    padding: Padding | None = None,
    exact: bool = True,
    max_side: int | None = None,
    max_delta: int | None = None,
    minimal: bool = False,
) -> Case:
    """A layer input in ``ndim`` dimensions (x of shape (n1, ..., nd), V of (2Δ+1,)*d);
    for 'valid' the input is at least as large as the kernel."""
    pad = draw(st.sampled_from(PADDINGS)) if padding is None else padding
    delta = draw(deltas(ND_MAX_DELTA[ndim] if max_delta is None else max_delta))
    min_side = 2 * delta + 1 if pad == "valid" else 1
    shape = draw(nd_shapes(ndim, min_side, max_side))
    x = draw(arrays(shape, exact, minimal))
    V = draw(nd_kernels(ndim, delta, exact, minimal))
    return Case(x=x, V=V, u=draw(scalars(exact)), padding=pad)


@st.composite
def channel_cases(
    draw: st.DrawFn,
    padding: Padding | None = None,
    max_side: int = 5,
    max_delta: int = 2,
    max_channels: int = 3,
) -> Case:
    """An integer-valued channel-layer input: x (H, W, C_in), V (2Δ+1, 2Δ+1, C_in, C_out),
    u (C_out,); 1 <= C_in, C_out <= max_channels."""
    pad = draw(st.sampled_from(PADDINGS)) if padding is None else padding
    delta = draw(deltas(max_delta))
    min_side = 2 * delta + 1 if pad == "valid" else 1
    shape = draw(shapes(min_side, max(min_side, max_side)))
    c_in, c_out = draw(st.integers(1, max_channels)), draw(st.integers(1, max_channels))
    x = draw(arrays((*shape, c_in)))
    V = draw(arrays((2 * delta + 1, 2 * delta + 1, c_in, c_out)))
    return Case(x=x, V=V, u=draw(arrays((c_out,))), padding=pad)  # type: ignore[arg-type]


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


@st.composite
def cases_and_shifts(
    draw: st.DrawFn,
    padding: Padding | tuple[Padding, ...] | None = None,
    beyond: int = 2,
    any_layout: bool = True,
) -> tuple[Case, tuple[int, int]]:
    """(case, s): a layer input of :func:`cases` and a shift of :func:`shifts` for its
    image, as one value, so that properties over shifts can take ``@example``s."""
    case = draw(cases(padding, any_layout=any_layout))
    return case, draw(shifts(case.x.shape, beyond=beyond), label="s")


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

#: One of the :data:`ND_LAYOUTS` functions, drawn (contiguous first, so it shrinks there).
nd_layout_functions = st.sampled_from(list(ND_LAYOUTS.values()))


def arrays_of(shape: tuple[int, ...], dtype: str = "float64", exact: bool = True
              ) -> st.SearchStrategy[np.ndarray]:
    """An array of ``dtype``: :func:`arrays` for float64, :func:`float32_arrays` for
    float32 (small integers, or the wide float range of that precision)."""
    if dtype == "float32":
        return float32_arrays(shape, exact)
    return arrays(shape, exact)


#: Largest side and Δ of a layer input drawn by :func:`layer_cases`, per dimension: Δ
#: exceeds the smallest sides in every dimension (kernels that wrap the torus more than
#: once), while the loop oracles stay cheap (at most 4^3 outputs × 5^3 offsets in 3-D).
LAYER_MAX_SIDE: dict[int, int] = {1: 10, 2: 6, 3: 4}
LAYER_MAX_DELTA: dict[int, int] = {1: 3, 2: 3, 3: 2}


@cache
def scales(dtype: str = "float64") -> st.SearchStrategy[float]:
    """±m·2^e with m in [1, 2) and the exponent e drawn over the wide range (TINY..HUGE,
    float32: TINY32..HUGE32), half the time below the unit roundoff (2^-53, float32
    2^-24), where absolute thresholds drop terms (ndimage skips weights <= 2^-52):
    st.floats favours simple values, and one in thirty of its draws lies there."""
    top = 40 if dtype == "float32" else 200
    digits = 24 if dtype == "float32" else 53
    exponents = st.one_of(st.integers(-top, -digits), st.integers(-top, top - 1))
    parts = st.tuples(st.floats(1, 2, exclude_max=True), exponents, st.booleans())
    width = np.float32 if dtype == "float32" else np.float64
    return parts.map(lambda p: float(width((-1 if p[2] else 1) * p[0] * 2.0 ** p[1])))


@cache
def nd_pixels(shape: tuple[int, ...]) -> st.SearchStrategy[tuple[int, ...]]:
    """A position k of an input of this (spatial) shape, in any dimension."""
    return st.tuples(*(st.integers(0, n - 1) for n in shape))


@st.composite
def layer_cases(
    draw: st.DrawFn,
    ndim: int,
    channels: bool = False,
    dtype: str = "float64",
    padding: Padding | tuple[Padding, ...] | None = None,
    exact: bool = True,
    max_side: int | None = None,
    max_delta: int | None = None,
    max_channels: int = 3,
    any_layout: bool = True,
) -> Case:
    """An input of a layer under test in ``ndim`` spatial dimensions, in ``dtype``:
    x of shape (n1, ..., nd), V of (2Δ+1,)*d and a scalar u, or with ``channels``
    x (n1, ..., nd, C_in), V ((2Δ+1,)*d, C_in, C_out) and u (C_out,), 1 <= C <= max_channels
    (reference.contract). Sides and Δ default to LAYER_MAX_SIDE and LAYER_MAX_DELTA;
    for 'valid' the input is at least as large as the kernel. ``padding``: one, a tuple
    to draw from, or None for all. With wide-range floats (``exact=False``), V has a
    single nonzero entry half the time. x arrives in one of :data:`ND_LAYOUTS`."""
    if padding is None or isinstance(padding, tuple):
        pad = draw(st.sampled_from(padding or PADDINGS), label="padding")
    else:
        pad = padding
    delta = draw(deltas(LAYER_MAX_DELTA[ndim] if max_delta is None else max_delta))
    min_side = 2 * delta + 1 if pad == "valid" else 1
    shape = draw(nd_shapes(ndim, min_side, LAYER_MAX_SIDE[ndim] if max_side is None else max_side))
    kernel = (2 * delta + 1,) * ndim
    if channels:
        c_in = draw(st.integers(1, max_channels), label="C_in")
        c_out = draw(st.integers(1, max_channels), label="C_out")
        shape, kernel = (*shape, c_in), (*kernel, c_in, c_out)
    x = draw(arrays_of(shape, dtype, exact))
    V = draw(arrays_of(kernel, dtype, exact))
    if not exact and draw(st.booleans(), label="one tap"):
        # wide-range floats through a kernel with one nonzero entry: a term that a layer
        # drops or flushes (a tiny weight, say) is then alone in its sums, not hidden
        # under the error bound of larger terms
        tap = draw(nd_pixels(kernel), label="tap")
        V = np.zeros_like(V)
        V[tap] = draw(scales(dtype), label="V[tap]")
    if any_layout:
        x = draw(nd_layout_functions)(x)
    if channels:
        u = draw(arrays_of((c_out,), dtype, exact))
    elif dtype == "float32":
        u = np.float32(draw(float32_arrays((), exact)))
    else:
        u = draw(scalars(exact))
    return Case(x=x, V=V, u=u, padding=pad)  # type: ignore[arg-type]
