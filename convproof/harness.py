"""How properties call an implementation under test, compare results and refute claims.

* :func:`call` runs a contract layer (through convproof.isolation.invoke: in a child
  process for ``--impl`` code) and turns every misbehaviour (an unexpected exception, a
  non-array, a wrong shape, NaN, a change of process-wide state, a crash, a hang) into a
  failed property whose message names the implementation and the input, never an
  internal error of the suite. What the implementation does not declare is skipped
  before the call (:func:`require`); a NotImplementedError for what it declares fails. Each
  call's inputs and output are recorded as the evidence of a failure (convproof.evidence).
* :func:`call_conv` and :func:`call_vjp` do the same for the conv contract
  (reference.conv_contract) and its backward pass, their calls recorded likewise.
* :func:`bound` is the error bound of one call (theory.bounds for the layer's model).
* :func:`refute` asks Hypothesis for the minimal counterexample to a literal wording and
  records it for the claims table.
"""

from __future__ import annotations

import contextlib
import functools
import random
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, find, settings
from hypothesis.errors import NoSuchExample
from hypothesis.strategies import SearchStrategy

from convproof import evidence
from convproof.guard import get_numpy_state, set_numpy_state
from convproof.isolation import IsolationError, invoke
from convproof.reference.contract import Layer, work
from convproof.theory import bounds
from convproof.theory.indices import PADDINGS, Padding, delta_of, output_shape

T = TypeVar("T")


@functools.cache
def dtype_name(dtype: np.dtype) -> str:
    """``dtype.name``, which numpy computes in Python on every access (a few µs a call)."""
    return dtype.name


class ImplementationError(AssertionError):
    """The implementation under test broke the contract (not a bug of the suite)."""


def _describe(x: np.ndarray, V: np.ndarray, u: float | np.ndarray, padding: str) -> str:
    return (
        f"x of shape {x.shape} ({x.dtype}), V of shape {V.shape}, u={u!r}, padding={padding!r}"
    )


def require(layer: Layer, padding: str = "zeros", ndim: int = 2, channels: bool = False,
            dtype: str = "float64") -> None:
    """Skip the test for ``layer`` unless it declares this kind of input."""
    __tracebackhide__ = True
    reason = layer.supports(padding, ndim, channels, dtype)
    if reason:
        pytest.skip(reason)


def paddings_of(layer: Layer) -> tuple[Padding, ...]:
    """The paddings ``layer`` declares, in theory.indices.PADDINGS order: properties that
    range over every padding draw from these (a layer declaring none of them is skipped)."""
    __tracebackhide__ = True
    declared = tuple(p for p in PADDINGS if p in layer.paddings)
    if not declared:
        pytest.skip(f"{layer.name} declares none of the paddings {PADDINGS}")
    return declared


def call(layer: Layer, x: np.ndarray, V: np.ndarray, u: float | np.ndarray,
         padding: Padding) -> np.ndarray:
    """h = layer(x, V, u, padding), checked against the contract: the output shape (with
    a trailing C_out axis when V carries channel axes) and the input's float dtype."""
    __tracebackhide__ = True
    channels = V.ndim == x.ndim + 1
    spatial = x.ndim - 1 if channels else x.ndim
    require(layer, padding, spatial, channels, dtype_name(x.dtype))
    record = evidence.begin_call(layer, x, V, u, padding)  # the evidence of a failure
    try:
        h = _invoke(layer, x, V, u, padding)
    except IsolationError:
        raise
    except Exception as exc:
        raise _broke_contract(layer, exc, _describe(x, V, u, padding)) from None
    evidence.returned(record, h)
    if not isinstance(h, np.ndarray):
        raise ImplementationError(
            f"{layer.name} returned {type(h).__name__}, not a numpy array, on "
            f"{_describe(x, V, u, padding)}"
        )
    expected = output_shape(x.shape[:spatial], delta_of(V, spatial), padding)
    expected += (V.shape[-1],) if channels else ()
    if h.shape != expected:
        raise ImplementationError(
            f"{layer.name} returned shape {h.shape}, expected {expected}, on "
            f"{_describe(x, V, u, padding)}"
        )
    if h.dtype != x.dtype:
        raise ImplementationError(
            f"{layer.name} returned dtype {h.dtype} for {x.dtype} input, on "
            f"{_describe(x, V, u, padding)}"
        )
    if not np.isfinite(h).all():
        raise ImplementationError(
            f"{layer.name} returned non-finite values on finite input {_describe(x, V, u, padding)}"
        )
    return h


def _invoke(layer: Layer, x: np.ndarray, V: np.ndarray, u: float | np.ndarray,
            padding: Padding) -> object:
    """layer.fn(x, V, u, padding) through convproof.isolation.invoke, whose time limit
    for an isolated call grows with the multiply-adds (reference.contract.work)."""
    return invoke(layer.fn, (x, V, u, padding), name=layer.name,
                  about=functools.partial(_describe, x, V, u, padding), work=work(x, V))


def _broke_contract(layer: Layer, exc: Exception, about: str) -> ImplementationError:
    """The ImplementationError for an exception of a call that the contract rules out."""
    if isinstance(exc, NotImplementedError):
        # require() skipped what the layer does not declare: this input is declared
        return ImplementationError(
            f"{layer.name} raised NotImplementedError: {exc} on {about}, an input it declares "
            f"({_declared(layer)}); declining declared inputs hides failures: declare only "
            "what it supports (reference.contract.declare)")
    return ImplementationError(f"{layer.name} raised {type(exc).__name__}: {exc} on {about}")


def _declared(layer: Layer) -> str:
    d = layer.declares
    return (f"paddings {sorted(d.paddings)}, dims {sorted(d.dims)}, dtypes {sorted(d.dtypes)}"
            f"{', channels' if d.channels else ''}")


def rejects(layer: Layer, x: np.ndarray, V: np.ndarray, u: float | np.ndarray,
            padding: Padding = "valid") -> None:
    """The contract's answer to a kernel wider than x with 'valid' padding: ValueError.
    Anything else, a result or another exception, is an ImplementationError naming the
    input; what the layer does not declare is skipped."""
    __tracebackhide__ = True
    channels = V.ndim == x.ndim + 1
    spatial = x.ndim - 1 if channels else x.ndim
    require(layer, padding, spatial, channels, dtype_name(x.dtype))
    what = f"x of shape {x.shape} with a {V.shape} kernel, padding={padding!r}"
    try:
        _invoke(layer, x, V, u, padding)
    except ValueError:
        return
    except IsolationError:
        raise
    except Exception as exc:
        raise ImplementationError(
            f"{_broke_contract(layer, exc, what)}, not ValueError") from None
    raise ImplementationError(f"{layer.name} returned a result for {what}; expected ValueError "
                              "(the kernel is larger than x)")


@contextlib.contextmanager
def global_random_state(seed: int) -> Iterator[None]:
    """numpy.random and random seeded with ``seed`` inside the block, their states
    before it restored after it."""
    numpy_state, python_state = get_numpy_state(), random.getstate()
    np.random.seed(seed)  # noqa: NPY002 (the legacy global state is the point)
    random.seed(seed)
    try:
        yield
    finally:
        set_numpy_state(numpy_state)
        random.setstate(python_state)


def bound(layer: Layer, x: np.ndarray, V: np.ndarray, u: float | np.ndarray,
          padding: Padding) -> bounds.Bound:
    """The error bound of ``layer`` on this input, in the input's precision: 0 for direct
    summation on integer data."""
    return bounds.for_model(layer.error_model, x, V, u, padding, x.dtype)


def probe(f: Callable[[np.ndarray], np.ndarray], shape: tuple[int, int]) -> np.ndarray:
    """J[..., k, l] = f(e_kl) - f(0): the exact linear part of an affine map, column by column."""
    zero = f(np.zeros(shape))
    J = np.empty((*zero.shape, *shape))
    for k in range(shape[0]):
        for l in range(shape[1]):
            e = np.zeros(shape)
            e[k, l] = 1.0
            J[..., k, l] = f(e) - zero
    return J


def refute(
    request: pytest.FixtureRequest,
    examples: SearchStrategy[T],
    violates: Callable[[T], bool],
    wording: str,
    max_examples: int = 2000,
) -> T:
    """The minimal example of ``examples`` that ``violates`` the literal ``wording``.

    Hypothesis searches and shrinks deterministically (derandomized, no database); the
    example is recorded as the claim's counterexample. No counterexample in
    ``max_examples`` tries fails the test: the verdict 'false as stated' would be wrong.
    """
    calls = 0

    def condition(example: Any) -> bool:
        nonlocal calls
        calls += 1
        return violates(example)

    try:
        found = find(
            examples,
            condition,
            settings=settings(
                max_examples=max_examples,
                database=None,
                derandomize=True,
                deadline=None,
                phases=(Phase.generate, Phase.shrink),
                suppress_health_check=list(HealthCheck),
            ),
        )
    except NoSuchExample:
        raise AssertionError(
            f"no counterexample to {wording!r} in {max_examples} examples: the literal "
            "wording may hold after all"
        ) from None
    request.node.user_properties.append(("examples", calls))
    request.node.user_properties.append(("counterexample", f"{wording}: {found!r}"))
    return found


# --- the conv contract (reference.conv_contract) ----------------------------------------


def _describe_conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, spec: Any) -> str:
    bias = "b=None" if b is None else f"b of shape {np.shape(b)}"
    return f"x of shape {x.shape} ({x.dtype}), w of shape {w.shape}, {bias}, {spec}"


def require_conv(conv: Any, ndim: int = 2, dtype: str = "float64", padding_mode: str = "zeros",
                 **features: bool) -> None:
    """Skip the test for ``conv`` unless it declares this kind of input."""
    __tracebackhide__ = True
    reason = conv.supports(ndim, dtype, padding_mode, **features)
    if reason:
        pytest.skip(reason)


def _named(conv: Any, what: str) -> str:
    """The implementation's name, and which of its functions ('' for the conv itself)."""
    return f"{conv.name} {what}" if what else conv.name


def _conv_checked(conv: Any, what: str, result: Any, expected: tuple[int, ...],
                  x: np.ndarray, w: np.ndarray, b: np.ndarray | None, spec: Any) -> np.ndarray:
    __tracebackhide__ = True
    if not isinstance(result, np.ndarray):
        raise ImplementationError(f"{_named(conv, what)} returned {type(result).__name__}, not a "
                                  f"numpy array, on {_describe_conv(x, w, b, spec)}")
    if result.shape != expected:
        raise ImplementationError(f"{_named(conv, what)} returned shape {result.shape}, expected "
                                  f"{expected}, on {_describe_conv(x, w, b, spec)}")
    if result.dtype != x.dtype:
        raise ImplementationError(f"{_named(conv, what)} returned dtype {result.dtype} for "
                                  f"{x.dtype} input, on {_describe_conv(x, w, b, spec)}")
    if not np.isfinite(result).all():
        raise ImplementationError(f"{_named(conv, what)} returned non-finite values on finite "
                                  f"input {_describe_conv(x, w, b, spec)}")
    return result


def _invoke_conv(conv: Any, what: str, fn: Callable[..., Any], args: tuple, spec: Any) -> Any:
    """fn(*args, **spec.kwargs()) through convproof.isolation.invoke (a child process for
    ``--impl`` code; process-wide state guarded either way)."""
    x, w, b = args[:3]
    return invoke(fn, args, spec.kwargs(), name=_named(conv, what),
                  about=functools.partial(_describe_conv, x, w, b, spec))


def _guarded(conv: Any, what: str, fn: Callable[..., Any], x: np.ndarray, w: np.ndarray,
             b: np.ndarray | None, spec: Any, *args: Any) -> Any:
    """fn(x, w, b, *args, **spec.kwargs()), every exception an ImplementationError (a
    NotImplementedError too: the declaration is the only way to skip)."""
    __tracebackhide__ = True
    try:
        return _invoke_conv(conv, what, fn, (x, w, b, *args), spec)
    except IsolationError:
        raise
    except Exception as exc:
        raise ImplementationError(
            f"{_named(conv, what)} raised {type(exc).__name__}: {str(exc)[:200]} on "
            f"{_describe_conv(x, w, b, spec)}"
        ) from None


def call_conv(conv: Any, x: np.ndarray, w: np.ndarray, b: np.ndarray | None,
              spec: Any) -> np.ndarray:
    """y = conv(x, w, b, **spec), checked against the contract: skipped unless declared,
    then the shape (N, C_out, *theory.conv.conv_shape), x's dtype, finite values."""
    __tracebackhide__ = True
    from convproof.theory.conv import conv_shape

    require_conv(conv, spec.ndim, dtype_name(x.dtype), spec.padding_mode,
                 **conv.needs(spec, w.shape[2:]))
    record = evidence.begin_conv_call(conv, x, w, b, spec.kwargs())  # a failure's evidence
    y = _guarded(conv, "", conv.fn, x, w, b, spec)
    evidence.returned(record, y)
    expected = (x.shape[0], w.shape[0], *conv_shape(x.shape[2:], w.shape[2:], spec))
    return _conv_checked(conv, "", y, expected, x, w, b, spec)


def attempt_conv(conv: Any, x: np.ndarray, w: np.ndarray, b: np.ndarray | None,
                 spec: Any) -> Exception | None:
    """conv(x, w, b, **spec) where the contract asks for an exception (no output): the
    exception it raised, or None if it returned; recorded as evidence like call_conv."""
    record = evidence.begin_conv_call(conv, x, w, b, spec.kwargs())  # a failure's evidence
    try:
        y = _invoke_conv(conv, "", conv.fn, (x, w, b), spec)
    except IsolationError:
        raise
    except Exception as exc:
        return exc
    evidence.returned(record, y)
    return None


def call_vjp(conv: Any, x: np.ndarray, w: np.ndarray, b: np.ndarray | None, g: np.ndarray,
             spec: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(∂L/∂x, ∂L/∂w, ∂L/∂b) = conv.vjp(x, w, b, g, **spec), each checked (shapes of x, w
    and (C_out,), x's dtype, finite); skipped unless the backward pass is declared."""
    __tracebackhide__ = True
    require_conv(conv, spec.ndim, dtype_name(x.dtype), spec.padding_mode, vjp=True,
                 **conv.needs(spec, w.shape[2:]))
    record = evidence.begin_conv_call(conv, x, w, b, spec.kwargs(), g)  # a failure's evidence
    result = _guarded(conv, "vjp", conv.vjp, x, w, b, spec, g)
    evidence.returned(record, result)
    if not isinstance(result, tuple | list) or len(result) != 3:
        raise ImplementationError(f"{conv.name} vjp returned {type(result).__name__}, not "
                                  f"(gx, gw, gb), on {_describe_conv(x, w, b, spec)}")
    shapes = (x.shape, w.shape, (w.shape[0],))
    return tuple(_conv_checked(conv, f"vjp's {name}", r, shape, x, w, b, spec)  # type: ignore[return-value]
                 for name, r, shape in zip(("gx", "gw", "gb"), result, shapes, strict=True))


def conv_bound(conv: Any, x: np.ndarray, w: np.ndarray, b: np.ndarray | None,
               spec: Any) -> bounds.Bound:
    """The error bound of ``conv`` on this input in x's precision (theory.bounds item 5)."""
    return bounds.conv_direct(x, w, b, spec, x.dtype)


def widened(*arrays: np.ndarray | None) -> tuple[np.ndarray | None, ...]:
    """The arrays in float64 (exactly: float32 values are float64 values)."""
    return tuple(None if a is None else np.asarray(a, dtype=np.float64) for a in arrays)
