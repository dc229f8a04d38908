"""Claims converse and sharing-dimension: on the h×w torus weight sharing is forced.

A dense layer h = u + W·x commutes with the cyclic shift S_s exactly when
W[i + s, k + s] = W[i, k] and u[i + s] = u[i] (compare u + W·S_s x with S_s(u + W·x)
entry by entry), so it commutes with every shift exactly when W[i, j, k, l] depends only
on ((k - i) mod h, (l - j) mod w) and u is constant: W is recovered from its first row
c = W[0, 0]. Summing the conjugates S_-s ∘ L ∘ S_s over the hw shifts turns any dense layer
into one of that form (hw times the group average; sums keep integer data exact, and
scaling does not change the form).

The same constraints, written as a linear system in the (hw)^2 entries of W (commute with
the two generator shifts; vanish outside the wrapped Δ-window), have a solution space of
dimension hw, and min(2Δ+1, h)·min(2Δ+1, w) with locality: theory.counts.
equivariant_dimension, computed here from the system by exact integer elimination.
"""

import itertools

import numpy as np
import pytest
from convproof.properties.strategies import (
    arrays,
    deltas,
    dense_inputs,
    perturbed_dense,
    shapes,
    thorough,
)
from convproof.reference.torus import dense_torus_layer
from convproof.theory import counts
from convproof.theory.equivariance import (
    circulant,
    commutes_with_every_shift,
    equivariance_system,
    group_sum,
    integer_rank,
    outside_window,
)
from convproof.theory.indices import embed, fold, shift
from hypothesis import given
from hypothesis import strategies as st

#: Grids of the Hypothesis properties: the dense W has (hw)^2 entries.
MAX_SIDE = 4


def _dense(W, u):
    """The dense torus layer with weights W and bias u, as a map of x."""
    return lambda x: dense_torus_layer(x, W, u)


def is_circulant(W, u):
    """W is the circulant of its first row and u is constant."""
    return bool(np.array_equal(W, circulant(W[0, 0])) and np.all(u == u.flat[0]))


def as_torus_layer(p):
    """(W, u) of a :class:`~convproof.properties.strategies.Perturbed` on the h×w torus:
    W (h, w, h, w), the circulant of its first row, perturbed at one hidden pixel as drawn."""
    W = circulant(p.row)
    u = np.full(p.shape, float(p.u))
    i, j = np.unravel_index(p.i, p.shape)
    if p.W_perturbation is not None:
        W[i, j] += p.W_perturbation
    u[i, j] += p.u_perturbation
    return W, u


@pytest.mark.claim("converse")
@given(data=st.data(), shape=shapes(max_side=MAX_SIDE))
def test_shared_dense_layers_commute_with_every_shift(data, shape):
    """converse (if): a dense layer with W[i,j,k,l] = c[(k-i) mod h, (l-j) mod w] and
    constant u commutes with all hw cyclic shifts; the torus convolution layer with kernel
    V is such a layer, with first row c = fold(V)."""
    c = data.draw(arrays(shape), label="c")
    u = np.full(shape, data.draw(st.integers(-64, 64), label="u") * 1.0)
    x = data.draw(arrays(shape), label="x")
    W = circulant(c)
    h = dense_torus_layer(x, W, u)
    for s in itertools.product(range(shape[0]), range(shape[1])):
        moved = dense_torus_layer(shift(x, s, "circular"), W, u)
        np.testing.assert_array_equal(moved, shift(h, s, "circular"), err_msg=f"shift {s}")
    assert commutes_with_every_shift(_dense(W, u), shape)
    V = data.draw(arrays((2 * data.draw(deltas(), label="Δ") + 1,) * 2), label="V")
    np.testing.assert_array_equal(embed(V, shape, "circular"), circulant(fold(V, shape)))


@pytest.mark.claim("converse")
@given(case=dense_inputs(2, max_side=MAX_SIDE))
def test_group_sum_is_shared_and_commutes(case):
    """converse (averaging): summing S_-s ∘ L ∘ S_s over all shifts turns any dense layer
    into a shared one: first row c[a,b] = Σ_{i,j} W[i, j, i+a, j+b] (indices mod h, w),
    bias Σ u; it commutes with every shift, and a shared layer comes back hw-fold."""
    shape, W, u, _ = case
    Ws, us = group_sum(_dense(W, u), shape)
    diagonals = sum(
        np.roll(W[i, j], (-i, -j), axis=(0, 1))
        for i, j in itertools.product(range(shape[0]), range(shape[1]))
    )
    np.testing.assert_array_equal(Ws, circulant(diagonals))
    np.testing.assert_array_equal(us, np.full(shape, u.sum()))
    assert commutes_with_every_shift(_dense(Ws, us), shape)
    n = shape[0] * shape[1]
    Wt, ut = group_sum(_dense(Ws, us), shape)
    np.testing.assert_array_equal(Wt, n * Ws)
    np.testing.assert_array_equal(ut, n * us)


@pytest.mark.claim("converse")
@given(dense=perturbed_dense(2, max_side=MAX_SIDE))
def test_commuting_layer_is_recovered_from_its_first_row(dense):
    """converse (only if): a dense layer commutes with every cyclic shift exactly when it
    equals the circulant of its first row W[0, 0] and u is constant."""
    W, u = as_torus_layer(dense)
    commutes = commutes_with_every_shift(_dense(W, u), u.shape)
    assert commutes == is_circulant(W, u)
    if commutes:
        np.testing.assert_array_equal(W, circulant(W[0, 0]))


def _small_grids(side):
    return list(itertools.product(range(1, side + 1), repeat=2))


@pytest.mark.claim("converse")
def test_group_sum_of_every_basis_layer(record_property):
    """converse (exhaustive): on every grid up to 4×4 (5×5 under the thorough profile) the
    group sum of each basis layer, W = e_(i,j,k,l) with u = 0 and u = e_(i,j) with W = 0,
    is the shared layer with c = e_((k-i) mod h, (l-j) mod w), resp. u = 1 everywhere.
    The group sum is linear, so this proves its formula for every dense layer there;
    and a layer that commutes is its own conjugate, so its group sum is hw·L: shared."""
    checked = 0
    for shape in _small_grids(5 if thorough() else 4):
        height, width = shape
        zero_W, zero_u = np.zeros((*shape, *shape)), np.zeros(shape)
        for i, j in itertools.product(range(height), range(width)):
            e_u = zero_u.copy()
            e_u[i, j] = 1.0
            Ws, us = group_sum(_dense(zero_W, e_u), shape)
            assert not Ws.any(), (shape, i, j)
            assert np.all(us == 1.0), (shape, i, j)
            for k, l in itertools.product(range(height), range(width)):
                W = zero_W.copy()
                W[i, j, k, l] = 1.0
                Ws, us = group_sum(_dense(W, zero_u), shape)
                c = np.zeros(shape)
                c[(k - i) % height, (l - j) % width] = 1.0
                np.testing.assert_array_equal(Ws, circulant(c), err_msg=f"{shape} {(i, j, k, l)}")
                assert not us.any()
                checked += 1
    record_property("examples", checked)


# --- sharing-dimension ------------------------------------------------------------------


def conv_layers_matrix(shape, delta):
    """Columns: vec of the dense W of the torus conv layer of each unit kernel, every
    offset |a|, |b| <= Δ (every offset of the grid without locality)."""
    side = 2 * delta + 1 if delta is not None else None
    units = []
    if side is None:
        for a, b in itertools.product(range(shape[0]), range(shape[1])):
            c = np.zeros(shape)
            c[a, b] = 1.0
            units.append(circulant(c).ravel())
    else:
        for n in range(side * side):
            V = np.zeros(side * side)
            V[n] = 1.0
            units.append(embed(V.reshape(side, side), shape, "circular").ravel())
    return np.stack(units, axis=1).astype(np.int64)


def _dimension_scope():
    side = 5 if thorough() else 4
    return [(h, w, d) for h, w in _small_grids(side) for d in (None, 0, 1, 2, 3)]


@pytest.mark.claim("sharing-dimension")
def test_equivariant_dimension_from_the_constraints(record_property):
    """sharing-dimension (exhaustive): for every h, w <= 4 (5 under the thorough profile)
    and Δ in {none, 0, 1, 2, 3}, the linear maps on the h×w torus that commute with the two
    generator shifts (and vanish outside the wrapped Δ-window) form a space of dimension
    (hw)^2 - rank = equivariant_dimension(h, w, Δ): hw, or min(2Δ+1, h)·min(2Δ+1, w). The
    torus conv layers lie in it and span it: their rank is the same number."""
    for height, width, delta in _dimension_scope():
        shape = (height, width)
        outside = None if delta is None else outside_window(shape, delta)
        A = equivariance_system(shape, outside)
        dimension = A.shape[1] - integer_rank(A)
        expected = counts.equivariant_dimension(height, width, delta)
        assert dimension == expected, f"{shape}, Δ={delta}: {dimension} != {expected}"
        C = conv_layers_matrix(shape, delta)
        assert not (A @ C).any(), f"{shape}, Δ={delta}: a conv layer violates the system"
        assert integer_rank(C) == dimension, f"{shape}, Δ={delta}: conv layers do not span"
    record_property("examples", len(_dimension_scope()))
