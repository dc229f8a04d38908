"""Independent implementations of the article's layer, and adapters to scipy, numpy and
PyTorch.

``BUILTINS`` maps each ``--impl`` name to a :class:`reference.contract.Layer`; ``DEFAULT``
names the ones a plain ``pytest`` runs (the references of the article's layer and the
scipy.signal adapters). ``torch`` is loaded only when asked for, since PyTorch is optional.
"""

from __future__ import annotations

from reference.contract import Layer, as_layer
from reference.dense import dense
from reference.fft import fft
from reference.loops import loops
from reference.numpy_adapter import numpy_layer
from reference.scipy_adapters import convolve2d, correlate2d, ndimage
from reference.scipy_nd import scipy_direct, scipy_fft
from reference.vectorized import vectorized

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

#: Built-ins whose dependency is optional: name -> (module to import, "module:callable").
OPTIONAL: dict[str, tuple[str, str]] = {
    "torch": ("torch", "reference.torch_adapter:torch_layer"),
}

#: The literal transcription of the article's equation: the oracle other layers meet.
ORACLE: Layer = BUILTINS["loops"]

__all__ = ["BUILTINS", "DEFAULT", "OPTIONAL", "ORACLE", "Layer"]
