"""The report's two renderings: one self-contained HTML page and the same in Markdown.

Both take the :class:`convproof.report_model.ClaimView` list (failing claims first), the claims
payload and the run header, and show the same things in the same order. The HTML carries
``data-`` attributes (claim id, verdict, outcome, node id, figure name) so that tests can
read the page with html.parser instead of matching text.
"""

from __future__ import annotations

import base64
from html import escape
from typing import Any

from convproof.failures import headline
from convproof.report_model import ClaimView, array_blocks, example_arrays, example_scalars
from convproof.theory.claims import OUT_OF_SCOPE, Claim, Kind

EXIT_STATUS = {0: "all tests passed", 1: "some tests failed", 2: "interrupted",
               3: "internal error", 4: "usage error", 5: "no tests collected"}

CSS = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem;
       color: #1b1b1b; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 0; } h3 { font-size: 1rem; }
table { border-collapse: collapse; margin: .5rem 0; } td, th { padding: .2rem .6rem;
       border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
code, pre { font: 13px ui-monospace, monospace; } pre { white-space: pre-wrap; background: #f6f6f6;
       padding: .5rem; }
blockquote { border-left: 4px solid #bbb; margin: .5rem 0; padding: .2rem 1rem; color: #333; }
section.claim { border: 1px solid #ccc; border-radius: 6px; padding: 1rem 1.2rem; margin: 1.2rem 0; }
section.outcome-failed { border: 2px solid #c62828; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 4px; font-size: .85rem;
       margin-right: .4rem; }
.verdict-holds { background: #e3f2e1; } .verdict-conditional { background: #fff4d6; }
.verdict-false { background: #fde2e1; }
.outcome-passed-badge { background: #2e7d32; color: #fff; } .outcome-failed-badge { background: #c62828;
       color: #fff; } .outcome-other-badge { background: #777; color: #fff; }
table.array td { border: 1px solid #ccc; text-align: right; font: 13px ui-monospace, monospace; }
figure { margin: 1rem 0; } figure img { max-width: 100%; } figcaption { font-size: .9rem; color: #444; }
.status-failed { color: #c62828; font-weight: bold; } .status-passed { color: #2e7d32; font-weight: bold; }
"""

VERDICT_CLASS = {"holds": "verdict-holds", "holds under conditions": "verdict-conditional",
                 "false as stated": "verdict-false"}


def run_rows(payload: dict[str, Any], header: dict[str, str]) -> list[tuple[str, str]]:
    """The run's header as (label, value) rows."""
    run = payload["run"]
    status = int(run["exitstatus"])
    rows = [
        ("date (UTC)", header["date"]),
        ("command", header["command"]),
        ("directory", header["directory"]),
        ("Hypothesis profile", header["profile"]),
        ("seed", header["seed"]),
        ("implementations", ", ".join(run["impls"]) or "none"),
        ("exit status", f"{status} ({EXIT_STATUS.get(status, 'unknown')})"),
        ("duration", f"{run['seconds']:.1f} s"),
    ]
    rows += [(name, version) for name, version in payload["versions"].items()]
    return rows


def status_line(views: list[ClaimView], counts: dict[str, int] | None = None) -> tuple[bool, str]:
    """(whether any property failed, one sentence on the run): the claims with failing
    properties, else whether the run was complete; then exactly how many properties
    passed, failed, crashed, were interrupted or never ran."""
    failed = [v.claim.id for v in views if v.row["outcome"] == "failed"]
    not_run = sum(v.row["outcome"] == "not run" for v in views)
    tally = f" {headline(counts).capitalize()}." if counts else ""
    if failed:
        return True, (f"{len(failed)} of {len(views)} claims have failing properties: "
                      f"{', '.join(failed)}.{tally}")
    if counts and (counts["interrupted"] or counts["not run"]):
        return True, f"The run did not finish: not every property ran.{tally}"
    checked = len(views) - not_run
    return False, (f"Every property that ran passed: {checked} of {len(views)} claims checked"
                   + (f", {not_run} not run in this run." if not_run else ".") + tally)


def evidence_rows(view: ClaimView, header: dict[str, str]) -> list[tuple[str, str]]:
    """The evidence summary of one claim as (label, value) rows."""
    row, claim = view.row, view.claim
    by_impl = "; ".join(
        f"{impl}: {c['passed']}/{c['passed'] + c['failed']} passed"
        + (f", {c['skipped']} skipped" if c["skipped"] else "")
        for impl, c in row["by_impl"].items()
    )
    return [
        ("this run", f"{row['outcome']}: {row['passed']} passed, {row['failed']} failed, "
                     f"{row['skipped']} skipped"),
        ("examples run", str(row["examples"])),
        ("exhaustive", claim.exhaustive or "no exhaustive scope; Hypothesis examples only"),
        ("seed", header["seed"]),
        ("implementations", (", ".join(view.impls) or "none ran")
         + (f"; and {view.theory_tests} theory-only properties" if view.theory_tests else "")),
        ("by implementation", by_impl or "no layer-parametrized test ran"),
        ("duration", f"{view.duration:.3f} s"),
    ]


def _outcome_badge(outcome: str, prefix: str = "") -> str:
    kind = outcome if outcome in ("passed", "failed") else "other"
    return f'<span class="badge outcome-{kind}-badge">{escape(prefix + outcome)}</span>'


def _table(rows: list[tuple[str, str]], css: str) -> str:
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    return f'<table class="{css}">{body}</table>'


def _quotes(claim: Claim) -> list[str]:
    """The article's sentences whose meaning the claim makes precise (none for an
    extension)."""
    return [claim.quote, *claim.also] if claim.quote else list(claim.also)


def _html_source(claim: Claim) -> list[str]:
    if claim.kind == Kind.EXTENSION:
        return ["<h3>Beyond the article</h3>", f'<p class="source">{escape(claim.source)}</p>']
    return ["<h3>The article says</h3>",
            *(f"<blockquote>{escape(q)}</blockquote>" for q in _quotes(claim))]


def _html_out_of_scope() -> str:
    items = "".join(f'<li data-out-of-scope="{escape(o.id)}"><blockquote>{escape(o.quote)}'
                    f"</blockquote><p>{escape(o.reason)}</p></li>" for o in OUT_OF_SCOPE)
    return (f'<section id="out-of-scope"><h2>Sentences of the article not checked</h2>'
            f"<ul>{items}</ul></section>")


def _html_claim(view: ClaimView, header: dict[str, str]) -> str:
    claim, row = view.claim, view.row
    cid = escape(claim.id)
    parts = [
        f'<section id="{cid}" class="claim outcome-{escape(row["outcome"]).replace(" ", "-")}" '
        f'data-verdict="{escape(claim.verdict.value)}" data-outcome="{escape(row["outcome"])}">',
        f'<h2><a href="#{cid}">{cid}</a>: {escape(claim.title)}</h2>',
        f'<p><span class="badge {VERDICT_CLASS[claim.verdict.value]}">verdict: '
        f'{escape(claim.verdict.value)}</span>{_outcome_badge(row["outcome"], "this run: ")}</p>',
        *_html_source(claim),
        "<h3>Precise statement and conditions</h3>", f"<p>{escape(claim.statement)}</p>",
    ]
    if claim.corrected:
        parts += ["<h3>Corrected statement</h3>", f'<p class="corrected">{escape(claim.corrected)}</p>']
    if claim.notes:
        parts += ["<h3>Notes</h3>", f"<p>{escape(claim.notes)}</p>"]
    parts += ["<h3>Evidence</h3>", _table(evidence_rows(view, header), "evidence")]
    if row["tests"]:
        lines = ["<tr><th>property (node id)</th><th>implementation</th><th>outcome</th>"
                 "<th>examples</th><th>duration</th></tr>"]
        for t in row["tests"]:
            lines.append(
                f'<tr data-nodeid="{escape(t["nodeid"])}" data-outcome="{escape(t["outcome"])}">'
                f'<td><code>{escape(t["nodeid"])}</code></td><td>{escape(t["impl"])}</td>'
                f'<td>{_outcome_badge(t["outcome"])}</td><td>{t["examples"]}</td>'
                f'<td>{t["duration"]:.3f} s</td></tr>'
            )
            if t["message"]:
                lines.append(f'<tr><td colspan="5"><pre>{escape(t["message"])}</pre></td></tr>')
        parts.append(f'<table class="tests">{"".join(lines)}</table>')
    else:
        parts.append("<p>No property of this claim ran in this run.</p>")
    for cx in view.counterexamples:
        parts += ["<h3>Minimal counterexample</h3>",
                  f'<p class="counterexample">to <code>{escape(cx.wording)}</code>:</p>']
        for name, values in cx.arrays:
            for label, cells in array_blocks(name, values):
                body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in cells)
                parts.append(f'<p><code>{escape(label)}</code></p><table class="array">{body}</table>')
        parts.append(f"<pre>{escape(cx.text)}</pre>")
    for name, caption, png in view.figures:
        data = base64.b64encode(png).decode("ascii")
        parts.append(f'<figure><img data-figure="{escape(name)}" alt="{escape(caption)}" '
                     f'src="data:image/png;base64,{data}"><figcaption>{escape(caption)} '
                     f'(<code>{escape(name)}.png</code>)</figcaption></figure>')
    parts.append("</section>")
    return "\n".join(parts)


def _html_failures(payload: dict[str, Any], snippets: dict[str, str]) -> str:
    """The failures of the run, each with its message, replay command, example arrays
    and snippet; '' when every property passed."""
    failures = payload.get("failures", [])
    if not failures:
        return ""
    parts = ['<section id="failures" class="failures">',
             f"<h2>Failures ({len(failures)})</h2>",
             "<p>Each failure below gives the command that replays exactly its example "
             "and a standalone snippet (numpy and the implementation only) for a bug "
             "report.</p>"]
    for f in failures:
        parts.append(f'<div class="failure" data-nodeid="{escape(f["nodeid"])}" '
                     f'data-outcome="{escape(f["outcome"])}">')
        parts.append(f'<h3>{escape(f["impl"])}: {escape(", ".join(f["claims"]))} '
                     f'{_outcome_badge(f["outcome"])}</h3>')
        parts.append(f'<p><code>{escape(f["nodeid"])}</code></p>')
        parts.append(f'<pre class="message">{escape(f["message"])}</pre>')
        if f.get("replay"):
            parts.append(f'<p>replay: <code class="replay">{escape(f["replay"])}</code></p>')
        example = f.get("example") or {}
        for line in example_scalars(example):
            parts.append(f'<p class="call">{escape(line)}</p>')
        for name, values in example_arrays(example):
            for label, cells in array_blocks(name, values):
                body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in cells)
                parts.append(f'<p><code>{escape(label)}</code></p>'
                             f'<table class="example-array" data-name="{escape(label)}">{body}</table>')
        if f["nodeid"] in snippets:
            link = f"snippets/{snippets[f['nodeid']]}"
            parts.append(f'<details><summary>snippet: <a href="{escape(link)}">{escape(link)}</a> '
                         "(runs alone with numpy and the implementation)</summary>"
                         f'<pre class="snippet">{escape(f["snippet"])}</pre></details>')
        if f.get("output"):
            parts.append(f'<p>captured output (truncated):</p><pre class="output">'
                         f'{escape(f["output"])}</pre>')
        parts.append("</div>")
    parts.append("</section>")
    return "\n".join(parts)


def render_html(views: list[ClaimView], payload: dict[str, Any], header: dict[str, str],
                problems: list[str], snippets: dict[str, str] | None = None) -> str:
    """The whole report as one self-contained HTML page, a failing run's failures first."""
    failed, status = status_line(views, payload["run"].get("counts"))
    toc = ["<tr><th>claim</th><th>verdict</th><th>this run</th><th>passed / failed / skipped</th>"
           "<th>examples</th></tr>"]
    for v in views:
        r = v.row
        toc.append(f'<tr><td><a href="#{escape(v.claim.id)}">{escape(v.claim.id)}</a></td>'
                   f"<td>{escape(v.claim.verdict.value)}</td><td>{_outcome_badge(r['outcome'])}</td>"
                   f"<td>{r['passed']} / {r['failed']} / {r['skipped']}</td><td>{r['examples']}</td></tr>")
    notes = "".join(f"<li>{escape(p)}</li>" for p in problems)
    return "\n".join([
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">',
        "<title>convproof: executable-proof report</title>",
        f"<style>{CSS}</style>\n</head>\n<body>",
        "<header><h1>convproof: executable-proof report</h1>",
        f'<p class="status-{"failed" if failed else "passed"}">{escape(status)}</p>',
        _table(run_rows(payload, header), "run"),
        "<p>Figures are computed by the suite's reference layer "
        "(reference.BUILTINS['vectorized']) on synthetic integer images, not by the "
        "implementation under test. Counterexamples come from a derandomized search and "
        "are the same in every run. A claim 'false as stated' whose properties passed: "
        "the counterexample to its wording and its corrected statement were both "
        "confirmed. The run's data: <a href=\"claims.json\">claims.json</a>.</p>",
        f'<ul class="problems">{notes}</ul>' if problems else "",
        "</header>", _html_failures(payload, snippets or {}),
        '<nav><h2>Claims</h2><table class="toc">', *toc, "</table></nav>", "<main>",
        *(_html_claim(v, header) for v in views),
        _html_out_of_scope(),
        "</main>\n</body>\n</html>\n",
    ])


def _md_cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _md_claim(view: ClaimView, header: dict[str, str]) -> list[str]:
    claim, row = view.claim, view.row
    lines = [f'<a id="{claim.id}"></a>', "", f"## {claim.id}: {claim.title}", "",
             f"**Verdict:** {claim.verdict.value}. **This run:** {row['outcome']}.", ""]
    if claim.kind == Kind.EXTENSION:
        lines += [f"**Beyond the article:** {claim.source}", ""]
    else:
        lines += ["**The article says:**", ""]
        for q in _quotes(claim):
            lines += [f"> {' '.join(q.split())}", ""]
    lines += [f"**Precise statement and conditions:** {claim.statement}", ""]
    if claim.corrected:
        lines += [f"**Corrected statement:** {claim.corrected}", ""]
    if claim.notes:
        lines += [f"**Notes:** {claim.notes}", ""]
    lines += ["**Evidence:**", "", "| | |", "|---|---|"]
    lines += [f"| {label} | {_md_cell(value)} |" for label, value in evidence_rows(view, header)]
    lines.append("")
    if row["tests"]:
        lines += ["| property (node id) | implementation | outcome | examples | duration |",
                  "|---|---|---|---:|---:|"]
        for t in row["tests"]:
            lines.append(f"| `{_md_cell(t['nodeid'])}` | {_md_cell(t['impl'])} | {t['outcome']} | "
                         f"{t['examples']} | {t['duration']:.3f} s |")
        lines.append("")
        failures = [t for t in row["tests"] if t["message"]]
        lines += [f"* `{t['nodeid']}`: {' '.join(t['message'].split())}" for t in failures]
        lines += [""] if failures else []
    else:
        lines += ["No property of this claim ran in this run.", ""]
    for cx in view.counterexamples:
        lines += ["**Minimal counterexample** to `" + cx.wording + "`:", ""]
        for name, values in cx.arrays:
            for label, cells in array_blocks(name, values):
                width = max(len(c) for r in cells for c in r)
                lines += [f"{label} =", "", "```"] + [" ".join(c.rjust(width) for c in r) for r in cells]
                lines += ["```", ""]
        lines += ["```", cx.text, "```", ""]
    for name, caption, _ in view.figures:
        lines += [f"![{name}]({name}.png)", "", f"*{caption}*", ""]
    return lines


def _md_failures(payload: dict[str, Any], snippets: dict[str, str]) -> list[str]:
    failures = payload.get("failures", [])
    if not failures:
        return []
    lines = [f"## Failures ({len(failures)})", "",
             "Each failure below gives the command that replays exactly its example and a "
             "standalone snippet (numpy and the implementation only) for a bug report.", ""]
    for f in failures:
        lines += [f"### {f['impl']}: {', '.join(f['claims'])} ({f['outcome']})", "",
                  f"`{f['nodeid']}`", "", "```", f["message"], "```", ""]
        if f.get("replay"):
            lines += ["Replay:", "", "```sh", f["replay"], "```", ""]
        example = f.get("example") or {}
        lines += [f"* {line}" for line in example_scalars(example)]
        lines += [""] if example_scalars(example) else []
        for name, values in example_arrays(example):
            for label, cells in array_blocks(name, values):
                width = max((len(c) for r in cells for c in r), default=1)
                lines += [f"{label} =", "", "```"] + [" ".join(c.rjust(width) for c in r) for r in cells]
                lines += ["```", ""]
        if f["nodeid"] in snippets:
            lines += [f"Snippet ([snippets/{snippets[f['nodeid']]}](snippets/{snippets[f['nodeid']]})):",
                      "", "```python", f["snippet"].rstrip(), "```", ""]
        if f.get("output"):
            lines += ["Captured output (truncated):", "", "```", f["output"], "```", ""]
    return lines


def render_markdown(views: list[ClaimView], payload: dict[str, Any], header: dict[str, str],
                    problems: list[str], snippets: dict[str, str] | None = None) -> str:
    """The whole report in Markdown, figures linked as the PNGs beside it, a failing
    run's failures first."""
    _, status = status_line(views, payload["run"].get("counts"))
    lines = ["# convproof: executable-proof report", "", f"**{status}**", "", "| | |", "|---|---|"]
    lines += [f"| {label} | {_md_cell(value)} |" for label, value in run_rows(payload, header)]
    lines += ["", "Figures are computed by the suite's reference layer (vectorized) on synthetic "
              "integer images, not by the implementation under test. A claim 'false as "
              "stated' whose properties passed: the counterexample to its wording and its "
              "corrected statement were both confirmed. The run's data: "
              "[claims.json](claims.json).", ""]
    lines += [f"* {p}" for p in problems] + ([""] if problems else [])
    lines += _md_failures(payload, snippets or {})
    lines += ["| claim | verdict | this run | passed / failed / skipped | examples |",
              "|---|---|---|---|---:|"]
    for v in views:
        r = v.row
        lines.append(f"| [{v.claim.id}](#{v.claim.id}) | {v.claim.verdict.value} | {r['outcome']} | "
                     f"{r['passed']} / {r['failed']} / {r['skipped']} | {r['examples']} |")
    lines.append("")
    for v in views:
        lines += _md_claim(v, header)
    lines += ["## Sentences of the article not checked", ""]
    for o in OUT_OF_SCOPE:
        lines += [f"> {' '.join(o.quote.split())}", "", f"{o.reason}", ""]
    return "\n".join(lines) + "\n"
