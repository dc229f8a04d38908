"""Claims parameter-collapse and billions-to-hundreds: how many coefficients each layer has.

Counts are measured on the layers themselves: a kernel whose entries are distinct powers
of two is embedded into the dense W (theory.indices.embed), or probed through the
reference layer, and the distinct coefficients that reach the output are counted; every
sum of distinct powers of two is distinct, so wrapped (summed) offsets count once.
"""

import numpy as np
import pytest
from convproof.properties.strategies import MAX_DELTA, deltas, shapes
from convproof.reference.dense import shared_layer
from convproof.theory import counts
from convproof.theory.indices import embed
from hypothesis import given
from hypothesis import strategies as st

from convproof.harness import probe


def distinct_kernel(rows, cols):
    """Entries 2^0, 2^1, ...: any two different subsets have different sums."""
    return (2.0 ** np.arange(rows * cols)).reshape(rows, cols)


def distinct_coefficients(W):
    return len(np.unique(W[W != 0]))


@pytest.mark.claim("parameter-collapse")
@given(shape=shapes(max_side=5))
def test_shared_weights_without_locality(shape):
    """parameter-collapse: one kernel V[a,b] for every pixel, no locality, has
    (2h-1)(2w-1) coefficients that reach the h×w grid, against (hw)^2 dense weights."""
    V = distinct_kernel(2 * shape[0] - 1, 2 * shape[1] - 1)
    J = probe(lambda x: shared_layer(x, V, 0.0), shape)
    assert distinct_coefficients(J) == counts.shared_weights_grid(*shape)
    assert counts.shared_weights_grid(*shape) <= counts.dense_weights(*shape)


@pytest.mark.claim("parameter-collapse")
@given(shape=shapes(max_side=6), delta=deltas(MAX_DELTA + 2))
def test_local_shared_weights(shape, delta):
    """parameter-collapse: the local kernel has (2Δ+1)^2 coefficients, of which
    min(2Δ+1, 2h-1)·min(2Δ+1, 2w-1) reach an h×w image under zero padding; on the torus
    a kernel that covers the image has hw distinct (wrapped) coefficients."""
    V = distinct_kernel(2 * delta + 1, 2 * delta + 1)
    assert V.size == counts.local_weights(delta)
    W = embed(V, shape, "zeros")
    assert distinct_coefficients(W) == counts.local_weights_used(*shape, delta)
    if 2 * delta + 1 >= max(shape):
        assert distinct_coefficients(embed(V, shape, "circular")) == counts.shared_weights_torus(
            *shape
        )


@pytest.mark.claim("parameter-collapse")
@given(shape=shapes(min_side=2, max_side=1000), delta=st.integers(0, 15))
def test_local_layer_is_far_smaller(shape, delta):
    """parameter-collapse: whenever the kernel fits the image (2Δ+1 <= min(h, w)), the
    convolution layer has fewer parameters than the dense layer by a factor of at least
    hw·(hw+1)/((2Δ+1)^2+1) > 1."""
    if 2 * delta + 1 > min(shape):
        delta = (min(shape) - 1) // 2
    conv = counts.conv_layer_parameters(delta)
    dense = counts.dense_layer_parameters(*shape)
    hw = shape[0] * shape[1]
    assert conv < dense
    assert dense / conv >= hw * (hw + 1) / ((2 * delta + 1) ** 2 + 1)


@pytest.mark.claim("billions-to-hundreds")
def test_billions_become_a_few_hundred(record_property):
    """billions-to-hundreds: a 1000×1000 dense layer has 10^12 + 10^6 parameters (at
    least billions); the convolution layer's (2Δ+1)^2 + 1 lies in 100..999 exactly for
    5 <= Δ <= 15, checked for every Δ up to 500."""
    dense = counts.dense_layer_parameters(1000, 1000)
    assert dense == 10**12 + 10**6
    assert dense >= 10**9
    few_hundred = [d for d in range(501) if 100 <= counts.conv_layer_parameters(d) < 1000]
    assert few_hundred == list(range(5, 16))
    assert counts.conv_layer_parameters(1) == 10
    assert counts.conv_layer_parameters(2) == 26
    record_property("examples", 501)
