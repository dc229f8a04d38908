"""Arrays across convproof.isolation's process boundary, as a call in-process sees them.

Each array argument is sent as the memory it spans (its base array's, when the view lies
inside it and that is not much larger) with its shape, dtype, strides, offset into that
memory and writeable flag; the child rebuilds the same view on a copy of the memory, so
non-contiguous, negative-stride, Fortran-ordered, read-only and offset views stay what
they were (``x.base`` in the child is a uint8 array of the memory). What the call writes
into that memory, and a writeable flag it changes, are copied back into the caller's
arrays (:meth:`Packed.write_back`).
"""

from __future__ import annotations

import ctypes
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.lib.array_utils import byte_bounds

from convproof.guard import GlobalStateError


def _span(a: np.ndarray) -> tuple[int, int]:
    """The memory to send for ``a``: that of its base array (a view made by indexing lies
    inside it, and reading past the view's edges then reads what it would in-process),
    unless that is much larger than ``a``; else the bytes ``a`` itself spans."""
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    if (root.flags.c_contiguous or root.flags.f_contiguous) and (
            root is a or root.nbytes <= 16 * a.nbytes + 2**20):
        low = root.ctypes.data
        return low, low + root.nbytes
    return byte_bounds(a)


class Packed:
    """The arguments of one call, each array replaced by None and described by a view
    (buffer index, shape, dtype, strides, offset, writeable) on the memory sent."""

    def __init__(self, args: tuple, kwargs: Mapping[str, Any]) -> None:
        self.spans: list[tuple[int, int]] = []
        self.buffers: list[bytes] = []
        self.views: list[tuple] = []
        self.arrays: list[np.ndarray] = []
        self.places: list[int | str] = []  # where each array goes: a position or a keyword
        self.args = tuple(self._take(k, a) for k, a in enumerate(args))
        self.kwargs = {k: self._take(k, v) for k, v in kwargs.items()}

    def _take(self, place: int | str, a: Any) -> Any:
        if not isinstance(a, np.ndarray) or a.dtype.hasobject or a.size == 0:
            return a  # pickled: a copy
        low, high = _span(a)
        if (low, high) in self.spans:
            index = self.spans.index((low, high))
        else:
            index = len(self.spans)
            self.spans.append((low, high))
            self.buffers.append(ctypes.string_at(low, high - low))
        self.views.append((index, a.shape, a.dtype.str if a.dtype.isbuiltin else a.dtype,
                           a.strides, a.ctypes.data - low, a.flags.writeable))
        self.arrays.append(a)
        self.places.append(place)
        return None

    def write_back(self, changed: Mapping[int, bytes], writeable: list[bool], name: str) -> None:
        """Copy what the child wrote, and the writeable flags it set, into the caller's
        arrays."""
        for index, data in changed.items():
            low, high = self.spans[index]
            owner = next(a for a, v in zip(self.arrays, self.views, strict=True) if v[0] == index)
            if not _writable_memory(owner):
                raise GlobalStateError(f"{name} wrote into read-only memory of its input "
                                       f"(an array of shape {owner.shape})")
            ctypes.memmove(low, data, high - low)
        for a, view, flag in zip(self.arrays, self.views, writeable, strict=True):
            if flag != view[5]:
                try:
                    a.flags.writeable = flag
                except ValueError:
                    pass  # memory the caller cannot write either: nothing to mirror


def unpacked(request: dict) -> tuple[tuple, dict, list[np.ndarray], list[np.ndarray]]:
    """In the child: the arguments, rebuilt on copies of the memory sent; the arrays and
    the buffers under them."""
    buffers = [np.frombuffer(bytearray(b), np.uint8) for b in request["buffers"]]
    arrays = []
    for index, shape, dtype, strides, offset, writeable in request["views"]:
        a = np.ndarray(shape, dtype, buffer=buffers[index], offset=offset, strides=strides)
        a.flags.writeable = writeable
        arrays.append(a)
    args, kwargs = list(request["args"]), dict(request["kwargs"])
    for place, a in zip(request["places"], arrays, strict=True):
        if isinstance(place, int):
            args[place] = a
        else:
            kwargs[place] = a
    return tuple(args), kwargs, arrays, buffers


def _writable_memory(a: np.ndarray) -> bool:
    """Whether the memory under ``a`` may be written (its writeable flag aside): its
    base array is writeable or could be made so."""
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    if root.flags.writeable:
        return True
    try:
        root.flags.writeable = True
    except ValueError:
        return False
    root.flags.writeable = False
    return True
