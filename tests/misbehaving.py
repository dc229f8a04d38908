"""Implementations that misbehave the way real code does, each otherwise the correct layer
(reference.vectorized, whose declarations they copy: 2-D, float64, every padding), or, for
the ``conv_`` ones, the correct conv-contract implementation (reference.conv.conv_taps).

The suite must turn each into failed properties that name it and the input, within
minutes, without a crash, a hang or a green run, and without blaming the built-in
implementations that run beside it (tests/test_misbehaving.py runs
``pytest properties --impl tests/misbehaving.py:NAME``). ``MISBEHAVIOURS`` says, for each,
which failure the run must report.
"""

from __future__ import annotations

import ctypes
import os
import random
import threading
import time

import numpy as np
from convproof.reference.contract import declare
from convproof.reference.conv import conv_taps, vjp_taps
from convproof.reference.conv_contract import declare_conv
from convproof.reference.vectorized import vectorized

_like_vectorized = declare(error_model="direct")


@_like_vectorized
def declines_one_pixel(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Raises NotImplementedError on 1-pixel-wide images, which it declares; Hypothesis
    shrinks towards them, so declining them once skipped almost every property."""
    if min(x.shape) == 1:
        raise NotImplementedError("images one pixel wide are not supported")
    return vectorized(x, V, u, padding)


@_like_vectorized
def global_rng_noise(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Adds 1 when numpy's global generator says so (5% of calls)."""
    h = vectorized(x, V, u, padding)
    return h + 1 if np.random.random() < 0.05 else h  # noqa: NPY002 (the misbehaviour)


@_like_vectorized
def global_rng_peek(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Adds 1 when numpy's global generator says so (5% of states), and puts the state
    back: it changes nothing, yet its answer depends on the global random state, which
    Hypothesis reseeds to the same value before every example."""
    state = np.random.get_state()  # noqa: NPY002 (the misbehaviour)
    noisy = np.random.random() < 0.05  # noqa: NPY002
    np.random.set_state(state)  # noqa: NPY002
    h = vectorized(x, V, u, padding)
    return h + 1 if noisy else h


@_like_vectorized
def random_exceptions(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Raises RuntimeError on 20% of calls, as Python's random module decides."""
    if random.random() < 0.2:
        raise RuntimeError("transient failure")
    return vectorized(x, V, u, padding)


@_like_vectorized
def exits_the_process(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Ends the process it runs in with status 0, as a stray os._exit would."""
    os._exit(0)


@_like_vectorized
def segfaults(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Reads address 0: a segmentation fault."""
    ctypes.string_at(0)
    return vectorized(x, V, u, padding)


@_like_vectorized
def loops_forever(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Never returns."""
    while True:
        pass


@_like_vectorized
def two_seconds_per_call(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Takes 2 s per call: a whole run would take hours."""
    time.sleep(2)
    return vectorized(x, V, u, padding)


@_like_vectorized
def leaves_a_thread(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Starts a non-daemon thread that runs for an hour: the process could not exit."""
    threading.Thread(target=time.sleep, args=(3600,), name="runaway").start()
    return vectorized(x, V, u, padding)


@_like_vectorized
def sets_errors_to_raise(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Leaves np.seterr(all='raise') behind: the next implementation's underflow raises."""
    np.seterr(all="raise")
    return vectorized(x, V, u, padding)


@_like_vectorized
def sets_print_options(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Leaves np.set_printoptions(precision=1, threshold=4) behind: every later report
    prints counterexamples with one digit."""
    np.set_printoptions(precision=1, threshold=4)
    return vectorized(x, V, u, padding)


@_like_vectorized
def floods_output(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Prints 10 MB per call, and adds the bias twice, so that its failures come with it."""
    print("x" * 10_000_000)
    return vectorized(x, V, 2 * u, padding)


#: Each misbehaving implementation, and what a failed property's message says of it.
@declare_conv(dtypes=("float64", "float32"), vjp=True)
def conv_segfaults(x: np.ndarray, w: np.ndarray, b: np.ndarray | None,
                   **spec: object) -> np.ndarray:
    """A conv-contract implementation (reference.conv.conv_taps) that reads address 0."""
    ctypes.string_at(0)
    return conv_taps(x, w, b, **spec)


conv_segfaults.vjp = vjp_taps  # type: ignore[attr-defined]


@declare_conv(dtypes=("float64", "float32"), vjp=True)
def conv_backward_loops_forever(x: np.ndarray, w: np.ndarray, b: np.ndarray | None,
                                **spec: object) -> np.ndarray:
    """reference.conv.conv_taps, whose declared backward pass never returns."""
    return conv_taps(x, w, b, **spec)


def _never_returns(*args: object, **kwargs: object) -> object:
    while True:
        pass


conv_backward_loops_forever.vjp = _never_returns  # type: ignore[attr-defined]


MISBEHAVIOURS: dict[str, str] = {
    "declines_one_pixel": "raised NotImplementedError",
    "global_rng_noise": "numpy's global random state",
    "global_rng_peek": "when the global random state differs",
    "random_exceptions": "Python's random state",
    "exits_the_process": "exited with status 0",
    "segfaults": "SIGSEGV",
    "loops_forever": "did not return within",
    "two_seconds_per_call": "did not return within",
    "leaves_a_thread": "non-daemon thread",
    "sets_errors_to_raise": "numpy's error state",
    "sets_print_options": "numpy's print options",
    "floods_output": "wrote 10,000,001 characters to stdout",
    "conv_segfaults": "SIGSEGV",
    "conv_backward_loops_forever": "did not return within",
}
