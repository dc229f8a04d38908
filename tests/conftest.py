"""Tests of the suite's own machinery (not of the article's claims)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.path)).resolve().parent == Path(__file__).resolve().parent:
            item.add_marker(pytest.mark.machinery)


@pytest.fixture
def run_pytest():
    """Run the suite in a fresh interpreter, as a user would; returns the CompletedProcess."""

    def run(*args: str, timeout: float = 300, cwd: Path = ROOT) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:warnings", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A private copy of the suite laid out as it installs (convproof/ holding the runner
    and theory/, reference/, properties/ as its subpackages), with the root conftest and
    pyproject beside it, to run with files added to it, so that no other run of the
    suite, serial or parallel, ever collects them. ``python -m pytest`` run there imports
    the copy: its working directory comes first on sys.path, before the installed
    convproof. Returns the copy's root; its properties are ``root / "convproof" /
    "properties"``."""
    copy = tmp_path / "repo"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "convproof", copy / "convproof", ignore=skip)
    for package in ("theory", "properties", "reference"):
        shutil.copytree(ROOT / package, copy / "convproof" / package, ignore=skip)
    for name in ("conftest.py", "pyproject.toml"):
        shutil.copy2(ROOT / name, copy / name)
    return copy
