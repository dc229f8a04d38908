"""The claims table: per-test results gathered into one row per claim (and implementation).

Pure functions of plain data, so they work the same on a serial run and on results an
xdist controller gathered from its workers.
"""

from __future__ import annotations

import platform
import sys
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


def render(table: list[ClaimRow]) -> list[str]:
    """The table as aligned text lines."""
    header = ("claim", "title", "verdict", "passed", "failed", "skipped", "examples")
    body = [
        (r.id, r.title, r.verdict, str(r.passed), str(r.failed), str(r.skipped), str(r.examples))
        for r in table
    ]
    widths = [max(len(line[c]) for line in [header, *body]) for c in range(len(header))]
    numeric = {3, 4, 5, 6}

    def fmt(line: tuple[str, ...]) -> str:
        cells = (
            cell.rjust(w) if c in numeric else cell.ljust(w)
            for c, (cell, w) in enumerate(zip(line, widths, strict=True))
        )
        return "  ".join(cells).rstrip()

    lines = [fmt(header), "  ".join("-" * w for w in widths)]
    lines += [fmt(line) for line in body]
    extensions = [r.id for r in table if r.kind == Kind.EXTENSION.value]
    if extensions:
        lines.append(f"  beyond the article (extensions): {', '.join(extensions)}")
    if OUT_OF_SCOPE:
        scope = "; ".join(f"{o.id} ({o.summary})" for o in OUT_OF_SCOPE)
        lines.append(f"  article sentences out of scope: {scope}")
    return lines


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


def render_side_by_side(table: dict, impls: list[str]) -> list[str]:
    """One column per implementation: passed/run per claim, FAIL when any failed,
    '-' when all were skipped (the implementation declares no support) or none concern it."""

    def cell(counts: dict | None) -> str:
        if not counts or counts["passed"] + counts["failed"] == 0:
            return "-"
        run = counts["passed"] + counts["failed"]
        text = f"{counts['passed']}/{run}"
        return f"FAIL {text}" if counts["failed"] else text

    header = ["claim", *impls]
    body = [[cid, *(cell(row.get(impl)) for impl in impls)] for cid, row in table.items()]
    widths = [max(len(line[c]) for line in [header, *body]) for c in range(len(header))]
    lines = ["  ".join(h.ljust(w) if c == 0 else h.rjust(w)
                       for c, (h, w) in enumerate(zip(header, widths, strict=True))).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for line in body:
        lines.append("  ".join(v.ljust(w) if c == 0 else v.rjust(w)
                               for c, (v, w) in enumerate(zip(line, widths, strict=True))).rstrip())
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
