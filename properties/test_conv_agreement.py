"""Claim conv-cross-correlation: every conv-contract implementation computes the
contract's cross-correlation, and keeps the contract's side conditions.

y[m, o, i] = b[o] + Σ_{c<G} Σ_a w[o, c, a]·xp[m, g·G + c, i·s + a·δ] (theory.conv), held
against an independent reference (reference.oracles.conv_oracle_for: the literal loops
while cheap, else the tap-by-tap or window reference that is not under test), with
every declared feature at the scales of properties.conv_strategies, in 1-, 2- and 3-D
and each declared dtype; exact on integer data, theory.bounds item 5 otherwise.
"""

import numpy as np
import pytest
from convproof.properties.conv_strategies import Allowed, preferred_dtype
from convproof.properties.layouts import LAYOUTS, channels_last
from convproof.properties.strategies import conv_cases
from convproof.reference.oracles import conv_oracle_for
from convproof.theory.bounds import MismatchError, assert_within, conv_direct
from hypothesis import given
from hypothesis import strategies as st

from convproof.harness import call_conv, conv_bound, widened

NDIMS, NDIM_IDS = (1, 2, 3), ["1d", "2d", "3d"]
DTYPES = ("float64", "float32")



@pytest.mark.claim("conv-cross-correlation")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ndim", NDIMS, ids=NDIM_IDS)
@given(data=st.data())
def test_conv_agrees_with_the_reference(conv, ndim, dtype, data):
    """conv-cross-correlation: in d = 1, 2, 3 and each declared dtype, with batches up to
    16, channels up to 40, groups, stride, dilation, padding pairs, both padding modes and
    odd and even kernels (as declared), the output equals an independent transcription of
    the contract's cross-correlation: exactly on integer data, within theory.bounds
    (item 5) on wide-range floats."""
    c = data.draw(conv_cases(ndim, dtype, exact=None, allowed=Allowed.of(conv)), label="case")
    y = call_conv(conv, c.x, c.w, c.b, c.spec)
    oracle = conv_oracle_for(conv, c.x, c.w, c.spec)
    x64, w64, b64 = widened(c.x, c.w, c.b)
    expected = oracle.fn(x64, w64, b64, **c.spec.kwargs())
    tol = conv_bound(conv, c.x, c.w, c.b, c.spec) + conv_direct(x64, w64, b64, c.spec)
    assert_within(y, expected, tol, f"{conv} vs the {oracle} reference on {c.spec}")


def _same_bits(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _read_only(a):
    if a is None:
        return None
    b = np.array(a)
    b.flags.writeable = False
    return b


@pytest.mark.claim("conv-cross-correlation")
@pytest.mark.parametrize("ndim", NDIMS, ids=NDIM_IDS)
@given(data=st.data())
def test_conv_leaves_its_inputs_alone_and_repeats_itself(conv, ndim, data):
    """conv-cross-correlation (contract): conv(x, w, b) leaves x, w and b bit for bit as
    they were, accepts read-only ones, and a second and third call return the same bits."""
    c = data.draw(conv_cases(ndim, preferred_dtype(conv), exact=None, allowed=Allowed.of(conv)),
                  label="case")
    x, w, b = (None if a is None else np.array(a) for a in (c.x, c.w, c.b))
    first = call_conv(conv, x, w, b, c.spec).copy()
    for name, before, after in (("x", c.x, x), ("w", c.w, w), ("b", c.b, b)):
        assert after is None or _same_bits(np.asarray(before), after), f"{conv} modified {name}"
    x, w, b = (_read_only(a) for a in (c.x, c.w, c.b))
    for n in (2, 3):
        again = call_conv(conv, x, w, b, c.spec)
        assert _same_bits(again, first), f"{conv}: call {n} differs from call 1 on {c!r}"


@pytest.mark.claim("conv-cross-correlation")
@pytest.mark.parametrize("ndim", NDIMS, ids=NDIM_IDS)
@given(data=st.data())
def test_conv_reads_every_memory_layout(conv, ndim, data):
    """conv-cross-correlation (contract): x, and w, in each memory layout of
    properties.layouts.LAYOUTS (channels-last views of channels-first values, Fortran order,
    strided, reversed, read-only, offset into a buffer) give the result of C-contiguous
    copies, within twice the bound (exactly on integer data): the implementation reads
    its arrays through their strides, not their buffers."""
    c = data.draw(conv_cases(ndim, preferred_dtype(conv), exact=None, allowed=Allowed.of(conv)),
                  label="case")
    x, w = np.ascontiguousarray(c.x), np.ascontiguousarray(c.w)
    expected = call_conv(conv, x, w, c.b, c.spec)
    tol = conv_bound(conv, x, w, c.b, c.spec)
    for name, make in LAYOUTS.items():
        if name == "contiguous":
            continue  # the expected call's own layout
        x_view, w_view = make(x.copy(), channels_last(x.ndim)), make(w.copy(), channels_last(w.ndim))
        assert np.array_equal(x_view, x)  # the layout's promise
        assert np.array_equal(w_view, w)
        y = call_conv(conv, x_view, w_view, c.b, c.spec)
        try:
            assert_within(y, expected, tol + tol,
                          f"{conv}: x and w as {name} views vs contiguous copies")
        except MismatchError:  # one call per layout; two more name the array misread
            for role, (xr, wr) in (("x", (x_view, w)), ("w", (x, w_view))):
                assert_within(call_conv(conv, xr, wr, c.b, c.spec), expected, tol + tol,
                              f"{conv}: {role} as a {name} view vs a contiguous copy")
            raise
