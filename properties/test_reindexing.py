"""Claim reindexing: k = i + a, l = j + b, and V[i,j,a,b] = W[i,j,i+a,j+b]."""

import itertools

import numpy as np
import pytest
from convproof.properties.strategies import arrays, shapes
from convproof.reference.dense import dense_layer, reindexed_layer
from convproof.theory.indices import offset_range, reindex, reindex_weights, unreindex, unreindex_weights
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.claim("reindexing")
@given(shape=shapes())
def test_reindexing_is_a_bijection(shape):
    """reindexing: for every (i,j), (k,l) -> (k-i, l-j) maps the image's pixels one to one
    onto offset_range(i)×offset_range(j), and unreindex inverts it."""
    height, width = shape
    pixels = list(itertools.product(range(height), range(width)))
    for i, j in pixels:
        image = [reindex(i, j, k, l) for k, l in pixels]
        target = set(itertools.product(offset_range(i, height), offset_range(j, width)))
        assert len(set(image)) == len(pixels) == len(target)
        assert set(image) == target
        assert all(unreindex(i, j, a, b) == kl for (a, b), kl in zip(image, pixels, strict=True))


@pytest.mark.claim("reindexing")
@given(shape=shapes())
def test_offsets_take_both_signs(shape):
    """reindexing: over all hidden pixels, a takes every value in -(h-1)..h-1 and b every
    value in -(w-1)..w-1, so both signs occur exactly when the side is at least 2."""
    for n in shape:
        values = {a for i in range(n) for a in offset_range(i, n)}
        assert values == set(range(-(n - 1), n))
        assert (min(values) < 0 < max(values)) == (n >= 2)


@pytest.mark.claim("reindexing")
@given(data=st.data(), shape=shapes(max_side=5))
def test_reindexed_sum_equals_dense_sum(data, shape):
    """reindexing: Σ_{k,l} W[i,j,k,l]·x[k,l] = Σ_{a,b} V[i,j,a,b]·x[i+a,j+b] with
    V[i,j,a,b] = W[i,j,i+a,j+b], exactly; and W is recovered from V."""
    W = data.draw(arrays((*shape, *shape)), label="W")
    u = data.draw(arrays(shape), label="u")
    x = data.draw(arrays(shape), label="x")
    V = reindex_weights(W)
    np.testing.assert_array_equal(reindexed_layer(x, V, u), dense_layer(x, W, u))
    np.testing.assert_array_equal(unreindex_weights(V, shape), W)
