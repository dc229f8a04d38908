"""Claim dense-layer: the fully connected layer as a 4-D tensor and as a matrix."""

import itertools

import numpy as np
import pytest
from convproof.properties.strategies import dense_inputs
from convproof.reference.dense import dense_layer, matrix_layer
from convproof.theory import counts
from convproof.theory.equivariance import parameter_rank
from hypothesis import given

#: Sides of the grids on which the parameter count is measured: every grid up to 3×3
#: (the rank of a ((hw)^2 + hw)-column system, ninety columns at 3×3).
COUNT_MAX_SIDE = 3


@pytest.mark.claim("dense-layer")
@given(case=dense_inputs(2, max_side=5))
def test_tensor_form_equals_matrix_form(case):
    """dense-layer: h[i,j] = u[i,j] + Σ_{k,l} W[i,j,k,l]·x[k,l] is exactly the matrix
    form M·vec(x) + vec(u) with M = W reshaped to (hw)×(hw), on integer data."""
    _, W, u, x = case
    np.testing.assert_array_equal(dense_layer(x, W, u), matrix_layer(x, W, u))


@pytest.mark.claim("dense-layer")
def test_parameter_count(record_property):
    """dense-layer (exhaustive, every grid up to 3×3): the dense layer has (hw)^2
    independent weights and hw independent biases: measured as the rank of the map from
    (W, u) to the affine map x -> h that the literal transcription computes (a weight it
    ignored, or two it tied, would lower it), exactly; counts.dense_weights,
    counts.dense_biases and counts.dense_layer_parameters."""
    grids = list(itertools.product(range(1, COUNT_MAX_SIDE + 1), repeat=2))
    for shape in grids:
        W, u = np.zeros((*shape, *shape)), np.zeros(shape)

        def layer_of(W, u, shape=shape):
            return lambda x: dense_layer(x, W, u)

        weights = parameter_rank(layer_of, (W, u), shape, vary=(0,))
        biases = parameter_rank(layer_of, (W, u), shape, vary=(1,))
        both = parameter_rank(layer_of, (W, u), shape)
        assert weights == counts.dense_weights(*shape), shape
        assert biases == counts.dense_biases(*shape), shape
        assert both == counts.dense_layer_parameters(*shape), shape
    record_property("examples", len(grids))
