"""The layer contract every implementation under test satisfies, and the import of a
``MODULE:NAME`` callable (reference.load adds the built-in names).

``layer(x, V, u, padding) -> h`` with

* ``x``: a 2-D float64 array of shape (H, W), possibly a non-contiguous or read-only view;
* ``V``: shape (2Δ+1, 2Δ+1), ``V[Δ + a, Δ + b]`` the article's V[a, b];
* ``u``: a float, the bias;
* ``padding``: ``"valid"`` (output (H-2Δ, W-2Δ); ValueError if the kernel is larger than
  the image), ``"zeros"`` (output (H, W), x is 0 outside the image) or ``"circular"``
  (output (H, W), indices modulo H and W, also when the kernel is larger than the image).

It must not modify x or V, nor process-wide state (numpy's error state and print options,
the global random states), and must give the same answer when called again. It declares
the paddings it supports (below): the properties for the others are reported as skipped
for it, while a NotImplementedError for an input it declares fails the property.

The same contract in other dimensions and with channels, for implementations that
declare them:

* d-dimensional (d = 1, 2, 3): x of shape (N1, ..., Nd), V of shape (2Δ+1,)*d, output
  (N1 - 2Δ, ...) for 'valid', else x's shape;
* channels: x of shape (*spatial, C_in), V of shape (*(2Δ+1,)*d, C_in, C_out) (so
  V.ndim == x.ndim + 1), u of shape (C_out,), output (*spatial_out, C_out), with
  h[i, o] = u[o] + Σ_{a, c} V[a, c, o]·x[i + a, c];
* float32: given float32 x and V (and u), the output is float32.

An implementation declares what it supports with :func:`declare` (a typed decorator that
stores a :class:`Declares` on the callable), or, without importing convproof, as plain
attributes of the callable of the same names:

* ``error_model``: ``"direct"`` (direct summation: exact on integer data, elementwise
  bound otherwise) or ``"fft"`` (normwise bound; never exact). Default ``"fft"``, the
  more lenient, which still rejects float32 arithmetic and a 1e-10 leak on data of
  moderate dynamic range (not on 16-decade data: tests/test_bounds.py measures both).
* ``paddings``: the paddings it supports (default: all three);
* ``dims``: the spatial dimensions it supports (default: ``(2,)``);
* ``channels``: whether it takes channel axes (default: ``False``);
* ``dtypes``: the dtypes it supports (default: ``("float64",)``);
* ``max_side``, ``max_size``, ``max_work``: the largest inputs it takes on (default: no
  limit), as its largest side of x along any spatial axis, its largest number of
  entries of x, and its largest work per call (:func:`work`: positions of x × entries of
  V, the multiply-adds of direct summation). They are capabilities, not skips: the properties
  draw that implementation's inputs within them (properties.strategies), so that a
  literal transcription in pure Python or a dense (hw)² weight tensor is checked on
  every input it can afford, and faster ones on inputs where code paths change.

Properties for what an implementation does not declare are reported as skipped for it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from math import prod
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from convproof.theory.bounds import MODELS, Model
from convproof.theory.indices import PADDINGS

LayerFn = Callable[[np.ndarray, np.ndarray, float, str], np.ndarray]


F = TypeVar("F", bound=Callable[..., Any])


def work(x: np.ndarray, V: np.ndarray) -> int:
    """Multiply-adds of one call of direct summation, at most: spatial positions of x
    (every output's, and more for 'valid') times the terms of one output position, i.e.
    the entries of V (with channels, C_in terms for each of C_out outputs)."""
    channels = V.ndim == x.ndim + 1
    positions = prod(x.shape[:-1]) if channels else x.size
    return positions * V.size


@dataclass(frozen=True)
class Limits:
    """The largest inputs an implementation takes on; None: no limit. ``side``: along any
    spatial axis of x; ``size``: entries of x; ``work``: :func:`work` of one call."""

    side: int | None = None
    size: int | None = None
    work: int | None = None

    def __post_init__(self) -> None:
        for name in ("side", "size", "work"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                      or value < 1):
                raise ValueError(f"max_{name} {value!r} is not a positive integer or None")

    def admit(self, x: np.ndarray, V: np.ndarray) -> bool:
        """Whether (x, V) (channels-last, no batch axis) is within these limits."""
        spatial = x.shape[:-1] if V.ndim == x.ndim + 1 else x.shape
        return ((self.side is None or max(spatial, default=0) <= self.side)
                and (self.size is None or x.size <= self.size)
                and (self.work is None or work(x, V) <= self.work))


NO_LIMITS = Limits()


@dataclass(frozen=True)
class Declares:
    """What an implementation declares it supports: properties draw only inside it, and
    what lies outside is reported as skipped (never failed) for it."""

    error_model: Model = "fft"
    paddings: frozenset[str] = frozenset(PADDINGS)
    dims: frozenset[int] = frozenset({2})
    channels: bool = False
    dtypes: frozenset[str] = frozenset({"float64"})
    max_side: int | None = None
    max_size: int | None = None
    max_work: int | None = None

    def __post_init__(self) -> None:
        self.limits  # noqa: B018  # validates max_side, max_size and max_work
        for name, allowed in _ALLOWED.items():
            value = getattr(self, name)
            if isinstance(allowed, frozenset):
                value = frozenset(value)
                object.__setattr__(self, name, value)  # lists and tuples accepted
                if not value or not value <= allowed:
                    raise ValueError(f"{name} {sorted(value)} not within {sorted(allowed)}")
            elif value not in allowed:
                raise ValueError(f"{name} {value!r} is not one of {allowed}")

    @property
    def limits(self) -> Limits:
        """The largest inputs it takes on (:class:`Limits`)."""
        return Limits(self.max_side, self.max_size, self.max_work)


_ALLOWED: dict[str, Any] = {
    "error_model": MODELS,
    "paddings": frozenset(PADDINGS),
    "dims": frozenset({1, 2, 3}),
    "channels": (False, True),
    "dtypes": frozenset({"float64", "float32"}),
}


def check_fits(spatial: tuple[int, ...], delta: int) -> None:
    """The contract's ValueError for 'valid' when the kernel (side 2Δ+1) is larger than
    the input along some spatial axis: there is no valid window (libraries that would
    silently swap their inputs are stopped here)."""
    if min(spatial) < 2 * delta + 1:
        raise ValueError(f"a {2 * delta + 1}-wide kernel is larger than the input {tuple(spatial)}")


def declare(**declared: Any) -> Callable[[F], F]:
    """Decorator: ``@declare(error_model="direct", dims=(1, 2, 3))`` stores
    ``Declares(**declared)`` on the callable as ``fn.convproof``; invalid values raise
    ValueError at import."""
    capabilities = Declares(**declared)

    def mark(fn: F) -> F:
        fn.convproof = capabilities  # type: ignore[attr-defined]  # the one place it is set
        return fn

    return mark


def declared(fn: object) -> Declares:
    """What ``fn`` declares: its :func:`declare` record, else its plain attributes, else
    the defaults; ValueError names a bad value."""
    found = getattr(fn, "convproof", None)
    if isinstance(found, Declares):
        return found
    names = (*_ALLOWED, "max_side", "max_size", "max_work")
    plain = {name: getattr(fn, name) for name in names if hasattr(fn, name)}
    if "channels" in plain:
        plain["channels"] = bool(plain["channels"])
    return Declares(**plain)


@dataclass(frozen=True)
class Layer:
    """An implementation under test: a contract callable with what it declares."""

    name: str
    fn: LayerFn = field(repr=False)
    declares: Declares = Declares()

    @property
    def error_model(self) -> Model:
        return self.declares.error_model

    @property
    def paddings(self) -> frozenset[str]:
        return self.declares.paddings

    @property
    def dims(self) -> frozenset[int]:
        return self.declares.dims

    @property
    def channels(self) -> bool:
        return self.declares.channels

    @property
    def dtypes(self) -> frozenset[str]:
        return self.declares.dtypes

    @property
    def limits(self) -> Limits:
        return self.declares.limits

    def supports(self, padding: str = "zeros", ndim: int = 2, channels: bool = False,
                 dtype: str = "float64") -> str:
        """'' if the declared capabilities cover this call, else the reason they don't."""
        if padding not in self.paddings:
            return f"{self.name} declares no support for padding={padding!r}"
        if ndim not in self.dims:
            return f"{self.name} declares no support for {ndim}-D inputs"
        if channels and not self.channels:
            return f"{self.name} declares no support for channels"
        if dtype not in self.dtypes:
            return f"{self.name} declares no support for {dtype}"
        return ""

    def __str__(self) -> str:
        return self.name


class ImplSpecError(ValueError):
    """An ``--impl`` value that does not name a usable callable."""


class MissingDependencyError(ImplSpecError):
    """A built-in whose optional dependency is not installed."""


def import_target(spec: str) -> object:
    """The callable that ``MODULE:NAME`` or ``path/to/file.py:NAME`` names; ImplSpecError
    says in one line what is wrong."""
    if ":" not in spec:
        raise ImplSpecError(f"--impl {spec!r}: expected MODULE:NAME or path/to/file.py:NAME")
    target, _, name = spec.rpartition(":")
    if not target or not name:
        raise ImplSpecError(f"--impl {spec!r}: expected MODULE:NAME or path/to/file.py:NAME")
    if target.endswith(".py"):
        path = Path(target)
        if not path.is_file():
            raise ImplSpecError(f"--impl {spec!r}: no such file {target!r}")
        module_name = f"convproof_impl_{abs(hash(str(path.resolve())))}"
        loader_spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(loader_spec)  # type: ignore[arg-type]
        sys.modules[module_name] = module
        try:
            loader_spec.loader.exec_module(module)  # type: ignore[union-attr]
        except Exception as exc:  # the user's module failed; say so in one line
            raise ImplSpecError(
                f"--impl {spec!r}: importing {target!r} raised {type(exc).__name__}: {exc}"
            ) from None
    else:
        try:
            module = importlib.import_module(target)
        except ModuleNotFoundError as exc:
            raise ImplSpecError(f"--impl {spec!r}: no module named {exc.name!r}") from None
        except Exception as exc:
            raise ImplSpecError(
                f"--impl {spec!r}: importing {target!r} raised {type(exc).__name__}: {exc}"
            ) from None
    try:
        return getattr(module, name)
    except AttributeError:
        raise ImplSpecError(f"--impl {spec!r}: module {target!r} has no name {name!r}") from None


def as_layer(name: str, fn: object) -> Layer:
    """Wrap a contract callable with its declarations, validating them."""
    if not callable(fn):
        raise ImplSpecError(f"--impl {name!r}: {type(fn).__name__} object is not callable")
    try:
        return Layer(name=name, fn=fn, declares=declared(fn))  # type: ignore[arg-type]
    except ValueError as exc:
        raise ImplSpecError(f"--impl {name!r}: {exc}") from None
