"""theory.bounds against exact arithmetic: it accepts every correct implementation, direct
and FFT, and rejects float32 arithmetic passed off as float64 and a 1e-10 non-local leak.

The oracle. For each output, the exact value h = u + Σ V·x is a sum of floats once every
product V·x is split exactly into p + e with p = fl(V·x) (Dekker's TwoProduct with
Veltkamp's splitting: T. J. Dekker, Numer. Math. 18 (1971) 224-242; Ogita, Rump and Oishi,
SIAM J. Sci. Comput. 26 (2005), Algorithm 3.3; exact in binary64 barring underflow and
overflow, which the data below never approach; float32 inputs are widened exactly).
``math.fsum`` (Shewchuk's algorithm) returns the correctly rounded value of a finite sum
of floats, so the exact h is held as a short non-overlapping expansion h = c1 + c2 + ...
(c1 = fsum(terms), c2 = fsum(terms - c1), ... until the residual is 0), and the error of
an implementation's output ĥ is r = fsum(ĥ, -c1, -c2, ...): the correctly rounded value
of ĥ - h. Since every bound is a float and rounding is monotone, |ĥ - h| <= B implies
|r| <= B: checking r against the bound adds no tolerance of its own.

Why not the alternatives: np.longdouble has a 64-bit significand on x86 (and is plain
float64 on some platforms), so it does not hold the 106-bit products exactly, and its
own rounding would need a tolerance; ``fractions.Fraction`` is exact too but about ten
times slower on these draws (:func:`test_the_oracle_is_exact` uses it to check this
oracle bit for bit on a sample).

The data come from a seeded numpy Generator (the same draws on every run, so nothing here
is flaky) in several kinds: magnitudes 10^-8 .. 10^8 of mixed signs and some zeros
("wide"), standard normal ("normal"), nearly constant images against zero-sum kernels
with a bias that cancels the sum ("cancellation"), and integers whose products pass 2^53
("big integers", where rounding does occur on integer data); in 1-D, 2-D, 3-D and with
channels, kernels larger than the input included; float32 inputs (1-D and 2-D) against
the float32 bound.

What a normwise bound cannot do is pinned down too: the FFT bound scales with
||x||_2·||k||_1, so on data spanning 16 decades float32 arithmetic or a 1e-10 leak at
the small outputs passes it; only the direct model catches those everywhere.

``python -m tests.test_bounds`` prints the worst ratio |error| / bound found for each
correct implementation (direct: the largest elementwise ratio; FFT: ||error||_2 over the
normwise bound): how tight the bounds are on these data; and the least ratio of each bug
(how far outside the bound it lands).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from convproof.reference import BUILTINS
from convproof.reference.channels import channel_layer, channel_loops
from convproof.reference.contract import Layer, as_layer
from convproof.reference.nd import correlate_nd, correlate_nd_loops
from convproof.theory import bounds
from convproof.theory.indices import PADDINGS, Padding, delta_of, windows
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.correct_impls import CORRECT

pytestmark = pytest.mark.machinery

SEED = 20_240_531

# --- the oracle ----------------------------------------------------------------------

#: Veltkamp's splitting constant 2^27 + 1: a = hi + lo with hi, lo of at most 26 bits.
_SPLIT = 2.0**27 + 1


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c = _SPLIT * a
    hi = c - (c - a)
    return hi, a - hi


def two_product(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(p, e) with p = fl(a·b) and p + e = a·b exactly (Dekker; no underflow or overflow)."""
    p = a * b
    a_hi, a_lo = _split(a)
    b_hi, b_lo = _split(b)
    e = a_lo * b_lo - (((p - a_hi * b_hi) - a_lo * b_hi) - a_hi * b_lo)
    return p, e


def _spatial(x: np.ndarray, V: np.ndarray) -> int:
    return x.ndim - 1 if V.ndim == x.ndim + 1 else x.ndim


def exact_terms(x: np.ndarray, V: np.ndarray, u: float | np.ndarray, padding: Padding) -> np.ndarray:
    """Floats whose exact sum along the last axis is the exact output: u, then the
    rounded products and their rounding errors. Shape (*output shape, 1 + 2·terms)."""
    x = np.asarray(x, dtype=np.float64)  # exact for float32 input
    V = np.asarray(V, dtype=np.float64)
    d = _spatial(x, V)
    w = windows(x, delta_of(V, d), padding, d)
    out = w.shape[:d]
    n = V.size // (V.shape[-1] if V.ndim == x.ndim + 1 else 1)
    if V.ndim == x.ndim + 1:  # w: (*out, C_in, *k); V: (*k, C_in, C_out)
        c_out = V.shape[-1]
        a = np.broadcast_to(w.reshape(*out, 1, n), (*out, c_out, n))
        b = np.moveaxis(V, d, 0).reshape(n, c_out).T  # (C_out, C_in·k), as w's (C_in, *k)
        bias = np.broadcast_to(np.asarray(u, dtype=np.float64), (*out, c_out))
    else:
        a = w.reshape(*out, n)
        b = V.reshape(n)
        bias = np.full(out, float(u))
    p, e = two_product(a, b)
    return np.concatenate([bias[..., None], p, e], axis=-1)


def exact_expansion(terms: np.ndarray) -> list[list[float]]:
    """Non-overlapping components c1, c2, ... (each a list over the outputs) whose exact
    sum is the exact sum of ``terms`` along its last axis; c1 is the correctly rounded sum."""
    rows = terms.reshape(-1, terms.shape[-1]).tolist()
    comps: list[list[float]] = []
    for _ in range(64):  # each component is below half an ulp of the previous one
        c = [math.fsum(row) for row in rows]
        if not any(c):
            return comps
        comps.append(c)
        rows = [[*row, -v] for row, v in zip(rows, c, strict=True)]
    raise AssertionError("exact_expansion did not terminate: terms out of range")


def exact_error(h: np.ndarray, comps: list[list[float]]) -> np.ndarray:
    """fl(ĥ - h) for every output, correctly rounded, with h given by its expansion."""
    flat = np.asarray(h, dtype=np.float64).ravel().tolist()
    cols = list(zip(*comps, strict=True)) if comps else [()] * len(flat)
    r = [math.fsum((hh, *(-c for c in cs))) for hh, cs in zip(flat, cols, strict=True)]
    return np.asarray(r).reshape(np.shape(h))


def fraction_error(h: np.ndarray, x: np.ndarray, V: np.ndarray, u: float | np.ndarray,
                   padding: Padding) -> np.ndarray:
    """The same as exact_error(h, exact_expansion(exact_terms(...))), in rational
    arithmetic from the definition: the check of the oracle."""
    x = np.asarray(x, dtype=np.float64)
    V = np.asarray(V, dtype=np.float64)
    d = _spatial(x, V)
    w = windows(x, delta_of(V, d), padding, d)
    out = np.empty(np.shape(h))
    for i in np.ndindex(*w.shape[:d]):
        if V.ndim == x.ndim + 1:
            for o in range(V.shape[-1]):
                total = Fraction(float(np.asarray(u)[o]))
                for c in range(x.shape[-1]):
                    for a in np.ndindex(*V.shape[:d]):
                        total += Fraction(float(V[(*a, c, o)])) * Fraction(float(w[(*i, c, *a)]))
                out[(*i, o)] = float(Fraction(float(h[(*i, o)])) - total)
        else:
            total = Fraction(float(u))
            for a in np.ndindex(*V.shape):
                total += Fraction(float(V[a])) * Fraction(float(w[(*i, *a)]))
            out[i] = float(Fraction(float(h[i])) - total)
    return out


def ratio(r: np.ndarray, bound: bounds.Bound, model: bounds.Model) -> float:
    """How much of the bound the error r uses: max |r| / elementwise (direct), or
    ||r||_2 / normwise (FFT); 0 for r = 0 under the zero bound, inf for r != 0 under it."""
    if model == "direct":
        elem = np.broadcast_to(bound.elementwise, r.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            q = np.where(r == 0, 0.0, np.abs(r) / elem)
        return float(q.max(initial=0.0))
    top = bounds.norm2(r)
    return 0.0 if top == 0 else (top / bound.normwise if bound.normwise else math.inf)


def _contract_fn(x: np.ndarray, V: np.ndarray) -> Callable:
    """A direct-summation layer for these shapes: with channels or without, any dimension."""
    return channel_layer if V.ndim == x.ndim + 1 else correlate_nd


# --- the data -----------------------------------------------------------------------

KINDS = ("wide", "normal", "cancellation", "big integers")


def _values(rng: np.random.Generator, shape: tuple[int, ...], kind: str,
            zeros: bool = True) -> np.ndarray:
    if kind == "wide":
        v = rng.choice([-1.0, 1.0], shape) * 10.0 ** rng.uniform(-8, 8, shape)
        return np.where(rng.random(shape) < 0.1, 0.0, v) if zeros else v
    if kind == "normal":
        return rng.standard_normal(shape)
    if kind == "big integers":
        return rng.integers(-(2**31), 2**31, shape).astype(np.float64)
    raise ValueError(kind)


@dataclass(frozen=True)
class Draw:
    """One input (x, V, u, padding), numbered and labelled with its kind of data."""

    index: int
    kind: str
    x: np.ndarray
    V: np.ndarray
    u: float | np.ndarray
    padding: Padding

    def __str__(self) -> str:
        return (f"draw {self.index} ({self.kind}, padding={self.padding!r}, x {self.x.shape} "
                f"{self.x.dtype}, V {self.V.shape})")


def draws(count: int, ndim: int, max_side: int, max_delta: int, channels: int = 0,
          dtype: type = np.float64, kinds: tuple[str, ...] = KINDS, zeros: bool = True,
          seed: int = SEED) -> Iterator[Draw]:
    """``count`` seeded inputs in ``ndim`` spatial dimensions, cycling through ``kinds``;
    ``channels`` > 0: up to that many input and output channels; ``zeros=False``: no
    zero entries (every entry is a random double, so none is exact in float32)."""
    rng = np.random.default_rng(
        [seed, ndim, max_side, max_delta, channels, np.dtype(dtype).itemsize, zeros, *map(len, kinds)]
    )
    for k in range(count):
        kind = kinds[k % len(kinds)]
        padding = PADDINGS[rng.integers(len(PADDINGS))]
        delta = int(rng.integers(0, max_delta + 1))
        low = 2 * delta + 1 if padding == "valid" else 1
        shape = tuple(int(rng.integers(low, max(low, max_side) + 1)) for _ in range(ndim))
        c_in, c_out = (int(rng.integers(1, max(channels, 1) + 1)) for _ in range(2))
        xs = (*shape, c_in) if channels else shape
        vs = (*(2 * delta + 1,) * ndim, c_in, c_out) if channels else (2 * delta + 1,) * ndim
        us = (c_out,) if channels else ()
        if kind == "cancellation":
            # nearly constant x against a zero-sum V: Σ V·x is tiny next to Σ |V|·|x|,
            # and the bias cancels what is left of the sum
            x = 1e4 * (1 + 1e-9 * rng.standard_normal(xs))
            V = rng.standard_normal(vs)
            V -= V.mean(axis=tuple(range(ndim)), keepdims=True)
            u = -1e4 * V.sum(axis=tuple(range(ndim)))
            if channels:
                u = u.sum(axis=0)
            u = u + 1e-6 * rng.standard_normal(us)
        else:
            x, V, u = (_values(rng, s, kind, zeros) for s in (xs, vs, us))
        x, V = x.astype(dtype), V.astype(dtype)
        u = np.asarray(u, dtype=dtype) if channels else dtype(u)
        yield Draw(k, kind, x, V, u, padding)


# --- the implementations --------------------------------------------------------------


#: Correct implementations by family of inputs: name -> Layer, with the error model each
#: declares (reference.contract).
FAMILIES: dict[str, dict[str, Layer]] = {
    "2-D": {
        **{n: BUILTINS[n] for n in ("loops", "vectorized", "dense", "correlate2d", "convolve2d",
                                    "ndimage", "scipy-direct", "fft", "scipy-fft")},
        **CORRECT,
        "correlate_nd": as_layer("correlate_nd", correlate_nd),
    },
    "1-D": {
        **{n: BUILTINS[n] for n in ("ndimage", "scipy-direct", "scipy-fft", "numpy")},
        "correlate_nd": as_layer("correlate_nd", correlate_nd),
        "correlate_nd_loops": as_layer("correlate_nd_loops", correlate_nd_loops),
    },
    "3-D": {
        **{n: BUILTINS[n] for n in ("ndimage", "scipy-direct", "scipy-fft")},
        "correlate_nd": as_layer("correlate_nd", correlate_nd),
    },
    "channels": {
        **{n: BUILTINS[n] for n in ("ndimage", "scipy-direct", "scipy-fft")},
        "channel_layer": as_layer("channel_layer", channel_layer),
        "channel_loops": as_layer("channel_loops", channel_loops),
    },
    "float32 2-D": {
        **{n: BUILTINS[n] for n in ("ndimage", "scipy-direct", "scipy-fft")},
        "vectorized": BUILTINS["vectorized"],  # einsum keeps float32 in float32
    },
    "float32 1-D": {n: BUILTINS[n] for n in ("ndimage", "scipy-direct", "scipy-fft", "numpy")},
}

#: The inputs of each family: (draws, ndim, max side, max Δ, channels, dtype). Sides and
#: Δ let kernels exceed the input (several turns of the torus).
DRAWS: dict[str, tuple[int, int, int, int, int, type]] = {
    "2-D": (1200, 2, 8, 3, 0, np.float64),
    "1-D": (800, 1, 16, 5, 0, np.float64),
    "3-D": (300, 3, 4, 2, 0, np.float64),
    "channels": (300, 2, 5, 2, 3, np.float64),
    "float32 2-D": (600, 2, 8, 3, 0, np.float32),
    "float32 1-D": (400, 1, 16, 5, 0, np.float32),
}


def family_draws(family: str) -> Iterator[Draw]:
    count, ndim, side, delta, channels, dtype = DRAWS[family]
    return draws(count, ndim, side, delta, channels, dtype)


def worst_ratios(family: str) -> dict[str, tuple[float, str]]:
    """For each implementation of ``family``: the worst |error| / bound over the draws,
    and the draw it occurred on. Fails (assert_within) on the first error beyond its bound."""
    worst: dict[str, tuple[float, str]] = dict.fromkeys(FAMILIES[family], (0.0, ""))
    for draw in family_draws(family):
        comps = exact_expansion(exact_terms(draw.x, draw.V, draw.u, draw.padding))
        for name, layer in FAMILIES[family].items():
            h = layer.fn(draw.x, draw.V, draw.u, draw.padding)
            assert h.dtype == draw.x.dtype, f"{name} returned {h.dtype} on {draw}"
            r = exact_error(h, comps)
            bound = bounds.for_model(layer.error_model, draw.x, draw.V, draw.u, draw.padding,
                                     draw.x.dtype)
            bounds.assert_within(r, np.zeros_like(r), bound, f"{name} vs exact on {draw}")
            q = ratio(r, bound, layer.error_model)
            if q > worst[name][0]:
                worst[name] = (q, str(draw))
    return worst


# --- acceptance -----------------------------------------------------------------------


def test_the_oracle_is_exact():
    """The fsum oracle gives bit for bit the rational-arithmetic error, also on channels
    and float32 inputs, where rounding, cancellation and big integers are involved."""
    samples = [
        *draws(60, 2, 5, 2), *draws(20, 1, 9, 3), *draws(8, 3, 3, 1),
        *draws(16, 2, 4, 1, channels=2), *draws(20, 2, 5, 2, dtype=np.float32),
    ]
    for draw in samples:
        h = _contract_fn(draw.x, draw.V)(draw.x, draw.V, draw.u, draw.padding)
        r = exact_error(h, exact_expansion(exact_terms(draw.x, draw.V, draw.u, draw.padding)))
        expected = fraction_error(h, draw.x, draw.V, draw.u, draw.padding)
        assert np.array_equal(r, expected), f"oracle differs from Fraction arithmetic on {draw}"


@pytest.mark.parametrize("family", list(FAMILIES))
def test_bounds_accept_correct_implementations(family, record_property):
    """Every correct implementation of the family, direct (elementwise γ_{n+1} bound) and
    FFT (normwise bound), has its exact error within theory.bounds on every draw."""
    worst = worst_ratios(family)
    for name, (q, where) in worst.items():
        record_property(f"worst ratio {name}", f"{q:.3g} on {where}")
    assert all(q <= 1 for q, _ in worst.values())


def test_the_direct_bound_is_attained_by_left_to_right_summation():
    """How tight γ_{n+1} is: u = 1 and n = 49 terms t = 2^-53·(1 + 2^-20) (x all ones on
    the torus, a 7×7 kernel of t) make every addition of the loop transcription round up
    by 2^-53 - 2^-73, so its error is n·(2^-53 - 2^-73), against the bound
    γ_{n+1}·(1 + n·t) ≈ (n + 1)·2^-53: the ratio is n/(n+1) to first order. The bound
    cannot be lowered by more than that factor without rejecting a correct layer."""
    n, t = 49, 2.0**-53 * (1 + 2.0**-20)
    x, V, u = np.ones((8, 8)), np.full((7, 7), t), 1.0
    h = BUILTINS["loops"].fn(x, V, u, "circular")
    r = exact_error(h, exact_expansion(exact_terms(x, V, u, "circular")))
    assert np.all(r == n * (2.0**-53 - 2.0**-73)), "the loop transcription did not round up"
    q = ratio(r, bounds.direct(x, V, u, "circular"), "direct")
    assert n / (n + 1) * (1 - 2.0**-19) < q <= 1


# --- rejection ------------------------------------------------------------------------


def float32_inside(x: np.ndarray, V: np.ndarray, u: float | np.ndarray, padding: Padding) -> np.ndarray:
    """A float64 layer that computes in float32: the bug theory.bounds must reject."""
    u32 = np.asarray(u, dtype=np.float32) if np.ndim(u) else np.float32(u)
    h = _contract_fn(x, V)(x.astype(np.float32), V.astype(np.float32), u32, padding)
    return h.astype(np.float64)


def nonlocal_leak(x: np.ndarray, V: np.ndarray, u: float | np.ndarray,
                  padding: Padding) -> np.ndarray | None:
    """The correct layer plus c·x[k(i)] at a pixel k(i) outside the window of h[i]: Δ + 1
    rows below it along the first axis, modulo the side (outside the window when the side
    exceeds 2Δ + 1; None otherwise), from input channel 0. The constant c makes the
    largest leaked term 1e-10 of the largest output scale max_i (|u| + Σ|V|·|x|), the
    quantity every bound scales with: a weight of W outside the band, of relative size
    1e-10."""
    d = _spatial(x, V)
    delta = delta_of(V, d)
    if x.shape[0] < 2 * delta + 2:
        return None
    h = _contract_fn(x, V)(x, V, u, padding)
    base = delta if padding == "valid" else 0
    k = list(np.indices(h.shape[:d]) + base)
    k[0] = (k[0] + delta + 1) % x.shape[0]
    source = x[tuple(k)] if d == x.ndim else x[(*k, 0)][..., None]
    top = float(np.abs(source).max(initial=0.0))
    if top == 0:
        return None
    scale = float(bounds.abs_layer(x, V, u, padding).max())
    return h + (1e-10 * scale / top) * source


BUGS: dict[str, Callable] = {"float32 arithmetic": float32_inside, "1e-10 non-local leak": nonlocal_leak}

#: Draws for the rejection tests: no zero entries (a zero image makes float32 arithmetic
#: exact, and a leaked zero is no leak).
REJECTION_DRAWS: dict[str, tuple[int, int, int, int, int]] = {
    "2-D": (400, 2, 8, 3, 0), "1-D": (200, 1, 16, 5, 0), "3-D": (100, 3, 4, 2, 0),
    "channels": (100, 2, 5, 2, 3),
}


def least_ratios(bug: str, model: bounds.Model, kinds: tuple[str, ...]) -> dict[str, tuple[float, str]]:
    """For each family: the smallest |error| / bound of the buggy layer over the draws of
    these kinds, and the draw; rejected on every draw iff all are > 1."""
    least: dict[str, tuple[float, str]] = {}
    for family, (count, ndim, side, delta, channels) in REJECTION_DRAWS.items():
        least[family] = (math.inf, "")
        for draw in draws(count, ndim, side, delta, channels, kinds=kinds, zeros=False):
            h = BUGS[bug](draw.x, draw.V, draw.u, draw.padding)
            if h is None:
                continue
            r = exact_error(h, exact_expansion(exact_terms(draw.x, draw.V, draw.u, draw.padding)))
            bound = bounds.for_model(model, draw.x, draw.V, draw.u, draw.padding)
            q = ratio(r, bound, model)
            try:
                bounds.assert_within(r, np.zeros_like(r), bound, bug)
                rejected = False
            except AssertionError:
                rejected = True
            assert rejected == (q > 1), f"ratio {q} and assert_within disagree on {draw}"
            if q < least[family][0]:
                least[family] = (q, str(draw))
    return least


@pytest.mark.parametrize("bug", list(BUGS))
def test_the_direct_bound_rejects(bug, record_property):
    """A float64 layer computing in float32, and a term 1e-10·(output scale) leaked from
    a pixel outside the window, exceed the direct bound on every draw, in 1-D, 2-D, 3-D
    and with channels, including 16 decades of dynamic range and cancellation: the error
    is at least 1e-10 (leak) or about 2^-25 (float32) of some output's scale, the bound
    at most γ_{n+1}·(1 + 2γ_{n+1}) <= 1e-13 of it."""
    least = least_ratios(bug, "direct", KINDS)
    for family, (q, where) in least.items():
        record_property(f"least ratio {family}", f"{q:.3g} on {where}")
        assert q > 1, f"{bug} passes the direct bound on {where}"


@pytest.mark.parametrize("bug", list(BUGS))
def test_the_fft_bound_rejects_on_data_of_moderate_range(bug, record_property):
    """The same bugs declared error_model="fft" (the lenient model) still exceed the
    normwise FFT bound on every draw of normal and big-integer data, in every family.
    (Not reliably on cancellation-prone data: a float32 sum that happens to land close
    to the tiny exact value passes a bound that scales with ||x||_2·||k||_1; measured
    down to 1.04 times the bound, 3-D, 5×5×5 kernel.)"""
    least = least_ratios(bug, "fft", ("normal", "big integers"))
    for family, (q, where) in least.items():
        record_property(f"least ratio {family}", f"{q:.3g} on {where}")
        assert q > 1, f"{bug} passes the FFT bound on {where}"


@pytest.mark.parametrize("bug", list(BUGS))
def test_the_fft_bound_is_blind_to_small_outputs_of_wide_range_data(bug):
    """A limit of a normwise bound, pinned down: the FFT bound scales with
    ||x||_2·||k||_1, i.e. with the largest entries, so on data spanning 16 decades a
    relative error of 1e-10 or of float32 at the small outputs passes it. Such a layer
    must declare error_model="direct" to be held to account; the FFT layers cannot be
    checked more tightly than their rounding allows."""
    least = least_ratios(bug, "fft", ("wide",))
    assert min(q for q, _ in least.values()) < 1


# --- exactness ------------------------------------------------------------------------


def test_integer_valued_is_every_entry_of_every_argument():
    """Whole numbers of either sign, in arrays or scalars, are integer-valued; a half or
    NaN anywhere, in any argument, is not. (±inf is: the magnitude tests reject it.)"""
    whole = np.array([[-3.0, 0.0], [2.0**60, -0.0]])
    assert bounds.integer_valued(whole, np.float32(7.0), 5.0, np.zeros((0, 3)))
    for bad in (0.5, -1.5, np.nan, 2.0**51 + 0.5):
        spoilt = whole.copy()
        spoilt[1, 1] = bad
        for args in ((spoilt, np.ones(3), 1.0), (whole, np.array([1.0, bad]), 1.0),
                     (whole, np.ones(3), bad)):
            assert not bounds.integer_valued(*args), (bad, args)


@pytest.mark.parametrize("family", ["2-D", "1-D", "3-D", "channels", "float32 2-D", "float32 1-D"])
def test_the_bound_is_zero_on_small_integers_and_they_are_met_exactly(family):
    """Integer data whose |u| + Σ|V|·|x| stays below 2^p (p = 53, or 24 for float32):
    the direct bound is exactly zero, and every direct implementation of the family is
    exact (oracle error 0) at every output. The FFT bound is never zero, and rightly so:
    the FFT layers are inexact on some of these draws."""
    count, ndim, side, delta, channels, dtype = DRAWS[family]
    top = 2**20 if dtype == np.float64 else 2**7  # (2Δ+1)^d·C_in·top² + top < 2^p
    rng = np.random.default_rng([SEED, 7, ndim, channels, np.dtype(dtype).itemsize])
    fft_inexact = 0
    for draw in draws(count // 4, ndim, side, delta, channels, dtype):
        x, V = (rng.integers(-top, top + 1, a.shape).astype(dtype) for a in (draw.x, draw.V))
        u = rng.integers(-top, top + 1, np.shape(draw.u)).astype(dtype)
        u = u if channels else dtype(u)
        p = draw.padding
        assert bounds.direct(x, V, u, p, dtype).is_zero, f"nonzero direct bound on {draw}"
        assert not bounds.fft(x, V, u, p, dtype).is_zero
        comps = exact_expansion(exact_terms(x, V, u, p))
        for name, layer in FAMILIES[family].items():
            r = exact_error(layer.fn(x, V, u, p), comps)
            if layer.error_model == "direct":
                bounds.assert_within(r, np.zeros_like(r), bounds.EXACT, f"{name} on {draw}")
            else:
                fft_inexact += bool(np.any(r))
    assert fft_inexact > 0, "no FFT layer was inexact: the zero bound might do for them"


@pytest.mark.parametrize(
    ("dtype", "x", "V", "exact"),
    [
        (np.float64, 2.0**26, 2.0**27, False),  # T = 2^53 + 1 rounds to 2^53: not exact
        (np.float64, 1.0, 2.0**53 - 2, True),  # T = 2^53 - 1
        (np.float32, 2.0**12, 2.0**12, False),  # T = 2^24 + 1
        (np.float32, 1.0, 2.0**24 - 2, True),  # T = 2^24 - 1
    ],
)
def test_exactness_ends_below_2_to_the_p(dtype, x, V, exact):
    """theory.bounds item 1 at its edge: with u = 1, T = 2^p + 1 rounds to 2^p in the
    layer (error 1), so the bound there must not be zero (as it was with T̂ <= 2^p); it
    must still cover the error. Just below, T = 2^p - 1, the bound is zero and met."""
    xs, Vs, u = np.array([[x]], dtype=dtype), np.array([[V]], dtype=dtype), dtype(1.0)
    bound = bounds.direct(xs, Vs, u, "zeros", dtype)
    assert bound.is_zero == exact
    for name in ("loops", "vectorized", "scipy-direct", "ndimage"):
        layer = BUILTINS[name]
        if dtype == np.float32 and "float32" not in layer.dtypes:
            continue
        h = layer.fn(xs, Vs, u, "zeros")
        r = exact_error(h, exact_expansion(exact_terms(xs, Vs, u, "zeros")))
        assert np.any(r) != exact, f"{name}: expected {'no ' if exact else ''}rounding"
        bounds.assert_within(r, np.zeros_like(r), bound, name)


@given(data=st.data())
@settings(max_examples=300, database=None, derandomize=True, deadline=None)
def test_the_quick_exactness_test_agrees_with_the_full_one(data):
    """exact_on decides by C = max|u| + max|x|·Σ|V| before computing T in full (item 1):
    on integer data whose sums straddle 2^53 it must give T̂ < 2^53 exactly."""
    k = data.draw(st.integers(16, 30), label="log2 of the largest entry")
    # near-maximal powers of two make several terms of the same size, whose sum crosses
    # 2^53 while each term stays below it
    powers = st.builds(lambda j, sign: sign * 2.0**j, st.integers(k - 3, k),
                       st.sampled_from([-1, 1]))
    entries = st.integers(-(2**k), 2**k).map(float) | powers
    delta = data.draw(st.integers(0, 2), label="Δ")
    padding = data.draw(st.sampled_from(PADDINGS), label="padding")
    low = 2 * delta + 1 if padding == "valid" else 1
    shape = data.draw(st.tuples(st.integers(low, low + 3), st.integers(low, low + 3)),
                      label="shape")
    x = data.draw(hnp.arrays(np.float64, shape, elements=entries), label="x")
    V = data.draw(hnp.arrays(np.float64, (2 * delta + 1,) * 2, elements=entries), label="V")
    u = float(data.draw(st.integers(-(2**53), 2**53), label="u"))
    full = float(bounds.abs_layer(x, V, u, padding).max(initial=0.0)) < 2.0**53
    assert bounds.exact_on(x, V, u, padding) == full


# --- the failure message --------------------------------------------------------------


def test_assert_within_names_the_implementation_and_the_worst_element():
    """The message names what was compared and the worst element: the largest excess
    over the elementwise bound, not the largest |difference| (here within its bound)."""
    rng = np.random.default_rng(SEED)
    x, V = rng.standard_normal((5, 6)), rng.standard_normal((3, 3))
    V[1, 1] = 1e6  # the largest outputs, with the largest bounds
    exact = BUILTINS["loops"].fn(x, V, 0.0, "zeros")
    bound = bounds.direct(x, V, 0.0, "zeros")
    h = exact.copy()
    big = int(np.argmax(np.abs(exact)))
    h.flat[big] += 0.5 * bound.elementwise.flat[big]  # largest |difference|, within bound
    small = int(np.argmin(bound.elementwise))
    h.flat[small] += 1e-10 * bounds.abs_layer(x, V, 0.0, "zeros").flat[small]
    worst = np.unravel_index(small, h.shape)
    with pytest.raises(AssertionError) as info:
        bounds.assert_within(h, exact, bound, "my_layer vs loops")
    message = str(info.value)
    assert message.startswith("my_layer vs loops: ")
    assert f"worst element {tuple(int(i) for i in worst)}:" in message
    assert f"|difference| {abs(h[worst] - exact[worst]):.3e}" in message
    assert f"elementwise bound there {bound.elementwise[worst]:.3e}" in message


def test_assert_within_names_a_non_finite_element_and_the_first_inexact_one():
    """NaN or inf in the difference is the worst element (not a crash of the suite);
    under the zero bound, the message gives the count and the first unequal position."""
    a = np.zeros((2, 3))
    b = a.copy()
    b[1, 2] = np.nan
    with pytest.raises(AssertionError, match=r"^nan_layer: .*worst element \(1, 2\): \|difference\| nan"):
        bounds.assert_within(b, a, bounds.Bound(normwise=1.0), "nan_layer")
    c = np.full((2, 3), np.inf)
    with pytest.raises(AssertionError, match=r"worst element \(0, 0\): \|difference\| nan"):
        bounds.assert_within(c, c, bounds.Bound(normwise=1.0), "inf_layer")  # inf - inf
    b = a.copy()
    b[0, 1] = b[1, 0] = 1.0
    with pytest.raises(AssertionError, match=r"^exact_layer: not exactly equal at 2 of 6 "
                       r"positions; first at \(0, 1\): (np\.float64\()?1\.0\)? != "):
        bounds.assert_within(b, a, bounds.EXACT, "exact_layer")


if __name__ == "__main__":
    import time

    print("worst |error| / bound of correct implementations (<= 1: accepted)")
    for fam in FAMILIES:
        start = time.perf_counter()
        result = worst_ratios(fam)
        seconds = time.perf_counter() - start
        print(f"{fam}: {DRAWS[fam][0]} draws, {seconds:.1f} s")
        for impl, (q, where) in result.items():
            model = FAMILIES[fam][impl].error_model
            print(f"  {impl:20} {model:6} {q:.3g}  ({where})")
    print("least |error| / bound of the bugs (> 1: rejected)")
    for bug_name in BUGS:
        for model_name, kinds in (("direct", KINDS), ("fft", ("normal", "big integers")),
                                  ("fft", ("cancellation",)), ("fft", ("wide",))):
            for fam, (q, where) in least_ratios(bug_name, model_name, kinds).items():
                print(f"  {bug_name:22} {model_name:6} {'/'.join(kinds):40} {fam:9} {q:.3g}  ({where})")
