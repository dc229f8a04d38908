"""Claim sharing-needed: on the torus, shift equivariance holds exactly when V and u do
not depend on (i, j)."""

import itertools

import numpy as np
import pytest
from convproof.properties.strategies import arrays, shapes
from convproof.theory.indices import shift
from hypothesis import given
from hypothesis import strategies as st


def torus_layer(x, V, u):
    """h[i,j] = u[i,j] + Σ_{a,b} V[i,j,a,b]·x[(i+a) mod h, (j+b) mod w], a over 0..h-1."""
    height, width = x.shape
    h = u.copy()
    for i, j, a, b in itertools.product(range(height), range(width), range(height), range(width)):
        h[i, j] += V[i, j, a, b] * x[(i + a) % height, (j + b) % width]
    return h


def commutes_with_every_shift(V, u):
    """Decides equivariance exactly: an affine map commutes with every cyclic shift iff it
    does on x = 0 and on every impulse (the impulses span the inputs)."""
    shape = u.shape
    inputs = [np.zeros(shape)] + [np.eye(shape[0] * shape[1])[n].reshape(shape)
                                  for n in range(shape[0] * shape[1])]
    for s in itertools.product(range(shape[0]), range(shape[1])):
        for x in inputs:
            moved = torus_layer(shift(x, s, "circular"), V, u)
            if not np.array_equal(moved, shift(torus_layer(x, V, u), s, "circular")):
                return False
    return True


@st.composite
def torus_layers(draw, max_side=3, minimal=False):
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
@given(layer=torus_layers())
def test_equivariant_exactly_when_shared(layer):
    """sharing-needed: a torus layer commutes with every cyclic shift if and only if
    V[i,j,a,b] = V[a,b] and u[i,j] = u; a layer whose V or u depends on (i,j) is not
    shift-equivariant (minimal counterexample in the claims table)."""
    V, u = layer
    assert commutes_with_every_shift(V, u) == is_shared(V, u)


@pytest.mark.claim("sharing-needed")
def test_minimal_position_dependent_counterexample(request):
    """sharing-needed: Hypothesis's minimal position-dependent layer that breaks shift
    equivariance, with the shift and input that show it."""
    from convproof.harness import refute

    def violates(layer):
        V, u = layer
        return not is_shared(V, u) and not commutes_with_every_shift(V, u)

    V, u = refute(request, torus_layers(max_side=2, minimal=True), violates,
                  "a position-dependent layer that is not shift-equivariant")
    assert not is_shared(V, u)
