"""The suite's Hypothesis profiles (choose with ``--hypothesis-profile NAME`` or
``HYPOTHESIS_PROFILE=NAME``; ``ci`` is the default when the CI environment variable is
set, ``dev`` otherwise):

* ``dev``: 100 examples per property, random seeds, example database on;
* ``ci``: 100 examples, derandomized (the seed is fixed per test), no database;
* ``thorough``: 10,000 examples per property, randomized, no database. With a database,
  Hypothesis keeps a Pareto front of every ``target()`` observation, and maintaining it
  took two thirds of a targeted property's time (test_shift.py, 1,000 examples: 5.75 s
  with it, 2.14 s without); a failure still prints its seed and reproduce blob.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILES: tuple[str, ...] = ("dev", "ci", "thorough")

_common = {
    "deadline": None,  # timing varies with the implementation under test, not a bug
    "print_blob": True,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.differing_executors],
}
settings.register_profile("dev", max_examples=100, **_common)
settings.register_profile("ci", max_examples=100, derandomize=True, database=None, **_common)
settings.register_profile("thorough", max_examples=10_000, database=None, **_common)


def default_profile() -> str:
    """HYPOTHESIS_PROFILE if set, else ``ci`` under CI and ``dev`` elsewhere."""
    return os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
