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

The same contract in other dimensions and with channels, for implementations that
declare them:

* d-dimensional (d = 1, 2, 3): x of shape (N1, ..., Nd), V of shape (2Δ+1,)*d, output
  (N1 - 2Δ, ...) for 'valid', else x's shape;
* channels: x of shape (*spatial, C_in), V of shape (*(2Δ+1,)*d, C_in, C_out) (so
  V.ndim == x.ndim + 1), u of shape (C_out,), output (*spatial_out, C_out), with
  h[i, o] = u[o] + Σ_{a, c} V[a, c, o]·x[i + a, c];
* float32: given float32 x and V (and u), the output is float32.

An implementation may declare, as attributes of the callable:

* ``error_model``: ``"direct"`` (direct summation: exact on integer data, elementwise
  bound otherwise) or ``"fft"`` (normwise bound; never exact). Default ``"fft"``, the
  more lenient, which still rejects float32 arithmetic and a 1e-10 leak on data of
  moderate dynamic range (not on 16-decade data: tests/test_bounds.py measures both).
* ``paddings``: the paddings it supports (default: all three);
* ``dims``: the spatial dimensions it supports (default: ``(2,)``);
* ``channels``: whether it takes channel axes (default: ``False``);
* ``dtypes``: the dtypes it supports (default: ``("float64",)``).

Properties for what an implementation does not declare are reported as skipped for it.
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
    dims: frozenset[int] = frozenset({2})
    channels: bool = False
    dtypes: frozenset[str] = frozenset({"float64"})

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
    dims = frozenset(getattr(fn, "dims", (2,)))
    if not dims or not dims <= {1, 2, 3}:
        raise ImplSpecError(f"--impl {name!r}: dims {sorted(dims)} not within (1, 2, 3)")
    dtypes = frozenset(getattr(fn, "dtypes", ("float64",)))
    if not dtypes or not dtypes <= {"float64", "float32"}:
        raise ImplSpecError(f"--impl {name!r}: dtypes {sorted(dtypes)} not within float64, float32")
    return Layer(
        name=name,
        fn=fn,  # type: ignore[arg-type]
        error_model=model,
        paddings=paddings,
        dims=dims,
        channels=bool(getattr(fn, "channels", False)),
        dtypes=dtypes,
    )


def load(spec: str) -> Layer:
    """A built-in name, ``MODULE:NAME`` or ``path/to/file.py:NAME`` as a :class:`Layer`."""
    from reference import BUILTINS, OPTIONAL

    if spec in BUILTINS:
        return BUILTINS[spec]
    if spec in OPTIONAL:
        dependency, target = OPTIONAL[spec]
        if importlib.util.find_spec(dependency) is None:
            from reference.torch_adapter import INSTALL_HINT

            raise MissingDependencyError(f"--impl {spec}: {dependency} is not installed; {INSTALL_HINT}")
        return as_layer(spec, _import_target(target))
    if ":" not in spec:
        raise ImplSpecError(
            f"--impl {spec!r}: not a built-in ({', '.join([*BUILTINS, *OPTIONAL])}) and not "
            "MODULE:NAME "
            "or path/to/file.py:NAME"
        )
    return as_layer(spec, _import_target(spec))
