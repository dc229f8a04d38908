"""Shared Hypothesis strategies: images, kernels, biases, shifts and whole layer inputs.

Everything is built on ``hypothesis.extra.numpy`` and composes: a new property draws a
:class:`Case` from :func:`cases` (or builds its own from the parts) and states its claim
in a few lines.

Two kinds of values:

* integer-valued floats (``exact=True``, the default): small enough that every sum the
  layer forms is exact in float64 (theory.bounds, item 1), so algebraic identities are
  checked with ``==``;
* wide-range floats (``exact=False``): magnitudes 0 or 2^-200 .. 2^200 of either sign,
  so products neither overflow nor underflow and the error bounds of theory.bounds apply.

Shapes cover 1×N, N×1 and non-square images; Δ covers 0 (a 1×1 kernel) and kernels
larger than the image; arrays arrive in every memory layout (:func:`layouts`).
"""

from __future__ import annotations

from dataclasses import dataclass

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import strategies as st

from theory.indices import PADDINGS, Padding

#: Largest side of a drawn image, and largest Δ: small enough to keep the dense W and the
#: loop reference cheap, large enough for kernels that wrap the image several times.
MAX_SIDE = 8
MAX_DELTA = 3
#: Integer entries lie in [-INT_BOUND, INT_BOUND]; with at most (2·MAX_DELTA+1)^2 terms
#: every sum stays far below 2^53 (and below 2^24, so float32 is exact too on them).
INT_BOUND = 64
TINY, HUGE = 2.0**-200, 2.0**200


def scalars(exact: bool = True) -> st.SearchStrategy[float]:
    """One entry of x or V, or a bias u."""
    if exact:
        return st.integers(-INT_BOUND, INT_BOUND).map(float)
    return st.floats(
        -HUGE, HUGE, allow_nan=False, allow_infinity=False, allow_subnormal=False
    ).map(lambda v: v if abs(v) >= TINY else 0.0)


def deltas(max_delta: int = MAX_DELTA) -> st.SearchStrategy[int]:
    """The locality radius Δ >= 0; Δ = 0 is a 1×1 kernel."""
    return st.integers(0, max_delta)


def shapes(min_side: int = 1, max_side: int = MAX_SIDE) -> st.SearchStrategy[tuple[int, int]]:
    """(H, W) image shapes, 1×N, N×1 and non-square included."""
    return hnp.array_shapes(min_dims=2, max_dims=2, min_side=min_side, max_side=max_side)  # type: ignore[return-value]


def _flush_tiny(a: np.ndarray) -> np.ndarray:
    a[np.abs(a) < TINY] = 0.0
    return a


def arrays(
    shape: tuple[int, ...], exact: bool = True, minimal: bool = False
) -> st.SearchStrategy[np.ndarray]:
    """A float64 array of the given shape.

    By default arrays are drawn as a fill value plus some individually drawn elements
    (hypothesis.extra.numpy's ``fill``), three times faster than drawing every element.
    ``minimal=True`` draws every element, which shrinks each one to 0 on its own: use it
    where the shrunk example is shown to a reader (counterexamples).
    """
    fill = st.nothing() if minimal else None
    if exact:
        ints = hnp.arrays(np.int64, shape, elements=st.integers(-INT_BOUND, INT_BOUND), fill=fill)
        return ints.map(lambda a: a.astype(np.float64))
    floats = st.floats(-HUGE, HUGE, allow_nan=False, allow_infinity=False, allow_subnormal=False)
    return hnp.arrays(np.float64, shape, elements=floats, fill=fill).map(_flush_tiny)


def kernels(delta: int, exact: bool = True, minimal: bool = False) -> st.SearchStrategy[np.ndarray]:
    """V of shape (2Δ+1, 2Δ+1), V[Δ + a, Δ + b] the article's V[a, b]."""
    return arrays((2 * delta + 1, 2 * delta + 1), exact, minimal)


def shifts(shape: tuple[int, int], beyond: int = 2) -> st.SearchStrategy[tuple[int, int]]:
    """Shifts s with |s_d| <= beyond·n_d: zero, partial, full and several turns of the torus."""
    return st.tuples(*(st.integers(-beyond * n, beyond * n) for n in shape))


def _strided(a: np.ndarray) -> np.ndarray:
    buffer = np.zeros((2 * a.shape[0], 3 * a.shape[1]))
    view = buffer[::2, ::3]
    view[...] = a
    return view


def _reversed(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a[::-1, ::-1])[::-1, ::-1]


def _transposed(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a.T).T


def _read_only(a: np.ndarray) -> np.ndarray:
    b = a.copy()
    b.flags.writeable = False
    return b


#: Memory layouts of the same values: the contract says x may be any of these.
LAYOUTS = {
    "contiguous": np.ascontiguousarray,
    "fortran": np.asfortranarray,
    "strided": _strided,
    "reversed": _reversed,
    "transposed": _transposed,
    "read-only": _read_only,
}


def layouts(a: np.ndarray) -> st.SearchStrategy[np.ndarray]:
    """The values of ``a`` in one of :data:`LAYOUTS`, drawn."""
    return st.sampled_from(list(LAYOUTS.values())).map(lambda f: f(a))


@dataclass(frozen=True)
class Case:
    """One input of the layer: h = layer(x, V, u, padding)."""

    x: np.ndarray
    V: np.ndarray
    u: float
    padding: Padding

    @property
    def delta(self) -> int:
        return (self.V.shape[0] - 1) // 2

    def __repr__(self) -> str:
        return (
            f"Case(padding={self.padding!r}, u={self.u!r},\n  x={self.x.tolist()!r},\n"
            f"  V={self.V.tolist()!r})"
        )

    def _repr_pretty_(self, p, cycle: bool) -> None:  # noqa: ANN001
        p.text(repr(self))


@st.composite
def cases(
    draw: st.DrawFn,
    padding: Padding | None = None,
    exact: bool = True,
    max_side: int = MAX_SIDE,
    max_delta: int = MAX_DELTA,
    any_layout: bool = True,
    minimal: bool = False,
) -> Case:
    """A layer input; for 'valid' the image is at least as large as the kernel (the
    larger-kernel case is its own property), otherwise any size, often smaller.
    ``minimal=True``: for counterexamples shown to a reader (see :func:`arrays`)."""
    pad = draw(st.sampled_from(PADDINGS)) if padding is None else padding
    delta = draw(deltas(max_delta))
    min_side = 2 * delta + 1 if pad == "valid" else 1
    shape = draw(shapes(min_side, max(min_side, max_side)))
    x = draw(arrays(shape, exact, minimal))
    if any_layout:
        x = draw(layouts(x))
    V = draw(kernels(delta, exact, minimal))
    return Case(x=x, V=V, u=draw(scalars(exact)), padding=pad)


def impulse(shape: tuple[int, int], k: int, l: int, t: float = 1.0) -> np.ndarray:  # noqa: E741
    """t·e_kl: the image that is t at (k, l) and 0 elsewhere."""
    e = np.zeros(shape)
    e[k, l] = t
    return e


def pixels(shape: tuple[int, int]) -> st.SearchStrategy[tuple[int, int]]:
    """A pixel (k, l) of an image of this shape."""
    return st.tuples(st.integers(0, shape[0] - 1), st.integers(0, shape[1] - 1))
