"""convproof.seeding: Hypothesis still starts every example from numpy.random seeded alike
and still leaves the global generator as it found it, whatever an example drew."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.internal import entropy

from convproof import guard
from convproof.seeding import NumpyGlobalRandom

pytestmark = pytest.mark.machinery

# numpy.random's legacy global generator is what is under test here
# ruff: noqa: NPY002


def _gaussian_cached() -> None:
    np.random.seed(7)
    np.random.standard_normal()  # draws a pair: one is returned, one cached (has_gauss)


#: The state found before an example: fresh, and with a Gaussian cached.
BEFORE: dict[str, Callable[[], None]] = {
    "seeded": lambda: np.random.seed(3),
    "gaussian cached": _gaussian_cached,
}

#: What an example does to the generator.
BODY: dict[str, Callable[[], object]] = {
    "nothing": lambda: None,
    "a uniform draw": np.random.random,
    "a Gaussian draw": np.random.standard_normal,
    "one Gaussian of a pair": lambda: np.random.standard_normal(3),
    "a new seed": lambda: np.random.seed(11),
    "set_state": lambda: np.random.set_state(np.random.RandomState(5).get_state()),
}


def _same(a: tuple, b: tuple) -> bool:
    return all(np.array_equal(p, q) for p, q in zip(a, b, strict=True))


def _example(wrapper: NumpyGlobalRandom, before: str, body: str) -> tuple[bool, bool]:
    """Hypothesis's protocol around one example (hypothesis.internal.entropy): whether the
    example started from seed 0, and whether the state found before came back."""
    BEFORE[before]()
    found = np.random.get_state()
    wrapper.getstate()  # a state copied earlier, as from the run's previous examples
    saved = wrapper.getstate()
    wrapper.seed(0)
    started = _same(np.random.get_state(), np.random.RandomState(0).get_state())
    BODY[body]()
    wrapper.setstate(saved)
    return started, _same(np.random.get_state(), found)


@pytest.mark.parametrize("body", BODY)
@pytest.mark.parametrize("before", BEFORE)
def test_the_state_found_comes_back(before, body):
    assert _example(NumpyGlobalRandom(), before, body) == (True, True)


class _WordsOnly(NumpyGlobalRandom):
    """Wrong: writes the raw words back whatever the cached Gaussian."""

    def setstate(self, state):
        guard.set_numpy_words(self._words)


def test_a_wrapper_that_forgets_the_cached_gaussian_is_caught():
    caught = [(b, d) for b in BEFORE for d in BODY if _example(_WordsOnly(), b, d) != (True, True)]
    assert ("gaussian cached", "nothing") in caught
    assert ("seeded", "one Gaussian of a pair") in caught


def test_hypothesis_manages_numpy_random_through_it():
    managed = [type(r).__name__ for r in entropy.RANDOMS_TO_MANAGE.values()]
    assert "NumpyGlobalRandom" in managed
    assert "NumpyRandomWrapper" not in managed


VALUES: list[float] = []


@settings(max_examples=20, database=None)
@given(st.integers())
def _draws_from_numpy_random(n):
    VALUES.append(np.random.random())
    np.random.standard_normal(n % 3)


def test_every_example_sees_the_same_seeded_generator():
    found = np.random.get_state()
    VALUES.clear()
    _draws_from_numpy_random()
    assert set(VALUES) == {np.random.RandomState(0).random_sample()}
    assert _same(np.random.get_state(), found)
