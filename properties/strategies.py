"""Shared Hypothesis strategies: one description of an input, one function that draws it.

A property says what it quantifies over with a :class:`Domain` (a frozen description:
dimensions, channels, batch, dtype, paddings, exactness, sizes, an implementation's
limits, memory layouts, and what else goes with the input) and draws it with
:func:`inputs`, a :class:`Case` ``(x, V, u, padding)`` or, with ``extra``, ``(case,
extra value)``. The helpers below (:func:`cases`, :func:`layer_cases`, :func:`nd_cases`,
:func:`channel_cases`, :func:`oversized_cases`, ...) are short presets of it::

    @given(data=st.data())
    def test_my_claim(layer, data):
        case = data.draw(inputs(Domain(ndim=3, channels=True, paddings=paddings_of(layer),
                                       limits=layer.limits)))

Sizes come in nested tiers (:class:`~convproof.properties.packed.Tiers`): most draws are
small (images up to 8×8, Δ <= 3, up to 3 channels), and a share of them reaches the sizes
where implementations switch code paths (:data:`SCALE`: 2-D sides to 96, 256 in the
thorough profile; 1-D signals to 2,048; 3-D volumes to 24 per side; Δ to 15 (1-D: 31);
channel counts across 4, 8, 16 and 32 to 64; batches to 16), within the suite's work
limit and an implementation's declared ones (:func:`fit`). Shrinking goes to the small
tier: a counterexample is reported at the smallest size that fails, the other sizes at
their smallest.

Values (properties.packed): integer-valued entries small enough that every sum the layer
forms is exact in float64 (``exact=True``: identities are checked with ``==``); floats
(``exact=False``): integers, short decimals (1 to 3 significant digits) or full binary
precision over 2^-200 .. 2^200, per array (the error bounds of theory.bounds apply); or
either (``exact=None``), integers first.

Every array handed to an implementation (x, V, and u with channels) comes in every memory
layout of properties.layouts.LAYOUTS, one table for every dimension and for both
contracts.

``minimal=True`` (:func:`cases`) draws each element on its own with
``hypothesis.extra.numpy``, for the refutations' counterexamples (convproof.harness.refute).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from math import prod
from typing import Any, NamedTuple

import hypothesis.extra.numpy as hnp
import numpy as np
from convproof.properties import packed
from convproof.properties.conv_strategies import REGIMES, Allowed, conv_strategy
from convproof.properties.layouts import LAYOUTS, layout_functions
from convproof.properties.packed import INT_BOUND, MAX_ELEMENTS, Reader, Tiers, zigzag
from convproof.reference.contract import NO_LIMITS, Limits
from convproof.theory.bounds import integer_valued
from convproof.theory.indices import PADDINGS, Padding
from hypothesis import strategies as st

#: The small scope: largest side and Δ of the properties that build a dense W, compute
#: ranks or run the loop references on every input (theory properties), and of
#: :func:`images`, :func:`shapes`, :func:`deltas`.
MAX_SIDE = 8
MAX_DELTA = 3
#: Wide-range floats: magnitudes 0 or 2^-200 .. 2^200 (float32: 2^-40 .. 2^40; rounded
#: to short decimals, up to half or twice that), so that products neither overflow nor
#: underflow and the error bounds of theory.bounds apply.
TINY, HUGE = 2.0**-200, 2.0**200
TINY32, HUGE32 = 2.0**-40, 2.0**40
#: The dtypes an implementation may declare (reference.contract).
DTYPES: tuple[str, ...] = ("float64", "float32")


# --- sizes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    """Tiers of the drawn sizes: a side of x, Δ, each of C_in and C_out, and the batch
    size N."""

    side: Tiers
    delta: Tiers
    channels: Tiers
    batch: Tiers

    def upto(self, side: int | None = None, delta: int | None = None,
             channels: int | None = None, batch: int | None = None) -> Sizes:
        """These tiers cut at the given largest sizes (None: not cut)."""
        return Sizes(self.side.upto(side), self.delta.upto(delta),
                     self.channels.upto(channels), self.batch.upto(batch))


#: Channel counts (C_in and C_out drawn apart): across 4, 8, 16 and 32, up to 64.
CHANNELS = Tiers(1, (3, 15, 64), (220, 28, 8))
#: Batch sizes N: up to 16.
BATCH = Tiers(1, (2, 8, 16), (200, 40, 16))

#: Sizes per number of spatial dimensions, as nested tiers (packed.Tiers: the largest
#: size of each, and its share of the draws in 256ths): the first is the small scope
#: where the run spends most examples, the others reach sizes where implementations
#: change code paths (tiles, SIMD blocks, algorithm switches above a size). 2-D: a side
#: >= 32 in about 8% of inputs, >= 64 in 3%; Δ >= 8 in 7% (tests/test_distribution.py
#: measures them).
SCALE: dict[int, Sizes] = {
    1: Sizes(side=Tiers(1, (16, 128, 2048), (216, 24, 16)),
             delta=Tiers(0, (3, 15, 31), (216, 24, 16)), channels=CHANNELS, batch=BATCH),
    2: Sizes(side=Tiers(1, (8, 32, 96), (216, 24, 16)),
             delta=Tiers(0, (3, 7, 15), (204, 16, 36)), channels=CHANNELS, batch=BATCH),
    3: Sizes(side=Tiers(1, (4, 8, 24), (216, 24, 16)),
             delta=Tiers(0, (2, 4, 7), (216, 24, 16)), channels=CHANNELS, batch=BATCH),
}
#: The thorough profile's largest side (its 10,000 examples per property afford larger
#: inputs).
THOROUGH_SIDE: dict[int, int] = {1: 4096, 2: 256, 3: 32}
#: The most work (positions of x × V entries × N) one drawn input asks of a direct
#: summation, by profile: a larger draw is cut down (:func:`fit`). 64×64 with Δ = 15 is
#: 3.9 million.
MAX_WORK = 2**22
THOROUGH_WORK = 2**24


def thorough() -> bool:
    """Whether the run uses the ``thorough`` profile (10,000 examples per property): the
    exhaustive small-scope checks then widen their scope, and the largest sizes grow."""
    from hypothesis import settings

    return settings.default.max_examples >= 10_000


def scale(ndim: int) -> Sizes:
    """The sizes drawn in ``ndim`` spatial dimensions under the profile in force."""
    sizes = SCALE[ndim]
    if not thorough():
        return sizes
    side = sizes.side
    highs = (*side.highs[:-1], THOROUGH_SIDE[ndim])
    return dataclasses.replace(sizes, side=Tiers(side.low, highs, side.weights))


def max_work() -> int:
    """The largest work of one drawn input under the profile in force (:data:`MAX_WORK`)."""
    return THOROUGH_WORK if thorough() else MAX_WORK


@dataclass(frozen=True)
class Extent:
    """The sizes of one input: Δ, the spatial sides of x, C_in and C_out (0: no channel
    axes) and N (0: no batch axis)."""

    delta: int
    sides: tuple[int, ...]
    c_in: int = 0
    c_out: int = 0
    batch: int = 0

    @property
    def positions(self) -> int:
        return prod(self.sides) * max(self.batch, 1)

    @property
    def x_size(self) -> int:
        return prod(self.sides) * max(self.c_in, 1) * max(self.batch, 1)

    @property
    def V_size(self) -> int:
        return (2 * self.delta + 1) ** len(self.sides) * max(self.c_in, 1) * max(self.c_out, 1)

    @property
    def work(self) -> int:
        """reference.contract.work, over the batch."""
        return self.positions * self.V_size


def fit(e: Extent, padding: Padding, limits: Limits = NO_LIMITS,
        work: int | None = None) -> Extent:
    """``e`` cut down to an implementation's ``limits`` and to the suite's (``work``, by
    default :func:`max_work`; every array within packed.MAX_ELEMENTS): sides and Δ to the
    largest side, then, while a limit is exceeded, the batch, channel counts, Δ or the
    largest side halved, in that order among those the limit depends on. 'valid' keeps
    every side at least 2Δ+1. Small inputs are left as they are, so shrinking is not
    affected."""
    top_work = min(work or max_work(), limits.work or MAX_ELEMENTS**2)
    top_size = min(MAX_ELEMENTS, limits.size or MAX_ELEMENTS)
    if (limits.side is None and e.work <= top_work and e.x_size <= top_size
            and e.V_size <= MAX_ELEMENTS):
        return e  # almost every draw: nothing to cut
    delta = e.delta
    if limits.side is not None:
        if padding == "valid":
            delta = min(delta, (limits.side - 1) // 2)
        e = dataclasses.replace(e, delta=delta, sides=tuple(min(n, limits.side) for n in e.sides))
    checks = (  # (exceeded?, what may be halved to fix it)
        (lambda f: f.x_size > top_size, ("batch", "c_in", "sides")),
        (lambda f: f.V_size > MAX_ELEMENTS, ("c_out", "c_in", "delta")),
        (lambda f: f.work > top_work, ("batch", "c_out", "c_in", "delta", "sides")),
    )
    for exceeded, order in checks:
        while exceeded(e):
            smaller = _halved(e, order, padding)
            if smaller == e:
                break  # at its smallest: nothing left to cut
            e = smaller
    return e


def _halved(e: Extent, order: tuple[str, ...], padding: Padding) -> Extent:
    """``e`` with the first of ``order`` that can still shrink halved."""
    low = 2 * e.delta + 1 if padding == "valid" else 1
    for name in order:
        if name == "sides":
            largest = max(range(len(e.sides)), key=lambda k: e.sides[k])
            if e.sides[largest] > low:
                sides = list(e.sides)
                sides[largest] = max(low, sides[largest] // 2)
                return dataclasses.replace(e, sides=tuple(sides))
        elif name == "delta" and e.delta > 0:
            return dataclasses.replace(e, delta=e.delta // 2)
        elif name in ("batch", "c_in", "c_out") and getattr(e, name) > 1:
            return dataclasses.replace(e, **{name: getattr(e, name) // 2})
    return e


# --- the input ------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One input of the layer: h = layer(x, V, u, padding). Channels-last (the layer
    contract): x (*n, C_in), V (*k, C_in, C_out); with ``channels_first``, as PyTorch
    stores them: x (C_in, *n), V (C_out, C_in, *k); either with a leading batch axis
    on x when drawn with one."""

    x: np.ndarray
    V: np.ndarray
    u: float | np.ndarray
    padding: Padding
    channels_first: bool = False

    @property
    def delta(self) -> int:
        return (self.V.shape[-1 if self.channels_first else 0] - 1) // 2

    def __repr__(self) -> str:
        first = ", channels_first=True" if self.channels_first else ""
        u = self.u.tolist() if isinstance(self.u, np.ndarray) else self.u
        return (f"Case(padding={self.padding!r}{first}, u={u!r},\n  x={self.x.tolist()!r},\n"
                f"  V={self.V.tolist()!r})")

    def _repr_pretty_(self, p, cycle: bool) -> None:
        p.text(repr(self))


#: Reads a value that goes with a drawn case (a Case or a ConvCase) off the same reader:
#: ``extra(r, case, domain)``. It may depend on the case's shapes, but must read a fixed
#: number of header bytes (properties.packed).
Extra = Callable[[Reader, Any, "Domain"], Any]


@dataclass(frozen=True)
class Domain:
    """What a property quantifies over: the inputs :func:`inputs` draws.

    * ``ndim``: spatial dimensions d (1, 2, 3);
    * ``channels``: x carries C_in channels, V (C_in, C_out) axes, u is a (C_out,) vector;
    * ``batch``: x carries a leading batch axis of N examples (x (N, *n) or (N, *n, C_in));
    * ``channels_first``: channel axes before the spatial ones, as PyTorch's
      conv(x, w, b) takes them: x (N, C_in, *n), V (C_out, C_in, *k); otherwise after
      them, as the layer contract (reference.contract): x (*n, C_in), V (*k, C_in, C_out);
    * ``dtype``: "float64" or "float32" (x, V and u alike);
    * ``paddings``: drawn from in this order; the first is where shrinking goes;
    * ``exact``: True integer-valued entries (every sum exact in float64, properties.packed
      INT_BOUND); False floats (integers, short decimals or full binary precision); None
      either, integers first;
    * ``max_side``, ``max_delta``, ``max_channels``, ``max_batch``: the scope, where the
      tiers of :data:`SCALE` (``sizes``, by default the profile's) are cut; for 'valid'
      every side of x is at least 2Δ+1 (a smaller drawn side is raised to it);
    * ``limits``: an implementation's declared limits (reference.contract.Limits): larger
      draws are cut down to them (:func:`fit`), as they are to the suite's own;
    * ``layouts``: names of properties.layouts.LAYOUTS each array (x, V, u with channels) is drawn in,
      each independently; () for C-contiguous arrays only;
    * ``one_tap``: for full-precision floats, V has a single nonzero entry half the time
      (a term an implementation drops, a tiny weight say, is then alone in its sums);
    * ``extra``: a reader of what goes with the input (:func:`shift_of`, :func:`impulse_of`,
      :func:`alternatives_of`, or one of the property's own): inputs() then gives
      (case, extra value), read in the same draw;
    * ``conv``: the conv contract's inputs (a properties.conv_strategies.ConvCase: x (N,
      C_in, *n), w, b and the stride, padding pairs, dilation, groups and padding mode)
      with the features ``conv`` allows (conv_strategies.Allowed); their sizes come from
      the conv strategies' regimes, ``regime`` forcing one ("small", "batch",
      "channels", "sides"); ``ndim``, ``dtype``, ``exact``, ``layouts`` and ``extra``
      apply as above, the layer's sizes, channels, batch and paddings do not.

    The header read off a draw depends on these alone, never on a value drawn.
    """

    ndim: int = 2
    channels: bool = False
    batch: bool = False
    channels_first: bool = False
    dtype: str = "float64"
    paddings: tuple[Padding, ...] = PADDINGS
    exact: bool | None = True
    max_side: int | None = None
    max_delta: int | None = None
    max_channels: int | None = None
    max_batch: int | None = None
    sizes: Sizes | None = None
    limits: Limits = NO_LIMITS
    layouts: tuple[str, ...] = tuple(LAYOUTS)
    one_tap: bool = False
    extra: Extra | None = None
    conv: Allowed | None = None
    regime: str | None = None

    def __post_init__(self) -> None:
        if self.ndim not in (1, 2, 3):
            raise ValueError(f"Domain: ndim {self.ndim!r} is not 1, 2 or 3")
        if self.dtype not in DTYPES:
            raise ValueError(f"Domain: dtype {self.dtype!r} is not one of {DTYPES}")
        if not self.paddings or not set(self.paddings) <= set(PADDINGS):
            raise ValueError(f"Domain: paddings {self.paddings!r} not within {PADDINGS}")
        if not set(self.layouts) <= set(LAYOUTS):
            raise ValueError(f"Domain: layouts {self.layouts!r} not within {tuple(LAYOUTS)}")
        if self.channels_first and not self.channels:
            raise ValueError("Domain: channels_first needs channels=True")
        if self.regime is not None and (self.conv is None or self.regime not in REGIMES):
            raise ValueError(f"Domain: regime {self.regime!r} needs conv= and one of "
                             f"{tuple(dict.fromkeys(REGIMES))}")
        if self.conv is not None:
            layer_only = [f.name for f in dataclasses.fields(self) if f.name in _LAYER_ONLY
                          and getattr(self, f.name) != f.default]
            if layer_only:
                raise ValueError(f"Domain: {', '.join(layer_only)} do not apply to conv "
                                 "inputs (their sizes come from the conv regimes)")

    def resolved(self) -> Sizes:
        """The tiers drawn from: ``sizes`` (by default the profile's) cut to the scope."""
        base = self.sizes or scale(self.ndim)
        return base.upto(self.max_side, self.max_delta, self.max_channels, self.max_batch)


#: The Domain fields that describe the layer's inputs alone.
_LAYER_ONLY = frozenset({"channels", "batch", "channels_first", "paddings", "max_side",
                         "max_delta", "max_channels", "max_batch", "sizes", "limits",
                         "one_tap"})


def inputs(domain: Domain) -> st.SearchStrategy[Any]:
    """The strategy of ``domain``'s inputs: a :class:`Case` (with ``domain.conv``, a
    conv_strategies.ConvCase), or with ``domain.extra`` (case, extra value); one header
    and one block per draw (properties.packed)."""
    return _inputs(domain)


@cache
def _inputs(domain: Domain) -> st.SearchStrategy[Any]:
    if domain.conv is not None:
        extra = domain.extra
        return conv_strategy(domain.ndim, domain.dtype, domain.exact, domain.conv,
                             domain.regime, domain.layouts,
                             None if extra is None else lambda r, c: extra(r, c, domain))
    sizes, work = domain.resolved(), max_work()
    if domain.extra is None:
        return packed.packed(lambda r: _read(r, domain, sizes, work))
    extra = domain.extra

    def both(r: Reader) -> tuple[Case, Any]:
        case = _read(r, domain, sizes, work)
        return case, extra(r, case, domain)

    return packed.packed(both)


def _storage(domain: Domain, role: str, ndim: int) -> tuple[int, ...] | None:
    """The storage order of the 'transposed' layout for x, V or u: channel axes moved to
    the other end of the spatial ones (channels-last data viewed channels-first and the
    reverse); without channel axes, the first axis (after a batch axis) last."""
    lead = 1 if role == "x" and domain.batch else 0
    rest = list(range(lead, ndim))
    if len(rest) < 2:  # one axis (u, or a 1-D signal): a column; with a batch axis, last
        return (*rest, *range(lead)) if lead else None
    block = {"x": 1, "V": 2}[role] if domain.channels else 0
    if block:
        if domain.channels_first:
            rest = rest[block:] + rest[:block]
        else:
            rest = rest[-block:] + rest[:-block]
    else:
        rest = rest[1:] + rest[:1]
    return (*range(lead), *rest)


def _read(r: Reader, d: Domain, sizes: Sizes, work: int = MAX_WORK) -> Case:
    """One input of ``d`` read off ``r`` (the header's layout depends on ``d`` alone),
    within ``work`` (:func:`fit`)."""
    dtype = np.float32 if d.dtype == "float32" else np.float64
    floats = d.exact is not True
    integer = r.digit(2) == 0 if d.exact is None else not floats  # integers first
    padding = r.pick(d.paddings)
    delta = sizes.delta.read(r)
    # 'valid': at least the kernel; a side drawn apart from Δ shrinks apart from it
    low = 2 * delta + 1 if padding == "valid" else 1
    sides = tuple(max(low, sizes.side.read(r)) for _ in range(d.ndim))
    c_in, c_out = (sizes.channels.read(r), sizes.channels.read(r)) if d.channels else (0, 0)
    n = sizes.batch.read(r) if d.batch else 0
    e = fit(Extent(delta, sides, c_in, c_out, n), padding, d.limits, work)
    kernel = (2 * e.delta + 1,) * d.ndim
    lead = (e.batch,) if d.batch else ()
    if not d.channels:
        x_shape, V_shape, u_shape = (*lead, *e.sides), kernel, None
    elif d.channels_first:
        x_shape, V_shape, u_shape = (*lead, e.c_in, *e.sides), (e.c_out, e.c_in, *kernel), (e.c_out,)
    else:
        x_shape, V_shape, u_shape = (*lead, *e.sides, e.c_in), (*kernel, e.c_in, e.c_out), (e.c_out,)
    layouts = tuple(LAYOUTS[name] for name in d.layouts)
    plans, orders = [], []
    for role, shape in (("x", x_shape), ("V", V_shape), ("u", u_shape)):
        if shape is None:
            u = packed.scalar(r, floats, dtype, integer)
            u = np.float32(u) if dtype == np.float32 else u
            continue
        plans.append(packed.plan(r, shape, floats, dtype, integer))
        layout = r.pick(layouts) if layouts else None
        orders.append((layout, _storage(d, role, len(shape))))
    if d.one_tap and floats:
        tap_width = 1 if max(2 * sizes.delta.high + 1, sizes.channels.high) <= 256 else 2
        # a kernel with one nonzero entry: a term that a layer drops or flushes (a tiny
        # weight, say) is then alone in its sums, not hidden under the bound of larger terms
        alone = r.digit(2) == 1
        tap = tuple(r.digit(k, width=tap_width) for k in V_shape)
        t = packed.scale(r, dtype)
    arrays = packed.fill(r, *plans)
    if d.one_tap and floats and alone and plans[1].precision == packed.FULL:
        arrays[1] = np.zeros_like(arrays[1])
        arrays[1][tap] = t
    arrays = [layout(a, order) if layout else a for a, (layout, order) in zip(arrays, orders, strict=True)]
    x, V, *rest = arrays
    return Case(x=x, V=V, u=rest[0] if rest else u, padding=padding,  # type: ignore[arg-type]
                channels_first=d.channels_first)


# --- what goes with an input (Domain.extra) -------------------------------------------


def spatial_shape(case: Case, domain: Domain | None = None) -> tuple[int, ...]:
    """The spatial axes of x: all of them, or all but the channel axis when V carries
    (C_in, C_out) axes; without the batch axis of a domain with one."""
    lead = 1 if domain is not None and domain.batch else 0
    if V_has_channels(case, lead):
        return case.x.shape[lead + 1:] if case.channels_first else case.x.shape[lead:-1]
    return case.x.shape[lead:]


def V_has_channels(case: Case, lead: int = 0) -> bool:
    """Whether V carries (C_in, C_out) axes: two more than x's spatial ones."""
    return case.V.ndim == case.x.ndim - lead + 1


def impulse_of(r: Reader, case: Case, domain: Domain | None = None
               ) -> tuple[tuple[int, ...], float]:
    """(k, t): a position k of x (its channel and batch axes included) and a nonzero
    integer t in [-INT_BOUND, INT_BOUND], for probing h(x + t·e_k) - h(x); zero bytes give
    k = 0, t = 1."""
    k = tuple(r.digit(n, width=2) for n in case.x.shape)
    return k, float(zigzag(r.digit(2 * INT_BOUND) + 1))


def shift_of(r: Reader, case: Case, domain: Domain | None = None,
             beyond: int = 2) -> tuple[int, ...]:
    """A shift s of x's spatial axes with |s_d| <= beyond·n_d: zero, partial, full and
    several turns of the torus."""
    return tuple(r.signed(beyond * n, width=2) for n in spatial_shape(case, domain))


def turn_shift_of(r: Reader, case: Case, domain: Domain | None = None) -> tuple[int, ...]:
    """A shift of at most one turn of the torus per axis, |s_d| <= n_d."""
    return shift_of(r, case, domain, beyond=1)


def alternatives_of(r: Reader, case: Case, domain: Domain
                    ) -> tuple[np.ndarray, np.ndarray, float | np.ndarray]:
    """(x2, V2, u2): another x, V and u of the case's shapes, dtype and kind of entries
    (integer-valued when the case's are), x2 and V2 in any of the domain's layouts, for
    calls that change one argument."""
    floats = domain.exact is not True
    integer = integer_valued(case.x, case.V, case.u)
    dtype = case.x.dtype.type
    layouts = tuple(LAYOUTS[name] for name in domain.layouts) or (LAYOUTS["contiguous"],)
    x_plan = packed.plan(r, case.x.shape, floats, dtype, integer)
    x_layout = r.pick(layouts)
    V_plan = packed.plan(r, case.V.shape, floats, dtype, integer)
    V_layout = r.pick(layouts)
    if isinstance(case.u, np.ndarray) and case.u.ndim:
        u_plan = [packed.plan(r, case.u.shape, floats, dtype, integer)]
    else:
        u_plan, u2 = [], packed.scalar(r, floats, dtype, integer)
    x2, V2, *rest = packed.fill(r, x_plan, V_plan, *u_plan)
    return x_layout(x2), V_layout(V2), rest[0] if rest else u2


# --- presets --------------------------------------------------------------------------


def _paddings(padding: Padding | tuple[Padding, ...] | None) -> tuple[Padding, ...]:
    if padding is None:
        return PADDINGS
    return padding if isinstance(padding, tuple) else (padding,)


def _layouts(any_layout: bool) -> tuple[str, ...]:
    return tuple(LAYOUTS) if any_layout else ()


@cache
def cases(
    padding: Padding | tuple[Padding, ...] | None = None,
    exact: bool | None = True,
    max_side: int | None = None,
    max_delta: int | None = None,
    any_layout: bool = True,
    minimal: bool = False,
    extra: Extra | None = None,
    limits: Limits = NO_LIMITS,
) -> st.SearchStrategy[Any]:
    """A 2-D layer input at scale (:data:`SCALE`; ``max_side``, ``max_delta``: the
    scope), x, V and u in every layout (``any_layout``), within ``limits`` (an
    implementation's, ``layer.limits``). ``padding``: one, a tuple to draw from, or None
    for all; for 'valid' the image is at least as large as the kernel (the larger-kernel
    case is :func:`oversized_cases`). ``exact`` and ``extra``: as :class:`Domain`. With
    ``minimal=True``, every part and element is drawn on its own (hypothesis.extra.numpy),
    in the small scope, for counterexamples shown to a reader (harness.refute)."""
    paddings = _paddings(padding)
    if minimal:
        if exact is None or extra is not None:
            raise ValueError("cases(minimal=True) takes exact=True or False and no extra")
        return _minimal_cases(paddings, exact, max_side or MAX_SIDE, MAX_DELTA if max_delta is None
                              else max_delta, any_layout)
    return inputs(Domain(paddings=paddings, exact=exact, max_side=max_side, max_delta=max_delta,
                         limits=limits, layouts=_layouts(any_layout), extra=extra))


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
    limits: Limits = NO_LIMITS,
) -> st.SearchStrategy[Any]:
    """An input of a layer under test in ``ndim`` spatial dimensions, in ``dtype``, at
    scale: x (n1, ..., nd), V (2Δ+1,)*d and a scalar u, or with ``channels`` x (*n, C_in),
    V (*k, C_in, C_out), u (C_out,) (reference.contract); every array in every layout;
    with full-precision floats V has a single nonzero entry half the time
    (``Domain.one_tap``). The rest as :func:`cases`."""
    return inputs(Domain(ndim=ndim, channels=channels, dtype=dtype, paddings=_paddings(padding),
                         exact=exact, max_side=max_side, max_delta=max_delta,
                         max_channels=max_channels, limits=limits,
                         layouts=_layouts(any_layout), one_tap=True, extra=extra))


#: The small scope of the N-D theory properties, per dimension: the loop references visit
#: side^d outputs × (2Δ+1)^d offsets, so 3-D volumes stay tiny. Δ still exceeds the side
#: (a kernel that wraps the torus) in every dimension.
ND_MAX_SIDE: dict[int, int] = {1: 10, 2: 5, 3: 3}
ND_MAX_DELTA: dict[int, int] = {1: 3, 2: 2, 3: 1}


@cache
def nd_cases(
    ndim: int,
    padding: Padding | tuple[Padding, ...] | None = None,
    exact: bool | None = True,
    max_side: int | None = None,
    max_delta: int | None = None,
    extra: Extra | None = None,
) -> st.SearchStrategy[Any]:
    """A C-contiguous layer input in ``ndim`` dimensions in the small scope (sides and Δ
    up to ND_MAX_SIDE and ND_MAX_DELTA), for the theory properties of every-dimension.
    ``exact`` and ``extra``: as :class:`Domain`."""
    side = ND_MAX_SIDE[ndim] if max_side is None else max_side
    delta = ND_MAX_DELTA[ndim] if max_delta is None else max_delta
    return inputs(Domain(ndim=ndim, paddings=_paddings(padding), exact=exact, max_side=side,
                         max_delta=delta, layouts=(), extra=extra))


@cache
def channel_cases(
    padding: Padding | None = None,
    max_side: int = 5,
    max_delta: int = 2,
    max_channels: int = 3,
    extra: Extra | None = None,
) -> st.SearchStrategy[Any]:
    """A C-contiguous, integer-valued 2-D channel-layer input in the small scope, for the
    theory properties of channels: x (H, W, C_in), V (2Δ+1, 2Δ+1, C_in, C_out), u (C_out,),
    1 <= C_in, C_out <= max_channels."""
    return inputs(Domain(channels=True, paddings=_paddings(padding), max_side=max_side,
                         max_delta=max_delta, max_channels=max_channels, layouts=(), extra=extra))


def conv_cases(ndim: int, dtype: str = "float64", exact: bool | None = True,
               allowed: Allowed | None = None, regime: str | None = None,
               extra: Extra | None = None) -> st.SearchStrategy[Any]:
    """A conv-contract input (conv_strategies.ConvCase) in ``ndim`` spatial dimensions and
    ``dtype``, using the features ``allowed`` allows (by default all), in every memory
    layout; with ``extra``, (case, extra value)."""
    return inputs(Domain(ndim=ndim, dtype=dtype, exact=exact, conv=allowed or Allowed(),
                         regime=regime, extra=extra))


@cache
def oversized_cases(ndim: int, max_delta: int | None = None) -> st.SearchStrategy[Case]:
    """An integer-valued 'valid' input whose kernel (Δ >= 1, at scale) is wider than x
    along at least one axis (drawn, 1 .. 2Δ there); the other sides at scale."""
    sizes = scale(ndim).upto(delta=max_delta)

    def read(r: Reader) -> Case:
        delta = max(1, sizes.delta.read(r))
        short = r.digit(ndim)
        sides = [sizes.side.read(r) for _ in range(ndim)]
        sides[short] = 1 + r.digit(2 * delta)
        x_plan = packed.plan(r, tuple(sides))
        V_plan = packed.plan(r, (2 * delta + 1,) * ndim)
        u = packed.scalar(r)
        x, V = packed.fill(r, x_plan, V_plan)
        return Case(x=x, V=V, u=u, padding="valid")

    return packed.packed(read)


def within(case: Case, limits: Limits) -> Case:
    """``case`` (2-D or N-D, channels-last, no batch) cut down to an implementation's
    limits (:func:`fit`): x to its leading block, V to its central block and leading
    channels, u to its leading entries; for strategies built before the implementation is
    known (``@given`` arguments, which ``@example`` needs)."""
    if limits == NO_LIMITS:
        return case
    channels = case.V.ndim == case.x.ndim + 1
    d = case.x.ndim - 1 if channels else case.x.ndim
    c_in, c_out = (case.V.shape[-2], case.V.shape[-1]) if channels else (0, 0)
    e = Extent(case.delta, case.x.shape[:d], c_in, c_out)
    f = fit(e, case.padding, limits)
    if f == e:
        return case
    cut = case.delta - f.delta
    V = case.V[(slice(cut, case.V.shape[0] - cut),) * d]
    x = case.x[tuple(slice(0, n) for n in f.sides)]
    u = case.u
    if channels:
        x, V, u = x[..., : f.c_in], V[..., : f.c_in, : f.c_out], np.asarray(u)[: f.c_out]
    return dataclasses.replace(case, x=x, V=V, u=u)


# --- parts, drawn on their own (small scope) ------------------------------------------


@cache
def scalars(exact: bool = True) -> st.SearchStrategy[float]:
    """One entry of x or V, or a bias u, drawn element-wise."""
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


def nd_shapes(ndim: int, min_side: int = 1, max_side: int | None = None
              ) -> st.SearchStrategy[tuple[int, ...]]:
    """Shapes of ``ndim`` axes, sides 1 .. ND_MAX_SIDE[ndim] by default."""
    top = ND_MAX_SIDE[ndim] if max_side is None else max_side
    return hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=min_side,
                            max_side=max(min_side, top))  # type: ignore[return-value]


def _flush_tiny(a: np.ndarray) -> np.ndarray:
    a[np.abs(a) < TINY] = 0.0
    return a


@cache
def arrays(
    shape: tuple[int, ...], exact: bool = True, minimal: bool = False
) -> st.SearchStrategy[np.ndarray]:
    """A float64 array of the given shape: small integers (``exact``) or floats.

    Drawn as a few header digits and one seeded block (properties.packed): a constant,
    sparse or dense array. ``minimal=True`` draws every element with
    hypothesis.extra.numpy, which shrinks each one to 0 on its own: use it where the
    shrunk example is shown to a reader (counterexamples).
    """
    if not minimal:
        return packed.packed(lambda r: packed.array(r, shape, not exact))
    if exact:
        ints = hnp.arrays(np.int64, shape, elements=st.integers(-INT_BOUND, INT_BOUND),
                          fill=st.nothing())
        return ints.map(lambda a: a.astype(np.float64))
    floats = st.floats(-HUGE, HUGE, allow_nan=False, allow_infinity=False, allow_subnormal=False)
    return hnp.arrays(np.float64, shape, elements=floats, fill=st.nothing()).map(_flush_tiny)


@cache
def float32_arrays(shape: tuple[int, ...], exact: bool = True) -> st.SearchStrategy[np.ndarray]:
    """A float32 array: small integers, or floats of magnitude 0 or 2^-40 .. 2^40."""
    return packed.packed(lambda r: packed.array(r, shape, not exact, np.float32))


@cache
def images(min_side: int = 1, max_side: int = MAX_SIDE) -> st.SearchStrategy[np.ndarray]:
    """An integer-valued image x of sides min_side .. max_side, its shape and entries
    read in one draw (properties.packed)."""

    def read(r: Reader) -> np.ndarray:
        shape = (r.side(min_side, max_side), r.side(min_side, max_side))
        return packed.array(r, shape)

    return packed.packed(read)


@cache
def dense_inputs(ndim: int = 2, max_side: int = 5
                 ) -> st.SearchStrategy[tuple[tuple[int, ...], np.ndarray, np.ndarray, np.ndarray]]:
    """(shape, W, u, x) of a dense layer on a grid of ``ndim`` sides 1 .. max_side: W of
    shape (*shape, *shape), u and x of the grid's, integer-valued; one draw."""

    def read(r: Reader) -> tuple[tuple[int, ...], np.ndarray, np.ndarray, np.ndarray]:
        shape = tuple(r.side(1, max_side) for _ in range(ndim))
        plans = (packed.plan(r, (*shape, *shape)), packed.plan(r, shape), packed.plan(r, shape))
        return (shape, *packed.fill(r, *plans))

    return packed.packed(read)


class Perturbed(NamedTuple):
    """A shared dense layer on a grid, W the circulant of ``row`` and u constant,
    perturbed at the hidden position of flat index ``i``: W's row there by
    ``W_perturbation`` (of the grid's shape; None: not at all), u there by
    ``u_perturbation``."""

    shape: tuple[int, ...]
    row: np.ndarray
    u: int
    i: int
    W_perturbation: np.ndarray | None
    u_perturbation: int


@cache
def perturbed_dense(ndim: int = 2, max_side: int = 5) -> st.SearchStrategy[Perturbed]:
    """A :class:`Perturbed` on a grid of ``ndim`` sides 1 .. max_side: integer row, u and
    u's perturbation in [-4, 4], W and u each perturbed in half the draws; one draw, and
    zero bytes give the unperturbed layer."""

    def read(r: Reader) -> Perturbed:
        shape = tuple(r.side(1, max_side) for _ in range(ndim))
        u, i = r.signed(4), r.digit(prod(shape), width=2)
        perturb_W, perturb_u, du = r.digit(2), r.digit(2), r.signed(4)
        row, W_row = packed.fill(r, packed.plan(r, shape), packed.plan(r, shape))
        return Perturbed(shape, row, u, i, W_row if perturb_W else None, du if perturb_u else 0)

    return packed.packed(read)


@cache
def kernels(delta: int, exact: bool = True, minimal: bool = False) -> st.SearchStrategy[np.ndarray]:
    """V of shape (2Δ+1, 2Δ+1), V[Δ + a, Δ + b] the article's V[a, b]."""
    return arrays((2 * delta + 1, 2 * delta + 1), exact, minimal)


@cache
def shifts(shape: tuple[int, int], beyond: int = 2) -> st.SearchStrategy[tuple[int, int]]:
    """Shifts s with |s_d| <= beyond·n_d: zero, partial, full and several turns of the torus."""
    return st.tuples(*(st.integers(-beyond * n, beyond * n) for n in shape))


def small_arrays(shape: tuple[int, ...], bound: int) -> st.SearchStrategy[np.ndarray]:
    """Integer-valued float64 arrays with entries in [-bound, bound]: for products of
    several kernels (stacks), whose sums must stay exact in float64."""
    ints = hnp.arrays(np.int64, shape, elements=st.integers(-bound, bound))
    return ints.map(lambda a: a.astype(np.float64))


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


# --- explicit examples and fitted cases (rare regions pinned down with @example) --------


def impulse(shape: tuple[int, int], k: int, l: int, t: float = 1.0) -> np.ndarray:
    """t·e_kl: the image that is t at (k, l) and 0 elsewhere."""
    e = np.zeros(shape)
    e[k, l] = t
    return e


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
