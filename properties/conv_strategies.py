"""Inputs of the conv contract: batch, channels, groups, stride, dilation, padding pairs,
padding mode, even and odd kernels, every memory layout, at scale.

One :class:`ConvCase` (x, w, b, spec) is read off one packed draw (properties.packed:
a header of small digits, then one seeded block for x, w and b), in the dimension and
dtype a property asks for and within what the implementation declares (:class:`Allowed`).
The header's first digit picks a **regime**, so that the scales where implementations
change code paths are a steady share of the draws, and the shrinker, which lowers it to
0, ends at the small regime:

* small (60%): N <= 3, C_in/groups and C_out/groups <= 3, groups <= 3, sides <= 8
  (12 in 1-D, 4 in 3-D), kernels <= 4 (3 in 3-D), stride and dilation <= 3;
* batch (20%): N in 8 .. 16, else small;
* channels (10%): C_in and C_out in 1 .. 40 (crossing 8 and 32), groups in {1, 2, 4} where
  they divide, N <= 2, sides <= 6 (3 in 3-D);
* sides (10%): every spatial axis of 32 .. 40 in 1-D and 2-D, one in 3-D (the others
  <= 3), N <= 2, channels as in the small regime.

(Shares of the header's digit; Hypothesis's own byte distribution leans to zero, the
small regime, so the measured shares are somewhat lower.)

x, w and b arrive each in one of the memory layouts of properties.layouts.LAYOUTS (the
one table for every dimension), channels-last views of channels-first data included.

Properties draw them through the one public entry point, properties.strategies.inputs,
with a ``Domain(conv=Allowed(...))`` (preset: strategies.conv_cases).
tests/test_conv_strategies.py prints the distribution and holds it to these shares.

Blocks are made from seeds, not drawn byte by byte, so that their size costs Hypothesis
nothing; unlike properties.packed.packed, which holds an input to the 8 KiB of
Hypothesis's buffer, the blocks here are as large as the scale needs (up to 16 samples of
40x40, or 40 channels) while the header stays a few dozen bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from convproof.properties import packed
from convproof.properties.layouts import LAYOUTS, channels_last
from convproof.properties.packed import Reader
from convproof.theory.conv import PADDING_MODES, ConvSpec, conv_shape, receptive_field
from hypothesis import strategies as st

#: Regimes, in twentieths of the draws: small, batch, channels, sides (module docstring).
REGIMES = ("small",) * 12 + ("batch",) * 4 + ("channels",) * 2 + ("sides",) * 2
SMALL_SIDE = {1: 12, 2: 8, 3: 4}
SMALL_KERNEL = {1: 4, 2: 4, 3: 3}
BIG_SIDE = (32, 40)
MAX_BATCH = 16
BIG_BATCH = 8
MAX_CHANNELS = 40


@dataclass(frozen=True)
class Allowed:
    """The features a draw may use: the implementation's declaration, narrowed by the
    property (a feature left out is 1, or odd kernels, or 'zeros')."""

    stride: bool = True
    dilation: bool = True
    groups: bool = True
    even_kernels: bool = True
    padding_modes: tuple[str, ...] = PADDING_MODES
    bias: bool = True

    @classmethod
    def of(cls, conv: Any, **narrowed: Any) -> Allowed:
        """What ``conv`` (a reference.conv_contract.Conv) declares, narrowed."""
        d = conv.declares
        base = cls(stride=d.stride, dilation=d.dilation, groups=d.groups,
                   even_kernels=d.even_kernels,
                   padding_modes=tuple(m for m in PADDING_MODES if m in d.padding_modes))
        for name, value in narrowed.items():
            if name == "padding_modes":
                value = tuple(m for m in base.padding_modes if m in value)
            elif isinstance(value, bool):
                value = value and getattr(base, name)
            base = replace(base, **{name: value})
        return base


@dataclass(frozen=True)
class ConvCase:
    """One input of the conv contract: y = conv(x, w, b, **spec.kwargs())."""

    x: np.ndarray
    w: np.ndarray
    b: np.ndarray | None
    spec: ConvSpec
    regime: str = "small"
    #: The memory layouts (properties.layouts.LAYOUTS) of x, w and b.
    layouts: tuple[str, str, str] = ("contiguous",) * 3
    #: Integer-valued entries (every sum exact in float64), or floats.
    exact: bool = True

    def __repr__(self) -> str:
        def show(a: np.ndarray | None) -> str:
            if a is None:
                return "None"
            if a.size <= 64:
                return repr(a.tolist())
            return f"<{a.dtype} array of shape {a.shape}>"

        return (f"ConvCase({self.spec}, layouts={self.layouts!r},\n  x {self.x.shape} = "
                f"{show(self.x)},\n  w {self.w.shape} = {show(self.w)},\n  b = {show(self.b)})")

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(repr(self))


# --- reading one case ---------------------------------------------------------------------


def _shape_digits(r: Reader, ndim: int, regime: str, allowed: Allowed
                  ) -> tuple[int, int, int, int, tuple[int, ...]]:
    """(N, groups, C_in/groups, C_out/groups, sides): a fixed number of header bytes."""
    n_small, n_big = 1 + r.digit(3), r.side(BIG_BATCH, MAX_BATCH)
    g_small, g_big = 1 + r.digit(3), r.pick((1, 2, 4))
    ci_small, co_small = 1 + r.digit(3), 1 + r.digit(3)
    ci_big, co_big = r.side(1, MAX_CHANNELS), r.side(1, MAX_CHANNELS)
    sides_small = tuple(r.side(1, SMALL_SIDE[ndim]) for _ in range(ndim))
    sides_big = tuple(r.side(*BIG_SIDE) for _ in range(ndim))
    big_axis = r.digit(ndim)
    n = n_big if regime == "batch" else (min(n_small, 2) if regime in ("channels", "sides")
                                         else n_small)
    if regime == "channels":
        groups = g_big if allowed.groups else 1
        groups = groups if ci_big % groups == 0 and co_big % groups == 0 else 1
        c_in, c_out = ci_big // groups, co_big // groups
        sides = tuple(min(s, 6 if ndim < 3 else 3) for s in sides_small)
    else:
        groups = g_small if allowed.groups else 1
        c_in, c_out = ci_small, co_small
        sides = sides_small
    if regime == "sides":
        sides = sides_big if ndim < 3 else tuple(
            sides_big[a] if a == big_axis else min(sides_small[a], 3) for a in range(ndim))
    return n, groups, c_in, c_out, sides


def _axis_digits(r: Reader, ndim: int, n: int, allowed: Allowed, circular: bool
                 ) -> tuple[int, int, int, int, int]:
    """(k, stride, dilation, lo, hi) of one axis of side n, with an output of size >= 1."""
    k = 1 + r.digit(SMALL_KERNEL[ndim])
    if not allowed.even_kernels and k % 2 == 0:
        k -= 1
    s, dl = 1 + r.digit(3), 1 + r.digit(3)  # read either way: a fixed header
    s, dl = (s if allowed.stride else 1), (dl if allowed.dilation else 1)
    # the torus: pads of several turns on short axes, where wrapping more than once is
    # the question; a few pixels on long ones
    reach = (2 * n + 4 if n <= SMALL_SIDE[ndim] else 12) if circular else receptive_field(k, dl) + 1
    lo, hi = r.digit(reach + 1, 2), r.digit(reach + 1, 2)
    deficit = receptive_field(k, dl) - (n + lo + hi)
    if deficit > 0:  # no window fits: widen the padding after the input, deterministically
        hi += deficit
    return k, s, dl, lo, hi


def read_case(r: Reader, ndim: int, dtype: type, exact: bool, allowed: Allowed,
              regime: str | None = None, layouts: tuple[str, ...] = tuple(LAYOUTS)
              ) -> ConvCase:
    """One :class:`ConvCase` off ``r`` (module docstring); ``regime`` forces one; each of
    x, w and b in one of ``layouts`` (none: C-contiguous)."""
    drawn = r.pick(REGIMES)
    regime = regime or drawn
    n, groups, c_in_g, c_out_g, sides = _shape_digits(r, ndim, regime, allowed)
    mode = r.pick(allowed.padding_modes)
    axes = [_axis_digits(r, ndim, side, allowed, mode == "circular") for side in sides]
    k, stride, dilation, lo, hi = (tuple(a[q] for a in axes) for q in range(5))
    spec = ConvSpec(stride, tuple(zip(lo, hi, strict=True)), dilation, groups, mode)  # type: ignore[arg-type]
    x_shape = (n, groups * c_in_g, *sides)
    w_shape = (groups * c_out_g, c_in_g, *k)
    with_bias = allowed.bias and r.digit(8) != 7
    names = tuple(r.pick(layouts) if layouts else "contiguous" for _ in range(3))  # x, w, b
    plans = [packed.plan(r, x_shape, not exact, dtype),
             packed.plan(r, w_shape, not exact, dtype),
             packed.plan(r, (w_shape[0],), not exact, dtype)]
    x, w, b = (LAYOUTS[name](a, channels_last(a.ndim))
               for name, a in zip(names, packed.fill(r, *plans), strict=True))
    return ConvCase(x, w, b if with_bias else None, spec, regime, names, exact)  # type: ignore[arg-type]


def conv_packed(*builds: Callable[[Reader], Any]) -> st.SearchStrategy[Any]:
    """The strategy of ``build(reader)``: a header of the fixed size ``build`` reads
    (found by reading zeros), then the seeded blocks it asks for. With several builds
    the header's first byte picks one (zero: the first), as in properties.packed.packed."""
    sizes = []
    for build in builds:
        probe = Reader(bytes(1 << 16))
        build(probe)
        sizes.append(probe.at)
    choice = 1 if len(builds) > 1 else 0
    size = choice + max(sizes)

    @st.composite
    def read(draw: st.DrawFn) -> Any:
        raw = draw(st.binary(min_size=size, max_size=size))
        i = raw[0] % len(builds) if choice else 0
        reader = Reader(raw[choice:])
        value = builds[i](reader)
        if reader.at != sizes[i]:
            raise RuntimeError("conv strategy read a varying number of header bytes: a bug "
                               "in properties/conv_strategies.py")
        return value

    return read()


def conv_strategy(ndim: int, dtype: str, exact: bool | None, allowed: Allowed,
                  regime: str | None, layouts: tuple[str, ...],
                  extra: Callable[[Reader, ConvCase], Any] | None) -> st.SearchStrategy[Any]:
    """The strategy of :class:`ConvCase` in ``ndim`` spatial dimensions and ``dtype``:
    integer-valued entries (``exact``), wide-range floats (False) or either, drawn (None,
    integers first); with ``extra``, (case, extra(r, case)) read in the same draw.
    (properties.strategies.inputs is the public way to it.)"""
    width = np.float32 if dtype == "float32" else np.float64

    def build(kind: bool) -> Callable[[Reader], Any]:
        def read(r: Reader) -> Any:
            case = read_case(r, ndim, width, kind, allowed, regime, layouts)
            return case if extra is None else (case, extra(r, case))

        return read

    return conv_packed(*(build(kind) for kind in ((True, False) if exact is None else (exact,))))


def preferred_dtype(conv: Any) -> str:
    """The dtype a property draws in when it is not parametrized by one: float64 where
    declared, else the implementation's only dtype (float32)."""
    return "float64" if "float64" in conv.declares.dtypes else "float32"


# --- values that go with a case (Domain.extra: extra(r, case, domain)) ---------------


def output_gradient(r: Reader, case: ConvCase, domain: Any = None) -> np.ndarray:
    """g, of the output's shape, in the case's kind and dtype (for the backward pass)."""
    out = conv_shape(case.x.shape[2:], case.w.shape[2:], case.spec)
    shape = (case.x.shape[0], case.w.shape[0], *out)
    return packed.array(r, shape, not case.exact, case.x.dtype.type)


def impulse_position(r: Reader, case: ConvCase, domain: Any = None
                     ) -> tuple[tuple[int, ...], float]:
    """(p, t): a position of x and a nonzero integer t, for impulse probing."""
    p = tuple(r.digit(n, 2) for n in case.x.shape)
    return p, float(packed.zigzag(r.digit(2 * packed.INT_BOUND) + 1))


def shift_steps(r: Reader, case: ConvCase, domain: Any = None) -> tuple[int, ...]:
    """t: a shift of the output grid per spatial axis, |t| <= 3."""
    return tuple(r.signed(3) for _ in case.x.shape[2:])
