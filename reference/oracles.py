"""Which reference checks an implementation on a given input.

Agreement is evidence only when the two sides are computed independently, so the
reference is never the implementation under test itself: a property comparing ``layer``
with :func:`oracle_for` ``(layer, x, V)`` compares it with the first of the candidates
below that declares the input, is not ``layer``, and takes it on (its declared limits,
reference.contract.Limits):

* the literal transcriptions of the equation, one term at a time (reference.loops,
  reference.nd.correlate_nd_loops, reference.channels.channel_loops_nd), which declare
  the work they take on (pure Python, 0.2 to 3 µs per term: a few milliseconds at most);
* beyond that, the vectorized references (reference.vectorized, reference.nd.correlate_nd,
  reference.channels.channel_layer): sliding windows contracted with V.

All compute in float64 with direct summation (exact on integer data, theory.bounds).
"""

from __future__ import annotations

import numpy as np
from convproof.reference.channels import channel_layer, channel_loops_nd
from convproof.reference.contract import Layer, as_layer
from convproof.reference.loops import loops
from convproof.reference.nd import correlate_nd, correlate_nd_loops
from convproof.reference.vectorized import vectorized

LITERAL: tuple[Layer, ...] = (
    as_layer("loops", loops),
    as_layer("nd-loops", correlate_nd_loops),
    as_layer("channel-loops", channel_loops_nd),
)
VECTORIZED: tuple[Layer, ...] = (
    as_layer("vectorized", vectorized),
    as_layer("nd-vectorized", correlate_nd),
    as_layer("channel-vectorized", channel_layer),
)


def oracle_for(layer: Layer, x: np.ndarray, V: np.ndarray) -> Layer:
    """An independent reference for ``layer`` on (x, V): not ``layer`` itself, declaring
    x's dimension and channels, literal while within its declared limits."""
    channels = V.ndim == x.ndim + 1
    ndim = x.ndim - 1 if channels else x.ndim
    for oracle in (*LITERAL, *VECTORIZED):
        if oracle.fn is layer.fn or oracle.channels != channels or not oracle.limits.admit(x, V):
            continue  # a channel reference takes plain inputs, but as another equation
        if oracle.supports("zeros", ndim, channels):  # a reason it does not
            continue
        return oracle
    raise LookupError(f"no reference independent of {layer} for a {ndim}-D input"
                      f"{' with channels' if channels else ''}")
