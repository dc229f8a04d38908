"""Claim agreement, the contract's side conditions: a layer that computes the right numbers
once is not yet “one function” of (x, V, u). The contract (reference.contract) also says
it leaves x and V alone, accepts x in any memory layout, keeps no state between calls
and gives the same answer when called again. Each property below checks one of these,
for every ``--impl``; tests/test_mutants.py shows each failing on a mutant that breaks it.
"""

import dataclasses

import numpy as np
import pytest
from convproof.properties.strategies import (
    LAYOUTS,
    Case,
    alternatives_of,
    cases,
    distinct_case,
    within,
)
from convproof.reference.oracles import oracle_for
from convproof.theory.bounds import assert_within
from hypothesis import example, given, target
from hypothesis import strategies as st

from convproof.harness import bound, call, global_random_state, paddings_of, rejects


def _same_bits(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _read_only(a):
    b = np.array(a)
    b.flags.writeable = False
    return b


def _call_and_compare(layer, x, V, u, padding, what):
    """h = layer(x, V, u, padding), checked against an independent reference
    (reference.oracles; computed first, so that a layer that modifies its inputs cannot
    move the target) within both layers' bounds."""
    oracle = oracle_for(layer, x, V)
    expected = oracle.fn(x, V, u, padding)
    tol = bound(layer, x, V, u, padding) + bound(oracle, x, V, u, padding)
    h = call(layer, x, V, u, padding)
    assert_within(h, expected, tol, f"{layer} vs {oracle} ({what})")
    return h


@pytest.mark.claim("agreement")
@given(data=st.data())
def test_inputs_are_not_modified(layer, data):
    """agreement (contract): layer(x, V, u, padding) leaves x and V bit for bit as they
    were, and accepts a read-only x and V: an in-place normalization, padding or kernel
    flip would change the caller's arrays, or raise on read-only ones."""
    c = data.draw(cases(paddings_of(layer), exact=None, any_layout=False, limits=layer.limits),
                  label="case")
    padding = c.padding
    x, V = c.x.copy(), c.V.copy()
    call(layer, x, V, c.u, padding)
    assert _same_bits(x, c.x), f"{layer} modified x in place"
    assert _same_bits(V, c.V), f"{layer} modified V in place"
    x_ro, V_ro = _read_only(c.x), _read_only(c.V)
    call(layer, x_ro, V_ro, c.u, padding)
    assert _same_bits(x_ro, c.x), f"{layer} modified a read-only x"
    assert _same_bits(V_ro, c.V), f"{layer} modified a read-only V"
    assert not x_ro.flags.writeable, f"{layer} made a read-only x writeable"
    assert not V_ro.flags.writeable, f"{layer} made a read-only V writeable"


@pytest.mark.claim("agreement")
@given(data=st.data())
def test_memory_layouts_give_the_contiguous_result(layer, data):
    """agreement (contract): x as a Fortran-ordered, strided, reversed-stride, transposed
    or read-only view (properties.strategies.LAYOUTS) gives the result of a C-contiguous
    copy of the same values, within twice the layer's bound (exactly on integer data):
    the layer reads x through its strides, not its buffer."""
    c = data.draw(cases(paddings_of(layer), exact=None, any_layout=False, limits=layer.limits),
                  label="case")
    padding = c.padding
    contiguous = np.ascontiguousarray(c.x.copy())
    expected = call(layer, contiguous, c.V, c.u, padding)
    tol = bound(layer, c.x, c.V, c.u, padding)
    tol = tol + tol
    for name, make in LAYOUTS.items():
        if name == "contiguous":
            continue  # the expected call's own layout
        view = make(c.x.copy())
        assert np.array_equal(view, contiguous)  # the strategy's own promise
        h = call(layer, view, c.V, c.u, padding)
        assert_within(h, expected, tol, f"{layer}: x as a {name} view vs a contiguous copy")


def _other(new, old):
    """``new`` if it differs from ``old`` anywhere, else a value that differs everywhere
    (integers stay integers in range)."""
    if not np.array_equal(new, old):
        return new
    return np.where(np.asarray(old) == 0, 1.0, -np.asarray(old))


@pytest.mark.claim("agreement")
@given(data=st.data())
def test_no_state_is_carried_between_calls(layer, data):
    """agreement (contract): after a first call, calls that change only x, only V or
    only u (same shapes) each get their own correct answer (against the loop
    transcription, within theory.bounds), and the arrays returned earlier keep their
    values: no cache keyed on part of the input, no output buffer reused across calls."""
    paddings = paddings_of(layer)
    c, (x2, V2, u2) = data.draw(cases(paddings, exact=None, extra=alternatives_of,
                                      limits=layer.limits),
                                label="(case, (x2, V2, u2))")
    padding = c.padding
    x2, V2, u2 = _other(x2, c.x), _other(V2, c.V), float(_other(u2, c.u))
    calls = [("first call", c.x, c.V, c.u), ("new x", x2, c.V, c.u),
             ("new V", c.x, V2, c.u), ("new u", c.x, c.V, u2)]
    returned = []
    for what, x, V, u in calls:
        h = _call_and_compare(layer, x, V, u, padding, what)
        returned.append((what, h, h.copy()))
    for what, h, snapshot in returned:
        assert _same_bits(h, snapshot), f"{layer}: a later call changed the result of '{what}'"


def seeds_of(r, case, domain):
    """Three distinct seeds of the global random states that repeated calls run under,
    s1 < s2 < s3 below 2^32: never 0, the seed Hypothesis gives numpy.random and random
    before every example; zero bytes give 1, 2, 3."""
    seeds, last = [], 0
    for _ in range(3):
        last += 1 + r.digit(2**30, width=4)
        seeds.append(last)
    return tuple(seeds)


@pytest.mark.claim("agreement")
@given(data=st.data())
def test_repeated_calls_are_bitwise_identical(layer, data):
    """agreement (contract): calling the layer again on the same input returns the same
    bits (dtype, shape and every value), not merely values within the bound: under the
    same global random state, and under others (numpy.random and random seeded anew),
    since Hypothesis reseeds both before every example and a layer that reads them would
    otherwise look deterministic. A nondeterministic reduction or random perturbation is
    a different function."""
    c, seeds = data.draw(cases(paddings_of(layer), exact=None, extra=seeds_of,
                               limits=layer.limits), label="(case, seeds)")
    padding = c.padding
    first = call(layer, c.x, c.V, c.u, padding)
    first = first.copy()  # a reused output buffer is test_no_state_is_carried_between_calls'
    again = call(layer, c.x, c.V, c.u, padding)
    assert _same_bits(again, first), (
        f"{layer}: call 2 differs from call 1 under the same global random state on {c!r}")
    for n, seed in enumerate(seeds, start=3):
        with global_random_state(seed):
            again = call(layer, c.x, c.V, c.u, padding)
        assert _same_bits(again, first), (
            f"{layer}: call {n} differs from call 1 when the global random state differs "
            f"(numpy.random and random seeded with {seed}): the layer reads numpy.random/"
            f"random, on {c!r}")


def _edge(shape, delta, padding, twist=0):
    """An explicit example: integer-valued, distinct, asymmetric entries, so that any
    mix-up of indices shows; read-only, so that a layer that writes to its inputs fails
    instead of corrupting the example for the next implementation
    (strategies.distinct_case; ``twist`` gives another kernel)."""
    return distinct_case(shape, delta, padding, twist=twist)


def _zero_kernel(shape, delta, padding):
    """The same image with V = 0: the layer is the constant u."""
    c = distinct_case(shape, delta, padding)
    return dataclasses.replace(c, V=_read_only(np.zeros_like(c.V)))


def _float_edge(shape, delta, padding):
    """The same with non-integer x and u and a kernel of size ~1e-5, none of them exact
    in float32: rounding now matters, and Σ(V+1)·x - Σx or float32 arithmetic show."""
    c = distinct_case(shape, delta, padding)
    return Case(x=_read_only(c.x / 7), V=_read_only(c.V / 3e6), u=1 / 3, padding=padding)


def _viewed(case, layout):
    """``case`` with x as a non-contiguous view (strategies.LAYOUTS)."""
    return dataclasses.replace(case, x=LAYOUTS[layout](case.x))


@pytest.mark.claim("agreement")
@example(case=_edge((1, 1), 0, "valid"))
@example(case=_edge((1, 1), 0, "zeros"))
@example(case=_edge((1, 1), 0, "circular"))
@example(case=_edge((1, 6), 0, "valid"))
@example(case=_edge((1, 6), 1, "zeros"))
@example(case=_edge((1, 6), 2, "circular"))
@example(case=_edge((5, 1), 1, "circular"))
@example(case=_edge((3, 3), 1, "valid"))
@example(case=_edge((2, 3), 3, "zeros"))
@example(case=_edge((2, 3), 3, "circular"))
@example(case=_edge((1, 1), 3, "circular"))
@example(case=_edge((1, 2), 3, "circular"))  # 1×N; a 7×7 kernel: 7 and 3½ turns
@example(case=_edge((3, 1), 3, "zeros"))  # N×1, kernel larger than the image
@example(case=_edge((1, 6), 1, "valid"))  # 'valid', kernel larger: ValueError
@example(case=_edge((2, 3), 3, "valid"))
@example(case=_edge((4, 1), 2, "valid"))
@example(case=_float_edge((4, 5), 1, "zeros"))  # rounding matters
@example(case=_float_edge((3, 2), 2, "circular"))
@example(case=_viewed(_edge((3, 5), 1, "zeros"), "transposed"))  # x Fortran-ordered
@example(case=_viewed(_edge((4, 3), 2, "circular"), "strided"))  # x a strided view
@example(case=_edge((4, 5), 1, "zeros", twist=5))  # shapes and padding of a float example
@example(case=_zero_kernel((3, 4), 1, "circular"))  # V = 0
@given(case=cases(exact=None))
def test_edge_shapes(layer, case):
    """agreement (contract): on 1×1 kernels, 1×N and N×1 images, kernels exactly the
    size of the image ('valid', one output) and kernels larger than the image ('zeros',
    'circular', which wraps several times), the layer returns the documented shape
    (theory.indices.output_shape) in a float dtype (harness.call) and the loop
    transcription's values; with 'valid', a kernel larger than the image raises
    ValueError. Explicit examples pin these cases down, with integer and with float data
    and with x as non-contiguous views, and target() steers the search to large kernels."""
    case = within(case, layer.limits)  # drawn before the layer is known
    target(float(case.V.shape[0] - min(case.x.shape)), label="kernel side beyond the image")
    if case.padding == "valid" and min(case.x.shape) < case.V.shape[0]:
        rejects(layer, case.x, case.V, case.u)
        return
    _call_and_compare(layer, case.x, case.V, case.u, case.padding, "edge shapes")
