"""Figures of the layer's geometry: parameter counts, the receptive field, and shift in /
shift out with the border region where zero padding breaks it (convproof.plotting has
the conventions).
"""

from __future__ import annotations

import numpy as np

from convproof.harness import probe
from convproof.plotting import LAYER, Plot, new_figure, outline, show, synthetic_image
from convproof.theory import counts
from convproof.theory.indices import Padding, equivariance_region, shift, window_mask

# --- (a) parameter counts --------------------------------------------------------------


def parameter_counts(max_side: int = 10_000, deltas: tuple[int, ...] = (1, 5, 15)) -> Plot:
    """Parameters of the dense, the shared (no locality) and the local layer against the
    side n of an n×n image, from theory.counts, with the article's 'billions' and 'a few
    hundred' marked at n = 1000."""
    sides = sorted({round(v) for v in np.logspace(0, np.log10(max_side), 80)} | {1000})
    dense = [counts.dense_layer_parameters(n, n) for n in sides]
    grid = [counts.shared_weights_grid(n, n) + 1 for n in sides]
    torus = [counts.shared_weights_torus(n, n) + 1 for n in sides]
    local = {d: counts.conv_layer_parameters(d) for d in deltas}
    figure = new_figure(7.2, 4.2)
    ax = figure.add_subplot()
    ax.axhspan(1e9, 1e12, color="tab:red", alpha=0.10)
    ax.text(1.2, 3e10, "“billions”", color="tab:red", fontsize=9)
    ax.axhspan(100, 1000, color="tab:green", alpha=0.12)
    ax.text(1.2, 230, "“a few hundred”", color="tab:green", fontsize=8)
    ax.axvline(1000, color="0.5", linestyle=":", linewidth=1)
    ax.plot(sides, dense, color="tab:red", label="dense: (n²)² + n²")
    ax.plot(sides, grid, color="tab:blue", label="shared, no locality: (2n-1)² + 1")
    ax.plot(sides, torus, color="tab:blue", linestyle="--", label="shared on the torus: n² + 1")
    for d, styles in zip(deltas, ("-", "-.", ":"), strict=False):
        ax.plot(sides, [local[d]] * len(sides), color="tab:green", linestyle=styles,
                label=f"local, Δ = {d}: (2Δ+1)² + 1 = {local[d]}")
    at_1000 = counts.dense_layer_parameters(1000, 1000)
    ax.annotate(f"1000×1000 dense: {at_1000:,} (10¹² + 10⁶)", (1000, at_1000), xytext=(-190, 45),
                textcoords="offset points", fontsize=8, arrowprops={"arrowstyle": "->"})
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("image side n (an n×n image and hidden map)")
    ax.set_ylabel("parameters of one layer")
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title("Parameters against image size", fontsize=10)
    return Plot(
        name="parameter_counts",
        claims=("parameter-collapse", "billions-to-hundreds"),
        caption="Parameters of one layer on an n×n image (theory.counts): dense (n²)² + n², "
        "shared without locality (2n-1)² + 1 on the grid and n² + 1 on the torus, shared "
        "and local (2Δ+1)² + 1. At n = 1000 the dense layer has 10¹² + 10⁶ parameters; the "
        "local layer is in 'a few hundred' (100..999) exactly for 5 ≤ Δ ≤ 15.",
        figure=figure,
        data={"sides": sides, "dense": dense, "shared_grid": grid, "shared_torus": torus,
              "local": local, "billions": (10**9, 10**12), "few_hundred": (100, 1000)},
    )


# --- (b) the receptive field -----------------------------------------------------------


def receptive_field_kernel(delta: int = 2) -> np.ndarray:
    """A kernel whose |V[a, b]| are all different (1 .. (2Δ+1)² in a scrambled order,
    signs alternating), so each pixel of the receptive field shows which offset reaches
    it, and a flipped or transposed window would show."""
    side = 2 * delta + 1
    area = side * side
    step = next(p for p in range(area // 3, area) if np.gcd(p, area) == 1)
    magnitudes = ((step * np.arange(area)) % area + 1.0).reshape(side, side)
    signs = np.where(np.add.outer(np.arange(side), np.arange(side)) % 2 == 0, 1.0, -1.0)
    return magnitudes * signs


def receptive_field(shape: tuple[int, int] = (13, 13), delta: int = 2, u: float = 3.0) -> Plot:
    """|∂h[i, j]/∂x[k, l]| probed with impulses (convproof.harness.probe: h(e_kl) - h(0)),
    for a pixel in the middle and one at the corner under zero padding, and the corner
    pixel on the torus, where the window wraps around."""
    V = receptive_field_kernel(delta)
    cases: tuple[tuple[Padding, tuple[int, int]], ...] = (
        ("zeros", (shape[0] // 2, shape[1] // 2)),
        ("zeros", (1, 0)),
        ("circular", (1, 0)),
    )
    panels = []
    figure = new_figure(10.0, 3.0)
    axes = figure.subplots(1, 4)
    shown = show(axes[0], np.abs(V), f"|V[a, b]|, Δ = {delta}", cmap="viridis")
    axes[0].set_xticks(range(2 * delta + 1), [str(b) for b in range(-delta, delta + 1)], fontsize=7)
    axes[0].set_yticks(range(2 * delta + 1), [str(a) for a in range(-delta, delta + 1)], fontsize=7)
    axes[0].set_xlabel("b", fontsize=8)
    axes[0].set_ylabel("a", fontsize=8)
    for ax, (padding, (i, j)) in zip(axes[1:], cases, strict=True):
        J = probe(lambda x, padding=padding: LAYER.fn(x, V, u, padding), shape)
        sensitivity = np.abs(J[i, j])
        window = window_mask(shape, i, j, delta, padding)
        shown = show(ax, sensitivity, f"|∂h[{i},{j}]/∂x[k,l]|, {padding}", cmap="viridis")
        shown.set_clim(0, np.abs(V).max())
        outline(ax, window, "white")
        ax.plot(j, i, marker="+", color="red", markersize=9)
        panels.append({"padding": padding, "pixel": (i, j), "sensitivity": sensitivity,
                       "window": window})
    figure.colorbar(shown, ax=axes, shrink=0.8)
    return Plot(
        name="receptive_field",
        claims=("locality",),
        caption=f"The receptive field of h[i, j] (red +): |∂h[i,j]/∂x[k,l]| measured by "
        f"probing the layer with impulses, h(e_kl) - h(0), on a {shape[0]}×{shape[1]} image "
        f"with Δ = {delta}. It is |V[k-i, l-j]| inside the window |k-i|, |l-j| ≤ Δ (white) "
        "and 0 outside; zero padding cuts the window at the border, the torus wraps it.",
        figure=figure,
        data={"V": V, "delta": delta, "shape": shape, "u": u, "panels": panels},
    )


# --- (c) shift in, shift out -----------------------------------------------------------


def binomial_kernel(delta: int = 2) -> np.ndarray:
    """The integer blur [1, 4, 6, 4, 1]ᵀ[1, 4, 6, 4, 1] (for Δ = 2): rows of Pascal's
    triangle, so the blurred integer image stays integer."""
    row = np.array([1.0])
    for _ in range(2 * delta):
        row = np.convolve(row, [1.0, 1.0])
    return np.outer(row, row)


def shift_in_shift_out(s: tuple[int, int] = (5, 7), delta: int = 2) -> Plot:
    """x, shift(x, s), h = layer(x), shift(h, s) and layer(shift(x, s)) - shift(h, s),
    under zero padding (zero-filling shift, with the region R_s of
    theory.indices.equivariance_region outlined) and on the torus (cyclic shift)."""
    x = synthetic_image()
    V = binomial_kernel(delta)
    u = 0.0
    rows: dict[str, dict[str, np.ndarray]] = {}
    figure = new_figure(11.0, 4.6)
    axes = figure.subplots(2, 5)
    for row, (padding, boundary) in zip(axes, (("zeros", "zeros"), ("circular", "circular")),
                                        strict=True):
        moved = shift(x, s, boundary)
        h = LAYER.fn(x, V, u, padding)
        h_moved = shift(h, s, boundary)
        difference = LAYER.fn(moved, V, u, padding) - h_moved
        region = equivariance_region(x.shape, delta, s, padding)
        rows[padding] = {"x": x, "x_shifted": moved, "h": h, "h_shifted": h_moved,
                         "difference": difference, "region": region}
        name = "zero padding" if padding == "zeros" else "torus"
        show(row[0], x, f"x ({name})")
        show(row[1], moved, f"shift(x, s), s = {s}")
        show(row[2], h, "h = layer(x)")
        show(row[3], h_moved, "shift(h, s)")
        show(row[4], difference, "layer(shift(x)) - shift(h)", cmap="RdBu_r", symmetric=True)
        if not region.all():
            outline(row[4], region, "black")
    return Plot(
        name="shift_in_shift_out",
        claims=("shift-zeros", "shift-torus", "translation-invariant"),
        caption=f"Shift in, shift out, with a {2 * delta + 1}×{2 * delta + 1} integer blur "
        f"and s = {s}. Top, zero padding and a zero-filling shift: layer(shift(x, s)) - "
        "shift(layer(x), s) is exactly 0 inside the region R_s (black outline, "
        "theory.indices.equivariance_region) and not outside it. Bottom, the torus: 0 "
        "everywhere. In both rows shift(h) differs from h: the layer is equivariant, "
        "not invariant.",
        figure=figure,
        data={"s": s, "V": V, "u": u, "delta": delta, "rows": rows},
    )
