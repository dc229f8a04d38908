"""A failed property as a person can act on it, and the run's failures in a few lines.

For each failed property, :func:`evidence_of` gathers, from the exception pytest caught,
the message naming the implementation and the claim, the minimal example as data
(convproof.evidence), the command that replays exactly that example, and a standalone
snippet (convproof.snippet); :func:`concise_repr` shows them in place of the traceback.
:func:`failure_lines` is the terminal's summary of a run: one line per failing property,
grouped by implementation, then by the first claim that broke; :func:`refutation_lines`
lists apart the counterexamples to the article's wording that the suite found as
expected (properties that passed).
"""

from __future__ import annotations

import os
import re
import shlex
import tempfile
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from convproof import evidence
from convproof.snippet import snippet
from convproof.summary import THEORY, ClaimRow, TestResult
from convproof.theory.claims import BY_ID, CLAIMS

#: Hypothesis's note on a failure: "... adding @reproduce_failure('VERSION', b'BLOB') ...".
REPRODUCE = re.compile(r"@reproduce_failure\('([^']+)', b'([^']+)'\)")
#: Outcomes that are a failure of the property (a crash and an error included).
FAILING = ("failed", "crashed", "error")
#: The headline's outcomes, in order.
OUTCOMES = ("passed", "failed", "crashed", "error", "interrupted", "not run", "skipped")
MAX_MESSAGE = 500
#: Characters of captured output kept per section of a failure report (head and tail).
MAX_OUTPUT = 4000

_snippet_dir: Path | None = None


def truncated(text: str, limit: int = MAX_OUTPUT) -> str:
    """``text`` cut to about ``limit`` characters, keeping its head and tail."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return (f"{text[:half]}\n... [{len(text) - 2 * half:,} characters of output omitted] ...\n"
            f"{text[-half:]}")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    line = text.splitlines()[0] if text else ""
    if not isinstance(exc, AssertionError):
        line = f"{type(exc).__name__}: {line}" if line else type(exc).__name__
    return line if len(line) <= MAX_MESSAGE else line[: MAX_MESSAGE - 3] + "..."


def _blob(exc: BaseException) -> str:
    """'VERSION:BLOB' of Hypothesis's reproduce note on ``exc``, or ''."""
    for note in getattr(exc, "__notes__", ()):
        match = REPRODUCE.search(note)
        if match:
            return f"{match.group(1)}:{match.group(2)}"
    return ""


def node_argument(config: pytest.Config, nodeid: str) -> str:
    """The node id as a command-line argument from the directory pytest was run in."""
    path, sep, rest = nodeid.partition("::")
    relative = os.path.relpath(config.rootpath / path, config.invocation_params.dir)
    return relative + sep + rest


def replay_command(config: pytest.Config, nodeid: str, impl: str, blob: str) -> str:
    """The one-line command that reruns this property on this implementation; with
    ``blob``, on exactly the failing example (without, the example is an explicit one,
    which every run tries first)."""
    args = ["python", "-m", "pytest", node_argument(config, nodeid)]
    if impl != THEORY:
        args += ["--impl", impl]
    if blob:
        args += ["--convproof-replay", blob]
    return shlex.join(args)


def _write_snippet(nodeid: str, text: str) -> str:
    """Write the snippet into this process's snippet directory (a fresh temporary
    directory, never the checkout); returns its path."""
    global _snippet_dir
    if _snippet_dir is None:
        _snippet_dir = Path(tempfile.mkdtemp(prefix="convproof-snippets-"))
    path = _snippet_dir / snippet_name(nodeid)
    path.write_text(text, encoding="utf-8")
    return str(path)


def snippet_name(nodeid: str) -> str:
    """A file name for the snippet of ``nodeid``."""
    path, _, rest = nodeid.partition("::")
    tail = f"{Path(path).stem}__{rest}"
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", tail).strip("_.")[:150] + ".py"


def evidence_of(item: pytest.Item, excinfo: pytest.ExceptionInfo | None, impl: str,
                claims: list[str]) -> dict[str, Any]:
    """What a failed property leaves as evidence: message, example (data and one line),
    replay command, snippet (text and file)."""
    exc = excinfo.value if excinfo is not None else None
    found = list(evidence.leaves(exc)) if exc is not None else []
    primary = next((e for e in found if evidence.example_of(e) is not None),
                   found[0] if found else None)
    example = evidence.example_of(primary) if primary is not None else None
    reason = _first_line(primary) if primary is not None else "failed"
    claim = claims[0] if claims else ""
    message = f"{impl}, claim {claim}: {reason}" if impl != THEORY else f"claim {claim}: {reason}"
    if len(found) > 1:
        message += f" (the first of {len(found)} distinct failures)"
    replay = replay_command(item.config, item.nodeid, impl,
                            _blob(primary) if primary is not None else "")
    params = getattr(item, "callspec", None) and item.callspec.params
    impl_under_test = params and (params.get("layer") or params.get("conv"))
    text = ""
    if example is not None and impl_under_test:
        title = BY_ID[claim].title if claim in BY_ID else ""
        header = (f"{impl} fails claim {claim!r} ({title}) of convproof.\n\n"
                  f"property: {item.nodeid}\nfailure:  {reason}\nreplay:   {replay}")
        try:
            text = snippet(example, impl_under_test, header, item.config.invocation_params.dir,
                           primary)
        except Exception as problem:  # the evidence must never hide the failure itself
            text = f"# the snippet could not be written: {type(problem).__name__}: {problem}\n"
    return {
        "message": message,
        "reason": reason,
        "example": evidence.example_data(example) if example is not None else {},
        "example_text": evidence.compact(example) if example is not None else "",
        "replay": replay,
        "snippet": text,
        "snippet_file": _write_snippet(item.nodeid, text) if text else "",
    }


def concise_repr(failure: dict[str, Any]) -> str:
    """A failed property in a few lines, in place of its traceback: message, example,
    replay command, snippet."""
    lines = [failure["message"]]
    if failure["example_text"]:
        lines.append(f"  example: {failure['example_text']}")
    lines.append(f"  replay:  {failure['replay']}")
    if failure["snippet_file"]:
        lines.append(f"  snippet: {failure['snippet_file']} (python it: needs numpy and the "
                     "implementation only)")
    lines.append("  (the full traceback: rerun with --tb=long)")
    return "\n".join(lines)


def concise(config: pytest.Config) -> bool:
    """Whether failures are shown concisely: unless the user asked for tracebacks."""
    return config.getoption("tbstyle", "auto") in ("auto", "short") and config.get_verbosity() < 2


# --- the run's summary --------------------------------------------------------------


def counts(results: Iterable[TestResult]) -> dict[str, int]:
    """How many properties (tests naming a claim) ended in each outcome."""
    found = dict.fromkeys(OUTCOMES, 0)
    for result in results:
        if result.claims:
            found[result.outcome] = found.get(result.outcome, 0) + 1
    return found


def headline(found: dict[str, int]) -> str:
    """The run in one line: exactly how many properties passed, failed, crashed, were
    interrupted or never ran (errors and skips when there are any)."""
    text = (f"{found['passed']} passed, {found['failed']} failed, {found['crashed']} crashed, "
            f"{found['interrupted']} interrupted, {found['not run']} never ran")
    if found["error"]:
        text += f", {found['error']} errors"
    if found["skipped"]:
        text += f" ({found['skipped']} skipped)"
    return f"properties: {text}"


def _fit(line: str, width: int) -> str:
    return line if len(line) <= width else line[: width - 3] + "..."


def _short(result: TestResult) -> str:
    """The property's node id without the properties/ folder and the implementation's id."""
    nodeid = result.nodeid.removeprefix("properties/")
    for old, new in ((f"[{result.impl}]", ""), (f"[{result.impl}-", "["), (f"-{result.impl}]", "]")):
        nodeid = nodeid.replace(old, new)
    return nodeid


def failure_lines(results: Iterable[TestResult], width: int = 120) -> list[str]:
    """One line per failing property, grouped by implementation, then by the first claim
    each names (in registry order); a property's line is cut to ``width``, the headings
    are not."""
    failing = [r for r in results if r.outcome in FAILING and r.claims]
    order = {c.id: n for n, c in enumerate(CLAIMS)}
    lines = []
    for impl in dict.fromkeys(r.impl for r in failing):
        mine = [r for r in failing if r.impl == impl]
        lines.append(f"{impl}: {len(mine)} failing {'property' if len(mine) == 1 else 'properties'}")
        for claim in sorted({r.claims[0] for r in mine}, key=lambda c: order.get(c, len(order))):
            title = BY_ID[claim].title if claim in BY_ID else ""
            lines.append(f"  {claim}: {title}")
            for r in (r for r in mine if r.claims[0] == claim):
                reason = r.evidence.get("reason") or r.message
                reason = reason.replace(f"{impl}: ", "").replace(f"{impl} ", "")
                outcome = "" if r.outcome == "failed" else f"{r.outcome}: "
                lines.append(_fit(f"    {_short(r)}: {outcome}{' '.join(reason.split())}", width))
    return lines


def refutation_lines(table: list[ClaimRow], width: int | None = None) -> list[str]:
    """The minimal counterexamples to the article's wording (claims false as stated or
    holding only under conditions), in full, each wrapped to ``width`` (when given)."""
    lines = []
    for r in table:
        for cx in r.counterexamples:
            text = f"  {r.id}: {' '.join(cx.split())}"
            lines += textwrap.wrap(text, width, subsequent_indent="    ") if width else [text]
    return lines
