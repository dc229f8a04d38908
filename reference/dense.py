"""The fully connected layer and its reindexed and weight-shared forms, literally.

These are the article's first three equations, before locality:

* ``dense_layer``:      h[i,j] = u[i,j] + Σ_{k,l} W[i,j,k,l]·x[k,l]
* ``matrix_layer``:     the same layer as a matrix on the flattened image
* ``reindexed_layer``:  h[i,j] = u[i,j] + Σ_{a,b} V[i,j,a,b]·x[i+a, j+b]
* ``shared_layer``:     h[i,j] = u + Σ_{a,b} V[a,b]·x[i+a, j+b]   (zero outside the image)
* ``dense``:            the contract layer computed through the dense W of theory.indices.embed
"""

from __future__ import annotations

import numpy as np
from convproof.reference.contract import declare
from convproof.theory.indices import embed, offset_range


def dense_layer(x: np.ndarray, W: np.ndarray, u: np.ndarray) -> np.ndarray:
    """h[i,j] = u[i,j] + Σ_{k,l} W[i,j,k,l]·x[k,l], one hidden pixel at a time."""
    h = np.empty(W.shape[:2])
    for i in range(W.shape[0]):
        for j in range(W.shape[1]):
            h[i, j] = u[i, j] + np.sum(W[i, j] * x)
    return h


def matrix_layer(x: np.ndarray, W: np.ndarray, u: np.ndarray) -> np.ndarray:
    """vec(h) = M·vec(x) + vec(u) with M = W reshaped to (hw)×(hw), row-major vec."""
    M = W.reshape(W.shape[0] * W.shape[1], x.size)
    return (M @ x.reshape(-1) + u.reshape(-1)).reshape(W.shape[:2])


def reindexed_layer(x: np.ndarray, V: np.ndarray, u: np.ndarray) -> np.ndarray:
    """h[i,j] = u[i,j] + Σ_{a,b} V[i,j,a,b]·x[i+a, j+b], with a over offset_range(i, h).

    ``V`` is stored with offset: V[i, j, a + h - 1, b + w - 1] (theory.indices.reindex_weights).
    """
    height, width = x.shape
    h = np.empty(V.shape[:2])
    for i in range(V.shape[0]):
        for j in range(V.shape[1]):
            total = u[i, j]
            for a in offset_range(i, height):
                for b in offset_range(j, width):
                    total += V[i, j, a + height - 1, b + width - 1] * x[i + a, j + b]
            h[i, j] = total
    return h


def shared_layer(x: np.ndarray, V: np.ndarray, u: float) -> np.ndarray:
    """h[i,j] = u + Σ_{a,b} V[a,b]·x[i+a, j+b], V[a, b] stored at V[a + h - 1, b + w - 1]:
    one kernel for every hidden pixel, covering every offset, no locality yet."""
    height, width = x.shape
    h = np.empty(x.shape)
    for i in range(height):
        for j in range(width):
            total = u
            for a in offset_range(i, height):
                for b in offset_range(j, width):
                    total += V[a + height - 1, b + width - 1] * x[i + a, j + b]
            h[i, j] = total
    return h


#: What it takes on (reference.contract.Limits): W has (hw)² entries (1,024 pixels: 8 MB)
#: and embedding V costs about 0.1 µs per output and offset (16,384: 1.5 ms).
DENSE_SIZE, DENSE_WORK = 1024, 16384


@declare(error_model="direct", max_size=DENSE_SIZE, max_work=DENSE_WORK)
def dense(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """The contract layer through its dense weight tensor: u + Σ_{k,l} W[i,j,k,l]·x[k,l]."""
    W = embed(V, x.shape, padding)  # type: ignore[arg-type]
    return u + np.einsum("ijkl,kl->ij", W, x)
