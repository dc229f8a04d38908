"""Claims sharing-needed and shared-layer: on the torus, shift equivariance holds exactly
when V and u do not depend on (i, j); with them shared, the layer is
h[i,j] = u + Σ V[a,b]·x[i+a,j+b]."""

import numpy as np
import pytest
from convproof.properties.strategies import arrays, shapes
from convproof.reference.dense import dense_layer, reindexed_layer, shared_layer
from convproof.reference.torus import position_dependent_torus_layer
from convproof.theory.equivariance import commutes_with_every_shift
from hypothesis import given
from hypothesis import strategies as st

from convproof.harness import refute


def commutes(V, u):
    """Whether the position-dependent torus layer (V, u) commutes with every cyclic shift,
    decided exactly (theory.equivariance)."""
    return commutes_with_every_shift(lambda x: position_dependent_torus_layer(x, V, u), u.shape)


@st.composite
def position_dependent_layers(draw, max_side=3, minimal=False):
    """A position-independent layer (V[a,b], u) broadcast to every (i,j), then perturbed,
    or not, at one hidden pixel: in V, in u, or in both."""
    shape = draw(shapes(max_side=max_side), label="shape")
    V = np.broadcast_to(draw(arrays(shape, minimal=minimal), label="V[a,b]"), (*shape, *shape)).copy()
    u = np.full(shape, draw(st.integers(-4, 4), label="u") * 1.0)
    i, j = draw(st.integers(0, shape[0] - 1)), draw(st.integers(0, shape[1] - 1))
    if draw(st.booleans()):
        V[i, j] += draw(arrays(shape, minimal=minimal), label="V perturbation")
    if draw(st.booleans()):
        u[i, j] += draw(st.integers(-4, 4), label="u perturbation")
    return V, u


def is_shared(V, u):
    return bool(np.all(V == V[:1, :1]) and np.all(u == u.flat[0]))


@pytest.mark.claim("sharing-needed")
@given(position_dependent=position_dependent_layers())
def test_equivariant_exactly_when_shared(position_dependent):
    """sharing-needed: a torus layer commutes with every cyclic shift if and only if
    V[i,j,a,b] = V[a,b] and u[i,j] = u; a layer whose V or u depends on (i,j) is not
    shift-equivariant (minimal counterexample in the claims table)."""
    V, u = position_dependent
    assert commutes(V, u) == is_shared(V, u)


@pytest.mark.claim("sharing-needed")
def test_minimal_position_dependent_counterexample(request):
    """sharing-needed: Hypothesis's minimal position-dependent layer that breaks shift
    equivariance, with the shift and input that show it."""
    def violates(position_dependent):
        V, u = position_dependent
        return not is_shared(V, u) and not commutes(V, u)

    V, u = refute(request, position_dependent_layers(max_side=2, minimal=True), violates,
                  "a position-dependent layer that is not shift-equivariant")
    assert not is_shared(V, u)


@pytest.mark.claim("shared-layer")
@given(data=st.data(), shape=shapes(max_side=5))
def test_shared_layer_is_the_reindexed_layer_with_V_and_u_shared(data, shape):
    """shared-layer: h[i,j] = u + Σ_{a,b} V[a,b]·x[i+a,j+b] (reference.dense.shared_layer)
    is the reindexed layer with V[i,j,a,b] = V[a,b] and u[i,j] = u, and the dense layer
    with W[i,j,k,l] = V[k-i, l-j], exactly on integer data."""
    height, width = shape
    V = data.draw(arrays((2 * height - 1, 2 * width - 1)), label="V[a,b]")
    u = float(data.draw(st.integers(-8, 8), label="u"))
    x = data.draw(arrays(shape), label="x")
    h = shared_layer(x, V, u)
    everywhere = np.broadcast_to(V, (*shape, *V.shape))
    np.testing.assert_array_equal(h, reindexed_layer(x, everywhere, np.full(shape, u)))
    i, j, k, l = np.ix_(*(np.arange(n) for n in (height, width, height, width)))
    W = V[k - i + height - 1, l - j + width - 1]  # V[k-i, l-j], stored with offset h-1, w-1
    np.testing.assert_array_equal(h, dense_layer(x, W, np.full(shape, u)))
