"""Figures of the report (continued): the layer's algebra.

Convolution against cross-correlation, the DFT eigenvalues of the layer on the torus, and
the receptive field of a stack of layers. Same conventions as convproof/plotting.py: each
function returns a :class:`convproof.plotting.Plot` with the arrays it plotted, computed
exactly on integer data except where noted (the DFT is floating point; the suite checks
it within theory.bounds.fft).
"""

from __future__ import annotations

import numpy as np
import scipy.signal

from convproof.harness import probe
from convproof.plotting import LAYER, Plot, new_figure, outline, show, synthetic_image
from convproof.reference.stacks import run_stack, stack_as_one_layer
from convproof.theory import counts
from convproof.theory.indices import embed, fold, window_mask


def offset_ticks(ax: object, delta: int) -> None:
    """Label a kernel panel with the article's offsets a (rows) and b (columns)."""
    labels = [str(a) for a in range(-delta, delta + 1)]
    ax.set_xticks(range(2 * delta + 1), labels, fontsize=7)  # type: ignore[attr-defined]
    ax.set_yticks(range(2 * delta + 1), labels, fontsize=7)  # type: ignore[attr-defined]
    ax.set_xlabel("b", fontsize=8)  # type: ignore[attr-defined]
    ax.set_ylabel("a", fontsize=8)  # type: ignore[attr-defined]


# --- (d) convolution against cross-correlation ----------------------------------------


def streak_kernel(delta: int = 3) -> np.ndarray:
    """V[a, a] = a + 1 for a = 0..Δ, 0 elsewhere: a streak towards +a, +b, far from
    centrally symmetric (V != V[::-1, ::-1])."""
    V = np.zeros((2 * delta + 1, 2 * delta + 1))
    for a in range(delta + 1):
        V[delta + a, delta + a] = a + 1.0
    return V


def convolution_vs_correlation(delta: int = 3) -> Plot:
    """The layer against scipy's convolve2d with the same asymmetric kernel: the layer is
    correlate2d(x, V), and convolve2d(x, V) smears the picture the other way."""
    x = synthetic_image()
    V = streak_kernel(delta)
    h = LAYER.fn(x, V, 0.0, "zeros")
    correlated = scipy.signal.correlate2d(x, V, mode="same")
    convolved = scipy.signal.convolve2d(x, V, mode="same")
    rotated = scipy.signal.convolve2d(x, V[::-1, ::-1], mode="same")
    figure = new_figure(11.0, 2.8)
    axes = figure.subplots(1, 5)
    show(axes[0], V, "V[a, b]", cmap="viridis")
    offset_ticks(axes[0], delta)
    show(axes[1], x, "x")
    show(axes[2], h, "h = layer(x) = correlate2d(x, V)")
    show(axes[3], convolved, "convolve2d(x, V)")
    show(axes[4], h - convolved, "h - convolve2d(x, V)", cmap="RdBu_r", symmetric=True)
    return Plot(
        name="convolution_vs_correlation",
        claims=("convolution",),
        caption="“This is a convolution!”: with an asymmetric kernel (a streak V[a, a] = a + 1) "
        "the layer h[i,j] = Σ V[a,b]·x[i+a, j+b] equals scipy.signal.correlate2d(x, V), "
        "which drags copies of the picture towards -a, -b; convolve2d(x, V) drags them "
        "towards +a, +b. They differ (right) unless V = V[::-1, ::-1]; the layer is "
        "convolve2d with V rotated by 180°.",
        figure=figure,
        data={"x": x, "V": V, "h": h, "correlate2d": correlated, "convolve2d": convolved,
              "convolve2d_rotated": rotated},
    )


# --- (e) the DFT eigenvalues on the torus ---------------------------------------------


def dft_eigenvalues(shape: tuple[int, int] = (16, 16), u: float = 2.0) -> Plot:
    """λ_m = conj(fft2(fold(V)))[m] for every mode m of the torus, against the eigenvalues
    of the dense (hw)×(hw) matrix of the same layer (theory.indices.embed)."""
    V = np.array([[0.0, 1.0, 0.0], [0.0, 2.0, 1.0], [0.0, 0.0, -1.0]])
    K = fold(V, shape)
    eigenvalues = np.conj(np.fft.fft2(K))
    M = embed(V, shape, "circular").reshape(shape[0] * shape[1], -1)
    dense_eigenvalues = np.linalg.eigvals(M)
    x = synthetic_image(shape)
    h = LAYER.fn(x, V, u, "circular")
    via_dft = u + np.fft.ifft2(eigenvalues * np.fft.fft2(x)).real
    figure = new_figure(11.0, 3.0)
    axes = figure.subplots(1, 4)
    show(axes[0], V, "V[a, b]", cmap="viridis")
    offset_ticks(axes[0], 1)
    centred = np.fft.fftshift(eigenvalues)
    extent = (-shape[1] // 2 - .5, shape[1] - shape[1] // 2 - .5,
              shape[0] - shape[0] // 2 - .5, -shape[0] // 2 - .5)
    for ax, values, title, cmap in ((axes[1], np.abs(centred), "|λ_m|", "viridis"),
                                    (axes[2], np.angle(centred), "arg λ_m", "twilight")):
        shown = ax.imshow(values, cmap=cmap, extent=extent, interpolation="nearest")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("m1", fontsize=8)
        ax.set_ylabel("m0", fontsize=8)
        figure.colorbar(shown, ax=ax, shrink=0.8)
    axes[3].scatter(eigenvalues.real.ravel(), eigenvalues.imag.ravel(), s=40,
                    facecolors="none", edgecolors="tab:blue", label="conj(fft2(fold(V)))")
    axes[3].scatter(dense_eigenvalues.real, dense_eigenvalues.imag, s=12, marker="+",
                    color="tab:red", label="eig of the dense W")
    axes[3].set_aspect("equal")
    axes[3].set_xlabel("Re λ", fontsize=8)
    axes[3].set_ylabel("Im λ", fontsize=8)
    axes[3].legend(fontsize=7, loc="lower left")
    axes[3].set_title("eigenvalues", fontsize=9)
    return Plot(
        name="dft_eigenvalues",
        claims=("dft-diagonal",),
        caption=f"On the {shape[0]}×{shape[1]} torus the Fourier modes χ_m are eigenvectors "
        "of the layer, with eigenvalues λ_m = conj(fft2(fold(V)))[m] (the DFT of the "
        "reversed kernel: the layer is a cross-correlation). Right: they are the "
        f"eigenvalues of the dense {shape[0] * shape[1]}×{shape[0] * shape[1]} weight matrix "
        "of the same layer. So h = u + ifft2(λ·fft2(x)).",
        figure=figure,
        data={"shape": shape, "V": V, "K": K, "eigenvalues": eigenvalues,
              "dense_eigenvalues": dense_eigenvalues, "x": x, "u": u, "h": h,
              "via_dft": via_dft},
    )


# --- (f) receptive field growth with depth --------------------------------------------


def stacking_growth(depths: tuple[int, ...] = (1, 2, 3, 4)) -> Plot:
    """|∂h_L[c]/∂x[k]| of a stack of L layers (reference.stacks.run_stack,
    one positive kernel of radius 1), probed with impulses on a torus large enough
    not to wrap, against the box of radius theory.counts.stacked_radius."""
    V = np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 2.0], [1.0, 2.0, 3.0]])
    delta = 1
    n = 2 * max(depths) * delta + 3
    c = (n // 2, n // 2)
    stages = []
    figure = new_figure(11.0, 2.6)
    axes = figure.subplots(1, len(depths) + 1)
    for ax, depth in zip(axes, depths, strict=False):
        Vs, us = [V] * depth, [1.0] * depth
        J = probe(lambda x, Vs=Vs, us=us: run_stack(x, Vs, us, "circular"), (n, n))
        sensitivity = J[c]
        K, _ = stack_as_one_layer(Vs, us)
        radius = counts.stacked_radius([delta] * depth)
        box = window_mask((n, n), *c, radius, "circular")
        logs = np.full(sensitivity.shape, np.nan)
        np.log2(sensitivity, out=logs, where=sensitivity > 0)
        show(ax, logs, f"L = {depth}: log2 |∂h[c]/∂x[k]|", cmap="viridis")
        outline(ax, box, "red")
        stages.append({"depth": depth, "sensitivity": sensitivity, "K": K, "radius": radius,
                       "box": box, "nonzero": int(np.count_nonzero(sensitivity))})
    sides = [int(np.any(stage["sensitivity"], axis=1).sum()) for stage in stages]
    axes[-1].plot(depths, sides, "o", label="measured")
    axes[-1].plot(depths, [2 * s["radius"] + 1 for s in stages], "-", label="2·LΔ + 1")
    axes[-1].set_xlabel("depth L", fontsize=8)
    axes[-1].set_ylabel("receptive field side", fontsize=8)
    axes[-1].legend(fontsize=7)
    return Plot(
        name="stacking_growth",
        claims=("stacking",),
        caption="Receptive field of one output c of a stack of L layers of radius Δ = 1, "
        "probed with impulses (log2 scale): the box of radius LΔ (red), growing linearly "
        "with depth, which this positive kernel fills, (2LΔ+1)² pixels (kernels with "
        "entries of both signs can cancel inside it); there ∂h[c]/∂x[c+a] = K[a], the "
        "full convolution of the L kernels.",
        figure=figure,
        data={"V": V, "delta": delta, "n": n, "centre": c, "stages": stages, "sides": sides},
    )
