"""End to end: ``pytest properties --impl tests/misbehaving.py:NAME`` for every
implementation of tests/misbehaving.py: the whole run with ``-n 2`` beside the built-in
``vectorized``, and serially. Each run must end within five minutes, exit 1 (tests
failed: not 0, and not an interrupted or crashed run), and count its failures in the
claims JSON against that implementation, with the message that says what it did in the
terminal, and none against ``vectorized``.

The serial runs select the implementation's own tests (``-k NAME``): the theory-only
properties, two thirds of a run's time, never call it, and the parallel runs already
run them beside it. In-process (``--isolate none``), the implementations that change
process-wide state run before ``vectorized`` in the same process: the guard around every
call puts the state back, so that ``vectorized`` still passes.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.misbehaving import MISBEHAVIOURS

pytestmark = pytest.mark.slow

#: Seconds a run may take (on 2 cores).
LIMIT = 300


def _run(run_pytest, tmp_path, name: str, *args: str) -> tuple:
    """The run's process, its claims JSON and its wall time."""
    path = tmp_path / "claims.json"
    start = time.perf_counter()
    result = run_pytest("properties", "--impl", f"tests/misbehaving.py:{name}", *args,
                        "--claims-json", str(path), timeout=LIMIT)
    seconds = time.perf_counter() - start
    return result, json.loads(path.read_text()) if path.exists() else None, seconds


def _tests(data: dict, impl: str, outcome: str) -> set[str]:
    return {t["nodeid"] for c in data["claims"] for t in c["tests"]
            if t["impl"] == impl and t["outcome"] == outcome}


def _assert_fails(name: str, result, data: dict | None, seconds: float) -> None:
    """The run exited 1 within LIMIT, and the JSON and the terminal name the failures."""
    impl = f"tests/misbehaving.py:{name}"
    tail = result.stdout[-4000:] + result.stderr[-2000:]
    assert result.returncode == 1, tail
    assert seconds < LIMIT
    assert data is not None, tail
    failed = _tests(data, impl, "failed")
    assert failed, tail
    for claim in data["claims"]:
        named = {t["nodeid"] for t in claim["tests"]} & failed
        assert claim["failed"] >= len(named)
        assert claim["by_impl"].get(impl, {}).get("failed", 0) == len(named)
    assert all(f"FAILED {nodeid}" in result.stdout for nodeid in failed), tail
    assert MISBEHAVIOURS[name] in result.stdout, tail
    assert len(result.stdout) < 5_000_000  # 10 MB per call is not passed on


@pytest.fixture(autouse=True)
def _ci_profile(monkeypatch):
    monkeypatch.setenv("HYPOTHESIS_PROFILE", "ci")


@pytest.mark.parametrize("name", list(MISBEHAVIOURS))
def test_misbehaviour_fails_the_run(name, run_pytest, tmp_path):
    _assert_fails(name, *_run(run_pytest, tmp_path, name, "-k", name))


@pytest.mark.parametrize("name", list(MISBEHAVIOURS))
def test_misbehaviour_fails_the_parallel_run_and_spares_the_builtin(name, run_pytest, tmp_path):
    pytest.importorskip("xdist")
    result, data, seconds = _run(run_pytest, tmp_path, name, "--impl", "vectorized", "-n", "2")
    _assert_fails(name, result, data, seconds)
    assert not _tests(data, "vectorized", "failed"), result.stdout[-4000:]
    assert _tests(data, "vectorized", "passed")


#: Misbehaviours a process survives: run in-process, the guard must keep them from
#: reaching the implementation run next.
IN_PROCESS = ("sets_errors_to_raise", "sets_print_options", "global_rng_noise",
              "random_exceptions")


@pytest.mark.parametrize("name", IN_PROCESS)
def test_in_process_a_changed_state_is_blamed_on_its_implementation(name, run_pytest, tmp_path):
    result, data, seconds = _run(run_pytest, tmp_path, name, "--impl", "vectorized",
                                 "--isolate", "none", "-k", f"{name} or vectorized")
    _assert_fails(name, result, data, seconds)
    assert not _tests(data, "vectorized", "failed"), result.stdout[-4000:]
    assert _tests(data, "vectorized", "passed")
