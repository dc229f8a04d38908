"""Claim conv-dilation (an extension; Dumoulin & Visin 2016, section 5): a dilated
kernel is the undilated layer with δ - 1 zeros between taps. Its receptive field,
(k - 1)δ + 1 padded positions of which every δ-th is read, is checked by impulse probing
in test_conv_shape.py (test_impulse_reaches_the_outputs_whose_window_reads_it).
"""

import dataclasses

import numpy as np
import pytest
from convproof.properties.conv_strategies import Allowed, preferred_dtype
from convproof.properties.strategies import conv_cases
from convproof.theory.bounds import assert_within
from convproof.theory.conv import receptive_field
from hypothesis import given
from hypothesis import strategies as st

from convproof.harness import call_conv, conv_bound, require_conv

NDIMS, NDIM_IDS = (1, 2, 3), ["1d", "2d", "3d"]



def zero_inserted(w: np.ndarray, dilation: tuple[int, ...]) -> np.ndarray:
    """w with δ - 1 zeros between consecutive taps on each spatial axis."""
    sizes = tuple(receptive_field(k, dl) for k, dl in zip(w.shape[2:], dilation, strict=True))
    out = np.zeros((*w.shape[:2], *sizes), dtype=w.dtype)
    out[(slice(None), slice(None), *(slice(None, None, dl) for dl in dilation))] = w
    return out


@pytest.mark.claim("conv-dilation")
@pytest.mark.parametrize("ndim", NDIMS, ids=NDIM_IDS)
@given(data=st.data())
def test_dilation_is_the_kernel_with_zeros_between_taps(conv, ndim, data):
    """conv-dilation: conv(x, w, dilation δ) = conv(x, w with δ - 1 zeros between taps,
    dilation 1), with every declared stride, padding and groups; exactly on integer data,
    within both calls' bounds otherwise."""
    c = data.draw(conv_cases(ndim, preferred_dtype(conv), exact=None, allowed=Allowed.of(conv)),
                  label="case")
    require_conv(conv, ndim, c.x.dtype.name, c.spec.padding_mode, dilation=True)
    wide = zero_inserted(c.w, c.spec.dilation)
    undilated = dataclasses.replace(c.spec, dilation=(1,) * ndim)
    y = call_conv(conv, c.x, c.w, c.b, c.spec)
    y_wide = call_conv(conv, c.x, wide, c.b, undilated)
    tol = conv_bound(conv, c.x, c.w, c.b, c.spec) + conv_bound(conv, c.x, wide, c.b, undilated)
    assert_within(y, y_wide, tol, f"{conv}: dilation {c.spec.dilation} vs zero-inserted kernel")
