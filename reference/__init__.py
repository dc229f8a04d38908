"""Independent implementations of the article's layer, and adapters to scipy.

``BUILTINS`` maps each ``--impl`` name to a :class:`reference.contract.Layer`.
"""

from __future__ import annotations

from reference.contract import Layer, as_layer
from reference.dense import dense
from reference.fft import fft
from reference.loops import loops
from reference.scipy_adapters import convolve2d, correlate2d, ndimage
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
    }.items()
}

#: The literal transcription of the article's equation: the oracle other layers meet.
ORACLE: Layer = BUILTINS["loops"]

__all__ = ["BUILTINS", "ORACLE", "Layer"]
