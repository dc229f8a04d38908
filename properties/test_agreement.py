"""Claim agreement: every implementation computes the article's final equation."""

import numpy as np
import pytest
from convproof.properties.strategies import cases, layer_cases, oversized_cases
from convproof.reference.oracles import oracle_for
from convproof.theory.bounds import assert_within
from hypothesis import given
from hypothesis import strategies as st

from convproof.harness import bound, call, paddings_of, rejects, require


@pytest.mark.claim("agreement")
@given(data=st.data())
def test_agrees_with_the_loop_transcription(layer, data):
    """agreement: with every padding, the layer equals an independent transcription of
    the article's equation (reference.oracles), exactly on integer data (direct summation)
    and within theory.bounds on floats of magnitude 2^-200 .. 2^200."""
    c = data.draw(cases(paddings_of(layer), exact=None, limits=layer.limits), label="case")
    oracle = oracle_for(layer, c.x, c.V)
    expected = oracle.fn(c.x, c.V, c.u, c.padding)
    tol = bound(layer, c.x, c.V, c.u, c.padding) + bound(oracle, c.x, c.V, c.u, c.padding)
    assert_within(call(layer, c.x, c.V, c.u, c.padding), expected, tol, f"{layer} vs {oracle}")


@pytest.mark.claim("agreement")
@pytest.mark.inputs(dtype="float32")
@given(data=st.data())
def test_agrees_in_float32(layer, data):
    """agreement: given float32 x, V and u, the layer returns float32 within the float32
    bound of theory.bounds of the exact layer (exactly on small integers, where every
    float32 sum is exact), for implementations that declare float32."""
    require(layer, dtype="float32")
    c = data.draw(layer_cases(2, dtype="float32", padding=paddings_of(layer), exact=None,
                              limits=layer.limits), label="case")
    x, V, u, padding = c.x, c.V, c.u, c.padding
    h = call(layer, x, V, u, padding)
    x64, V64, u64 = x.astype(np.float64), V.astype(np.float64), float(u)
    oracle = oracle_for(layer, x64, V64)
    expected = oracle.fn(x64, V64, u64, padding)
    tol = bound(layer, x, V, u, padding) + bound(oracle, x64, V64, u64, padding)
    assert_within(h, expected, tol, f"{layer} in float32 vs {oracle} in float64")


@pytest.mark.claim("agreement")
@given(case=oversized_cases(2))
def test_valid_rejects_a_kernel_larger_than_the_image(layer, case):
    """agreement: with 'valid' padding a kernel larger than the image has no valid window;
    the contract requires ValueError (scipy's correlate2d would silently swap its inputs)."""
    rejects(layer, case.x, case.V, case.u)
