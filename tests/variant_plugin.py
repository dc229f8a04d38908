"""A pytest plugin, ``-p tests.variant_plugin``, that installs the wrong variant of
tests/wrong_variants.py named by the environment variable CONVPROOF_VARIANT everywhere,
once the properties are collected: the claims' own run, with one mistake in the suite's
mathematics (tests/test_independence.py runs it)."""

from __future__ import annotations

import os

import pytest

from tests.wrong_variants import VARIANTS, installed


def pytest_collection_finish(session: pytest.Session) -> None:
    name = os.environ["CONVPROOF_VARIANT"]
    variant = next(v for v in VARIANTS if v.name == name)
    installing = installed(variant)
    installing.__enter__()  # for the rest of the process
    session.config.add_cleanup(lambda: installing.__exit__(None, None, None))
