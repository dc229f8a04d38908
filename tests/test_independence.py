"""Every cell of the claims table is an independent check: no property compares an
implementation or a formula with itself.

Two mechanical checks, over every property of properties/ and every parametrization
(tests/catalogue.py finds them):

* A property without a ``layer`` or ``conv`` argument checks the suite's own mathematics
  (a formula, d2l's output size, the pooling references, a refutation). Each must
  fail under some wrong variant of tests/wrong_variants.py installed GLOBALLY, every
  reference to the function replaced at once: a property that computes both sides of its
  comparison with one function F sees the wrong F on both sides and passes, so it needs a
  variant of some other function to fail, and the wrong F it claims to check, registered
  against it, shows the comparison up (:func:`test_wrong_variant_fails_the_property`).
* A property with a ``layer`` (``conv``) argument is run, for every built-in layer (conv
  implementation) L of the default run, under a profiler that records which of the
  suite's computations run inside L's calls and which run outside them, for the
  property's own side of the comparison (:class:`Trace`). Independence means: L's own
  function (and a conv's backward pass) never runs outside the call of L under test (L
  compared with L, say through a scipy form that is L's adapter, or a conv reference
  that is L), and no computation runs on both sides (theory.indices.embed inside
  reference.dense and in the expected value, theory.conv.conv_pad inside the tap-by-tap
  conv and in a pooling reference: the same wrong function would then pass). The error
  bounds (theory.bounds), the contract checks (convproof.harness) and input generation
  (properties.strategies, packed, conv_strategies) are not a side of the comparison and
  are not traced.

test_a_reintroduced_layer_self_comparison_is_flagged,
test_a_reintroduced_conv_self_comparison_is_flagged and
test_a_reintroduced_formula_self_comparison_is_flagged show both checks flagging the
self-comparisons this suite had (issue 15) or could have.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import re
import sys
import types
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import scipy.ndimage
import scipy.signal
from convproof.properties.conv_strategies import Allowed
from convproof.properties.strategies import cases, conv_cases, deltas, impulse_of, shapes
from convproof.reference import BUILTINS, CONV_BUILTINS, CONV_DEFAULT, DEFAULT, ORACLE, scipy_adapters
from convproof.reference.contract import Layer
from convproof.reference.conv_contract import Conv
from convproof.theory import counts
from convproof.theory.bounds import assert_within, direct
from convproof.theory.conv import ConvSpec, conv_pad, window_view
from convproof.theory.indices import embed
from hypothesis import given
from hypothesis import strategies as st

from convproof.harness import bound, call, call_conv, paddings_of
from tests.catalogue import Property, all_properties, run
from tests.wrong_variants import VARIANTS, Variant, installed

pytestmark = pytest.mark.machinery

PROPERTIES = all_properties()
THEORY = [p for p in PROPERTIES if not p.takes_impl]
LAYER = [p for p in PROPERTIES if p.takes_layer]
CONV = [p for p in PROPERTIES if p.takes_conv]


# --- the suite's mathematics: global wrong variants ------------------------------------


def matching(spec: str, properties: list[Property] = PROPERTIES) -> list[tuple[Property, Layer | None]]:
    """The properties a spec of tests/wrong_variants.py names: ``module::name`` (every
    parametrization), ``module::name[ids]`` (one), each optionally ``@layer`` (run on that
    built-in)."""
    spec, _, layer_name = spec.partition("@")
    path, _, ids = spec.partition("[")
    module, _, name = path.partition("::")
    found = [p for p in properties if p.module == module and p.name == name
             and (not ids or "-".join(p.ids) == ids.rstrip("]"))]
    layer = BUILTINS[layer_name] if layer_name else None
    return [(p, layer) for p in found]


CASES = [(v, p, layer) for v in VARIANTS for spec in v.catches for p, layer in matching(spec)]


def _case_id(case: tuple[Variant, Property, Layer | None]) -> str:
    variant, prop, layer = case
    return f"{prop.id}{'@' + layer.name if layer else ''}: {variant.name}"


def test_every_spec_names_a_property():
    for variant in VARIANTS:
        for spec in variant.catches:
            assert matching(spec), f"{variant.name}: {spec!r} names no property"


def test_every_property_without_an_implementation_has_a_wrong_variant():
    """Each property of the suite's mathematics (no ``layer``, no ``conv``), every
    parametrization, is named by a variant that must make it fail (so it can fail, and
    not by comparing F with F)."""
    covered = {p.id for _, p, layer in CASES if layer is None}
    missing = [p.id for p in THEORY if p.id not in covered]
    assert not missing, f"properties with no wrong variant in tests/wrong_variants.py: {missing}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_wrong_variant_fails_the_property(case):
    """The variant, installed everywhere at once, makes the property fail."""
    variant, prop, layer = case
    with installed(variant):
        result = run(prop, layer)
    assert result.failed, (f"{prop.id} passes with '{variant.name}' installed everywhere: "
                           "it cannot see that mistake (both sides computed with it?)")


def test_installed_replaces_every_reference_and_puts_it_back():
    from convproof.reference import ORACLE, oracles

    loops_module = importlib.import_module("convproof.reference.loops")
    original = loops_module.loops
    variant = Variant("zero", (("convproof.reference.loops:loops", lambda f: lambda *a: 0),), ())
    with installed(variant):
        replaced = loops_module.loops
        assert replaced is not original
        assert ORACLE.fn is replaced
        assert BUILTINS["loops"].fn is replaced
        assert oracles.LITERAL[0].fn is replaced
        assert oracles.loops is replaced
    assert loops_module.loops is original
    assert ORACLE.fn is original
    assert oracles.LITERAL[0].fn is original


# --- the implementations: what runs on which side ---------------------------------------

#: Modules whose functions are not a side of a comparison: the error bounds, the harness
#: (contract checks, skips) and input generation.
NOT_A_SIDE = frozenset({
    "convproof.theory.bounds", "convproof.harness", "convproof.properties.strategies",
    "convproof.properties.packed", "convproof.properties.conv_strategies",
})
#: Shape and argument bookkeeping: a wrong one changes shapes (or rejects arguments),
#: which the contract checks of harness.call and call_conv reject on both sides alike.
BOOKKEEPING = frozenset({
    "convproof.theory.indices." + name for name in ("delta_of", "output_shape", "offsets",
                                                    "offset_range")} | {
    "convproof.theory.conv." + name for name in ("output_size", "conv_shape", "spec_of",
                                                 "plain", "receptive_field")} | {
    # the conv references' argument checks (check: the contract's shapes), the ConvSpec of
    # their keywords and the cast of the float64 result back to x's dtype
    "convproof.reference.conv." + name for name in ("check", "_spec", "_result")})
#: Modules of reference/ that select or describe layers rather than compute them.
SELECTION = frozenset({"convproof.reference", "convproof.reference.contract",
                       "convproof.reference.oracles"})
#: The library functions the adapters wrap: a property reaching one of them reaches the
#: same computation as the adapter.
LIBRARY = (scipy.signal.correlate, scipy.signal.convolve, scipy.signal.correlate2d,
           scipy.signal.convolve2d, scipy.signal.fftconvolve, scipy.ndimage.correlate,
           scipy.ndimage.convolve)


def _functions(module: types.ModuleType) -> Iterator[types.FunctionType]:
    for value in vars(module).values():
        if isinstance(value, types.FunctionType) and value.__module__ == module.__name__:
            yield inspect.unwrap(value)


def computations() -> dict[types.CodeType, str]:
    """The code objects of the suite's computations (every function of reference/, of
    theory.indices, theory.equivariance and theory.conv, but the bookkeeping) and of the
    library functions the adapters wrap, with a name for each."""
    found: dict[types.CodeType, str] = {}
    for name, module in list(sys.modules.items()):
        if module is None or name in SELECTION:
            continue
        if name.startswith("convproof.reference.") or name in (
                "convproof.theory.indices", "convproof.theory.equivariance",
                "convproof.theory.conv"):
            for fn in _functions(module):
                if f"{name}.{fn.__name__}" not in BOOKKEEPING:
                    found[fn.__code__] = f"{name}.{fn.__name__}"
    for fn in LIBRARY:
        fn = inspect.unwrap(fn)
        found[fn.__code__] = f"{fn.__module__}.{fn.__name__}"
    return found


def _subject(fn: Any) -> Any:
    """The layer under test, called through a frame of its own, so that the profiler can
    tell its calls from the property's (functools.wraps: it is still ``fn`` to
    reference.oracles and to anything that unwraps it)."""

    @functools.wraps(fn)
    def subject(x, V, u, padding):
        return fn(x, V, u, padding)

    return subject


def _vjp_subject(vjp: Any) -> Any:
    """A conv's backward pass under test, through a frame of its own likewise."""

    @functools.wraps(vjp)
    def vjp_subject(x, w, b, g, **kw):
        return vjp(x, w, b, g, **kw)

    return vjp_subject


def _conv_subject(fn: Any) -> Any:
    """The conv under test likewise, with its backward pass (``fn.vjp``) as a subject too."""

    @functools.wraps(fn)
    def conv_subject(x, w, b, **kw):
        return fn(x, w, b, **kw)

    if callable(getattr(fn, "vjp", None)):
        conv_subject.vjp = _vjp_subject(fn.vjp)
    return conv_subject


SUBJECTS = frozenset(f(None).__code__ for f in (_subject, _conv_subject, _vjp_subject))


@dataclasses.dataclass
class Trace:
    """Which computations ran inside the implementation under test and which outside it."""

    names: dict[types.CodeType, str]
    inside: set[str] = dataclasses.field(default_factory=set)
    outside: set[str] = dataclasses.field(default_factory=set)

    def __call__(self, frame: types.FrameType, event: str, arg: object) -> None:
        if event != "call":
            return
        name = self.names.get(frame.f_code)
        if name is None:
            return
        caller = frame.f_back
        while caller is not None:
            if caller.f_code in SUBJECTS:
                self.inside.add(name)
                return
            if caller.f_globals.get("__name__") in NOT_A_SIDE:
                return
            caller = caller.f_back
        self.outside.add(name)

    @property
    def shared(self) -> set[str]:
        return self.inside & self.outside


def trace(prop: Property, impl: Layer | Conv, share: int = 4) -> tuple[Trace, Any]:
    """Run the property on the layer or conv (max_examples // share) under the profiler."""
    record = Trace(computations())
    wrap = _conv_subject if isinstance(impl, Conv) else _subject
    subject = dataclasses.replace(impl, fn=wrap(impl.fn))
    previous = sys.getprofile()
    sys.setprofile(record)
    try:
        result = run(prop, subject, catch=False, share=share)
    finally:
        sys.setprofile(previous)
    return record, result


def own_names(impl: Layer | Conv, names: dict[types.CodeType, str]) -> set[str]:
    """The names of the implementation's own functions: its function, and a conv's
    backward pass."""
    functions = [impl.fn, getattr(impl.fn, "vjp", None) if isinstance(impl, Conv) else None]
    return {names.get(inspect.unwrap(f).__code__, impl.name) for f in functions if callable(f)}


def _assert_independent(prop: Property, impl: Layer | Conv) -> None:
    record, result = trace(prop, impl)
    assert not result.failed, f"{prop.id} fails on the correct {impl.name}: {result.message}"
    own = own_names(impl, record.names) & record.outside
    assert not own, (
        f"{prop.id}@{impl.name}: the property computes its expected value with {sorted(own)}, "
        "the implementation under test itself")
    assert not record.shared, (
        f"{prop.id}@{impl.name}: the implementation and the property's expected value both use "
        f"{sorted(record.shared)}: the same mistake there would pass")


LAYER_CASES = [(p, name) for p in LAYER for name in DEFAULT]


@pytest.mark.parametrize(("prop", "name"), LAYER_CASES, ids=[f"{p.id}@{n}" for p, n in LAYER_CASES])
def test_layer_property_is_independent_of_the_layer(prop, name):
    """The property, run on the built-in ``name``, never calls that layer's function
    outside the call under test, and shares no computation with it; and it passes."""
    _assert_independent(prop, BUILTINS[name])


CONV_CASES = [(p, name) for p in CONV for name in CONV_DEFAULT]


@pytest.mark.parametrize(("prop", "name"), CONV_CASES, ids=[f"{p.id}@{n}" for p, n in CONV_CASES])
def test_conv_property_is_independent_of_the_conv(prop, name):
    """The conv property, run on the default run's conv built-in ``name``, never calls that
    conv (or its backward pass) outside the call under test, and shares no computation
    with it (the conv oracle is never the conv under test); and it passes."""
    _assert_independent(prop, CONV_BUILTINS[name])


# --- the self-comparisons this suite had (issue 15), flagged ----------------------------


@given(data=st.data())
def _convolution_against_both_scipy_forms(layer, data):
    """As properties/test_convolution.py had it: the scipy form drawn from both adapters,
    so that correlate2d met itself in half the draws."""
    c = data.draw(cases(paddings_of(layer)), label="case")
    form = data.draw(st.sampled_from([scipy_adapters.correlate2d, scipy_adapters.convolve2d]))
    tol = bound(layer, c.x, c.V, c.u, c.padding) + direct(c.x, c.V, c.u, c.padding)
    assert_within(call(layer, c.x, c.V, c.u, c.padding), form(c.x, c.V, c.u, c.padding), tol, "")


@given(data=st.data())
def _locality_against_embed(layer, data):
    """As properties/test_locality.py had it: the expected response read off embed, which
    reference.dense computes with."""
    c, ((k, l), t) = data.draw(cases(paddings_of(layer), extra=impulse_of))
    x2 = c.x.copy()
    x2[k, l] += t
    difference = call(layer, x2, c.V, c.u, c.padding) - call(layer, c.x, c.V, c.u, c.padding)
    expected = t * embed(c.V, c.x.shape, c.padding)[:, :, k, l]
    tol = bound(layer, x2, c.V, c.u, c.padding) + bound(layer, c.x, c.V, c.u, c.padding)
    assert_within(difference, expected, tol, "")


@given(data=st.data())
def _agreement_with_the_oracle_itself(layer, data):
    """Agreement with reference.ORACLE whatever the layer, as before reference.oracles:
    the loop transcription met itself."""
    c = data.draw(cases(paddings_of(layer), exact=None))
    tol = bound(layer, c.x, c.V, c.u, c.padding) + bound(ORACLE, c.x, c.V, c.u, c.padding)
    assert_within(call(layer, c.x, c.V, c.u, c.padding), ORACLE.fn(c.x, c.V, c.u, c.padding), tol, "")


@given(shape=shapes(max_side=40), delta=deltas(25))
def _dimension_formula_cases(shape, delta):
    """As properties/test_converse.py had it: the formula against the same formula."""
    dim = counts.equivariant_dimension(*shape, delta)
    assert (dim == counts.local_weights(delta)) == (2 * delta + 1 <= min(shape))
    assert dim <= min(counts.local_weights(delta), counts.equivariant_dimension(*shape))
    assert dim == counts.equivariant_dimension_nd(shape, delta)


@given(shape=shapes(min_side=2, max_side=1000), delta=st.integers(0, 15))
def _local_layer_is_far_smaller(shape, delta):
    """As properties/test_parameters.py had it: two count formulas and their ratio."""
    if 2 * delta + 1 > min(shape):
        delta = (min(shape) - 1) // 2
    conv = counts.conv_layer_parameters(delta)
    dense = counts.dense_layer_parameters(*shape)
    hw = shape[0] * shape[1]
    assert conv < dense
    assert dense / conv >= hw * (hw + 1) / ((2 * delta + 1) ** 2 + 1)


@given(data=st.data())
def _conv_agreement_with_the_taps_reference(conv, data):
    """Conv agreement against the tap-by-tap reference whatever the conv, as a
    conv_oracle_for that did not skip the conv under test would have it."""
    c = data.draw(conv_cases(2, "float64", allowed=Allowed.of(conv)))
    y = call_conv(conv, c.x, c.w, c.b, c.spec)
    expected = CONV_BUILTINS["conv-taps"].fn(c.x, c.w, c.b, **c.spec.kwargs())
    assert np.array_equal(y, expected)


@given(data=st.data())
def _average_pooling_through_conv_pad(conv, data):
    """Average pooling as a convolution, against a window mean of the input padded by
    theory.conv.conv_pad, as reference.pooling had it: the tap-by-tap conv pads with it too."""
    c = data.draw(conv_cases(2, "float64", allowed=Allowed.of(conv, dilation=False, groups=False),
                             regime="small"))
    C, kernel = c.x.shape[1], c.w.shape[2:]
    spec = ConvSpec(c.spec.stride, c.spec.padding, (1, 1), C, c.spec.padding_mode)
    summed = call_conv(conv, c.x, np.ones((C, 1, *kernel)), None, spec)
    v = window_view(conv_pad(c.x, spec), kernel, spec, summed.shape[2:])
    assert np.array_equal(summed / np.prod(kernel), v.mean(axis=(-2, -1)))


def _variant(name: str) -> Variant:
    return next(v for v in VARIANTS if v.name.startswith(name))


REINTRODUCED_LAYER = [(_convolution_against_both_scipy_forms, "correlate2d"),
                      (_locality_against_embed, "dense"),
                      (_agreement_with_the_oracle_itself, "loops")]
REINTRODUCED_CONV = [(_conv_agreement_with_the_taps_reference, "conv-taps"),
                     (_average_pooling_through_conv_pad, "conv-taps")]
REINTRODUCED_THEORY = [(_dimension_formula_cases, "equivariant_dimension and its N-D twin"),
                       (_local_layer_is_far_smaller, "the conv layer's parameter count is 2")]


def _flagged(fn: Any, impl: Layer | Conv) -> None:
    record, result = trace(Property("reintroduced", fn, (), ()), impl)
    assert not result.failed, result.message
    assert own_names(impl, record.names) & record.outside or record.shared, (
        record.inside, record.outside)


@pytest.mark.parametrize(("fn", "name"), REINTRODUCED_LAYER, ids=lambda v: getattr(v, "__name__", v))
def test_a_reintroduced_layer_self_comparison_is_flagged(fn, name):
    """The trace of each old layer property shows the layer meeting itself, or sharing a
    computation with the expected value; each still passes, so only this check sees it."""
    _flagged(fn, BUILTINS[name])


@pytest.mark.parametrize(("fn", "name"), REINTRODUCED_CONV, ids=lambda v: getattr(v, "__name__", v))
def test_a_reintroduced_conv_self_comparison_is_flagged(fn, name):
    """Likewise for the conv contract: the conv meeting itself (an oracle that is the conv
    under test), or a pooling reference padding with the conv's own padding code."""
    _flagged(fn, CONV_BUILTINS[name])


@pytest.mark.parametrize(("fn", "variant"), REINTRODUCED_THEORY, ids=lambda v: getattr(v, "__name__", v))
def test_a_reintroduced_formula_self_comparison_is_flagged(fn, variant):
    """Each old property of the formulas passes with the wrong formula it was meant to
    check installed everywhere, which test_wrong_variant_fails_the_property rejects; the
    properties that replaced them fail."""
    prop = Property("reintroduced", fn, (), ())
    with installed(_variant(variant)):
        assert not run(prop).failed


# --- the claims' own run catches the wrong mathematics ----------------------------------

#: Issue 15's wrong theory variants, each with property modules of the default run and
#: properties there that must fail under it.
DEFAULT_RUN_CATCHES = {
    "the conv layer's parameter count is 2": (
        ["properties/test_parameters.py"],
        ["test_conv_layer_has_fewer_parameters_than_dense", "test_billions_become_a_few_hundred"]),
    "equivariant_dimension and its N-D twin: (2Δ+1)^d when the window fits, else 1": (
        ["properties/test_converse.py", "properties/test_dimensions.py"],
        ["test_equivariant_dimension_from_the_constraints", "test_equivariant_dimension"]),
    "embed: the dense weights of the kernel rotated by 180°": (
        ["properties/test_locality.py", "properties/test_agreement.py"],
        ["test_dense_weights_vanish_outside_the_window",
         "test_sensitivity_is_the_kernel_inside_the_window_and_zero_outside[dense]"]),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(DEFAULT_RUN_CATCHES))
def test_the_default_run_catches_the_wrong_theory(name, run_pytest, monkeypatch):
    """``pytest`` on the property modules, with the variant installed everywhere after
    collection (tests/variant_plugin.py), fails, and names the properties that caught it."""
    modules, failing = DEFAULT_RUN_CATCHES[name]
    monkeypatch.setenv("CONVPROOF_VARIANT", name)
    monkeypatch.setenv("HYPOTHESIS_PROFILE", "ci")
    result = run_pytest("-p", "tests.variant_plugin", "-q", *modules)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-3000:]
    for prop in failing:
        assert re.search(rf"FAILED \S*::{re.escape(prop)}", output), (prop, output[-3000:])
