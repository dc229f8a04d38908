"""Claim convolution: “This is a convolution!” - it is a cross-correlation."""

import numpy as np
import pytest
import scipy.signal
from convproof.properties.strategies import Case, cases, impulse, within
from convproof.reference import ORACLE
from convproof.reference.scipy_adapters import convolve2d, correlate2d
from convproof.theory.bounds import assert_within, direct
from hypothesis import given
from hypothesis import strategies as st

from convproof.harness import bound, call, paddings_of, refute


@pytest.mark.claim("convolution")
@given(data=st.data())
def test_layer_is_scipy_cross_correlation(layer, data):
    """convolution: the layer equals u + scipy.signal.correlate2d(x, V) ('valid'; 'same'
    with zero fill; 'same' with wrap), and u + convolve2d(x, V rotated by 180°)."""
    c = data.draw(cases(paddings_of(layer), limits=layer.limits), label="case")
    scipy_form = data.draw(st.sampled_from([correlate2d, convolve2d]), label="scipy form")
    expected = scipy_form(c.x, c.V, c.u, c.padding)
    tol = bound(layer, c.x, c.V, c.u, c.padding) + direct(c.x, c.V, c.u, c.padding)
    assert_within(call(layer, c.x, c.V, c.u, c.padding), expected, tol,
                  f"{layer} vs {scipy_form.__name__}")


@pytest.mark.claim("convolution")
@given(data=st.data())
def test_convolution_with_V_itself_iff_centrally_symmetric(layer, data):
    """convolution: layer(x) = u + convolve2d(x, V) for every x if and only if
    V = V[::-1, ::-1]; for any other V, an impulse at the centre of a (2Δ+1)² image
    tells the two apart."""
    c = data.draw(cases("zeros", limits=layer.limits), label="case")
    if data.draw(st.booleans(), label="symmetrize"):
        V = c.V + c.V[::-1, ::-1]
        x = c.x
    else:
        side = c.V.shape[0]  # V cut to the largest central block whose image layer takes on
        V = within(Case(np.zeros((side, side)), c.V, c.u, "zeros"), layer.limits).V
        side = V.shape[0]
        x = impulse((side, side), side // 2, side // 2)
    h = call(layer, x, V, c.u, "zeros")
    conv = c.u + scipy.signal.convolve2d(x, V, mode="same")
    tol = bound(layer, x, V, c.u, "zeros") + direct(x, V, c.u, "zeros")
    if np.array_equal(V, V[::-1, ::-1]):
        assert_within(h, conv, tol, f"{layer} vs convolve2d with a symmetric V")
    else:
        with pytest.raises(AssertionError):
            assert_within(h, conv, tol, "")


@pytest.mark.claim("convolution")
def test_literal_convolution_is_refuted(request):
    """convolution: as literally stated ('this is a convolution' with kernel V) the claim
    is false; Hypothesis finds the minimal counterexample."""

    def violates(c):
        h = ORACLE.fn(c.x, c.V, c.u, "zeros")
        return not np.array_equal(h, c.u + scipy.signal.convolve2d(c.x, c.V, mode="same"))

    c = refute(request, cases("zeros", any_layout=False, minimal=True), violates,
               "layer(x) == u + convolve2d(x, V, mode='same')")
    assert not np.array_equal(c.V, c.V[::-1, ::-1])
