"""Claim locality: only pixels within Δ of (i, j) reach h[i, j], each through V[k-i, l-j]."""

import numpy as np
import pytest
from convproof.properties.strategies import MAX_DELTA, MAX_SIDE, cases, impulse_of
from convproof.reference.sensitivity import sensitivity
from convproof.theory.bounds import assert_within
from convproof.theory.indices import PADDINGS, embed, output_shape, window_mask
from hypothesis import given
from hypothesis import strategies as st

from convproof.harness import bound, call, paddings_of


@pytest.mark.claim("locality")
@given(data=st.data())
def test_sensitivity_is_the_kernel_inside_the_window_and_zero_outside(layer, data):
    """locality: with every padding, the layer is affine and h(x + t·e_kl) - h(x) =
    t·∂h/∂x_kl, where ∂h[i,j]/∂x[k,l] = V[k-i, l-j] inside the Δ-window of (i,j) (summed
    over wrapped offsets on the torus) and 0 outside it: changing x outside the window
    leaves h[i,j] unchanged. The expected value is reference.sensitivity's transcription,
    which shares no code with any layer (not theory.indices.embed, which reference.dense
    computes with)."""
    case, ((k, l), t) = data.draw(
        cases(paddings_of(layer), extra=impulse_of, limits=layer.limits),
        label="(case, ((k, l), t))")
    padding = case.padding
    x2 = case.x.copy()
    x2[k, l] += t
    difference = call(layer, x2, case.V, case.u, padding) - call(
        layer, case.x, case.V, case.u, padding
    )
    expected = t * sensitivity(case.V, case.x.shape, padding, (k, l))
    tol = bound(layer, x2, case.V, case.u, padding) + bound(layer, case.x, case.V, case.u, padding)
    assert_within(difference, expected, tol, f"{layer}: h(x + {t}·e_{k, l}) - h(x)")


@pytest.mark.claim("locality")
@pytest.mark.parametrize("padding", PADDINGS)
@given(data=st.data())
def test_dense_weights_vanish_outside_the_window(padding, data):
    """locality: in the dense form, W[i,j,k,l] = 0 whenever (k,l) is more than Δ from
    (i,j), and W[i,j,k,l] = V[Δ+k-i, Δ+l-j] inside (summed over wraps on the torus)."""
    case = data.draw(cases(padding, max_side=MAX_SIDE, max_delta=MAX_DELTA, any_layout=False),
                     label="case")
    shape, delta = case.x.shape, case.delta
    W = embed(case.V, shape, padding)
    base = delta if padding == "valid" else 0
    for i, j in np.ndindex(output_shape(shape, delta, padding)):
        inside = window_mask(shape, i, j, delta, padding)
        assert not W[i, j][~inside].any()
        expected = np.zeros(shape)
        for a in range(-delta, delta + 1):
            for b in range(-delta, delta + 1):
                k, l = i + base + a, j + base + b
                if padding == "circular":
                    expected[k % shape[0], l % shape[1]] += case.V[delta + a, delta + b]
                elif 0 <= k < shape[0] and 0 <= l < shape[1]:
                    expected[k, l] = case.V[delta + a, delta + b]
        np.testing.assert_array_equal(W[i, j], expected)
