"""Claim translation-invariant: “our features will be translation invariant”.

Read literally, for the layer's output, the claim is false: layer(shift(x)) is
shift(layer(x)), not layer(x); Hypothesis finds the minimal counterexample. What holds
on the torus is equivariance (claim shift-torus), so the output is invariant under a
shift s exactly when it is s-periodic, and any pooling that is itself invariant under
cyclic shifts, such as the global sum and the global max of the output map, gives
features that are invariant: a cyclic shift only permutes the outputs, and these
poolings ignore the order. Both are checked on the implementation under test.
"""

import math

import numpy as np
import pytest
from convproof.properties.strategies import Case, cases, cases_and_shifts, shift_of, shifts, within
from convproof.reference import ORACLE
from convproof.theory import bounds
from convproof.theory.bounds import assert_within
from convproof.theory.indices import shift
from hypothesis import example, given
from hypothesis import strategies as st

from convproof.harness import bound, call, refute


def global_sum(h):
    """Σ_{i,j} h[i,j], correctly rounded (math.fsum)."""
    return math.fsum(np.ravel(h))


def global_max(h):
    """max_{i,j} h[i,j]."""
    return float(np.max(h))


POOLS = ("sum", "max")


def pooling(name):
    """The pooling called ``name``, looked up when called."""
    return {"sum": global_sum, "max": global_max}[name]


def _within(a, b, tol):
    """Whether a - b is within the bound ``tol`` (theory.bounds)."""
    return bounds.excess(np.asarray(a, dtype=np.float64) - b, tol) <= 0


@pytest.mark.claim("translation-invariant")
def test_literal_invariance_is_refuted(request):
    """translation-invariant: as literally stated (layer(shift(x, s)) == layer(x)) the claim
    is false for the layer's output; Hypothesis finds the minimal counterexample (on the
    loop transcription of the article's equation, reference.ORACLE)."""

    def torus(x, case):
        return ORACLE.fn(x, case.V, case.u, "circular")

    def violates(example):
        case, s = example
        return not np.array_equal(torus(shift(case.x, s, "circular"), case), torus(case.x, case))

    examples = cases("circular", any_layout=False, minimal=True).flatmap(
        lambda c: st.tuples(st.just(c), shifts(c.x.shape, beyond=1))
    )
    case, s = refute(request, examples, violates, "layer(shift(x, s)) == layer(x)")
    np.testing.assert_array_equal(
        torus(shift(case.x, s, "circular"), case), shift(torus(case.x, case), s, "circular")
    )


def _periodic_case(x, s):
    """An explicit example: x with the kernel [[0, 1, 2], [3, 4, 5], [6, 7, 8]] and u = 1."""
    V = np.arange(9.0).reshape(3, 3)
    return Case(x=np.array(x, dtype=np.float64), V=V, u=1.0, padding="circular"), s


@pytest.mark.claim("translation-invariant")
@example(case_and_shift=_periodic_case(np.ones((3, 4)), (1, 2)))  # constant x: periodic
@example(case_and_shift=_periodic_case([[0, 1, 0, 1], [2, 3, 2, 3]], (0, 2)))  # period 2
@example(case_and_shift=_periodic_case([[0, 1, 0, 1], [2, 3, 2, 3]], (0, 1)))  # not under 1
@given(case_and_shift=cases_and_shifts("circular"))
def test_output_is_invariant_exactly_when_periodic(layer, case_and_shift):
    """translation-invariant (corrected; integer data): layer(shift(x, s)) = layer(x) for a
    shift s exactly when layer(x) is periodic under s, shift(layer(x), s) = layer(x):
    invariance of the output is the exception, not the rule. Explicit examples pin down
    periodic outputs (constant x, x of period 2) and a shift they are not periodic under.
    Equalities within theory.bounds, far below the gap of 1 between distinct exact
    outputs on integer data."""
    case, s = case_and_shift
    case = within(case, layer.limits)  # drawn before the layer is known
    h = call(layer, case.x, case.V, case.u, "circular")
    tol = bound(layer, case.x, case.V, case.u, "circular")
    moved = shift(case.x, s, "circular")
    invariant = _within(call(layer, moved, case.V, case.u, "circular"), h,
                        tol + bound(layer, moved, case.V, case.u, "circular"))
    periodic = _within(shift(h, s, "circular"), h, tol + tol)
    assert invariant == periodic, (
        f"{layer}: shift {s}: layer(shift(x, s)) {'=' if invariant else '!='} layer(x), "
        f"but layer(x) is {'' if periodic else 'not '}periodic under s")


@pytest.mark.claim("translation-invariant")
@given(case_and_shift=cases("circular", exact=None, extra=shift_of))
def test_global_pooling_is_invariant(layer, case_and_shift):
    """translation-invariant (corrected): the global sum and the global max of the output
    map are invariant, pool(layer(shift(x, s))) = pool(layer(x)), within the pooled bound
    of theory.bounds, on integer and on wide-range float data."""
    case, s = case_and_shift
    case = within(case, layer.limits)  # drawn before the layer is known
    h = call(layer, case.x, case.V, case.u, "circular")
    moved = shift(case.x, s, "circular")
    hs = call(layer, moved, case.V, case.u, "circular")
    tol = bound(layer, moved, case.V, case.u, "circular") + bound(
        layer, case.x, case.V, case.u, "circular")
    for pool in POOLS:
        f = pooling(pool)
        assert_within(np.float64(f(hs)), np.float64(f(h)), bounds.pooled(tol, pool, hs, h),
                      f"{layer}: global {pool} of layer(shift(x, {s})) vs of layer(x)")
