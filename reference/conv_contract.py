"""The convolution contract, beside the article's layer contract (reference.contract).

``conv(x, w, b, *, stride, padding, dilation, groups, padding_mode) -> y``, for callables
that carry ``contract = "conv"`` (set by :func:`declare_conv`, or as a plain attribute):

* x: (N, C_in, *n), d = len(n) in 1, 2, 3, channels first; any memory layout;
* w: (C_out, C_in // groups, *k), any k >= 1, even sizes included; b: (C_out,) or None;
* stride, dilation: tuples of d positive integers; groups divides C_in and C_out;
* padding: d pairs (lo, hi) >= 0; padding_mode: "zeros" or "circular" (wrapping modulo
  n however large lo and hi are);
* y[m, o, i] = b[o] + Σ_{c<G} Σ_a w[o, c, a]·xp[m, g·G + c, i·s + a·δ] (theory.conv),
  of spatial size ⌊(n + lo + hi - δ·(k - 1) - 1) / s⌋ + 1 per axis; ValueError when an
  axis has no output; x's dtype;
* it leaves its inputs alone and gives the same answer when called again.

The backward pass, for implementations that declare one: ``fn.vjp(x, w, b, g, **same
keywords) -> (gx, gw, gb)``, the gradients of <conv(x, w, b), g> with respect to x, w
and b (b's of shape (C_out,)).

An implementation declares what it supports with :func:`declare_conv` (or plain
attributes of the same names); properties draw only inside the declaration, and what
lies outside is reported as skipped. A NotImplementedError for a declared input is a
failure: the declaration is the only way to skip.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from convproof.theory.conv import PADDING_MODES, ConvSpec

F = TypeVar("F", bound=Callable[..., Any])

ConvFn = Callable[..., Any]

#: The features a conv property may need beyond dims, dtype and padding mode.
FEATURES = ("stride", "dilation", "groups", "even_kernels", "vjp")


@dataclass(frozen=True)
class ConvDeclares:
    """What a conv-contract implementation declares it supports."""

    contract: Literal["conv"] = "conv"
    error_model: Literal["direct"] = "direct"
    dims: frozenset[int] = frozenset({1, 2, 3})
    dtypes: frozenset[str] = frozenset({"float64"})
    padding_modes: frozenset[str] = frozenset(PADDING_MODES)
    stride: bool = True
    dilation: bool = True
    groups: bool = True
    even_kernels: bool = True
    vjp: bool = False

    def __post_init__(self) -> None:
        allowed = {"dims": frozenset({1, 2, 3}), "dtypes": frozenset({"float64", "float32"}),
                   "padding_modes": frozenset(PADDING_MODES)}
        for name, options in allowed.items():
            value = frozenset(getattr(self, name))
            object.__setattr__(self, name, value)
            if not value or not value <= options:
                raise ValueError(f"{name} {sorted(value)} not within {sorted(options)}")
        if self.error_model != "direct":
            raise ValueError(f"error_model {self.error_model!r}: the conv contract's bounds "
                             "are for direct summation ('direct')")
        for name in FEATURES:
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be True or False, got {getattr(self, name)!r}")


def declare_conv(**declared: Any) -> Callable[[F], F]:
    """Decorator: ``@declare_conv(dims=(2,), vjp=True)`` stores ``ConvDeclares(**declared)``
    as ``fn.convproof`` and sets ``fn.contract = "conv"``; invalid values raise ValueError
    at import. With ``vjp=True`` the function must carry its backward pass as ``fn.vjp``
    (set it after decorating)."""
    capabilities = ConvDeclares(**declared)

    def mark(fn: F) -> F:
        fn.convproof = capabilities  # type: ignore[attr-defined]
        fn.contract = "conv"  # type: ignore[attr-defined]
        return fn

    return mark


def conv_declared(fn: object) -> ConvDeclares:
    """What ``fn`` declares: its :func:`declare_conv` record, else its plain attributes."""
    found = getattr(fn, "convproof", None)
    if isinstance(found, ConvDeclares):
        return found
    names = ("error_model", "dims", "dtypes", "padding_modes", *FEATURES)
    plain = {name: getattr(fn, name) for name in names if hasattr(fn, name) and name != "vjp"}
    plain["vjp"] = callable(getattr(fn, "vjp", None))
    return ConvDeclares(**plain)


def is_conv(fn: object) -> bool:
    """Whether ``fn`` says it implements the conv contract."""
    return getattr(fn, "contract", None) == "conv"


@dataclass(frozen=True)
class Conv:
    """A conv-contract implementation under test, with what it declares."""

    name: str
    fn: ConvFn = field(repr=False)
    declares: ConvDeclares = ConvDeclares()

    @property
    def vjp(self) -> Callable[..., Any] | None:
        return getattr(self.fn, "vjp", None) if self.declares.vjp else None

    @property
    def error_model(self) -> str:
        return self.declares.error_model

    def supports(self, ndim: int = 2, dtype: str = "float64", padding_mode: str = "zeros",
                 **features: bool) -> str:
        """'' if the declaration covers this kind of input, else the reason it does not."""
        d = self.declares
        if ndim not in d.dims:
            return f"{self.name} declares no support for {ndim}-D inputs"
        if dtype not in d.dtypes:
            return f"{self.name} declares no support for {dtype}"
        if padding_mode not in d.padding_modes:
            return f"{self.name} declares no support for padding_mode={padding_mode!r}"
        for name, wanted in features.items():
            if name not in FEATURES:
                raise ValueError(f"unknown conv feature {name!r}; expected one of {FEATURES}")
            if wanted and not getattr(d, name):
                return f"{self.name} declares no support for {name.replace('_', ' ')}"
        return ""

    def needs(self, spec: ConvSpec, kernel: tuple[int, ...]) -> dict[str, bool]:
        """The features one call uses (for :meth:`supports`)."""
        return {"stride": max(spec.stride) > 1, "dilation": max(spec.dilation) > 1,
                "groups": spec.groups > 1, "even_kernels": any(k % 2 == 0 for k in kernel)}

    def __str__(self) -> str:
        return self.name


def as_conv(name: str, fn: object) -> Conv:
    """Wrap a conv-contract callable with its declarations, validating them (ValueError)."""
    if not callable(fn):
        raise ValueError(f"{type(fn).__name__} object is not callable")
    declares = conv_declared(fn)
    if declares.vjp and not callable(getattr(fn, "vjp", None)):
        raise ValueError("declares vjp=True but has no callable attribute vjp")
    return Conv(name=name, fn=fn, declares=declares)
