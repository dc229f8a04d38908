"""Which reference checks an implementation on a given input.

Agreement is evidence only when the two sides are computed independently, so the
reference is never the implementation under test itself: a property comparing ``layer``
with :func:`oracle_for` ``(layer, x, V)`` compares it with the first of the candidates
below that declares the input, is not ``layer``, and takes it on (its declared limits,
reference.contract.Limits):

* the literal transcriptions of the equation, one term at a time (reference.loops,
  reference.nd.correlate_nd_loops, reference.channels.channel_loops_nd), which declare
  the work they take on (pure Python, 0.2 to 3 µs per term: a few milliseconds at most);
* beyond that, the sum of shifted copies of the input (reference.shifted), vectorized over
  the outputs; it shares no code with the sliding-window layers (reference.vectorized,
  reference.nd.correlate_nd, reference.channels.channel_layer), so those too meet an
  independent computation on large inputs.

A layer is "itself" when it is the same function once wrappers made with
functools.wraps are removed (:func:`inspect.unwrap`): a user's wrapper around a reference
is that reference.

All compute in float64 with direct summation (exact on integer data, theory.bounds).
"""

from __future__ import annotations

import inspect

import numpy as np
from convproof.reference.channels import channel_loops_nd
from convproof.reference.contract import Layer, as_layer
from convproof.reference.loops import loops
from convproof.reference.nd import correlate_nd_loops
from convproof.reference.shifted import shifted_sum, shifted_sum_channels

LITERAL: tuple[Layer, ...] = (
    as_layer("loops", loops),
    as_layer("nd-loops", correlate_nd_loops),
    as_layer("channel-loops", channel_loops_nd),
)
VECTORIZED: tuple[Layer, ...] = (
    as_layer("shifted-sum", shifted_sum),
    as_layer("channel-shifted-sum", shifted_sum_channels),
)


def oracle_for(layer: Layer, x: np.ndarray, V: np.ndarray) -> Layer:
    """An independent reference for ``layer`` on (x, V): not ``layer`` itself, declaring
    x's dimension and channels, literal while within its declared limits."""
    channels = V.ndim == x.ndim + 1
    ndim = x.ndim - 1 if channels else x.ndim
    itself = inspect.unwrap(layer.fn)
    for oracle in (*LITERAL, *VECTORIZED):
        if inspect.unwrap(oracle.fn) is itself or oracle.channels != channels:
            continue  # a channel reference takes plain inputs, but as another equation
        if not oracle.limits.admit(x, V):
            continue
        if oracle.supports("zeros", ndim, channels):  # a reason it does not
            continue
        return oracle
    raise LookupError(f"no reference independent of {layer} for a {ndim}-D input"
                      f"{' with channels' if channels else ''}")


# --- the conv contract ------------------------------------------------------------------

#: Multiply-adds above which the conv contract's literal loops (reference.conv.conv_loops,
#: a fraction of a µs a term) give way to the vectorized references.
CONV_LITERAL_WORK = 4_000


def conv_oracle_for(conv: object, x: np.ndarray, w: np.ndarray, spec: object) -> object:
    """An independent conv reference for ``conv`` on (x, w, spec): the literal loops
    while cheap (:data:`CONV_LITERAL_WORK`), else the first of the tap-by-tap and window
    references that is not ``conv`` itself (once functools.wraps wrappers are removed,
    as for the layers)."""
    from convproof.reference import CONV_BUILTINS
    from convproof.reference.conv import work as conv_work

    names = ("conv-loops", "conv-taps", "conv-windows")
    if conv_work(x, w, spec) > CONV_LITERAL_WORK:  # type: ignore[arg-type]
        names = names[1:]
    itself = inspect.unwrap(getattr(conv, "fn", conv))
    for name in names:
        oracle = CONV_BUILTINS[name]
        if inspect.unwrap(oracle.fn) is not itself:
            return oracle
    raise LookupError(f"no conv reference independent of {conv}")
