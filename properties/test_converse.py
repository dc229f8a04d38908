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
from convproof.properties.strategies import arrays, deltas, shapes, thorough
from convproof.theory import counts
from convproof.theory.indices import embed, fold, shift, window_mask
from hypothesis import given
from hypothesis import strategies as st

#: Grids of the Hypothesis properties: the dense W has (hw)^2 entries.
MAX_SIDE = 4


def dense_torus_layer(x, W, u):
    """h[i,j] = u[i,j] + Σ_{k,l} W[i,j,k,l]·x[k,l]; trailing axes of x are a batch."""
    return np.einsum("ijkl,kl...->ij...", W, x) + u.reshape(u.shape + (1,) * (x.ndim - 2))


def circulant(c):
    """The dense layer that depends only on the offset: W[i,j,k,l] = c[(k-i) mod h, (l-j) mod w]."""
    height, width = c.shape
    i, j, k, l = np.ix_(*(np.arange(n) for n in (height, width, height, width)))
    return c[(k - i) % height, (l - j) % width]


def basis_inputs(shape):
    """x = 0 and every impulse e_kl (row-major), stacked along a trailing axis: an affine
    map is known exactly from its values on these."""
    n = shape[0] * shape[1]
    return np.concatenate([np.zeros((n, 1)), np.eye(n)], axis=1).reshape(*shape, n + 1)


def commutes_with_every_shift(W, u):
    """layer(roll(x, s)) == roll(layer(x), s) for every s of the torus and every x, decided
    exactly on x = 0 and the impulses."""
    shape = u.shape
    X = basis_inputs(shape)
    hX = dense_torus_layer(X, W, u)
    return all(
        np.array_equal(dense_torus_layer(shift(X, s, "circular"), W, u), shift(hX, s, "circular"))
        for s in itertools.product(range(shape[0]), range(shape[1]))
    )


def group_sum(W, u):
    """The dense layer of Σ_s S_-s ∘ L ∘ S_s over every shift s of the torus, probed on
    x = 0 and the impulses (hw times the group average)."""
    shape = u.shape
    X = basis_inputs(shape)
    total = np.zeros_like(X)
    for s in itertools.product(range(shape[0]), range(shape[1])):
        back = (-s[0], -s[1])
        total += shift(dense_torus_layer(shift(X, s, "circular"), W, u), back, "circular")
    bias = total[..., 0]
    return (total[..., 1:] - bias[..., None]).reshape(*shape, *shape), bias


def is_shared(W, u):
    """W is the circulant of its first row and u is constant."""
    return bool(np.array_equal(W, circulant(W[0, 0])) and np.all(u == u.flat[0]))


@st.composite
def dense_torus_layers(draw, max_side=MAX_SIDE):
    """A shared dense layer (circulant of a drawn first row, constant u), then perturbed,
    or not, at one hidden pixel: in W, in u, or in both."""
    shape = draw(shapes(max_side=max_side), label="shape")
    W = circulant(draw(arrays(shape), label="first row c"))
    u = np.full(shape, draw(st.integers(-4, 4), label="u") * 1.0)
    i, j = draw(st.integers(0, shape[0] - 1)), draw(st.integers(0, shape[1] - 1))
    if draw(st.booleans()):
        W[i, j] += draw(arrays(shape), label="W perturbation")
    if draw(st.booleans()):
        u[i, j] += draw(st.integers(-4, 4), label="u perturbation")
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
    assert commutes_with_every_shift(W, u)
    V = data.draw(arrays((2 * data.draw(deltas(), label="Δ") + 1,) * 2), label="V")
    np.testing.assert_array_equal(embed(V, shape, "circular"), circulant(fold(V, shape)))


@pytest.mark.claim("converse")
@given(data=st.data(), shape=shapes(max_side=MAX_SIDE))
def test_group_sum_is_shared_and_commutes(data, shape):
    """converse (averaging): summing S_-s ∘ L ∘ S_s over all shifts turns any dense layer
    into a shared one: first row c[a,b] = Σ_{i,j} W[i, j, i+a, j+b] (indices mod h, w),
    bias Σ u; it commutes with every shift, and a shared layer comes back hw-fold."""
    W = data.draw(arrays((*shape, *shape)), label="W")
    u = data.draw(arrays(shape), label="u")
    Ws, us = group_sum(W, u)
    diagonals = sum(
        np.roll(W[i, j], (-i, -j), axis=(0, 1))
        for i, j in itertools.product(range(shape[0]), range(shape[1]))
    )
    np.testing.assert_array_equal(Ws, circulant(diagonals))
    np.testing.assert_array_equal(us, np.full(shape, u.sum()))
    assert commutes_with_every_shift(Ws, us)
    n = shape[0] * shape[1]
    Wt, ut = group_sum(Ws, us)
    np.testing.assert_array_equal(Wt, n * Ws)
    np.testing.assert_array_equal(ut, n * us)


@pytest.mark.claim("converse")
@given(layer=dense_torus_layers())
def test_commuting_layer_is_recovered_from_its_first_row(layer):
    """converse (only if): a dense layer commutes with every cyclic shift exactly when it
    equals the circulant of its first row W[0, 0] and u is constant."""
    W, u = layer
    commutes = commutes_with_every_shift(W, u)
    assert commutes == is_shared(W, u)
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
            Ws, us = group_sum(zero_W, e_u)
            assert not Ws.any(), (shape, i, j)
            assert np.all(us == 1.0), (shape, i, j)
            for k, l in itertools.product(range(height), range(width)):
                W = zero_W.copy()
                W[i, j, k, l] = 1.0
                Ws, us = group_sum(W, zero_u)
                c = np.zeros(shape)
                c[(k - i) % height, (l - j) % width] = 1.0
                np.testing.assert_array_equal(Ws, circulant(c), err_msg=f"{shape} {(i, j, k, l)}")
                assert not us.any()
                checked += 1
    record_property("examples", checked)


# --- sharing-dimension ------------------------------------------------------------------


def integer_rank(A):
    """The rank of an integer matrix, exactly: fraction-free Gaussian elimination in int64.

    Each step replaces every row r below the pivot row p by piv·r - r[c]·p (no division,
    so every entry stays an integer) and divides the row by the gcd of its entries (which
    keeps its span); the number of pivots is the rank over Q. An entry that could
    overflow int64 in the next step raises instead of rounding. For the systems here,
    whose rows are e_p - e_q (commutation) and e_p (locality), the matrix is totally
    unimodular (the incidence matrix of a directed graph, plus unit rows), pivots are
    ±1 and entries stay in {-1, 0, 1}: the guard never fires. numpy.linalg.matrix_rank
    is not used: its SVD threshold needs a gap argument for each matrix.
    """
    A = np.array(A, dtype=np.int64)
    rank = 0
    for col in range(A.shape[1]):
        rows = rank + np.flatnonzero(A[rank:, col])
        if rows.size == 0:
            continue
        pivot = rows[np.argmin(np.abs(A[rows, col]))]
        A[[rank, pivot]] = A[[pivot, rank]]
        below = rank + 1 + np.flatnonzero(A[rank + 1 :, col])
        if below.size:
            if np.abs(A).max() >= 2**31:
                raise OverflowError("integer elimination would overflow int64")
            A[below] = A[rank, col] * A[below] - A[below, col][:, None] * A[rank][None, :]
            g = np.gcd.reduce(A[below], axis=1)
            A[below] //= np.where(g == 0, 1, g)[:, None]
        rank += 1
    return rank


def shift_matrix(shape, s):
    """P with P·vec(x) = vec(shift(x, s)) on the torus (row-major vec)."""
    n = int(np.prod(shape))
    return np.stack([shift(e.reshape(shape), s, "circular").ravel() for e in np.eye(n)], axis=1)


def equivariance_system(shape, outside=None):
    """The integer matrix A with A·vec(M) = 0 iff the linear map M (on vec(x), row-major)
    commutes with the unit shift along every axis (which generate all shifts), and
    M[i, k] = 0 wherever ``outside[i, k]``."""
    n = int(np.prod(shape))
    eye = np.eye(n, dtype=np.int64)
    blocks = []
    for axis in range(len(shape)):
        unit = tuple(int(d == axis) for d in range(len(shape)))
        P = shift_matrix(shape, unit).astype(np.int64)
        # vec(M P - P M) = (I ⊗ P^T - P ⊗ I) vec(M) for row-major vec
        blocks.append(np.kron(eye, P.T) - np.kron(P, eye))
    if outside is not None:
        blocks.append(np.eye(n * n, dtype=np.int64)[outside.ravel()])
    return np.concatenate(blocks, axis=0)


def outside_torus_window(shape, delta):
    """(hw, hw) mask: True where input pixel k is outside the wrapped Δ-window of hidden
    pixel i (theory.indices.window_mask, circular)."""
    return ~np.stack(
        [window_mask(shape, i, j, delta, "circular").ravel()
         for i, j in itertools.product(range(shape[0]), range(shape[1]))]
    )


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
        outside = None if delta is None else outside_torus_window(shape, delta)
        A = equivariance_system(shape, outside)
        dimension = A.shape[1] - integer_rank(A)
        expected = counts.equivariant_dimension(height, width, delta)
        assert dimension == expected, f"{shape}, Δ={delta}: {dimension} != {expected}"
        C = conv_layers_matrix(shape, delta)
        assert not (A @ C).any(), f"{shape}, Δ={delta}: a conv layer violates the system"
        assert integer_rank(C) == dimension, f"{shape}, Δ={delta}: conv layers do not span"
    record_property("examples", len(_dimension_scope()))


@pytest.mark.claim("sharing-dimension")
@given(shape=shapes(max_side=40), delta=deltas(25))
def test_dimension_formula_cases(shape, delta):
    """sharing-dimension: (2Δ+1)^2 exactly when the window fits the torus (2Δ+1 <=
    min(h, w)); once it wraps, fewer: per axis min(2Δ+1, n), never more than hw."""
    dim = counts.equivariant_dimension(*shape, delta)
    assert (dim == counts.local_weights(delta)) == (2 * delta + 1 <= min(shape))
    assert dim <= min(counts.local_weights(delta), counts.equivariant_dimension(*shape))
    assert dim == counts.equivariant_dimension_nd(shape, delta)
