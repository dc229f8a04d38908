"""PyTorch as a plug-in: torch.nn.functional.conv1d/2d/3d behind the layer contract.

Mapping (PyTorch docs, torch.nn.functional.conv2d): conv{d}d(input, weight, bias) computes
out[n, o, i] = bias[o] + Σ_{c, m} weight[o, c, m]·input[n, c, i + m], a cross-correlation
with the window starting at i, so with ``padding=Δ`` zeros on each side the window of
output i is centred on input i: weight[o, c, Δ + a] is our V[a, c, o].

* layout: x (*spatial, C_in) -> input (1, C_in, *spatial); V (*k, C_in, C_out) ->
  weight (C_out, C_in, *k); u -> bias (C_out,); single-channel inputs get C_in = C_out = 1;
* 'zeros': ``padding=Δ``; 'valid': ``padding=0`` (and ValueError first for a kernel
  larger than the image, where PyTorch raises RuntimeError);
* 'circular': F.pad(mode='circular') refuses to wrap more than once, so the adapter
  extends the input periodically by indexing with (i mod n) for i in -Δ..n+Δ-1, which
  wraps as often as a kernel larger than the image needs, then convolves with padding=0;
* dtype: float32 arrays run in float32 (torch.float32), float64 in float64;
* memory: torch.tensor rejects arrays with negative strides (x[::-1] views), which the
  suite's layouts strategy found, for x and, once every array came in every layout, for
  a bias vector u; the adapter copies each through np.ascontiguousarray;
* threads: the adapter runs PyTorch on one intra-op thread (torch.set_num_threads(1) on
  its first call). The suite's inputs are tiny, and on a busy 2-core machine waking the
  thread pool cost milliseconds per call: the torch properties ran four times slower.

PyTorch is an optional dependency, pinned to the release this suite was checked with
(2.13.0, CPU build): ``pip install -e '.[torch]'``.
"""

from __future__ import annotations

import numpy as np
from convproof.reference.contract import declare
from convproof.theory.indices import delta_of


@declare(error_model="direct", dims=(1, 2, 3), channels=True, dtypes=("float64", "float32"))
def torch_layer(x: np.ndarray, V: np.ndarray, u: float | np.ndarray, padding: str) -> np.ndarray:
    """The layer through torch.nn.functional.conv{1,2,3}d."""
    import torch
    import torch.nn.functional as F  # noqa: N812  (the PyTorch convention)

    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)
    channels = V.ndim == x.ndim + 1
    d = x.ndim - 1 if channels else x.ndim
    if d not in (1, 2, 3):
        raise NotImplementedError(f"torch convolutions are 1-, 2- or 3-D, got {d}-D")
    delta = delta_of(V, d)
    dtype = torch.float32 if x.dtype == np.float32 else torch.float64
    # torch.tensor copies, but refuses negative strides: copy through numpy first
    xt = torch.tensor(np.ascontiguousarray(x), dtype=dtype)
    Vt = torch.tensor(np.ascontiguousarray(V), dtype=dtype)
    if channels:
        xt = xt.movedim(-1, 0)
        weight = Vt.permute(d + 1, d, *range(d))
        bias = torch.tensor(np.ascontiguousarray(u), dtype=dtype).reshape(-1)
    else:
        xt = xt[None]
        weight = Vt[None, None]
        bias = torch.tensor([float(u)], dtype=dtype)
    spatial = x.shape[:d]
    if padding == "valid":
        if min(spatial) < 2 * delta + 1:
            raise ValueError(f"kernel {V.shape} is larger than the image {x.shape}")
        pad = 0
    elif padding == "zeros":
        pad = delta
    elif padding == "circular":
        for axis, n in enumerate(spatial, start=1):
            index = torch.arange(-delta, n + delta) % n
            xt = xt.index_select(axis, index)
        pad = 0
    else:
        raise ValueError(f"unknown padding {padding!r}")
    conv = (F.conv1d, F.conv2d, F.conv3d)[d - 1]
    out = conv(xt[None], weight, bias, padding=pad)[0]
    out = out.movedim(0, -1) if channels else out[0]
    return out.numpy()
