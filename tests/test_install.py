"""convproof installed (not editable) and run from a user's own directory.

The checkout is installed with ``pip install --no-deps --target SITE``, and the runs put
SITE first on the path (PYTHONPATH), so that they import the installed copy: not the
checkout, whose editable finder stays in this environment (the import log of each run
says where every convproof module came from). The user's directory holds its own
``reference.py``, ``theory.py`` and ``properties.py``, which would fail on import.
``.ci/run`` does the same with ``pip install .`` into a fresh virtual environment.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from convproof import plugin
from tests import user_project

ROOT = Path(__file__).resolve().parent.parent
#: The README's command for an installed convproof (the user's module after --impl).
COMMAND = ("--pyargs", "convproof.properties", "--impl", "myconv:layer")
#: The console script: unlike ``python -m pytest`` it does not put the working directory
#: on sys.path, which --impl MODULE:NAME must make up for.
PYTEST = Path(sys.executable).with_name("pytest")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The checkout installed as a user installs it, into a directory of its own."""
    source = tmp_path_factory.mktemp("source")  # pip builds in the tree: not in the checkout
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for package in ("convproof", "theory", "reference", "properties"):
        shutil.copytree(ROOT / package, source / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--target", str(target), str(source)],
                   check=True, capture_output=True, text=True, timeout=300)
    assert (target / "convproof" / "properties" / "test_shift.py").is_file()
    assert not any((target / name).exists() for name in ("reference", "theory", "properties"))
    return target


def run(site: Path, cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The ``pytest`` console script in ``cwd`` with the installed convproof first on the path
    (``env`` adds variables; a value None unsets one)."""
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CI", "PYTEST_ADDOPTS")}
    environ.update({"PYTHONPATH": str(site), "HYPOTHESIS_PROFILE": "ci", "COLUMNS": "80"})
    environ.update(env or {})
    environ = {k: v for k, v in environ.items() if v is not None}  # None: unset
    return subprocess.run([str(PYTEST), *args], cwd=cwd, env=environ, capture_output=True,
                          text=True, timeout=600)


def claims_rows(stdout: str) -> dict[str, list[str]]:
    """The claims table's rows by claim id: the cells after the id."""
    table = stdout.split(" claims ", 1)[1].split("\n=")[0]
    return {line.split()[0]: line.split()[1:] for line in table.splitlines()
            if re.match(r"^[a-z][a-z0-9-]* ", line) and line.split()[0] != "claim"}


def assert_imported_from(log: Path, site: Path) -> None:
    imported = json.loads(log.read_text())
    assert "convproof.plugin" in imported
    assert "convproof.properties.test_shift" in imported
    outside = {name: path for name, path in imported.items()
               if path and not Path(path).resolve().is_relative_to(site.resolve())}
    assert not outside, f"modules imported from outside the installed copy: {outside}"
    assert not set(user_project.DECOYS) & set(imported), imported


@pytest.mark.slow
def test_installed_suite_passes_on_a_correct_implementation(site, tmp_path):
    """The README's command, from the user's directory, runs every claim's properties
    against the user's layer and passes."""
    project, log = tmp_path / "project", tmp_path / "imports.json"
    user_project.lay_out(project, user_project.CONV + user_project.IMPORT_LOG)
    result = run(site, project, *COMMAND, "-q", env={"CONVPROOF_IMPORT_LOG": str(log)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    rows = claims_rows(result.stdout)
    from convproof.theory.claims import CLAIMS

    assert set(rows) == {c.id for c in CLAIMS}  # the whole suite ran
    assert_imported_from(log, site)


@pytest.mark.slow
def test_installed_suite_fails_on_a_flipped_kernel_with_the_claims_table(site, tmp_path):
    user_project.lay_out(tmp_path, user_project.FLIPPED)
    result = run(site, tmp_path, *COMMAND, "-q", "-x")
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    rows = claims_rows(result.stdout)
    assert int(rows["agreement"][-3]) >= 1, rows  # failed
    assert "[myconv:layer]" in result.stdout


def test_impl_is_imported_from_the_working_directory(site, tmp_path):
    """--impl MODULE:NAME finds the user's module under the console script, whose
    sys.path does not hold the working directory."""
    user_project.lay_out(tmp_path)
    result = run(site, tmp_path, "--pyargs", "convproof.properties.test_agreement",
                 "--impl", "myconv:layer", "--collect-only", "-q")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "test_agrees_with_the_loop_transcription[myconv:layer]" in result.stdout


PROBE = '''
import os
import warnings

import pytest
from hypothesis import settings


@pytest.mark.claim("dense-layer")
def test_zz_warning_fails():
    warnings.warn("overflow", RuntimeWarning)


@pytest.mark.claim("dense-layer")
def test_zz_profile():
    assert settings.get_current_profile_name() == os.environ["EXPECTED_PROFILE"]
'''


@pytest.fixture
def probed_site(site, tmp_path):
    """A copy of the installed package with one more property module."""
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    (copy / "convproof" / "properties" / "test_zz_probe.py").write_text(PROBE)
    return copy


@pytest.mark.parametrize(("args", "env", "expected"), [
    ((), {}, "ci"),  # run() sets HYPOTHESIS_PROFILE=ci
    (("--hypothesis-profile", "thorough"), {}, "thorough"),
    ((), {"HYPOTHESIS_PROFILE": None}, "dev"),
])
def test_installed_plugin_brings_markers_profile_and_warning_filters(probed_site, tmp_path, args,
                                                                     env, expected):
    """Without convproof's pyproject.toml the plugin registers its markers (accepted under
    --strict-markers), loads the chosen profile (ci, thorough, or dev by default), and makes
    a RuntimeWarning fail a property."""
    work = tmp_path / "work"
    work.mkdir()
    environ = {"EXPECTED_PROFILE": expected, **env}
    result = run(probed_site, work, "--pyargs", "convproof.properties.test_zz_probe",
                 "--strict-markers", "-rA", *args, env=environ)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    outcomes = [line for line in result.stdout.splitlines() if line.startswith(("PASSED", "FAILED"))]
    assert len(outcomes) == 2, outcomes
    assert any(o.startswith("PASSED") and o.endswith("::test_zz_profile") for o in outcomes)
    assert any(o.startswith("FAILED") and "::test_zz_warning_fails - RuntimeWarning: overflow" in o
               for o in outcomes)


def test_installed_plugin_checks_claim_markers(probed_site, tmp_path):
    (probed_site / "convproof" / "properties" / "test_zz_unclaimed.py").write_text(
        "def test_unclaimed():\n    pass\n")
    result = run(probed_site, tmp_path, "--pyargs", "convproof.properties.test_zz_unclaimed")
    assert result.returncode == 4
    assert "test_unclaimed names no claim" in result.stderr


#: A project of the user's own, in an environment where convproof is installed: a fixture
#: called ``layer``, its own --slow option and slow marker, its own Hypothesis profile.
FOREIGN_CONFTEST = '''
import pytest
from hypothesis import settings

settings.register_profile("mine", max_examples=7)
settings.load_profile("mine")


def pytest_addoption(parser):
    parser.addoption("--slow", action="store_true")


@pytest.fixture
def layer():
    return "my own layer"
'''
FOREIGN_TESTS = '''
import pytest
from hypothesis import given, settings, strategies as st


def test_layer_is_my_fixture(layer):
    assert layer == "my own layer"


@pytest.mark.slow
def test_my_slow_marker_is_mine(pytestconfig):
    assert pytestconfig.getoption("slow") is True


@given(st.integers())
def test_my_profile_is_kept(n):
    assert settings.get_current_profile_name() == "mine"
    assert settings.default.max_examples == 7
'''


@pytest.mark.parametrize("env", [{}, {"HYPOTHESIS_PROFILE": "ci"}, {"CI": "1"}])
def test_installed_plugin_leaves_other_tests_alone(site, tmp_path, env):
    """The plugin is loaded (by its entry point) into a run of a project's own tests and
    changes nothing there: no ``layer`` parametrization, no profile, no options that
    clash, no table, nothing added to the reports."""
    (tmp_path / "conftest.py").write_text(FOREIGN_CONFTEST)
    (tmp_path / "test_mine.py").write_text(FOREIGN_TESTS)
    junit = tmp_path / "junit.xml"
    result = run(site, tmp_path, "--slow", "-v", f"--junitxml={junit}", env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert re.search(r"^plugins: .*convproof-", result.stdout, re.MULTILINE)  # it was loaded
    assert "test_mine.py::test_layer_is_my_fixture PASSED" in result.stdout  # no [loops]...
    assert "3 passed" in result.stdout
    assert " claims " not in result.stdout
    recorded = junit.read_text()
    assert not any(f'name="{key}"' in recorded for key in ("claims", "impl", "examples")), recorded


def test_pyproject_filters_are_the_plugins():
    """The checkout's filterwarnings are those the installed plugin applies."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert tuple(config["filterwarnings"]) == plugin.FILTERWARNINGS
