"""Claim conv-gradients (d2l 7.2: 'We can then calculate the gradient to update the
weight'; the formulas an extension, the transposed convolution after Dumoulin & Visin
2016): the backward pass of the conv contract, for implementations that declare one.
"""

import numpy as np
import pytest
from convproof.properties.conv_strategies import Allowed, output_gradient, preferred_dtype
from convproof.properties.strategies import conv_cases
from convproof.reference.oracles import conv_oracle_for
from convproof.theory.bounds import assert_within, conv_vjp_bounds
from hypothesis import given
from hypothesis import strategies as st

from convproof.harness import call_conv, call_vjp, widened

NDIMS, NDIM_IDS = (1, 2, 3), ["1d", "2d", "3d"]



@pytest.mark.claim("conv-gradients")
@pytest.mark.conv_inputs(vjp=True)
@pytest.mark.parametrize("ndim", NDIMS, ids=NDIM_IDS)
@given(data=st.data())
def test_vjp_agrees_with_the_reference(conv, ndim, data):
    """conv-gradients: the declared backward pass gives ∂L/∂x (the transposed convolution
    of g with w), ∂L/∂w[o, c, a] = Σ g[m, o, i]·xp[m, ·, i·s + a·δ] and ∂L/∂b = Σ g, as an
    independent reference's backward pass does, with every declared feature: exactly on
    integer data, within theory.bounds (item 6) otherwise."""
    c, g = data.draw(conv_cases(ndim, preferred_dtype(conv), exact=None, allowed=Allowed.of(conv),
                                extra=output_gradient), label="(case, g)")
    got = call_vjp(conv, c.x, c.w, c.b, g, c.spec)
    oracle = conv_oracle_for(conv, c.x, c.w, c.spec)
    x64, w64, b64, g64 = widened(c.x, c.w, c.b, g)
    expected = oracle.fn.vjp(x64, w64, b64, g64, **c.spec.kwargs())
    mine = conv_vjp_bounds(c.x, c.w, c.b, g, c.spec, c.x.dtype)
    theirs = conv_vjp_bounds(x64, w64, b64, g64, c.spec)
    for name, a, e, t1, t2 in zip(("∂L/∂x", "∂L/∂w", "∂L/∂b"), got, expected, mine, theirs,
                                  strict=True):
        assert_within(a, e, t1 + t2, f"{conv}: {name} vs the {oracle} reference on {c.spec}")


def _dot(a, b):
    """<a, b> in exact integer arithmetic (integer-valued arrays)."""
    return int(np.sum(np.asarray(a, dtype=np.int64) * np.asarray(b, dtype=np.int64)))


@pytest.mark.claim("conv-gradients")
@pytest.mark.conv_inputs(vjp=True)
@pytest.mark.parametrize("ndim", NDIMS, ids=NDIM_IDS)
@given(data=st.data())
def test_vjp_is_the_adjoint(conv, ndim, data):
    """conv-gradients: on integer data, <conv(x, w, 0), g> = <x, ∂L/∂x> = <w, ∂L/∂w> (the
    backward pass is the adjoint of the forward one in x and in w) and ∂L/∂b = Σ_{m, i} g,
    in exact integer arithmetic."""
    c, g = data.draw(conv_cases(ndim, preferred_dtype(conv), allowed=Allowed.of(conv),
                                extra=output_gradient), label="(case, g)")
    gx, gw, gb = call_vjp(conv, c.x, c.w, c.b, g, c.spec)
    y = call_conv(conv, c.x, c.w, None, c.spec)
    forward = _dot(y, g)
    assert forward == _dot(c.x, gx), f"{conv}: <conv(x), g> != <x, ∂L/∂x> on {c.spec}"
    assert forward == _dot(c.w, gw), f"{conv}: <conv(x), g> != <w, ∂L/∂w> on {c.spec}"
    sums = np.asarray(g, dtype=np.int64).sum(axis=(0, *range(2, g.ndim)))
    assert np.array_equal(np.asarray(gb, dtype=np.int64), sums), f"{conv}: ∂L/∂b != Σ g"
