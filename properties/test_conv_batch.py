"""Claim conv-batch (an extension): each sample's output is computed from that sample
alone, whatever the batch size.
"""

import pytest
from convproof.properties.conv_strategies import Allowed, preferred_dtype
from convproof.properties.strategies import conv_cases
from convproof.theory.bounds import assert_within
from hypothesis import given
from hypothesis import strategies as st

from convproof.harness import call_conv, conv_bound

NDIMS, NDIM_IDS = (1, 2, 3), ["1d", "2d", "3d"]



def _part(tol, rows):
    e = tol.elementwise
    return tol if getattr(e, "ndim", 0) == 0 else type(tol)(e[rows], tol.normwise)


@pytest.mark.claim("conv-batch")
@pytest.mark.parametrize("ndim", NDIMS, ids=NDIM_IDS)
@given(data=st.data())
def test_each_sample_is_computed_alone(conv, ndim, data):
    """conv-batch: for batches of 1 to 16 samples, conv(x)[m] = conv(x[m:m+1])[0] for every
    sample m, and conv(x[:N-1]) = conv(x)[:N-1] (an odd batch too): exactly on integer
    data, within the bound of each call otherwise."""
    c = data.draw(conv_cases(ndim, preferred_dtype(conv), exact=None, allowed=Allowed.of(conv)),
                  label="case")
    y = call_conv(conv, c.x, c.w, c.b, c.spec)
    tol = conv_bound(conv, c.x, c.w, c.b, c.spec)
    n = c.x.shape[0]
    for m in range(n):
        alone = call_conv(conv, c.x[m:m + 1], c.w, c.b, c.spec)
        assert_within(y[m:m + 1], alone, _part(tol, slice(m, m + 1)) + _part(tol, slice(m, m + 1)),
                      f"{conv}: sample {m} of a batch of {n} vs the same sample alone")
    if n > 1:
        fewer = call_conv(conv, c.x[:n - 1], c.w, c.b, c.spec)
        assert_within(y[:n - 1], fewer, _part(tol, slice(0, n - 1)) + _part(tol, slice(0, n - 1)),
                      f"{conv}: the first {n - 1} samples of a batch of {n} vs a batch of {n - 1}")
