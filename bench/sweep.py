"""No false alarms: run the claims suite under many Hypothesis seeds and count failures.

    python -m bench.sweep --seeds 20 [--first 1] [--jobs 2] [--update | --out PATH] [-- ARGS]

For each seed S = first, ..., first + seeds - 1 this runs, in a fresh interpreter,

    python -m pytest properties -q -p no:cacheprovider --hypothesis-profile dev --hypothesis-seed=S

against the default implementations (reference.DEFAULT; ARGS after ``--`` are passed on,
e.g. ``-- --impl fft``). The ``dev`` profile is the randomized one, so every seed draws
different examples; the ``ci`` profile would draw the same ones whatever the seed. Each
seed gets an empty Hypothesis example database of its own (HYPOTHESIS_STORAGE_DIRECTORY
in a temporary directory): a failure found under one seed is not replayed under the
next, and the developer's database is left alone. ``--jobs N`` adds ``-n N`` when
pytest-xdist is installed.

Every property checks a correct implementation against a true statement, so every
failure is a false alarm: a bound too tight, a strategy drawing an input outside a
claim's conditions, or a bug of the suite. The command prints the failures per seed and
in total, writes them (with the failing node ids) to the JSON after each seed, and
exits 1 if any seed had a failure or error, 0 otherwise. The JSON goes to
bench/out/sweep.json (untracked); ``--update`` writes the committed record, bench/sweep.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PROFILE = "dev"


def command(seed: int, jobs: int | None, junit: Path, extra: list[str]) -> list[str]:
    """The pytest command line of one seed."""
    cmd = [sys.executable, "-m", "pytest", "properties", "-q", "-p", "no:cacheprovider",
           "--hypothesis-profile", PROFILE, f"--hypothesis-seed={seed}",
           "--junitxml", str(junit)]
    if jobs and importlib.util.find_spec("xdist") is not None:
        cmd += ["-n", str(jobs)]
    return cmd + extra


def outcomes(junit: Path) -> dict[str, Any]:
    """Counts and the failing node ids from a JUnit XML report."""
    root = ET.parse(junit).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    counts = {key: sum(int(s.get(key, 0)) for s in suites)
              for key in ("tests", "failures", "errors", "skipped")}
    failing = []
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            module, name = case.get("classname", ""), case.get("name", "")
            # a collection error has no classname; its name is the module or the worker
            failing.append(f"{module.replace('.', '/')}.py::{name}" if module else name)
    return {
        "failed": counts["failures"],
        "errors": counts["errors"],
        "skipped": counts["skipped"],
        "passed": counts["tests"] - counts["failures"] - counts["errors"] - counts["skipped"],
        "failing": failing,
    }


def run_seed(seed: int, jobs: int | None, extra: list[str]) -> dict[str, Any]:
    """One run of the suite under ``seed``: outcomes, wall time and the command."""
    with tempfile.TemporaryDirectory(prefix=f"sweep-{seed}-") as tmp:
        junit = Path(tmp) / "junit.xml"
        cmd = command(seed, jobs, junit, extra)
        env = {**os.environ, "HYPOTHESIS_STORAGE_DIRECTORY": str(Path(tmp) / "hypothesis")}
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if junit.exists():
            result = outcomes(junit)
        else:  # pytest stopped before running anything (usage error, collection crash)
            result = {"failed": 0, "errors": 1, "skipped": 0, "passed": 0, "failing": []}
    if proc.returncode not in (0, 1) and not result["errors"]:
        result["errors"] = 1  # interrupted or internal error: not a clean run
    shown = [c if c != sys.executable else "python" for c in cmd]
    shown.remove("--junitxml")
    shown.remove(str(junit))
    result.update(seed=seed, returncode=proc.returncode, seconds=round(seconds, 1),
                  command=" ".join(shown))
    if proc.returncode != 0:
        result["output_tail"] = (proc.stdout + proc.stderr)[-4000:]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sweep",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=20, help="how many seeds (default 20)")
    parser.add_argument("--first", type=int, default=1, help="the first seed (default 1)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="pytest-xdist workers per run (-n), if pytest-xdist is installed")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--out", default=str(ROOT / "bench" / "out" / "sweep.json"),
                       help="where to write the JSON (default bench/out/sweep.json, untracked)")
    where.add_argument("--update", action="store_const", dest="out",
                       const=str(ROOT / "bench" / "sweep.json"),
                       help="write the committed record, bench/sweep.json")
    parser.add_argument("pytest_args", nargs="*", help="passed on to pytest (after --)")
    args = parser.parse_args(argv)
    seeds = range(args.first, args.first + args.seeds)
    report: dict[str, Any] = {
        "what": "pytest properties under the dev profile, one run per Hypothesis seed, "
                "default implementations unless pytest_args say otherwise",
        "profile": PROFILE,
        "pytest_args": args.pytest_args,
        "jobs": args.jobs if importlib.util.find_spec("xdist") is not None else None,
        "python": platform.python_version(),
        "runs": [],
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        result = run_seed(seed, args.jobs, args.pytest_args)
        report["runs"].append(result)
        bad = result["failed"] + result["errors"]
        print(f"seed {seed:>3}: {result['failed']} failed, {result['errors']} errors, "
              f"{result['passed']} passed, {result['skipped']} skipped in {result['seconds']} s",
              flush=True)
        for nodeid in result["failing"]:
            print(f"          {nodeid}", flush=True)
        if bad and not result["failing"]:
            print(f"          pytest exit code {result['returncode']}: see output_tail in {out}")
        totals = {key: sum(r[key] for r in report["runs"]) for key in ("failed", "errors")}
        report.update(seeds=len(report["runs"]), total_failed=totals["failed"],
                      total_errors=totals["errors"],
                      seeds_with_failures=[r["seed"] for r in report["runs"]
                                           if r["failed"] or r["errors"]],
                      total_seconds=round(sum(r["seconds"] for r in report["runs"]), 1))
        out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"total: {report['total_failed']} failed, {report['total_errors']} errors over "
          f"{report['seeds']} seeds ({report['total_seconds']} s); written to {out}")
    return 1 if report["total_failed"] or report["total_errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
