"""Hypothesis's seeding of numpy's global generator, at a microsecond an example.

Before every example Hypothesis seeds numpy.random's global generator and afterwards
puts back the state it found (hypothesis.internal.entropy), so that a test drawing from
it is reproducible. It does so with numpy.random.get_state and set_state, which copy and
check the 624-word Mersenne Twister key: bench/RESULTS.md gives what that costs per
example. :class:`NumpyGlobalRandom` does the same through the raw state that
convproof.guard reads (the bit generator's ``state_address``), and falls back on
get_state and set_state wherever the raw words are not the whole state:

* ``getstate`` copies the full state only when the raw words changed since the last
  copy (Hypothesis restores the same state before every example, so once a run);
* ``setstate`` writes the raw words back only when nothing drew from the generator since
  ``seed`` (which clears the cached Gaussian of the legacy generator) and the state to
  restore caches no Gaussian either; otherwise it calls set_state.

A state whose words equal the copy's but whose cached Gaussian differs (set_state of the
same words with another cache) is taken for the copy; nothing in the suite makes one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from convproof import guard


class NumpyGlobalRandom:
    """numpy.random's global generator as Hypothesis manages it: seed, getstate, setstate."""

    def __init__(self) -> None:
        self._full: Any = None  # the last full state copied, and its raw words
        self._words = b""
        self._seeded = b""  # the raw words right after the last seed()

    def seed(self, seed: int) -> None:
        np.random.seed(seed)  # noqa: NPY002  # the legacy global generator is the point
        self._seeded = guard.numpy_words()

    def getstate(self) -> Any:
        words = guard.numpy_words()
        if words != self._words:
            self._full, self._words = guard.get_numpy_state(), words
        return self._full

    def setstate(self, state: Any) -> None:
        # state[3]: has_gauss; the words are read only for the state getstate copied
        if state is self._full and not state[3] and guard.numpy_words() == self._seeded:
            guard.set_numpy_words(self._words)
        else:
            guard.set_numpy_state(state)


_INSTANCE = NumpyGlobalRandom()  # Hypothesis holds its randoms by weak reference


def install() -> bool:
    """Have Hypothesis manage numpy.random through :class:`NumpyGlobalRandom`, before it
    makes its own wrapper; False (Hypothesis's own stays) where the raw state cannot be
    read or Hypothesis already made its wrapper or no longer has the hook."""
    from hypothesis import register_random
    from hypothesis.internal import entropy

    if guard.NUMPY_RANDOM.fingerprint is not guard.numpy_words:
        return False
    current = getattr(entropy, "NP_RANDOM", False)  # False: the hook is gone
    if current is not None:
        return current is _INSTANCE
    register_random(_INSTANCE)
    entropy.NP_RANDOM = _INSTANCE  # Hypothesis makes its own only while this is None
    return True
