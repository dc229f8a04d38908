"""What each pytest process pays outside its tests: before the first, only the plugins the
suite names; after the last, on an xdist worker, no garbage collection over the run's objects.

pyproject.toml's addopts disable plugin autoloading and name Hypothesis's and xdist's
plugins with ``-p``. An autoloaded plugin has every module of its distribution marked
for assertion rewriting (``_mark_plugins_for_rewrite`` in pytest's config), Hypothesis's
own modules included; where bytecode is not written (``PYTHONDONTWRITEBYTECODE``) that
rewriting is redone by every process, the controller and each xdist worker.
"""

import gc
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from convproof import plugin

ROOT = Path(__file__).resolve().parent.parent


def test_only_the_named_plugins_are_loaded(pytestconfig):
    """Hypothesis's, xdist's and convproof's own plugins are loaded, and no other
    installed plugin."""
    loaded = {dist.project_name for _, dist in pytestconfig.pluginmanager.list_plugin_distinfo()}
    assert pytestconfig.getoption("disable_plugin_autoload")
    assert loaded == {"hypothesis", "pytest-xdist", "convproof"}


def test_hypothesis_is_not_rewritten():
    """Hypothesis's modules are imported by Python's own loader, not pytest's rewriting hook."""
    loaders = {type(sys.modules[name].__loader__).__name__
               for name in ("hypothesis", "hypothesis.core", "hypothesis.strategies")}
    assert "AssertionRewritingHook" not in loaders


def test_only_xdist_workers_freeze_the_collector_at_exit():
    """A worker of a convproof run freezes the collector's objects at unconfigure; a serial
    run or controller (no ``workerinput``) does not, since its process may go on after
    ``pytest.main()``, nor does a worker of a project's other tests."""
    worker = {"workerid": "gw0"}
    assert gc.get_freeze_count() == 0
    try:
        plugin.pytest_unconfigure(SimpleNamespace(stash={plugin.CONVPROOF_RUN: True}))
        assert gc.get_freeze_count() == 0
        plugin.pytest_unconfigure(SimpleNamespace(workerinput=worker, stash={}))
        assert gc.get_freeze_count() == 0
        plugin.pytest_unconfigure(SimpleNamespace(workerinput=worker,
                                                  stash={plugin.CONVPROOF_RUN: True}))
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_only_xdist_workers_settle_the_collector_once_collected():
    """Once collected, a worker of a convproof run freezes what exists and collects the
    old generation after WORKER_FULL_COLLECTION younger collections; a serial run or
    controller, and a worker of a project's other tests, keep the collector as it was."""
    worker = {"workerid": "gw0"}
    threshold = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    try:
        plugin.settle_collector(SimpleNamespace(stash={plugin.CONVPROOF_RUN: True}))
        plugin.settle_collector(SimpleNamespace(workerinput=worker, stash={}))
        assert gc.get_freeze_count() == 0
        assert gc.get_threshold() == threshold
        plugin.settle_collector(SimpleNamespace(workerinput=worker,
                                                stash={plugin.CONVPROOF_RUN: True}))
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (*threshold[:2], plugin.WORKER_FULL_COLLECTION)
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_a_checkout_without_xdist_runs_serially():
    """Where pytest-xdist is not installed the checkout's runs still start and pass
    serially, and ``-n`` is a one-line usage error, not an ImportError traceback."""
    hide = ("import sys; sys.modules['xdist'] = None; import pytest; "
            "raise SystemExit(pytest.main(sys.argv[1:]))")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    env["HYPOTHESIS_PROFILE"] = "ci"

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", hide, "-p", "no:cacheprovider", *args],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)

    serial = run("properties/test_shift.py", "-q", "-k", "on_the_torus and vectorized")
    assert serial.returncode == 0, serial.stdout + serial.stderr
    assert "1 passed" in serial.stdout
    parallel = run("properties/test_shift.py", "-q", "-n", "2")
    assert parallel.returncode == 4, parallel.stdout + parallel.stderr
    assert "unrecognized arguments: -n" in parallel.stderr
    assert "Traceback" not in parallel.stdout + parallel.stderr
