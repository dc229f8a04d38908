"""Claims conv-stride-resolution (d2l 7.3) and conv-stride-shift (an extension, after
Zhang 2019): what a stride does to the output's size, and to shift equivariance.
"""

import dataclasses

import numpy as np
import pytest
from convproof.properties.conv_strategies import Allowed, preferred_dtype, shift_steps
from convproof.properties.strategies import conv_cases
from convproof.reference import CONV_BUILTINS
from convproof.theory.bounds import assert_within
from convproof.theory.conv import ConvSpec, receptive_field
from hypothesis import given
from hypothesis import strategies as st

from convproof.harness import call_conv, conv_bound, refute, require_conv

NDIMS, NDIM_IDS = (1, 2, 3), ["1d", "2d", "3d"]



def _full_padding(spec: ConvSpec, kernel: tuple[int, ...]) -> ConvSpec:
    """The spec with lo + hi = δ(k - 1) per axis (lo the larger half)."""
    pairs = tuple(((receptive_field(k, dl) - 1 + 1) // 2, (receptive_field(k, dl) - 1) // 2)
                  for k, dl in zip(kernel, spec.dilation, strict=True))
    return dataclasses.replace(spec, padding=pairs)


@pytest.mark.claim("conv-stride-resolution")
@pytest.mark.parametrize("ndim", NDIMS, ids=NDIM_IDS)
@given(data=st.data())
def test_stride_s_is_every_s_th_output_of_stride_1(conv, ndim, data):
    """conv-stride-resolution: with any padding, dilation and groups, the output of stride
    s is the stride-1 output (same padding) taken every s positions per axis:
    conv_s(x)[..., i] = conv_1(x)[..., i·s], exactly on integer data."""
    c = data.draw(conv_cases(ndim, preferred_dtype(conv), exact=None, allowed=Allowed.of(conv)),
                  label="case")
    require_conv(conv, ndim, c.x.dtype.name, c.spec.padding_mode, stride=True)
    y = call_conv(conv, c.x, c.w, c.b, c.spec)
    one = dataclasses.replace(c.spec, stride=(1,) * ndim)
    y1 = call_conv(conv, c.x, c.w, c.b, one)
    taken = y1[(Ellipsis, *(slice(None, s * (o - 1) + 1, s)
                            for s, o in zip(c.spec.stride, y.shape[2:], strict=True)))]
    tol = conv_bound(conv, c.x, c.w, c.b, c.spec) + conv_bound(conv, c.x, c.w, c.b, c.spec)
    assert_within(y, taken, tol, f"{conv}: stride {c.spec.stride} vs stride 1 taken every s")


@pytest.mark.claim("conv-stride-resolution")
@pytest.mark.parametrize("ndim", NDIMS, ids=NDIM_IDS)
@given(data=st.data())
def test_stride_divides_the_resolution(conv, ndim, data):
    """conv-stride-resolution: with padding lo + hi = δ(k - 1), the output has ⌈n/s⌉
    positions per axis, and n/s, d2l's '1/n of the height and width', when s divides n."""
    c = data.draw(conv_cases(ndim, preferred_dtype(conv), allowed=Allowed.of(conv)), label="case")
    spec = _full_padding(c.spec, c.w.shape[2:])
    y = call_conv(conv, c.x, c.w, c.b, spec)
    for n, s, o in zip(c.x.shape[2:], spec.stride, y.shape[2:], strict=True):
        assert o == -(-n // s), f"{conv}: {o} outputs for n = {n}, s = {s}; expected ⌈n/s⌉"
        if n % s == 0:
            assert o * s == n


def _on_the_torus(case, t):
    """The case on the torus with lo + hi = δ(k - 1) and sides cut to multiples of the
    stride (at least one stride), so that rolling x by t·s is a symmetry."""
    spec = dataclasses.replace(_full_padding(case.spec, case.w.shape[2:]), padding_mode="circular")
    cut = tuple(slice(0, max(s, n - n % s)) for n, s in zip(case.x.shape[2:], spec.stride,
                                                           strict=True))
    reps = [1, 1, *(-(-s // n) for n, s in zip(case.x.shape[2:], spec.stride, strict=True))]
    x = np.tile(case.x, reps)[(slice(None), slice(None), *cut)]
    return x, spec


@pytest.mark.claim("conv-stride-shift")
@pytest.mark.parametrize("ndim", NDIMS, ids=NDIM_IDS)
@given(data=st.data())
def test_shift_by_multiples_of_the_stride_commutes_on_the_torus(conv, ndim, data):
    """conv-stride-shift: on the torus, with lo + hi = δ(k - 1) and s dividing n,
    conv(roll(x, t·s)) = roll(conv(x), t) for every t, exactly on integer data."""
    allowed = Allowed.of(conv, padding_modes=("circular",))
    require_conv(conv, ndim, preferred_dtype(conv), "circular")
    c, t = data.draw(conv_cases(ndim, preferred_dtype(conv), allowed=allowed, extra=shift_steps),
                     label="(case, t)")
    x, spec = _on_the_torus(c, t)
    axes = tuple(range(2, 2 + ndim))
    moved = np.roll(x, tuple(tt * s for tt, s in zip(t, spec.stride, strict=True)), axis=axes)
    lhs = call_conv(conv, moved, c.w, c.b, spec)
    rhs = np.roll(call_conv(conv, x, c.w, c.b, spec), t, axis=axes)
    tol = conv_bound(conv, x, c.w, c.b, spec) + conv_bound(conv, moved, c.w, c.b, spec)
    assert_within(lhs, rhs, tol, f"{conv}: conv(roll(x, {t}·s)) vs roll(conv(x), {t}) on {spec}")


@st.composite
def _strided_1d(draw):
    """A 1-D torus input of stride 2: x of even length n <= 6, a kernel of size <= 3."""
    n = 2 * draw(st.integers(1, 3))
    x = np.array(draw(st.lists(st.integers(-2, 2), min_size=n, max_size=n)), dtype=float)
    k = draw(st.integers(1, 3))
    w = np.array(draw(st.lists(st.integers(-2, 2), min_size=k, max_size=k)), dtype=float)
    return x, w


@pytest.mark.claim("conv-stride-shift")
def test_a_shift_by_one_with_stride_2_is_no_shifted_copy(request):
    """conv-stride-shift: 'shifting x shifts y' fails for shifts that are not multiples of
    the stride: the minimal 1-D torus input of stride 2 whose output after rolling x by 1
    is no roll of the output (aliasing; the counterexample is recorded)."""
    loops = CONV_BUILTINS["conv-loops"].fn

    def aliased(example):
        x, w = example
        spec = dict(stride=(2,), padding=(((len(w) - 1 + 1) // 2, (len(w) - 1) // 2),),
                    dilation=(1,), groups=1, padding_mode="circular")
        y = loops(x[None, None], w[None, None], None, **spec)[0, 0]
        moved = loops(np.roll(x, 1)[None, None], w[None, None], None, **spec)[0, 0]
        return not any(np.array_equal(moved, np.roll(y, t)) for t in range(len(y)))

    x, w = refute(request, _strided_1d(), aliased,
                  "conv(roll(x, 1)) is a roll of conv(x) with stride 2")
    assert aliased((x, w))
