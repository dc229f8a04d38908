"""Sources of external implementations that end-to-end tests write to a file and run the
suite against with ``--impl path/to/file.py:NAME``: a correct d2l-style layer, written
independently of convproof's references, and the same with its kernel flipped (a
convolution, the classic bug); a correct conv-contract implementation, and the same with
its stride applied to the first axis only."""

CORRECT = '''
import numpy as np

def layer(x, V, u, padding):
    """An independent, correct implementation: pad, then sum shifted copies."""
    d = (V.shape[0] - 1) // 2
    H, W = x.shape
    if padding == "valid":
        if H < 2 * d + 1 or W < 2 * d + 1:
            raise ValueError("kernel larger than image")
        xp, out = x, (H - 2 * d, W - 2 * d)
    else:
        mode = "wrap" if padding == "circular" else "constant"
        xp, out = np.pad(x, d, mode=mode), (H, W)
    h = np.full(out, float(u))
    for a in range(2 * d + 1):
        for b in range(2 * d + 1):
            h += V[a, b] * xp[a:a + out[0], b:b + out[1]]
    return h

layer.error_model = "direct"
'''

FLIPPED = CORRECT.replace("V[a, b] * xp", "V[-1 - a, -1 - b] * xp")

#: A conv-contract implementation (``--impl path/to/file.py:conv``), written independently
#: of convproof's references: np.pad, then one strided slice per kernel tap, group by group.
CONV_CORRECT = '''
import numpy as np

def conv(x, w, b, *, stride, padding, dilation, groups=1, padding_mode="zeros"):
    """y[m, o, i] = b[o] + sum_c sum_a w[o, c, a] * xp[m, g*G + c, i*s + a*dilation]."""
    d = x.ndim - 2
    mode = "wrap" if padding_mode == "circular" else "constant"
    xp = np.pad(x.astype(np.float64), [(0, 0), (0, 0), *padding], mode=mode)
    k = w.shape[2:]
    out = [(xp.shape[2 + a] - dilation[a] * (k[a] - 1) - 1) // stride[a] + 1 for a in range(d)]
    if min(out) < 1:
        raise ValueError(f"no output for x {x.shape}, w {w.shape}, padding {padding}")
    G, O = w.shape[1], w.shape[0] // groups
    y = np.zeros((x.shape[0], w.shape[0], *out))
    for tap in np.ndindex(*k):
        window = tuple(slice(t * dl, t * dl + s * (o - 1) + 1, s)
                       for t, dl, s, o in zip(tap, dilation, stride, out))
        part = xp[(slice(None), slice(None), *window)]
        for g in range(groups):
            taps = w[g * O:(g + 1) * O][(slice(None), slice(None), *tap)].astype(np.float64)
            y[:, g * O:(g + 1) * O] += np.einsum("nc...,oc->no...", part[:, g * G:(g + 1) * G], taps)
    if b is not None:
        y += np.asarray(b, dtype=np.float64).reshape(-1, *(1,) * d)
    return y.astype(x.dtype)

conv.contract = "conv"
conv.dtypes = ("float64", "float32")
'''

#: The same with one classic adapter mistake: the stride applied to the first spatial
#: axis only (the others get stride 1).
CONV_STRIDE_FIRST_AXIS = CONV_CORRECT.replace(
    '    d = x.ndim - 2\n',
    '    d = x.ndim - 2\n    stride = (stride[0],) + (1,) * (d - 1)\n')
