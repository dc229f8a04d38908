"""Measure the suite on this machine: ``python -m bench [--quick] [--update | --out PATH]``.

Results go to bench/out/results.json (untracked); ``--update`` writes the committed
figures, bench/results.json, which bench/RESULTS.md quotes.

Sections (each a function below, each writing one part of the JSON):

* ``suite``: the default ``pytest`` run under the ``ci`` profile (or ``--profile``): wall
  time serially and with ``-n auto``, peak memory (RSS of the pytest process), and for
  each property, examples run and examples per second. The thorough profile:
  ``python -m bench --only suite --profile thorough --repeat 1 --parallel-only``;
* ``scaling``: examples per second of one agreement check (call, bound, comparison)
  against image size H·W and Δ, per implementation;
* ``references``: the vectorized and FFT references against scipy.signal.correlate2d on
  images up to 1024×1024 and Δ up to 15, as time ratios, and where the FFT overtakes
  direct summation;
* ``mutants``: median examples and seconds Hypothesis needs to catch a mutant;
* ``scale``: per family of layer properties (test module), run on the default built-ins
  under the ``ci`` profile: examples per second, and the largest side, Δ and channel
  count its inputs reached (properties.strategies draws a share of them at scale);
* ``shrinking``: for every mutant, the counterexample Hypothesis reports after shrinking
  (tests/shrinking.py): its pixels, Δ, channels and entries.
* ``isolation``: what convproof.isolation costs: one call of a layer bare, guarded
  in-process and in the child process, and ``pytest properties --impl
  tests/correct_impls.py:take_einsum`` with ``--isolate process`` and ``--isolate none``.

Times are medians of repeated runs (``--repeat``, default 3). This is a benchmark, not a
test: it asserts nothing and is not collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
#: Where a run writes unless told otherwise (untracked), and the committed figures.
OUT = ROOT / "bench" / "out"
COMMITTED = ROOT / "bench" / "results.json"


def machine() -> dict:
    """What the figures were measured on."""
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    cpu = "unknown"
    if Path("/proc/cpuinfo").exists():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 2**20, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "numpy": np.__version__,
    }


def _median_time(f: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _run_once(extra: list[str], profile: str) -> tuple[float, float, dict]:
    """``pytest -q --hypothesis-profile profile [extra]`` once: wall seconds, peak RSS (MiB)
    and the claims JSON.

    The peak is this run's own, from ``wait4``: the largest RSS of pytest or any process
    it reaped (the xdist workers), not of every child the benchmark has run so far."""
    with tempfile.TemporaryDirectory() as tmp:
        out, log = Path(tmp) / "claims.json", Path(tmp) / "stdout.txt"
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:warnings",
               "--hypothesis-profile", profile, "--claims-json", str(out), *extra]
        with open(log, "w") as stdout:
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, cwd=ROOT, stdout=stdout, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"pytest failed ({proc.returncode}):\n{log.read_text()[-2000:]}")
        return wall, usage.ru_maxrss / 1024, json.loads(out.read_text())  # ru_maxrss: KiB


def suite(repeat: int, extra: list[str], profile: str = "ci", serial: bool = True) -> dict:
    """Wall time and peak memory of the default run under ``profile``, serially (unless
    ``serial`` is false: a thorough run takes an hour on one core) and on every core
    (pytest-xdist ``-n auto``); examples per second per property.

    Serial and parallel runs alternate (serial, parallel, serial, ...): on a shared machine
    the load drifts over minutes, and a block of serial runs followed by a block of
    parallel ones would put the drift into the speed-up."""
    walls, peaks, parallel_walls, parallel_peaks = [], [], [], []
    last: dict = {}
    for _ in range(repeat):
        if serial:
            wall, peak, last = _run_once(extra, profile)
            walls.append(wall)
            peaks.append(peak)
        wall, peak, parallel_last = _run_once(["-n", "auto", *extra], profile)
        parallel_walls.append(wall)
        parallel_peaks.append(peak)
    last = last or parallel_last
    per_property: dict[str, dict] = {}
    for claim in last["claims"]:
        for test in claim["tests"]:
            name = test["nodeid"].split("[")[0]
            entry = per_property.setdefault(name, {"examples": 0, "seconds": 0.0})
            if test["nodeid"] not in entry.setdefault("nodes", set()):
                entry["nodes"].add(test["nodeid"])
                entry["examples"] += test["examples"]
                entry["seconds"] += test["duration"]
    for entry in per_property.values():
        entry["tests"] = len(entry.pop("nodes"))
        entry["examples_per_second"] = round(entry["examples"] / max(entry["seconds"], 1e-9), 1)
        entry["seconds"] = round(entry["seconds"], 3)
    result: dict = {
        "command": " ".join(["pytest", "--hypothesis-profile", profile, *extra]),
        "profile": profile,
        # Hypothesis stops early when a strategy's space is exhausted, and exhaustive or
        # refutation tests count their own cases: these are listed, not hidden in a minimum
        "tests_under_100_examples": sorted({(t["nodeid"], t["examples"]) for c in last["claims"]
                                            for t in c["tests"] if t["examples"] < 100}),
        "parallel_wall_seconds_median": round(statistics.median(parallel_walls), 2),
        "parallel_wall_seconds": [round(w, 2) for w in parallel_walls],
        "properties": per_property,
    }
    if serial:
        result.update({
            "wall_seconds_median": round(statistics.median(walls), 2),
            "wall_seconds": [round(w, 2) for w in walls],
            "peak_rss_mib": round(max(peaks), 1),
            "parallel_speedup": round(statistics.median(walls) / statistics.median(parallel_walls), 2),
        })
    else:
        result["parallel_peak_rss_mib"] = round(max(parallel_peaks), 1)
    return result


def _agreement_check(name: str, x: np.ndarray, V: np.ndarray) -> Callable[[], None]:
    """One example of the agreement property, without Hypothesis: call, oracle, bound."""
    from convproof.reference import BUILTINS, ORACLE
    from convproof.theory.bounds import assert_within, for_model

    layer = BUILTINS[name]

    def check() -> None:
        h = layer.fn(x, V, 1.0, "zeros")
        expected = ORACLE.fn(x, V, 1.0, "zeros")
        tol = for_model(layer.error_model, x, V, 1.0, "zeros")
        assert_within(h, expected, tol, name)

    return check


def scaling(repeat: int, quick: bool) -> dict:
    """Examples per second of one agreement check against H·W and Δ."""
    rng = np.random.default_rng(0)
    sides = (4, 8, 16) if quick else (4, 8, 16, 32)
    deltas = (0, 1, 3) if quick else (0, 1, 3, 7)
    rows = []
    for name in ("vectorized", "fft", "correlate2d", "ndimage", "loops"):
        for side in sides:
            for delta in deltas:
                x = rng.integers(-64, 65, (side, side)).astype(float)
                V = rng.integers(-64, 65, (2 * delta + 1,) * 2).astype(float)
                check = _agreement_check(name, x, V)
                n = 3 if name == "loops" or side >= 32 else 10
                seconds = _median_time(lambda: [check() for _ in range(n)], repeat) / n  # noqa: B023
                rows.append({"impl": name, "HW": side * side, "delta": delta,
                             "examples_per_second": round(1 / seconds, 1)})
    return {"check": "layer + loop oracle + bound + comparison, zeros padding", "rows": rows}


def references(repeat: int, quick: bool) -> dict:
    """vectorized and fft references against scipy.signal.correlate2d, as ratios."""
    from convproof.reference import BUILTINS

    rng = np.random.default_rng(1)
    sides = (64, 256) if quick else (64, 256, 1024)
    deltas = (1, 3, 7) if quick else (1, 3, 7, 15)
    rows = []
    for side in sides:
        x = rng.standard_normal((side, side))
        for delta in deltas:
            V = rng.standard_normal((2 * delta + 1,) * 2)
            t = {
                name: _median_time(
                    lambda n=name, x=x, V=V: BUILTINS[n].fn(x, V, 0.0, "zeros"), repeat
                )
                for name in ("correlate2d", "vectorized", "fft")
            }
            rows.append({
                "side": side, "delta": delta, "correlate2d_seconds": round(t["correlate2d"], 5),
                "vectorized_over_correlate2d": round(t["vectorized"] / t["correlate2d"], 3),
                "fft_over_correlate2d": round(t["fft"] / t["correlate2d"], 3),
            })
    crossover = {}
    for side in sides:
        faster = [r["delta"] for r in rows if r["side"] == side and r["fft_over_correlate2d"] < 1]
        crossover[str(side)] = min(faster) if faster else None
    return {"rows": rows, "fft_faster_than_direct_from_delta": crossover}


def mutants() -> dict:
    """Examples and seconds to catch each mutant of tests/mutants.py."""
    sys.path.insert(0, str(ROOT))
    try:
        from tests.catalogue import catch_all
    except ImportError:
        return {"skipped": "tests.catalogue.catch_all not available"}
    rows = catch_all()
    examples = [r["examples"] for r in rows]
    seconds = [r["seconds"] for r in rows]
    return {
        "rows": rows,
        "median_examples_to_catch": statistics.median(examples),
        "median_seconds_to_catch": round(statistics.median(seconds), 3),
    }


def _load_ci() -> None:
    """The repository's tests importable and the ``ci`` profile loaded (derandomized)."""
    sys.path.insert(0, str(ROOT))
    from hypothesis import settings

    import convproof.profiles  # noqa: F401  # registers the profiles

    settings.load_profile("ci")


def scale() -> dict:
    """Per family of layer properties, on the default built-ins (as ``pytest`` runs them):
    examples per second, and the largest side of x, Δ and channel count of any layer call."""
    import dataclasses

    _load_ci()
    from convproof.reference import BUILTINS, DEFAULT

    from tests.catalogue import PROPERTIES, run

    families: dict[str, dict] = {}
    for prop in PROPERTIES:
        family = families.setdefault(prop.module, {"examples": 0, "seconds": 0.0, "largest_side": 0,
                                                   "largest_delta": 0, "largest_channels": 0})
        for name in DEFAULT:
            layer = BUILTINS[name]

            def fn(x: np.ndarray, V: np.ndarray, u: object, padding: str,
                   layer: object = layer, family: dict = family) -> object:
                channels = V.ndim == x.ndim + 1
                spatial = x.shape[:-1] if channels else x.shape
                family["largest_side"] = max(family["largest_side"], max(spatial, default=0))
                family["largest_delta"] = max(family["largest_delta"], (V.shape[0] - 1) // 2)
                if channels:
                    family["largest_channels"] = max(family["largest_channels"], *V.shape[-2:])
                return layer.fn(x, V, u, padding)  # type: ignore[attr-defined]

            start = time.perf_counter()
            result = run(prop, dataclasses.replace(layer, fn=fn), catch=False)
            family["seconds"] += time.perf_counter() - start
            family["examples"] += result.examples
    for family in families.values():
        family["examples_per_second"] = round(family["examples"] / max(family["seconds"], 1e-9), 1)
        family["seconds"] = round(family["seconds"], 2)
    return {"impls": list(DEFAULT), "families": families}


def shrinking() -> dict:
    """The reported (shrunk) counterexample of every mutant (tests/shrinking.py)."""
    _load_ci()
    from tests.shrinking import measure

    start = time.perf_counter()
    result = measure()
    result["seconds"] = round(time.perf_counter() - start, 1)
    return result
def isolation(repeat: int) -> dict:
    """Seconds per call of vectorized on an 8×8 image with a 7×7 kernel: bare, through
    invoke in-process (the global-state guard) and in the child process (medians of
    ``repeat`` rounds of 2000 calls); and the run of an external correct implementation
    in a child process and in-process, alternating (medians of ``repeat``)."""
    from convproof.reference.vectorized import vectorized

    from convproof.isolation import invoke, isolated

    x, V = np.arange(64.0).reshape(8, 8), np.arange(49.0).reshape(7, 7)
    args = (x, V, 0.5, "zeros")
    child = isolated("vectorized")
    ways = {"bare": lambda: vectorized(*args), "guarded": lambda: invoke(vectorized, args),
            "child": lambda: invoke(child, args)}
    ways["child"]()  # start the child process
    per_call = {name: _median_time(lambda f=f: [f() for _ in range(2000)], repeat) / 2000
                for name, f in ways.items()}
    impl = ["properties", "--impl", "tests/correct_impls.py:take_einsum"]
    walls: dict[str, list[float]] = {"process": [], "none": []}
    for _ in range(repeat):
        for mode, found in walls.items():
            found.append(_run_once([*impl, "--isolate", mode], "ci")[0])
    return {
        "seconds_per_call": {k: round(v, 7) for k, v in per_call.items()},
        "guard_us_per_call": round((per_call["guarded"] - per_call["bare"]) * 1e6, 1),
        "child_us_per_call": round((per_call["child"] - per_call["bare"]) * 1e6, 1),
        "command": "pytest " + " ".join(impl) + " --isolate process|none",
        "wall_seconds": {k: [round(w, 2) for w in v] for k, v in walls.items()},
        "wall_seconds_median": {k: round(statistics.median(v), 2) for k, v in walls.items()},
    }


def _table(results: dict) -> str:
    lines = [f"machine: {results['machine']}"]
    for key in sorted(k for k in results if k.startswith("suite")):
        s = results[key]
        lines.append(f"{s.get('command', 'pytest')}:")
        if "wall_seconds_median" in s:
            lines.append(f"  serial: {s['wall_seconds_median']} s median of {s['wall_seconds']}, "
                         f"peak RSS {s['peak_rss_mib']} MiB")
        lines.append(f"  -n auto ({os.cpu_count()} cores): {s['parallel_wall_seconds_median']} s "
                     f"median of {s['parallel_wall_seconds']}"
                     + (f", speed-up ×{s['parallel_speedup']}" if "parallel_speedup" in s else ""))
        lines.append(f"  tests under 100 examples: {s['tests_under_100_examples']}")
        lines.append(f"  {'property':70} {'tests':>5} {'examples':>9} {'ex/s':>9}")
        for name, e in sorted(s["properties"].items()):
            lines.append(f"  {name:70} {e['tests']:>5} {e['examples']:>9} "
                         f"{e['examples_per_second']:>9}")
    if "scaling" in results:
        lines.append("scaling (examples/s): impl, H·W, Δ")
        for r in results["scaling"]["rows"]:
            lines.append(f"  {r['impl']:12} {r['HW']:>6} {r['delta']:>3} {r['examples_per_second']:>10}")
    if "references" in results:
        lines.append("references vs scipy.signal.correlate2d (time ratios, < 1 is faster)")
        for r in results["references"]["rows"]:
            lines.append(f"  {r['side']:>5}² Δ={r['delta']:>2}: correlate2d {r['correlate2d_seconds']:.4f} s,"
                         f" vectorized ×{r['vectorized_over_correlate2d']}, fft ×{r['fft_over_correlate2d']}")
        lines.append(f"  FFT faster from Δ: {results['references']['fft_faster_than_direct_from_delta']}")
    if "mutants" in results and "rows" in results["mutants"]:
        m = results["mutants"]
        lines.append(f"mutants: median {m['median_examples_to_catch']} examples, "
                     f"{m['median_seconds_to_catch']} s to catch")
    if "scale" in results:
        lines.append("scale, per family of layer properties on the default built-ins:")
        lines.append(f"  {'family':18} {'examples':>9} {'ex/s':>8} {'side':>5} {'Δ':>3} {'C':>3}")
        for name, f in sorted(results["scale"]["families"].items()):
            lines.append(f"  {name:18} {f['examples']:>9} {f['examples_per_second']:>8} "
                         f"{f['largest_side']:>5} {f['largest_delta']:>3} {f['largest_channels']:>3}")
    if "shrinking" in results:
        sh = results["shrinking"]
        lines.append(f"shrinking: median reported counterexample {sh['median_pixels']} pixels; "
                     f"{sh['simple']}/{sh['reported']} with entries integers <= 2 or decimals of "
                     f"<= 3 digits (not: {sh['not_simple']})")
        for r in sh["rows"]:
            if r.get("property"):
                lines.append(f"  {r['name']:34} {r['padding']:8} x {r['shape']!s:12} Δ {r['delta']} "
                             f"max|x| {r['max_abs_x']:g} max|V| {r['max_abs_V']:g} digits {r['digits']}"
                             f" u {r['u']}")
    if "isolation" in results:
        i = results["isolation"]
        lines.append(f"isolation: guard {i['guard_us_per_call']} µs per call, child process "
                     f"{i['child_us_per_call']} µs per call; {i['command']}: "
                     f"{i['wall_seconds_median']} s (medians)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, one repeat")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["suite", "scaling", "references", "mutants", "scale",
                                           "shrinking", "isolation"],
                        action="append")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--out", default=str(OUT / "results.json"),
                       help="where to write the results (default bench/out/results.json, untracked)")
    where.add_argument("--update", action="store_const", dest="out", const=str(COMMITTED),
                       help="write the committed figures, bench/results.json")
    parser.add_argument("--profile", default="ci",
                        help="Hypothesis profile of the suite section (default ci: derandomized); "
                        "another profile is stored as suite_PROFILE")
    parser.add_argument("--parallel-only", action="store_true",
                        help="suite section: only the -n auto runs (for the thorough profile)")
    parser.add_argument("pytest_args", nargs="*", help="extra arguments for the suite run")
    args = parser.parse_args(argv)
    repeat = 1 if args.quick else args.repeat
    sections = args.only or ["suite", "scaling", "references", "mutants", "scale", "shrinking",
                             "isolation"]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # --only refreshes its sections and keeps the others of an earlier run
    results: dict = json.loads(out.read_text()) if args.only and out.exists() else {}
    here = machine()
    results.update({"machine": here, "repeat": repeat})
    measure: dict[str, Callable[[], dict]] = {
        "suite": lambda: suite(repeat, args.pytest_args, args.profile,
                               serial=not args.parallel_only),
        "scaling": lambda: scaling(repeat, args.quick),
        "references": lambda: references(repeat, args.quick),
        "mutants": mutants,
        "scale": scale,
        "shrinking": shrinking,
        "isolation": lambda: isolation(repeat),
    }
    for section in sections:
        key = f"suite_{args.profile}" if section == "suite" and args.profile != "ci" else section
        # each section says where it ran: --only keeps sections measured elsewhere
        results[key] = {**measure[section](), "machine": here}
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(_table(results))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
