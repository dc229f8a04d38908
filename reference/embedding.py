"""The article's layer as the special case of the conv contract.

``layer(x, V, u, padding)`` (reference.contract) is ``conv`` with N = 1, C_in = C_out = 1
(or the layer's channels), stride = dilation = groups = 1, k = 2Δ+1 per axis and

* 'valid': padding (0, 0) per axis (a kernel larger than x leaves no output: the conv
  contract's ValueError is the layer contract's);
* 'zeros': padding (Δ, Δ), padding_mode 'zeros';
* 'circular': padding (Δ, Δ), padding_mode 'circular' (wrapping as often as Δ needs).

Layouts: x (*n) -> (1, 1, *n) and x (*n, C_in) -> (1, C_in, *n), as views (a strided or
read-only x reaches the conv implementation as such); V (*k) -> (1, 1, *k) and V (*k,
C_in, C_out) -> (C_out, C_in, *k); u -> b of shape (C_out,); y back to the layer's
layout. :func:`article_layer` wraps a conv implementation so, and every claim of the
article about the layer runs on it (the ``layer`` fixture under ``--impl``).
"""

from __future__ import annotations

import numpy as np
from convproof.reference.contract import Declares, Layer
from convproof.reference.conv_contract import Conv
from convproof.theory.indices import delta_of


def article_layer(conv: Conv) -> Layer:
    """The article's layer computed by ``conv`` (same name, so that its article and conv
    properties share one column of the claims table)."""

    def layer(x: np.ndarray, V: np.ndarray, u: float | np.ndarray, padding: str) -> np.ndarray:
        channels = V.ndim == x.ndim + 1
        d = x.ndim - 1 if channels else x.ndim
        delta = delta_of(V, d)
        if padding == "valid":
            pairs, mode = ((0, 0),) * d, "zeros"
        elif padding in ("zeros", "circular"):
            pairs, mode = ((delta, delta),) * d, padding
        else:
            raise ValueError(f"unknown padding {padding!r}")
        if channels:
            xc = np.moveaxis(x, -1, 0)[None]  # (1, C_in, *n), a view
            w = np.moveaxis(np.moveaxis(V, -1, 0), -1, 1)  # (C_out, C_in, *k)
            b = np.asarray(u, dtype=x.dtype).reshape(-1)
        else:
            xc, w = x[None, None], V[None, None]
            b = np.asarray([u], dtype=x.dtype)
        y = conv.fn(xc, w, b, stride=(1,) * d, padding=pairs, dilation=(1,) * d, groups=1,
                    padding_mode=mode)
        if not isinstance(y, np.ndarray) or y.ndim != d + 2:
            return y  # the layer contract's checks (harness.call) name what is wrong
        return np.moveaxis(y[0], 0, -1) if channels else y[0, 0]

    declares = Declares(
        error_model="direct", dims=conv.declares.dims, channels=True,
        dtypes=conv.declares.dtypes,
        paddings=frozenset({"valid", "zeros"} | ({"circular"} & conv.declares.padding_modes)))
    layer.__name__ = layer.__qualname__ = f"article_layer({conv.name})"
    layer.conv = conv  # type: ignore[attr-defined]  # what a failure's snippet calls
    return Layer(name=conv.name, fn=layer, declares=declares)
