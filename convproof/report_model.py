"""What the report shows, as data: each claim's view (registry words, this run's row,
counterexamples, figures) and the helpers that turn recorded values into arrays and
numbers a reader can read. Both renderings (convproof.report_render) read these.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from convproof.summary import THEORY
from convproof.theory.claims import Claim


@dataclass
class Counterexample:
    """A recorded counterexample: the wording it refutes, the arrays found in its repr
    (name, values), and the repr itself."""

    wording: str
    arrays: list[tuple[str, np.ndarray]]
    text: str


@dataclass
class ClaimView:
    """What the report shows of one claim: the registry's words, this run's row of the
    payload, its counterexamples and its figures (name, caption, PNG bytes)."""

    claim: Claim
    row: dict[str, Any]
    counterexamples: list[Counterexample]
    figures: list[tuple[str, str, bytes]] = field(default_factory=list)

    @property
    def impls(self) -> list[str]:
        """The implementations this claim's tests ran (in order of appearance), without
        the theory-only properties, which run no layer."""
        return list(dict.fromkeys(t["impl"] for t in self.row["tests"] if t["impl"] != THEORY))

    @property
    def theory_tests(self) -> int:
        """How many of this claim's tests run no implementation (theory-only)."""
        return sum(t["impl"] == THEORY for t in self.row["tests"])

    @property
    def duration(self) -> float:
        """Seconds spent in this claim's tests."""
        return sum(t["duration"] for t in self.row["tests"])


_ARRAY_START = re.compile(r"(?:\b(\w+)=|\barray\()\s*\[")


def _closing_bracket(text: str, start: int) -> int:
    """Index of the ']' matching the '[' at ``start``, or -1."""
    depth = 0
    for index in range(start, len(text)):
        depth += {"[": 1, "]": -1}.get(text[index], 0)
        if depth == 0:
            return index
    return -1


def parse_counterexample(text: str) -> Counterexample:
    """Split a recorded counterexample ('wording: repr', from convproof.harness.refute)
    and read the arrays in the repr: ``name=[[...]]`` (Case) and ``array([[...]])``
    (numpy, named value 1, value 2, ...). What does not parse stays in ``text``."""
    wording, sep, value = text.partition(": ")
    if not sep:
        wording, value = "", text
    arrays: list[tuple[str, np.ndarray]] = []
    end = 0
    for match in _ARRAY_START.finditer(value):
        if match.start() < end:
            continue
        start = match.end() - 1
        stop = _closing_bracket(value, start)
        if stop < 0:
            break
        try:
            values = np.asarray(ast.literal_eval(value[start : stop + 1]), dtype=np.float64)
        except (ValueError, SyntaxError):
            continue
        arrays.append((match.group(1) or f"value {len(arrays) + 1}", values))
        end = stop + 1
    return Counterexample(wording=wording, arrays=arrays, text=" ".join(value.split()))


def array_blocks(name: str, values: np.ndarray) -> list[tuple[str, list[list[str]]]]:
    """An array as 2-D blocks of formatted numbers: one block for up to two axes, one
    per leading index (``V[i, j]``) for more."""
    if values.ndim <= 2:
        return [(name, [[number(v) for v in row] for row in np.atleast_2d(values)])]
    blocks = []
    for index in np.ndindex(values.shape[:-2]):
        label = f"{name}[{', '.join(map(str, index))}]"
        blocks.append((label, [[number(v) for v in row] for row in values[index]]))
    return blocks


def number(value: float) -> str:
    """A float as a reader writes it: integers without '.0', others in full (repr)."""
    value = float(value)
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def ordered(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The payload's claims, those with failing properties first, each group in registry
    order."""
    claims = payload["claims"]
    return [c for c in claims if c["outcome"] == "failed"] + [
        c for c in claims if c["outcome"] != "failed"
    ]


def _is_array(data: Any) -> bool:
    return isinstance(data, dict) and "shape" in data and "dtype" in data


def _walk(name: str, data: Any, found: list[tuple[str, np.ndarray]]) -> None:
    if _is_array(data):
        if "values" in data and len(data["shape"]) >= 1:
            found.append((name, np.asarray(data["values"], dtype=np.float64)))
    elif isinstance(data, dict):
        for key, value in data.items():
            _walk(f"{name}.{key}" if name else key, value, found)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            _walk(f"{name}[{index}]", value, found)


#: The arrays of one recorded call, by contract (convproof.evidence.call_data).
CALL_ARRAYS = {"layer": ("x", "V", "u", "output"), "conv": ("x", "w", "b", "g", "output")}


def example_arrays(example: dict[str, Any]) -> list[tuple[str, np.ndarray]]:
    """The arrays of a failure's example (convproof.evidence.example_data), named: each
    call's x, V, u (with channels) and output (a conv call's x, w, b, g and output), else
    those of the arguments and draws."""
    found: list[tuple[str, np.ndarray]] = []
    for n, call in enumerate(example.get("calls", []), 1):
        for key in CALL_ARRAYS[call.get("contract", "layer")]:
            _walk(f"call {n}: {key}", call.get(key), found)
    if not found:
        _walk("", example.get("arguments", {}), found)
        for draw in example.get("draws", []):
            _walk(draw["label"] or "draw", draw["value"], found)
    return found


def _shapes(call: dict[str, Any], keys: tuple[str, ...]) -> str:
    return "; ".join(f"{k} {tuple(a['shape'])} {a['dtype']} ({a['layout']})"
                     for k in keys if _is_array(a := call.get(k)))


def example_scalars(example: dict[str, Any]) -> list[str]:
    """The scalars of each call of a failure's example: bias, padding (a conv's keywords),
    the shapes."""
    lines = []
    for n, call in enumerate(example.get("calls", []), 1):
        if call.get("contract") == "conv":
            g = ", g" if call.get("function") == "vjp" else ""
            kw = ", ".join(f"{k}={v!r}" for k, v in call["kwargs"].items())
            name = f"{call['impl']}.vjp" if g else call["impl"]
            lines.append(f"call {n}: {name}(x, w, b{g}, {kw}); "
                         + _shapes(call, ("x", "w", "b", "g")))
            continue
        u = call["u"] if not _is_array(call["u"]) else f"an array of shape {tuple(call['u']['shape'])}"
        lines.append(f"call {n}: {call['impl']}(x, V, u={u}, padding={call['padding']!r}); "
                     + _shapes(call, ("x", "V")))
    return lines
