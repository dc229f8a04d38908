"""Layer inputs read off one draw: the fast path of properties.strategies.

Hypothesis's cost is per draw, per choice and, for a byte string, per byte (its provider
draws bytes one at a time): on the bench machine about 0.33 ms per example for a test
drawing one small byte string, 0.1 to 0.3 ms per further ``draw`` and 0.3 µs per byte,
more than most layer calls here. A layer input drawn the obvious way (padding, Δ, two
sides, an image, a layout, a kernel, a bias, a shift) took about twenty draws and spent
two thirds of a property's time in Hypothesis (bench/, issue 7). Here a whole input is
a **header**, one byte string of fixed size from which a :class:`Reader` reads, in
order, every small digit (padding, Δ, sides, layout, and per array a density, a fill
value, a magnitude or scale), and one **block** of bytes for all its arrays (:func:`plan`
reads an array's digits, :func:`fill` draws the block for x, V and a vector u together),
made from a drawn 64-bit seed (:data:`SEEDS`), so that its size costs nothing. A value
that goes with the input (a shift, an impulse, a second image) is read in the same draw
(properties.strategies ``extra``), and so is the choice between integer and wide-range
data (:func:`packed` with several builds): two choices per input in all.

Shrinking: the shrinker lowers the header's bytes one by one, and every reader here
maps all-zero bytes to the simplest value (the first option, Δ = 0, the smallest side,
a constant array of the fill value 0, entries in {-1, 0, 1}); seed 0 is the all-zero
block. A seed shrinks only to other seeds, whose bytes are as random as any, so a shrunk
input is simple through its header: small sides, low density, small magnitudes.
Generation covers every header digit uniformly, so 1×N images, Δ = 0, kernels larger
than the image, constant and sparse arrays are all common.

An earlier design drew the arrays as bytes: one string as large as the largest input
made a failing example spend the whole shrinking budget (300 s) zeroing bytes no array
read, and exact-size strings still cost 0.3 µs a byte to draw.
"""

from __future__ import annotations

import random
import struct
import sys
from collections.abc import Callable, Sequence
from math import prod
from typing import NamedTuple, TypeVar

import numpy as np
from hypothesis import strategies as st

T = TypeVar("T")

#: Integer entries lie in [-INT_BOUND, INT_BOUND] (the reason is in properties.strategies);
#: those of one array within a drawn [-2^k, 2^k], k <= INT_BITS.
INT_BITS = 6
INT_BOUND = 2**INT_BITS
#: The largest input a packed strategy may read, header and blocks. The header is drawn
#: as bytes, and Hypothesis stops a test case at 8 KiB of choices (engine.BUFFER_SIZE)
#: and marks it invalid, which would silently skip every input of that size; blocks,
#: drawn from seeds, are held to the same limit, which keeps an input's size (and the
#: cost of the loop oracles on it) in proportion.
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
        """A block of ``size`` <= ``most`` bytes, made from a drawn seed (not read off
        the header)."""
        if size > most:
            raise RuntimeError(f"a block of {size} bytes exceeds its stated largest size "
                               f"{most}: a bug in the packed strategy's reader")
        if self.draw is None:
            self.reserved += most
            return bytes(size)
        seed = self.draw(SEEDS) if size else 0
        if seed == 0:
            return bytes(size)
        # seeded by the header too, so that a seed repeated under another header (the
        # drawn integers repeat often) still gives new bytes
        return random.Random(self.raw + seed.to_bytes(8, "big")).randbytes(size)

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


#: The seed of a block. Hypothesis draws a byte string one byte at a time (about 0.3 µs
#: a byte on the bench machine; a wide-range 3-D input needs two kilobytes) and a 64-bit
#: integer in one step: drawing each block's seed made an input's draw 0.8 -> 0.55 ms.
#: Seed 0, where the shrinker starts, is the all-zero block. A seed shrinks only to
#: other seeds, whose bytes are as random as any, so what makes a shrunk input simple
#: is in the header: sides, Δ, density (how many entries are drawn), fill value and,
#: for integers, the magnitude (down to entries in {-1, 0, 1}).
SEEDS = st.integers(0, 2**64 - 1)


def _header_size(build: Callable[[Reader], T]) -> tuple[int, int]:
    """(header bytes, largest block bytes) that ``build`` reads, found by reading zeros."""
    probe = Reader(bytes(1 << 20))
    build(probe)
    return probe.at, probe.reserved


def packed(*builds: Callable[[Reader], T]) -> st.SearchStrategy[T]:
    """The strategy of ``build(reader)``: a header of the size ``build`` reads (found by
    reading zeros; ``build`` must read a fixed number of header bytes), then the blocks
    it asks for. With several builds, the header's first byte picks one (zero: the
    first) and the header is as long as the longest one needs: one draw where
    ``st.one_of`` would take two."""
    if not builds:
        raise TypeError("packed() needs at least one build function")
    sizes = [_header_size(build) for build in builds]
    choice = 1 if len(builds) > 1 else 0
    size = choice + max(at for at, _ in sizes)
    most = size + max(reserved for _, reserved in sizes)
    if most > MAX_BYTES:
        raise ValueError(f"a packed input of up to {most} bytes exceeds "
                         f"MAX_BYTES ({MAX_BYTES}; Hypothesis's test-case buffer is 8 KiB): "
                         "draw smaller arrays")

    @st.composite
    def read(draw: st.DrawFn) -> T:
        raw = draw(st.binary(min_size=size, max_size=size))
        i = raw[0] % len(builds) if choice else 0
        reader = Reader(raw[choice:], draw)
        value = builds[i](reader)
        if reader.at != sizes[i][0]:
            raise RuntimeError("packed strategy read a varying number of bytes: a bug in "
                               "properties/packed.py")
        return value

    return read()


def zigzag(k: int) -> int:
    """0, 1, -1, 2, -2, ...: an index whose shrinking (towards 0) shrinks the value."""
    return (k + 1) // 2 if k % 2 else -(k // 2)


class Planned(NamedTuple):
    """An array whose header digits are read and whose bytes are still to be drawn: its
    block is ``size`` bytes (at most ``most``), turned into the array by ``finish``."""

    size: int
    most: int
    finish: Callable[[bytes], np.ndarray]


def integer_plan(r: Reader, shape: tuple[int, ...], top: int, dtype: type = np.float64
                 ) -> Planned:
    """An integer-valued array in [-INT_BOUND, INT_BOUND] of ``shape`` (at most ``top``
    elements): a density (in eighths), a fill value and a magnitude 2^k from the header,
    then a block with which elements are drawn and their values in [-2^k, 2^k].
    Constant, sparse and dense arrays all occur, of small and of large entries."""
    n = prod(shape)
    density = r.digit(DENSITY + 1)
    fill = r.signed(INT_BOUND)
    limit = 1 << r.digit(INT_BITS + 1)  # drawn entries in [-limit, limit]

    def finish(block: bytes) -> np.ndarray:
        drawn = np.frombuffer(block, np.uint8, n) % DENSITY < density
        # byte 0 maps to 0; bytes 1..2·limit cover 1..limit and -limit..-1 once, the
        # rest wrap round
        v = (np.frombuffer(block, np.uint8, n, n).astype(np.int64) + limit) % (2 * limit + 1)
        return np.where(drawn, v - limit, fill).reshape(shape).astype(dtype)

    return Planned(2 * n, 2 * top, finish)


def fill(r: Reader, *plans: Planned) -> list[np.ndarray]:
    """The planned arrays, from one block drawn for all of them (one Hypothesis choice
    per input instead of one per array)."""
    block = r.block(sum(p.size for p in plans), sum(p.most for p in plans))
    arrays, at = [], 0
    for p in plans:
        arrays.append(p.finish(block[at : at + p.size]))
        at += p.size
    return arrays


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
    # np.clip, the same bound, costs 2.9 µs a call on a 25-element array, this 0.85 µs
    e = np.minimum(np.maximum(scale - spread // 2 + offset, -span), span)
    value_bits = ((bits >> uint(top)) << uint(top)) | ((e + bias).astype(uint) << uint(m)) \
        | (bits & uint((1 << m) - 1))
    return np.where(bits == 0, 0, value_bits.view(dtype)).astype(dtype)


def wide_scalar(r: Reader, dtype: type = np.float64) -> float:
    """0 one time in eight, else a float of ``dtype`` with magnitude in 2^±span (IEEE):
    :func:`_from_bits` with spread 0 for one word, in Python integers (numpy's per-call
    cost on a one-element array was most of a wide input's reading time)."""
    uint, m, bias, span = IEEE[dtype]
    width = np.dtype(uint).itemsize
    zero = r.digit(8) == 0
    scale = r.signed(span, width=2)
    bits = int.from_bytes(r.take(width), sys.byteorder)  # as np.frombuffer reads it
    if zero or bits == 0:
        return 0.0
    top = 8 * width - 1
    value = (bits >> top << top) | ((scale + bias) << m) | (bits & ((1 << m) - 1))
    return struct.unpack("=d" if width == 8 else "=f", value.to_bytes(width, sys.byteorder))[0]


def wide_plan(r: Reader, shape: tuple[int, ...], top: int, dtype: type = np.float64
              ) -> Planned:
    """A wide-range float array of ``dtype`` (at most ``top`` elements): from the header a
    density, a fill value (:func:`wide_scalar`), a scale exponent and a spread (0: one
    binade; up to 2·span: every magnitude from 2^-span to 2^span at once), then a block
    with each element's sign, exponent offset and mantissa as raw bits and which
    elements are drawn.
    Every value is a finite normal float of ``dtype`` or 0."""
    uint, _, _, span = IEEE[dtype]
    n, width = prod(shape), np.dtype(uint).itemsize
    density = r.digit(DENSITY + 1)
    fill_value = wide_scalar(r, dtype)
    scale = r.signed(span, width=2)
    spread = r.digit(2 * span + 1, width=2)

    def finish(block: bytes) -> np.ndarray:
        bits = np.frombuffer(block, uint, n)  # first, to keep the words aligned
        drawn = np.frombuffer(block, np.uint8, n, width * n) % DENSITY < density
        values = _from_bits(bits, scale, spread, dtype)
        return np.where(drawn, values, dtype(fill_value)).astype(dtype).reshape(shape)

    return Planned((width + 1) * n, (width + 1) * top, finish)


def plan(r: Reader, shape: tuple[int, ...], top: int, exact: bool = True,
         dtype: type = np.float64) -> Planned:
    """:func:`integer_plan` (in ``dtype``) if ``exact``, else :func:`wide_plan`."""
    if exact:
        return integer_plan(r, shape, top, dtype)
    return wide_plan(r, shape, top, dtype)


def array(r: Reader, shape: tuple[int, ...], top: int, exact: bool = True,
          dtype: type = np.float64) -> np.ndarray:
    """One array (:func:`plan`) with a block of its own."""
    return fill(r, plan(r, shape, top, exact, dtype))[0]


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
