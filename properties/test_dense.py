"""Claim dense-layer: the fully connected layer as a 4-D tensor and as a matrix."""

import numpy as np
import pytest
from convproof.properties.strategies import arrays, shapes
from convproof.reference.dense import dense_layer, matrix_layer
from convproof.theory import counts
from hypothesis import given
from hypothesis import strategies as st

from convproof.harness import probe

# The dense W has (hw)^2 entries: keep images small.
SMALL = shapes(max_side=5)


@pytest.mark.claim("dense-layer")
@given(data=st.data(), shape=SMALL)
def test_tensor_form_equals_matrix_form(data, shape):
    """dense-layer: h[i,j] = u[i,j] + Σ_{k,l} W[i,j,k,l]·x[k,l] is exactly the matrix
    form M·vec(x) + vec(u) with M = W reshaped to (hw)×(hw), on integer data."""
    W = data.draw(arrays((*shape, *shape)), label="W")
    u = data.draw(arrays(shape), label="u")
    x = data.draw(arrays(shape), label="x")
    np.testing.assert_array_equal(dense_layer(x, W, u), matrix_layer(x, W, u))


@pytest.mark.claim("dense-layer")
@given(shape=SMALL)
def test_parameter_count(shape):
    """dense-layer: the layer has (hw)^2 independent weights and hw biases: with all
    coefficients distinct, probing the layer recovers each one exactly once."""
    n = shape[0] * shape[1]
    W = np.arange(1.0, n * n + 1).reshape(*shape, *shape)
    u = -np.arange(1.0, n + 1).reshape(shape)
    J = probe(lambda x: dense_layer(x, W, u), shape)
    bias = dense_layer(np.zeros(shape), W, u)
    assert len(np.unique(J)) == counts.dense_weights(*shape)
    assert len(np.unique(bias)) == counts.dense_biases(*shape)
    np.testing.assert_array_equal(J, W)
