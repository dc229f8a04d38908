"""Independent implementations of the article's layer, and adapters to scipy, numpy and
PyTorch.

``BUILTINS`` maps each ``--impl`` name to a :class:`reference.contract.Layer`; ``DEFAULT``
names the ones a plain ``pytest`` runs (the references of the article's layer and the
scipy.signal adapters). ``torch`` is loaded only when asked for, since PyTorch is optional.
:func:`load` turns an ``--impl`` value into a Layer.
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

class Optional(NamedTuple):
    """A built-in whose library is optional: the module that must be importable, the
    adapter ("module:callable"), and the one line that says how to install the library."""

    module: str
    target: str
    install: str


#: Built-ins whose dependency is optional, loaded only when asked for.
OPTIONAL: dict[str, Optional] = {
    "torch": Optional(
        "torch", "convproof.reference.torch_adapter:torch_layer",
        "install it with: pip install torch==2.13.0 (the CPU build this suite was checked "
        "with; a plain 'pip install torch' pulls a CUDA build of several GB)"),
}

#: The literal transcription of the article's equation: the oracle other layers meet.
ORACLE: Layer = BUILTINS["loops"]


def load(spec: str) -> Layer:
    """A built-in name, ``MODULE:NAME`` or ``path/to/file.py:NAME`` as a :class:`Layer`."""
    if spec in BUILTINS:
        return BUILTINS[spec]
    if spec in OPTIONAL:
        optional = OPTIONAL[spec]
        if importlib.util.find_spec(optional.module) is None:
            raise MissingDependencyError(
                f"--impl {spec}: {optional.module} is not installed; {optional.install}")
        return as_layer(spec, import_target(optional.target))
    if ":" not in spec:
        raise ImplSpecError(
            f"--impl {spec!r}: not a built-in ({', '.join([*BUILTINS, *OPTIONAL])}) and not "
            "MODULE:NAME "
            "or path/to/file.py:NAME"
        )
    return as_layer(spec, import_target(spec))


__all__ = ["BUILTINS", "DEFAULT", "OPTIONAL", "ORACLE", "Layer", "load"]
