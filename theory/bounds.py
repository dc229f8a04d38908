"""Floating-point error bounds: the one place in the suite where a tolerance is chosen.

Every float comparison in ``properties/`` goes through :func:`assert_within`, with a
:class:`Bound` built here from the data (x, V, u), the padding and the error model of
each side. No property carries its own rtol or atol.

Notation: u_p = 2^-p is the unit roundoff of the working precision (2^-53 for float64,
2^-24 for float32), and γ_n = n·u_p / (1 - n·u_p) (Higham, *Accuracy and Stability of
Numerical Algorithms*, 2nd ed., SIAM 2002, §3.1, Lemma 3.1).

1. Exact arithmetic (direct summation on integer data).
   If x, V and u are integer-valued and T = |u| + Σ|V[a,b]|·|x[i+a, j+b]| <= 2^(p) for
   every output, every product and every partial sum, in any order, is an integer of
   magnitude at most 2^p, hence representable: a direct-summation layer is then exact.
   The bound is 0 and the comparison is equality. The algebraic identities are checked
   this way.
   T itself is computed in floating point (precision >= p), so the test is on the computed
   T̂, and strictly: T̂ < 2^p. A sum of nonnegative integers is exact until a partial sum
   reaches 2^p (below it, every partial sum and product is a representable integer), and
   rounding is monotone, so once one does, T̂ >= 2^p; hence T̂ < 2^p implies T = T̂ < 2^p.
   The test T̂ <= 2^p would not do: x = 2^26, V = 2^27, u = 1 gives T = 2^53 + 1, which
   rounds to T̂ = 2^53, while the layer returns 2^53 (tests/test_bounds.py found this).
   Every output's T is at most C = max|u| + max|x|·Σ|V| (each term |V[a]|·|x[i+a]| is at
   most |V[a]|·max|x|, with channels too), and C is computed from nonnegative integers by
   the same monotone operations, so Ĉ < 2^p implies T < 2^p: this test, three reductions,
   decides almost every call before the full T̂ (a correlation) is needed.

2. Direct summation, elementwise (``model="direct"``).
   h[i, j] = u + Σ_{n terms} V·x is an inner product of length n + 1 = (2Δ+1)^2 + 1; by
   Higham eq. (3.5), in any summation order and with or without FMA,
       |ĥ[i, j] - h[i, j]| <= γ_{n+1} · (|u| + Σ |V[a,b]| |x[i+a, j+b]|).
   When the inputs are float64 but the arithmetic is in precision p < 53, rounding x and
   V to that precision adds two more relative errors to each term (Higham Lemma 3.3:
   (1+δ)(1+δ')(1+θ_{n+1}) = 1+θ_{n+3}), so γ_{n+3} is used for that case.

3. FFT-based, normwise (``model="fft"``).
   The cyclic correlation is z = F⁻¹(F x ⊙ F k) with k the (reversed, wrapped) kernel on
   the N-point grid (zero-padded for 'zeros' and 'valid'). Higham Thm 24.2 bounds one
   computed FFT by ||ΔX||_2 <= ε ||X||_2 with ε = t·η / (1 - t·η), η = μ + γ_4(√2 + μ),
   t the number of radix-2 stages and μ the error in the twiddle factors (μ = u_p).
   With ||F x||_2 = √N ||x||_2, ||F x||_∞ <= ||x||_1 and complex multiplication correct
   to √2·γ_2 (Higham Lemma 3.5), first-order propagation through the product and the
   inverse transform gives
       ||ẑ - z||_2 <= (2ε + u_p + √2 γ_2) ||x||_2 ||k||_1 + ε ||x||_1 ||k||_2,
   and adding u costs u_p (||z||_2 + |u|·√M) more over M outputs, where ||z||_2 <= ||x||_2 ||k||_1
   (Young's inequality). Since the transform lengths an implementation chooses (powers of
   two, 5-smooth lengths, or Bluestein's algorithm for large primes, which uses three
   transforms of length >= 2m-1) are not part of the layer contract, t is taken for the
   worst of these: per axis of padded length m, t = 3·⌈log2(2m)⌉ + 2. A factor 2 covers
   the second-order terms, which are below u_p·ε relative.

   'circular' (the torus): an implementation either folds V onto the n-point torus
   (k[r] = Σ V[a] over the offsets a ≡ r mod n, the cyclic correlation on the n-grid), or
   extends x periodically by Δ per side, x_p = padded(x, Δ, 'circular') of side n + 2Δ,
   and takes its 'valid' correlation with V on a grid of at least n + 4Δ. The bound is
   that of the second way, item 3 for (x_p, V, 'valid'), plus the rounding of the fold
   of the first way. It covers the first way too, term by term: the grid n + 4Δ has more
   stages than n, ||x_p||_2 >= ||x||_2, ||V||_1 >= ||k||_1, and with q = Π ⌈(2Δ+1)/n⌉ the
   most offsets folded onto one residue, ||k||_2 <= √q ||V||_2 (Cauchy-Schwarz) while x_p
   holds at least q copies of x (⌊(n+2Δ)/n⌋ = ⌈(2Δ+1)/n⌉ per axis), so
   ||x||_1 ||k||_2 <= ||x_p||_1 ||V||_2. The fold sums at most q entries of V per
   residue, so the computed k̂ has ||k̂ - k||_1 <= γ_{q-1} ||V||_1, which adds
   γ_{q-1} ||x||_2 ||V||_1 (Young) when q > 1. Both matter when the kernel is larger than
   the image and folds with cancellation: x = [[1e4]] and a zero-sum 7×7 V give
   ||k||_1 ≈ 1e-16 ||V||_1, and a bound from the folded kernel alone (as this module
   had it) was 6·10^11 times too small for every FFT layer (tests/test_bounds.py).

4. Comparing two computed results a and b of the same exact value h:
   a - b = (a - h) - (b - h), so the bounds add: elementwise parts add elementwise and
   normwise parts add. :func:`assert_within` accepts a difference r iff r = e1 + e2 with
   |e1| <= elementwise and ||e2||_2 <= normwise, which holds iff
   ||max(|r| - elementwise, 0)||_2 <= normwise. When it fails, the message names the
   worst element: a non-finite difference if there is one, else the largest excess
   |r| - elementwise (not the largest |r|, which may well be within its bound).

The bound on a magnitude |V|⋆|x| is itself computed in floating point; its relative error
is at most γ_{n+1} <= 1e-13 for the sizes used, which the factor (1 + 2γ_{n+1}) below
absorbs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from convproof.theory.conv import ConvSpec, conv_pad, products_per_output, window_view
from convproof.theory.conv import conv_shape as conv_output_shape
from convproof.theory.conv import padded_index as conv_padded_index
from convproof.theory.indices import Padding, delta_of, fold, output_shape, padded, windows

Model = Literal["direct", "fft"]
MODELS: tuple[Model, ...] = ("direct", "fft")


def unit_roundoff(dtype: np.dtype | type) -> float:
    """u_p = 2^-p: half the machine epsilon of ``dtype``."""
    return float(np.finfo(dtype).eps) / 2


def gamma(n: int, dtype: np.dtype | type = np.float64) -> float:
    """γ_n = n·u / (1 - n·u), Higham Lemma 3.1."""
    nu = n * unit_roundoff(dtype)
    if nu >= 1:
        raise ValueError(f"γ_{n} undefined in {np.dtype(dtype).name}: n·u >= 1")
    return nu / (1 - nu)


@dataclass(frozen=True)
class Bound:
    """An error bound |e| split as e = e1 + e2, |e1| <= elementwise, ||e2||_2 <= normwise."""

    elementwise: np.ndarray | float = 0.0
    normwise: float = 0.0

    def __add__(self, other: Bound) -> Bound:
        return Bound(self.elementwise + other.elementwise, self.normwise + other.normwise)

    @property
    def is_zero(self) -> bool:
        # the ndarray method, not np.any's Python wrapper (a third of the time)
        return self.normwise == 0 and not np.asarray(self.elementwise).any()


EXACT = Bound()


def _spatial(x: np.ndarray, V: np.ndarray) -> int:
    """Spatial dimensions: all of x, or all but its last (channel) axis when V carries
    (C_in, C_out) axes, i.e. V.ndim == x.ndim + 1."""
    return x.ndim - 1 if V.ndim == x.ndim + 1 else x.ndim


def terms(x: np.ndarray, V: np.ndarray) -> int:
    """How many products one output sums: (2Δ+1)^d, times C_in with channels."""
    return V.size // V.shape[-1] if V.ndim == x.ndim + 1 else V.size


def abs_layer(x: np.ndarray, V: np.ndarray, u: float | np.ndarray, padding: Padding) -> np.ndarray:
    """|u| + Σ |V[a]| |x[i+a]| (summed over input channels too): the magnitude every
    bound of a sum scales with."""
    d = _spatial(x, V)
    w = windows(np.abs(x), delta_of(V, d), padding, d)
    if d == x.ndim:
        # einsum reads the windows through their strides; tensordot copied them first
        # (64×64, Δ = 15: 1.2 against 6 to 70 ms)
        out, kernel = "ijk"[:d], "abc"[:d]
        s = np.einsum(f"{out}{kernel},{kernel}->{out}", w, np.abs(V))
    else:  # w: (*out, C_in, *k); V: (*k, C_in, C_out)
        axes_w = [d, *range(d + 1, 2 * d + 1)]
        axes_v = [d, *range(d)]
        with np.errstate(invalid="ignore"):  # OpenBLAS's spurious flag (numpy#24067)
            s = np.tensordot(w, np.abs(V), axes=(axes_w, axes_v))
    return np.abs(u) + s


def integer_valued(*arrays: np.ndarray | float) -> bool:
    """Whether rounding leaves every entry unchanged: whole numbers, and ±inf (which the
    callers' magnitude tests reject), not NaN."""
    # ndarray methods, not np.array_equal's and np.round's Python wrappers: this runs on
    # every compared input, and on small ones the wrappers were most of its time
    return all((np.rint(a) == a).all() for a in arrays)  # np.rint takes scalars too


def _sums_below(x: np.ndarray, kernel: np.ndarray, bias: float | np.ndarray | None,
                dtype: np.dtype | type) -> bool:
    """Item 1's test C < 2^p, before T: every sum is at most max|bias| + max|x|·Σ|kernel|."""
    digits = np.finfo(dtype).nmant + 1
    bias_top = 0.0 if bias is None else float(np.abs(np.asarray(bias)).max(initial=0.0))
    x_top = float(np.abs(x).max(initial=0.0))
    return bias_top + x_top * float(np.abs(kernel).sum(dtype=np.float64)) < 2.0**digits


def exact_on(x: np.ndarray, V: np.ndarray, u: float | np.ndarray, padding: Padding,
             dtype: np.dtype | type = np.float64) -> bool:
    """Whether direct summation in ``dtype`` is exact for these inputs (item 1 above)."""
    if not integer_valued(x, V, u):
        return False
    if _sums_below(x, V, u, dtype):
        return True  # C < 2^p (item 1): no need for T
    return _below(abs_layer(x, V, u, padding), dtype)


def direct(x: np.ndarray, V: np.ndarray, u: float | np.ndarray, padding: Padding,
           dtype: np.dtype | type = np.float64) -> Bound:
    """Bound for a direct-summation layer computing in ``dtype`` (items 1 and 2)."""
    if exact_on(x, V, u, padding, dtype):
        return EXACT
    n = terms(x, V) + 1 + (2 if np.dtype(dtype).itemsize < 8 else 0)
    g = gamma(n, dtype)
    return Bound(elementwise=g * (1 + 2 * g) * abs_layer(x, V, u, padding))


def _fft_stages(m: int) -> int:
    """Worst-case radix-2 stage count of one length-m transform (item 3)."""
    return 3 * math.ceil(math.log2(2 * m)) + 2


def fft(x: np.ndarray, V: np.ndarray, u: float | np.ndarray, padding: Padding,
        dtype: np.dtype | type = np.float64) -> Bound:
    """Normwise bound for an FFT-based layer computing in ``dtype`` (item 3).

    With channels, output channel d sums C_in correlations: their bounds add, plus the
    γ_{C_in} error of that sum, and the per-channel normwise bounds add over d.
    """
    d = _spatial(x, V)
    delta = delta_of(V, d)
    spatial = x.shape[:d]
    if padding == "circular":
        return _fft_circular(x, V, u, dtype)
    grid = tuple(n + 2 * delta for n in spatial)
    up = unit_roundoff(dtype)
    t = sum(_fft_stages(m) for m in grid)
    eta = up + gamma(4, dtype) * (math.sqrt(2) + up)
    if t * eta >= 1:
        raise ValueError(f"FFT bound undefined for a grid of {grid} in {np.dtype(dtype).name}")
    eps = t * eta / (1 - t * eta)
    k = fold(V, grid)
    xs = [x] if d == x.ndim else [x[..., c] for c in range(x.shape[-1])]
    ks = [[k]] if d == x.ndim else [[k[..., c, o] for o in range(k.shape[-1])] for c in range(k.shape[-2])]
    first_order, young = 0.0, 0.0
    for xc, kc in zip(xs, ks, strict=True):
        x1, x2 = float(np.abs(xc).sum()), norm2(xc)
        for ko in kc:
            k1, k2 = float(np.abs(ko).sum()), norm2(ko)
            first_order += (2 * eps + up + math.sqrt(2) * gamma(2, dtype)) * x2 * k1 + eps * x1 * k2
            young += x2 * k1  # >= ||x_c ⋆ k_cd||_2
    if len(xs) > 1:
        first_order += gamma(len(xs), dtype) * young  # summing the C_in channel results
    outputs = math.prod(output_shape(spatial, delta, padding))
    bias = up * (young + norm2(np.broadcast_to(np.abs(u), (outputs, *np.shape(u)))))
    if np.dtype(dtype).itemsize < 8:
        # inputs rounded to the working precision: one relative error each on x and k
        bias += 2 * up * young
    return Bound(normwise=2 * (first_order + bias))


def _fft_circular(x: np.ndarray, V: np.ndarray, u: float | np.ndarray,
                  dtype: np.dtype | type) -> Bound:
    """Item 3, 'circular': the bound of the periodic extension's 'valid' correlation, plus
    the rounding of folding V onto the torus when the kernel is larger than the image."""
    d = _spatial(x, V)
    delta = delta_of(V, d)
    extended = fft(padded(x, delta, "circular", d), V, u, "valid", dtype)
    q = math.prod(-(-(2 * delta + 1) // n) for n in x.shape[:d])
    if q == 1:
        return extended
    xs = [x] if d == x.ndim else [x[..., c] for c in range(x.shape[-1])]
    vs = [V] if d == x.ndim else [V[..., c, :] for c in range(V.shape[-2])]
    fold_error = gamma(q - 1, dtype) * sum(
        norm2(xc) * float(np.abs(vc).sum()) for xc, vc in zip(xs, vs, strict=True)
    )
    return extended + Bound(normwise=2 * fold_error)


def for_model(model: Model, x: np.ndarray, V: np.ndarray, u: float | np.ndarray, padding: Padding,
              dtype: np.dtype | type = np.float64) -> Bound:
    """The bound of an implementation of error model ``model``."""
    if model == "direct":
        return direct(x, V, u, padding, dtype)
    if model == "fft":
        return fft(x, V, u, padding, dtype)
    raise ValueError(f"unknown error model {model!r}; expected one of {MODELS}")


def norm2(v: np.ndarray) -> float:
    """||v||_2 without overflow or underflow of the squares (scaled by max |v|)."""
    a = np.abs(np.asarray(v))
    top = float(a.max(initial=0.0))
    if top == 0 or not math.isfinite(top):
        return top
    return top * math.sqrt(float(np.square(a / top).sum()))


def excess(r: np.ndarray, bound: Bound) -> float:
    """||max(|r| - elementwise, 0)||_2 - normwise: <= 0 iff r is within the bound."""
    over = np.maximum(np.abs(r) - bound.elementwise, 0.0)
    return norm2(over) - bound.normwise


class MismatchError(AssertionError):
    """A failed comparison, carrying its two sides (as float64 arrays) and what was
    compared, for the evidence a failure report keeps."""

    def __init__(self, message: str, actual: np.ndarray, expected: np.ndarray, what: str) -> None:
        super().__init__(message)
        self.actual, self.expected, self.what = actual, expected, what


def assert_within(actual: np.ndarray, expected: np.ndarray, bound: Bound, what: str) -> None:
    """Fail with a one-paragraph diagnostic unless actual - expected is within ``bound``.

    With the zero bound this is exact equality (NaN never compares equal).
    """
    __tracebackhide__ = True
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape:
        raise MismatchError(f"{what}: shape {actual.shape} != expected {expected.shape}",
                       actual, expected, what)
    if bound.is_zero:
        if (actual == expected).all():  # shapes equal: np.array_equal without its wrapper
            return
        bad = np.argwhere(actual != expected)
        first = tuple(int(v) for v in bad[0])
        raise MismatchError(
            f"{what}: not exactly equal at {len(bad)} of {actual.size} positions; "
            f"first at {first}: {float(actual[first])!r} != {float(expected[first])!r}",
            actual, expected, what,
        )
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf: reported below
        r = actual - expected
    if not np.isfinite(r).all() or excess(r, bound) > 0:
        # the worst element: a non-finite difference, else the largest excess over the
        # elementwise bound (with a normwise bound only, the largest |difference|)
        elementwise = np.broadcast_to(bound.elementwise, r.shape)
        over = np.where(np.isfinite(r), np.abs(r) - elementwise, np.inf)
        worst = tuple(int(v) for v in np.unravel_index(np.argmax(over), r.shape))
        raise MismatchError(
            f"{what}: difference exceeds the error bound (theory.bounds); worst element "
            f"{worst}: |difference| {abs(r[worst]):.3e}, elementwise bound there "
            f"{elementwise[worst]:.3e}; normwise bound {bound.normwise:.3e}, "
            f"||difference||_2 {norm2(r):.3e}",
            actual, expected, what,
        )


def pooled(bound: Bound, pool: str, a: np.ndarray, b: np.ndarray) -> Bound:
    """A bound on pool(a) - pool(b), a scalar, when a - S(b) is within ``bound`` for a
    permutation S of the outputs (a cyclic shift) that the pooling ignores.

    Write a = S(b) + e1 + e2 with |e1| <= E (elementwise) and ||e2||_2 <= N (item 4).

    * ``"max"``: max a and max S(b) = max b differ by at most max|e| <= max E + N (moving
      every entry by at most m moves the maximum by at most m); the maximum itself is
      computed exactly (a comparison, no rounding).
    * ``"sum"``, computed correctly rounded (math.fsum, a relative error of at most u_p):
      |Σa - Σb| = |Σe| <= ΣE + √M·N over the M outputs (Cauchy-Schwarz), plus
      u_p·(|Σa| + |Σb|) for the two roundings.
    """
    E = np.broadcast_to(np.asarray(bound.elementwise, dtype=np.float64), np.shape(a))
    if pool == "max":
        return Bound(elementwise=float(E.max(initial=0.0)) + bound.normwise)
    if pool == "sum":
        u = unit_roundoff(np.float64)
        rounding = u * (abs(math.fsum(np.ravel(a))) + abs(math.fsum(np.ravel(b))))
        spread = float(E.sum()) + math.sqrt(np.size(a)) * bound.normwise
        return Bound(elementwise=spread + rounding)
    raise ValueError(f"unknown pooling {pool!r}; expected 'max' or 'sum'")


# --- the convolution contract (theory.conv) ------------------------------------------
#
# 5. Direct summation, conv contract. Output y[m, o, i] = b[o] + Σ w·xp sums
#    n = (C_in/groups)·Πk products and the bias: an inner product of length n + 1, so
#    by Higham eq. (3.5), in any order, |ŷ - y| <= γ_{n+1}·(|b[o]| + Σ |w|·|xp|), the
#    magnitude being the conv of |x| with |w| plus |b| (padding reads zeros or copies of
#    x, so |xp| is the padding of |x|). Exact on integer data when that magnitude is
#    below 2^p, by item 1's argument.
#
# 6. The backward pass. With g the output gradient, each gradient entry is again a sum
#    of products, so item 5 applies with its own term count and magnitude:
#    * ∂L/∂w[o, c, a] = Σ_{m, i} g[m, o, i]·xp[m, ·, i·s + a·δ]: N·Πout products;
#    * ∂L/∂b[o] = Σ_{m, i} g[m, o, i]: N·Πout terms;
#    * ∂L/∂x[m, c, j] = Σ g[m, o, i]·w[o, c, a] over the (o, i, a) whose padded position
#      i·s + a·δ reads j: at most (C_out/groups)·Πk per padded position (i is fixed by
#      a and the position), and a padded axis of n + lo + hi positions reads each input
#      index at most r = ⌈(n + lo + hi)/n⌉ times on the torus (once under zeros), so at
#      most (C_out/groups)·Πk·Πr products. An implementation that sums per padded
#      position first and folds after sums the same products in another order, which
#      Higham's bound allows. The magnitudes are the same sums of |g|·|w| and |g|·|xp|.


def conv_magnitude(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, spec: ConvSpec
                   ) -> np.ndarray:
    """|b[o]| + Σ |w[o, c, a]|·|xp[m, g·G + c, i·s + a·δ]| for every output (item 5)."""
    out = conv_output_shape(x.shape[2:], w.shape[2:], spec)
    g = spec.groups
    v = window_view(conv_pad(np.abs(x).astype(np.float64), spec), w.shape[2:], spec, out)
    v = v.reshape(x.shape[0], g, x.shape[1] // g, *v.shape[2:])
    wg = np.abs(w).astype(np.float64).reshape(g, w.shape[0] // g, *w.shape[1:])
    d = spec.ndim
    spatial, taps = "ijk"[:d], "xyz"[:d]
    t = np.einsum(f"ngc{spatial}{taps},goc{taps}->ngo{spatial}", v, wg, optimize=True)
    t = t.reshape(x.shape[0], w.shape[0], *out)
    if b is not None:
        t = t + np.abs(np.asarray(b, dtype=np.float64)).reshape(-1, *(1,) * d)
    return t


def _below(magnitude: np.ndarray, dtype: np.dtype | type) -> bool:
    return float(np.asarray(magnitude).max(initial=0.0)) < 2.0 ** (np.finfo(dtype).nmant + 1)


def _exact_below(data: tuple[np.ndarray, ...], magnitude: np.ndarray,
                 dtype: np.dtype | type) -> bool:
    return integer_valued(*data) and _below(magnitude, dtype)


def conv_direct(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, spec: ConvSpec,
                dtype: np.dtype | type = np.float64) -> Bound:
    """Bound of a direct-summation conv computing in ``dtype`` (item 5): 0 on integer
    data whose sums stay below 2^p, else γ_{n+1}·magnitude elementwise."""
    integer = integer_valued(x, w) if b is None else integer_valued(x, w, b)
    if integer and _sums_below(x, w, b, dtype):
        return EXACT  # without the magnitude's einsum, most of this bound's cost
    magnitude = conv_magnitude(x, w, b, spec)
    if integer and _below(magnitude, dtype):
        return EXACT
    g = gamma(products_per_output(x.shape[1], w.shape[2:], spec.groups) + 1, dtype)
    return Bound(elementwise=g * (1 + 2 * g) * magnitude)


def _adjoint_magnitude(w: np.ndarray, g_out: np.ndarray, x_shape: tuple[int, ...],
                       spec: ConvSpec) -> np.ndarray:
    """Σ |g[m, o, i]|·|w[o, c, a]| over the terms that reach x[m, g·G + c, j] (item 6)."""
    d, groups = spec.ndim, spec.groups
    out = g_out.shape[2:]
    gg = np.abs(g_out).astype(np.float64)
    gg = gg.reshape(gg.shape[0], groups, gg.shape[1] // groups, *out)
    wg = np.abs(w).astype(np.float64).reshape(groups, w.shape[0] // groups, *w.shape[1:])
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(x_shape[2:], spec.padding, strict=True))
    gxp = np.zeros((x_shape[0], groups, x_shape[1] // groups, *padded))
    spatial = "ijk"[:d]
    for a in np.ndindex(w.shape[2:]):
        where = tuple(slice(aa * dl, aa * dl + s * (o - 1) + 1, s)
                      for aa, dl, s, o in zip(a, spec.dilation, spec.stride, out, strict=True))
        gxp[(slice(None),) * 3 + where] += np.einsum(f"ngo{spatial},goc->ngc{spatial}", gg,
                                                     wg[(Ellipsis, *a)])
    t = gxp.reshape(x_shape[0], x_shape[1], *padded)
    for axis, (n, (lo, hi)) in enumerate(zip(x_shape[2:], spec.padding, strict=True), start=2):
        index = conv_padded_index(n, lo, hi, spec.padding_mode)
        folded = np.zeros((*t.shape[:axis], n + 1, *t.shape[axis + 1:]))
        np.add.at(folded, (slice(None),) * axis + (index,), t)
        t = np.take(folded, np.arange(n), axis=axis)
    return t


def conv_vjp_bounds(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, g_out: np.ndarray,
                    spec: ConvSpec, dtype: np.dtype | type = np.float64
                    ) -> tuple[Bound, Bound, Bound]:
    """Bounds of a direct-summation backward pass on (∂L/∂x, ∂L/∂w, ∂L/∂b) (item 6)."""
    out = g_out.shape[2:]
    d = spec.ndim
    xp = conv_pad(np.abs(x).astype(np.float64), spec)
    v = window_view(xp, w.shape[2:], spec, out)  # (N, C_in, *out, *k)
    groups = spec.groups
    v = v.reshape(x.shape[0], groups, x.shape[1] // groups, *v.shape[2:])
    gg = np.abs(g_out).astype(np.float64)
    gg = gg.reshape(gg.shape[0], groups, gg.shape[1] // groups, *out)
    spatial, taps = "ijk"[:d], "xyz"[:d]
    t_w = np.einsum(f"ngo{spatial},ngc{spatial}{taps}->goc{taps}", gg, v, optimize=True)
    t_w = t_w.reshape(w.shape)
    t_b = np.abs(g_out).astype(np.float64).sum(axis=(0, *range(2, g_out.ndim)))
    t_x = _adjoint_magnitude(w, g_out, x.shape, spec)
    per_output = x.shape[0] * int(np.prod(out))
    wraps = 1
    if spec.padding_mode == "circular":
        for n, (lo, hi) in zip(x.shape[2:], spec.padding, strict=True):
            wraps *= -(-(n + lo + hi) // n)
    n_x = (w.shape[0] // groups) * int(np.prod(w.shape[2:])) * wraps
    result = []
    for data, magnitude, n in (((g_out, w), t_x, n_x), ((g_out, x), t_w, per_output),
                               ((g_out,), t_b, per_output)):
        if _exact_below(data, magnitude, dtype):
            result.append(EXACT)
        else:
            gm = gamma(max(n, 1), dtype)
            result.append(Bound(elementwise=gm * (1 + 2 * gm) * magnitude))
    return result[0], result[1], result[2]
