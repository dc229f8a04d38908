"""Claims conv-output-shape and conv-padding-centre: the output size of d2l 7.2 and 7.3,
and where the window of output i lies.

d2l's ⌊(n - k + p + s)/s⌋ is checked against the contract's ⌊(n + lo + hi - δ(k-1) - 1)/s⌋
+ 1 (theory.conv) exhaustively on a small scope, and every implementation's output shape
against the contract (harness.call_conv) and, with dilation 1, against d2l's formula.
"""

import dataclasses

import numpy as np
import pytest
from convproof.properties.conv_strategies import Allowed, impulse_position, preferred_dtype
from convproof.properties.strategies import conv_cases
from convproof.theory.bounds import assert_within
from convproof.theory.conv import ConvSpec, d2l_output_size, impulse_response, output_size
from hypothesis import given
from hypothesis import strategies as st

from convproof.harness import ImplementationError, attempt_conv, call_conv, conv_bound, require_conv

NDIMS, NDIM_IDS = (1, 2, 3), ["1d", "2d", "3d"]



@pytest.mark.claim("conv-output-shape")
def test_d2l_output_size_is_the_contract_s():
    """conv-output-shape: for every n, k <= 12, total padding p <= 12 split any way into
    (lo, hi) and s <= 6 with an output, d2l 7.3's ⌊(n - k + p + s)/s⌋ equals the
    contract's size (dilation 1); with s = 1 it is n - k + p + 1, without padding d2l
    7.2's n - k + 1; with p = k - 1 it is ⌊(n + s - 1)/s⌋, and n/s when s divides n."""
    checked = 0
    for n, k, p, s in np.ndindex(13, 13, 13, 7):
        if n < 1 or k < 1 or s < 1 or n + p < k:
            continue
        expected = d2l_output_size(n, k, p, s)
        for lo in range(p + 1):
            assert output_size(n, k, lo, p - lo, s) == expected, (n, k, lo, p - lo, s)
        if s == 1:
            assert expected == n - k + p + 1
        if s == 1 and p == 0:
            assert expected == n - k + 1
        if p == k - 1:
            assert expected == (n + s - 1) // s
            if n % s == 0:
                assert expected * s == n
        checked += 1
    assert checked > 5000


@pytest.mark.claim("conv-output-shape")
@pytest.mark.parametrize("ndim", NDIMS, ids=NDIM_IDS)
@given(data=st.data())
def test_output_has_the_d2l_shape(conv, ndim, data):
    """conv-output-shape: with dilation 1, every declared stride, padding pair, kernel
    and batch, the output has shape (N, C_out, ⌊(n - k + p + s)/s⌋ per axis), p = lo + hi."""
    allowed = Allowed.of(conv, dilation=False)
    c = data.draw(conv_cases(ndim, preferred_dtype(conv), allowed=allowed), label="case")
    y = call_conv(conv, c.x, c.w, c.b, c.spec)  # checks the contract's shape too
    sizes = tuple(d2l_output_size(n, k, lo + hi, s) for n, k, (lo, hi), s in
                  zip(c.x.shape[2:], c.w.shape[2:], c.spec.padding, c.spec.stride, strict=True))
    assert y.shape == (c.x.shape[0], c.w.shape[0], *sizes), f"{conv}: {y.shape} on {c!r}"


@st.composite
def _empty_axes(draw, ndim):
    """Per axis (n, k, δ, lo, hi), one of them with n + lo + hi < δ(k - 1) + 1."""
    empty = draw(st.integers(0, ndim - 1))
    axes = []
    for axis in range(ndim):
        k, dl = draw(st.integers(1, 4)), draw(st.integers(1, 3))
        extent = (k - 1) * dl + 1
        if axis == empty and extent > 1:
            n = draw(st.integers(1, extent - 1))
            lo = draw(st.integers(0, extent - 1 - n))
            hi = draw(st.integers(0, extent - 1 - n - lo))
        else:
            n, lo, hi = draw(st.integers(extent, extent + 3)), 0, 0
        axes.append((n, k, dl, lo, hi))
    if all((k - 1) * dl + 1 <= n + lo + hi for n, k, dl, lo, hi in axes):
        n, k, dl, lo, hi = axes[empty]
        axes[empty] = (1, 2, 1, 0, 0)  # the smallest axis with no window
    return axes


@pytest.mark.claim("conv-output-shape")
@pytest.mark.parametrize("ndim", NDIMS, ids=NDIM_IDS)
@given(data=st.data())
def test_no_output_is_a_value_error(conv, ndim, data):
    """conv-output-shape: where some axis has no window (n + lo + hi < δ(k - 1) + 1), the
    contract asks for ValueError; any other exception, or a result, is a failure."""
    axes = data.draw(_empty_axes(ndim), label="axes (n, k, dilation, lo, hi)")
    mode = data.draw(st.sampled_from(sorted(conv.declares.padding_modes)), label="padding_mode")
    spec = ConvSpec(tuple(1 for _ in axes), tuple((lo, hi) for *_, lo, hi in axes),
                    tuple(dl for _, _, dl, _, _ in axes), 1, mode)
    dtype = np.dtype(preferred_dtype(conv))
    x = np.ones((1, 1, *(a[0] for a in axes)), dtype)
    w = np.ones((1, 1, *(a[1] for a in axes)), dtype)
    require_conv(conv, ndim, dtype.name, mode, **conv.needs(spec, w.shape[2:]))
    exc = attempt_conv(conv, x, w, None, spec)
    if isinstance(exc, ValueError):
        return
    if exc is not None:
        raise ImplementationError(f"{conv} raised {type(exc).__name__}: {str(exc)[:200]}, not "
                                  f"ValueError, for x {x.shape}, w {w.shape}, {spec}")
    raise ImplementationError(f"{conv} returned a result for x {x.shape}, w {w.shape}, {spec}, "
                              "which has no output; expected ValueError")


@pytest.mark.claim("conv-padding-centre", "conv-dilation", "conv-cross-correlation")
@pytest.mark.parametrize("ndim", NDIMS, ids=NDIM_IDS)
@given(data=st.data())
def test_impulse_reaches_the_outputs_whose_window_reads_it(conv, ndim, data):
    """conv-padding-centre, conv-dilation, conv-cross-correlation: conv(x + t·e_p) -
    conv(x) is t·w[o, c, a] at the outputs (m, o, i) whose tap a reads x[p] (i·s + a·δ -
    lo = p, mod n on the torus; theory.conv.impulse_response) and 0 everywhere else: output
    i reads the padded positions i·s .. i·s + (k - 1)δ, every δ-th, within its group."""
    allowed = Allowed.of(conv)
    c, (p, t) = data.draw(conv_cases(ndim, preferred_dtype(conv), allowed=allowed,
                                     regime="small", extra=impulse_position), label="(case, (p, t))")
    x2 = np.array(c.x)
    x2[p] += t
    difference = call_conv(conv, x2, c.w, c.b, c.spec) - call_conv(conv, c.x, c.w, c.b, c.spec)
    expected = impulse_response(c.w, c.spec, c.x.shape, p, t)
    tol = conv_bound(conv, x2, c.w, c.b, c.spec) + conv_bound(conv, c.x, c.w, c.b, c.spec)
    assert_within(difference, expected, tol, f"{conv}: conv(x + {t}·e_{p}) - conv(x) on {c.spec}")


@pytest.mark.claim("conv-padding-centre")
@pytest.mark.parametrize("ndim", NDIMS, ids=NDIM_IDS)
@given(data=st.data())
def test_padding_k_minus_1_keeps_the_size_and_places_the_window(conv, ndim, data):
    """conv-padding-centre: with stride 1, dilation 1 and d2l's padding (⌈(k-1)/2⌉,
    ⌊(k-1)/2⌋) the output has the input's size and an impulse at x[j] reaches exactly the
    outputs j - ⌊(k-1)/2⌋ .. j + ⌈(k-1)/2⌉ (with a kernel of ones): centred on j, as d2l
    says of Y[i, j], iff k is odd."""
    allowed = Allowed.of(conv, stride=False, dilation=False, groups=False)
    c, (p, _) = data.draw(conv_cases(ndim, preferred_dtype(conv), allowed=allowed,
                                     regime="small", extra=impulse_position), label="(case, p)")
    k = c.w.shape[2:]
    pairs = tuple(((q - 1 + 1) // 2, (q - 1) // 2) for q in k)  # (⌈(k-1)/2⌉, ⌊(k-1)/2⌋)
    spec = dataclasses.replace(c.spec, padding=pairs)
    x = np.zeros(c.x.shape, c.x.dtype)
    x[p] = 1
    w = np.ones(c.w.shape, c.w.dtype)
    y = call_conv(conv, x, w, None, spec)
    assert y.shape[2:] == c.x.shape[2:], f"{conv}: padding k - 1 changed the size on {spec}"
    reached = np.argwhere(y[p[0], 0] != 0)
    for axis, (j, (lo, hi), n) in enumerate(zip(p[2:], pairs, c.x.shape[2:], strict=True)):
        wanted = {(j + q) % n if spec.padding_mode == "circular" else j + q
                  for q in range(-hi, lo + 1)} & set(range(n))
        got = set(reached[:, axis].tolist())
        assert got == wanted, f"{conv}: impulse at {j} reached {sorted(got)} on axis {axis}, " \
                              f"expected {sorted(wanted)} ({spec})"
        assert (lo == hi) == (k[axis] % 2 == 1)  # centred iff odd
