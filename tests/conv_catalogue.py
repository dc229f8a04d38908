"""The machinery that runs the conv properties on conv-contract implementations, shared
by tests/test_conv_mutants.py, tests/test_conv_findings.py and tests/test_conv_variants.py
(a module of its own, so that no test module imports another).

It runs them as the layer catalogue runs the layer properties (no example database; for
mutants the first failing example is the catch, without shrinking), with the conv
implementation as the ``conv`` argument.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import pkgutil
import time
from typing import Any, ClassVar

import convproof.properties
import pytest
from convproof.reference.conv_contract import Conv
from hypothesis import Phase, settings

# The layer catalogue's machinery (tests/catalogue.py), re-exported for the conv tests
from tests.catalogue import PROPERTIES as LAYER_PROPERTIES  # noqa: F401
from tests.catalogue import (  # noqa: F401
    Counter,
    Property,
    Run,
    _instrumented,
    _is_failure,
    _parametrizations,
    table,
)
from tests.catalogue import run as run_layer  # noqa: F401
from tests.conv_mutants import KIND


def fails(prop: Any, **kwargs: Any) -> str:
    """Run a property (a @given test called directly) and return the message of the
    AssertionError it raises; raise AssertionError if it passes."""
    try:
        prop(**kwargs)
    except AssertionError as exc:
        return str(exc)
    except BaseExceptionGroup as group:  # Hypothesis reports several distinct bugs at once
        match, rest = group.split(AssertionError)
        if match is not None and rest is None:
            return str(match.exceptions[0])
        raise
    raise AssertionError(f"{getattr(prop, '__name__', prop)} passed on a wrong variant")


def conv_properties() -> list[Property]:
    """Every conv property of properties/test_*.py, every parametrization."""
    found = []
    for info in sorted(pkgutil.iter_modules(convproof.properties.__path__), key=lambda i: i.name):
        if not info.name.startswith("test_") or info.name.endswith("_tmp"):
            continue
        module = importlib.import_module(f"convproof.properties.{info.name}")
        for name, fn in vars(module).items():
            if not (name.startswith("test_") and callable(fn)):
                continue
            if getattr(fn, "__module__", None) != module.__name__:
                continue
            if "conv" not in inspect.signature(fn).parameters:
                continue
            for params, ids in _parametrizations(fn):
                found.append(Property(info.name, fn, params, ids))
    return found


#: Tried first: the cheapest catches (shape and agreement in 1-D and 2-D).
FIRST = ("test_conv_agrees_with_the_reference", "test_output_has_the_d2l_shape",
         "test_each_sample_is_computed_alone", "test_vjp_agrees_with_the_reference")


def _rank(prop: Property) -> tuple[int, int]:
    ndim = dict(prop.params).get("ndim", 2)
    return (FIRST.index(prop.name) if prop.name in FIRST else len(FIRST), ndim)


CONV_PROPERTIES = sorted(conv_properties(), key=_rank)


def _counting(conv: Conv, counter: Counter) -> Conv:
    @functools.wraps(conv.fn)
    def fn(*args: Any, **kwargs: Any) -> Any:
        counter.calls += 1
        return conv.fn(*args, **kwargs)

    return dataclasses.replace(conv, fn=fn)


def run_conv(prop: Property, conv: Conv, catch: bool = True, share: int = 1) -> Run:
    """One conv property on one conv implementation; a skip counts as a pass."""
    counter = Counter()
    with _instrumented(prop, counter, catch, share):
        try:
            prop.fn(conv=_counting(conv, counter), **dict(prop.params))
        except pytest.skip.Exception:
            pass
        except BaseException as exc:
            if not _is_failure(exc):
                raise
            examples, calls = counter.first_failure or (counter.examples, counter.calls)
            return Run(prop, exc, examples, calls)
    return Run(prop, None, counter.examples, counter.calls)


def first_conv_catch(conv: Conv) -> Run | None:
    start = time.perf_counter()
    for prop in CONV_PROPERTIES:
        result = run_conv(prop, conv)
        if result.failed:
            return dataclasses.replace(result, seconds=time.perf_counter() - start)
    return None


def conv_row(name: str, result: Run | None) -> dict[str, Any]:
    if result is None:
        return {"name": name, "kind": KIND[name], "examples": None, "calls": None,
                "seconds": None, "caught_by": None}
    return {"name": name, "kind": KIND[name], "examples": result.examples, "calls": result.calls,
            "seconds": round(result.seconds, 3), "caught_by": result.prop.id}


class _Request:
    """What :func:`convproof.harness.refute` reads of pytest's ``request``, for calling a
    refutation property directly."""

    class node:  # noqa: N801
        user_properties: ClassVar[list] = []


def caught(monkeypatch: pytest.MonkeyPatch, prop: Any, **kwargs: Any) -> str:
    """The AssertionError message of ``prop`` (a property called directly), run without
    database and shrinking; fails if the property passes."""
    own = getattr(prop, "_hypothesis_internal_use_settings", None)
    if own is not None:
        quick = settings(own, database=None, phases=(Phase.explicit, Phase.generate),
                         report_multiple_bugs=False)
        monkeypatch.setattr(prop, "_hypothesis_internal_use_settings", quick)
    return fails(prop, **kwargs)
