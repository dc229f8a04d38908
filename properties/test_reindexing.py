"""Claim reindexing: k = i + a, l = j + b, and V[i,j,a,b] = W[i,j,i+a,j+b].

The substitution is checked where it is used: theory.indices.reindex_weights stores
V[i, j, a, b] = W[i, j, i + a, j + b] at V4[i, j, a + h - 1, b + w - 1], and
reference.dense.reindexed_layer sums over the offsets a in range(-i, h - i). Where the
weights land is compared with the claim's own inequalities, and the reindexed sum with
the dense sum.
"""

import numpy as np
import pytest
from convproof.properties.strategies import dense_inputs, shapes
from convproof.reference.dense import dense_layer, reindexed_layer
from convproof.theory.equivariance import affine_parts
from convproof.theory.indices import reindex_weights, unreindex_weights
from hypothesis import given


def _landed(shape):
    """Where the weights of a W without zero entries land in V4 = reindex_weights(W):
    a boolean array over (i, j, stored a, stored b); each entry of W counted once."""
    n = shape[0] * shape[1]
    W = np.arange(1.0, n * n + 1).reshape(*shape, *shape)
    V4 = reindex_weights(W)
    assert np.count_nonzero(V4) == W.size  # no weight lost, none landed twice
    assert sorted(V4[V4 != 0]) == sorted(W.ravel())
    return V4 != 0


@pytest.mark.claim("reindexing")
@given(shape=shapes())
def test_reindexing_is_a_bijection(shape):
    """reindexing: for every hidden pixel (i,j), (k,l) -> (a,b) = (k-i, l-j) is one to one
    from the image's pixels onto {-i..h-1-i}×{-j..w-1-j}: every weight W[i,j,k,l] lands
    at exactly one offset, each offset in that box receives one, none outside it; and W
    is recovered from V."""
    height, width = shape
    landed = _landed(shape)
    a = np.arange(-(height - 1), height)[None, None, :, None]  # stored index a + h - 1
    b = np.arange(-(width - 1), width)[None, None, None, :]
    i = np.arange(height)[:, None, None, None]
    j = np.arange(width)[None, :, None, None]
    box = (-i <= a) & (a <= height - 1 - i) & (-j <= b) & (b <= width - 1 - j)
    np.testing.assert_array_equal(landed, box)
    n = height * width
    W = np.arange(1.0, n * n + 1).reshape(*shape, *shape)
    np.testing.assert_array_equal(unreindex_weights(reindex_weights(W), shape), W)


@pytest.mark.claim("reindexing")
@given(shape=shapes())
def test_offsets_take_both_signs(shape):
    """reindexing: over all hidden pixels, a takes every value in -(h-1)..h-1 and b every
    value in -(w-1)..w-1 (read off where the weights land): both signs occur on every side
    of at least 2 pixels."""
    landed = _landed(shape)
    for axis, n in enumerate(shape):
        others = tuple(d for d in range(4) if d != axis + 2)
        values = np.flatnonzero(landed.any(axis=others)) - (n - 1)  # stored -> a
        np.testing.assert_array_equal(values, np.arange(-(n - 1), n))


@pytest.mark.claim("reindexing")
@given(case=dense_inputs(2, max_side=5))
def test_reindexed_sum_equals_dense_sum(case):
    """reindexing: Σ_{k,l} W[i,j,k,l]·x[k,l] = Σ_{a,b} V[i,j,a,b]·x[i+a,j+b] with
    V[i,j,a,b] = W[i,j,i+a,j+b], exactly; and W is recovered from V."""
    shape, W, u, x = case
    V = reindex_weights(W)
    np.testing.assert_array_equal(reindexed_layer(x, V, u), dense_layer(x, W, u))
    np.testing.assert_array_equal(unreindex_weights(V, shape), W)


@pytest.mark.claim("centered-sum")
@given(shape=shapes(max_side=5))
def test_offsets_are_measured_from_the_hidden_pixel(shape):
    """centered-sum: in the reindexed layer ∂h[i,j]/∂x[i+a,j+b] = V[i,j,a,b] (probed, with
    distinct nonzero entries in V), so a = b = 0 weighs x[i,j] itself, and the offsets
    that reach the image are exactly a in -i..h-1-i, b in -j..w-1-j: symmetric about
    (i,j) only where 2i = h-1 and 2j = w-1."""
    height, width = shape
    V = np.arange(1.0, height * width * (2 * height - 1) * (2 * width - 1) + 1).reshape(
        height, width, 2 * height - 1, 2 * width - 1)
    _, J = affine_parts(lambda x: reindexed_layer(x, V, np.zeros(shape)), shape)
    for i, j in np.ndindex(shape):
        reached = np.argwhere(J[i, j] != 0) - (i, j)  # the offsets (a, b) = (k - i, l - j)
        rows, cols = set(reached[:, 0].tolist()), set(reached[:, 1].tolist())
        assert rows == set(range(-i, height - i)), (i, j)
        assert cols == set(range(-j, width - j)), (i, j)
        for a, b in reached:
            assert J[i, j, i + a, j + b] == V[i, j, a + height - 1, b + width - 1], (i, j, a, b)
