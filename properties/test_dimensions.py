"""Claim every-dimension: the derivation holds for 1-D signals and 3-D volumes as stated
for images.

Nothing in the article's argument uses that x has two axes: with multi-indices of length
d, the reindexing k = i + a, shift equivariance (exact on the torus, on a region under
zero padding), locality, and forced weight sharing read the same. Each property below is
written once, for x of shape (n1, ..., nd), and runs for d = 1, 2, 3 against the N-D
references of reference/nd.py, which are checked against scipy.signal.correlate ('direct'
and 'fft') and scipy.ndimage.correlate in every dimension. The same statements run
against the implementation under test (``--impl``), in every dimension it declares, in
test_layers_nd.py.
"""

import itertools

import numpy as np
import pytest
from convproof.properties.strategies import (
    dense_inputs,
    impulse_of,
    nd_cases,
    perturbed_dense,
    thorough,
    turn_shift_of,
)
from convproof.reference import BUILTINS, ORACLE
from convproof.reference.nd import correlate_nd, correlate_nd_loops
from convproof.reference.sensitivity import sensitivity
from convproof.reference.shifted import shifted_sum
from convproof.theory import bounds, counts
from convproof.theory.bounds import assert_within
from convproof.theory.equivariance import (
    circulant,
    commutes_with_every_shift,
    equivariance_system,
    integer_rank,
    outside_window,
)
from convproof.theory.indices import equivariance_region, shift
from hypothesis import given
from hypothesis import strategies as st

from convproof.harness import bound

NDIMS = (1, 2, 3)
#: Sides of the grids on which dense N-D weights W[i, k] (N^2 entries) are drawn.
DENSE_MAX_SIDE = {1: 8, 2: 3, 3: 2}


#: The scipy adapters of reference.scipy_nd and reference.scipy_adapters that take inputs
#: of any dimension: scipy.signal.correlate (method 'direct' and 'fft') and
#: scipy.ndimage.correlate, each with its own error model.
SCIPY = tuple(BUILTINS[name] for name in ("scipy-direct", "scipy-fft", "ndimage"))


@pytest.mark.claim("every-dimension")
@pytest.mark.parametrize("ndim", NDIMS)
@given(data=st.data())
def test_loop_transcription_equals_vectorized(ndim, data):
    """every-dimension: in d = 1, 2, 3 and every padding, the loop transcription of
    h[i] = u + Σ_a V[a]·x[i+a] equals the sliding-window reference and the sum of shifted
    copies (reference.shifted, the oracle of large inputs) exactly (integers); in 2-D all
    equal the article's 2-D loop transcription."""
    c = data.draw(nd_cases(ndim), label="case")
    expected = correlate_nd_loops(c.x, c.V, c.u, c.padding)
    np.testing.assert_array_equal(correlate_nd(c.x, c.V, c.u, c.padding), expected)
    np.testing.assert_array_equal(shifted_sum(c.x, c.V, c.u, c.padding), expected)
    if ndim == 2:
        np.testing.assert_array_equal(ORACLE.fn(c.x, c.V, c.u, c.padding), expected)


@pytest.mark.claim("every-dimension")
@pytest.mark.parametrize("ndim", NDIMS)
@given(data=st.data())
def test_reference_agrees_with_scipy(ndim, data):
    """every-dimension: the N-D reference equals scipy.signal.correlate (method 'direct'
    and 'fft') and scipy.ndimage.correlate in d = 1, 2, 3 and every padding: exactly or
    within theory.bounds on integers, within the bounds on floats of magnitude
    2^-200 .. 2^200."""
    c = data.draw(nd_cases(ndim, exact=None), label="case")
    ours = correlate_nd(c.x, c.V, c.u, c.padding)
    own = bounds.direct(c.x, c.V, c.u, c.padding)  # correlate_nd sums directly
    for tool in SCIPY:
        theirs = tool.fn(c.x, c.V, c.u, c.padding)
        tol = own + bound(tool, c.x, c.V, c.u, c.padding)
        assert_within(ours, theirs, tol, f"N-D reference vs {tool}, {c.padding}")


def reindex_weights_nd(W, shape):
    """V[i, a + n - 1] = W[i, i + a]: the article's reindexing, per axis."""
    d = len(shape)
    V = np.zeros((*shape, *(2 * n - 1 for n in shape)))
    grid = np.indices((*shape, *shape)).reshape(2 * d, -1)
    i, k = grid[:d], grid[d:]
    a = k - i + (np.array(shape) - 1)[:, None]
    V[(*i, *a)] = W[(*i, *k)]
    return V


def reindexed_layer_nd(x, V, u):
    """h[i] = u[i] + Σ_a V[i, a]·x[i + a], a over Π_d range(-i_d, n_d - i_d), literally."""
    h = np.empty(x.shape)
    for i in np.ndindex(x.shape):
        total = u[i]
        offsets = [range(-p, n - p) for p, n in zip(i, x.shape, strict=True)]
        for a in itertools.product(*offsets):
            stored = tuple(q + n - 1 for q, n in zip(a, x.shape, strict=True))
            total += V[(*i, *stored)] * x[tuple(p + q for p, q in zip(i, a, strict=True))]
        h[i] = total
    return h


@pytest.mark.claim("every-dimension")
@pytest.mark.parametrize("ndim", NDIMS)
@given(data=st.data())
def test_reindexing(ndim, data):
    """every-dimension (reindexing): for every i, k -> a = k - i maps the grid one to one
    onto Π range(-i_d, n_d - i_d), and Σ_k W[i,k]·x[k] = Σ_a V[i,a]·x[i+a] with
    V[i,a] = W[i,i+a], exactly."""
    shape, W, u, x = data.draw(dense_inputs(ndim, DENSE_MAX_SIDE[ndim]), label="(shape, W, u, x)")
    dense = u + np.tensordot(W, x, axes=ndim)
    np.testing.assert_array_equal(reindexed_layer_nd(x, reindex_weights_nd(W, shape), u), dense)
    grid = set(np.ndindex(shape))
    for i in grid:
        offsets = itertools.product(*(range(-p, n - p) for p, n in zip(i, shape, strict=True)))
        assert {tuple(p + q for p, q in zip(i, a, strict=True)) for a in offsets} == grid


@pytest.mark.claim("every-dimension")
@pytest.mark.parametrize("ndim", NDIMS)
@given(data=st.data())
def test_shift_equivariance(ndim, data):
    """every-dimension (shift): on the torus layer(roll(x, s)) = roll(layer(x), s) for
    every shift s of the grid; under zero padding and 'valid' with zero-filling shifts,
    exactly on the region R_s, the product over the axes of the 2-D theory's per-axis
    condition (theory.indices.equivariance_region)."""
    c = data.draw(nd_cases(ndim, "circular"), label="circular case")
    h = correlate_nd(c.x, c.V, c.u, "circular")
    for s in np.ndindex(c.x.shape):
        moved = correlate_nd(shift(c.x, s, "circular"), c.V, c.u, "circular")
        np.testing.assert_array_equal(moved, shift(h, s, "circular"), err_msg=f"shift {s}")
    c, s = data.draw(nd_cases(ndim, ("zeros", "valid"), extra=turn_shift_of), label="(case, s)")
    padding = c.padding
    lhs = correlate_nd(shift(c.x, s, "zeros"), c.V, c.u, padding)
    rhs = shift(correlate_nd(c.x, c.V, c.u, padding), s, "zeros")
    region = np.ones(lhs.shape, dtype=bool)
    delta = c.delta
    for axis, (n, t) in enumerate(zip(c.x.shape, s, strict=True)):
        per_axis = equivariance_region((n, 2 * delta + 1), delta, (t, 0), padding)[:, 0]
        region &= np.expand_dims(per_axis, tuple(a for a in range(ndim) if a != axis))
    np.testing.assert_array_equal(lhs[region], rhs[region], err_msg=f"shift {s} inside R_s")


@pytest.mark.claim("every-dimension")
@pytest.mark.parametrize("ndim", NDIMS)
@given(data=st.data())
def test_locality(ndim, data):
    """every-dimension (locality): h(x + t·e_k) - h(x) = t·V[k - i] where |k - i| <= Δ on
    every axis (+Δ for 'valid'; on the torus summed over the wrapped offsets, fold(V)),
    and 0 elsewhere: nothing outside the window reaches h[i]."""
    c, (k, t) = data.draw(nd_cases(ndim, extra=impulse_of), label="(case, (k, t))")
    x2 = c.x.copy()
    x2[k] += t
    difference = correlate_nd(x2, c.V, c.u, c.padding) - correlate_nd(c.x, c.V, c.u, c.padding)
    np.testing.assert_array_equal(difference, t * sensitivity(c.V, c.x.shape, c.padding, k))


def _flat_dense(W, u, shape):
    """x -> u + W·x for a flattened (N, N) W, as a map of arrays of ``shape``."""
    n = u.size
    return lambda x: (W @ x.reshape(n) + u).reshape(shape)


@pytest.mark.claim("every-dimension")
@pytest.mark.parametrize("ndim", NDIMS)
@given(data=st.data())
def test_weight_sharing_is_forced(ndim, data):
    """every-dimension (weight sharing): a dense layer on the d-dimensional torus commutes
    with every cyclic shift iff W[i, k] depends only on (k - i) mod n and u is constant;
    drawn as a shared layer perturbed, or not, at one hidden position."""
    p = data.draw(perturbed_dense(ndim, DENSE_MAX_SIDE[ndim]), label="perturbed layer")
    shape, n = p.shape, int(np.prod(p.shape))
    W = circulant(p.row).reshape(n, n)
    u = np.full(n, float(p.u))
    if p.W_perturbation is not None:
        W[p.i] += p.W_perturbation.reshape(n)
    u[p.i] += p.u_perturbation
    shared = np.array_equal(W, circulant(W[0].reshape(shape)).reshape(n, n)) and bool(
        np.all(u == u[0]))
    assert commutes_with_every_shift(_flat_dense(W, u, shape), shape) == shared


def _dimension_shapes():
    wide = thorough()
    one = [(n,) for n in range(1, (12 if wide else 8) + 1)]
    two = list(itertools.product(range(1, (4 if wide else 3) + 1), repeat=2))
    three = list(itertools.product(range(1, (3 if wide else 2) + 1), repeat=3))
    return one + two + three


@pytest.mark.claim("every-dimension")
def test_equivariant_dimension(record_property):
    """every-dimension (sharing dimension, exhaustive): the linear maps on the torus of
    shape n that commute with the d generator shifts (and vanish outside the wrapped
    Δ-window) form a space of dimension Π n_d (Π min(2Δ+1, n_d)) =
    counts.equivariant_dimension_nd, for every 1-D length up to 8, 2-D shape with sides up
    to 3 and 3-D shape with sides up to 2 (12, 4 and 3 under the thorough profile), Δ in
    {none, 0, 1, 2, 3}."""
    checked = 0
    for shape in _dimension_shapes():
        for delta in (None, 0, 1, 2, 3):
            outside = None if delta is None else outside_window(shape, delta)
            A = equivariance_system(shape, outside)
            dimension = A.shape[1] - integer_rank(A)
            assert dimension == counts.equivariant_dimension_nd(shape, delta), (shape, delta)
            checked += 1
    record_property("examples", checked)
