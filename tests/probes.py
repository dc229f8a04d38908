"""Callables that tests/test_isolation.py runs in the child process, to see what a call
there sees and what comes back of what it does."""

from __future__ import annotations

import random
from typing import Any

import numpy as np


def layout(x: np.ndarray) -> dict[str, Any]:
    """How x arrived: shape, strides, flags, values, and what lies around it in memory."""
    return {"shape": x.shape, "strides": x.strides, "dtype": x.dtype.str,
            "writeable": x.flags.writeable, "c": x.flags.c_contiguous,
            "f": x.flags.f_contiguous, "values": x.tolist()}


def writes(x: np.ndarray, value: float) -> None:
    """Makes x writeable and fills it with ``value``."""
    x.flags.writeable = True
    x[...] = value


def writes_around(x: np.ndarray, value: float) -> None:
    """Zeroes the memory of the base array under the view x, then fills x with ``value``."""
    np.asarray(x.base).reshape(-1)[...] = 0
    x[...] = value


_BUFFER: dict[tuple[int, ...], np.ndarray] = {}


def reused(x: np.ndarray) -> np.ndarray:
    """x + 1, always in the same buffer (per shape): a later call overwrites the earlier
    result."""
    buffer = _BUFFER.setdefault(x.shape, np.empty(x.shape))
    buffer[...] = x + 1
    return buffer


def random_states() -> tuple[list[int], tuple]:
    """The first words of numpy.random's and random's states, left unchanged."""
    return np.random.get_state()[1][:4].tolist(), random.getstate()[1][:4]  # noqa: NPY002


def raises(kind: str) -> None:
    """Raises an exception of the kind named."""
    if kind == "value":
        raise ValueError("kernel larger than the image")
    if kind == "unpicklable":
        raise UnpicklableError(1, 2)
    if kind == "exit":
        raise SystemExit(3)
    if kind == "interrupt":
        raise KeyboardInterrupt
    raise AssertionError(kind)


class UnpicklableError(Exception):
    """An exception whose __init__ takes two arguments: unpickling it fails."""

    def __init__(self, a: int, b: int) -> None:
        super().__init__(f"made of {a} and {b}")


def generator() -> Any:
    """A result that cannot be pickled."""
    return (i for i in range(3))


def prints(n: int) -> int:
    """Prints n bytes to stdout (and a line to stderr)."""
    print("y" * n)
    import sys

    print("to stderr", file=sys.stderr)
    return n


def thread_for(seconds: float) -> None:
    """Starts a non-daemon thread that runs for ``seconds`` and returns at once."""
    import threading
    import time

    threading.Thread(target=time.sleep, args=(seconds,), name="short-lived").start()


def seterr_and_raise() -> None:
    """Leaves np.seterr(all='raise') behind and raises ValueError."""
    np.seterr(all="raise")
    raise ValueError("kernel larger than the image")


def thread_and_raise(seconds: float) -> None:
    """Starts a non-daemon thread that runs for ``seconds``, then raises ValueError."""
    thread_for(seconds)
    raise ValueError("kernel larger than the image")
