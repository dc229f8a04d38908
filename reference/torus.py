"""Layers on the h×w torus (indices modulo the shape) before and beside weight sharing.

* :func:`dense_torus_layer`: h[i,j] = u[i,j] + Σ_{k,l} W[i,j,k,l]·x[k,l], the dense layer
  (the converse properties ask which W commute with the cyclic shifts);
* :func:`position_dependent_torus_layer`: h[i,j] = u[i,j] + Σ_{a,b} V[i,j,a,b]·x[i+a, j+b],
  offsets modulo the shape: the reindexed layer before V and u are shared;
* :func:`linear_torus_layer`: Σ_{a,b} V[a,b]·X[i+a, j+b] on the first two axes of X, any
  further axes carried along (a batch, or the coefficients of a group-ring element in the
  DFT properties): the torus layer's linear part.
"""

from __future__ import annotations

import itertools

import numpy as np
from convproof.theory.indices import delta_of, windows


def dense_torus_layer(x: np.ndarray, W: np.ndarray, u: np.ndarray) -> np.ndarray:
    """h[i,j] = u[i,j] + Σ_{k,l} W[i,j,k,l]·x[k,l]; trailing axes of x are a batch."""
    return np.einsum("ijkl,kl...->ij...", W, x) + u.reshape(u.shape + (1,) * (x.ndim - 2))


def position_dependent_torus_layer(x: np.ndarray, V: np.ndarray, u: np.ndarray) -> np.ndarray:
    """h[i,j] = u[i,j] + Σ_{a,b} V[i,j,a,b]·x[(i+a) mod h, (j+b) mod w], a over 0..h-1,
    b over 0..w-1, one term at a time."""
    height, width = x.shape
    h = np.array(u, dtype=np.float64)
    for i, j, a, b in itertools.product(range(height), range(width), range(height), range(width)):
        h[i, j] += V[i, j, a, b] * x[(i + a) % height, (j + b) % width]
    return h


def linear_torus_layer(X: np.ndarray, V: np.ndarray) -> np.ndarray:
    """Σ_{a,b} V[a,b]·X[i+a, j+b] (indices modulo X's first two sides) for every (i, j),
    applied to every entry of X's trailing axes: one einsum over the circular windows."""
    return np.einsum("ij...ab,ab->ij...", windows(X, delta_of(V), "circular", 2), V)
