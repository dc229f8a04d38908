"""A pytest-xdist run gathers the same claims table and JSON as a serial run.

Results travel in each test report's ``user_properties`` (properties/plugin.py), so the
xdist controller sees what a serial run sees. Under the derandomized ``ci`` profile the
examples each property runs are the same in every process, so the two tables must be
equal cell for cell; only timings may differ.
"""

import json
import os
import re

import pytest

pytestmark = pytest.mark.slow

#: Properties of every kind: theory-only, layer-parametrized, and a refutation whose
#: minimal counterexample is recorded on the worker and shown by the controller.
SUBSET = ("properties/test_parameters.py", "properties/test_shift.py",
          "properties/test_invariance.py")
IMPLS = ("--impl", "vectorized", "--impl", "fft")


def _comparable(data: dict) -> list[dict]:
    """The claims without timings (which no two runs share)."""
    claims = []
    for claim in data["claims"]:
        tests = sorted(
            ({k: v for k, v in t.items() if k != "duration"} for t in claim["tests"]),
            key=lambda t: t["nodeid"],
        )
        claims.append({**claim, "tests": tests})
    return claims


def _table(stdout: str) -> str:
    """The claims sections of the terminal summary."""
    match = re.search(r"=+ claims =+\n(.*?)\n(?:claims table written|=+ short test summary)",
                      stdout, re.S)
    assert match, stdout[-3000:]
    return match.group(1).strip()


def test_xdist_run_gathers_the_serial_table(run_pytest, tmp_path, monkeypatch):
    pytest.importorskip("xdist")
    monkeypatch.setenv("HYPOTHESIS_PROFILE", "ci")
    serial_json, parallel_json = tmp_path / "serial.json", tmp_path / "parallel.json"
    serial = run_pytest(*SUBSET, *IMPLS, "--claims-json", str(serial_json))
    parallel = run_pytest(*SUBSET, *IMPLS, "-n", "2", "--claims-json", str(parallel_json))
    assert serial.returncode == 0, serial.stdout[-3000:]
    assert parallel.returncode == 0, parallel.stdout[-3000:]
    assert "2 workers" in parallel.stdout, parallel.stdout[:2000]
    serial_data, parallel_data = (json.loads(p.read_text()) for p in (serial_json, parallel_json))
    assert _comparable(parallel_data) == _comparable(serial_data)
    assert any(c["counterexamples"] for c in parallel_data["claims"])
    assert sum(c["examples"] for c in parallel_data["claims"]) > 100 * len(SUBSET)
    assert _table(parallel.stdout) == _table(serial.stdout)


def test_environment_reaches_the_workers():
    """The profile is chosen from the environment in the root conftest, which every
    xdist worker imports: a worker cannot silently fall back to another profile."""
    from hypothesis import settings

    expected = os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev")
    assert settings._current_profile == expected
