"""The conv properties as tests/catalogue.py runs them, in the order a conv mutant is
tried (cheapest catches first), and the row of the conv mutation table: shared by
tests/test_conv_mutants.py and tests/test_conv_findings.py.

The properties and the way they run (no example database; for mutants the first failing
example is the catch, without shrinking) are tests/catalogue.py's: a property with a
``conv`` argument gets the conv implementation there.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from convproof.reference.conv_contract import Conv

from tests.catalogue import Property, Run, all_properties, run
from tests.conv_mutants import KIND


def conv_properties() -> list[Property]:
    """Every conv property of properties/test_*.py, every parametrization."""
    return [p for p in all_properties() if p.takes_conv]


#: Tried first: the cheapest catches (shape and agreement in 1-D and 2-D).
FIRST = ("test_conv_agrees_with_the_reference", "test_output_has_the_d2l_shape",
         "test_each_sample_is_computed_alone", "test_vjp_agrees_with_the_reference")


def _rank(prop: Property) -> tuple[int, int]:
    ndim = dict(prop.params).get("ndim", 2)
    return (FIRST.index(prop.name) if prop.name in FIRST else len(FIRST), ndim)


CONV_PROPERTIES = sorted(conv_properties(), key=_rank)


def first_conv_catch(conv: Conv) -> Run | None:
    """The first conv property, cheapest first, that fails on ``conv``; None if none does."""
    start = time.perf_counter()
    for prop in CONV_PROPERTIES:
        result = run(prop, conv)
        if result.failed:
            return dataclasses.replace(result, seconds=time.perf_counter() - start)
    return None


def conv_row(name: str, result: Run | None) -> dict[str, Any]:
    if result is None:
        return {"name": name, "kind": KIND[name], "examples": None, "calls": None,
                "seconds": None, "caught_by": None}
    return {"name": name, "kind": KIND[name], "examples": result.examples, "calls": result.calls,
            "seconds": round(result.seconds, 3), "caught_by": result.prop.id}
