"""What a failure looks like and what evidence a run keeps (issues 15 and 16).

End to end, against a d2l-style layer with one bug (the kernel flipped, as
tests/external_impls.py's FLIPPED): the default run's summary names the implementation and
its broken claims in a few lines; each failure prints a replay command that, run as
printed, fails again on the same example, and a snippet that runs alone with numpy and
shows the discrepancy; the JSON and the report carry the examples as data. The same for a
conv-contract implementation with one bug (the stride applied to the first axis only,
CONV_STRIDE_FIRST_AXIS), run on the conv properties; and the conv snippet's other paths
(a wrong value, a backward pass, every memory layout, an article property run on a conv).
Then the runs that end badly: a worker that crashes under pytest-xdist, Ctrl-C, a flood of
output; and option values that cannot work, stopped before any test runs.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import textwrap
import time
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from convproof.theory.claims import BY_ID

from convproof import atomic, evidence, failures, report, snippet
from convproof.summary import TestResult as Result
from tests.external_impls import CONV_CORRECT, CONV_STRIDE_FIRST_AXIS, FLIPPED

ROOT = Path(__file__).resolve().parent.parent
CI = {**os.environ, "HYPOTHESIS_PROFILE": "ci"}


def _write(directory: Path, source: str, name: str = "impl.py", attr: str = "layer") -> str:
    """Write ``source`` to directory/name; the --impl spec of its ``attr``."""
    path = directory / name
    path.write_text(textwrap.dedent(source))
    return f"{path}:{attr}"


def _pytest(*args: str, cwd: Path = ROOT, env: dict | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess:
    """The suite in a fresh interpreter under the derandomized ci profile."""
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:warnings", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=env or CI)


def _section(stdout: str, title: str) -> list[str]:
    """The lines of the terminal section ``title`` (up to the next section or the end of
    the convproof summary)."""
    match = re.search(rf"^=+ {re.escape(title)} =+\n(.*?)(?=^=+ |^properties: )", stdout,
                      re.S | re.M)
    return match.group(1).splitlines() if match else []


def _failure_blocks(stdout: str) -> dict[str, list[str]]:
    """The FAILURES section, test name -> its lines."""
    part = stdout.split("= FAILURES =", 1)[1].split("\n==", 1)[0]
    blocks: dict[str, list[str]] = {}
    name = None
    for line in part.splitlines()[1:]:
        header = re.match(r"^_+ (.+?) _+$", line)
        if header:
            name = header.group(1)
            blocks[name] = []
        elif name is not None:
            blocks[name].append(line)
    return blocks


# --- the flipped kernel, end to end ---------------------------------------------------


def _run_once(tmp_path_factory, worker_id, name: str, write_impl, *files: str) -> dict:
    """``pytest *files --impl SPEC`` with the JSON and the report, SPEC what
    ``write_impl(folder)`` returns: run once, even when several pytest-xdist workers ask
    for it (the first one runs it under a lock in their shared temporary directory; the
    others read it)."""
    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent
    where = shared / name
    where.mkdir(exist_ok=True)
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = where / "result.json"
        if not done.exists():
            spec = write_impl(where)
            result = _pytest(*files, "--impl", spec, f"--claims-json={where / 'claims.json'}",
                             f"--claims-report={where / 'report'}")
            atomic.write_text(done, json.dumps({"spec": spec, "returncode": result.returncode,
                                                "stdout": result.stdout}))
    run = json.loads(done.read_text())
    result = subprocess.CompletedProcess([], run["returncode"], run["stdout"], "")
    return {"result": result, "spec": run["spec"], "dir": where,
            "payload": json.loads((where / "claims.json").read_text())}


@pytest.fixture(scope="module")
def flipped(tmp_path_factory, worker_id):
    """The default run (every property) of a flipped-kernel layer, run once."""
    return _run_once(tmp_path_factory, worker_id, "flipped-run", lambda where: _write(where, FLIPPED))


@pytest.mark.slow
def test_summary_names_the_implementation_and_its_broken_claims(flipped):
    result, spec, payload = flipped["result"], flipped["spec"], flipped["payload"]
    assert result.returncode == 1, result.stdout[-3000:]
    failing = [f for f in payload["failures"] if f["outcome"] == "failed"]
    assert failing, payload["run"]
    summary = _section(result.stdout, "failing properties, by implementation and claim")
    assert 0 < len(summary) <= 20, summary
    assert summary[0].startswith(f"{spec}: {len(failing)} failing properties")
    broken = {f["claims"][0] for f in failing}
    for claim in broken:
        assert any(line.startswith(f"  {claim}: {BY_ID[claim].title}") for line in summary), claim
    assert len([line for line in summary if line.startswith("    ")]) == len(failing)
    # the article's own refutations are apart, under their heading, never among the failures
    refuted = _section(result.stdout, "the article's wording, refuted as expected (these pass)")
    refuting = [c["id"] for c in payload["claims"] if c["counterexamples"]]
    assert refuting
    starts = [line for line in refuted if not line.startswith("    ")]  # wrapped lines indent
    assert len(starts) == len(refuting), refuted
    blocks = _failure_blocks(result.stdout)
    assert len(blocks) == len(failing)
    for line in (line for block in blocks.values() for line in block):
        assert "refuted" not in line
        assert "counterexample to" not in line
    counts = payload["run"]["counts"]
    assert f"properties: {counts['passed']} passed, {len(failing)} failed, 0 crashed, " \
           "0 interrupted, 0 never ran" in result.stdout


@pytest.mark.slow
def test_each_failure_is_a_few_lines_with_one_replay_and_one_snippet(flipped):
    result = flipped["result"]
    blocks = _failure_blocks(result.stdout)
    assert blocks
    for name, lines in blocks.items():
        text = "\n".join(lines)
        assert len([line for line in lines if line.strip()]) <= 6, (name, text)
        assert text.count("replay:  python -m pytest ") == 1, text
        assert text.count("snippet: ") == 1, text
        assert lines[0].startswith(f"{flipped['spec']}, claim "), text
        assert "Traceback" not in text
        assert "def test_" not in text
    failures_part = result.stdout.split("= FAILURES =", 1)[1].split("= claims =", 1)[0]
    assert len(failures_part.splitlines()) <= 8 * len(blocks)


def _replays_the_same_failure(failure: dict, out) -> None:
    """The failure's replay command, run as printed from the run's directory under the
    dev profile (random seeds: only the pin can bring the example back), fails again on
    the same example, for the same reason."""
    args = shlex.split(failure["replay"])
    assert args[:3] == ["python", "-m", "pytest"]
    again = subprocess.run([sys.executable, *args[1:], "-p", "no:warnings",
                            f"--claims-json={out}"], cwd=ROOT, capture_output=True,
                           text=True, timeout=300,
                           env={**os.environ, "HYPOTHESIS_PROFILE": "dev"})
    assert again.returncode == 1, again.stdout[-3000:]
    [replayed] = json.loads(out.read_text())["failures"]
    assert replayed["nodeid"] == failure["nodeid"]
    assert replayed["example"]["calls"] == failure["example"]["calls"]
    assert replayed["reason"] == failure["reason"]


@pytest.mark.slow
def test_replay_commands_fail_again_on_the_same_example(flipped, tmp_path):
    """Each replay command, run as printed from the directory of the run, fails again,
    on the same example: the implementation sees the same inputs."""
    failing = [f for f in flipped["payload"]["failures"] if f["outcome"] == "failed"]
    pinned = [f for f in failing if "--convproof-replay" in f["replay"]]
    assert pinned
    for n, failure in enumerate(pinned[:3]):
        _replays_the_same_failure(failure, tmp_path / f"replay{n}.json")


@pytest.mark.slow
def test_snippets_run_alone_and_show_the_discrepancy(flipped, tmp_path):
    """Each snippet imports numpy and the implementation only, and, run alone in another
    directory, exits 1 naming the discrepancy."""
    failing = [f for f in flipped["payload"]["failures"] if f["outcome"] == "failed"]
    assert all(f["snippet"] for f in failing)
    for failure in failing:
        text = failure["snippet"]
        imports = [line for line in text.splitlines() if re.match(r"(import|from) ", line)]
        assert imports == ["import importlib.util", "import numpy as np"], imports
        path = tmp_path / "snippet.py"
        path.write_text(text)
        ran = subprocess.run([sys.executable, "-I", str(path)], cwd=tmp_path,
                             capture_output=True, text=True, timeout=60)
        assert ran.returncode == 1, (failure["nodeid"], ran.stdout, ran.stderr)
        assert "DISCREPANCY:" in ran.stdout, ran.stdout
        assert "differs at" in ran.stdout or "exceeds the error bound" in ran.stdout


@pytest.mark.slow
def test_json_carries_each_failure_as_data(flipped):
    payload = flipped["payload"]
    assert list(payload)[:2] == ["run", "failures"]
    failing = [f for f in payload["failures"] if f["outcome"] == "failed"]
    assert len(failing) == sum(c["failed"] for c in payload["claims"] if c["tests"]) - sum(
        # a property naming two claims counts in both rows
        len(f["claims"]) - 1 for f in failing)
    for f in failing:
        assert f["message"].startswith(f"{flipped['spec']}, claim {f['claims'][0]}: ")
        assert f["replay"]
        assert f["snippet"]
        calls = f["example"]["calls"]
        assert calls, f["nodeid"]
        for call in calls:
            for key in ("x", "V", "output"):
                array = call[key]
                assert np.asarray(array["values"]).shape == tuple(array["shape"]), key
                assert array["dtype"] == "float64"
            assert call["padding"] in ("zeros", "valid", "circular")
            assert isinstance(call["u"], float)
    tests = [t for c in payload["claims"] for t in c["tests"] if t["outcome"] == "failed"]
    assert all(t["message"] and t["replay"] for t in tests)


class _Failures(HTMLParser):
    """index.html: the order of sections, and per failure its replay and example arrays."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.order: list[str] = []
        self.failures: dict[str, dict] = {}
        self._current: dict | None = None
        self._in: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "section":
            self.order.append(a.get("id", ""))
        if tag == "div" and a.get("class") == "failure":
            self._current = {"replay": "", "arrays": []}
            self.failures[a["data-nodeid"]] = self._current
        if self._current is not None and tag == "code" and a.get("class") == "replay":
            self._in = "replay"
        if self._current is not None and tag == "table" and a.get("class") == "example-array":
            self._current["arrays"].append(a["data-name"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "code":
            self._in = None
        if tag == "div":
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._in == "replay" and self._current is not None:
            self._current["replay"] += data


@pytest.mark.slow
def test_report_leads_with_the_failures(flipped):
    directory, payload = flipped["dir"] / "report", flipped["payload"]
    page = _Failures((directory / "index.html").read_text(encoding="utf-8"))
    assert page.order[0] == "failures", page.order[:3]
    failing = [f for f in payload["failures"] if f["outcome"] == "failed"]
    for f in failing:
        shown = page.failures[f["nodeid"]]
        assert shown["replay"] == f["replay"]
        assert "call 1: x" in shown["arrays"], shown
        assert "call 1: V" in shown["arrays"], shown
        name = failures.snippet_name(f["nodeid"])
        assert (directory / "snippets" / name).read_text() == f["snippet"]
    markdown = (directory / "report.md").read_text(encoding="utf-8")
    assert markdown.index("## Failures") < markdown.index('<a id="')
    for f in failing:
        assert f["replay"] in markdown


@pytest.mark.slow
def test_full_tracebacks_on_request_and_the_evidence_still_kept(tmp_path):
    spec = _write(tmp_path, FLIPPED)
    node = "properties/test_convolution.py::test_layer_is_scipy_cross_correlation"
    out = tmp_path / "claims.json"
    result = _pytest(f"{node}[{spec}]", "--impl", spec, "--tb=long", f"--claims-json={out}")
    assert result.returncode == 1
    assert "def test_layer_is_scipy_cross_correlation" in result.stdout
    assert "replay:  python -m pytest" not in result.stdout
    [failure] = json.loads(out.read_text())["failures"]
    assert "--convproof-replay" in failure["replay"]
    assert failure["example"]["calls"]


# --- a conv-contract implementation with one bug, end to end ----------------------------

CONV_PROPERTY_FILES = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("properties/test_conv_*.py"))


@pytest.fixture(scope="module")
def strided_conv(tmp_path_factory, worker_id):
    """``pytest properties/test_conv_*.py --impl strided.py:conv``, run once."""
    run = _run_once(tmp_path_factory, worker_id, "strided-conv-run",
                    lambda where: _write(where, CONV_STRIDE_FIRST_AXIS, "strided.py", "conv"),
                    *CONV_PROPERTY_FILES)
    return {**run, "failing": [f for f in run["payload"]["failures"] if f["outcome"] == "failed"]}


@pytest.mark.slow
def test_conv_summary_names_the_implementation_and_its_broken_claims(strided_conv):
    result, spec, failing = strided_conv["result"], strided_conv["spec"], strided_conv["failing"]
    assert result.returncode == 1, result.stdout[-3000:]
    assert failing
    # the bug is in the 2-D and 3-D strides: no 1-D property fails
    assert all("-1d" not in f["nodeid"] for f in failing)
    assert any("conv-2d" in f["nodeid"] for f in failing)
    summary = _section(result.stdout, "failing properties, by implementation and claim")
    assert summary[0] == f"{spec}: {len(failing)} failing properties", summary[:3]
    broken = {f["claims"][0] for f in failing}
    assert {"conv-cross-correlation", "conv-stride-resolution"} <= broken
    for claim in broken:
        assert any(line.startswith(f"  {claim}: {BY_ID[claim].title}") for line in summary), claim
    assert len([line for line in summary if line.startswith("    ")]) == len(failing)
    assert len(summary) == 1 + len(broken) + len(failing)
    for f in failing:
        assert f["message"].startswith(f"{spec}, claim {f['claims'][0]}: "), f["message"]
        assert f"{spec}  " not in f["message"]


@pytest.mark.slow
def test_conv_failures_carry_their_calls_as_data(strided_conv):
    for f in strided_conv["failing"]:
        calls = f["example"]["calls"]
        assert calls, f["nodeid"]
        for call in calls:
            assert call["contract"] == "conv"
            assert call["impl"] == strided_conv["spec"]
            for key in ("x", "w"):
                assert np.asarray(call[key]["values"]).shape == tuple(call[key]["shape"])
            assert set(call["kwargs"]) == {"stride", "padding", "dilation", "groups",
                                           "padding_mode"}
        stride = calls[0]["kwargs"]["stride"]
        assert max(stride[1:], default=1) > 1, (f["nodeid"], stride)  # the bug's input


@pytest.mark.slow
def test_conv_replay_commands_fail_again_on_the_same_example(strided_conv, tmp_path):
    """Each replay command, run as printed, fails again with the same conv calls."""
    pinned = [f for f in strided_conv["failing"] if "--convproof-replay" in f["replay"]]
    assert len(pinned) == len(strided_conv["failing"])
    for n, failure in enumerate(pinned[::9]):  # a few, across the property modules
        _replays_the_same_failure(failure, tmp_path / f"replay{n}.json")


def _run_snippet(text: str, directory: Path) -> subprocess.CompletedProcess:
    path = directory / "snippet.py"
    path.write_text(text)
    return subprocess.run([sys.executable, "-I", str(path)], cwd=directory, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.slow
def test_conv_snippets_run_alone_and_show_the_discrepancy(strided_conv, tmp_path):
    """Each snippet imports numpy and the implementation's file only, calls it with the
    contract's keywords, and exits 1 naming the discrepancy."""
    for failure in strided_conv["failing"]:
        text = failure["snippet"]
        imports = [line for line in text.splitlines() if re.match(r"(import|from) ", line)]
        assert imports == ["import importlib.util", "import numpy as np"], imports
        assert "y = conv(x, w, b, **kw)" in text
        ran = _run_snippet(text, tmp_path)
        assert ran.returncode == 1, (failure["nodeid"], ran.stdout, ran.stderr)
        assert "DISCREPANCY:" in ran.stdout, ran.stdout
        assert "has shape" in ran.stdout, ran.stdout  # the bug: a shape of stride 1


@pytest.mark.slow
def test_conv_report_shows_each_failure(strided_conv):
    directory = strided_conv["dir"] / "report"
    page = _Failures((directory / "index.html").read_text(encoding="utf-8"))
    assert page.order[0] == "failures", page.order[:3]
    for f in strided_conv["failing"]:
        shown = page.failures[f["nodeid"]]
        assert shown["replay"] == f["replay"]
        named = {a.partition("[")[0] for a in shown["arrays"]}  # x[0, 0]: a 2-D slice
        assert {"call 1: x", "call 1: w"} <= named, shown
        assert (directory / "snippets" / failures.snippet_name(f["nodeid"])).read_text() == f["snippet"]


def _conv_example(conv, x, w, b, spec, g=None) -> evidence.Example:
    """The record of one harness call of ``conv`` (of its vjp with ``g``), as a property
    leaves it: the implementation's failure to meet the contract's checks is kept."""
    from convproof.harness import call_conv, call_vjp

    example = evidence.start()
    try:
        if g is None:
            call_conv(conv, x, w, b, spec)
        else:
            call_vjp(conv, x, w, b, g, spec)
    except AssertionError:
        pass
    finally:
        evidence.stop()
    return example


def _conv_file(directory: Path, source: str) -> str:
    (directory / "mine.py").write_text(textwrap.dedent(source))
    return "mine.py:conv"


@pytest.mark.parametrize("layout", ["contiguous", "channels-last", "fortran", "strided",
                                    "reversed", "read-only"])
def test_conv_snippet_of_a_wrong_value_in_every_layout(layout, tmp_path):
    """A conv reading x in memory order: the snippet rebuilds x in its layout, so that
    the wrong values come back (a channels-last view read as C order), and exits 1."""
    from convproof.properties.layouts import LAYOUTS, channels_last
    from convproof.reference import load
    from convproof.theory.conv import ConvSpec

    source = CONV_CORRECT.replace("    d = x.ndim - 2\n",
                                  "    d = x.ndim - 2\n    x = x.ravel(order='K').reshape(x.shape)\n")
    spec = _conv_file(tmp_path, source)
    conv = load(str(tmp_path / spec))
    conv = type(conv)(spec, conv.fn, conv.declares)
    made = LAYOUTS["transposed" if layout == "channels-last" else layout]
    x = made(np.arange(24.0).reshape(2, 3, 4) - 7, channels_last(3))
    w, b = np.array([[[1.0, 0.0], [2.0, -1.0], [0.0, 1.0]]]), np.array([2.0])
    example = _conv_example(conv, x, w, b, ConvSpec((2,), ((1, 0),), (1,), 1, "circular"))
    assert example.calls[0].layouts["x"] == layout
    text = snippet.snippet(example, conv, "header", tmp_path)
    ran = _run_snippet(text, tmp_path)
    # memory order is not C order there (ravel(order='K') undoes negative strides)
    wrong = layout in ("channels-last", "fortran")
    assert ran.returncode == (1 if wrong else 0), (layout, ran.stdout, ran.stderr)
    assert ("differs at" in ran.stdout) == wrong, ran.stdout
    assert "stride=" not in text
    assert "kw = {'stride': (2,), 'padding': ((1, 0),)" in text


def test_conv_snippet_of_a_backward_pass(tmp_path):
    """A conv whose backward pass averages g for dL/db: the snippet calls conv.vjp and
    names the wrong gradient."""
    from convproof.reference.conv_contract import as_conv
    from convproof.theory.conv import ConvSpec

    from tests.conv_mutants import vjp_bias_mean

    conv = as_conv("tests.conv_mutants:vjp_bias_mean", vjp_bias_mean)
    x, w = np.ones((2, 1, 3)), np.array([[[1.0, 2.0]]])
    g = np.array([[[1.0, -1.0]], [[2.0, 3.0]]])
    example = _conv_example(conv, x, w, None, ConvSpec((1,), ((0, 0),), (1,)), g)
    assert example.calls[0].vjp
    text = snippet.snippet(example, conv, "header", ROOT)
    assert "grads = conv.vjp(x, w, b, g, **kw)" in text
    ran = subprocess.run([sys.executable, "-c", text], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert ran.returncode == 1, (ran.stdout, ran.stderr)
    assert "conv.vjp's dL/db differs at 1 of 1 positions" in ran.stdout, ran.stdout
    assert "dL/dx differs" not in ran.stdout
    assert "dL/dw differs" not in ran.stdout


def test_conv_snippet_of_an_article_property(tmp_path):
    """An article property run on a conv (through reference.embedding): the snippet calls
    the conv as the embedding does, and a correct conv shows no discrepancy."""
    from convproof.reference import load
    from convproof.reference.embedding import article_layer

    from convproof.harness import call

    spec = _conv_file(tmp_path, CONV_CORRECT)
    conv = load(str(tmp_path / spec))
    layer = article_layer(type(conv)(spec, conv.fn, conv.declares))
    for V, padding in ((np.arange(9.0).reshape(3, 3), "circular"),
                       (np.arange(18.0).reshape(3, 3, 2, 1), "valid")):
        shape = (4, 5, *V.shape[2:3])
        x = np.arange(float(np.prod(shape))).reshape(shape)
        example = evidence.start()
        h = call(layer, x, V, 1.0, padding)
        evidence.stop()
        text = snippet.snippet(example, layer, "header", tmp_path)
        assert "def layer(x, V, u, padding):" in text
        ran = _run_snippet(text, tmp_path)
        assert ran.returncode == 0, (ran.stdout, ran.stderr)
        assert "no discrepancy" in ran.stdout
        assert h.shape == (x.shape[0] - 2 * (padding == "valid"), 3 if padding == "valid" else 5,
                           *V.shape[3:])


# --- the recorder, the snippet's literals, the summary: units ---------------------------


def test_watch_keeps_the_failing_examples_record():
    """Each call of a watched test starts a new record; the exception carries the record of
    the call that raised it, with the calls' inputs as they were before the call."""

    class Layer:
        name = "mine"

    def inner(x):
        call = evidence.begin_call(Layer(), x, np.eye(3), 0.0, "zeros")
        x[0, 0] = 99.0  # a layer that writes into its input
        evidence.returned(call, x * 2)
        if x.sum() > 100:
            raise AssertionError("too big")

    watched = evidence.watch(inner)
    assert evidence.watch(watched) is watched
    watched(x=np.zeros((2, 2)))
    with pytest.raises(AssertionError) as info:
        watched(x=np.ones((2, 2)) * 3)
    example = evidence.example_of(info.value)
    assert example is not None
    assert len(example.calls) == 1
    np.testing.assert_array_equal(example.calls[0].x, np.ones((2, 2)) * 3)
    assert evidence.current() is None
    data = evidence.example_data(example)
    assert data["calls"][0]["x"] == {"shape": [2, 2], "dtype": "float64",
                                     "layout": "contiguous", "values": [[3.0, 3.0], [3.0, 3.0]]}
    assert data["arguments"]["x"]["values"] == [[99.0, 3.0], [3.0, 3.0]]


def test_leaves_of_an_exception_group():
    a, b = AssertionError("a"), ValueError("b")
    group = ExceptionGroup("two", [a, ExceptionGroup("one", [b])])
    assert list(evidence.leaves(group)) == [a, b]


@pytest.mark.parametrize("layout", ["contiguous", "fortran", "strided", "reversed",
                                    "channels-last", "read-only"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_snippet_literals_rebuild_the_array(layout, dtype):
    a = np.array([[0.5, -1.0, np.inf], [np.nan, 1e-300, 3.0]], dtype=dtype)
    if layout == "channels-last":
        a = np.stack([a, -a])[None]  # (N, C, *n) = (1, 2, 2, 3)
    made = {"contiguous": a.copy(), "fortran": np.asfortranarray(a),
            "strided": np.repeat(a, 2, axis=-1)[..., ::2],
            "reversed": np.ascontiguousarray(a[::-1, ::-1])[::-1, ::-1],
            "channels-last": np.moveaxis(np.ascontiguousarray(np.moveaxis(a, 1, -1)), -1, 1),
            "read-only": a.copy()}[layout]
    made.flags.writeable = layout != "read-only"
    assert evidence.layout(made) == layout
    namespace = {"np": np}
    for helper in snippet._HELPER_SOURCE:
        exec(snippet._HELPER_SOURCE[helper], namespace)
    rebuilt = eval(snippet.literal(made, evidence.layout(made)), namespace)
    np.testing.assert_array_equal(rebuilt, a)
    assert rebuilt.dtype == a.dtype
    assert evidence.layout(rebuilt) == layout


def test_replay_command_quotes_the_node_id():
    class Config:
        rootpath = ROOT
        invocation_params = type("P", (), {"dir": ROOT / "tests"})

    command = failures.replay_command(Config, "properties/test_x.py::test_y[a b:c]", "a b:c",
                                      "6.1.0:AB==")
    assert shlex.split(command) == ["python", "-m", "pytest", "../properties/test_x.py::test_y[a b:c]",
                                    "--impl", "a b:c", "--convproof-replay", "6.1.0:AB=="]


def test_failure_lines_group_by_implementation_then_claim():
    def result(nodeid, impl, claims, outcome="failed", reason="r"):
        return Result(nodeid=nodeid, claims=claims, impl=impl, outcome=outcome,
                          evidence={"reason": reason})

    lines = failures.failure_lines([
        result("properties/test_a.py::t1[one]", "one", ["agreement"]),
        result("properties/test_b.py::t2[two]", "two", ["locality"], "crashed", "worker gw0"),
        result("properties/test_c.py::t3[one]", "one", ["locality", "agreement"]),
        result("properties/test_d.py::t4[one]", "one", ["agreement"], "passed"),
        result("properties/test_e.py::t5[one-2d]", "one", ["agreement"], reason="one vs loops"),
    ], width=200)
    assert lines == [
        "one: 3 failing properties",
        f"  locality: {BY_ID['locality'].title}",
        "    test_c.py::t3: r",
        f"  agreement: {BY_ID['agreement'].title}",
        "    test_a.py::t1: r",
        "    test_e.py::t5[2d]: vs loops",
        "two: 1 failing property",
        f"  locality: {BY_ID['locality'].title}",
        "    test_b.py::t2: crashed: worker gw0",
    ]


def test_headline_counts_every_outcome():
    results = [Result(nodeid=str(n), claims=["agreement"], outcome=o)
               for n, o in enumerate(["passed", "passed", "failed", "crashed", "interrupted",
                                      "not run", "not run", "skipped", "error"])]
    results.append(Result(nodeid="machinery", claims=[], outcome="failed"))
    assert failures.headline(failures.counts(results)) == (
        "properties: 2 passed, 1 failed, 1 crashed, 1 interrupted, 2 never ran, 1 errors "
        "(1 skipped)")


def test_captured_output_is_cut_to_its_head_and_tail():
    text = "a" * 10_000_000 + "END"
    cut = failures.truncated(text)
    assert len(cut) < failures.MAX_OUTPUT + 100
    assert cut.endswith("END")
    assert cut.startswith("a")
    assert "characters of output omitted" in cut


# --- writing: atomically, and a report directory never mixes two runs -----------------


def test_json_is_written_whole_or_not_at_all(tmp_path):
    path = tmp_path / "claims.json"
    atomic.write_text(path, '{"run": 1}\n')
    with pytest.raises(UnicodeEncodeError):
        atomic.write_text(path, '{"run": 2, "half": "\ud800"}\n')  # fails while writing
    assert path.read_text() == '{"run": 1}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["claims.json"]


def test_an_interrupted_report_leaves_the_previous_one(tmp_path, monkeypatch):
    """Ctrl-C while the figures are drawn (or while the files are written) leaves the
    previous report whole, and no staging directory behind."""
    from convproof import figures, figures_geometry

    payload = _small_payload()
    header = {"date": "2026-01-01T00:00:00+00:00", "command": "python -m pytest",
              "directory": str(ROOT), "profile": "ci", "seed": "derandomized"}
    directory = tmp_path / "report"
    monkeypatch.setattr(figures, "all_figures", lambda: [figures_geometry.parameter_counts])
    report.write_report(directory, payload, header)
    before = {p.name: p.read_bytes() for p in directory.iterdir()}

    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(figures, "all_figures", lambda: [interrupted])
    with pytest.raises(KeyboardInterrupt):
        report.write_report(directory, {**payload, "run": {**payload["run"], "exitstatus": 2}},
                            header)
    assert {p.name: p.read_bytes() for p in directory.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]

    def stop_writing(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(figures, "all_figures", lambda: [])
    monkeypatch.setattr(report, "render_markdown", stop_writing)
    with pytest.raises(KeyboardInterrupt):
        report.write_report(directory, payload, header)
    assert {p.name: p.read_bytes() for p in directory.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
    monkeypatch.undo()
    monkeypatch.setattr(figures, "all_figures", lambda: [])
    report.write_report(directory, payload, header)
    assert "parameter_counts.png" not in {p.name for p in directory.iterdir()}  # not mixed


def _small_payload() -> dict:
    from convproof.summary import rows, to_json

    run = {"impls": ["vectorized"], "args": [], "exitstatus": 0, "seconds": 1.0,
           "counts": dict.fromkeys(failures.OUTCOMES, 0)}
    return to_json(rows([]), run, {}, [])


# --- runs that end badly ----------------------------------------------------------------

EXITS = '''
import os

def layer(x, V, u, padding):
    """Ends the process it runs in, as a C extension's abort or a stray sys.exit would."""
    os._exit(0)

layer.error_model = "direct"
'''

SEGFAULTS = '''
import ctypes

def layer(x, V, u, padding):
    """Reads address 0: a segmentation fault."""
    return ctypes.string_at(0)

layer.error_model = "direct"
'''


@pytest.mark.slow
@pytest.mark.parametrize("source", [EXITS, SEGFAULTS], ids=["os._exit", "segfault"])
def test_a_crashed_workers_tests_are_crashed_and_the_rest_not_run(source, tmp_path):
    pytest.importorskip("xdist")
    spec = _write(tmp_path, source)
    out, directory = tmp_path / "claims.json", tmp_path / "report"
    result = _pytest("properties/test_agreement.py", "properties/test_locality.py",
                     "properties/test_dense.py", "--impl", spec, "-n", "2",
                     "--isolate", "none",  # in the worker itself: the worker crashes
                     "--max-worker-restart=1", f"--claims-json={out}",
                     f"--claims-report={directory}")
    assert result.returncode != 0, result.stdout[-3000:]
    payload = json.loads(out.read_text())
    counts = payload["run"]["counts"]
    assert counts["crashed"] >= 2, counts
    assert counts["not run"] >= 1, counts
    crashed = [f for f in payload["failures"] if f["outcome"] == "crashed"]
    assert len(crashed) == counts["crashed"]
    for f in crashed:
        assert "crashed" in f["message"]
        assert f["impl"] == spec
        assert f["claims"]
        assert f["replay"].startswith("python -m pytest ")
    unrun = [f for f in payload["failures"] if f["outcome"] == "not run"]
    assert len(unrun) == counts["not run"]
    assert all(f["claims"] for f in unrun)
    rows = {c["id"]: c for c in payload["claims"]}
    for f in crashed:
        assert rows[f["claims"][0]]["failed"] >= 1
    assert f"{counts['crashed']} crashed" in result.stdout
    assert f"{counts['not run']} never ran" in result.stdout
    html = (directory / "index.html").read_text(encoding="utf-8")
    assert "Every property that ran passed" not in html
    assert f"{counts['crashed']} crashed" in html
    for f in crashed + unrun:
        assert f'data-nodeid="{f["nodeid"]}" data-outcome="{f["outcome"]}"' in html


SLOW = '''
import pathlib
import time
from convproof.reference.vectorized import vectorized

def layer(x, V, u, padding):
    """Correct, but slow enough to be interrupted in the middle of a property; each call
    touches CALLED, so the test knows a property is under way."""
    pathlib.Path(CALLED).touch()
    time.sleep(0.05)
    return vectorized(x, V, u, padding)

layer.error_model = "direct"
'''


#: pytest, run as Ctrl-C reaches a foreground run: a shell starts a background job with
#: SIGINT ignored, and Python then installs no KeyboardInterrupt handler (Python library
#: reference, signal: "SIGINT is translated into a KeyboardInterrupt exception if the parent
#: process has not changed it"), so CI started in the background would never interrupt
CTRL_C_REACHES = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
                  "import pytest; sys.exit(pytest.main())")


@pytest.mark.slow
def test_ctrl_c_still_writes_the_json_and_the_report(tmp_path):
    called = tmp_path / "called"
    spec = _write(tmp_path, SLOW.replace("CALLED", repr(str(called))))
    out, directory, log = tmp_path / "claims.json", tmp_path / "report", tmp_path / "log"
    with log.open("w") as stdout:
        process = subprocess.Popen(
            [sys.executable, "-c", CTRL_C_REACHES, "-p", "no:warnings",
             "properties/test_agreement.py", "properties/test_dense.py", "--impl", spec,
             f"--claims-json={out}", f"--claims-report={directory}"],
            cwd=ROOT, stdout=stdout, stderr=subprocess.STDOUT, env=CI)
        deadline = time.monotonic() + 120
        while not called.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process.poll() is None, log.read_text()[-3000:]
        process.send_signal(signal.SIGINT)  # the first property has ~100 calls of 0.05 s to go
        assert process.wait(timeout=120) == 2, log.read_text()[-3000:]
    payload = json.loads(out.read_text())
    counts = payload["run"]["counts"]
    assert counts["interrupted"] == 1, counts
    assert counts["not run"] >= 1, counts
    assert payload["run"]["exitstatus"] == 2
    [running] = [f for f in payload["failures"] if f["outcome"] == "interrupted"]
    assert "test_agrees_with_the_loop_transcription" in running["nodeid"]
    html = (directory / "index.html").read_text(encoding="utf-8")
    assert "Every property that ran passed" not in html
    assert "The run did not finish" in html
    assert "1 interrupted" in log.read_text()


LOUD = FLIPPED.replace('    return h\n', '    print("x" * 100_000)\n    return h\n')


@pytest.mark.slow
def test_a_flood_of_output_is_cut_in_the_terminal_and_the_json(tmp_path):
    assert LOUD != FLIPPED
    spec = _write(tmp_path, LOUD)
    out = tmp_path / "claims.json"
    result = _pytest(f"properties/test_agreement.py::test_agrees_with_the_loop_transcription[{spec}]",
                     "--impl", spec, f"--claims-json={out}")
    assert result.returncode == 1, result.stdout[-2000:]
    assert "characters of output omitted" in result.stdout
    assert len(result.stdout) < 50_000
    [failure] = json.loads(out.read_text())["failures"]
    assert failures.MAX_OUTPUT // 2 < len(failure["output"]) < failures.MAX_OUTPUT + 200
    assert out.stat().st_size < 100_000


# --- option values checked at start ------------------------------------------------------


def _bad_values(tmp_path: Path) -> dict[str, tuple[list[str], dict]]:
    a_file = tmp_path / "a_file"
    a_file.write_text("not a directory\n")
    others = tmp_path / "others"
    others.mkdir()
    (others / "notes.txt").write_text("mine\n")
    return {
        "json is a directory": ([f"--claims-json={tmp_path}"], {}),
        "json under a file": ([f"--claims-json={a_file}/claims.json"], {}),
        "json where nothing can be written": (["--claims-json=/proc/convproof.json"], {}),
        "report is a file": ([f"--claims-report={a_file}"], {}),
        "report under a file": ([f"--claims-report={a_file}/report"], {}),
        "report where nothing can be written": (["--claims-report=/proc/convproof-report"], {}),
        "report over other files": ([f"--claims-report={others}"], {}),
        "unknown profile in the environment": ([], {"HYPOTHESIS_PROFILE": "nonexistent"}),
        "unknown --hypothesis-profile": (["--hypothesis-profile", "nonexistent"], {}),
        "replay that is no pin": (["--convproof-replay=nonsense"], {}),
    }


@pytest.mark.parametrize("case", [
    "json is a directory", "json under a file", "json where nothing can be written",
    "report is a file", "report under a file", "report where nothing can be written",
    "report over other files", "unknown profile in the environment",
    "unknown --hypothesis-profile", "replay that is no pin",
])
def test_bad_option_values_stop_the_run_at_once(case, tmp_path):
    args, env = _bad_values(tmp_path)[case]
    result = _pytest("properties/test_dense.py", *args, env={**CI, **env}, timeout=60)
    assert result.returncode == 4, (result.stdout[-2000:], result.stderr[-2000:])
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith("ERROR: "), result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "INTERNALERROR" not in result.stdout + result.stderr
    assert "passed" not in result.stdout
    assert "test_dense.py" not in result.stdout  # stopped before collecting: no test ran
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file", "others"]


def test_an_existing_output_path_given_apart_from_its_option(tmp_path):
    """pytest picks its rootdir before it knows the plugin's options: an existing path
    after ``--claims-json`` is taken for a test path. Say so, instead of running the
    checkout's tests from another rootdir without the configuration."""
    out = tmp_path / "claims.json"
    out.write_text("{}\n")
    result = _pytest("--claims-json", str(out), timeout=60)
    assert result.returncode == 4, result.stdout[-2000:]
    assert f"write --claims-json={out}" in result.stderr


@pytest.mark.slow
def test_evidence_travels_from_xdist_workers(tmp_path):
    """Under -n 2 the failures' evidence is built on the workers and reaches the
    controller's JSON whole, the same as a serial run's."""
    pytest.importorskip("xdist")
    spec = _write(tmp_path, FLIPPED)
    runs = {}
    for name, extra in (("serial", []), ("parallel", ["-n", "2"])):
        out = tmp_path / f"{name}.json"
        result = _pytest("properties/test_convolution.py", "properties/test_locality.py",
                         "--impl", spec, f"--claims-json={out}", *extra)
        assert result.returncode == 1, result.stdout[-3000:]
        runs[name] = {f["nodeid"]: f for f in json.loads(out.read_text())["failures"]}
    assert runs["serial"]
    assert sorted(runs["parallel"]) == sorted(runs["serial"])
    for nodeid, serial in runs["serial"].items():
        parallel = runs["parallel"][nodeid]
        for key in ("message", "replay", "example", "snippet"):
            assert parallel[key] == serial[key], (nodeid, key)
        assert parallel["example"]["calls"]


def test_an_error_in_setup_is_an_error_with_its_message(repo_copy, run_pytest):
    prop = repo_copy / "convproof" / "properties" / "test_zz_setup_error.py"
    prop.write_text(textwrap.dedent('''
        import pytest

        @pytest.fixture
        def broken():
            raise RuntimeError("the fixture broke")

        @pytest.mark.claim("dense-layer")
        def test_needs_the_fixture(broken):
            pass
    '''))
    out = repo_copy / "claims.json"
    result = run_pytest(str(prop), f"--claims-json={out}", cwd=repo_copy)
    assert result.returncode == 1, result.stdout[-2000:]
    [failure] = json.loads(out.read_text())["failures"]
    assert failure["outcome"] == "error"
    assert "the fixture broke" in failure["message"]
    assert "1 errors" in result.stdout
