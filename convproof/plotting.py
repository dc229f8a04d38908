"""What every figure of the report shares: the :class:`Plot` record, an Agg figure
without pyplot's global state, image panels and mask outlines, the synthetic image, and
the layer the figures apply.

The layer is the suite's vectorized reference (reference.BUILTINS["vectorized"], direct
summation) and the images are synthetic and integer-valued (:func:`synthetic_image`), so
every value plotted is exact in float64 (theory.bounds, item 1). Every figure function
returns a :class:`Plot` with the arrays it plotted (``data``), so that tests check a
picture against the theory instead of looking at it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from convproof.reference import BUILTINS

#: The layer every figure applies: direct summation, exact on the integer images here.
LAYER = BUILTINS["vectorized"]
#: Resolution of every PNG (pixels per inch of figsize).
DPI = 100


@dataclass
class Plot:
    """One figure of the report: ``name`` is the PNG's file stem."""

    name: str
    claims: tuple[str, ...]
    caption: str
    figure: Figure = field(repr=False)
    data: dict[str, Any] = field(repr=False)

    def png(self) -> bytes:
        """The figure as PNG bytes (no timestamp in the metadata: the bytes depend only
        on the data and the matplotlib version)."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        return buffer.getvalue()


def new_figure(width: float, height: float) -> Figure:
    """A figure drawn by the Agg canvas, without pyplot's global state."""
    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def show(ax: Any, image: np.ndarray, title: str, cmap: str = "gray",
         symmetric: bool = False) -> Any:
    """One image panel without ticks; ``symmetric``: a diverging map centred on 0."""
    top = float(np.max(np.abs(image), initial=0.0)) or 1.0
    limits = {"vmin": -top, "vmax": top} if symmetric else {}
    shown = ax.imshow(image, cmap=cmap, interpolation="nearest", **limits)
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    return shown


def outline(ax: Any, mask: np.ndarray, color: str) -> None:
    """Draw the boundary of a boolean pixel mask (pixel edges, not a smoothed contour)."""
    rows, cols = mask.shape
    for k, l in np.argwhere(mask):
        for dk, dl, segment in ((-1, 0, ((l - .5, l + .5), (k - .5, k - .5))),
                                (1, 0, ((l - .5, l + .5), (k + .5, k + .5))),
                                (0, -1, ((l - .5, l - .5), (k - .5, k + .5))),
                                (0, 1, ((l + .5, l + .5), (k - .5, k + .5)))):
            n, m = k + dk, l + dl
            if not (0 <= n < rows and 0 <= m < cols and mask[n, m]):
                ax.plot(*segment, color=color, linewidth=1.2)


def synthetic_image(shape: tuple[int, int] = (32, 40)) -> np.ndarray:
    """A deterministic integer picture: a staircase background 1..4 (nonzero up to the
    border, so zero padding shows), a disc of 8 and a letter F of 0, which has no
    symmetry (a flip or a 180° rotation of it is visible)."""
    height, width = shape
    k, l = np.indices(shape)
    x = 1.0 + (4 * l) // width
    x[(k - height // 3) ** 2 + (l - width // 4) ** 2 <= (min(shape) // 5) ** 2] = 8.0
    top, left = height // 2 - 2, width // 2 + 2
    tall, wide = height // 2 - 2, width // 3
    bar = max(2, height // 12)
    x[top : top + tall, left : left + bar] = 0.0  # the stem
    x[top : top + bar, left : left + wide] = 0.0  # the top arm
    x[top + tall // 2 - 1 : top + tall // 2 - 1 + bar, left : left + 2 * wide // 3] = 0.0
    return x
