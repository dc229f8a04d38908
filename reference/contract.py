"""The layer contract every implementation under test satisfies, and its loader.

``layer(x, V, u, padding) -> h`` with

* ``x``: a 2-D float64 array of shape (H, W), possibly a non-contiguous or read-only view;
* ``V``: shape (2Δ+1, 2Δ+1), ``V[Δ + a, Δ + b]`` the article's V[a, b];
* ``u``: a float, the bias;
* ``padding``: ``"valid"`` (output (H-2Δ, W-2Δ); ValueError if the kernel is larger than
  the image), ``"zeros"`` (output (H, W), x is 0 outside the image) or ``"circular"``
  (output (H, W), indices modulo H and W, also when the kernel is larger than the image).

It must not modify x or V and must give the same answer when called again. A padding it
does not support raises NotImplementedError, and the properties for that padding are
reported as skipped for it.

An implementation may declare, as attributes of the callable:

* ``error_model``: ``"direct"`` (direct summation: exact on integer data, elementwise
  bound otherwise) or ``"fft"`` (normwise bound; never exact). Default ``"fft"``, the
  more lenient, which is still far too tight for float32 arithmetic or a 1e-10 leak.
* ``paddings``: the paddings it supports (default: all three).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from theory.bounds import MODELS, Model
from theory.indices import PADDINGS

LayerFn = Callable[[np.ndarray, np.ndarray, float, str], np.ndarray]


@dataclass(frozen=True)
class Layer:
    """An implementation under test: a contract callable with what it declares."""

    name: str
    fn: LayerFn = field(repr=False)
    error_model: Model = "fft"
    paddings: frozenset[str] = frozenset(PADDINGS)

    def __str__(self) -> str:
        return self.name


class ImplSpecError(ValueError):
    """An ``--impl`` value that does not name a usable callable."""


def _import_target(spec: str) -> object:
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
    model = getattr(fn, "error_model", "fft")
    if model not in MODELS:
        raise ImplSpecError(f"--impl {name!r}: error_model {model!r} is not one of {MODELS}")
    paddings = frozenset(getattr(fn, "paddings", PADDINGS))
    if not paddings or not paddings <= set(PADDINGS):
        raise ImplSpecError(f"--impl {name!r}: paddings {sorted(paddings)} not within {PADDINGS}")
    return Layer(name=name, fn=fn, error_model=model, paddings=paddings)  # type: ignore[arg-type]


def load(spec: str) -> Layer:
    """A built-in name, ``MODULE:NAME`` or ``path/to/file.py:NAME`` as a :class:`Layer`."""
    from reference import BUILTINS

    if spec in BUILTINS:
        return BUILTINS[spec]
    if ":" not in spec:
        raise ImplSpecError(
            f"--impl {spec!r}: not a built-in ({', '.join(BUILTINS)}) and not MODULE:NAME "
            "or path/to/file.py:NAME"
        )
    return as_layer(spec, _import_target(spec))
