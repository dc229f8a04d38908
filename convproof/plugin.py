"""The pytest plugin behind the suite: ``--impl``, claim markers, and the claims table.

* ``--impl NAME|MODULE:NAME|path.py:NAME`` (repeatable) chooses the implementations every
  property with a ``layer`` argument runs against; by default, all of reference.BUILTINS.
  ``--isolate`` and ``--call-timeout`` say where they run (convproof.isolation: ``--impl``
  code in a child process by default, the built-ins in-process) and for how long.
* Every test under properties/ must carry ``@pytest.mark.claim(id, ...)`` naming claims of
  theory.claims; when the whole of properties/ is collected, every claim must have a
  property. Either failure stops the run before any test runs.
* After the run, one row per claim: verdict, tests passed/failed/skipped, examples run;
  ``--claims-json PATH`` writes the same as JSON, and ``--claims-report DIR`` the report
  of the run (convproof/report.py) with that JSON beside it.

Results travel in each report's ``user_properties``, so a pytest-xdist controller gathers
the same table as a serial run.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import time
from collections.abc import Generator
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.statistics import collector

import convproof.properties
from convproof import isolation, profiles
from convproof.isolation import LIMITS
from convproof.reference.contract import ImplSpecError, Layer, MissingDependencyError, load
from convproof.summary import (
    THEORY,
    TestResult,
    by_impl,
    render,
    render_side_by_side,
    rows,
    to_json,
)
from convproof.theory.claims import BY_ID, CLAIMS

#: Where the claims' properties live: the convproof.properties package (in a checkout the
#: top-level properties/ folder, mapped there by pyproject.toml).
PROPERTIES_DIR = Path(convproof.properties.__file__).resolve().parent
IMPLS = pytest.StashKey[list]()
ISOLATE_MODES = ("auto", "process", "none")
SLOW_DESELECTED = pytest.StashKey[int]()
UNDECLARED_DESELECTED = pytest.StashKey[int]()


def _seconds(text: str) -> float:
    """A --call-timeout value: a positive, finite number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def _isolated(spec: str, mode: str) -> bool:
    """Whether the implementation of ``spec`` runs in a child process (--isolate)."""
    from convproof.reference import BUILTINS, OPTIONAL

    return mode == "process" or (mode == "auto" and spec not in BUILTINS and spec not in OPTIONAL)


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
    group.addoption(
        "--claims-report", metavar="DIR", default=None,
        help="write the report of the run into DIR: index.html, report.md, claims.json, figures",
    )
    group.addoption(
        "--isolate",
        choices=ISOLATE_MODES,
        default="auto",
        help="where implementations run: 'auto' (default) runs --impl code given as "
        "MODULE:NAME or path.py:NAME in a child process, where a crash, exit, hang or stray "
        "thread fails the property instead of ending the run, and the built-ins in-process; "
        "'process' runs every implementation in a child process; 'none' runs all in-process",
    )
    group.addoption(
        "--call-timeout",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="time limit of one call in a child process: SECONDS (default "
        f"{LIMITS.base:g}) + {LIMITS.per_mac * 1e6:g} µs per multiply-add, {LIMITS.first:g} "
        "times SECONDS for the first call in a fresh process (imports, JIT compilation)",
    )
    group.addoption(
        "--slow",
        action="store_true",
        help="also run the machinery tests marked slow (end-to-end runs, the mutant "
        "catalogue); without it they are deselected unless -m names them",
    )


@pytest.hookimpl(tryfirst=True)  # before Hypothesis's, which loads --hypothesis-profile
def pytest_configure(config: pytest.Config) -> None:
    settings.load_profile(profiles.default_profile())
    from convproof.reference import DEFAULT

    isolation.configure(call_timeout=config.getoption("call_timeout"))
    mode = config.getoption("isolate")
    impls = []
    for spec in config.getoption("impl") or DEFAULT:
        try:
            layer = load(spec)
            if _isolated(spec, mode):
                layer = dataclasses.replace(
                    layer, fn=isolation.isolated(spec, name=layer.name, wraps=layer.fn))
            impls.append(layer)
        except MissingDependencyError as exc:
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


def _undeclared(item: pytest.Item) -> str:
    """Why the item's layer does not declare the input the property feeds it ('' if it
    does): ndim and dtype from the item's parameters, the rest from its ``inputs`` mark."""
    params = getattr(item, "callspec", None) and item.callspec.params
    layer = params.get("layer") if params else None
    if not isinstance(layer, Layer):  # a theory property, or no layer at all (empty --impl)
        return ""
    mark = item.get_closest_marker("inputs")
    wanted = dict(mark.kwargs) if mark else {}
    wanted.update({key: params[key] for key in ("ndim", "dtype") if key in params})
    # padding is not in question here: each property draws from the declared ones
    return layer.supports(min(layer.paddings), **wanted) if layer.paddings else ""


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
    undeclared = [i for i in items if _undeclared(i)]
    if config.getoption("impl"):
        # Under --impl a user sees what their layer did not declare, as skips marked
        # before Hypothesis runs: a skip raised inside an explicit @example would be
        # printed as a "falsifying explicit example".
        for item in undeclared:
            item.add_marker(pytest.mark.skip(reason=_undeclared(item)))
    else:
        # The built-in references are 2-D float64 layers: in the default run the N-D,
        # channel and float32 properties run only against the layers that declare them,
        # instead of filling the summary with skips.
        if undeclared:
            config.hook.pytest_deselected(items=undeclared)
            dropped = set(undeclared)
            items[:] = [i for i in items if i not in dropped]
            config.stash[UNDECLARED_DESELECTED] = len(undeclared)
    if not config.getoption("slow") and not config.getoption("markexpr"):
        # properties are never deselected: a claim's evidence always runs
        slow = [i for i in items if i.get_closest_marker("slow") and not _in_properties(i)]
        if slow:
            config.hook.pytest_deselected(items=slow)
            chosen = set(slow)
            items[:] = [i for i in items if i not in chosen]
            config.stash[SLOW_DESELECTED] = len(slow)


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
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
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


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """An xdist worker's last act: freeze the garbage collector's objects, so that the
    interpreter's shutdown does not traverse them.

    The controller prints the claims table only after every worker has exited, and a
    worker's shutdown ran the cyclic collector over the run's 100,000-odd objects: 0.5 s
    of each parallel run went there (time from the last worker's last test to the
    controller's summary: 0.57-0.62 s without, 0.04 s with). ``gc.freeze`` moves the
    objects to the permanent generation, which collections skip; they are still freed by
    reference counting as modules are torn down, and only objects in reference cycles are
    left, whose ``__del__`` Python does not promise to run at exit (Python reference,
    ``object.__del__``). A serial run is left alone: its table is printed before its
    shutdown, and a process that called ``pytest.main()`` may go on to other work.
    """
    if hasattr(config, "workerinput"):  # set by xdist on its workers only
        gc.freeze()


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
        undeclared = self.config.stash.get(UNDECLARED_DESELECTED, 0)
        if undeclared:
            terminalreporter.write_line(
                f"{undeclared} N-D, channel and float32 items deselected for built-in layers "
                "that do not declare them; --impl torch (or scipy-direct, ...) runs them"
            )
        skipped_slow = self.config.stash.get(SLOW_DESELECTED, 0)
        if skipped_slow:
            terminalreporter.write_line(
                f"{skipped_slow} slow machinery tests deselected; run them with --slow"
            )
        if not any(result.claims for result in self.results.values()):
            return
        table = rows(self.results.values())
        impls = by_impl(self.results.values())
        terminalreporter.section("claims")
        for line in render(table):
            terminalreporter.write_line(line)
        names = [i.name for i in self.config.stash[IMPLS]]
        if len(names) > 1:
            terminalreporter.section("claims by implementation (tests passed/run)")
            for line in render_side_by_side(impls, names):
                terminalreporter.write_line(line)
        path = self.config.getoption("claims_json")
        report_dir = self.config.getoption("claims_report")
        if not (path or report_dir):
            return
        run = {
            "impls": [impl.name for impl in self.config.stash[IMPLS]],
            "args": list(self.config.invocation_params.args),
            "exitstatus": int(exitstatus),
            "seconds": round(time.time() - self.start, 3),
        }
        payload = to_json(table, run, impls)
        if path:
            Path(path).write_text(json.dumps(payload, indent=2) + "\n")
            terminalreporter.write_line(f"claims table written to {path}")
        if report_dir:
            from convproof.report import run_header, write_report

            written = write_report(Path(report_dir), payload, run_header(self.config))
            terminalreporter.write_line(f"claims report written to {written.index}")
            for problem in written.problems:
                terminalreporter.write_line(f"claims report: {problem}")
