"""Shift equivariance as linear algebra: circulants, the equivariance system, exact rank.

On the torus of shape n = (n1, ..., nd) (``shift`` with circular boundary), a linear map
x -> W·x (W[i, k], i and k multi-indices, flattened row-major to an N×N matrix, N = Π n)
commutes with the cyclic shift S_s exactly when W[i + s, k + s] = W[i, k]; with every
shift exactly when W[i, k] = c[(k - i) mod n] for one array c, its first row: the
*circulant* of c (:func:`circulant`). The unit shifts along each axis generate all
shifts, so the same constraint is the integer linear system of :func:`equivariance_system`
(rows e_p - e_q), to which locality adds unit rows (W = 0 outside the wrapped Δ-window,
:func:`outside_window`); the dimension of its solution space is N^2 - rank, with the rank
computed exactly by :func:`integer_rank`.

An affine map f is known exactly from f(0) and its values on the impulses e_k
(:func:`affine_parts`): it commutes with every shift iff those do
(:func:`commutes_with_every_shift`), and the sum of its conjugates S_-s ∘ f ∘ S_s over
all shifts is read off the same way (:func:`group_sum`). The same probes measure how many
independent parameters a layer family has (:func:`parameter_rank`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
from convproof.theory.indices import shift

AffineMap = Callable[[np.ndarray], np.ndarray]


def integer_rank(A: np.ndarray) -> int:
    """The rank of an integer matrix, exactly: fraction-free Gaussian elimination in int64.

    Each step replaces every row r below the pivot row p by piv·r - r[c]·p (no division,
    so every entry stays an integer) and divides the row by the gcd of its entries (which
    keeps its span); the number of pivots is the rank over Q. An entry that could
    overflow int64 in the next step raises instead of rounding. For the equivariance
    systems, whose rows are e_p - e_q (commutation) and e_p (locality), the matrix is
    totally unimodular (the incidence matrix of a directed graph, plus unit rows), pivots
    are ±1 and entries stay in {-1, 0, 1}: the guard never fires. numpy.linalg.matrix_rank
    is not used: its SVD threshold needs a gap argument for each matrix.
    """
    values = np.asarray(A)
    if not np.array_equal(values, np.round(values)):
        raise ValueError("integer_rank needs an integer-valued matrix")
    A = values.astype(np.int64)
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


def circulant(c: np.ndarray) -> np.ndarray:
    """The dense weights that depend only on the offset, W[i, k] = c[(k - i) mod n], of
    shape (*n, *n) for c of shape n (any number of axes)."""
    shape = c.shape
    d = len(shape)
    grid = np.indices((*shape, *shape))
    offset = tuple((grid[d + axis] - grid[axis]) % n for axis, n in enumerate(shape))
    return c[offset]


def shift_matrix(shape: tuple[int, ...], s: tuple[int, ...]) -> np.ndarray:
    """P with P·vec(x) = vec(shift(x, s)) on the torus (row-major vec)."""
    n = int(np.prod(shape))
    return np.stack([shift(e.reshape(shape), s, "circular").ravel() for e in np.eye(n)], axis=1)


def equivariance_system(shape: tuple[int, ...], outside: np.ndarray | None = None) -> np.ndarray:
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


def outside_window(shape: tuple[int, ...], delta: int) -> np.ndarray:
    """(N, N) mask: True where input k lies outside the wrapped Δ-window of output i, i.e.
    the circular distance between k and i exceeds Δ on some axis."""
    d = len(shape)
    grid = np.indices((*shape, *shape)).reshape(2 * d, -1)
    n = np.array(shape)[:, None]
    diff = (grid[d:] - grid[:d]) % n
    distance = np.minimum(diff, n - diff)
    size = int(np.prod(shape))
    return np.any(distance > delta, axis=0).reshape(size, size)


def basis_inputs(shape: tuple[int, ...]) -> list[np.ndarray]:
    """x = 0, then every impulse e_k (row-major): an affine map is known from its values
    on these."""
    n = int(np.prod(shape))
    return [np.zeros(shape), *(e.reshape(shape) for e in np.eye(n))]


def affine_parts(f: AffineMap, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(b, J) of an affine map f(x) = b + J·x on inputs of ``shape``: b = f(0) and
    J[..., k] = f(e_k) - f(0), with k's axes after the output's."""
    zero, *impulses = basis_inputs(shape)
    b = np.asarray(f(zero), dtype=np.float64)
    J = np.stack([np.asarray(f(e), dtype=np.float64) - b for e in impulses], axis=-1)
    return b, J.reshape(*b.shape, *shape)


def _rolled(a: np.ndarray, s: tuple[int, ...], first: int) -> np.ndarray:
    """``a`` rolled cyclically by s along the axes first, first + 1, ...: the shift S_s
    (theory.indices.shift, circular) applied to those axes."""
    return np.roll(a, s, axis=tuple(range(first, first + len(s))))


def commutes_with_every_shift(f: AffineMap, shape: tuple[int, ...]) -> bool:
    """Whether f(shift(x, s)) == shift(f(x), s) for every x and every cyclic shift s of
    the torus of ``shape`` (f maps arrays of that shape to arrays of that shape), decided
    exactly from f(0) = b and J[..., k] = f(e_k) - b: f ∘ S_s = S_s ∘ f on x = 0 and on every
    impulse, and S_s e_k = e_(k+s), so the condition reads b = S_s b and
    J[..., k + s] = S_s J[..., k]."""
    b, J = affine_parts(f, shape)
    d = len(shape)
    for s in itertools.product(*(range(n) for n in shape)):
        back = tuple(-t for t in s)
        if not np.array_equal(b, _rolled(b, s, 0)):
            return False
        if not np.array_equal(_rolled(J, back, d), _rolled(J, s, 0)):
            return False
    return True


def group_sum(f: AffineMap, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(W, b) of the affine map Σ_s S_-s ∘ f ∘ S_s, summed over every cyclic shift s of
    the torus of ``shape`` (hw times the group average; sums keep integer data exact),
    from f(0) and f(e_k): (S_-s ∘ f ∘ S_s)(e_k) = S_-s f(e_(k+s))."""
    b, J = affine_parts(f, shape)
    d = len(shape)
    W, bias = np.zeros_like(J), np.zeros_like(b)
    for s in itertools.product(*(range(n) for n in shape)):
        back = tuple(-t for t in s)
        W += _rolled(_rolled(J, back, d), back, 0)
        bias += _rolled(b, back, 0)
    return W, bias


def parameter_rank(layer_of: Callable[..., AffineMap], parameters: tuple[np.ndarray, ...],
                   shape: tuple[int, ...], vary: tuple[int, ...] | None = None) -> int:
    """How many independent parameters a layer family has: the rank of the linear map
    from its parameters to the affine map they define, computed exactly.

    ``layer_of(*parameters)`` is the affine map x -> h (x of ``shape``) of one choice of
    parameters, linear in them (a weight tensor, a bias); each entry of each parameter in
    ``vary`` (all by default), set to 1 with every other entry 0, gives one column: the
    map's f(0) and f(e_k) - f(0), flattened (:func:`affine_parts`). Parameters that the
    layer ignores, or that only ever act together, lower the rank."""
    vary = tuple(range(len(parameters))) if vary is None else vary
    zeros = [np.zeros_like(p, dtype=np.float64) for p in parameters]
    columns = []
    for which in vary:
        for index in np.ndindex(parameters[which].shape):
            unit = [z.copy() for z in zeros]
            unit[which][index] = 1.0
            b, J = affine_parts(layer_of(*unit), shape)
            columns.append(np.concatenate([b.ravel(), J.ravel()]))
    return integer_rank(np.stack(columns, axis=1))
