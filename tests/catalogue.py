"""Running properties as plain functions, outside pytest: the machinery that
tests/test_mutants.py, tests/test_adapters.py, tests/test_independence.py and (through
tests/conv_catalogue.py) the conv tests share, and that ``python -m bench --only
mutants`` uses (:func:`catch_all`).

Every property is found, not listed (:func:`all_properties`): every ``test_*`` function
of a properties/test_*.py module, once per combination of its ``pytest.mark.parametrize``
values. A property takes a ``layer`` (the article's contract), a ``conv`` (the conv
contract) or neither (the suite's own mathematics). Each is called directly, as
Hypothesis allows (``prop(layer=L, padding=...)``, ``prop(conv=C, ndim=...)``),
under the profile in force (max_examples, derandomize, --hypothesis-seed) with these
settings changed for the duration of the call (:func:`run`):

* ``database=None``, always: a mutant's counterexample must not be saved under the
  property's key, where the real runs would replay it and every later mutant would
  start from it;
* for catches, ``report_multiple_bugs=False`` and no shrink or explain phase: a catch is
  the first failing example, which generation finds before any shrinking; shrinking it
  would triple the time and change nothing;
* for the controls, max_examples divided by ``share``.

A property "fails" when it raises AssertionError (harness.ImplementationError is one),
pytest's Failed (``pytest.raises`` that did not raise), or a group of these (Hypothesis
reports flaky failures as one). Any other exception is a crash of the suite itself and is
re-raised, never counted as a catch.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib
import inspect
import itertools
import pkgutil
import time
from collections.abc import Callable, Iterator
from typing import Any

import convproof.properties
import pytest
from convproof.reference.contract import Layer
from convproof.reference.conv_contract import Conv
from hypothesis import Phase, Verbosity, settings
from hypothesis.errors import Flaky

from tests import mutants
from tests.mutants import KIND, MUTANTS

Params = tuple[tuple[str, Any], ...]


@dataclasses.dataclass(frozen=True)
class Property:
    """One parametrization of a property: ``fn(**params)``, with ``layer=`` or ``conv=``
    when it takes one."""

    module: str
    fn: Callable[..., None]
    params: Params
    ids: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.fn.__name__

    @property
    def id(self) -> str:
        suffix = f"[{'-'.join(self.ids)}]" if self.ids else ""
        return f"{self.module}::{self.name}{suffix}"

    @property
    def takes_layer(self) -> bool:
        return "layer" in inspect.signature(self.fn).parameters

    @property
    def takes_conv(self) -> bool:
        return "conv" in inspect.signature(self.fn).parameters

    @property
    def takes_impl(self) -> bool:
        """Whether it checks an implementation (a layer or a conv), not the mathematics."""
        return self.takes_layer or self.takes_conv


def _id(value: object) -> str:
    return getattr(value, "__name__", None) or str(value)


def _parametrizations(fn: Callable) -> Iterator[tuple[Params, tuple[str, ...]]]:
    """Every combination of the function's parametrize marks, as pytest generates them:
    ((argname, value), ...) and the ids."""
    param_set = type(pytest.param(None))
    axes = []
    for mark in getattr(fn, "pytestmark", []):
        if mark.name != "parametrize":
            continue
        names, values = mark.args[0], mark.args[1]
        names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        ids = mark.kwargs.get("ids")
        options = []
        for k, value in enumerate(values):
            value_id = None
            if isinstance(value, param_set):
                value_id, value = value.id, value.values
            elif len(names) == 1:
                value = (value,)
            if value_id is None:
                value_id = ids[k] if isinstance(ids, list | tuple) else "-".join(map(_id, value))
            options.append((tuple(zip(names, value, strict=True)), value_id))
        axes.append(options)
    # pytestmark lists the innermost decorator first, and pytest's ids follow that order
    for combo in itertools.product(*axes):
        yield tuple(p for params, _ in combo for p in params), tuple(i for _, i in combo)


def all_properties() -> list[Property]:
    """Every property of properties/test_*.py, every parametrization, in module order."""
    found = []
    for info in sorted(pkgutil.iter_modules(convproof.properties.__path__), key=lambda i: i.name):
        if not info.name.startswith("test_") or info.name.endswith("_tmp"):
            continue  # _tmp: stray modules that tests/test_plugin.py writes and deletes
        module = importlib.import_module(f"convproof.properties.{info.name}")
        for name, fn in vars(module).items():
            if not (name.startswith("test_") and callable(fn)):
                continue
            if getattr(fn, "__module__", None) != module.__name__:
                continue
            for params, ids in _parametrizations(fn):
                found.append(Property(info.name, fn, params, ids))
    return found


def layer_properties() -> list[Property]:
    """Every property with a ``layer`` argument, every parametrization."""
    return [p for p in all_properties() if p.takes_layer]


#: Tried first, in this order: the cheapest ways to catch a mutant. test_edge_shapes
#: fails most wrong layers on one of its explicit examples, which cost one call each;
#: then agreement on integer data, whose exact comparison sees a 1e-10 leak, with
#: channels (skipped at once for a layer that does not declare them) and in float32
#: (likewise); then the hygiene properties, for bugs that change no value. Agreement on
#: floats and the rest follow in discovery order.
FIRST = (
    "test_edge_shapes",
    "test_agrees_with_the_loop_transcription",
    "test_channels_agree_with_the_channel_oracle",
    "test_agrees_in_float32",
    "test_valid_rejects_a_kernel_larger_than_the_image",
    "test_inputs_are_not_modified",
    "test_repeated_calls_are_bitwise_identical",
    "test_no_state_is_carried_between_calls",
    "test_memory_layouts_give_the_contiguous_result",
)


def _cost_rank(prop: Property) -> int:
    if prop.name not in FIRST or dict(prop.params).get("exact") is False:
        return len(FIRST)
    return FIRST.index(prop.name)


#: The layer properties, cheapest first: the order in which a mutant is tried.
PROPERTIES = sorted(layer_properties(), key=_cost_rank)  # sorted() is stable

#: The controls run each property with max_examples // CONTROL_SHARE examples (at least
#: 10): every property times every control at the full profile would take minutes, and
#: the full-profile runs of the same properties on the built-ins are ``pytest
#: properties/`` itself (``--impl tests/correct_impls.py:NAME`` for the correct layers).
CONTROL_SHARE = 4


@dataclasses.dataclass
class Counter:
    examples: int = 0
    calls: int = 0
    first_failure: tuple[int, int] | None = None


def is_failure(exc: BaseException) -> bool:
    """A failed property, as opposed to a crash of the suite."""
    if isinstance(exc, BaseExceptionGroup):
        return all(is_failure(e) for e in exc.exceptions)
    return isinstance(exc, AssertionError | pytest.fail.Exception)


def _changed(own: settings, catch: bool, share: int) -> settings:
    """The settings of one run (module docstring): ``catch`` for mutants, ``share`` for
    the controls."""
    changes: dict[str, Any] = {"database": None}
    if catch:
        changes["report_multiple_bugs"] = False
        changes["verbosity"] = Verbosity.quiet  # no "reproduce with @seed" per catch
        changes["phases"] = tuple(p for p in own.phases if p not in (Phase.shrink, Phase.explain))
    if share > 1:
        changes["max_examples"] = max(10, own.max_examples // share)
    return settings(own, **changes)


@contextlib.contextmanager
def _instrumented(prop: Property, counter: Counter, catch: bool, share: int) -> Iterator[None]:
    """For one run: count the examples through Hypothesis's documented, reassignable
    ``hypothesis.inner_test``, and change the property's settings; both are put back
    afterwards. A property without @given is one example."""
    if not hasattr(prop.fn, "hypothesis"):
        counter.examples += 1
        yield
        return
    handle = prop.fn.hypothesis  # type: ignore[attr-defined]
    inner = handle.inner_test
    own = prop.fn._hypothesis_internal_use_settings  # type: ignore[attr-defined]

    @functools.wraps(inner)  # keeps the digest that seeds derandomized runs
    def counted(*args: Any, **kwargs: Any) -> None:
        counter.examples += 1
        try:
            inner(*args, **kwargs)
        except BaseException as exc:
            if counter.first_failure is None and is_failure(exc):
                counter.first_failure = (counter.examples, counter.calls)
            raise

    handle.inner_test = counted
    prop.fn._hypothesis_internal_use_settings = _changed(own, catch, share)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        handle.inner_test = inner
        prop.fn._hypothesis_internal_use_settings = own  # type: ignore[attr-defined]


def _counting(impl: Layer | Conv, counter: Counter) -> Layer | Conv:
    """``impl`` with its calls counted (a conv's backward pass too), still ``impl`` to
    reference.oracles, which unwraps functools.wraps wrappers."""

    @functools.wraps(impl.fn)
    def fn(*args: Any, **kwargs: Any) -> Any:
        counter.calls += 1
        return impl.fn(*args, **kwargs)

    vjp = getattr(impl.fn, "vjp", None)
    if callable(vjp):
        @functools.wraps(vjp)
        def counted_vjp(*args: Any, **kwargs: Any) -> Any:
            counter.calls += 1
            return vjp(*args, **kwargs)

        fn.vjp = counted_vjp  # type: ignore[attr-defined]
    return dataclasses.replace(impl, fn=fn)


@dataclasses.dataclass(frozen=True)
class Run:
    """One property run against one layer: the failure, if any, and what it took."""

    prop: Property
    error: BaseException | None
    examples: int
    calls: int
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def flaky(self) -> bool:
        return isinstance(self.error, Flaky)

    @property
    def leaf(self) -> BaseException | None:
        """The failure itself, out of any exception group."""
        exc = self.error
        while isinstance(exc, BaseExceptionGroup):
            exc = exc.exceptions[0]
        return exc

    @property
    def message(self) -> str:
        if self.leaf is None:
            return ""
        lines = str(self.leaf).strip().splitlines() or [""]
        return f"{type(self.leaf).__name__}: {lines[0][:300]}"


class _Node:
    """What refute() records on ``request.node`` when a property runs outside pytest."""

    def __init__(self) -> None:
        self.user_properties: list[tuple[str, Any]] = []


class _Request:
    def __init__(self) -> None:
        self.node = _Node()


def _fixtures(prop: Property) -> dict[str, Any]:
    """Stand-ins for the pytest fixtures a property may take besides ``layer`` and ``conv``."""
    wanted = inspect.signature(prop.fn).parameters
    given = {"request": _Request(), "record_property": lambda name, value: None}
    return {name: value for name, value in given.items() if name in wanted}


def run(prop: Property, impl: Layer | Conv | None = None, catch: bool = True,
        share: int = 1) -> Run:
    """Run one property (on ``impl``, a layer or a conv, if it takes one); a skip counts as
    a pass, a crash propagates."""
    mutants.reset()
    counter = Counter()
    arguments = {**dict(prop.params), **_fixtures(prop)}
    if impl is not None:
        arguments["conv" if prop.takes_conv else "layer"] = _counting(impl, counter)
    with _instrumented(prop, counter, catch, share):
        try:
            prop.fn(**arguments)
        except pytest.skip.Exception:
            pass
        except BaseException as exc:
            if not is_failure(exc):
                raise
            examples, calls = counter.first_failure or (counter.examples, counter.calls)
            return Run(prop, exc, examples, calls)
    return Run(prop, None, counter.examples, counter.calls)


def first_catch(layer: Layer) -> Run | None:
    """The first property, cheapest first, that fails on ``layer``; None if none does.
    Its ``seconds`` is the time to the catch, the properties tried before it included."""
    start = time.perf_counter()
    for prop in PROPERTIES:
        result = run(prop, layer)
        if result.failed:
            return dataclasses.replace(result, seconds=time.perf_counter() - start)
    return None


def catch_row(name: str, result: Run | None) -> dict[str, Any]:
    if result is None:
        return {"name": name, "kind": KIND[name], "examples": None, "calls": None,
                "seconds": None, "caught_by": None}
    return {"name": name, "kind": KIND[name], "examples": result.examples, "calls": result.calls,
            "seconds": round(result.seconds, 3),
            "caught_by": result.prop.id + (" (flaky)" if result.flaky else "")}


def catch_all(profile: str | None = "ci") -> list[dict[str, Any]]:
    """Every mutant of tests/mutants.py with what caught it: one row per mutant with keys
    name, kind, examples (that Hypothesis ran in the catching property up to the catch),
    calls (of the layer, in that property), seconds (to the catch, from the first
    property tried) and caught_by (the property's id; None: it survived).

    Outside pytest (``python -m bench --only mutants``), ``profile`` names the Hypothesis
    profile of convproof.profiles to load first (default ``ci``: derandomized, so the table is
    reproducible); None keeps the profile in force.
    """
    if profile is not None:
        import convproof.profiles  # registers the profiles  # noqa: F401

        settings.load_profile(profile)
    return [catch_row(name, first_catch(layer)) for name, layer in MUTANTS.items()]


COLUMNS = (("mutant", "name"), ("kind", "kind"), ("caught by", "caught_by"),
           ("examples to catch", "examples"), ("layer calls", "calls"), ("seconds", "seconds"))


def table(rows: list[dict[str, Any]], markdown: bool = False) -> str:
    """The rows of :func:`catch_all` as aligned text, or as a Markdown table."""
    cells = [[("SURVIVED" if key == "caught_by" else "-") if r[key] is None else str(r[key])
              for _, key in COLUMNS] for r in rows]
    header = [title for title, _ in COLUMNS]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        code = {0, 2}  # mutant and property names
        lines += ["| " + " | ".join(f"`{v}`" if k in code and v != "-" else v
                                    for k, v in enumerate(c)) + " |" for c in cells]
        return "\n".join(lines)
    widths = [max(len(r[k]) for r in [header, *cells]) for k in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in [header, *cells]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
