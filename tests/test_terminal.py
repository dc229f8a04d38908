"""pytest's habits hold in the suite: --lf and --ff, a claims table that fits the terminal
(shorter under -q), and no table of zeros for claims a run did not select."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from convproof.theory.claims import CLAIMS

from convproof.failures import refutation_lines
from convproof.summary import ClaimRow, abbreviations, render, render_side_by_side
from tests import user_project

ROOT = Path(__file__).resolve().parent.parent
#: Modules with layer properties a flipped kernel fails and theory properties it passes.
MIXED = ("properties/test_convolution.py", "properties/test_dense.py")


def outcomes(stdout: str) -> list[tuple[str, str]]:
    """(node id, outcome) of each test in a ``-v`` run, in the order they ran."""
    return re.findall(r"^(\S+::\S+) (PASSED|FAILED|SKIPPED|ERROR)", stdout, re.MULTILINE)


def table_lines(stdout: str) -> list[str]:
    """The lines of the claims tables and of the article's refutations: from the claims
    section to the next one after them."""
    start = stdout.index(" claims ")
    block = stdout[stdout.rfind("\n", 0, start) + 1:]
    lines = block.splitlines()
    ends = [k for k, line in enumerate(lines) if k > 0 and line.startswith("=")
            and " claims by implementation " not in line and " refuted as expected " not in line]
    return lines[: ends[0]] if ends else lines


def test_addopts_block_no_plugin():
    """pytest crashes ("option names {'--lf', '--last-failed'} already added") when
    addopts block a plugin (``-p no:cacheprovider``) that the command line then names
    (``-p cacheprovider``): the command line's ``-p`` registers it first, addopts' ``no:``
    unregisters it, leaving its options behind, and the command line's ``-p``, read again
    after addopts, registers it a second time. So addopts block nothing."""
    addopts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "no:" not in addopts["addopts"]


def test_cacheprovider_can_be_named(run_pytest, tmp_path):
    result = run_pytest("properties/test_dense.py", "-p", "cacheprovider", "-o",
                        f"cache_dir={tmp_path}")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_last_failed_reruns_only_the_failures_and_failed_first_runs_them_first(run_pytest, tmp_path):
    flipped = user_project.lay_out(tmp_path / "project", user_project.FLIPPED)
    args = (*MIXED, "--impl", "vectorized", "--impl", f"{flipped}:layer", "-v",
            "-o", f"cache_dir={tmp_path / 'cache'}")
    first = run_pytest(*args)
    assert first.returncode == 1, first.stdout[-3000:]
    ran = outcomes(first.stdout)
    failed = {node for node, outcome in ran if outcome == "FAILED"}
    assert failed
    assert len(failed) < len(ran)

    again = run_pytest(*args, "--lf")
    assert again.returncode == 1, again.stdout[-3000:]
    assert {node for node, _ in outcomes(again.stdout)} == failed
    assert f"rerun previous {len(failed)} failures" in again.stdout

    first_first = run_pytest(*args, "--ff")
    order = [node for node, _ in outcomes(first_first.stdout)]
    assert sorted(order) == sorted(node for node, _ in ran)
    assert set(order[: len(failed)]) == failed


def test_quiet_table_fits_80_columns(run_pytest, tmp_path, monkeypatch):
    """With -q in an 80-column terminal no line of either table is wider than 80, with
    long titles, minimal counterexamples and a long implementation name."""
    monkeypatch.setenv("COLUMNS", "80")
    impl = user_project.lay_out(tmp_path, module="a_convolution_with_a_rather_long_module_name")
    result = run_pytest(*MIXED, "properties/test_invariance.py", "-q", "--impl", "vectorized",
                        "--impl", "fft", "--impl", "dense", "--impl", "correlate2d",
                        "--impl", "convolve2d", "--impl", "ndimage", "--impl", f"{impl}:layer")
    assert result.returncode == 0, result.stdout[-3000:]
    lines = table_lines(result.stdout)
    assert any(line.startswith("convolution ") for line in lines)
    assert any(line.startswith("  convolution: ") for line in lines)  # a refutation
    assert any(" claims by implementation " in line for line in lines)
    heading = abbreviations([f"{impl}:layer"])[f"{impl}:layer"]
    assert any(line.startswith(f"{heading}: ") for line in lines), lines  # the legend
    too_wide = [line for line in lines if len(line) > 80]
    assert not too_wide, "\n".join(too_wide)


def test_a_run_that_selects_no_claim_prints_no_table(run_pytest):
    result = run_pytest("properties/test_dense.py", "-k", "no_such_test")
    assert result.returncode == 5, result.stdout[-2000:]
    assert " claims " not in result.stdout


def test_a_k_run_shows_only_the_claims_that_ran(run_pytest, tmp_path):
    out = tmp_path / "claims.json"
    result = run_pytest(*MIXED, "-k", "tensor_form", "--claims-json", str(out))
    assert result.returncode == 0, result.stdout[-2000:]
    ids = {c.id for c in CLAIMS}
    rows = [cell for line in table_lines(result.stdout) for cell in line.split()[:1] if cell in ids]
    assert rows == ["dense-layer"], table_lines(result.stdout)
    assert f"{len(CLAIMS) - 1} of {len(CLAIMS)} claims not selected" in result.stdout
    assert [c["id"] for c in json.loads(out.read_text())["claims"]] == [c.id for c in CLAIMS]


def _table(counterexample: str = "") -> list[ClaimRow]:
    return [ClaimRow(id=c.id, title=c.title, verdict=c.verdict.value, passed=123, failed=4,
                     skipped=56, examples=123456,
                     counterexamples=[counterexample] if counterexample and k == 8 else [])
            for k, c in enumerate(CLAIMS)]


@pytest.mark.parametrize("width", [80, 100, 132])
@pytest.mark.parametrize("short", [False, True])
def test_claims_table_fits_the_width(width, short):
    cx = "layer(x) == u + convolve2d(x, V, mode='same'): " + "Case(" + "x=[[0.0, 1.0]], " * 12 + ")"
    table = _table(cx)
    lines = render(table, width, short) + refutation_lines(table, width)
    assert all(len(line) <= width for line in lines), [line for line in lines if len(line) > width]
    body = lines[2: 2 + len(CLAIMS)]
    assert [line.split()[0] for line in body] == [c.id for c in CLAIMS]
    assert all(line.split()[-4:] == ["123", "4", "56", "123456"] for line in body)
    assert "x=[[0.0, 1.0]]" in " ".join(lines[2 + len(CLAIMS):])  # wrapped, not cut
    if short or width <= 80:
        assert "title" not in lines[0]
    else:
        assert "title" in lines[0]


def test_claims_table_keeps_full_titles_when_they_fit():
    lines = render(_table(), width=400)
    assert lines[0].split()[:3] == ["claim", "title", "verdict"]
    assert all(c.title in line for c, line in zip(CLAIMS, lines[2: 2 + len(CLAIMS)], strict=True))


@pytest.mark.parametrize("width", [40, 80, 132])
def test_side_by_side_splits_and_abbreviates(width):
    names = ["loops", "vectorized", "fft", "dense", "correlate2d", "convolve2d", "ndimage",
             "/home/someone/projects/mine/src/my_convolution.py:layer", "mine.conv:layer"]
    table = {c.id: {name: {"passed": 12, "failed": 3 * (name == "fft"), "skipped": 0}
                    for name in names} for c in CLAIMS[:5]}
    table.update({c.id: {} for c in CLAIMS[5:]})  # theory-only claims: no row here
    lines = render_side_by_side(table, names, width)
    assert all(len(line) <= width for line in lines), [line for line in lines if len(line) > width]
    headers = [line.split() for line in lines if line.startswith("claim ")]
    columns = [h for header in headers for h in header[1:]]
    short = abbreviations(names)
    assert columns == [short[name] for name in names]  # each implementation once, in order
    rows = [line.split()[0] for line in lines if line.split() and line.split()[0] in table]
    assert rows == [c.id for c in CLAIMS[:5]] * len(headers)
    assert "my_convolution.py:layer" not in columns  # abbreviated, with a legend line
    assert any(line.startswith(short[names[7]] + ":") for line in lines)
    assert (len(headers) > 1) == (width < 132)
