"""Sources of external implementations that end-to-end tests write to a file and run the
suite against with ``--impl path/to/file.py:layer``: a correct d2l-style layer, written
independently of convproof's references, and the same with its kernel flipped (a
convolution, the classic bug)."""

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
