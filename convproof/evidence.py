"""What one example of a property did, kept as the evidence of its failure: the draws, the
implementation's calls (inputs and output) and the comparison that failed.

* convproof.harness.call feeds :func:`begin_call` and :func:`returned`, and
  harness.call_conv and call_vjp (the conv contract) :func:`begin_conv_call` and
  :func:`returned`;
* :func:`watch` wraps a property's ``hypothesis.inner_test`` (Hypothesis's documented
  hook for wrapping the inner test) so that each example starts an empty
  :class:`Example`, and attaches it to the exception the example raises. Hypothesis
  re-raises the exceptions of its final replay, so the exception pytest sees carries the
  minimal failing example's record, whatever ran while Hypothesis searched and shrank;
* :func:`example_of` finds that record again; :func:`to_data` turns values into JSON-ready
  data (arrays as nested lists with their shape, dtype and memory layout).

The failing comparison travels on the exception itself (theory.bounds.MismatchError carries
``actual``, ``expected`` and ``what``), so theory never imports the runner.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis.strategies import DataObject

#: Calls kept per example: the properties make one to three; refute() searches may make
#: thousands, whose inputs are not the failing example's.
MAX_CALLS = 16
#: Array entries kept as data; a larger array is kept as its shape and dtype only.
MAX_ENTRIES = 10_000
_ATTRIBUTE = "convproof_example"


@dataclass
class Call:
    """One call of an implementation: its inputs (copies, taken before the call) and
    what it returned (None until it returns)."""

    impl: str
    x: np.ndarray
    V: np.ndarray
    u: Any
    padding: str
    layouts: dict[str, str]
    output: Any = None
    returned: bool = False


@dataclass
class ConvCall:
    """One call of a conv-contract implementation, ``conv(x, w, b, **kwargs)``, or with
    ``g`` of its backward pass, ``conv.vjp(x, w, b, g, **kwargs)``: inputs copied before
    the call, and what it returned."""

    impl: str
    x: np.ndarray
    w: np.ndarray
    b: np.ndarray | None
    g: np.ndarray | None
    kwargs: dict[str, Any]
    layouts: dict[str, str]
    output: Any = None
    returned: bool = False

    @property
    def vjp(self) -> bool:
        return self.g is not None


@dataclass
class Example:
    """What one example did: the test's arguments, its draws (label, value) and the
    implementation's calls, in order."""

    arguments: dict[str, Any] = field(default_factory=dict)
    draws: list[tuple[str, Any]] = field(default_factory=list)
    calls: list[Call | ConvCall] = field(default_factory=list)


_current: Example | None = None


def layout(a: np.ndarray) -> str:
    """The memory layout of ``a``, as a snippet rebuilds it: read-only, contiguous,
    fortran, channels-last (a channels-first (N, C, *n) view of channels-last memory:
    properties.layouts.LAYOUTS' 'transposed' of the conv inputs), reversed (every
    axis), or strided (anything else)."""
    if not a.flags.writeable:
        return "read-only"
    if a.flags.c_contiguous:
        return "contiguous"
    if a.flags.f_contiguous:
        return "fortran"
    if a.ndim >= 3 and np.moveaxis(a, 1, -1).flags.c_contiguous:
        return "channels-last"
    if a.ndim and a[(slice(None, None, -1),) * a.ndim].flags.c_contiguous:
        return "reversed"
    return "strided"


def _copy(value: Any) -> Any:
    if isinstance(value, tuple | list):  # a backward pass's (gx, gw, gb)
        return type(value)(_copy(v) for v in value)
    return np.array(value, copy=True) if isinstance(value, np.ndarray) else value


def begin_call(layer: Any, x: np.ndarray, V: np.ndarray, u: Any, padding: str) -> Call | None:
    """Record a call about to be made (None when nothing is being recorded)."""
    if _current is None or len(_current.calls) >= MAX_CALLS:
        return None
    # copies: an implementation that writes into its input must not change the record
    call = Call(getattr(layer, "name", str(layer)), _copy(x), _copy(V), _copy(u), padding,
                {"x": layout(x), "V": layout(V)})
    _current.calls.append(call)
    return call


def begin_conv_call(conv: Any, x: np.ndarray, w: np.ndarray, b: np.ndarray | None,
                    kwargs: dict[str, Any], g: np.ndarray | None = None) -> ConvCall | None:
    """Record a conv call (with ``g``, a call of its backward pass) about to be made (None
    when nothing is being recorded)."""
    if _current is None or len(_current.calls) >= MAX_CALLS:
        return None
    arrays = {"x": x, "w": w} | ({} if b is None else {"b": b}) | ({} if g is None else {"g": g})
    call = ConvCall(getattr(conv, "name", str(conv)), _copy(x), _copy(w), _copy(b), _copy(g),
                    dict(kwargs), {k: layout(np.asarray(a)) for k, a in arrays.items()})
    _current.calls.append(call)
    return call


def returned(call: Call | ConvCall | None, output: Any) -> None:
    """Record what the call returned."""
    if call is not None:
        call.output, call.returned = _copy(output), True


def start(arguments: dict[str, Any] | None = None) -> Example:
    """Begin recording a new example (a test without Hypothesis records as one)."""
    global _current
    _current = Example(arguments=dict(arguments or {}))
    return _current


def stop() -> None:
    global _current
    _current = None


def current() -> Example | None:
    return _current


def attach(exc: BaseException, example: Example) -> None:
    """Keep ``example`` on ``exc`` (the first record attached wins: it is the innermost)."""
    if getattr(exc, _ATTRIBUTE, None) is None:
        try:
            setattr(exc, _ATTRIBUTE, example)
        except AttributeError:  # an exception type without a __dict__
            pass


def _record_draws(data: Any, example: Example) -> None:
    """Record every ``data.draw(strategy, label)`` of an st.data() object: shadowing the
    method on this one instance, which lives for one example."""
    draw = data.draw

    def recorded_draw(strategy: Any, label: Any = None) -> Any:
        value = draw(strategy, label)
        example.draws.append((str(label) if label is not None else "", value))
        return value

    data.draw = recorded_draw


def watch(test: Callable[..., Any]) -> Callable[..., Any]:
    """``test`` recording each call as one :class:`Example`, attached to what it raises.

    ``functools.wraps`` keeps the name and source that Hypothesis digests for its
    derandomized seed and database key, so the examples are the same as without it."""
    if getattr(test, "_convproof_watched", False):
        return test

    @functools.wraps(test)
    def recorded(*args: Any, **kwargs: Any) -> Any:
        example = start(kwargs)
        for value in kwargs.values():
            if isinstance(value, DataObject):
                _record_draws(value, example)
        try:
            return test(*args, **kwargs)
        except BaseException as exc:
            attach(exc, example)
            raise
        finally:
            stop()

    recorded._convproof_watched = True  # type: ignore[attr-defined]
    return recorded


def leaves(exc: BaseException) -> Iterator[BaseException]:
    """The exceptions inside ``exc``: itself, or the leaves of an exception group
    (Hypothesis raises one when it found several distinct failures)."""
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            yield from leaves(inner)
    else:
        yield exc


def example_of(exc: BaseException) -> Example | None:
    return getattr(exc, _ATTRIBUTE, None)


def to_data(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON-ready data: arrays as {"shape", "dtype", "layout", "values"}
    (nested lists), numpy scalars as Python numbers, tuples as lists, dataclasses as
    dicts of their fields, layers and functions by name, anything else by its repr."""
    if depth > 8:
        return repr(value)[:200]
    if isinstance(value, np.ndarray):
        data = {"shape": list(value.shape), "dtype": value.dtype.name, "layout": layout(value)}
        if value.size <= MAX_ENTRIES:
            data["values"] = value.tolist()
        return data
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, tuple | list):
        return [to_data(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {str(k): to_data(v, depth + 1) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "fn") and hasattr(value, "name"):  # a contract Layer: its name
            return value.name
        return {f.name: to_data(getattr(value, f.name), depth + 1)
                for f in dataclasses.fields(value)}
    if callable(value):
        return getattr(value, "__name__", repr(value)[:200])
    return repr(value)[:200]


def call_data(call: Call | ConvCall) -> dict[str, Any]:
    """One recorded call as data."""
    if isinstance(call, ConvCall):
        data = {"impl": call.impl, "contract": "conv", "function": "vjp" if call.vjp else "conv",
                "x": to_data(call.x), "w": to_data(call.w), "b": to_data(call.b)}
        if call.vjp:
            data["g"] = to_data(call.g)
        return {**data, "kwargs": to_data(call.kwargs),
                "output": to_data(call.output) if call.returned else None}
    return {
        "impl": call.impl,
        "x": to_data(call.x),
        "V": to_data(call.V),
        "u": to_data(call.u),
        "padding": call.padding,
        "output": to_data(call.output) if call.returned else None,
    }


def example_data(example: Example) -> dict[str, Any]:
    """The example as data: the test's arguments (without the layer and the st.data()
    object), the labelled draws and the implementation's calls."""
    arguments = {k: to_data(v) for k, v in example.arguments.items()
                 if k not in ("layer", "conv") and not isinstance(v, DataObject)}
    return {
        "arguments": arguments,
        "draws": [{"label": label, "value": to_data(value)} for label, value in example.draws],
        "calls": [call_data(c) for c in example.calls],
    }


def compact(example: Example, limit: int = 400) -> str:
    """The example on one line: ``name=value`` for the arguments and draws."""

    def shown(value: Any) -> str:  # functions by name, not <function f at 0x...>
        return value.__name__ if callable(value) and hasattr(value, "__name__") else repr(value)

    parts = [f"{k}={shown(v)}" for k, v in example.arguments.items()
             if k not in ("layer", "conv") and not isinstance(v, DataObject)]
    parts += [f"{label or 'draw'}={shown(value)}" for label, value in example.draws]
    text = " ".join(", ".join(parts).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
