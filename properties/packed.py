"""Layer inputs read off drawn byte strings: the fast path of properties.strategies.

Hypothesis's cost is per choice and per nested draw, not per byte: about 45 µs for each
``draw`` and 26 µs for each further choice on the bench machine, more than most layer
calls here. A layer input drawn the obvious way (padding, Δ, two sides, an image, a
layout, a kernel, a bias, a shift) spent two thirds of a property's time in Hypothesis
(bench/, issue 7). Here a whole input is a **header**, one byte string of fixed size from
which a :class:`Reader` reads, in order, every small digit (padding, Δ, sides, layout,
densities, fill values, scales), and then one byte string per array, of exactly the size
that array needs: three or four choices in all, whatever the array sizes.

Why not one byte string for everything: it would have to be as large as the largest
input (kilobytes), and the shrinker works a byte string element by element, so a failing
example would spend its shrinking budget (500 shrinks, 300 s) zeroing bytes no array
reads. Blocks of the exact size keep every byte meaningful.

Shrinking works as for any strategy: the shrinker lowers bytes, and every reader here
maps all-zero bytes to the simplest value (the first option, Δ = 0, the smallest side,
zero entries). Generation covers every header digit uniformly, so 1×N images, Δ = 0 and
kernels larger than the image are all common.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from math import prod
from typing import TypeVar

import numpy as np
from hypothesis import strategies as st

T = TypeVar("T")

#: Integer entries lie in [-INT_BOUND, INT_BOUND] (the reason is in properties.strategies).
INT_BOUND = 64
#: The largest byte string a packed strategy may draw: Hypothesis stops a test case at
#: 8 KiB of choices (engine.BUFFER_SIZE) and marks it invalid, which would silently skip
#: every input of that size; the margin leaves room for the property's other draws.
MAX_BYTES = 7 * 1024
#: Densities of a drawn array, in eighths: 0 gives a constant array (its fill value),
#: 8 an array whose every element is drawn.
DENSITY = 8


class Reader:
    """Reads values in order off a byte string; all-zero bytes read as the simplest value."""

    __slots__ = ("at", "draw", "raw", "reserved")

    def __init__(self, raw: bytes, draw: st.DrawFn | None = None) -> None:
        # without ``draw`` the reader is a probe: blocks read as zeros and count their
        # largest size in ``reserved``
        self.raw, self.at, self.draw, self.reserved = raw, 0, draw, 0

    def take(self, size: int) -> bytes:
        """The next ``size`` bytes."""
        chunk = self.raw[self.at : self.at + size]
        if len(chunk) != size:
            raise RuntimeError("packed strategy read past its bytes: a bug in properties/packed.py")
        self.at += size
        return chunk

    def block(self, size: int, most: int) -> bytes:
        """A byte string of its own, of ``size`` <= ``most`` bytes (drawn, not read off
        the header)."""
        if self.draw is None:
            self.reserved += most
            return bytes(size)
        return self.draw(st.binary(min_size=size, max_size=size)) if size else b""

    def digit(self, n: int, width: int = 1) -> int:
        """An integer in [0, n) from ``width`` bytes (fixed, so that every draw of a
        strategy reads the same number of bytes whatever the digits before it were)."""
        if n > 256**width:
            raise ValueError(f"digit({n}) needs more than {width} byte(s)")
        return int.from_bytes(self.take(width), "big") % n

    def pick(self, options: Sequence[T]) -> T:
        """One of ``options``; zero bytes give the first."""
        return options[self.digit(len(options))]

    def side(self, low: int, high: int) -> int:
        """An integer in [low, high]; zero bytes give ``low``."""
        return low + self.digit(high - low + 1)

    def signed(self, n: int, width: int = 1) -> int:
        """An integer in [-n, n] from ``width`` bytes: 0, 1, -1, 2, -2, ... so that
        shrinking the bytes shrinks the magnitude."""
        return zigzag(self.digit(2 * n + 1, width))


def packed(build: Callable[[Reader], T]) -> st.SearchStrategy[T]:
    """The strategy of ``build(reader)``: a header of the size ``build`` reads (found by
    reading zeros; ``build`` must read a fixed number of header bytes), then the blocks
    it asks for."""
    probe = Reader(bytes(1 << 20))
    build(probe)
    size = probe.at
    if size + probe.reserved > MAX_BYTES:
        raise ValueError(f"a packed input of up to {size + probe.reserved} bytes exceeds "
                         f"Hypothesis's test-case buffer ({MAX_BYTES} bytes of choices): "
                         "draw smaller arrays")

    @st.composite
    def read(draw: st.DrawFn) -> T:
        reader = Reader(draw(st.binary(min_size=size, max_size=size)), draw)
        value = build(reader)
        if reader.at != size:
            raise RuntimeError("packed strategy read a varying number of bytes: a bug in "
                               "properties/packed.py")
        return value

    return read()


def zigzag(k: int) -> int:
    """0, 1, -1, 2, -2, ...: an index whose shrinking (towards 0) shrinks the value."""
    return (k + 1) // 2 if k % 2 else -(k // 2)


def integer_array(r: Reader, shape: tuple[int, ...], top: int) -> np.ndarray:
    """An integer-valued float64 array in [-INT_BOUND, INT_BOUND] of ``shape`` (at most
    ``top`` elements): a density (in eighths) and a fill value from the header, then a
    block with which elements are drawn and their values. Constant, sparse and dense arrays
    all occur."""
    n = prod(shape)
    density = r.digit(DENSITY + 1)
    fill = r.signed(INT_BOUND)
    block = r.block(2 * n, 2 * top)
    drawn = np.frombuffer(block, np.uint8, n) % DENSITY < density
    # byte 0 maps to 0, so the shrinker's all-zero bytes give the all-fill, then the
    # all-zero array; bytes 1..128 cover 1..64 and -64..-1 once, 129..255 wrap round
    v = (np.frombuffer(block, np.uint8, n, n).astype(np.int64) + INT_BOUND) % (2 * INT_BOUND + 1)
    return np.where(drawn, v - INT_BOUND, fill).reshape(shape).astype(np.float64)


def integer(r: Reader) -> float:
    """An integer-valued float in [-INT_BOUND, INT_BOUND] (a bias u)."""
    return float(r.signed(INT_BOUND))


#: IEEE 754 layouts: (unsigned view, mantissa bits, exponent bias, drawn exponent range).
IEEE = {
    np.float64: (np.uint64, 52, 1023, 200),  # magnitudes 2^-200 .. 2^201: TINY .. 2·HUGE
    np.float32: (np.uint32, 23, 127, 40),  # 2^-40 .. 2^41: TINY32 .. 2·HUGE32
}


def _from_bits(bits: np.ndarray, scale: int, spread: int, dtype: type) -> np.ndarray:
    """Finite normal floats (or 0) from raw bits: the top bit is the sign, the low
    mantissa-width bits the mantissa, the bits between an exponent within ``spread``
    binades around ``scale``; all-zero bits give 0."""
    uint, m, bias, span = IEEE[dtype]
    top = 8 * np.dtype(uint).itemsize - 1
    offset = ((bits >> uint(m)) & uint((1 << (top - m)) - 1)).astype(np.int64) % (spread + 1)
    e = np.clip(scale - spread // 2 + offset, -span, span)
    value_bits = ((bits >> uint(top)) << uint(top)) | ((e + bias).astype(uint) << uint(m)) \
        | (bits & uint((1 << m) - 1))
    return np.where(bits == 0, 0, value_bits.view(dtype)).astype(dtype)


def wide_scalar(r: Reader, dtype: type = np.float64) -> float:
    """0 one time in eight, else a float of ``dtype`` with magnitude in 2^±span (IEEE)."""
    uint, _, _, span = IEEE[dtype]
    zero = r.digit(8) == 0
    scale = r.signed(span, width=2)
    bits = np.frombuffer(r.take(np.dtype(uint).itemsize), uint)
    return 0.0 if zero else float(_from_bits(bits, scale, 0, dtype)[0])


def wide_array(r: Reader, shape: tuple[int, ...], top: int, dtype: type = np.float64
               ) -> np.ndarray:
    """A wide-range float array of ``dtype`` (at most ``top`` elements): from the header a
    density, a fill value (:func:`wide_scalar`), a scale exponent and a spread (0: one
    binade; up to 2·span: every magnitude from 2^-span to 2^span at once), then a block
    with each element's sign, exponent offset and mantissa as raw bits and which
    elements are drawn.
    Every value is a finite normal float of ``dtype`` or 0."""
    uint, _, _, span = IEEE[dtype]
    n, width = prod(shape), np.dtype(uint).itemsize
    density = r.digit(DENSITY + 1)
    fill = wide_scalar(r, dtype)
    scale = r.signed(span, width=2)
    spread = r.digit(2 * span + 1, width=2)
    block = r.block((width + 1) * n, (width + 1) * top)
    bits = np.frombuffer(block, uint, n)  # first, to keep the words aligned
    drawn = np.frombuffer(block, np.uint8, n, width * n) % DENSITY < density
    values = _from_bits(bits, scale, spread, dtype)
    return np.where(drawn, values, dtype(fill)).astype(dtype).reshape(shape)


def array(r: Reader, shape: tuple[int, ...], top: int, exact: bool = True,
          dtype: type = np.float64) -> np.ndarray:
    """:func:`integer_array` (in ``dtype``) if ``exact``, else :func:`wide_array`."""
    if exact:
        return integer_array(r, shape, top).astype(dtype)
    return wide_array(r, shape, top, dtype)


def scalar(r: Reader, exact: bool = True, dtype: type = np.float64) -> float:
    """:func:`integer` if ``exact``, else :func:`wide_scalar`, as a float of ``dtype``."""
    if exact:
        return float(dtype(integer(r)))
    return wide_scalar(r, dtype)


def scale(r: Reader, dtype: type = np.float64) -> float:
    """±m·2^e, m in [1, 2), e over 2^±span, half the time below the unit roundoff
    (2^-53, float32 2^-24), where absolute thresholds drop terms (ndimage skips weights
    <= 2^-52)."""
    _, m, _, span = IEEE[dtype]
    negative = r.digit(2) == 1
    below = r.digit(2) == 1
    low = r.digit(span - m, width=2) - span  # -span .. -(m + 1)
    anywhere = r.digit(2 * span, width=2) - span  # -span .. span - 1
    e = low if below else anywhere
    mantissa = 1.0 + r.digit(1 << 56, width=7) / 2.0**56
    return float(dtype((-1 if negative else 1) * mantissa * 2.0**e))
