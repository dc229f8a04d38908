"""Claim convolution: “This is a convolution!”: of x with V rotated by 180°.

The layer h[i,j] = u + Σ_{a,b} V[a,b]·x[i+a, j+b] is the cross-correlation of x with V,
which is the convolution of x with V rotated by 180° (V[::-1, ::-1]); it is the
convolution with V itself exactly when V is centrally symmetric. scipy.signal names
both: correlate2d(x, K) is the cross-correlation with K and convolve2d(x, K[::-1, ::-1])
the same map (:data:`FORMS`), with mode 'valid' for 'valid' and 'same' with
boundary='fill' (zeros) or 'wrap' (the torus) for the other paddings.

A layer is never compared with the scipy function it wraps itself (the built-in adapters
reference.scipy_adapters.correlate2d and convolve2d): that comparison would be the
function compared with itself.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
import scipy.signal
from convproof.properties.strategies import Case, cases, impulse, within
from convproof.reference import ORACLE, scipy_adapters
from convproof.theory.bounds import assert_within, direct
from hypothesis import given
from hypothesis import strategies as st

from convproof.harness import bound, call, paddings_of, refute


@dataclass(frozen=True)
class Form:
    """One way scipy.signal computes u + the cross-correlation of x with K."""

    name: str
    op: Callable[..., np.ndarray]
    rotates: bool  # the op convolves: pass it K rotated by 180°
    adapter: Callable[..., np.ndarray]  # the built-in adapter that wraps this op

    def __call__(self, x, K, u, padding):
        K = K[::-1, ::-1] if self.rotates else K
        if padding == "valid":
            return u + self.op(x, K, mode="valid")
        boundary = {"zeros": "fill", "circular": "wrap"}[padding]
        return u + self.op(x, K, mode="same", boundary=boundary, fillvalue=0)


FORMS = (
    Form("correlate2d(x, K)", scipy.signal.correlate2d, False, scipy_adapters.correlate2d),
    Form("convolve2d(x, K rotated 180°)", scipy.signal.convolve2d, True, scipy_adapters.convolve2d),
)


def independent_forms(layer):
    """The forms of :data:`FORMS` whose scipy function the layer does not wrap."""
    own = inspect.unwrap(layer.fn)
    return [form for form in FORMS if form.adapter is not own]


@pytest.mark.claim("convolution")
@given(data=st.data())
def test_layer_is_scipy_cross_correlation(layer, data):
    """convolution: the layer equals u + scipy.signal.correlate2d(x, V) ('valid'; 'same'
    with zero fill; 'same' with wrap) and u + convolve2d(x, V rotated by 180°), each form
    the layer does not itself wrap."""
    c = data.draw(cases(paddings_of(layer), limits=layer.limits), label="case")
    h = call(layer, c.x, c.V, c.u, c.padding)
    tol = bound(layer, c.x, c.V, c.u, c.padding) + direct(c.x, c.V, c.u, c.padding)
    for form in independent_forms(layer):
        assert_within(h, form(c.x, c.V, c.u, c.padding), tol, f"{layer} vs u + {form.name}, K = V")


def _form_and_symmetry(r, case, domain):
    """(the index of a scipy form among :data:`FORMS`, whether to make V symmetric), read
    with the case in one draw; zero bytes give the first form and V as drawn."""
    return r.digit(len(FORMS)), r.digit(2) == 1


@pytest.mark.claim("convolution")
@given(data=st.data())
def test_convolution_with_V_itself_iff_centrally_symmetric(layer, data):
    """convolution: layer(x) = u + (x convolved with V) for every x if and only if
    V = V[::-1, ::-1]; for any other V, an impulse at the centre of a (2Δ+1)² image
    tells the two apart. The convolution with V is the cross-correlation with V rotated,
    computed by a scipy form the layer does not wrap."""
    c, (pick, symmetrize) = data.draw(cases("zeros", limits=layer.limits, extra=_form_and_symmetry),
                                      label="(case, (form, symmetrize))")
    forms = independent_forms(layer)
    form = forms[pick % len(forms)]
    if symmetrize:
        V = c.V + c.V[::-1, ::-1]
        x = c.x
    else:
        side = c.V.shape[0]  # V cut to the largest central block whose image layer takes on
        V = within(Case(np.zeros((side, side)), c.V, c.u, "zeros"), layer.limits).V
        side = V.shape[0]
        x = impulse((side, side), side // 2, side // 2)
    h = call(layer, x, V, c.u, "zeros")
    conv = form(x, V[::-1, ::-1], c.u, "zeros")
    tol = bound(layer, x, V, c.u, "zeros") + direct(x, V, c.u, "zeros")
    if np.array_equal(V, V[::-1, ::-1]):
        assert_within(h, conv, tol, f"{layer} vs the convolution with a symmetric V")
    else:
        with pytest.raises(AssertionError):
            assert_within(h, conv, tol, "")


@pytest.mark.claim("convolution")
def test_literal_convolution_is_refuted(request):
    """convolution: read as 'the convolution with V itself', the sentence is false;
    Hypothesis finds the minimal counterexample."""

    def violates(c):
        h = ORACLE.fn(c.x, c.V, c.u, "zeros")
        return not np.array_equal(h, c.u + scipy.signal.convolve2d(c.x, c.V, mode="same"))

    c = refute(request, cases("zeros", any_layout=False, minimal=True), violates,
               "layer(x) == u + convolve2d(x, V, mode='same')")
    assert not np.array_equal(c.V, c.V[::-1, ::-1])
