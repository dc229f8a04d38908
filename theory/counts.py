"""Parameter counts of the three layers of the article, as formulas.

The properties check these formulas against the parameter tensors the reference layers
actually use (their sizes, and how many distinct coefficients an embedded kernel fills),
never against a copy of the formula.
"""

from __future__ import annotations


def dense_weights(height: int, width: int) -> int:
    """W[i, j, k, l] of a fully connected h×w -> h×w layer: (hw)^2 coefficients."""
    return (height * width) ** 2


def dense_biases(height: int, width: int) -> int:
    """u[i, j]: one bias per hidden pixel, hw in all."""
    return height * width


def shared_weights_torus(height: int, width: int) -> int:
    """V[a, b] with no locality on the h×w torus: offsets are taken modulo the shape, so
    hw distinct coefficients."""
    return height * width


def shared_weights_grid(height: int, width: int) -> int:
    """V[a, b] with no locality on the finite grid: a in -(h-1)..h-1, b in -(w-1)..w-1,
    so (2h-1)(2w-1) coefficients can reach some pixel."""
    return (2 * height - 1) * (2 * width - 1)


def local_weights(delta: int) -> int:
    """V[a, b] with |a|, |b| <= Δ: (2Δ+1)^2 coefficients."""
    return (2 * delta + 1) ** 2


def local_weights_used(height: int, width: int, delta: int) -> int:
    """How many of the (2Δ+1)^2 coefficients of V can touch an h×w image with zero
    padding: per axis min(2Δ+1, 2n-1) offsets reach a pixel."""
    return min(2 * delta + 1, 2 * height - 1) * min(2 * delta + 1, 2 * width - 1)


def conv_layer_parameters(delta: int) -> int:
    """The convolution layer's parameters: (2Δ+1)^2 weights and one bias u."""
    return local_weights(delta) + 1


def dense_layer_parameters(height: int, width: int) -> int:
    """The fully connected layer's parameters: (hw)^2 weights and hw biases."""
    return dense_weights(height, width) + dense_biases(height, width)


def equivariant_dimension_nd(shape: tuple[int, ...], delta: int | None = None) -> int:
    """Dimension of the space of linear maps on the torus of this shape that commute with
    every cyclic shift, and, with ``delta``, whose dense weights vanish outside the wrapped
    Δ-window.

    Commuting with the shifts means W[i, k] = W[i + s, k + s] for all s, so W is fixed by
    its first row c[k] = W[0, k]: one free value per residue k mod shape. Locality keeps
    only the residues of the offsets |a_d| <= Δ, of which there are min(2Δ+1, n_d) per axis
    (a window of 2Δ+1 offsets covers a circle of n_d residues once it is longer).
    """
    total = 1
    for n in shape:
        total *= n if delta is None else min(2 * delta + 1, n)
    return total


def equivariant_dimension(height: int, width: int, delta: int | None = None) -> int:
    """The 2-D case of :func:`equivariant_dimension_nd`: hw without locality; with
    locality min(2Δ+1, h)·min(2Δ+1, w), which is (2Δ+1)^2 whenever 2Δ+1 <= min(h, w)."""
    if delta is None:
        return height * width
    return min(2 * delta + 1, height) * min(2 * delta + 1, width)


def stacked_radius(deltas: tuple[int, ...] | list[int]) -> int:
    """Locality radius of L stacked layers of radii Δ1..ΔL: the composed kernel is the full
    convolution of the L kernels, whose offsets are the sums a1 + ... + aL, so ΣΔ."""
    return sum(deltas)


def channel_layer_parameters(delta: int, c_in: int, c_out: int, ndim: int = 2) -> int:
    """A layer from C_in to C_out channels: V[a, b, c, d] has (2Δ+1)^ndim·C_in·C_out
    weights, and u[d] one bias per output channel."""
    return (2 * delta + 1) ** ndim * c_in * c_out + c_out
