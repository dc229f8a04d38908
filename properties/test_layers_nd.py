"""Claims every-dimension and channels, checked on the layer under test (``--impl``).

The properties of test_dimensions.py and test_channels.py establish the claims on the
references; here the same statements run against every implementation, for what it
declares (reference.contract: ``dims``, ``channels``, ``dtypes``, ``paddings``) and are
reported as skipped for what it does not. Each is written once, parametrized by the
number of spatial dimensions d, and exists in two forms, without channels (x of shape
(n1, ..., nd)) and with them (x (n1, ..., nd, C_in), V (..., C_in, C_out)). With
channels d = 1, 2, 3; without them d = 1, 3, since at d = 2 the same statements are the
article's own, which test_agreement.py, test_shift.py and test_locality.py already check
on every layer that declares 2-D:

* agreement with an independent reference (reference.oracles): the loop transcription
  of h[i] = u + Σ_a V[a]·x[i + a] (reference.nd.correlate_nd_loops), and with channels of
  h[i, o] = u[o] + Σ_a Σ_c V[a, c, o]·x[i + a, c] (reference.channels.channel_loops_nd),
  vectorized above a size, never the layer under test itself, in float64
  and, where declared, float32, each input held to the bound of its own precision
  (theory.bounds);
* shift equivariance on the torus: layer(roll(x, s)) = roll(layer(x), s);
* locality, by impulse probing: h(x + t·e_k) - h(x) = t·V[k - i] inside the Δ-window
  of output i and 0 outside it;
* and, without channels, that 'valid' refuses a kernel larger than the input.

Comparisons go through theory.bounds: exact on integer data for direct summation.
"""

import numpy as np
import pytest
from convproof.properties.strategies import (
    DTYPES,
    impulse_of,
    layer_cases,
    oversized_cases,
    shift_of,
)
from convproof.reference.contract import Layer
from convproof.reference.oracles import oracle_for
from convproof.reference.sensitivity import sensitivity
from convproof.theory.bounds import assert_within
from convproof.theory.indices import Padding, shift
from hypothesis import given
from hypothesis import strategies as st

from convproof.harness import bound, call, paddings_of, rejects, require

NDIMS = (1, 2, 3)
NDIM_IDS = ["1d", "2d", "3d"]
#: Without channels, d = 2 is the article's setting, checked by the 2-D modules.
BESIDE_THE_PLANE = (1, 3)
BESIDE_THE_PLANE_IDS = ["1d", "3d"]


def _declared(layer: Layer, ndim: int, channels: bool = False, dtype: str = "float64",
              padding: Padding | None = None) -> tuple[Padding, ...]:
    """The paddings to draw from, after skipping a layer that does not declare the rest."""
    paddings = (padding,) if padding else paddings_of(layer)
    require(layer, paddings[0], ndim, channels, dtype)
    return paddings


def _widened(x: np.ndarray, V: np.ndarray, u: float | np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, float | np.ndarray]:
    """x, V and u in float64 (exactly: float32 values are float64 values)."""
    u64 = np.asarray(u, dtype=np.float64)
    return x.astype(np.float64), V.astype(np.float64), u64 if u64.ndim else float(u64)


def _agreement(layer: Layer, ndim: int, channels: bool, dtype: str, data: st.DataObject) -> None:
    paddings = _declared(layer, ndim, channels, dtype)
    c = data.draw(layer_cases(ndim, channels, dtype, paddings, exact=None, limits=layer.limits),
                  label="case")
    h = call(layer, c.x, c.V, c.u, c.padding)
    x, V, u = _widened(c.x, c.V, c.u)
    oracle = oracle_for(layer, x, V)
    expected = oracle.fn(x, V, u, c.padding)
    tol = bound(layer, c.x, c.V, c.u, c.padding) + bound(oracle, x, V, u, c.padding)
    assert_within(h, expected, tol, f"{layer} ({dtype}, {ndim}-D) vs the {oracle} oracle")


def _shift_on_the_torus(layer: Layer, ndim: int, channels: bool, data: st.DataObject) -> None:
    _declared(layer, ndim, channels, padding="circular")
    c, s = data.draw(layer_cases(ndim, channels, padding="circular", extra=shift_of,
                                 limits=layer.limits),
                     label="(case, s)")
    moved = shift(c.x, s, "circular")
    lhs = call(layer, moved, c.V, c.u, "circular")
    rhs = shift(call(layer, c.x, c.V, c.u, "circular"), s, "circular")
    tol = bound(layer, moved, c.V, c.u, "circular") + bound(layer, c.x, c.V, c.u, "circular")
    assert_within(lhs, rhs, tol, f"{layer}: layer(roll(x, {s})) vs roll(layer(x), {s})")


def _locality(layer: Layer, ndim: int, channels: bool, data: st.DataObject) -> None:
    paddings = _declared(layer, ndim, channels)
    c, (k, t) = data.draw(layer_cases(ndim, channels, padding=paddings, extra=impulse_of,
                                      limits=layer.limits),
                          label="(case, (k, t))")
    x2 = c.x.copy()
    x2[k] += t
    difference = call(layer, x2, c.V, c.u, c.padding) - call(layer, c.x, c.V, c.u, c.padding)
    V = c.V[..., k[-1], :] if channels else c.V  # input channel c reaches h through V[..., c, :]
    expected = t * sensitivity(V, c.x.shape[:ndim], c.padding, k[:ndim])
    tol = bound(layer, x2, c.V, c.u, c.padding) + bound(layer, c.x, c.V, c.u, c.padding)
    assert_within(difference, expected, tol, f"{layer}: h(x + {t}·e_{k}) - h(x)")


@pytest.mark.claim("agreement", "every-dimension")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ndim", BESIDE_THE_PLANE, ids=BESIDE_THE_PLANE_IDS)
@given(data=st.data())
def test_agrees_with_the_loop_oracle(layer, ndim, dtype, data):
    """agreement, every-dimension: in d = 1, 3 (d = 2: test_agreement.py) and every
    declared padding, the layer equals the loop transcription of h[i] = u + Σ_a V[a]·x[i+a],
    exactly on integer data (direct summation) and within theory.bounds on wide-range
    floats; float32 inputs give float32 within the float32 bound, float64 inputs are held
    to the float64 bound."""
    _agreement(layer, ndim, False, dtype, data)


@pytest.mark.claim("agreement", "every-dimension")
@pytest.mark.parametrize("ndim", BESIDE_THE_PLANE, ids=BESIDE_THE_PLANE_IDS)
@given(data=st.data())
def test_valid_rejects_a_kernel_larger_than_the_input(layer, ndim, data):
    """agreement, every-dimension: with 'valid' padding, in d = 1, 3 (d = 2:
    test_agreement.py), a kernel wider than the input along some axis has no valid window;
    the contract requires ValueError (scipy.signal.correlate and numpy.correlate would
    silently swap their inputs)."""
    _declared(layer, ndim, padding="valid")
    c = data.draw(oversized_cases(ndim), label="case")
    rejects(layer, c.x, c.V, c.u)


@pytest.mark.claim("shift-torus", "every-dimension")
@pytest.mark.parametrize("ndim", BESIDE_THE_PLANE, ids=BESIDE_THE_PLANE_IDS)
@given(data=st.data())
def test_shift_equivariance_on_the_torus_in_every_dimension(layer, ndim, data):
    """shift-torus, every-dimension: in d = 1, 3 (d = 2: test_shift.py),
    layer(roll(x, s)) = roll(layer(x), s) on the torus for shifts of up to two turns and
    kernels larger than x; exact on integer data for direct summation."""
    _shift_on_the_torus(layer, ndim, False, data)


@pytest.mark.claim("locality", "every-dimension")
@pytest.mark.parametrize("ndim", BESIDE_THE_PLANE, ids=BESIDE_THE_PLANE_IDS)
@given(data=st.data())
def test_locality_in_every_dimension(layer, ndim, data):
    """locality, every-dimension: in d = 1, 3 (d = 2: test_locality.py) and every declared
    padding, h(x + t·e_k) - h(x) = t·V[k - i] where k is within Δ of i on every axis
    (summed over wrapped offsets on the torus) and 0 elsewhere: x outside the window
    leaves h[i] alone."""
    _locality(layer, ndim, False, data)


@pytest.mark.inputs(channels=True)
@pytest.mark.claim("channels", "agreement")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ndim", NDIMS, ids=NDIM_IDS)
@given(data=st.data())
def test_channels_agree_with_the_channel_oracle(layer, ndim, dtype, data):
    """channels, agreement: with C_in, C_out in 1..3, in d = 1, 2, 3 and every declared
    padding, the layer equals the loop transcription of h[i, o] = u[o] + Σ_a Σ_c
    V[a, c, o]·x[i + a, c], exactly on integer data for direct summation, within the bound
    of the input's precision otherwise."""
    _agreement(layer, ndim, True, dtype, data)


@pytest.mark.inputs(channels=True)
@pytest.mark.claim("channels", "shift-torus")
@pytest.mark.parametrize("ndim", NDIMS, ids=NDIM_IDS)
@given(data=st.data())
def test_channel_shift_equivariance_on_the_torus(layer, ndim, data):
    """channels, shift-torus: in d = 1, 2, 3, rolling x by a spatial shift s rolls every
    output channel by s, layer(roll(x, s)) = roll(layer(x), s), exactly on integer data
    for direct summation."""
    _shift_on_the_torus(layer, ndim, True, data)


@pytest.mark.inputs(channels=True)
@pytest.mark.claim("channels", "locality")
@pytest.mark.parametrize("ndim", NDIMS, ids=NDIM_IDS)
@given(data=st.data())
def test_channel_locality(layer, ndim, data):
    """channels, locality: in d = 1, 2, 3 and every declared padding,
    h(x + t·e_(k, c)) - h(x) = t·V[k - i, c, :] inside the Δ-window of output i and 0
    outside it: input channel c reaches output channel o through V[..., c, o] alone."""
    _locality(layer, ndim, True, data)
