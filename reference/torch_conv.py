"""PyTorch as a plug-in: torch.nn.functional.conv1d/2d/3d behind the conv contract.

Mapping (PyTorch docs, torch.nn.functional.conv2d and torch.nn.Conv2d): conv{d}d(input,
weight, bias, stride, padding=0, dilation, groups) computes out[m, o, i] = bias[o] +
Σ_c Σ_a weight[o, c, a]·input[m, g·G + c, i·stride + a·dilation], the contract's formula
with the same layouts (x (N, C_in, *n), w (C_out, C_in // groups, *k)), so x, w, b, stride,
dilation and groups pass through unchanged, and:

* padding: PyTorch's own ``padding`` is one size per axis, the same on both sides, so
  the adapter pads with F.pad (its pairs listed last axis first) and calls conv with
  padding=0; 'zeros' is F.pad's constant mode;
* 'circular': F.pad(mode='circular'), like Conv2d(padding_mode='circular'), refuses to
  wrap more than once (RuntimeError for a pad larger than the axis), so the adapter
  indexes each axis with (j mod n) for j in -lo .. n+hi-1, which wraps as often as needed;
* no output: PyTorch raises RuntimeError ("Kernel size can't be greater than actual input
  size"); the adapter checks the output size first and raises ValueError, as the
  contract asks;
* dtype: float32 arrays run in float32, float64 in float64;
* memory: torch.from_numpy/torch.tensor reject arrays with negative strides (x[::-1]
  views): the adapter copies through np.array(a, order="C") (np.ascontiguousarray
  returns a one-element array unchanged, negative strides and all);
* threads: one intra-op thread (torch.set_num_threads(1) on the first call): the suite's
  inputs are small, and waking the thread pool on a busy 2-core machine cost
  milliseconds per call (the torch properties ran four times slower);
* the backward pass (``torch_conv.vjp``): autograd, y.backward(g) from the same forward.

The adapter is assembled from the stages of :class:`Stages` (to tensors, pad, weight,
call), so that a classic adapter mistake is one replaced stage (:func:`build` with a
patched ``Stages``; tests/conv_mutants.py and tests/test_adapters.py use this).

PyTorch is an optional dependency, pinned to the release this suite was checked with
(2.13.0, CPU build): ``pip install -e '.[torch]'``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from convproof.reference.conv_contract import declare_conv
from convproof.theory.conv import ConvSpec, conv_shape, spec_of


def _tensor(a: np.ndarray, dtype: Any) -> Any:
    """A torch tensor holding a copy of ``a``, copied by numpy first: torch refuses negative
    strides, and np.ascontiguousarray keeps them on arrays of one element."""
    import torch

    return torch.tensor(np.array(a, order="C"), dtype=dtype)


def _pad(xt: Any, spec: ConvSpec) -> Any:
    """xp: F.pad for zeros; index_select with j mod n for the torus (wraps any number of
    turns)."""
    import torch
    import torch.nn.functional as F  # noqa: N812  (the PyTorch convention)

    if spec.padding_mode == "circular":
        for axis, (lo, hi) in enumerate(spec.padding, start=2):
            n = xt.shape[axis]
            xt = xt.index_select(axis, torch.arange(-lo, n + hi) % n)
        return xt
    pairs = [p for lo_hi in reversed(spec.padding) for p in lo_hi]  # last axis first
    return F.pad(xt, pairs)


def _weight(wt: Any, spec: ConvSpec) -> Any:
    """The weight as PyTorch takes it: the contract's layout already."""
    return wt


def _call(xp: Any, wt: Any, bt: Any, spec: ConvSpec) -> Any:
    import torch.nn.functional as F  # noqa: N812

    conv = (F.conv1d, F.conv2d, F.conv3d)[spec.ndim - 1]
    return conv(xp, wt, bt, stride=spec.stride, padding=0, dilation=spec.dilation,
                groups=spec.groups)


def _check(x: np.ndarray, w: np.ndarray, spec: ConvSpec) -> None:
    """ValueError where the contract has no output (PyTorch would raise RuntimeError)."""
    conv_shape(x.shape[2:], w.shape[2:], spec)


@dataclass(frozen=True)
class Stages:
    """The adapter's steps; replacing one gives a variant with one mistake."""

    tensor: Callable[[np.ndarray, Any], Any] = _tensor
    pad: Callable[[Any, ConvSpec], Any] = _pad
    weight: Callable[[Any, ConvSpec], Any] = _weight
    call: Callable[[Any, Any, Any, ConvSpec], Any] = _call
    check: Callable[[np.ndarray, np.ndarray, ConvSpec], None] = _check



def build(stages: Stages = Stages()) -> Callable[..., np.ndarray]:
    """The contract callable (with its ``vjp``) made of ``stages``."""

    def forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, grad: bool,
                spec: ConvSpec) -> tuple[Any, ...]:
        import torch

        if torch.get_num_threads() != 1:
            torch.set_num_threads(1)
        if spec.ndim not in (1, 2, 3):
            raise ValueError(f"torch convolutions are 1-, 2- or 3-D, got {spec.ndim}-D")
        stages.check(x, w, spec)
        dtype = torch.float32 if x.dtype == np.float32 else torch.float64
        xt, wt = stages.tensor(x, dtype), stages.tensor(w, dtype)
        bt = None if b is None else stages.tensor(np.asarray(b), dtype)
        for t in (xt, wt) if bt is None else (xt, wt, bt):
            t.requires_grad_(grad)
        y = stages.call(stages.pad(xt, spec), stages.weight(wt, spec), bt, spec)
        return y, xt, wt, bt

    @declare_conv(dtypes=("float64", "float32"), vjp=True)
    def torch_conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, **kw: Any) -> np.ndarray:
        """The conv contract through torch.nn.functional.conv{1,2,3}d."""
        import torch

        with torch.no_grad():
            y = forward(x, w, b, False, spec_of(kw))[0]
        return y.numpy()

    def torch_conv_vjp(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, g: np.ndarray,
                       **kw: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(∂L/∂x, ∂L/∂w, ∂L/∂b) of L = <conv(x, w, b), g> by autograd."""
        if b is None:  # ∂L/∂b is defined without a bias too: autograd's, for a zero bias
            b = np.zeros(w.shape[0], dtype=x.dtype)
        y, xt, wt, bt = forward(x, w, b, True, spec_of(kw))
        y.backward(stages.tensor(g, y.dtype))
        return xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()

    torch_conv.vjp = torch_conv_vjp  # type: ignore[attr-defined]
    return torch_conv


torch_conv = build()
