"""Claims shift-torus and shift-zeros: a shift in x leads to a shift in h."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from properties.harness import bound, call, refute
from properties.strategies import cases, impulse, shifts
from reference import ORACLE
from theory.bounds import assert_within
from theory.indices import equivariance_region, output_shape, shift


@pytest.mark.claim("shift-torus")
@given(data=st.data(), case=cases("circular"))
def test_shift_equivariance_on_the_torus(layer, data, case):
    """shift-torus: with circular boundary, layer(roll(x, s)) = roll(layer(x), s) for every
    shift s, several turns of the torus and kernels larger than the image included."""
    s = data.draw(shifts(case.x.shape), label="s")
    moved = shift(case.x, s, "circular")
    lhs = call(layer, moved, case.V, case.u, "circular")
    rhs = shift(call(layer, case.x, case.V, case.u, "circular"), s, "circular")
    tol = bound(layer, moved, case.V, case.u, "circular") + bound(
        layer, case.x, case.V, case.u, "circular"
    )
    assert_within(lhs, rhs, tol, f"{layer}: layer(roll(x, {s})) vs roll(layer(x), {s})")


@pytest.mark.claim("shift-zeros")
@pytest.mark.parametrize("padding", ["zeros", "valid"])
@given(data=st.data())
def test_shift_equivariance_inside_the_region(layer, padding, data):
    """shift-zeros: with zero padding or 'valid' output and zero-filling shifts,
    layer(shift(x, s)) = shift(layer(x), s) on the region R_s of equivariance_region."""
    case = data.draw(cases(padding), label="case")
    s = data.draw(shifts(case.x.shape, beyond=1), label="s")
    moved = shift(case.x, s, "zeros")
    lhs = call(layer, moved, case.V, case.u, padding)
    rhs = shift(call(layer, case.x, case.V, case.u, padding), s, "zeros")
    region = equivariance_region(case.x.shape, case.delta, s, padding)
    tol = bound(layer, moved, case.V, case.u, padding) + bound(
        layer, case.x, case.V, case.u, padding
    )
    tol_in = type(tol)(np.broadcast_to(tol.elementwise, lhs.shape)[region], tol.normwise)
    assert_within(lhs[region], rhs[region], tol_in, f"{layer}: shift {s} inside R_s")


@st.composite
def _outside_region(draw, padding):
    """(case, s, (i, j)) with (i, j) an output position outside R_s."""
    case = draw(cases(padding, any_layout=False))
    s = draw(shifts(case.x.shape, beyond=1))
    region = equivariance_region(case.x.shape, case.delta, s, padding)
    outside = np.argwhere(~region)
    if len(outside) == 0:
        return draw(st.nothing())
    i, j = outside[draw(st.integers(0, len(outside) - 1))]
    return case, s, (int(i), int(j))


@pytest.mark.claim("shift-zeros")
@pytest.mark.parametrize("padding", ["zeros", "valid"])
@given(data=st.data())
def test_region_is_the_largest(layer, padding, data):
    """shift-zeros: at every position outside R_s the identity fails for some input:
    x = 0 with u = 1 where shift(h) is filled with zeros, else an impulse at a pixel that
    one side's window reads and the other's does not, with V all ones and u = 0."""
    case, s, (i, j) = data.draw(_outside_region(padding), label="case, s, (i, j)")
    shape, delta = case.x.shape, case.delta
    V = np.ones_like(case.V)
    out = output_shape(shape, delta, padding)
    p = (i - s[0], j - s[1])
    if not (0 <= p[0] < out[0] and 0 <= p[1] < out[1]):
        x, u = np.zeros(shape), 1.0  # shift(h) is zero-filled at (i, j), layer(.) is u
    else:
        x, u = _witness(shape, delta, s, p, padding), 0.0
    lhs = call(layer, shift(x, s, "zeros"), V, u, padding)
    rhs = shift(call(layer, x, V, u, padding), s, "zeros")
    assert lhs[i, j] != rhs[i, j], f"{layer}: no break at {(i, j)} outside R_s for shift {s}"


def _witness(shape, delta, s, p, padding):
    """An impulse at a pixel that p's window reads but that the shift pushes off the
    image (so layer(shift(x)) misses it at p + s while shift(layer(x)) keeps it)."""
    base = delta if padding == "valid" else 0
    k = []
    for n, t, q in zip(shape, s, p):
        lo, hi = max(0, q + base - delta), min(n - 1, q + base + delta)
        k.append(lo if lo + t < 0 else hi)  # the end of the window that leaves the image
    return impulse(shape, *k)


@pytest.mark.claim("shift-zeros")
def test_literal_wording_fails_at_the_border(request):
    """shift-zeros: as literally worded ('a shift in x leads to a shift in h' everywhere)
    the claim is false under zero padding; Hypothesis finds the minimal counterexample."""

    def violates(example):
        case, s = example
        lhs = ORACLE.fn(shift(case.x, s, "zeros"), case.V, case.u, "zeros")
        rhs = shift(ORACLE.fn(case.x, case.V, case.u, "zeros"), s, "zeros")
        return not np.array_equal(lhs, rhs)

    examples = cases("zeros", any_layout=False, minimal=True).flatmap(
        lambda c: st.tuples(st.just(c), shifts(c.x.shape, beyond=1))
    )
    case, s = refute(request, examples, violates, "layer(shift(x, s)) == shift(layer(x), s)")
    assert violates((case, s))
