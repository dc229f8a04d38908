"""Claim channels: the layer with input and output channels,

    h[i, j, d] = u[d] + Σ_{a,b=-Δ..Δ} Σ_c V[a, b, c, d]·x[i + a, j + b, c],

is C_in·C_out single-channel layers summed over c (so every single-channel claim carries
over channel by channel): shift-equivariant on the torus for spatial shifts, local with
∂h[i,j,d]/∂x[k,l,c] = V[k-i, l-j, c, d] inside the window, with (2Δ+1)^2·C_in·C_out + C_out
parameters, and the article's layer when C_in = C_out = 1. These properties check the
channel references (reference/channels.py); the implementation under test (``--impl``)
is held to agreement, shift equivariance and locality with channels, in every dimension
it declares, in test_layers_nd.py.
"""

import itertools

import numpy as np
import pytest
from convproof.properties.strategies import cases, channel_cases, deltas, impulse_of
from convproof.reference import ORACLE
from convproof.reference.channels import channel_layer, channel_loops
from convproof.reference.shifted import shifted_sum_channels
from convproof.theory import counts
from convproof.theory.indices import PADDINGS, embed, output_shape, shift
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.claim("channels")
@pytest.mark.parametrize("padding", PADDINGS)
@given(data=st.data())
def test_sum_of_single_channel_layers(padding, data):
    """channels: h[..., d] = u[d] + Σ_c layer(x[..., c], V[..., c, d], 0) for every output
    channel d (layer: the single-channel loop transcription, reference.ORACLE), and the
    loop transcription of the channel equation and the sum of shifted copies
    (reference.shifted, the oracle of large inputs) give the same, exactly."""
    case = data.draw(channel_cases(padding), label="case")
    x, V, u = case.x, case.V, case.u
    h = channel_layer(x, V, u, padding)
    expected = np.stack(
        [u[d] + sum(ORACLE.fn(x[..., ci], V[..., ci, d], 0.0, padding)
                    for ci in range(x.shape[-1]))
         for d in range(V.shape[-1])],
        axis=-1,
    )
    np.testing.assert_array_equal(h, expected)
    np.testing.assert_array_equal(channel_loops(x, V, u, padding), expected)
    np.testing.assert_array_equal(shifted_sum_channels(x, V, u, padding), expected)


@pytest.mark.claim("channels")
@given(case=channel_cases(padding="circular"))
def test_spatial_shifts_commute_channel_by_channel(case):
    """channels (every cyclic shift of the grid): on the torus
    h(roll(x, s)) = roll(h(x), s) for spatial shifts s, every channel unchanged."""
    h = channel_layer(case.x, case.V, case.u, "circular")
    for s in itertools.product(*(range(n) for n in case.x.shape[:2])):
        moved = channel_layer(shift(case.x, s, "circular"), case.V, case.u, "circular")
        np.testing.assert_array_equal(moved, shift(h, s, "circular"), err_msg=f"shift {s}")


@pytest.mark.claim("channels")
@pytest.mark.parametrize("padding", PADDINGS)
@given(data=st.data())
def test_locality_channel_by_channel(padding, data):
    """channels: h(x + t·e_(k,l,c)) - h(x) = t·W_cd[:, :, k, l] for every output channel d,
    with W_cd the dense weights (theory.indices.embed) of the single-channel kernel
    V[..., c, d]: nothing outside the Δ-window, and no other input channel, reaches it."""
    case, ((k, l, ci), t) = data.draw(channel_cases(padding, extra=impulse_of),
                                      label="(case, ((k, l, c), t))")
    x, V, u = case.x, case.V, case.u
    x2 = x.copy()
    x2[k, l, ci] += t
    difference = channel_layer(x2, V, u, padding) - channel_layer(x, V, u, padding)
    expected = np.stack(
        [t * embed(V[..., ci, d], x.shape[:2], padding)[:, :, k, l] for d in range(V.shape[-1])],
        axis=-1,
    )
    np.testing.assert_array_equal(difference, expected)


def probe_channels(f, shape):
    """J[..., k, l, c] = f(e_klc) - f(0): the linear part of an affine map of (H, W, C_in)."""
    zero = f(np.zeros(shape))
    J = np.empty((*zero.shape, *shape))
    for index in np.ndindex(shape):
        e = np.zeros(shape)
        e[index] = 1.0
        J[(..., *index)] = f(e) - zero
    return J


@pytest.mark.claim("channels")
@given(delta=deltas(2), c_in=st.integers(1, 3), c_out=st.integers(1, 3))
def test_parameter_count(delta, c_in, c_out):
    """channels: measured on the layer, (2Δ+1)^2·C_in·C_out distinct weights reach the
    output (kernel entries 1, 2, 3, ..., probed on a (2Δ+1)×(2Δ+1) image with zero
    padding, where every offset touches some pixel and none wraps) and C_out distinct
    biases (h(0) = u): counts.channel_layer_parameters."""
    side = 2 * delta + 1
    V = np.arange(1.0, side * side * c_in * c_out + 1).reshape(side, side, c_in, c_out)
    u = -np.arange(1.0, c_out + 1)
    J = probe_channels(lambda x: channel_layer(x, V, 0 * u, "zeros"), (side, side, c_in))
    weights = len(np.unique(J[J != 0]))
    biases = len(np.unique(channel_layer(np.zeros((side, side, c_in)), V, u, "zeros")))
    assert weights + biases == counts.channel_layer_parameters(delta, c_in, c_out)


@pytest.mark.claim("channels")
@pytest.mark.parametrize("padding", PADDINGS)
@given(data=st.data())
def test_one_channel_is_the_article_layer(padding, data):
    """channels: with C_in = C_out = 1 the channel layer is the single-channel layer,
    h[..., 0] = layer(x[..., 0], V[..., 0, 0], u[0]) (reference.ORACLE), exactly."""
    c = data.draw(cases(padding, max_side=5, max_delta=2, any_layout=False), label="case")
    x, V, u, shape, delta = c.x, c.V, c.u, c.x.shape, c.delta
    h = channel_layer(x[..., None], V[..., None, None], np.array([u]), padding)
    assert h.shape == (*output_shape(shape, delta, padding), 1)
    np.testing.assert_array_equal(h[..., 0], ORACLE.fn(x, V, u, padding))
