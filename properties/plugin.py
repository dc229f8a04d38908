"""The pytest plugin behind the suite: ``--impl``, claim markers, and the claims table.

* ``--impl NAME|MODULE:NAME|path.py:NAME`` (repeatable) chooses the implementations every
  property with a ``layer`` argument runs against; by default, all of reference.BUILTINS.
* Every test under properties/ must carry ``@pytest.mark.claim(id, ...)`` naming claims of
  theory.claims; when the whole of properties/ is collected, every claim must have a
  property. Either failure stops the run before any test runs.
* After the run, one row per claim: verdict, tests passed/failed/skipped, examples run;
  ``--claims-json PATH`` writes the same as JSON.

Results travel in each report's ``user_properties``, so a pytest-xdist controller gathers
the same table as a serial run.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis.statistics import collector

from properties.summary import THEORY, TestResult, render, rows, to_json
from reference.contract import ImplSpecError, MissingDependency, load
from theory.claims import BY_ID, CLAIMS

PROPERTIES_DIR = Path(__file__).resolve().parent
IMPLS = pytest.StashKey[list]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("convproof")
    group.addoption(
        "--impl",
        action="append",
        default=[],
        metavar="SPEC",
        help="implementation to verify: a built-in name, MODULE:NAME or path/to/file.py:NAME "
        "(repeatable; default: every built-in)",
    )
    group.addoption(
        "--claims-json", metavar="PATH", default=None, help="write the claims table as JSON"
    )


def pytest_configure(config: pytest.Config) -> None:
    from reference import DEFAULT

    impls = []
    for spec in config.getoption("impl") or DEFAULT:
        try:
            impls.append(load(spec))
        except MissingDependency as exc:
            # the rest of the suite still runs; say once, on one line, what to install
            config.issue_config_time_warning(pytest.PytestConfigWarning(str(exc)), stacklevel=2)
        except ImplSpecError as exc:
            raise pytest.UsageError(str(exc)) from None
    config.stash[IMPLS] = impls
    config.pluginmanager.register(ClaimsRecorder(config), "convproof-claims")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "layer" in metafunc.fixturenames:
        impls = metafunc.config.stash[IMPLS]
        metafunc.parametrize("layer", impls, ids=[impl.name for impl in impls])


def _claim_ids(item: pytest.Item) -> list[str]:
    return [cid for mark in item.iter_markers("claim") for cid in mark.args]


def _in_properties(item: pytest.Item) -> bool:
    return PROPERTIES_DIR in Path(str(item.path)).resolve().parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    problems = []
    for item in items:
        ids = _claim_ids(item)
        if _in_properties(item) and not ids:
            problems.append(f"{item.nodeid} names no claim (add @pytest.mark.claim(...))")
        for cid in ids:
            if cid not in BY_ID:
                problems.append(f"{item.nodeid} names unknown claim {cid!r}")
        layer = getattr(item, "callspec", None) and item.callspec.params.get("layer")
        item.user_properties.append(("claims", ids))
        item.user_properties.append(("impl", getattr(layer, "name", THEORY)))
    if problems:
        raise pytest.UsageError("claim markers: " + "; ".join(problems))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Every claim needs a property, checked when all of properties/ is collected."""
    config = session.config
    if config.getoption("keyword") or config.getoption("markexpr"):
        return
    modules = {p.resolve() for p in PROPERTIES_DIR.glob("test_*.py")}
    collected = {Path(str(item.path)).resolve() for item in session.items}
    if not modules or not modules <= collected:
        return
    named = {cid for item in session.items if _in_properties(item) for cid in _claim_ids(item)}
    missing = [c.id for c in CLAIMS if c.id not in named]
    if missing:
        raise pytest.UsageError(f"claims with no property: {', '.join(missing)}")


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_call(item: pytest.Item):
    """Count the examples Hypothesis runs (inside the Hypothesis plugin's own wrapper)."""
    outer = collector.value
    counted = []

    def note(stats: dict) -> None:
        counted.append(
            sum(len(v.get("test-cases", ())) for k, v in stats.items() if k.endswith("-phase"))
        )
        if outer is not None:
            outer(stats)

    with collector.with_value(note):
        try:
            return (yield)
        finally:
            if counted:
                item.user_properties.append(("examples", sum(counted)))


def _result(report: pytest.TestReport) -> TestResult:
    props: dict = {}
    for key, value in report.user_properties:
        props[key] = props.get(key, 0) + value if key == "examples" else value
    return TestResult(
        nodeid=report.nodeid,
        claims=list(props.get("claims", [])),
        impl=props.get("impl", THEORY),
        examples=props.get("examples", 1),
        counterexample=props.get("counterexample", ""),
    )


class ClaimsRecorder:
    """Gathers one :class:`TestResult` per test from the reports (local or from workers)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.results: dict[str, TestResult] = {}
        self.start = time.time()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and not report.passed):
            result = _result(report)
            result.outcome = report.outcome
            result.duration = report.duration
            if report.failed:
                result.message = str(report.longrepr).strip().splitlines()[-1][:300]
            self.results[report.nodeid] = result
        elif report.when == "teardown" and report.failed and report.nodeid in self.results:
            self.results[report.nodeid].outcome = "failed"

    def pytest_terminal_summary(
        self, terminalreporter: pytest.TerminalReporter, exitstatus: int
    ) -> None:
        if not any(result.claims for result in self.results.values()):
            return
        table = rows(self.results.values())
        terminalreporter.section("claims")
        for line in render(table):
            terminalreporter.write_line(line)
        path = self.config.getoption("claims_json")
        if path:
            run = {
                "impls": [impl.name for impl in self.config.stash[IMPLS]],
                "args": list(self.config.invocation_params.args),
                "exitstatus": int(exitstatus),
                "seconds": round(time.time() - self.start, 3),
            }
            Path(path).write_text(json.dumps(to_json(table, run), indent=2) + "\n")
            terminalreporter.write_line(f"claims table written to {path}")
