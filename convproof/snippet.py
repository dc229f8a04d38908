"""A failure as a standalone Python file a library author can paste into a bug report.

The file imports numpy and the implementation (by module, by file path, or as a built-in
of convproof.reference), writes the failing example's inputs as literals, calls the
implementation on each, and compares with the output of the article's equation that
convproof's independent reference (reference.oracles) computed for the same inputs: exactly
when both sides are exact (theory.bounds), else within the two sides' error bounds. It
prints each output and ends with exit status 1 and the discrepancies, if it finds any.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import numpy as np

from convproof.evidence import Call, Example

#: Calls written into one snippet: enough for every property (one to three calls).
MAX_SNIPPET_CALLS = 6

_CHECK = '''
problems = []


def check(n, x, V, u, padding, expected, tol=0.0):
    """Call n: layer(x, V, u, padding) against the expected output (an exception class:
    the reference raises it); tol 0 means exact equality."""
    x0, V0 = x.copy(), V.copy()
    try:
        h = layer(x, V, u, padding)
    except Exception as exc:
        if isinstance(expected, type) and isinstance(exc, expected):
            print(f"call {n}: raised {type(exc).__name__}, as the reference does")
        else:
            problems.append(f"call {n}: raised {type(exc).__name__}: {exc}")
        return
    if isinstance(expected, type):
        problems.append(f"call {n}: returned a result, the reference raises {expected.__name__}")
        return
    h = np.asarray(h)
    print(f"call {n}: layer(x, V, u, {padding!r}) returned\\n{h}\\nexpected\\n{expected}\\n")
    if expected is None:
        return
    if h.shape != expected.shape:
        problems.append(f"call {n}: shape {h.shape}, expected {expected.shape}")
    elif h.dtype != x.dtype:
        problems.append(f"call {n}: dtype {h.dtype} for {x.dtype} input")
    elif tol == 0 and not np.array_equal(h, expected):
        where = np.argwhere(h != expected)
        first = tuple(int(i) for i in where[0])
        problems.append(f"call {n}: differs at {len(where)} of {h.size} positions; "
                        f"first at {first}: {float(h[first])!r} != {float(expected[first])!r}")
    elif tol > 0 and not np.max(np.abs(h - expected), initial=0.0) <= tol:
        problems.append(f"call {n}: max |difference| {np.max(np.abs(h - expected)):.3e} "
                        f"exceeds the error bound {tol:.3e}")
    if not (np.array_equal(x, x0, equal_nan=True) and np.array_equal(V, V0, equal_nan=True)):
        problems.append(f"call {n}: the layer changed its input")
'''

_LAYOUT_HELPERS = {
    "fortran": "np.asfortranarray",
    "strided": "strided",
    "read-only": "read_only",
}
_HELPER_SOURCE = {
    "strided": '''
def strided(a):
    """The same values as a non-contiguous view (every other row of a larger buffer)."""
    buffer = np.zeros((2 * a.shape[0], *a.shape[1:]), dtype=a.dtype)
    buffer[::2] = a
    return buffer[::2]
''',
    "read_only": '''
def read_only(a):
    """The same values, not writeable."""
    a.flags.writeable = False
    return a
''',
}


def _number(v: Any) -> str:
    if isinstance(v, float) and not math.isfinite(v):
        return "np.nan" if math.isnan(v) else ("np.inf" if v > 0 else "-np.inf")
    return repr(v)


def _nested(values: Any, indent: int) -> str:
    """A nested list literal, one innermost row per line."""
    if not isinstance(values, list):
        return _number(values)
    if not values or not isinstance(values[0], list):
        return "[" + ", ".join(_number(v) for v in values) + "]"
    pad = " " * (indent + 4)
    inner = [pad + _nested(v, indent + 4) + "," for v in values]
    return "[\n" + "\n".join(inner) + "\n" + " " * indent + "]"


def literal(a: Any, layout: str = "contiguous") -> str:
    """Python source for ``a``: an array literal (in ``layout``), or a scalar."""
    if not isinstance(a, np.ndarray):
        if isinstance(a, np.generic):
            a = a.item()
        return _number(a) if isinstance(a, float) else repr(a)
    dtype = "" if a.dtype == np.float64 else f", dtype=np.{a.dtype.name}"
    text = f"np.array({_nested(a.tolist(), 0)}{dtype})"
    helper = _LAYOUT_HELPERS.get(layout)
    return f"{helper}({text})" if helper else text


def import_lines(spec: str, directory: Path) -> list[str]:
    """Source lines that bind ``layer`` to the implementation ``--impl spec`` names."""
    from convproof.reference import BUILTINS, OPTIONAL

    if spec in BUILTINS:
        return ["from convproof.reference import BUILTINS", "",
                f"layer = BUILTINS[{spec!r}].fn  # convproof's built-in {spec!r}"]
    if spec in OPTIONAL:
        spec = OPTIONAL[spec].target
    target, _, name = spec.rpartition(":")
    if target.endswith(".py"):
        path = str((directory / target).resolve())
        return ["import importlib.util",
                f"_spec = importlib.util.spec_from_file_location('impl_under_test', {path!r})",
                "_module = importlib.util.module_from_spec(_spec)",
                "_spec.loader.exec_module(_module)",
                f"layer = _module.{name}"]
    return [f"from {target} import {name} as layer"]


def _reference_output(layer: Any, call: Call) -> tuple[str, float]:
    """(source of the expected output, tolerance) from convproof's independent reference
    for this call's inputs; the tolerance is the sum of both sides' largest elementwise
    and normwise bounds (0 when both are exact)."""
    from convproof.harness import bound
    from convproof.reference.oracles import oracle_for

    try:
        oracle = oracle_for(layer, call.x, call.V)
    except Exception as exc:  # no reference declares this input: say why, compare nothing
        return f"None  # no reference for this input: {type(exc).__name__}: {exc}", 0.0
    try:
        expected = oracle.fn(call.x, call.V, call.u, call.padding)
    except Exception as exc:
        return f"{type(exc).__name__}  # convproof's reference {oracle.name!r} raises it", 0.0
    tol = 0.0
    try:
        for side in (layer, oracle):
            b = bound(side, call.x, call.V, call.u, call.padding)
            tol += float(np.max(b.elementwise, initial=0.0)) + float(b.normwise)
    except Exception:  # the layer's own bound needs its model; the reference's suffices
        pass
    source = literal(np.asarray(expected, dtype=np.float64))
    return f"{source}  # convproof's reference {oracle.name!r}", tol


def _comparison_lines(exc: BaseException | None) -> list[str]:
    """The property's failed comparison (theory.bounds.MismatchError), as comments."""
    if exc is None or not hasattr(exc, "what"):
        return []
    lines = [f"# The property compared {exc.what}:"]
    for side in ("expected", "actual"):
        a = np.asarray(getattr(exc, side))
        shown = a.tolist() if a.size <= 100 else f"an array of shape {a.shape}"
        lines.append(f"#   {side + ':':<10}{shown}")
    return lines


def snippet(example: Example, layer: Any, header: str, directory: Path,
            exc: BaseException | None = None) -> str:
    """The standalone reproduction of ``example``'s calls of ``layer``; ``header`` is the
    docstring (what failed, where, the replay command); ``directory`` resolves relative
    implementation paths. '' when the example made no call of an implementation."""
    calls = [c for c in example.calls if c.impl == getattr(layer, "name", None)]
    if not calls or layer is None:
        return ""
    calls = calls[:MAX_SNIPPET_CALLS]
    layouts = {c.layouts[k] for c in calls for k in ("x", "V")}
    binding = import_lines(layer.name, directory)
    stdlib = [line for line in binding if line.startswith("import ")]
    parts = ['"""' + header.replace('"""', "'''").rstrip() + "\n\nRun it with numpy and the "
             "implementation installed: python THIS_FILE.py\n" + '"""', "",
             *stdlib, *([""] if stdlib else []), "import numpy as np", ""]
    parts += [line for line in binding if line not in stdlib]
    parts += [_CHECK.rstrip()]
    parts += [_HELPER_SOURCE[_LAYOUT_HELPERS[k]].rstrip() for k in ("strided", "read-only")
              if k in layouts]
    parts.append("")
    for n, call in enumerate(calls, 1):
        expected, tol = _reference_output(layer, call)
        parts += ["", f"# call {n}: {call.impl} on x {call.x.shape}, V {call.V.shape}, "
                  f"padding {call.padding!r}",
                  f"x = {literal(call.x, call.layouts['x'])}",
                  f"V = {literal(call.V, call.layouts['V'])}",
                  f"u = {literal(call.u)}",
                  f"expected = {expected}",
                  f"check({n}, x, V, u, {call.padding!r}, expected, tol={tol!r})"]
    parts += ["", *_comparison_lines(exc), "",
              textwrap.dedent('''
              if problems:
                  print("DISCREPANCY:", *problems, sep="\\n  ")
                  raise SystemExit(1)
              print("no discrepancy on these inputs")''').strip(), ""]
    return "\n".join(parts)
