"""Claims pooling-definition and pooling-location (d2l 7.5): max and average pooling,
channel by channel; average pooling as a convolution; and what pooling does to the
sensitivity to location (equivariance to shifts by multiples of the stride, not
invariance to shifts within the window).

The pooling references (reference.pooling) are checked against each other; average
pooling as a convolution runs on every conv implementation.
"""

from functools import cache
from typing import NamedTuple

import numpy as np
import pytest
from convproof.properties import packed
from convproof.properties.conv_strategies import Allowed, preferred_dtype
from convproof.properties.packed import Reader
from convproof.properties.strategies import conv_cases
from convproof.reference.pooling import pool_loops, pool_spec, pool_windows
from convproof.theory.conv import ConvSpec
from hypothesis import given
from hypothesis import strategies as st

from convproof.harness import call_conv, refute, require_conv

KINDS = ("max", "avg")


class Pooling(NamedTuple):
    """A pooling input: x (N, C, *sides), the window, its ConvSpec, and a shift t."""

    x: np.ndarray
    kernel: tuple[int, ...]
    spec: ConvSpec
    t: tuple[int, ...]


@cache
def pooling_inputs(ndim: int = 2, max_side: int = 6, torus: bool = False
                   ) -> st.SearchStrategy[Pooling]:
    """Integer x (N <= 2, C <= 3, entries |x| <= 8), a window <= 3 per axis, a stride
    <= 3 and padding < the window (or the torus), and t in [-3, 3] per axis; one header
    per draw (properties.packed)."""

    def read(r: Reader) -> Pooling:
        kernel = tuple(r.side(1, 3) for _ in range(ndim))
        stride = tuple(r.side(1, 3) for _ in range(ndim))
        mode = "circular" if torus else r.pick(("zeros", "circular"))
        padding = tuple((r.side(0, k - 1), r.side(0, k - 1)) for k in kernel)
        sides = tuple(r.side(max(1, k - lo - hi), max_side)
                      for k, (lo, hi) in zip(kernel, padding, strict=True))
        shape = (r.side(1, 2), r.side(1, 3), *sides)
        t = tuple(r.signed(3) for _ in range(ndim))
        x = packed.array(r, shape, bits=3)
        return Pooling(x, kernel, pool_spec(kernel, stride, padding, mode), t)

    return packed.packed(read)


@pytest.mark.claim("pooling-definition")
@pytest.mark.parametrize("kind", KINDS)
@given(case=pooling_inputs())
def test_pooling_references_agree(kind, case):
    """pooling-definition: the window-by-window definition (max, or the mean with padded
    zeros counted) and the vectorized window view agree exactly on integer data, for every
    window, stride, padding and the torus."""
    x, kernel, spec, _ = case
    assert np.array_equal(pool_loops(x, kernel, spec, kind), pool_windows(x, kernel, spec, kind))


@pytest.mark.claim("pooling-definition")
@pytest.mark.parametrize("kind", KINDS)
@given(case=pooling_inputs())
def test_pooling_pools_each_channel_separately(kind, case):
    """pooling-definition: 'the pooling layer pools each input channel separately': output
    channel c is the pooling of input channel c alone."""
    x, kernel, spec, _ = case
    y = pool_windows(x, kernel, spec, kind)
    for c in range(x.shape[1]):
        assert np.array_equal(y[:, c:c + 1], pool_loops(x[:, c:c + 1], kernel, spec, kind))


@pytest.mark.claim("pooling-definition")
@pytest.mark.parametrize("ndim", [1, 2, 3], ids=["1d", "2d", "3d"])
@given(data=st.data())
def test_average_pooling_is_a_uniform_convolution(conv, ndim, data):
    """pooling-definition (d2l 7.5's exercise): average pooling with window k, stride s
    and padding is conv(x, ones, groups = C, same stride and padding) / Πk, the conv
    implementation's sum divided once: exactly the pooling reference's mean on integer data."""
    allowed = Allowed.of(conv, dilation=False, groups=False)
    dtype = preferred_dtype(conv)
    c = data.draw(conv_cases(ndim, dtype, allowed=allowed, regime="small"), label="case")
    C, kernel = c.x.shape[1], c.w.shape[2:]
    require_conv(conv, ndim, dtype, c.spec.padding_mode, groups=C > 1)
    spec = ConvSpec(c.spec.stride, c.spec.padding, (1,) * ndim, C, c.spec.padding_mode)
    ones = np.ones((C, 1, *kernel), dtype=c.x.dtype)
    summed = call_conv(conv, c.x, ones, None, spec)
    average = pool_windows(np.asarray(c.x, dtype=np.float64), kernel, spec, "avg")
    assert np.array_equal(summed.astype(np.float64) / np.prod(kernel), average), (
        f"{conv}: conv with a uniform kernel / Πk is not average pooling on {c!r}")


def _max_2x2(x):
    return pool_windows(x[None, None], (2, 2), pool_spec((2, 2)), "max")[0, 0]


@pytest.mark.claim("pooling-location")
def test_max_pooling_is_not_invariant_to_shifts_within_the_window(request):
    """pooling-location: 'pooling alleviates the sensitivity to location', read as
    invariance to a shift by one element (within the 2×2 window): the minimal
    counterexample for 2×2 max pooling of stride 2 (recorded)."""
    images = st.integers(2, 4).flatmap(lambda n: st.lists(
        st.lists(st.integers(0, 2), min_size=n, max_size=n), min_size=2, max_size=2))

    def sensitive(rows):
        x = np.array(rows, dtype=float)
        return not np.array_equal(_max_2x2(np.roll(x, 1, axis=1)), _max_2x2(x))

    rows = refute(request, images, sensitive,
                  "2×2 max pooling is invariant to shifting x by one element")
    assert sensitive(rows)


@pytest.mark.claim("pooling-location")
@pytest.mark.parametrize("kind", KINDS)
@given(case=pooling_inputs(torus=True))
def test_pooling_commutes_with_shifts_by_multiples_of_the_stride(kind, case):
    """pooling-location: on the torus, with lo + hi = k - 1 and s dividing n,
    pool(roll(x, t·s)) = roll(pool(x), t) for every t: what pooling keeps of location is
    equivariance on the stride's grid."""
    x, kernel, spec, t = case
    pairs = tuple(((k - 1 + 1) // 2, (k - 1) // 2) for k in kernel)
    spec = ConvSpec(spec.stride, pairs, spec.dilation, 1, "circular")
    x = np.tile(x, (1, 1, *spec.stride))  # sides multiples of the stride
    moved = np.roll(x, tuple(tt * s for tt, s in zip(t, spec.stride, strict=True)), axis=(2, 3))
    assert np.array_equal(pool_loops(moved, kernel, spec, kind),
                          np.roll(pool_loops(x, kernel, spec, kind), t, axis=(2, 3)))


@cache
def peaks() -> st.SearchStrategy[tuple[np.ndarray, tuple[int, int], tuple[int, int]]]:
    """(x, p, t): integer x of h, w in 2..6 with |x| <= 4, a position p in x and a move
    t in {-1, 0, 1}^2; one header per draw."""

    def read(r: Reader) -> tuple[np.ndarray, tuple[int, int], tuple[int, int]]:
        h, w = r.side(2, 6), r.side(2, 6)
        p = (r.side(0, h - 1), r.side(0, w - 1))
        t = (r.signed(1), r.signed(1))
        return packed.array(r, (h, w), bits=2), p, t

    return packed.packed(read)


@pytest.mark.claim("pooling-location")
@given(case=peaks())
def test_a_peak_that_moves_by_one_stays_in_one_2x2_window(case):
    """pooling-location (d2l: 'we can still detect if the pattern ... moves no more than one
    element in height and width'): with 2×2 max pooling of stride 1, a peak v > every other
    value at p, moved by t in {-1, 0, 1}^2 (staying inside x), is the pooled value at
    i = min(p, p + t) both before and after the move."""
    x, p, t = case
    h, w = x.shape
    q = (p[0] + t[0], p[1] + t[1])
    if not (0 <= q[0] < h and 0 <= q[1] < w):
        q, t = p, (0, 0)
    before, after = x.copy(), x.copy()
    before[p], after[p] = 10.0, x[q]
    after[q] = 10.0
    spec = pool_spec((2, 2), (1, 1))
    i = (min(p[0], q[0], h - 2), min(p[1], q[1], w - 2))
    for image in (before, after):
        pooled = pool_loops(image[None, None], (2, 2), spec, "max")[0, 0]
        assert pooled[i] == 10.0, f"the peak at {p} moved by {t} is not in window {i}"
