"""Independent implementations of the article's layer and of the conv contract, and
adapters to scipy, numpy, PyTorch, JAX and ONNX Runtime.

``BUILTINS`` maps each ``--impl`` name to a :class:`reference.contract.Layer`; ``DEFAULT``
names the ones a plain ``pytest`` runs (the references of the article's layer and the
scipy.signal adapters); ``CONV_BUILTINS`` and ``CONV_DEFAULT`` the same for the conv
contract (reference.conv_contract). ``torch``, ``jax`` and ``onnxruntime`` are loaded only
when asked for, since their libraries are optional; each implements the conv contract,
and the article's layer runs on it through reference.embedding. :func:`load` turns an
``--impl`` value into a Layer or a Conv.
"""

from __future__ import annotations

import importlib.util
from typing import NamedTuple

from convproof.reference.contract import (
    ImplSpecError,
    Layer,
    MissingDependencyError,
    as_layer,
    import_target,
)
from convproof.reference.conv import conv_loops, conv_taps, conv_windows
from convproof.reference.conv_contract import Conv, as_conv, is_conv
from convproof.reference.dense import dense
from convproof.reference.fft import fft
from convproof.reference.loops import loops
from convproof.reference.numpy_adapter import numpy_layer
from convproof.reference.scipy_adapters import convolve2d, correlate2d, ndimage
from convproof.reference.scipy_nd import scipy_direct, scipy_fft
from convproof.reference.vectorized import vectorized

BUILTINS: dict[str, Layer] = {
    name: as_layer(name, fn)
    for name, fn in {
        "loops": loops,
        "vectorized": vectorized,
        "fft": fft,
        "dense": dense,
        "correlate2d": correlate2d,
        "convolve2d": convolve2d,
        "ndimage": ndimage,
        "scipy-direct": scipy_direct,
        "scipy-fft": scipy_fft,
        "numpy": numpy_layer,
    }.items()
}

#: What a plain ``pytest`` checks: the article's layer, computed independently.
DEFAULT: tuple[str, ...] = (
    "loops", "vectorized", "fft", "dense", "correlate2d", "convolve2d", "ndimage"
)

#: The conv contract's references (reference.conv), by ``--impl`` name.
CONV_BUILTINS: dict[str, Conv] = {
    name: as_conv(name, fn)
    for name, fn in {"conv-loops": conv_loops, "conv-taps": conv_taps,
                     "conv-windows": conv_windows}.items()
}

#: The conv reference a plain ``pytest`` checks, against the literal loops on small
#: inputs and the window reference on large ones (reference.oracles); the window
#: reference is itself checked as a control of the conv mutant catalogue (tests/).
CONV_DEFAULT: tuple[str, ...] = ("conv-taps",)


class Optional(NamedTuple):
    """A built-in whose library is optional: the module that must be importable, the
    adapter ("module:callable"), and the one line that says how to install the library."""

    module: str
    target: str
    install: str


#: Built-ins whose dependency is optional, loaded only when asked for.
OPTIONAL: dict[str, Optional] = {
    "torch": Optional(
        "torch", "convproof.reference.torch_conv:torch_conv",
        "install it with: pip install torch==2.13.0 (the CPU build this suite was checked "
        "with; a plain 'pip install torch' pulls a CUDA build of several GB)"),
    "jax": Optional(
        "jax", "convproof.reference.jax_conv:jax_conv",
        "install it with: pip install jax==0.10.2 jaxlib==0.10.2 (the CPU release this "
        "suite was checked with), or pip install -e '.[jax]'"),
    "onnxruntime": Optional(
        "onnxruntime", "convproof.reference.onnxruntime_conv:onnxruntime_conv",
        "install it with: pip install onnxruntime==1.32.0 onnx==1.23.2 (the CPU releases "
        "this suite was checked with), or pip install -e '.[onnxruntime]'"),
}

#: The literal transcription of the article's equation: the oracle other layers meet.
ORACLE: Layer = BUILTINS["loops"]



def load(spec: str) -> Layer | Conv:
    """A built-in name, ``MODULE:NAME`` or ``path/to/file.py:NAME`` as a :class:`Layer`,
    or as a :class:`Conv` when the callable carries ``contract = "conv"``."""
    if spec in BUILTINS:
        return BUILTINS[spec]
    if spec in CONV_BUILTINS:
        return CONV_BUILTINS[spec]
    if spec in OPTIONAL:
        optional = OPTIONAL[spec]
        if importlib.util.find_spec(optional.module) is None:
            raise MissingDependencyError(
                f"--impl {spec}: {optional.module} is not installed; {optional.install}")
        return as_impl(spec, import_target(optional.target))
    if ":" not in spec:
        raise ImplSpecError(
            f"--impl {spec!r}: not a built-in ({', '.join([*BUILTINS, *CONV_BUILTINS, *OPTIONAL])})"
            " and not MODULE:NAME or path/to/file.py:NAME"
        )
    return as_impl(spec, import_target(spec))


def as_impl(name: str, fn: object) -> Layer | Conv:
    """:func:`as_layer`, or :func:`as_conv` for a conv-contract callable."""
    if not is_conv(fn):
        return as_layer(name, fn)
    try:
        return as_conv(name, fn)
    except ValueError as exc:
        raise ImplSpecError(f"--impl {name!r}: {exc}") from None


__all__ = ["BUILTINS", "CONV_BUILTINS", "CONV_DEFAULT", "DEFAULT", "OPTIONAL", "ORACLE", "Conv",
           "Layer", "load"]
