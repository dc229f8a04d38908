"""Independent implementations of the article's layer, and adapters to scipy, numpy and
PyTorch.

``BUILTINS`` maps each ``--impl`` name to a :class:`reference.contract.Layer`; ``DEFAULT``
names the ones a plain ``pytest`` runs (the references of the article's layer and the
scipy.signal adapters). ``torch`` is loaded only when asked for, since PyTorch is optional.
"""

from __future__ import annotations

from typing import NamedTuple

from convproof.reference.contract import Layer, as_layer
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

__all__ = ["BUILTINS", "DEFAULT", "OPTIONAL", "ORACLE", "Layer"]
