"""Tests of the suite's own machinery (not of the article's claims)."""

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

    def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:warnings", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run
