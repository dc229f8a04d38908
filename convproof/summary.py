"""The claims table: per-test results gathered into one row per claim (and implementation).

Pure functions of plain data, so they work the same on a serial run and on results an
xdist controller gathered from its workers.
"""

from __future__ import annotations

import platform
import sys
import textwrap
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields

from convproof.theory.claims import CLAIMS, OUT_OF_SCOPE, Claim, Kind

#: The implementation column of tests that do not run a layer (theory-only properties).
THEORY = "theory"


@dataclass
class TestResult:
    """What one test (one node id) contributed."""

    nodeid: str
    claims: list[str]
    impl: str = THEORY
    outcome: str = "passed"  # passed, failed, skipped, crashed, error, interrupted, not run
    examples: int = 0
    duration: float = 0.0
    counterexample: str = ""
    message: str = ""
    replay: str = ""
    #: a failure's evidence (convproof.failures.evidence_of): example, snippet, output
    evidence: dict = field(default_factory=dict)

    def entry(self) -> dict:
        """The result as a claim's ``tests`` entry of the JSON (without the evidence,
        which the payload's ``failures`` carries once)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "evidence"}


#: Which column of the table each outcome counts in: a crash or an error fails the
#: property; a property interrupted or never run is not run.
COUNTED_AS = {"passed": "passed", "failed": "failed", "crashed": "failed", "error": "failed",
              "skipped": "skipped", "interrupted": "not_run", "not run": "not_run"}


@dataclass
class ClaimRow:
    """One row of the claims table."""

    id: str
    title: str
    verdict: str
    kind: str = Kind.ARTICLE.value
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    not_run: int = 0
    examples: int = 0
    tests: list[dict] = field(default_factory=list)
    counterexamples: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        if self.failed:
            return "failed"
        if self.passed:
            return "passed"
        return "skipped" if self.skipped else "not run"


def rows(results: Iterable[TestResult], claims: Iterable[Claim] = CLAIMS) -> list[ClaimRow]:
    """One row per claim, in registry order, counting the tests that name it."""
    table = {c.id: ClaimRow(id=c.id, title=c.title, verdict=c.verdict.value, kind=c.kind.value)
             for c in claims}
    for result in results:
        for cid in result.claims:
            row = table.get(cid)
            if row is None:
                continue
            column = COUNTED_AS.get(result.outcome, "failed")
            setattr(row, column, getattr(row, column) + 1)
            row.examples += result.examples
            row.tests.append(result.entry())
            if result.counterexample and result.counterexample not in row.counterexamples:
                row.counterexamples.append(result.counterexample)
    return list(table.values())


#: Shorter verdicts for a terminal too narrow for the full ones (the JSON keeps them).
SHORT_VERDICTS = {"holds under conditions": "conditional", "false as stated": "false"}
#: The narrowest title column worth showing; below it the title is left out.
MIN_TITLE = 16


def _aligned(header: list[str], body: list[list[str]], numeric: set[int]) -> list[str]:
    """Header, rule and body as columns two spaces apart, numbers right-aligned."""
    widths = [max(len(line[c]) for line in [header, *body]) for c in range(len(header))]

    def fmt(line: list[str]) -> str:
        return "  ".join(cell.rjust(w) if c in numeric else cell.ljust(w)
                         for c, (cell, w) in enumerate(zip(line, widths, strict=True))).rstrip()

    return [fmt(header), "  ".join("-" * w for w in widths), *(fmt(line) for line in body)]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def shown(table: list[ClaimRow]) -> list[ClaimRow]:
    """The rows of the claims a run selected (a test of it passed, failed or skipped)."""
    return [r for r in table if r.passed + r.failed + r.skipped]


def render(table: list[ClaimRow], width: int | None = None, short: bool = False) -> list[str]:
    """The table as aligned text lines, no wider than ``width`` (when given): the title is
    cut short, then left out, then the verdicts shortened, and minimal counterexamples
    wrapped; ``short`` (pytest -q) leaves the title out."""
    numbers = ("passed", "failed", "skipped", "examples")

    def lines(title: int | None, verdict: dict[str, str]) -> list[str]:
        header = ["claim", *(["title"] if title else []), "verdict", *numbers]
        body = [[r.id, *([_clip(r.title, title)] if title else []), verdict.get(r.verdict, r.verdict),
                 *(str(getattr(r, n)) for n in numbers)] for r in table]
        first = len(header) - len(numbers)
        return _aligned(header, body, set(range(first, len(header))))

    limit = width or 10**6
    title = None if short else max([len(r.title) for r in table], default=0)
    out = lines(title, {})
    if title and len(out[1]) > limit:
        title -= len(out[1]) - limit
        out = lines(title if title >= MIN_TITLE else None, {})
    if len(out[1]) > limit:
        out = lines(None, SHORT_VERDICTS)
    # the counterexamples to the article's wording print apart (convproof.failures)
    extensions = [r.id for r in table if r.kind == Kind.EXTENSION.value]
    notes = [f"  beyond the article (extensions): {', '.join(extensions)}"] if extensions else []
    if OUT_OF_SCOPE:
        scope = "; ".join(f"{o.id} ({o.summary})" for o in OUT_OF_SCOPE)
        notes.append(f"  article sentences out of scope: {scope}")
    for note in notes:
        out += textwrap.wrap(note, limit, subsequent_indent="    ")
    return out


def by_impl(results: Iterable[TestResult], claims: Iterable[Claim] = CLAIMS) -> dict:
    """{claim id: {implementation: {"passed": n, "failed": n, "skipped": n}}} for the
    tests that run an implementation (not the theory-only ones)."""
    table: dict = {c.id: {} for c in claims}
    for result in results:
        if result.impl == THEORY:
            continue
        for cid in result.claims:
            if cid in table:
                cell = table[cid].setdefault(
                    result.impl, {"passed": 0, "failed": 0, "skipped": 0}
                )
                column = COUNTED_AS.get(result.outcome, "failed")
                if column in cell:  # a property never run counts in no cell
                    cell[column] += 1
    return table


def abbreviations(impls: list[str], limit: int = 16) -> dict[str, str]:
    """A column heading of at most ``limit`` characters for each implementation name: a
    file's path left out (path/to/conv.py:layer -> conv.py:layer), then the end cut short."""
    short: dict[str, str] = {}
    for name in impls:
        target, colon, fn = name.rpartition(":")
        base = f"{target.replace(chr(92), '/').rsplit('/', 1)[-1]}{colon}{fn}" if colon else name
        heading = _clip(base, limit)
        k = 1
        while heading in short.values():  # two names that cut short alike
            k += 1
            heading = _clip(base, limit - len(str(k))) + str(k)
        short[name] = heading
    return short


def render_side_by_side(table: dict, impls: list[str], width: int | None = None) -> list[str]:
    """One column per implementation: passed/run per claim, FAIL when any failed,
    '-' when all were skipped (the implementation declares no support).

    Only the claims some implementation ran a test of have a row (theory-only claims are
    in the claims table). Names longer than a column are abbreviated (a legend follows),
    and when the columns do not fit in ``width`` they are split over several tables."""

    def cell(counts: dict | None) -> str:
        if not counts or counts["passed"] + counts["failed"] == 0:
            return "-"
        run = counts["passed"] + counts["failed"]
        text = f"{counts['passed']}/{run}"
        return f"FAIL {text}" if counts["failed"] else text

    heading = abbreviations(impls)
    claims = [cid for cid, row in table.items() if any(row.get(impl) for impl in impls)]
    if not claims:
        return []
    columns = {impl: [cell(table[cid].get(impl)) for cid in claims] for impl in impls}
    first = max([len("claim"), *map(len, claims)])
    limit = width or 10**6
    groups: list[list[str]] = [[]]
    used = first
    for impl in impls:
        need = 2 + max(len(heading[impl]), *map(len, columns[impl] or [""]))
        if groups[-1] and used + need > limit:
            groups.append([])
            used = first
        groups[-1].append(impl)
        used += need
    lines: list[str] = []
    for group in groups:
        if lines:
            lines.append("")
        body = [[cid, *(columns[impl][k] for impl in group)] for k, cid in enumerate(claims)]
        lines += _aligned(["claim", *(heading[impl] for impl in group)], body,
                          set(range(1, len(group) + 1)))
    for impl in impls:
        if heading[impl] != impl:
            lines += textwrap.wrap(f"{heading[impl]}: {impl}", limit, subsequent_indent="    ")
    return lines


def versions() -> dict[str, str]:
    """Versions of what the verdicts depend on."""
    import hypothesis
    import numpy
    import pytest
    import scipy

    found = {
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "hypothesis": hypothesis.__version__,
        "pytest": pytest.__version__,
    }
    torch = sys.modules.get("torch")  # reported only when a run imported it
    if torch is not None:
        found["torch"] = torch.__version__
    return found


def to_json(table: list[ClaimRow], run: dict, impls: dict | None = None,
            failures: list[dict] | None = None) -> dict:
    """The claims table as a JSON-ready dict (one entry per claim); ``impls`` is the
    :func:`by_impl` table, included per claim as ``by_impl``; ``failures``, every property
    that failed, crashed, errored, was interrupted or never ran, with its evidence."""
    impls = impls or {}
    return {
        "run": run,
        "failures": failures or [],
        "versions": versions(),
        "claims": [
            {
                "id": r.id,
                "title": r.title,
                "verdict": r.verdict,
                "kind": r.kind,
                "outcome": r.outcome,
                "passed": r.passed,
                "failed": r.failed,
                "skipped": r.skipped,
                "not_run": r.not_run,
                "examples": r.examples,
                "counterexamples": r.counterexamples,
                "by_impl": impls.get(r.id, {}),
                "tests": r.tests,
            }
            for r in table
        ],
        "out_of_scope": [asdict(o) for o in OUT_OF_SCOPE],
    }
