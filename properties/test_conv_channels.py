"""Claims conv-multichannel-sum and conv-1x1 (d2l 7.4): several input channels sum the
per-channel cross-correlations, and a 1×1 convolution is a fully connected layer
applied at every pixel.
"""

import dataclasses

import numpy as np
import pytest
from convproof.properties.conv_strategies import Allowed, preferred_dtype
from convproof.properties.strategies import conv_cases
from convproof.theory.conv import parameters, plain
from hypothesis import given
from hypothesis import strategies as st

from convproof.harness import call_conv

NDIMS, NDIM_IDS = (1, 2, 3), ["1d", "2d", "3d"]



@pytest.mark.claim("conv-multichannel-sum")
@pytest.mark.parametrize("ndim", NDIMS, ids=NDIM_IDS)
@given(data=st.data())
def test_channels_sum_the_per_channel_cross_correlations(conv, ndim, data):
    """conv-multichannel-sum: with groups = 1, conv(x, w, b)[:, o] = b[o] + Σ_c
    conv(x[:, c], w[o, c], no bias), each term a single-channel cross-correlation,
    exactly on integer data (every stride, dilation, padding and kernel declared)."""
    allowed = Allowed.of(conv, groups=False)
    c = data.draw(conv_cases(ndim, preferred_dtype(conv), allowed=allowed), label="case")
    y = call_conv(conv, c.x, c.w, c.b, c.spec)
    total = np.zeros(y.shape) if c.b is None else np.broadcast_to(
        np.asarray(c.b, dtype=np.float64).reshape(-1, *(1,) * ndim), y.shape).copy()
    for ch in range(c.x.shape[1]):
        total += call_conv(conv, c.x[:, ch:ch + 1], c.w[:, ch:ch + 1], None, c.spec)
    assert np.array_equal(y, total), (
        f"{conv}: the {c.x.shape[1]}-channel output is not the sum of its per-channel "
        f"cross-correlations on {c!r}")


@pytest.mark.claim("conv-1x1")
@pytest.mark.parametrize("ndim", NDIMS, ids=NDIM_IDS)
@given(data=st.data())
def test_1x1_is_a_dense_layer_at_every_pixel(conv, ndim, data):
    """conv-1x1: with a 1×1 kernel (1 on every axis), stride 1, no padding and groups = 1,
    y[m, :, i] = W·x[m, :, i] + b with the C_out×C_in matrix W = w[:, :, 0], at every
    position i, exactly on integer data; c_o·c_i weights plus c_o biases."""
    allowed = Allowed.of(conv, groups=False)
    c = data.draw(conv_cases(ndim, preferred_dtype(conv), allowed=allowed), label="case")
    w = np.ascontiguousarray(c.w[(Ellipsis, *(slice(0, 1),) * ndim)])
    b = np.zeros(w.shape[0], c.x.dtype) if c.b is None else c.b
    spec = dataclasses.replace(plain(ndim), padding_mode=c.spec.padding_mode)
    y = call_conv(conv, c.x, w, b, spec)
    W = w.reshape(w.shape[:2]).astype(np.float64)
    dense = np.einsum("oc,mc...->mo...", W, np.asarray(c.x, dtype=np.float64))
    expected = dense + np.asarray(b, dtype=np.float64).reshape(-1, *(1,) * ndim)
    assert np.array_equal(y, expected), f"{conv}: the 1×1 conv is not W·x + b per pixel on {c!r}"
    c_i, c_o = c.x.shape[1], w.shape[0]
    assert parameters(c_i, c_o, (1,) * ndim) == c_o * c_i + c_o == w.size + b.size
