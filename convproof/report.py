"""The executable-proof report: ``pytest --claims-report DIR``.

One page per run that a reader can cite. :func:`write_report` writes into DIR

* ``index.html``: self-contained (CSS inline, figures as base64 PNG data URIs);
* ``report.md``: the same in Markdown, figures linked relatively;
* ``claims.json``: exactly the payload ``--claims-json`` writes;
* one PNG per figure of convproof/figures.py;
* ``snippets/``: each failure's standalone reproduction (convproof.snippet).

A failing run's report leads with its failures: for each property that failed, crashed,
errored, was interrupted or never ran, the message, the replay command, the example's
arrays and the snippet.

Per claim (anchor = the claim id): the article's words, the precise statement, the
verdict and corrected statement (theory.claims), the evidence of this run (each test's
node id, implementation, outcome, examples and duration; the exhaustive scope; the seed),
the minimal counterexamples that convproof.harness.refute recorded, shown as arrays,
and the figures that illustrate it. Claims whose properties failed come first.

Everything about the run comes from the payload, which the plugin builds from the
reports' ``user_properties``, so a pytest-xdist controller writes the same report as a
serial run; the header (:func:`run_header`) only reads the controller's options.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from convproof.atomic import build_directory
from convproof.failures import snippet_name
from convproof.report_model import ClaimView, ordered, parse_counterexample
from convproof.report_render import render_html, render_markdown
from convproof.theory.claims import BY_ID


@dataclass
class ReportFiles:
    """Where :func:`write_report` wrote, and what it could not draw."""

    index: Path
    markdown: Path
    claims_json: Path
    figures: list[Path]
    problems: list[str]


def run_header(config: pytest.Config) -> dict[str, str]:
    """What was run, from the controller's options: date, profile, seed, directory and
    the command that reproduces the run."""
    from hypothesis import settings

    # public in recent Hypothesis; older releases (the suite allows >= 6.100) keep it private
    current = getattr(settings, "get_current_profile_name", None)
    profile = current() if current else str(getattr(settings, "_current_profile", "unknown"))
    args = list(config.invocation_params.args)
    seed = config.getoption("hypothesis_seed", default=None)
    if settings.default.derandomize:
        seed_text = f"derandomized (profile {profile}: each test's seed is fixed by the test)"
    elif seed is not None:
        seed_text = str(seed)
    else:
        seed_text = (f"random per test (profile {profile}); to repeat the same examples run "
                     "with --hypothesis-seed=N or HYPOTHESIS_PROFILE=ci")
    if not any(arg.startswith("--hypothesis-profile") for arg in args):
        args.append(f"--hypothesis-profile={profile}")
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": shlex.join(["python", "-m", "pytest", *args]),
        "directory": str(config.invocation_params.dir),
        "profile": profile,
        "seed": seed_text,
    }


def draw_figures() -> tuple[list[tuple[str, tuple[str, ...], str, bytes]], list[str]]:
    """Every figure as (name, claim ids, caption, PNG bytes); a figure that cannot be
    drawn is reported as a problem instead of stopping the report."""
    from convproof.figures import all_figures

    drawn, problems = [], []
    for make in all_figures():
        try:
            plot = make()
            drawn.append((plot.name, plot.claims, plot.caption, plot.png()))
        except Exception as exc:  # one broken figure must not lose the run's report
            problems.append(f"figure {make.__name__} could not be drawn: {type(exc).__name__}: {exc}")
    return drawn, problems


def payload_text(payload: dict[str, Any]) -> str:
    """The JSON text of the payload, formatted as ``--claims-json`` writes it."""
    return json.dumps(payload, indent=2) + "\n"


def write_report(directory: Path, payload: dict[str, Any], header: dict[str, str]) -> ReportFiles:
    """Write index.html, report.md, claims.json, the figures' PNGs and each failure's
    snippet (snippets/NAME.py) into ``directory``; ``payload`` is the claims JSON of the
    run, ``header`` is :func:`run_header`.

    The directory is built beside ``directory`` and then takes its place
    (convproof.atomic), so it never mixes two runs, even when the run is stopped while
    the figures are drawn."""
    directory = Path(directory)
    drawn, problems = draw_figures()
    views = []
    for row in ordered(payload):
        views.append(ClaimView(
            claim=BY_ID[row["id"]],
            row=row,
            counterexamples=[parse_counterexample(cx) for cx in row["counterexamples"]],
            figures=[(name, caption, png) for name, claims, caption, png in drawn
                     if row["id"] in claims],
        ))
    snippets = {f["nodeid"]: snippet_name(f["nodeid"])
                for f in payload.get("failures", []) if f.get("snippet")}

    def build(staging: Path) -> None:
        for name, _, _, png in drawn:
            (staging / f"{name}.png").write_bytes(png)
        if snippets:
            (staging / "snippets").mkdir()
        for failure in payload.get("failures", []):
            if failure["nodeid"] in snippets:
                (staging / "snippets" / snippets[failure["nodeid"]]).write_text(
                    failure["snippet"], encoding="utf-8")
        (staging / "claims.json").write_text(payload_text(payload), encoding="utf-8")
        (staging / "index.html").write_text(
            render_html(views, payload, header, problems, snippets), encoding="utf-8")
        (staging / "report.md").write_text(
            render_markdown(views, payload, header, problems, snippets), encoding="utf-8")

    build_directory(directory, build)
    return ReportFiles(index=directory / "index.html", markdown=directory / "report.md",
                       claims_json=directory / "claims.json",
                       figures=[directory / f"{name}.png" for name, *_ in drawn],
                       problems=problems)
