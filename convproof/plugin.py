"""The pytest plugin behind the suite: ``--impl``, claim markers, and the claims table.

* ``--impl NAME|MODULE:NAME|path.py:NAME`` (repeatable) chooses the implementations every
  property with a ``layer`` argument runs against, and every property with a ``conv``
  argument (the conv contract, reference.conv_contract; a conv implementation is also a
  ``layer`` through reference.embedding); by default reference.DEFAULT and CONV_DEFAULT.
  ``--isolate`` and ``--call-timeout`` say where they run (convproof.isolation: ``--impl``
  code in a child process by default, the built-ins in-process) and for how long.
* Every test under properties/ must carry ``@pytest.mark.claim(id, ...)`` naming claims of
  theory.claims; when the whole of properties/ is collected, every claim must have a
  property. Either failure stops the run before any test runs.
* After the run, one row per claim: verdict, tests passed/failed/skipped, examples run;
  ``--claims-json PATH`` writes the same as JSON, and ``--claims-report DIR`` the report
  of the run (convproof/report.py) with that JSON beside it, both atomically; option
  values that cannot work stop the run before any test (convproof/options.py).
* A failed property is shown in a few lines (convproof/failures.py): the message naming
  the implementation and the claim, the minimal example, the command that replays it
  (``--convproof-replay VERSION:BLOB``) and a standalone snippet; the summary lists the
  failing properties by implementation and claim, the article's refutations apart, and
  how many properties passed, failed, crashed, were interrupted or never ran.

Results travel in each report's ``user_properties``, so a pytest-xdist controller gathers
the same table as a serial run.

Installed, the plugin is loaded by its entry point in every pytest run of the environment,
so it keeps to convproof's own items: it registers its markers, parametrizes ``layer``,
applies the properties' warning filters and checks claim markers only for tests under
convproof.properties, and loads its Hypothesis profile only for a convproof run (one that
names convproof's properties, ``--impl``, ``--claims-json`` or ``--claims-report``); a
project's other tests run as they would without it.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import gc
import json
import shutil
import sys
import tempfile
import textwrap
import time
from collections.abc import Generator
from pathlib import Path

import pytest
from _pytest._code.code import ReprEntryNative, ReprExceptionInfo, ReprTraceback
from hypothesis import settings
from hypothesis.statistics import collector

import convproof.properties
from convproof import atomic, evidence, failures, isolation, options, profiles, seeding
from convproof.isolation import LIMITS
from convproof.reference import load
from convproof.reference.contract import ImplSpecError, Layer, MissingDependencyError
from convproof.reference.conv_contract import Conv
from convproof.summary import (
    THEORY,
    TestResult,
    by_impl,
    render,
    render_side_by_side,
    rows,
    shown,
    to_json,
)
from convproof.theory.claims import BY_ID, CLAIMS

#: Where the claims' properties live: the convproof.properties package (in a checkout the
#: top-level properties/ folder, mapped there by pyproject.toml).
PROPERTIES_DIR = Path(convproof.properties.__file__).resolve().parent
IMPLS = pytest.StashKey[list]()
LAYERS = pytest.StashKey[list]()  # the values of the layer fixture
CONVS = pytest.StashKey[list]()  # the values of the conv fixture
ISOLATE_MODES = ("auto", "process", "none")
UNDECLARED_DESELECTED = pytest.StashKey[int]()
CONVPROOF_RUN = pytest.StashKey[bool]()
COLLECTED = pytest.StashKey[tuple]()  # (modules, claim ids) before any deselection
OURS = pytest.StashKey[bool]()  # on an item: a property of convproof.properties

#: The markers the properties use, registered by the plugin so that they exist wherever
#: convproof is installed (pyproject.toml registers only the checkout's own).
MARKERS = (
    "claim(*ids): the claim(s) of convproof.theory.claims.CLAIMS that this property checks",
    "inputs(channels=False, dtype='float64'): the input a property feeds the layer beyond "
    "its ndim/dtype parameters; in the default run built-in layers that do not declare it "
    "are deselected, under --impl they are skipped",
    "conv_inputs(**features): the conv-contract features a property needs (stride, dilation, "
    "groups, even_kernels, vjp, padding_modes); undeclared ones are deselected in the default "
    "run and skipped under --impl",
)
#: Warnings that fail a property: a RuntimeWarning is an overflow or a NaN in the
#: arithmetic under test, a HypothesisWarning a misused strategy. pyproject.toml's
#: filterwarnings holds the same for the checkout (tests/test_install.py checks it).
FILTERWARNINGS = ("error::RuntimeWarning", "error::hypothesis.errors.HypothesisWarning")


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
    from convproof.reference import BUILTINS, CONV_BUILTINS, OPTIONAL

    builtin = spec in BUILTINS or spec in CONV_BUILTINS or spec in OPTIONAL
    return mode == "process" or (mode == "auto" and not builtin)


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
        "--convproof-replay", metavar="VERSION:BLOB", default=None,
        help="replay exactly one failing example of the one property named on the command "
        "line: the value a failure's replay command prints (Hypothesis's reproduce blob)",
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


def _names_properties(config: pytest.Config) -> bool:
    """Whether the run's arguments reach convproof's properties: a path in (or above)
    PROPERTIES_DIR, or under --pyargs the package convproof or convproof.properties."""
    for arg in config.args:
        target = arg.split("::")[0]
        parts = target.split(".")
        if config.getoption("pyargs") and parts[0] == "convproof" and parts[1:2] in ([], ["properties"]):
            return True
        path = (config.invocation_params.dir / target).resolve()
        if path == PROPERTIES_DIR or path in PROPERTIES_DIR.parents or PROPERTIES_DIR in path.parents:
            return True
    return False


def is_convproof_run(config: pytest.Config) -> bool:
    """A run of convproof's properties, or one that asked for convproof's options."""
    asked = any(config.getoption(name) for name in ("impl", "claims_json", "claims_report"))
    return asked or _names_properties(config)


def _importable_from(directory: Path) -> None:
    """Put the invocation directory first on sys.path, as ``python -m pytest`` does, so that
    ``--impl MODULE:NAME`` finds a module of the user's project under the ``pytest``
    console script too (whose sys.path starts with the script's own directory)."""
    if not any(Path(entry or ".").resolve() == directory for entry in sys.path):
        sys.path.insert(0, str(directory))


def _isolated_fn(spec: str, impl: Layer | Conv) -> isolation.Isolated:
    """The implementation's callable (and a conv's declared backward pass) in the child."""
    fn = isolation.isolated(spec, name=impl.name, wraps=impl.fn)
    if isinstance(impl, Conv) and impl.declares.vjp:
        fn.vjp = isolation.isolated(spec, loader="convproof.isolation:load_vjp",
                                    name=f"{impl.name} vjp", wraps=impl.fn.vjp)
    return fn


def _load_impls(config: pytest.Config) -> list[Layer | Conv]:
    from convproof.reference import BUILTINS, CONV_BUILTINS, CONV_DEFAULT, DEFAULT, OPTIONAL

    specs = config.getoption("impl") or (*DEFAULT, *CONV_DEFAULT)
    if any(s not in BUILTINS and s not in CONV_BUILTINS and s not in OPTIONAL and ":" in s
           and not s.rpartition(":")[0].endswith(".py") for s in specs):
        _importable_from(config.invocation_params.dir.resolve())
    isolation.configure(call_timeout=config.getoption("call_timeout"))
    mode = config.getoption("isolate")
    impls = []
    for spec in specs:
        try:
            impl = load(spec)
            if _isolated(spec, mode):
                impl = dataclasses.replace(impl, fn=_isolated_fn(spec, impl))
            impls.append(impl)
        except MissingDependencyError as exc:
            # the rest of the suite still runs; say once, on one line, what to install
            config.issue_config_time_warning(pytest.PytestConfigWarning(str(exc)), stacklevel=2)
        except ImplSpecError as exc:
            raise pytest.UsageError(str(exc)) from None
    return impls


@pytest.hookimpl(tryfirst=True)  # before Hypothesis's, which loads --hypothesis-profile
def pytest_configure(config: pytest.Config) -> None:
    for line in MARKERS:
        config.addinivalue_line("markers", line)
    config.stash[CONVPROOF_RUN] = is_convproof_run(config)
    if config.stash[CONVPROOF_RUN]:
        if not hasattr(config, "workerinput"):  # the controller checked them for its workers
            options.check(config)  # before any test runs: bad paths and profiles stop here
        # Before the properties are imported: @settings reads the profile at decoration.
        # A project's other tests keep their own profile (the checkout's conftest.py
        # loads this one for the suite's own tests).
        settings.load_profile(profiles.default_profile())
        seeding.install()  # before the first example makes Hypothesis wrap numpy.random
        config.stash[IMPLS] = _load_impls(config)
    config.pluginmanager.register(ClaimsRecorder(config), "convproof-claims")


def _impls(config: pytest.Config) -> list[Layer | Conv]:
    """The implementations under test, loaded at configure in a convproof run (so that a
    bad --impl stops the run at once), else when a property first needs them."""
    if IMPLS not in config.stash:
        config.stash[IMPLS] = _load_impls(config)
    return config.stash[IMPLS]


def _fixture_values(config: pytest.Config, key: pytest.StashKey[list]) -> list:
    """The values of the ``layer`` (LAYERS) or ``conv`` (CONVS) fixture: a conv-contract
    implementation is a ``conv`` and, through reference.embedding, a ``layer`` of the same
    name (one column of the table); under --impl a layer-contract implementation is also a
    ``conv`` value, whose conv properties are then skipped (_undeclared)."""
    if key not in config.stash:
        from convproof.reference.embedding import article_layer

        impls = _impls(config)
        if config.getoption("impl"):
            layers = [article_layer(i) if isinstance(i, Conv) else i for i in impls]
            convs = list(impls)
        else:  # the default run: the conv references have conv properties only
            layers = [i for i in impls if not isinstance(i, Conv)]
            convs = [i for i in impls if isinstance(i, Conv)]
        config.stash[LAYERS], config.stash[CONVS] = layers, convs
    return config.stash[key]


@functools.cache  # one lookup per module, not per item
def _resolved(path: str) -> Path:
    return Path(path).resolve()


def _is_ours(path: object) -> bool:
    return PROPERTIES_DIR in _resolved(str(path)).parents


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if not _is_ours(metafunc.definition.path):
        return
    for name, key in (("layer", LAYERS), ("conv", CONVS)):
        if name in metafunc.fixturenames:
            impls = _fixture_values(metafunc.config, key)
            metafunc.parametrize(name, impls, ids=[impl.name for impl in impls])


def _claim_ids(item: pytest.Item) -> list[str]:
    return [cid for mark in item.iter_markers("claim") for cid in mark.args]


def _in_properties(item: pytest.Item) -> bool:
    return item.stash.get(OURS, False)


def _undeclared(item: pytest.Item) -> str:
    """Why the item's layer does not declare the input the property feeds it ('' if it
    does): ndim and dtype from the item's parameters, the rest from its ``inputs`` mark."""
    params = getattr(item, "callspec", None) and item.callspec.params
    if params and "conv" in params:
        return _conv_undeclared(item, params)
    layer = params.get("layer") if params else None
    if not isinstance(layer, Layer):  # a theory property, or no layer at all (empty --impl)
        return ""
    mark = item.get_closest_marker("inputs")
    wanted = dict(mark.kwargs) if mark else {}
    wanted.update({key: params[key] for key in ("ndim", "dtype") if key in params})
    # padding is not in question here: each property draws from the declared ones
    return layer.supports(min(layer.paddings), **wanted) if layer.paddings else ""


def _conv_undeclared(item: pytest.Item, params: dict) -> str:
    """_undeclared for a ``conv`` property: a layer-contract implementation has none; a
    conv implementation must declare ndim and dtype (parameters) and the features of the
    item's ``conv_inputs`` mark."""
    conv = params["conv"]
    if not isinstance(conv, Conv):
        return f"{conv.name} implements the layer contract, not the conv contract"
    mark = item.get_closest_marker("conv_inputs")
    wanted = dict(mark.kwargs) if mark else {}
    modes = wanted.pop("padding_modes", None)
    dtypes = conv.declares.dtypes  # without a dtype parameter a property draws float64 if declared
    dtype = params.get("dtype") or ("float64" if "float64" in dtypes else min(dtypes))
    reason = conv.supports(params.get("ndim", 2), dtype, min(conv.declares.padding_modes),
                           **wanted)
    if not reason and modes and not set(modes) & conv.declares.padding_modes:
        reason = f"{conv.name} declares none of the padding modes {tuple(modes)}"
    return reason


# tryfirst: before -k, -m, --deselect and --lf take items away, so that the claims check
# below sees every property collected
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    problems = []
    ours = [item for item in items if _is_ours(item.path)]
    # -p no:warnings takes the filterwarnings marker (and the filters) away
    filters = FILTERWARNINGS if config.pluginmanager.has_plugin("warnings") else ()
    for item in ours:
        item.stash[OURS] = True
        ids = _claim_ids(item)
        if not ids:
            problems.append(f"{item.nodeid} names no claim (add @pytest.mark.claim(...))")
        for cid in ids:
            if cid not in BY_ID:
                problems.append(f"{item.nodeid} names unknown claim {cid!r}")
        for spec in filters:
            item.add_marker(pytest.mark.filterwarnings(spec), append=False)
        params = getattr(item, "callspec", None) and item.callspec.params
        layer = params and (params.get("layer") or params.get("conv"))
        item.user_properties.append(("claims", ids))
        item.user_properties.append(("impl", getattr(layer, "name", THEORY)))
    if problems:
        raise pytest.UsageError("claim markers: " + "; ".join(problems))
    config.stash[COLLECTED] = (
        {_resolved(str(item.path)) for item in ours},
        {cid for item in ours for cid in _claim_ids(item)},
    )
    undeclared = [i for i in ours if _undeclared(i)]
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


#: The collector's third threshold on a worker: a full collection after 100 younger ones,
#: not 10 (gc.set_threshold). What a worker holds at scale is Hypothesis's, alive for a
#: test (its cache of 10,000 results, its tree of choices), and every full collection
#: walked it: with the collection's objects frozen and this threshold, the collector's
#: time fell from 4.70 to 3.05 s of test_contract.py's 88 s at 1,000 examples
#: (bench/RESULTS.md).
WORKER_FULL_COLLECTION = 100


def _convproof_worker(config: pytest.Config) -> bool:
    """Whether this process is an xdist worker (xdist sets ``workerinput`` on its workers
    only) of a convproof run: the processes whose collector the suite may tune."""
    return hasattr(config, "workerinput") and config.stash.get(CONVPROOF_RUN, False)


def settle_collector(config: pytest.Config) -> None:
    """On an xdist worker of a convproof run, once collected: freeze what the imports and
    the collection made (alive for the whole run, so no collection need walk it again)
    and collect the old generation less often. A serial run is left alone, as at
    unconfigure."""
    if _convproof_worker(config):
        gc.collect()
        gc.freeze()
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, WORKER_FULL_COLLECTION)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Every claim needs a property, checked when all of properties/ is collected (counted
    before -k, -m or --lf deselect any, which do not make a claim lose its property)."""
    config = session.config
    settle_collector(config)
    modules = {p.resolve() for p in PROPERTIES_DIR.glob("test_*.py")}
    collected, named = config.stash.get(COLLECTED, (set(), set()))
    if not modules or not modules <= collected:
        return
    missing = [c.id for c in CLAIMS if c.id not in named]
    if missing:
        raise pytest.UsageError(f"claims with no property: {', '.join(missing)}")


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Count the examples Hypothesis runs (inside the Hypothesis plugin's own wrapper)."""
    if not _in_properties(item):
        return (yield)
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
    if _convproof_worker(config):
        gc.freeze()


def _result(report: pytest.TestReport) -> TestResult:
    props: dict = {}
    for key, value in report.user_properties:
        props[key] = props.get(key, 0) + value if key == "examples" else value
    failure = props.get("failure") or {}
    return TestResult(
        nodeid=report.nodeid,
        claims=list(props.get("claims", [])),
        impl=props.get("impl", THEORY),
        examples=props.get("examples", 1),
        counterexample=props.get("counterexample", ""),
        message=failure.get("message", ""),
        replay=failure.get("replay", ""),
        evidence={k: v for k, v in failure.items() if k not in ("message", "replay")},
    )


def _message(report: pytest.TestReport) -> str:
    """A failure's message when it left no evidence (an error in setup or teardown, a
    crash): the exception's first line, else the last line of its report, bounded."""
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None and crash.message.strip():
        return crash.message.strip().splitlines()[0][: failures.MAX_MESSAGE]
    text = str(report.longrepr).strip()
    return text.splitlines()[-1][: failures.MAX_MESSAGE] if text else report.outcome


def _index_entry(item: pytest.Item) -> dict:
    params = getattr(item, "callspec", None) and item.callspec.params
    impl = params and (params.get("layer") or params.get("conv"))
    return {"claims": _claim_ids(item), "impl": getattr(impl, "name", THEORY)}


def _concise_longrepr(text: str, original: object) -> object:
    """``text`` in place of a failure's traceback, keeping the original's one-line crash
    message, which pytest's short summary prints ("FAILED node - message"). Built from
    pytest's own report classes (as pytest-xdist relies on them too), so that workers
    send it to the controller like any traceback."""
    lines = [line + "\n" for line in text.splitlines()]
    entries = ReprTraceback([ReprEntryNative(lines)], None, "native")
    return ReprExceptionInfo(reprtraceback=entries, reprcrash=getattr(original, "reprcrash", None))


class ClaimsRecorder:
    """Gathers one :class:`TestResult` per test from the reports (local or from workers),
    keeps each failure's evidence, and writes the table, the JSON and the report.

    Every collected test is in the index (nodeid -> claims, implementation), so a test
    without a report is still accounted for: interrupted if it had started, never run if
    not. Under pytest-xdist each worker writes its index into a directory the controller
    names in ``workerinput``: a worker that crashes takes its reports' claims with it, and
    the controller's crash report carries none.
    """

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.results: dict[str, TestResult] = {}
        self.index: dict[str, dict] = {}
        self.running: set[str] = set()
        self.start = time.time()
        self.index_dir: str | None = None

    # --- collection, and the index of what should run ---------------------------------

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        replay = self.config.getoption("convproof_replay")
        targets = []
        for item in session.items:
            handle = getattr(getattr(item, "obj", None), "hypothesis", None)
            if handle is not None and _claim_ids(item):
                handle.inner_test = evidence.watch(handle.inner_test)
                targets.append(item)
            self.index[item.nodeid] = _index_entry(item)
        if replay and len(targets) != 1:
            raise pytest.UsageError(
                f"--convproof-replay pins one example of one property: name exactly one "
                f"property's node id ({len(targets)} selected)")
        workerinput = getattr(self.config, "workerinput", None)
        if workerinput and workerinput.get("convproof_index"):
            path = Path(workerinput["convproof_index"]) / f"{workerinput['workerid']}.json"
            atomic.write_text(path, json.dumps(self.index))

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: object) -> None:
        """xdist controller: tell each worker where to write its index."""
        if self.index_dir is None:
            self.index_dir = tempfile.mkdtemp(prefix="convproof-index-")
        node.workerinput["convproof_index"] = self.index_dir  # type: ignore[attr-defined]

    def _read_worker_indexes(self) -> None:
        if self.index_dir is None:
            return
        for path in sorted(Path(self.index_dir).glob("*.json")):
            try:
                self.index.update(json.loads(path.read_text()))
            except (OSError, ValueError):  # a worker that died while writing: others have it
                continue

    # --- running: the replay pin and each failure's evidence ---------------------------

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        replay = self.config.getoption("convproof_replay")
        if replay and getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            version, _, blob = replay.rpartition(":")
            # what @reproduce_failure(version, blob) sets (hypothesis.core)
            item.obj._hypothesis_internal_use_reproduce_failure = (version, blob)

    def pytest_runtest_teardown(self, item: pytest.Item) -> None:
        if getattr(getattr(item, "obj", None), "_hypothesis_internal_use_reproduce_failure", None):
            item.obj._hypothesis_internal_use_reproduce_failure = None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, object, object]:
        """Record the calls of a test without Hypothesis as one example (a Hypothesis
        test records each example itself, evidence.watch)."""
        evidence.start()
        try:
            return (yield)
        except BaseException as exc:
            example = evidence.current()
            if example is not None and example.calls:
                evidence.attach(exc, example)
            raise
        finally:
            evidence.stop()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if report.failed:
            # a layer printing megabytes per call must not flood the terminal or the JSON
            report.sections = [(title, failures.truncated(text)) for title, text in report.sections]
        claims = _claim_ids(item)
        if report.failed and call.when == "call" and claims:
            impl = _index_entry(item)["impl"]
            failure = failures.evidence_of(item, call.excinfo, impl, claims)
            failure["output"] = failures.truncated(
                "\n".join(text for title, text in report.sections if title.startswith("Captured")))
            report.user_properties.append(("failure", failure))
            if failures.concise(self.config):
                report.longrepr = _concise_longrepr(failures.concise_repr(failure), report.longrepr)
        return report

    # --- gathering results -------------------------------------------------------------

    def pytest_runtest_logstart(self, nodeid: str, location: tuple) -> None:
        self.running.add(nodeid)

    def pytest_runtest_logfinish(self, nodeid: str, location: tuple) -> None:
        self.running.discard(nodeid)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and not report.passed):
            result = _result(report)
            result.outcome = report.outcome
            if report.when == "setup" and report.failed:
                result.outcome = "error"
            result.duration = report.duration
            if report.failed and not result.message:
                result.message = _message(report)
            self.results[report.nodeid] = result
        elif report.when == "teardown" and report.failed:
            result = self.results.get(report.nodeid) or self._indexed(report.nodeid)
            result.outcome, result.message = "error", result.message or _message(report)
            self.results[report.nodeid] = result
        elif report.when not in ("setup", "call", "teardown") and report.failed:
            # pytest-xdist's report of a crashed worker's test (when '???'): no
            # user_properties, so its claims come from the index
            result = self._indexed(report.nodeid)
            result.outcome, result.message = "crashed", _message(report)
            result.replay = failures.replay_command(self.config, report.nodeid, result.impl, "")
            self.results[report.nodeid] = result
            self.running.discard(report.nodeid)

    def _indexed(self, nodeid: str, outcome: str = "failed") -> TestResult:
        self._read_worker_indexes()
        entry = self.index.get(nodeid, {})
        return TestResult(nodeid=nodeid, claims=list(entry.get("claims", [])),
                          impl=entry.get("impl", THEORY), outcome=outcome, examples=0)

    def _complete(self, exitstatus: int) -> list[TestResult]:
        """The results, with a result for every indexed test that has none: interrupted
        if it had started, else never run."""
        self._read_worker_indexes()
        why = ("the run was interrupted" if exitstatus == pytest.ExitCode.INTERRUPTED else
               "the run stopped after its workers crashed"
               if any(r.outcome == "crashed" for r in self.results.values()) else
               "the run stopped before it")
        for nodeid in self.index:
            if nodeid not in self.results:
                outcome = "interrupted" if nodeid in self.running else "not run"
                result = self._indexed(nodeid, outcome)
                result.message = ("interrupted while it ran" if outcome == "interrupted"
                                  else f"never ran: {why}")
                result.replay = failures.replay_command(self.config, nodeid, result.impl, "")
                self.results[nodeid] = result
        return list(self.results.values())

    def _failures(self, results: list[TestResult]) -> list[dict]:
        """Each property that did not pass or skip, with its evidence, for the JSON and
        the report."""
        empty = {"reason": "", "example": {}, "example_text": "", "snippet": "",
                 "snippet_file": "", "output": ""}
        return [{"nodeid": r.nodeid, "impl": r.impl, "claims": r.claims, "outcome": r.outcome,
                 "message": r.message, "replay": r.replay, **empty, **r.evidence}
                for r in results if r.claims and r.outcome not in ("passed", "skipped")]

    # --- the summary -------------------------------------------------------------------

    def pytest_terminal_summary(
        self, terminalreporter: pytest.TerminalReporter, exitstatus: int
    ) -> None:
        width = self.config.get_terminal_writer().fullwidth
        short = self.config.get_verbosity() < 0

        def say(text: str) -> None:
            for line in textwrap.wrap(text, width):
                terminalreporter.write_line(line)

        undeclared = self.config.stash.get(UNDECLARED_DESELECTED, 0)
        if undeclared:
            say(f"{undeclared} N-D, channel, float32 and conv-feature items deselected for "
                "built-ins that do not declare them; --impl torch (or scipy-direct, ...) runs them")
        results = self._complete(int(exitstatus))
        if not any(result.claims for result in results):
            return  # no property ran: no table of zeros
        table = rows(results)
        impls = by_impl(results)
        selected = shown(table)
        terminalreporter.section("claims")
        for line in render(selected, width, short):
            terminalreporter.write_line(line)
        if len(selected) < len(table):
            say(f"{len(table) - len(selected)} of {len(table)} claims not selected by this run "
                "(no property of theirs ran); --claims-json lists every claim")
        names = [i.name for i in _impls(self.config)]
        side_by_side = render_side_by_side(impls, names, width) if len(names) > 1 else []
        if side_by_side:
            terminalreporter.section("claims by implementation (tests passed/run)")
            for line in side_by_side:
                terminalreporter.write_line(line)
        refuted = failures.refutation_lines(table, width)
        if refuted:
            terminalreporter.section("the article's wording, refuted as expected (these pass)")
            for line in refuted:
                terminalreporter.write_line(line)
        failing = failures.failure_lines(results, width)
        if failing:
            terminalreporter.section("failing properties, by implementation and claim", red=True)
            for line in failing:
                terminalreporter.write_line(line)
        counts = failures.counts(results)
        terminalreporter.write_line(failures.headline(counts))
        path = self.config.getoption("claims_json")
        report_dir = self.config.getoption("claims_report")
        if not (path or report_dir):
            return
        run = {
            "impls": [impl.name for impl in _impls(self.config)],
            "args": list(self.config.invocation_params.args),
            "exitstatus": int(exitstatus),
            "seconds": round(time.time() - self.start, 3),
            "counts": counts,
        }
        payload = to_json(table, run, impls, self._failures(results))
        if path:
            atomic.write_text(Path(path), json.dumps(payload, indent=2) + "\n")
            terminalreporter.write_line(f"claims table written to {path}")
        if report_dir:
            from convproof.report import run_header, write_report

            written = write_report(Path(report_dir), payload, run_header(self.config))
            terminalreporter.write_line(f"claims report written to {written.index}")
            for problem in written.problems:
                terminalreporter.write_line(f"claims report: {problem}")

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        if self.index_dir is not None:
            shutil.rmtree(self.index_dir, ignore_errors=True)
