"""A catalogue of contract layers that each carry one plausible bug.

Every mutant is a ``layer(x, V, u, padding) -> h`` of reference.contract with a one-line
docstring naming its bug and an honest ``error_model`` (declaring "fft" for a direct
summation would loosen the bound the properties hold it to). tests/test_mutants.py runs
the layer properties against each and requires that some property fails on it: a mutant
that survives is a hole in the suite, not in the mutant.

Most mutants are the correct layer (``_layer``, shifted copies of the padded image, or
the references) with one thing changed, so that the one change is the whole bug.
Three stateful mutants keep module-level state; :func:`reset` clears it so that runs do
not depend on what ran before. :data:`KINDS` groups the mutants by kind of bug; those of
kind "every dimension" declare 1-, 2- and 3-D inputs, channels and float32 (as
reference.scipy_nd does), so that the N-D properties run on them too.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.signal
from convproof.reference.channels import channel_layer
from convproof.reference.contract import Layer, as_layer, declare
from convproof.reference.fft import fft
from convproof.reference.nd import correlate_nd
from convproof.reference.scipy_nd import scipy_direct
from convproof.reference.vectorized import vectorized
from convproof.theory.indices import delta_of, fold, padded

Fn = Callable[[np.ndarray, np.ndarray, float, str], object]


#: Declare direct summation (exact on integer data), as reference.loops does.
_direct = declare(error_model="direct")
#: Declare the normwise FFT error model, as reference.fft does.
_fft = declare(error_model="fft")


def _require_fit(x: np.ndarray, V: np.ndarray) -> None:
    if min(x.shape) < V.shape[0]:
        raise ValueError(f"kernel {V.shape} is larger than the image {x.shape}")


def _layer(
    x: np.ndarray,
    V: np.ndarray,
    u: float,
    padding: str,
    *,
    shift: tuple[int, int] = (0, 0),
    zeros_mode: str = "constant",
    span: int | None = None,
) -> np.ndarray:
    """The layer as a sum of shifted copies of the padded image; correct with the defaults.

    ``shift`` moves every window by that many pixels, ``zeros_mode`` is the np.pad mode
    used for 'zeros', ``span`` limits the kernel loop to ``range(span)``.
    """
    d = delta_of(V)
    extra = max(abs(s) for s in shift)
    if padding == "valid":
        _require_fit(x, V)
        xp, out = np.pad(x, extra), (x.shape[0] - 2 * d, x.shape[1] - 2 * d)
    elif padding in ("zeros", "circular"):
        mode = "wrap" if padding == "circular" else zeros_mode
        xp, out = np.pad(x, d + extra, mode=mode), x.shape
    else:
        raise ValueError(f"unknown padding {padding!r}")
    h = np.full(out, float(u))
    side = V.shape[0] if span is None else span
    for a in range(side):
        for b in range(side):
            r, c = extra + a + shift[0], extra + b + shift[1]
            h += V[a, b] * xp[r : r + out[0], c : c + out[1]]
    return h


def _correlate(xp: np.ndarray, K: np.ndarray) -> np.ndarray:
    """Σ K[a, b]·xp[i + a, j + b] over the windows inside xp, for any (rectangular) K."""
    out = (xp.shape[0] - K.shape[0] + 1, xp.shape[1] - K.shape[1] + 1)
    h = np.zeros(out)
    for a, b in np.ndindex(K.shape):
        h += K[a, b] * xp[a : a + out[0], b : b + out[1]]
    return h


# --- indexing -------------------------------------------------------------------------


@_direct
def flipped_kernel(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Computes a true convolution (reads x[i-a, j-b]) instead of the cross-correlation."""
    return vectorized(x, V[::-1, ::-1], u, padding)


@_direct
def transposed_kernel(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Uses V.T: the two offset axes are swapped."""
    return vectorized(x, V.T, u, padding)


@_direct
def window_off_by_one(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Every window starts one row too low: reads x[i+a+1, j+b]."""
    return _layer(x, V, u, padding, shift=(1, 0))


@_direct
def offset_sign_one_axis(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """The row offset has the wrong sign (reads x[i-a, j+b]); the column offset is right."""
    return vectorized(x, V[::-1, :], u, padding)


@_direct
def kernel_loop_off_by_one(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Loops a, b over range(2Δ), not range(2Δ+1): the last kernel row and column unused."""
    return _layer(x, V, u, padding, span=V.shape[0] - 1)


# --- borders --------------------------------------------------------------------------


@_direct
def zeros_as_edge(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """'zeros' pads by replicating the edge pixels (np.pad mode='edge') instead of 0."""
    return _layer(x, V, u, padding, zeros_mode="edge")


@_direct
def zeros_as_reflect(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """'zeros' pads by mirroring the image (np.pad mode='reflect') instead of 0."""
    return _layer(x, V, u, padding, zeros_mode="reflect")


@_direct
def circular_wraps_once(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """'circular' wraps at most one turn and reads 0 beyond: wrong once Δ exceeds a side."""
    if padding != "circular":
        return vectorized(x, V, u, padding)
    d = delta_of(V)
    xp = x
    for axis, n in enumerate(x.shape):
        once, rest = [(0, 0), (0, 0)], [(0, 0), (0, 0)]
        once[axis] = (min(d, n),) * 2
        rest[axis] = (d - min(d, n),) * 2
        xp = np.pad(np.pad(xp, once, mode="wrap"), rest)
    return u + _correlate(xp, V)


@_direct
def circular_one_sided(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """'circular' wraps only below the image and reads 0 above it (top rows miss x's bottom)."""
    if padding != "circular":
        return vectorized(x, V, u, padding)
    d = delta_of(V)
    xp = np.pad(x, d, mode="wrap")
    xp[:d] = 0.0
    return u + _correlate(xp, V)


@_direct
def circular_wrong_modulus(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """'circular' takes row indices modulo the width (then the height): right only if square."""
    if padding != "circular":
        return vectorized(x, V, u, padding)
    height, width = x.shape
    offsets = np.arange(-delta_of(V), delta_of(V) + 1)
    rows = (np.arange(height)[:, None] + offsets) % width % height
    cols = (np.arange(width)[:, None] + offsets) % width
    g = x[rows[:, None, :, None], cols[None, :, None, :]]
    return u + np.einsum("ijab,ab->ij", g, V)


@_direct
def circular_clips_large_kernel(
    x: np.ndarray, V: np.ndarray, u: float, padding: str
) -> np.ndarray:
    """'circular' clips a kernel larger than the image to the image instead of wrapping it."""
    if padding != "circular":
        return vectorized(x, V, u, padding)
    d = delta_of(V)
    r0, r1 = (min(d, (n - 1) // 2) for n in x.shape)
    K = V[d - r0 : d + r0 + 1, d - r1 : d + r1 + 1]
    return u + _correlate(np.pad(x, ((r0, r0), (r1, r1)), mode="wrap"), K)


@_direct
def valid_accepts_large_kernel(
    x: np.ndarray, V: np.ndarray, u: float, padding: str
) -> np.ndarray:
    """'valid' returns scipy's result (inputs swapped) for a kernel larger than the image."""
    if padding != "valid":
        return vectorized(x, V, u, padding)
    return u + scipy.signal.correlate2d(x, V, mode="valid")


@_direct
def valid_wrong_shape(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """'valid' crops Δ from the top and left only: (H-Δ, W-Δ) instead of (H-2Δ, W-2Δ)."""
    if padding != "valid":
        return vectorized(x, V, u, padding)
    _require_fit(x, V)
    d = delta_of(V)
    return vectorized(x, V, u, "zeros")[d:, d:]


# --- bias -----------------------------------------------------------------------------


@_direct
def bias_interior_only(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Adds u only where the whole window lies inside the image."""
    h = vectorized(x, V, 0.0, padding)
    if padding == "valid":
        return h + u
    d = delta_of(V)
    interior = np.zeros(h.shape, dtype=bool)
    interior[d : h.shape[0] - d, d : h.shape[1] - d] = True
    return np.where(interior, h + u, h)


@_direct
def bias_missing_valid(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Forgets the bias under 'valid' padding."""
    return vectorized(x, V, 0.0 if padding == "valid" else u, padding)


@_direct
def bias_twice(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Adds the bias twice."""
    return vectorized(x, V, u, padding) + u


@_direct
def delta0_drops_bias(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """A 1×1-kernel (Δ = 0) fast path returns V·x and forgets u."""
    if V.shape == (1, 1):
        return V[0, 0] * np.asarray(x, dtype=np.float64)
    return vectorized(x, V, u, padding)


# --- arithmetic -----------------------------------------------------------------------


@_direct
def float32_arithmetic(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Computes in float32 (exact on the small integers, far off on wide-range floats)."""
    with np.errstate(over="ignore", under="ignore"):
        x32, V32, u32 = x.astype(np.float32), V.astype(np.float32), np.float32(u)
        return vectorized(x32, V32, u32, padding).astype(np.float64)  # type: ignore[arg-type]


@_direct
def cancellation(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Computes Σ(V+1)·x − Σx: catastrophic cancellation when |V| << 1."""
    ones = np.ones_like(V)
    return vectorized(x, V + ones, u, padding) - vectorized(x, ones, 0.0, padding)


@_direct
def nonlocal_leak(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Leaks 1e-10·x from the pixel just below the window (row i+Δ+1) into h[i, j]."""
    h = vectorized(x, V, u, padding)
    d = delta_of(V)
    base = d if padding == "valid" else 0
    rows = np.arange(h.shape[0]) + base + d + 1
    cols = np.arange(h.shape[1]) + base
    if padding == "circular":
        if x.shape[0] <= 2 * d + 1:  # every row is inside the window on this torus
            return h
        rows %= x.shape[0]
    inside = rows < x.shape[0]
    h[inside] += 1e-10 * x[rows[inside]][:, cols]
    return h


@_direct
def fft_declared_direct(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """An FFT layer that declares direct summation: it promises exactness it cannot keep."""
    return fft(x, V, u, padding)


@_fft
def odd_size_fftshift(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Undoes fftshift with fftshift, not ifftshift: one pixel off along every odd-sized axis."""
    d = delta_of(V)
    if padding == "valid":
        _require_fit(x, V)
    xp = np.pad(x, d) if padding == "zeros" else np.asarray(x)
    centred = np.fft.fftshift(fold(V, xp.shape))
    K = np.fft.fftshift(centred)  # should be np.fft.ifftshift
    z = np.fft.irfft2(np.fft.rfft2(xp) * np.conj(np.fft.rfft2(K)), s=xp.shape)
    if padding == "zeros":
        return u + z[d : d + x.shape[0], d : d + x.shape[1]]
    if padding == "valid":
        return u + z[d : x.shape[0] - d, d : x.shape[1] - d]
    return u + z


@declare(error_model="direct", dtypes=("float64", "float32"))
def float16_for_float32(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Declares float32 but computes float32 input in float16 (right for float64 input)."""
    if x.dtype != np.float32:
        return vectorized(x, V, u, padding)
    with np.errstate(over="ignore", under="ignore"):
        x16, V16, u16 = x.astype(np.float16), V.astype(np.float16), np.float16(u)
        return vectorized(x16, V16, u16, padding).astype(np.float32)  # type: ignore[arg-type]


_RNG = np.random.default_rng()


@_direct
def noisy(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Adds fresh random noise of relative size 1e-12 on every call, far above the bound."""
    h = vectorized(x, V, u, padding)
    return h + 1e-12 * _RNG.standard_normal(h.shape) * (np.abs(h) + 1.0)


# --- state ----------------------------------------------------------------------------

_BY_SHAPE: dict[tuple, np.ndarray] = {}
_BY_IMAGE: dict[tuple, np.ndarray] = {}
_BUFFERS: dict[tuple, np.ndarray] = {}


def reset() -> None:
    """Forget the state of the stateful mutants."""
    for store in (_BY_SHAPE, _BY_IMAGE, _BUFFERS):
        store.clear()


@_direct
def stale_cache(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Memoizes on the shapes and padding: new data of the same shapes gets an old result."""
    key = (x.shape, V.shape, padding)
    if key not in _BY_SHAPE:
        _BY_SHAPE[key] = vectorized(x, V, u, padding)
    return _BY_SHAPE[key].copy()


@_direct
def cache_keyed_on_image(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Memoizes on the image alone, as if V and u never changed between calls."""
    key = (x.shape, x.tobytes(), padding)
    if key not in _BY_IMAGE:
        _BY_IMAGE[key] = vectorized(x, V, u, padding)
    return _BY_IMAGE[key].copy()


@_direct
def output_buffer_reused(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Returns one reused buffer per output shape: the next call overwrites the caller's h."""
    h = vectorized(x, V, u, padding)
    buffer = _BUFFERS.setdefault(h.shape, np.empty(h.shape))
    buffer[...] = h
    return buffer


# --- memory layout and inputs ---------------------------------------------------------


@_direct
def ravel_memory_order(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Flattens x in memory order (ravel('K')) but reshapes it in C order."""
    return vectorized(x.ravel(order="K").reshape(x.shape), V, u, padding)


@_direct
def ravel_kernel_memory_order(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Reads V in memory order (ravel('K')) but reshapes it in C order: a Fortran-ordered
    V gives the transposed kernel."""
    return vectorized(x, V.ravel(order="K").reshape(V.shape), u, padding)


@_direct
def reads_base_buffer(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Reads the first H·W values of the buffer under a view (x.base) as if they were x."""
    source = x if x.base is None else np.asarray(x.base)
    return vectorized(source.reshape(-1)[: x.size].reshape(x.shape), V, u, padding)


@_direct
def mutates_kernel(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Rotates the caller's V in place (to feed scipy's convolve2d); the result is right."""
    V[...] = V[::-1, ::-1]
    if padding == "valid":
        _require_fit(x, V)
        return u + scipy.signal.convolve2d(x, V, mode="valid")
    boundary = "wrap" if padding == "circular" else "fill"
    return u + scipy.signal.convolve2d(x, V, mode="same", boundary=boundary)


@_direct
def mutates_image(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Scales the caller's x in place by a power of two (against overflow); result right."""
    _, exponent = np.frexp(np.max(np.abs(x), initial=0.0))
    x *= 2.0 ** -int(exponent)
    return u + vectorized(x, V, 0.0, padding) * 2.0 ** int(exponent)


# --- size-specific paths --------------------------------------------------------------


@_direct
def row_image_fast_path(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """A 1×N fast path uses V's centre row only: right for 'zeros', wrong on the torus."""
    if x.shape[0] != 1 or padding == "valid":
        return vectorized(x, V, u, padding)
    d = delta_of(V)
    row = np.pad(x[0], d, mode="wrap" if padding == "circular" else "constant")
    return (u + np.correlate(row, V[d], mode="valid"))[None, :]


# --- every dimension and channels ------------------------------------------------------


#: Declare direct summation in 1-, 2- and 3-D, with channels, in float64 and float32,
#: as reference.scipy_nd does: the N-D properties then run on the mutant too.
_nd = declare(error_model="direct", dims=(1, 2, 3), channels=True,
              dtypes=("float64", "float32"))


def _spatial_axes(x: np.ndarray, V: np.ndarray) -> int:
    return x.ndim - 1 if V.ndim == x.ndim + 1 else x.ndim


@_nd
def nd_flipped_last_axis(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """In any dimension, reads x[..., i - a] along the last spatial axis (a convolution
    there), x[i + a] along the others."""
    return scipy_direct(x, np.flip(V, axis=_spatial_axes(x, V) - 1), u, padding)


@_nd
def nd_circular_one_sided(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """In any dimension, 'circular' wraps the first axis only below the input and reads 0
    above it."""
    if padding != "circular":
        return scipy_direct(x, V, u, padding)
    d = _spatial_axes(x, V)
    delta = delta_of(V, d)
    xp = padded(x, delta, "circular", d)
    xp[:delta] = 0.0
    return scipy_direct(xp, V, u, "valid")


@_nd
def nd_valid_accepts_large_kernel(x: np.ndarray, V: np.ndarray, u: float,
                                  padding: str) -> np.ndarray:
    """In any dimension, 'valid' returns scipy's result (inputs swapped) for a kernel
    larger than the input instead of raising ValueError."""
    if padding != "valid" or V.ndim != x.ndim or min(x.shape) >= V.shape[0]:
        return scipy_direct(x, V, u, padding)
    return u + scipy.signal.correlate(x, V, mode="valid", method="direct")


# --- sizes and thresholds -------------------------------------------------------------
# Wrong only at the sizes where implementations switch code paths (issue 17): tiles,
# SIMD blocks of channels, an algorithm chosen above a size, large kernels. Each is the
# correct layer below its threshold, so only inputs at scale catch it, and the smallest
# failing size is the threshold itself (tests/test_shrinking.py checks the reported one).
# Those with channels build on the vectorized channel reference, right for plain inputs.


def _channel_layer(x: np.ndarray, V: np.ndarray, u: float | np.ndarray, padding: str) -> np.ndarray:
    """The correct layer, with or without channels, in any dimension (vectorized)."""
    if V.ndim == x.ndim + 1:
        return channel_layer(x, V, u, padding)  # type: ignore[arg-type]
    return correlate_nd(x, V, u, padding)  # type: ignore[arg-type]


@_direct
def tile_remainder_skipped(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Computes the output rows in tiles of 16 once there are more than 16, and leaves
    the rows of the last, partial tile at u: wrong from 17 output rows."""
    h = vectorized(x, V, u, padding)
    rows = h.shape[0]
    if rows > 16 and rows % 16:
        h[rows - rows % 16 :] = u
    return h


@_nd
def channel_block_wrong_tail(x: np.ndarray, V: np.ndarray, u: float | np.ndarray,
                             padding: str) -> np.ndarray:
    """Sums the input channels in SIMD blocks of 8 and a scalar tail loop that starts one
    channel late (skips the first channel after the last full block): wrong from 9
    input channels."""
    if V.ndim == x.ndim + 1:
        c_in = x.shape[-1]
        full = c_in - c_in % 8
        if 0 < full < c_in:
            keep = [c for c in range(c_in) if c != full]
            return channel_layer(x[..., keep], V[..., keep, :], u, padding)  # type: ignore[arg-type]
    return _channel_layer(x, V, u, padding)


@_direct
def algorithm_switch_off_by_one(x: np.ndarray, V: np.ndarray, u: float,
                                padding: str) -> np.ndarray:
    """For images 32 pixels wide or more, switches to a row-blocked path whose windows
    start one column too far right (reads x[i+a, j+b+1]): wrong from width 32."""
    if x.shape[1] >= 32:
        return _layer(x, V, u, padding, shift=(0, 1))
    return vectorized(x, V, u, padding)


@_direct
def large_kernel_loses_outer_ring(x: np.ndarray, V: np.ndarray, u: float,
                                  padding: str) -> np.ndarray:
    """For kernels of 7×7 or more (Δ >= 3), a tiled path drops the kernel's outermost
    ring of taps (|a| = Δ or |b| = Δ)."""
    if V.shape[0] >= 7:
        V = V.copy()
        V[[0, -1], :] = 0.0
        V[:, [0, -1]] = 0.0
    return vectorized(x, V, u, padding)


@_direct
def bias_dropped_above_side_8(x: np.ndarray, V: np.ndarray, u: float,
                              padding: str) -> np.ndarray:
    """For an image with a side above 8, a tiled path forgets the bias u."""
    return vectorized(x, V, 0.0 if max(x.shape) > 8 else u, padding)


@_direct
def every_other_row_from_48(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """For images of 48 rows or more, a two-row unrolled loop computes every other output
    row and leaves the rows between at 0."""
    h = vectorized(x, V, u, padding)
    if x.shape[0] >= 48:
        h[1::2] = 0.0
    return h


@_direct
def kernel_rows_flipped_from_delta_4(x: np.ndarray, V: np.ndarray, u: float,
                                     padding: str) -> np.ndarray:
    """For Δ >= 4 (kernels of 9×9 or more), a large-kernel path reads the kernel's rows in
    reverse order (reads x[i-a, j+b])."""
    if V.shape[0] >= 9:
        V = V[::-1, :]
    return vectorized(x, V, u, padding)


@_nd
def channel_7_weights_from_cin_8(x: np.ndarray, V: np.ndarray, u: float | np.ndarray,
                                 padding: str) -> np.ndarray:
    """For C_in >= 8, an 8-wide SIMD path weighs input channel 7 with the weights of
    channel 6 (V[..., 6, :]): wrong from C_in = 8."""
    if V.ndim == x.ndim + 1 and x.shape[-1] >= 8:
        V = V.copy()
        V[..., 7, :] = V[..., 6, :]
    return _channel_layer(x, V, u, padding)


# --- what comes back ------------------------------------------------------------------


@_direct
def returns_list(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> list:
    """Returns a nested list instead of an array."""
    return vectorized(x, V, u, padding).tolist()


@_direct
def integer_dtype(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Returns an integer array whenever the result happens to be integer-valued."""
    h = vectorized(x, V, u, padding)
    return h.astype(np.int64) if np.array_equal(h, np.round(h)) else h


@_direct
def returns_nan(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Normalizes V by a power of two near max|V|, so V = 0 gives 0/0 = NaN."""
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = 2.0 ** np.floor(np.log2(np.max(np.abs(V))))
        return vectorized(x, V / scale, u / scale, padding) * scale


@_direct
def raises_type_error(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
    """Computes Δ with / instead of //, so np.pad and slicing get a float: TypeError."""
    d = (V.shape[0] - 1) / 2
    if padding == "valid":
        return u + _correlate(x, V)[d : x.shape[0] - d]  # type: ignore[misc]
    return u + _correlate(np.pad(x, d), V)  # type: ignore[call-overload]


#: The mutants by kind of bug (the sections above).
KINDS: dict[str, tuple[Fn, ...]] = {
    "indexing": (flipped_kernel, transposed_kernel, window_off_by_one, offset_sign_one_axis,
                 kernel_loop_off_by_one),
    "borders": (zeros_as_edge, zeros_as_reflect, circular_wraps_once, circular_one_sided,
                circular_wrong_modulus, circular_clips_large_kernel, valid_accepts_large_kernel,
                valid_wrong_shape),
    "bias": (bias_interior_only, bias_missing_valid, bias_twice, delta0_drops_bias),
    "arithmetic": (float32_arithmetic, float16_for_float32, cancellation, nonlocal_leak,
                   fft_declared_direct, odd_size_fftshift, noisy),
    "state": (stale_cache, cache_keyed_on_image, output_buffer_reused),
    "memory layout and inputs": (ravel_memory_order, ravel_kernel_memory_order,
                                 reads_base_buffer, mutates_kernel, mutates_image),
    "size-specific path": (row_image_fast_path,),
    "what comes back": (returns_list, integer_dtype, returns_nan, raises_type_error),
    "every dimension": (nd_flipped_last_axis, nd_circular_one_sided, nd_valid_accepts_large_kernel),
    "sizes and thresholds": (tile_remainder_skipped, channel_block_wrong_tail,
                             algorithm_switch_off_by_one, large_kernel_loses_outer_ring,
                             bias_dropped_above_side_8, every_other_row_from_48,
                             kernel_rows_flipped_from_delta_4, channel_7_weights_from_cin_8),
}

FUNCTIONS: tuple[Fn, ...] = tuple(fn for group in KINDS.values() for fn in group)

#: The kind of each mutant, by name.
KIND: dict[str, str] = {fn.__name__: kind for kind, group in KINDS.items() for fn in group}

#: Every mutant as a :class:`reference.contract.Layer`, by name.
MUTANTS: dict[str, Layer] = {fn.__name__: as_layer(fn.__name__, fn) for fn in FUNCTIONS}
