"""Claim translation-invariant: “our features will be translation invariant”.

As literally stated, for the layer's output, the claim is false: layer(shift(x)) is
shift(layer(x)), not layer(x); Hypothesis finds the minimal counterexample. What holds
on the torus is equivariance, and invariance of any pooling that is itself invariant
under cyclic shifts, such as the global sum and the global max of the output map: a
cyclic shift only permutes the outputs, and these poolings ignore the order.
"""

import itertools

import numpy as np
import pytest
from convproof.properties.strategies import MAX_DELTA, cases, shifts
from convproof.reference import ORACLE
from convproof.theory.indices import shift
from hypothesis import given
from hypothesis import strategies as st

from convproof.harness import refute

MAX_SIDE = 5


def torus_layer(x, V, u):
    """The article's layer on the torus, the loop transcription (reference.ORACLE)."""
    return ORACLE.fn(x, V, u, "circular")


def global_sum(h):
    """Σ_{i,j} h[i,j]: exact on the integer-valued outputs used here."""
    return float(np.sum(h))


def global_max(h):
    """max_{i,j} h[i,j]."""
    return float(np.max(h))


POOLS = ("sum", "max")


def pooling(name):
    """The pooling called ``name``, looked up when called."""
    return {"sum": global_sum, "max": global_max}[name]


def _all_shifts(shape):
    return itertools.product(range(shape[0]), range(shape[1]))


@pytest.mark.claim("translation-invariant")
def test_literal_invariance_is_refuted(request):
    """translation-invariant: as literally stated (layer(shift(x, s)) == layer(x)) the claim
    is false for the layer's output; Hypothesis finds the minimal counterexample."""

    def violates(example):
        case, s = example
        moved = torus_layer(shift(case.x, s, "circular"), case.V, case.u)
        return not np.array_equal(moved, torus_layer(case.x, case.V, case.u))

    examples = cases("circular", any_layout=False, minimal=True).flatmap(
        lambda c: st.tuples(st.just(c), shifts(c.x.shape, beyond=1))
    )
    case, s = refute(request, examples, violates, "layer(shift(x, s)) == layer(x)")
    h = torus_layer(case.x, case.V, case.u)
    np.testing.assert_array_equal(
        torus_layer(shift(case.x, s, "circular"), case.V, case.u), shift(h, s, "circular")
    )


@pytest.mark.claim("translation-invariant")
@given(case=cases("circular", max_side=MAX_SIDE, max_delta=MAX_DELTA, any_layout=False))
def test_output_is_equivariant_and_invariant_only_when_periodic(case):
    """translation-invariant (corrected; every cyclic shift of the grid): layer(shift(x, s))
    = shift(layer(x), s) exactly, so the output is invariant under s exactly when
    layer(x) is s-periodic (e.g. for constant x), not in general."""
    h = torus_layer(case.x, case.V, case.u)
    for s in _all_shifts(case.x.shape):
        moved = torus_layer(shift(case.x, s, "circular"), case.V, case.u)
        np.testing.assert_array_equal(moved, shift(h, s, "circular"), err_msg=f"shift {s}")
        assert np.array_equal(moved, h) == np.array_equal(shift(h, s, "circular"), h)


@pytest.mark.claim("translation-invariant")
@pytest.mark.parametrize("pool", POOLS)
@given(case=cases("circular", max_side=MAX_SIDE, max_delta=MAX_DELTA, any_layout=False))
def test_global_pooling_is_invariant(pool, case):
    """translation-invariant (corrected; every cyclic shift of the grid): the global sum
    and the global max of the output map are invariant, pool(layer(shift(x, s))) =
    pool(layer(x)), exactly."""
    f = pooling(pool)
    pooled = f(torus_layer(case.x, case.V, case.u))
    for s in _all_shifts(case.x.shape):
        assert f(torus_layer(shift(case.x, s, "circular"), case.V, case.u)) == pooled, s
