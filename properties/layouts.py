"""Memory layouts: the same values stored in different ways, for arrays of any dimension
and dtype. The contracts say every array handed to an implementation may come in any of
them; properties.strategies and properties.conv_strategies draw them from this one table.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from hypothesis import strategies as st

#: Elements a view with an offset starts into its buffer.
OFFSET = 3


def _contiguous(a: np.ndarray, order: tuple[int, ...] | None = None) -> np.ndarray:
    return np.array(a, order="C")


def _fortran(a: np.ndarray, order: tuple[int, ...] | None = None) -> np.ndarray:
    return np.array(a, order="F")


def _strided(a: np.ndarray, order: tuple[int, ...] | None = None) -> np.ndarray:
    steps = [1] * a.ndim
    steps[0] = steps[-1] = 2
    buffer = np.zeros(tuple(n * s for n, s in zip(a.shape, steps, strict=True)), dtype=a.dtype)
    view = buffer[tuple(slice(None, None, s) for s in steps)]
    view[...] = a
    return view


def _reversed(a: np.ndarray, order: tuple[int, ...] | None = None) -> np.ndarray:
    every = (slice(None, None, -1),) * a.ndim
    return np.ascontiguousarray(a[every])[every]


def _transposed(a: np.ndarray, order: tuple[int, ...] | None = None) -> np.ndarray:
    if a.ndim == 1:  # one column of a two-column buffer: one channel of channels-last data
        buffer = np.zeros((a.shape[0], 2), dtype=a.dtype)
        buffer[:, 0] = a
        return buffer[:, 0]
    order = order or (*range(1, a.ndim), 0)
    return np.ascontiguousarray(a.transpose(order)).transpose(np.argsort(order))


def _read_only(a: np.ndarray, order: tuple[int, ...] | None = None) -> np.ndarray:
    b = np.array(a, order="C")
    b.flags.writeable = False
    return b


def _offset(a: np.ndarray, order: tuple[int, ...] | None = None) -> np.ndarray:
    buffer = np.zeros(a.size + OFFSET, dtype=a.dtype)
    view = buffer[OFFSET:].reshape(a.shape)
    view[...] = a
    return view


Layout = Callable[..., np.ndarray]

#: Memory layouts of the same values, for arrays of any dimension and dtype; the contract
#: says x, V and u may come in any of them. ``LAYOUTS[name](a, order)``:
#:
#: * contiguous: C order, a copy of its own; fortran: Fortran order (axes reversed);
#: * strided: every second element of a larger buffer along the first and last axes;
#: * reversed: negative strides on every axis;
#: * transposed: the axes stored in another order (``order``, the storage order, e.g.
#:   channels-last data viewed channels-first and the reverse; by default the first axis
#:   last, i.e. the transpose of a 2-D array); a 1-D array is one column of a
#:   two-column buffer;
#: * read-only: C order, not writeable;
#: * offset: C order, starting OFFSET elements into a larger buffer.
LAYOUTS: dict[str, Layout] = {
    "contiguous": _contiguous,
    "fortran": _fortran,
    "strided": _strided,
    "reversed": _reversed,
    "transposed": _transposed,
    "read-only": _read_only,
    "offset": _offset,
}
#: One of the :data:`LAYOUTS` functions, drawn (contiguous first, so it shrinks there).
layout_functions = st.sampled_from(tuple(LAYOUTS.values()))


def channels_last(ndim: int) -> tuple[int, ...] | None:
    """The storage order that the 'transposed' layout gives a channels-first array, x
    (N, C, *n) or w (C_out, C_in/groups, *k): channels last, as PyTorch's channels_last
    memory format; None (the default: a column of a two-column buffer) for a vector."""
    return (0, *range(2, ndim), 1) if ndim >= 3 else None
