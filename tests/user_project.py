"""A user's project as convproof's install story meets it: a directory holding the user's
own convolution and modules of their own named ``reference``, ``theory`` and
``properties``, which must never be imported in convproof's place.

``python -m tests.user_project DIR [--flipped]`` lays one out (.ci/run does, for the
installed package); tests/test_install.py uses :func:`lay_out`. Standalone on purpose: it
imports nothing of convproof, as a user's module need not.
"""

from __future__ import annotations

import argparse
from pathlib import Path

#: The user's layer, written independently of convproof's references: every window of the
#: padded image as a strided view, then one einsum.
CONV = '''"""My convolution layer: h[i, j] = u + sum_ab V[a, b] * x[i + a - d, j + b - d]."""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def layer(x, V, u, padding):
    d = V.shape[0] // 2
    if padding == "valid":
        if min(x.shape) < V.shape[0]:
            raise ValueError(f"a {V.shape[0]}-wide kernel is larger than the image {x.shape}")
        padded = x
    elif padding == "zeros":
        padded = np.pad(x, d)
    elif padding == "circular":
        padded = np.pad(x, d, mode="wrap")
    else:
        raise NotImplementedError(padding)
    return u + np.einsum("ijab,ab->ij", sliding_window_view(padded, V.shape), V)


layer.error_model = "direct"  # a sum of products, exact on integer data
'''

#: The classic mistake: the kernel rotated by 180 degrees (a convolution, not the layer).
FLIPPED = CONV.replace('sliding_window_view(padded, V.shape), V)',
                       'sliding_window_view(padded, V.shape), V[::-1, ::-1])')

#: Appended to the user's module by the tests: at exit, where every convproof module (and
#: any module named like a decoy) was imported from, into $CONVPROOF_IMPORT_LOG.
IMPORT_LOG = '''

import atexit, json, os, sys  # noqa: E401


def _log_imports():
    roots = {"convproof", "reference", "theory", "properties"}
    found = {name: getattr(module, "__file__", None) for name, module in list(sys.modules.items())
             if name.split(".")[0] in roots}
    with open(os.environ["CONVPROOF_IMPORT_LOG"], "w") as log:
        json.dump(found, log)


if os.environ.get("CONVPROOF_IMPORT_LOG"):
    atexit.register(_log_imports)
'''

DECOYS = ("reference", "theory", "properties")


def lay_out(directory: Path, source: str = CONV, module: str = "myconv") -> Path:
    """Write the user's module and the decoys into ``directory``; returns the module's path."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in DECOYS:
        (directory / f"{name}.py").write_text(
            f"raise ImportError('the user\\'s own {name}.py was imported in place of convproof\\'s')\n")
    path = directory / f"{module}.py"
    path.write_text(source)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.user_project", description=__doc__)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--flipped", action="store_true", help="write the flipped kernel")
    parser.add_argument("--module", default="myconv", help="the module's name (default myconv)")
    args = parser.parse_args()
    print(lay_out(args.directory, FLIPPED if args.flipped else CONV, args.module))


if __name__ == "__main__":
    main()
