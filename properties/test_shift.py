"""Claims shift-torus and shift-zeros: a shift in x leads to a shift in h."""

import dataclasses

import numpy as np
import pytest
from convproof.properties.strategies import (
    LAYOUTS,
    cases,
    cases_and_shifts,
    distinct_case,
    fitted,
    impulse,
    shifts,
    within,
)
from convproof.reference import ORACLE
from convproof.theory.bounds import assert_within
from convproof.theory.indices import equivariance_region, output_shape, shift
from hypothesis import assume, example, given, note, target
from hypothesis import strategies as st

from convproof.harness import bound, call, refute


def _laid_out(case, layout):
    """``case`` with x as a view of another memory layout (strategies.LAYOUTS)."""
    return dataclasses.replace(case, x=LAYOUTS[layout](case.x))


def _steer(case):
    """target(): away from constant images (a wrong bias or window can hide in a
    constant image) and towards kernels that wrap the torus several times."""
    # The share of distinct values, not their count: a count steers towards the largest
    # images, and with an example database (the dev profile) Hypothesis keeps a Pareto
    # front of targeted examples, whose upkeep grows with their size (bench/RESULTS.md).
    target(np.unique(case.x).size / case.x.size, label="share of distinct pixel values")
    target((2.0 * case.delta + 1) / min(case.x.shape), label="kernel side over image side")


@pytest.mark.claim("shift-torus")
# explicit examples: coverage of the rare regions must not depend on the seed
@example(case_and_shift=(distinct_case((2, 3), 3), (1, 1)))  # 7×7 on 2×3: 3½, 2⅓ turns
@example(case_and_shift=(distinct_case((5, 6), 1), (1, 2)))  # windows inside and across the edge
@example(case_and_shift=(distinct_case((5, 6), 1, twist=7), (2, -1)))  # same x, new V and s
@example(case_and_shift=(distinct_case((1, 7), 2), (0, 3)))  # 1×N
@example(case_and_shift=(distinct_case((6, 1), 1), (-2, 0)))  # N×1
@example(case_and_shift=(distinct_case((4, 5), 0), (-1, 2)))  # 1×1 kernel
@example(case_and_shift=(distinct_case((1, 1), 3), (1, -1)))  # 1×1 image, 7×7 kernel
@example(case_and_shift=(distinct_case((3, 4), 1), (3, -8)))  # whole turns: s ≡ 0
@example(case_and_shift=(_laid_out(distinct_case((3, 5), 1), "transposed"), (1, 2)))  # x Fortran
@example(case_and_shift=(_laid_out(distinct_case((4, 3), 2), "strided"), (-1, 1)))  # x strided
@given(case_and_shift=cases_and_shifts("circular"))
def test_shift_equivariance_on_the_torus(layer, case_and_shift):
    """shift-torus: with circular boundary, layer(roll(x, s)) = roll(layer(x), s) for every
    shift s, several turns of the torus and kernels larger than the image included;
    explicit examples pin down 1×N and N×1 images, 1×1 kernels, kernels that wrap several
    times, a nonzero bias with windows inside and across the edge, the same image with
    two kernels, and non-contiguous views of x; target() steers the search away from
    constant images and towards kernels larger than the image."""
    case, s = case_and_shift
    case = within(case, layer.limits)  # drawn before the layer is known
    _steer(case)
    moved = shift(case.x, s, "circular")
    lhs = call(layer, moved, case.V, case.u, "circular")
    rhs = shift(call(layer, case.x, case.V, case.u, "circular"), s, "circular")
    tol = bound(layer, moved, case.V, case.u, "circular") + bound(
        layer, case.x, case.V, case.u, "circular"
    )
    assert_within(lhs, rhs, tol, f"{layer}: layer(roll(x, {s})) vs roll(layer(x), {s})")


#: Explicit (case, s) for the zero-padding properties; 'valid' cuts a kernel larger
#: than the image to one that fits (strategies.fitted).
_ZEROS_EXAMPLES = (
    (distinct_case((5, 6), 1), (1, 1)),  # bias and windows inside and across the border
    (distinct_case((5, 6), 1, twist=7), (-2, 3)),  # same x, new V and s
    (distinct_case((1, 5), 0), (0, 2)),  # 1×N image, 1×1 kernel
    (distinct_case((6, 1), 1), (-1, 0)),  # N×1 image
    (distinct_case((2, 3), 3), (1, 0)),  # kernel larger than the image
    (distinct_case((3, 3), 0), (0, 1)),  # 1×1 kernel: u alone outside the image
    (_laid_out(distinct_case((5, 4), 1), "transposed"), (1, -1)),  # x Fortran-ordered
)


#: The paddings whose shifts fill with zeros; the properties below draw one of them.
ZERO_PADDINGS = ("zeros", "valid")


def _zeros_examples(**more):
    """@example for each of _ZEROS_EXAMPLES under each of ZERO_PADDINGS, with the
    further arguments ``more``."""

    def decorate(f):
        for case_and_shift in reversed(_ZEROS_EXAMPLES):
            for padding in reversed(ZERO_PADDINGS):
                f = example(case_and_shift=case_and_shift, padding=padding, **more)(f)
        return f

    return decorate


def _declares_zero_padding(layer, padding):
    """Skip a layer that declares neither zero padding; reject the example for a
    padding it does not declare (the other one is drawn as often)."""
    if not set(ZERO_PADDINGS) & layer.paddings:
        pytest.skip(f"{layer} declares neither of the paddings {ZERO_PADDINGS}")
    assume(padding in layer.paddings)


@pytest.mark.claim("shift-zeros")
@_zeros_examples()
@given(case_and_shift=cases_and_shifts("zeros", beyond=1), padding=st.sampled_from(ZERO_PADDINGS))
def test_shift_equivariance_inside_the_region(layer, case_and_shift, padding):
    """shift-zeros: with zero padding or 'valid' output and zero-filling shifts,
    layer(shift(x, s)) = shift(layer(x), s) on the region R_s of equivariance_region;
    explicit examples as for the torus, target() as there."""
    _declares_zero_padding(layer, padding)
    drawn, s = case_and_shift
    case = fitted(within(drawn, layer.limits), padding)
    note(f"under {padding!r}: {case!r}")
    _steer(case)
    moved = shift(case.x, s, "zeros")
    lhs = call(layer, moved, case.V, case.u, padding)
    rhs = shift(call(layer, case.x, case.V, case.u, padding), s, "zeros")
    region = equivariance_region(case.x.shape, case.delta, s, padding)
    tol = bound(layer, moved, case.V, case.u, padding) + bound(
        layer, case.x, case.V, case.u, padding
    )
    tol_in = type(tol)(np.broadcast_to(tol.elementwise, lhs.shape)[region], tol.normwise)
    assert_within(lhs[region], rhs[region], tol_in, f"{layer}: shift {s} inside R_s")


@pytest.mark.claim("shift-zeros")
@_zeros_examples(pick=0)
@given(case_and_shift=cases_and_shifts("zeros", beyond=1, any_layout=False),
       padding=st.sampled_from(ZERO_PADDINGS), pick=st.integers(0, 63))
def test_region_is_the_largest(layer, case_and_shift, padding, pick):
    """shift-zeros: at every position outside R_s the identity fails for some input:
    x = 0 with u = 1 where shift(h) is filled with zeros, else an impulse at a pixel that
    one side's window reads and the other's does not, with V all ones and u = 0. The
    position is the pick-th outside R_s (cyclically); explicit examples as above."""
    _declares_zero_padding(layer, padding)
    drawn, s = case_and_shift
    case = fitted(within(drawn, layer.limits), padding)
    shape, delta = case.x.shape, case.delta
    outside = np.argwhere(~equivariance_region(shape, delta, s, padding))
    assume(len(outside) > 0)
    i, j = (int(v) for v in outside[pick % len(outside)])
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
    for n, t, q in zip(shape, s, p, strict=True):
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
