"""The counterexample Hypothesis reports for each public mutant (tests/mutants.py),
after shrinking: for each mutant, the first property (cheapest first, as
tests/catalogue.py orders them) whose generated examples fail is run again with
shrinking, and the arrays of the layer's first call in the example Hypothesis reports
are taken as the counterexample. Explicit ``@example``s are left out: they are the
suite's own pinned inputs (distinct values, a few pixels), reported as written, not found
by search. :func:`measure` returns the rows for ``python -m bench --only shrinking``;
tests/test_shrinking.py checks them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import statistics
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from convproof.reference.contract import Layer
from hypothesis import Phase, Verbosity, settings

from tests import mutants
from tests.catalogue import PROPERTIES, Property, is_failure
from tests.mutants import KIND, MUTANTS


@dataclasses.dataclass(frozen=True)
class Call:
    """One call of the layer: its arguments, copied (the values an implementation saw)."""

    x: np.ndarray
    V: np.ndarray
    u: float | np.ndarray
    padding: str

    @property
    def channels(self) -> bool:
        return self.V.ndim == self.x.ndim + 1

    @property
    def pixels(self) -> int:
        """Spatial positions of x."""
        return self.x.size // (self.x.shape[-1] if self.channels else 1)

    @property
    def delta(self) -> int:
        return (self.V.shape[0] - 1) // 2


def significant_digits(value: float) -> int:
    """Significant decimal digits of the shortest repr of ``value`` (0 for 0)."""
    if value == 0:
        return 0
    mantissa = repr(float(value)).lower().split("e")[0].lstrip("-").replace(".", "")
    return len(mantissa.strip("0")) or 1


def simple(a: np.ndarray) -> bool:
    """Every entry an integer of magnitude <= 2 or a decimal of <= 3 significant digits."""
    values = np.asarray(a, dtype=np.float64).ravel()
    small = (values == np.round(values)) & (np.abs(values) <= 2)
    return all(small[k] or significant_digits(v) <= 3 for k, v in enumerate(values))


def _shrinking(own: settings) -> settings:
    """Generated examples only, shrunk; one bug; no database; quiet."""
    return settings(own, database=None, report_multiple_bugs=False, verbosity=Verbosity.quiet,
                    phases=(Phase.generate, Phase.target, Phase.shrink))


@contextlib.contextmanager
def _recording(prop: Property, calls: list[Call], failing: list[list[Call]]) -> Iterator[None]:
    """For one run: every example's layer calls into ``calls`` (cleared per example), the
    calls of each failing example into ``failing``; the property's settings shrink."""
    handle = prop.fn.hypothesis  # type: ignore[attr-defined]
    inner = handle.inner_test
    own = prop.fn._hypothesis_internal_use_settings  # type: ignore[attr-defined]

    @functools.wraps(inner)  # keeps the digest that seeds derandomized runs
    def recorded(*args: Any, **kwargs: Any) -> None:
        calls.clear()
        try:
            inner(*args, **kwargs)
        except BaseException as exc:
            if is_failure(exc):
                failing.append(list(calls))
            raise

    handle.inner_test = recorded
    prop.fn._hypothesis_internal_use_settings = _shrinking(own)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        handle.inner_test = inner
        prop.fn._hypothesis_internal_use_settings = own  # type: ignore[attr-defined]


def reported(prop: Property, layer: Layer) -> Call | None:
    """The first layer call of the example Hypothesis reports for ``prop`` on ``layer``
    after shrinking (its last failing example); None if no generated example fails."""
    if not hasattr(prop.fn, "hypothesis"):
        return None
    calls: list[Call] = []
    failing: list[list[Call]] = []

    def fn(x: Any, V: Any, u: Any, padding: str) -> Any:
        calls.append(Call(np.array(x), np.array(V), np.array(u) if np.ndim(u) else u, padding))
        return layer.fn(x, V, u, padding)

    mutants.reset()
    with _recording(prop, calls, failing):
        try:
            prop.fn(layer=dataclasses.replace(layer, fn=fn), **dict(prop.params))
        except pytest.skip.Exception:
            return None
        except BaseException as exc:
            if not is_failure(exc):
                raise
    if not failing or not failing[-1]:
        return None
    return failing[-1][0]


@dataclasses.dataclass(frozen=True)
class Shrunk:
    """A mutant's reported counterexample, and the property that reported it."""

    name: str
    prop: str
    call: Call

    def row(self) -> dict[str, Any]:
        c = self.call
        return {
            "name": self.name, "kind": KIND[self.name], "property": self.prop,
            "padding": c.padding, "shape": list(c.x.shape), "pixels": c.pixels, "delta": c.delta,
            "c_in": c.x.shape[-1] if c.channels else None,
            "c_out": c.V.shape[-1] if c.channels else None,
            "max_abs_x": float(np.max(np.abs(c.x), initial=0.0)),
            "max_abs_V": float(np.max(np.abs(c.V), initial=0.0)),
            "u": np.asarray(c.u).tolist(),
            "digits": max((significant_digits(v) for a in (c.x, c.V)
                           for v in np.asarray(a, dtype=np.float64).ravel()), default=0),
            "simple": simple(c.x) and simple(c.V),
        }


def shrunk(name: str) -> Shrunk | None:
    """The reported counterexample of mutant ``name``: that of the first property, cheapest
    first, whose generated examples fail on it."""
    layer = MUTANTS[name]
    for prop in PROPERTIES:
        call = reported(prop, layer)
        if call is not None:
            return Shrunk(name, prop.id, call)
    return None


def measure(names: list[str] | None = None) -> dict[str, Any]:
    """Per mutant, its reported counterexample's size and magnitude; the median pixels and
    the share of simple examples (all entries integers of magnitude <= 2 or decimals of
    <= 3 significant digits) over the catalogue."""
    rows = []
    for name in names or list(MUTANTS):
        found = shrunk(name)
        rows.append(found.row() if found else {"name": name, "kind": KIND[name], "property": None})
    found_rows = [r for r in rows if r["property"]]
    return {
        "rows": rows,
        "median_pixels": statistics.median(r["pixels"] for r in found_rows),
        "simple": sum(r["simple"] for r in found_rows),
        "reported": len(found_rows),
        "not_simple": sorted(r["name"] for r in found_rows if not r["simple"]),
    }
