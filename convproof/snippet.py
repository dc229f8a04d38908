"""A failure as a standalone Python file a library author can paste into a bug report.

The file imports numpy and the implementation (by module, by file path, or as a built-in
of convproof.reference), writes the failing example's inputs as literals (in their
memory layouts), calls the implementation on each, and compares with the output that
convproof's independent reference (reference.oracles) computed for the same inputs, as a
literal: exactly when both sides are exact (theory.bounds), else within the two sides'
error bounds. It prints each output and ends with exit status 1 and the discrepancies, if
it finds any. :func:`snippet` writes a layer's (the article's contract); for a
conv-contract implementation it writes ``conv(x, w, b, stride=..., padding=...,
dilation=..., groups=..., padding_mode=...)`` calls, and ``conv.vjp(x, w, b, g, ...)``
ones compared with the reference's gradients.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import numpy as np

from convproof.evidence import Call, ConvCall, Example

#: Calls written into one snippet: enough for every property (one to three calls).
MAX_SNIPPET_CALLS = 6

#: The comparison both snippets (the layer's and the conv's) print and collect problems with.
_COMPARE = '''
problems = []


def compare(n, what, y, expected, dtype, tol):
    """One output against the expected one; tol 0 means exact equality."""
    print(f"call {n}: {what} returned\\n{y}\\nexpected\\n{expected}\\n")
    if expected is None:
        return
    if y.shape != expected.shape:
        problems.append(f"call {n}: {what} has shape {y.shape}, expected {expected.shape}")
    elif y.dtype != dtype:
        problems.append(f"call {n}: {what} has dtype {y.dtype} for {dtype} input")
    elif tol == 0 and not np.array_equal(y, expected):
        where = np.argwhere(y != expected)
        first = tuple(int(i) for i in where[0])
        problems.append(f"call {n}: {what} differs at {len(where)} of {y.size} positions; "
                        f"first at {first}: {float(y[first])!r} != {float(expected[first])!r}")
    elif tol > 0 and not np.max(np.abs(y - expected), initial=0.0) <= tol:
        problems.append(f"call {n}: {what}: max |difference| {np.max(np.abs(y - expected)):.3e} "
                        f"exceeds the error bound {tol:.3e}")
'''

_CHECK = _COMPARE + '''

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
    compare(n, f"layer(x, V, u, {padding!r})", np.asarray(h), expected, x.dtype, tol)
    if not (np.array_equal(x, x0, equal_nan=True) and np.array_equal(V, V0, equal_nan=True)):
        problems.append(f"call {n}: the layer changed its input")
'''

_LAYOUT_HELPERS = {
    "fortran": "np.asfortranarray",
    "strided": "strided",
    "reversed": "reversed_view",
    "channels-last": "channels_last",
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
    "reversed_view": '''
def reversed_view(a):
    """The same values as a view with every axis reversed in memory."""
    every = (slice(None, None, -1),) * a.ndim
    return np.ascontiguousarray(a[every])[every]
''',
    "channels_last": '''
def channels_last(a):
    """The same (N, C, *n) values, viewed from channels-last memory (N, *n, C)."""
    return np.moveaxis(np.ascontiguousarray(np.moveaxis(a, 1, -1)), -1, 1)
''',
    "read_only": '''
def read_only(a):
    """The same values, not writeable."""
    a.flags.writeable = False
    return a
''',
}


#: The article's layer as one call of a conv-contract implementation (as
#: reference.embedding maps it), for a layer property that failed on a conv.
_EMBEDDED = '''

def layer(x, V, u, padding):
    """The article's layer as one call of the conv under test: N = 1, C_in = C_out = 1
    (or the layer's channels), stride = dilation = groups = 1, padding (D, D) per axis for
    'zeros' and 'circular', (0, 0) for 'valid'."""
    channels = V.ndim == x.ndim + 1
    d = x.ndim - 1 if channels else x.ndim
    delta = (V.shape[0] - 1) // 2
    pairs = ((0, 0) if padding == "valid" else (delta, delta),) * d
    mode = "zeros" if padding == "valid" else padding
    kw = dict(stride=(1,) * d, padding=pairs, dilation=(1,) * d, groups=1, padding_mode=mode)
    if channels:  # x (*n, C_in) -> (1, C_in, *n); V (*k, C_in, C_out) -> (C_out, C_in, *k)
        w = np.moveaxis(np.moveaxis(V, -1, 0), -1, 1)
        y = conv(np.moveaxis(x, -1, 0)[None], w, np.asarray(u, dtype=x.dtype).reshape(-1), **kw)
        return np.moveaxis(y[0], 0, -1)
    return conv(x[None, None], V[None, None], np.asarray([u], dtype=x.dtype), **kw)[0, 0]
'''


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


def import_lines(spec: str, directory: Path, bound_to: str = "layer") -> list[str]:
    """Source lines that bind ``bound_to`` to the implementation ``--impl spec`` names."""
    from convproof.reference import BUILTINS, CONV_BUILTINS, OPTIONAL

    for table, title in ((BUILTINS, "BUILTINS"), (CONV_BUILTINS, "CONV_BUILTINS")):
        if spec in table:
            return [f"from convproof.reference import {title}", "",
                    f"{bound_to} = {title}[{spec!r}].fn  # convproof's built-in {spec!r}"]
    if spec in OPTIONAL:
        spec = OPTIONAL[spec].target
    target, _, name = spec.rpartition(":")
    if target.endswith(".py"):
        path = str((directory / target).resolve())
        return ["import importlib.util",
                f"_spec = importlib.util.spec_from_file_location('impl_under_test', {path!r})",
                "_module = importlib.util.module_from_spec(_spec)",
                "_spec.loader.exec_module(_module)",
                f"{bound_to} = _module.{name}"]
    return [f"from {target} import {name} as {bound_to}"]


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


def _preamble(header: str, binding: list[str]) -> list[str]:
    """The docstring, the imports (standard library first) and the implementation's binding."""
    stdlib = [line for line in binding if line.startswith("import ")]
    parts = ['"""' + header.replace('"""', "'''").rstrip() + "\n\nRun it with numpy and the "
             "implementation installed: python THIS_FILE.py\n" + '"""', "",
             *stdlib, *([""] if stdlib else []), "import numpy as np", ""]
    return parts + [line for line in binding if line not in stdlib]


def _helpers(layouts: set[str]) -> list[str]:
    return [_HELPER_SOURCE[_LAYOUT_HELPERS[k]].rstrip()
            for k in ("strided", "reversed", "channels-last", "read-only") if k in layouts]


_VERDICT = textwrap.dedent('''
    if problems:
        print("DISCREPANCY:", *problems, sep="\\n  ")
        raise SystemExit(1)
    print("no discrepancy on these inputs")''').strip()


def snippet(example: Example, layer: Any, header: str, directory: Path,
            exc: BaseException | None = None) -> str:
    """The standalone reproduction of ``example``'s calls of ``layer`` (a layer, or a
    conv-contract implementation: :func:`conv_snippet`); ``header`` is the docstring (what
    failed, where, the replay command); ``directory`` resolves relative implementation
    paths. '' when the example made no call of an implementation."""
    from convproof.reference.conv_contract import Conv

    if isinstance(layer, Conv):
        return conv_snippet(example, layer, header, directory, exc)
    calls = [c for c in example.calls
             if isinstance(c, Call) and c.impl == getattr(layer, "name", None)]
    if not calls or layer is None:
        return ""
    calls = calls[:MAX_SNIPPET_CALLS]
    layouts = {c.layouts[k] for c in calls for k in ("x", "V")}
    if isinstance(getattr(layer.fn, "conv", None), Conv):  # a conv seen as the article's layer
        binding = [*import_lines(layer.name, directory, bound_to="conv"), _EMBEDDED.rstrip()]
    else:
        binding = import_lines(layer.name, directory)
    parts = _preamble(header, binding)
    parts += [_CHECK.rstrip(), *_helpers(layouts), ""]
    for n, call in enumerate(calls, 1):
        expected, tol = _reference_output(layer, call)
        parts += ["", f"# call {n}: {call.impl} on x {call.x.shape}, V {call.V.shape}, "
                  f"padding {call.padding!r}",
                  f"x = {literal(call.x, call.layouts['x'])}",
                  f"V = {literal(call.V, call.layouts['V'])}",
                  f"u = {literal(call.u)}",
                  f"expected = {expected}",
                  f"check({n}, x, V, u, {call.padding!r}, expected, tol={tol!r})"]
    parts += ["", *_comparison_lines(exc), "", _VERDICT, ""]
    return "\n".join(parts)


# --- the conv contract ------------------------------------------------------------------

_CONV_CHECK = _COMPARE + '''

def check(n, x, w, b, kw, expected, tol=0.0):
    """Call n: conv(x, w, b, **kw) against the expected output (an exception class: the
    reference raises it)."""
    before = [None if a is None else a.copy() for a in (x, w, b)]
    try:
        y = conv(x, w, b, **kw)
    except Exception as exc:
        if isinstance(expected, type) and isinstance(exc, expected):
            print(f"call {n}: raised {type(exc).__name__}, as the reference does")
        else:
            problems.append(f"call {n}: raised {type(exc).__name__}: {exc}")
        return
    if isinstance(expected, type):
        problems.append(f"call {n}: returned a result of shape {np.shape(y)}; the reference "
                        f"raises {expected.__name__}")
        return
    compare(n, "conv(x, w, b, **kw)", np.asarray(y), expected, x.dtype, tol)
    if not all(a is None or np.array_equal(a, a0, equal_nan=True)
               for a, a0 in zip((x, w, b), before)):
        problems.append(f"call {n}: the conv changed its input")
'''

_VJP_CHECK = '''

def check_vjp(n, x, w, b, g, kw, expected, tol=(0.0, 0.0, 0.0)):
    """Call n: conv.vjp(x, w, b, g, **kw) against the expected (dL/dx, dL/dw, dL/db)."""
    try:
        grads = conv.vjp(x, w, b, g, **kw)
    except Exception as exc:
        problems.append(f"call {n}: conv.vjp raised {type(exc).__name__}: {exc}")
        return
    for name, got, want, t in zip(("dL/dx", "dL/dw", "dL/db"), grads, expected, tol):
        compare(n, f"conv.vjp's {name}", np.asarray(got), want, x.dtype, t)
'''


def _scalar_tolerance(*bounds_: Any) -> float:
    """The sum of the bounds' largest elementwise and normwise parts (0 when all are exact)."""
    return sum(float(np.max(b.elementwise, initial=0.0)) + float(b.normwise) for b in bounds_)


def _conv_reference(conv: Any, call: ConvCall) -> tuple[str, str]:
    """(source of the expected output, source of the tolerance) from convproof's
    independent conv reference (reference.oracles.conv_oracle_for) for this call."""
    from convproof.reference.oracles import conv_oracle_for
    from convproof.theory import bounds
    from convproof.theory.conv import spec_of

    spec = spec_of(call.kwargs)
    wide = [None if a is None else np.asarray(a, dtype=np.float64)
            for a in (call.x, call.w, call.b, call.g)]
    try:
        oracle = conv_oracle_for(conv, call.x, call.w, spec)
    except Exception as exc:
        return f"None  # no reference for this input: {type(exc).__name__}: {exc}", "0.0"
    try:
        if call.vjp:
            expected = oracle.fn.vjp(*wide, **spec.kwargs())
        else:
            expected = oracle.fn(*wide[:3], **spec.kwargs())
    except Exception as exc:
        return f"{type(exc).__name__}  # convproof's reference {oracle.name!r} raises it", "0.0"
    note = f"  # convproof's reference {oracle.name!r}"
    try:
        if call.vjp:
            mine = bounds.conv_vjp_bounds(call.x, call.w, call.b, call.g, spec, call.x.dtype)
            theirs = bounds.conv_vjp_bounds(*wide, spec)
            tol = repr(tuple(_scalar_tolerance(a, b) for a, b in zip(mine, theirs, strict=True)))
        else:
            tol = repr(_scalar_tolerance(bounds.conv_direct(call.x, call.w, call.b, spec, call.x.dtype),
                                         bounds.conv_direct(*wide[:3], spec)))
    except Exception:  # no bound for this input: compare exactly
        tol = "(0.0, 0.0, 0.0)" if call.vjp else "0.0"
    if call.vjp:
        arrays = ", ".join(literal(np.asarray(e, dtype=np.float64)) for e in expected)
        return f"({arrays}){note}", tol
    return literal(np.asarray(expected, dtype=np.float64)) + note, tol


def conv_snippet(example: Example, conv: Any, header: str, directory: Path,
                 exc: BaseException | None = None) -> str:
    """The standalone reproduction of ``example``'s calls of the conv-contract
    implementation ``conv`` (and of its backward pass); '' when it made none."""
    calls = [c for c in example.calls if isinstance(c, ConvCall) and c.impl == conv.name]
    if not calls:
        return ""
    calls = calls[:MAX_SNIPPET_CALLS]
    layouts = {v for c in calls for v in c.layouts.values()}
    parts = _preamble(header, import_lines(conv.name, directory, bound_to="conv"))
    parts += [_CONV_CHECK.rstrip()]
    if any(call.vjp for call in calls):
        parts.append(_VJP_CHECK.rstrip())
    parts += [*_helpers(layouts), ""]
    for n, call in enumerate(calls, 1):
        expected, tol = _conv_reference(conv, call)
        what = "conv.vjp" if call.vjp else "conv"
        kw = {k: (tuple(tuple(p) for p in v) if k == "padding" else
                  tuple(v) if isinstance(v, list | tuple) else v) for k, v in call.kwargs.items()}
        parts += ["", f"# call {n}: {what} of {call.impl} on x {call.x.shape}, w {call.w.shape}, "
                  f"b {'None' if call.b is None else call.b.shape}",
                  f"x = {literal(call.x, call.layouts['x'])}",
                  f"w = {literal(call.w, call.layouts['w'])}",
                  f"b = {'None' if call.b is None else literal(call.b, call.layouts['b'])}"]
        if call.vjp:
            parts.append(f"g = {literal(call.g, call.layouts['g'])}")
        parts += [f"kw = {kw!r}", f"expected = {expected}"]
        if call.vjp:
            parts.append(f"check_vjp({n}, x, w, b, g, kw, expected, tol={tol})")
        else:
            parts.append(f"check({n}, x, w, b, kw, expected, tol={tol})")
    parts += ["", *_comparison_lines(exc), "", _VERDICT, ""]
    return "\n".join(parts)
