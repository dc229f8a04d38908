"""Claims parameter-collapse and billions-to-hundreds: how many coefficients each layer has.

Counts are measured on the layers themselves: a kernel whose entries are distinct powers
of two is embedded into the dense W (theory.indices.embed), or probed through the
reference layer, and the distinct coefficients that reach the output are counted; every
sum of distinct powers of two is distinct, so wrapped (summed) offsets count once. The
comparison of the convolution layer with the dense one measures both as the rank of the
map from their parameters to the affine maps they compute (theory.equivariance.
parameter_rank), never one formula against another.
"""

import itertools

import numpy as np
import pytest
from convproof.properties.strategies import MAX_DELTA, deltas, shapes
from convproof.reference import ORACLE
from convproof.reference.dense import dense_layer, shared_layer
from convproof.theory import counts
from convproof.theory.equivariance import parameter_rank
from convproof.theory.indices import embed
from hypothesis import given

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


@pytest.mark.claim("parameter-collapse")
@given(shape=shapes(max_side=6), delta=deltas(MAX_DELTA + 2))
def test_local_shared_weights(shape, delta):
    """parameter-collapse: the local kernel has (2Δ+1)^2 coefficients, all of which reach
    an image of side Δ+1, of which min(2Δ+1, 2h-1)·min(2Δ+1, 2w-1) reach an h×w image
    under zero padding; on the torus a kernel that covers the image has hw distinct
    (wrapped) coefficients."""
    V = distinct_kernel(2 * delta + 1, 2 * delta + 1)
    reach = embed(V, (delta + 1, delta + 1), "zeros")
    assert distinct_coefficients(reach) == counts.local_weights(delta)
    W = embed(V, shape, "zeros")
    assert distinct_coefficients(W) == counts.local_weights_used(*shape, delta)
    if 2 * delta + 1 >= max(shape):
        assert distinct_coefficients(embed(V, shape, "circular")) == counts.shared_weights_torus(
            *shape
        )


#: Sides of the grids on which both layers' parameters are measured: every grid up to
#: 3×3 (the dense layer's rank system has ninety columns there).
COUNT_MAX_SIDE = 3


def _conv_layer_of(padding):
    def layer_of(V, u):
        return lambda x: ORACLE.fn(x, V, float(u), padding)
    return layer_of


def _dense_layer_of(W, u):
    return lambda x: dense_layer(x, W, u)


@pytest.mark.claim("parameter-collapse")
def test_conv_layer_has_fewer_parameters_than_dense(record_property):
    """parameter-collapse (exhaustive, every grid up to 3×3 and every Δ whose kernel fits,
    2Δ+1 <= min(h, w)): measured as the rank of the map from parameters to the affine map
    computed, the convolution layer (the loop transcription, zero padding) has
    (2Δ+1)^2 + 1 = counts.conv_layer_parameters(Δ) independent parameters and the dense
    layer (hw)^2 + hw = counts.dense_layer_parameters(h, w); the first is smaller on
    every image of more than one pixel."""
    checked = 0
    for shape in itertools.product(range(1, COUNT_MAX_SIDE + 1), repeat=2):
        hw = shape[0] * shape[1]
        dense = parameter_rank(_dense_layer_of, (np.zeros((*shape, *shape)), np.zeros(shape)),
                               shape)
        assert dense == counts.dense_layer_parameters(*shape), shape
        for delta in range((min(shape) - 1) // 2 + 1):
            side = 2 * delta + 1
            conv = parameter_rank(_conv_layer_of("zeros"), (np.zeros((side, side)), np.zeros(())),
                                  shape)
            assert conv == counts.conv_layer_parameters(delta), (shape, delta)
            assert (conv < dense) == (hw > 1), (shape, delta, conv, dense)
            checked += 1
    record_property("examples", checked)


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


#: 1 GiB, and the bytes of one float32.
GIB, FLOAT32 = 2**30, 4


@pytest.mark.claim("dense-infeasible")
def test_dense_layer_outgrows_memory_while_conv_does_not(record_property):
    """dense-infeasible: a single dense layer on an n×n image stores 4·counts.dense_weights(n, n)
    bytes in float32, which first reaches 1 GiB at n = 128 (2^28 weights, 2^14 times the
    image) and is 4·10^12 bytes at n = 1000 (every n up to 1000); the convolution layer's
    parameters, measured as a rank on every grid from 3×3 to 5×5 for Δ = 1, are the same
    (2Δ+1)^2 + 1 on each."""
    sides = range(1, 1001)
    reached = [n for n in sides if FLOAT32 * counts.dense_weights(n, n) >= GIB]
    assert reached[0] == 128
    assert counts.dense_weights(128, 128) == 2**28 == 2**14 * 128 * 128
    assert FLOAT32 * counts.dense_weights(1000, 1000) == 4 * 10**12
    measured = {
        shape: parameter_rank(_conv_layer_of("zeros"), (np.zeros((3, 3)), np.zeros(())), shape)
        for shape in itertools.product(range(3, 6), repeat=2)
    }
    assert set(measured.values()) == {counts.conv_layer_parameters(1)}, measured
    record_property("examples", len(sides) + len(measured))
