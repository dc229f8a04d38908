"""The executable-proof report (``--claims-report DIR``): its pages, its JSON, its figures.

End to end: a small run (three property modules, ``--impl vectorized``, the derandomized
``ci`` profile) writes the report; the HTML is read back with html.parser and checked
claim by claim against the registry, the claims JSON and the terminal table. A run of a
flipped implementation must still write the report, failing claims first, and a
pytest-xdist run the same evidence. The figures are checked on the data they plot.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import re
import subprocess
import sys
import textwrap
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
import scipy.signal
from convproof.properties.strategies import Case
from convproof.theory import bounds, counts
from convproof.theory.claims import BY_ID, CLAIMS, Verdict
from convproof.theory.indices import fold

from convproof import figures, figures_algebra, figures_geometry, report, report_model
from convproof.plotting import DPI

pytestmark = pytest.mark.machinery

ROOT = Path(__file__).resolve().parent.parent
SUBSET = ("properties/test_parameters.py", "properties/test_shift.py",
          "properties/test_convolution.py")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

FLIPPED = '''
from convproof.reference.vectorized import vectorized

def layer(x, V, u, padding):
    """The layer with the kernel rotated by 180°: a convolution, not the article's layer."""
    return vectorized(x, V[::-1, ::-1], u, padding)

layer.error_model = "direct"
'''


def _pytest(*args: str) -> subprocess.CompletedProcess:
    """The suite in a fresh interpreter, as tests/conftest.py's run_pytest runs it, under
    the derandomized ci profile (no example database, the same examples every time)."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:warnings", "-p", "no:cacheprovider", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "HYPOTHESIS_PROFILE": "ci"},
    )


class Page(HTMLParser):
    """The parts of index.html the tests read: sections in order with their attributes,
    text, images, test rows and array cells; the table of contents; the header text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.sections: dict[str, dict] = {}
        self.order: list[str] = []
        self.header = ""
        self._section: dict | None = None
        self._in_header = False
        self._in_array = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "header":
            self._in_header = True
        if tag == "section" and "claim" in a.get("class", ""):
            self._section = {"attrs": a, "text": "", "images": [], "tests": [], "arrays": [],
                             "links": []}
            self.sections[a["id"]] = self._section
            self.order.append(a["id"])
        if self._section is None:
            return
        if tag == "img":
            self._section["images"].append(a)
        if tag == "tr" and "data-nodeid" in a:
            self._section["tests"].append((a["data-nodeid"], a["data-outcome"]))
        if tag == "a" and "href" in a:
            self._section["links"].append(a["href"])
        if tag == "table" and a.get("class") == "array":
            self._in_array = True
            self._section["arrays"].append([])
        if tag == "tr" and self._in_array:
            self._section["arrays"][-1].append([])

    def handle_endtag(self, tag: str) -> None:
        if tag == "header":
            self._in_header = False
        if tag == "section":
            self._section = None
        if tag == "table":
            self._in_array = False

    def handle_data(self, data: str) -> None:
        if self._in_header:
            self.header += data + " "
        if self._section is not None:
            self._section["text"] += data + " "
            if self._in_array and data.strip():
                self._section["arrays"][-1][-1].append(data.strip())


def words(text: str) -> str:
    return " ".join(text.split())


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from the PNG's IHDR chunk."""
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def terminal_table(stdout: str) -> dict[str, tuple[str, int, int, int, int]]:
    """The claims section of the terminal summary: id -> (verdict, passed, failed,
    skipped, examples)."""
    section = re.search(r"=+ claims =+\n(.*?)(?:\n=|\nclaims (?:table|report) written)", stdout, re.S)
    assert section, stdout[-3000:]
    verdicts = "|".join(re.escape(v.value) for v in sorted(Verdict, key=lambda v: -len(v.value)))
    row = re.compile(rf"^(\S+)\s+.*?\s({verdicts})\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$")
    table = {}
    for line in section.group(1).splitlines():
        match = row.match(line)
        if match:
            cid, verdict, *numbers = match.groups()
            table[cid] = (verdict, *map(int, numbers))
    return table


@pytest.fixture(scope="module")
def passing(tmp_path_factory):
    """A passing run with --claims-report and --claims-json side by side."""
    where = tmp_path_factory.mktemp("passing")
    result = _pytest(*SUBSET, "--impl", "vectorized", "--claims-report", str(where / "report"),
                     "--claims-json", str(where / "claims.json"))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    directory = where / "report"
    return {"result": result, "dir": directory, "json": where / "claims.json",
            "page": Page((directory / "index.html").read_text(encoding="utf-8")),
            "payload": json.loads((directory / "claims.json").read_text())}


@pytest.fixture(scope="module")
def failing(tmp_path_factory):
    """A run of a flipped kernel: the convolution claim's properties fail."""
    where = tmp_path_factory.mktemp("failing")
    impl = where / "flipped.py"
    impl.write_text(textwrap.dedent(FLIPPED))
    result = _pytest("properties/test_shift.py", "properties/test_convolution.py",
                     "--impl", f"{impl}:layer", "--claims-report", str(where / "report"))
    directory = where / "report"
    return {"result": result, "dir": directory,
            "page": Page((directory / "index.html").read_text(encoding="utf-8")),
            "payload": json.loads((directory / "claims.json").read_text())}


# --- the page, claim by claim --------------------------------------------------------


def test_every_claim_has_its_section_anchor_words_and_verdict(passing):
    page = passing["page"]
    assert sorted(page.order) == sorted(c.id for c in CLAIMS)
    assert len(page.order) == len(set(page.order))
    for claim in CLAIMS:
        section = page.sections[claim.id]
        text = words(section["text"])
        assert f"#{claim.id}" in section["links"], claim.id
        assert section["attrs"]["data-verdict"] == claim.verdict.value
        assert f"verdict: {claim.verdict.value}" in text
        assert words(claim.quote) in text
        assert words(claim.statement) in text
        assert words(claim.corrected) in text
        assert words(claim.notes) in text
        if claim.exhaustive:
            assert words(claim.exhaustive) in text


def test_evidence_is_the_runs(passing):
    page, payload = passing["page"], passing["payload"]
    ran = set()
    for row in payload["claims"]:
        section = page.sections[row["id"]]
        assert section["attrs"]["data-outcome"] == row["outcome"]
        assert section["tests"] == [(t["nodeid"], t["outcome"]) for t in row["tests"]]
        text = words(section["text"])
        assert f"examples run {row['examples']}" in text
        assert "derandomized" in text  # the seed
        for t in row["tests"]:
            assert f"{t['duration']:.3f} s" in text
        if any(t["impl"] == "vectorized" for t in row["tests"]):
            assert "implementations vectorized" in text
            ran.add(row["id"])
    assert ran == {"shift-torus", "shift-zeros", "convolution"}  # test_parameters runs no layer


def test_failing_claims_come_first_and_the_report_is_still_written(failing):
    result, page, payload = failing["result"], failing["page"], failing["payload"]
    assert result.returncode == 1, result.stdout[-3000:]
    failed = [c["id"] for c in payload["claims"] if c["outcome"] == "failed"]
    assert "convolution" in failed
    outcomes = [page.sections[cid]["attrs"]["data-outcome"] for cid in page.order]
    assert outcomes[: len(failed)] == ["failed"] * len(failed)
    assert "failed" not in outcomes[len(failed):]
    assert page.order[: len(failed)] == [c.id for c in CLAIMS if c.id in failed]
    assert page.order[len(failed):] == [c.id for c in CLAIMS if c.id not in failed]
    assert payload["run"]["exitstatus"] == 1
    assert "exit status 1 (some tests failed)" in words(page.header)
    assert f"{len(failed)} of {len(CLAIMS)} claims have failing properties" in page.header
    section = page.sections["convolution"]
    assert "failed" in [outcome for _, outcome in section["tests"]]
    row = next(c for c in payload["claims"] if c["id"] == "convolution")
    messages = [t["message"] for t in row["tests"] if t["outcome"] == "failed"]
    assert messages
    assert all(words(m) in words(section["text"]) for m in messages)
    markdown = (failing["dir"] / "report.md").read_text(encoding="utf-8")
    anchors = re.findall(r'^<a id="([^"]+)"></a>$', markdown, re.M)
    assert anchors == page.order


def test_counterexamples_are_shown_as_arrays(passing):
    page, payload = passing["page"], passing["payload"]
    shown = 0
    for row in payload["claims"]:
        section = page.sections[row["id"]]
        expected = []
        for text in row["counterexamples"]:
            cx = report_model.parse_counterexample(text)
            assert cx.arrays, text
            for name, values in cx.arrays:
                expected += [cells for _, cells in report_model.array_blocks(name, values)]
        assert section["arrays"] == expected
        shown += len(expected)
    convolution = page.sections["convolution"]["arrays"]
    assert ["0", "0", "1"] in convolution[1]  # V of the minimal counterexample, one offset off centre
    assert shown >= 4


def test_counterexample_reprs_parse():
    case = Case(x=np.array([[0.0, 1.0]]), V=np.array([[0.5, -2.0, 3.0]]).T @ np.ones((1, 3)),
                u=1.0, padding="zeros")
    cx = report_model.parse_counterexample(f"layer(x) == u + convolve2d(x, V): {(case, (0, 1))!r}")
    assert cx.wording == "layer(x) == u + convolve2d(x, V)"
    assert [name for name, _ in cx.arrays] == ["x", "V"]
    np.testing.assert_array_equal(cx.arrays[1][1], case.V)
    V4, u = np.arange(4.0).reshape(1, 2, 1, 2), np.array([[0.0, 7.0]])
    cx = report_model.parse_counterexample(f"a position-dependent layer: {(V4, u)!r}")
    np.testing.assert_array_equal(cx.arrays[0][1], V4)
    np.testing.assert_array_equal(cx.arrays[1][1], u)
    blocks = report_model.array_blocks("V", V4)
    assert blocks == [("V[0, 0]", [["0", "1"]]), ("V[0, 1]", [["2", "3"]])]
    assert report_model.number(0.1) == "0.1"
    assert report_model.number(-3.0) == "-3"


def test_claims_json_is_the_claims_json_payload(passing):
    assert (passing["dir"] / "claims.json").read_bytes() == passing["json"].read_bytes()


def test_json_and_page_match_the_terminal_table(passing):
    table = terminal_table(passing["result"].stdout)
    assert [row["id"] for row in passing["payload"]["claims"]] == [c.id for c in CLAIMS]
    # the terminal shows the claims the run selected, the JSON and the page every claim
    ran = [row for row in passing["payload"]["claims"] if row["passed"] + row["failed"] + row["skipped"]]
    assert list(table) == [row["id"] for row in ran]
    for row in passing["payload"]["claims"]:
        if row["id"] in table:
            assert table[row["id"]] == (row["verdict"], row["passed"], row["failed"], row["skipped"],
                                        row["examples"])
        text = words(passing["page"].sections[row["id"]]["text"])
        assert f"{row['passed']} passed, {row['failed']} failed, {row['skipped']} skipped" in text


def test_header_records_what_was_run(passing):
    header, payload = words(passing["page"].header), passing["payload"]
    for name in ("python", "numpy", "scipy", "hypothesis"):
        assert f"{name} {payload['versions'][name]}" in header
    assert "Hypothesis profile ci" in header
    assert "seed derandomized" in header
    assert "implementations vectorized" in header
    command = re.search(r"command (python -m pytest .*?) directory", header).group(1)
    assert all(module in command for module in SUBSET)
    assert "--impl vectorized" in command
    assert "--hypothesis-profile=ci" in command
    date = re.search(r"date \(UTC\) (\S+)", header).group(1)
    assert datetime.fromisoformat(date).tzinfo is not None


def test_figures_sit_in_their_claims_sections(passing):
    page, directory = passing["page"], passing["dir"]
    expected = {"parameter_counts": {"parameter-collapse", "billions-to-hundreds"},
                "receptive_field": {"locality"},
                "shift_in_shift_out": {"shift-zeros", "shift-torus", "translation-invariant"},
                "convolution_vs_correlation": {"convolution"}, "dft_eigenvalues": {"dft-diagonal"},
                "stacking_growth": {"stacking"}}
    for name, claims in expected.items():
        png = (directory / f"{name}.png").read_bytes()
        width, height = png_size(png)
        assert 500 <= width <= 1200, (name, width)
        assert 200 <= height <= 500, (name, height)
        for cid in BY_ID:
            images = [i for i in page.sections[cid]["images"] if i["data-figure"] == name]
            assert len(images) == (cid in claims), (name, cid)
            for image in images:
                prefix = "data:image/png;base64,"
                assert image["src"].startswith(prefix)
                assert base64.b64decode(image["src"][len(prefix):]) == png
    markdown = (directory / "report.md").read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)
    assert sorted(set(links)) == sorted(f"{name}.png" for name in expected)
    assert re.findall(r'^<a id="([^"]+)"></a>$', markdown, re.M) == page.order


@pytest.mark.skipif(not importlib.util.find_spec("xdist"), reason="needs pytest-xdist")
def test_xdist_run_writes_the_same_evidence(passing, tmp_path):
    result = _pytest(*SUBSET, "--impl", "vectorized", "-n", "2", "--claims-report", str(tmp_path))
    assert result.returncode == 0, result.stdout[-3000:]
    assert "2 workers" in result.stdout

    def evidence(payload):
        return [{**c, "tests": sorted(({k: v for k, v in t.items() if k != "duration"}
                                       for t in c["tests"]), key=lambda t: t["nodeid"])}
                for c in payload["claims"]]

    parallel = json.loads((tmp_path / "claims.json").read_text())
    assert evidence(parallel) == evidence(passing["payload"])
    page = Page((tmp_path / "index.html").read_text(encoding="utf-8"))
    assert page.order == passing["page"].order
    for cid in page.order:
        assert sorted(page.sections[cid]["tests"]) == sorted(passing["page"].sections[cid]["tests"])
        assert page.sections[cid]["arrays"] == passing["page"].sections[cid]["arrays"]


def test_a_figure_that_fails_is_reported_not_fatal(passing, tmp_path, monkeypatch):
    def broken():
        raise ValueError("no picture today")

    monkeypatch.setattr(figures, "all_figures", lambda: [figures_geometry.parameter_counts, broken])
    header = {"date": "2026-01-01T00:00:00+00:00", "command": "python -m pytest",
              "directory": str(ROOT), "profile": "ci", "seed": "derandomized"}
    written = report.write_report(tmp_path, passing["payload"], header)
    assert written.problems == ["figure broken could not be drawn: ValueError: no picture today"]
    assert [p.name for p in written.figures] == ["parameter_counts.png"]
    html = written.index.read_text(encoding="utf-8")
    assert "no picture today" in html
    assert "no picture today" in written.markdown.read_text()
    assert Page(html).order == passing["page"].order


# --- the figures' data ---------------------------------------------------------------


def test_parameter_counts_are_the_formulas():
    data = figures_geometry.parameter_counts().data
    sides = data["sides"]
    assert sides[0] == 1
    assert sides[-1] == 10_000
    assert 1000 in sides
    assert data["dense"] == [counts.dense_layer_parameters(n, n) for n in sides]
    assert data["shared_grid"] == [counts.shared_weights_grid(n, n) + 1 for n in sides]
    assert data["shared_torus"] == [counts.shared_weights_torus(n, n) + 1 for n in sides]
    assert data["local"] == {d: (2 * d + 1) ** 2 + 1 for d in (1, 5, 15)}
    assert data["dense"][sides.index(1000)] == 10**12 + 10**6
    low, high = data["few_hundred"]
    assert [d for d in range(100) if low <= data["local"].get(d, 0) < high] == [5, 15]


def test_receptive_field_is_V_inside_the_window_and_zero_outside():
    data = figures_geometry.receptive_field().data
    V, delta, (rows, cols) = data["V"], data["delta"], data["shape"]
    assert len(np.unique(np.abs(V))) == V.size  # every offset tells itself apart
    for panel in data["panels"]:
        i, j = panel["pixel"]
        expected = np.zeros((rows, cols))
        for k in range(rows):
            for l in range(cols):
                a, b = k - i, l - j
                if panel["padding"] == "circular":  # the nearest wrapped offset
                    a, b = (a + rows // 2) % rows - rows // 2, (b + cols // 2) % cols - cols // 2
                if abs(a) <= delta and abs(b) <= delta:
                    expected[k, l] = abs(V[delta + a, delta + b])
        np.testing.assert_array_equal(panel["sensitivity"], expected, err_msg=str(panel["padding"]))
        assert not panel["sensitivity"][~panel["window"]].any()
    corner, wrapped = data["panels"][1]["sensitivity"], data["panels"][2]["sensitivity"]
    assert np.count_nonzero(wrapped) == V.size > np.count_nonzero(corner)


def test_shift_difference_is_zero_exactly_inside_the_region():
    data = figures_geometry.shift_in_shift_out().data
    zeros, torus = data["rows"]["zeros"], data["rows"]["circular"]
    region = zeros["region"]
    assert region.any()
    assert not region.all()
    assert not zeros["difference"][region].any()
    assert zeros["difference"][~region].any()
    assert torus["region"].all()
    assert not torus["difference"].any()
    for row in (zeros, torus):
        assert not np.array_equal(row["h_shifted"], row["h"])  # equivariant, not invariant


def test_layer_is_the_correlation_not_the_convolution():
    data = figures_algebra.convolution_vs_correlation().data
    V = data["V"]
    assert not np.array_equal(V, V[::-1, ::-1])
    np.testing.assert_array_equal(data["h"], data["correlate2d"])
    np.testing.assert_array_equal(data["h"], data["convolve2d_rotated"])
    np.testing.assert_array_equal(data["convolve2d"], scipy.signal.convolve2d(data["x"], V, mode="same"))
    assert np.count_nonzero(data["h"] != data["convolve2d"]) > data["h"].size // 4


def test_dft_eigenvalues_diagonalise_the_torus_layer():
    data = figures_algebra.dft_eigenvalues().data
    shape, V, x, u = data["shape"], data["V"], data["x"], data["u"]
    np.testing.assert_array_equal(data["eigenvalues"], np.conj(np.fft.fft2(fold(V, shape))))
    assert data["dense_eigenvalues"].shape == (shape[0] * shape[1],)
    tol = bounds.fft(x, V, u, "circular") + bounds.direct(x, V, u, "circular")
    bounds.assert_within(data["via_dft"], data["h"], tol, "u + ifft2(λ·fft2(x)) vs the layer")
    assert not np.array_equal(V, V[::-1, ::-1])  # so the eigenvalues are complex
    assert np.any(data["eigenvalues"].imag != 0)


def test_stacked_receptive_field_is_the_box_of_radius_sum_of_deltas():
    data = figures_algebra.stacking_growth().data
    c = data["centre"]
    for stage in data["stages"]:
        radius = stage["radius"]
        assert radius == stage["depth"] * data["delta"]
        np.testing.assert_array_equal(stage["sensitivity"] != 0, stage["box"])
        window = stage["sensitivity"][c[0] - radius : c[0] + radius + 1, c[1] - radius : c[1] + radius + 1]
        np.testing.assert_array_equal(window, stage["K"])  # ∂h[c]/∂x[c + a] = K[a]
        assert stage["nonzero"] == (2 * radius + 1) ** 2
    assert data["sides"] == [2 * s["radius"] + 1 for s in data["stages"]]


@pytest.mark.parametrize("make", figures.all_figures(), ids=lambda f: f.__name__)
def test_figure_pngs_have_their_size_and_content(make, tmp_path):
    plot = make()
    assert plot.claims
    assert set(plot.claims) <= set(BY_ID)
    png = plot.png()
    width, height = png_size(png)
    assert (width, height) == (round(plot.figure.get_figwidth() * DPI),
                               round(plot.figure.get_figheight() * DPI))
    path = tmp_path / f"{plot.name}.png"
    path.write_bytes(png)
    pixels = matplotlib.image.imread(path)
    assert pixels.shape[:2] == (height, width)
    assert len(np.unique(pixels.reshape(-1, pixels.shape[-1]), axis=0)) > 16  # not blank
    assert png == make().png()  # deterministic: the README's figure can be regenerated


def test_readme_figure_is_the_receptive_field_figure():
    """docs/receptive_field.png, shown in the README, is the report's figure (same size;
    the bytes depend on the matplotlib version, so regenerate it with
    ``python -m convproof.figures receptive_field --out docs``)."""
    committed = (ROOT / "docs" / "receptive_field.png").read_bytes()
    assert png_size(committed) == png_size(figures_geometry.receptive_field().png())
    assert "(docs/receptive_field.png)" in (ROOT / "README.md").read_text(encoding="utf-8")
