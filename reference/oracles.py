"""Which reference checks an implementation on a given input.

Agreement is evidence only when the two sides are computed independently, so the
reference is never the implementation under test itself: a property comparing ``layer``
with :func:`oracle_for` ``(layer, x, V)`` compares it with the first of the candidates
below that declares the input, is not ``layer``, and is cheap enough for it.

* the literal transcriptions of the equation, one term at a time (reference.loops,
  reference.nd.correlate_nd_loops, reference.channels.channel_loops_nd), while the
  input's work (multiply-adds) is at most :data:`LITERAL_WORK`;
* above that, the vectorized references (reference.vectorized, reference.nd.correlate_nd,
  reference.channels.channel_layer): sliding windows contracted with V.

All compute in float64 with direct summation (exact on integer data, theory.bounds).
"""

from __future__ import annotations

import inspect
from math import prod

import numpy as np
from convproof.reference.channels import channel_layer, channel_loops_nd
from convproof.reference.contract import Layer, as_layer
from convproof.reference.loops import loops
from convproof.reference.nd import correlate_nd, correlate_nd_loops
from convproof.reference.vectorized import vectorized

#: Multiply-adds above which the literal transcriptions (pure Python, about a
#: microsecond per term) give way to the vectorized references.
LITERAL_WORK = 50_000

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


def work(x: np.ndarray, V: np.ndarray) -> int:
    """Multiply-adds of one call: outputs (at most x's positions) times terms per output."""
    channels = V.ndim == x.ndim + 1
    positions = prod(x.shape[:-1]) if channels else x.size
    return positions * V.size


def oracle_for(layer: Layer, x: np.ndarray, V: np.ndarray) -> Layer:
    """An independent reference for ``layer`` on (x, V): not ``layer`` itself, declaring
    x's dimension and channels, literal while cheap (:data:`LITERAL_WORK`)."""
    channels = V.ndim == x.ndim + 1
    ndim = x.ndim - 1 if channels else x.ndim
    candidates = (*LITERAL, *VECTORIZED) if work(x, V) <= LITERAL_WORK else VECTORIZED
    for oracle in candidates:
        if oracle.fn is inspect.unwrap(layer.fn):  # the layer itself, maybe wrapped
            continue
        if oracle.supports("zeros", ndim, channels):  # a reason it does not
            continue
        return oracle
    raise LookupError(f"no reference independent of {layer} for a {ndim}-D input"
                      f"{' with channels' if channels else ''}")
