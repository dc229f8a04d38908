"""The checkout's root conftest: what holds for every run in the checkout, not for
convproof installed elsewhere.

The suite itself is the pytest plugin convproof.plugin (loaded by ``-p convproof`` in
pyproject.toml's addopts, or by its entry point where convproof is installed): the
``--impl`` option, the claim markers and the claims table. Here: the Hypothesis profile
(convproof.profiles) for the suite's own tests too, and ``--slow`` for them.
"""

import importlib.util

import pytest
from hypothesis import settings

from convproof import profiles, seeding
from convproof.plugin import OURS

collect_ignore = ["bench", "docs", "build"]

# Loaded as the conftest is imported, before any test module; --hypothesis-profile, which
# Hypothesis's plugin applies at configure, still wins. An unknown HYPOTHESIS_PROFILE is
# left to the plugin, which stops a convproof run with one line (convproof.options).
if profiles.default_profile() in profiles.PROFILES:
    settings.load_profile(profiles.default_profile())
seeding.install()  # the suite's own tests run properties too (convproof.seeding)

SLOW_DESELECTED = pytest.StashKey[int]()


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    # pytest-xdist (-n) by its entry point, as `-p xdist` in addopts would load it; but a
    # checkout run where it is not installed stays serial, where `-p xdist` stops every
    # run with an ImportError (a traceback before pytest 9.2)
    if importlib.util.find_spec("xdist") is not None:  # found, not imported: pytest rewrites it
        pluginmanager.import_plugin("xdist", consider_entry_points=True)


def pytest_addoption(parser: pytest.Parser) -> None:
    # Here rather than in the plugin: an installed plugin's --slow would clash with the
    # --slow of many a project's own conftest.
    parser.addoption(
        "--slow",
        action="store_true",
        help="also run the machinery tests marked slow (end-to-end runs, the mutant "
        "catalogue); without it they are deselected unless -m names them",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("slow") or config.getoption("markexpr"):
        return
    # a claim's properties are never deselected: its evidence always runs
    slow = [item for item in items if item.get_closest_marker("slow") and not item.stash.get(OURS, False)]
    if slow:
        config.hook.pytest_deselected(items=slow)
        chosen = set(slow)
        items[:] = [item for item in items if item not in chosen]
        config.stash[SLOW_DESELECTED] = len(slow)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = terminalreporter.config.stash.get(SLOW_DESELECTED, 0)
    if skipped:
        terminalreporter.write_line(f"{skipped} slow machinery tests deselected; run them with --slow")
