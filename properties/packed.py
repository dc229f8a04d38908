"""Layer inputs read off one draw: the values under properties.strategies.

Hypothesis's cost is per draw, per choice and, for a byte string, per byte (its provider
draws bytes one at a time): on the bench machine about 0.33 ms per example for a test
drawing one small byte string, 0.1 to 0.3 ms per further ``draw`` and 0.3 µs per byte,
more than most layer calls here. A layer input drawn the obvious way (padding, Δ, two
sides, an image, a layout, a kernel, a bias, a shift) took about twenty draws and spent
two thirds of a property's time in Hypothesis (bench/, issue 7). Here a whole input is
a **header**, one byte string of fixed size from which a :class:`Reader` reads, in
order, every small digit (sizes, padding, layouts, and per array its precision, density,
fill value, magnitude or scale), and one **block** of bytes for all its arrays (:func:`plan`
reads an array's digits, :func:`fill` makes the block for x, V and a vector u together)
from a 64-bit seed read off the header (:meth:`Reader.block`), so that its size costs
nothing.

The header's layout depends only on what is drawn (the strategy's description), never
on a value read: every digit is read whatever the digits before it were, and a value
that depends on others (a side at least the kernel's, a size within a limit) is computed
from digits that are always there. :func:`packed` checks it on every draw.

Shrinking: the shrinker lowers the header's bytes, earlier bytes first, and every reader
here maps all-zero bytes to the simplest value (the first option, the smallest tier and
size, a constant array of the fill value 0, integer entries in {-1, 0, 1}); seed 0 is
the all-zero block. A seed shrinks only to other seeds, whose bytes are as random as any,
so a shrunk input is simple through its header: small sizes, low density, small
magnitudes and, for floats, few significant digits (:data:`PRECISIONS`: integers, then
decimals m/10^k of 1 to 3 digits, then full binary precision).

An earlier design drew the arrays as bytes: one string as large as the largest input
made a failing example spend the whole shrinking budget (300 s) zeroing bytes no array
read, and exact-size strings still cost 0.3 µs a byte to draw. A later one drew each
block's seed as a Hypothesis integer: one more draw per input than 8 header bytes.
"""

from __future__ import annotations

import random
import struct
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from math import prod
from typing import NamedTuple, TypeVar

import numpy as np
from hypothesis import strategies as st

T = TypeVar("T")

#: Integer entries lie in [-INT_BOUND, INT_BOUND]; those of one array within a drawn
#: [-2^k, 2^k], k <= INT_BITS. Why 2^6: every sum a layer forms on integer data must be
#: exact in float64 (theory.bounds, item 1: exact when |u| + Σ|V|·|x| < 2^53). One
#: output sums at most V.size / C_out <= MAX_ELEMENTS = 2^21 products (properties.
#: strategies.fit holds every drawn array to it; 2-D without channels sums at most
#: 31² = 961), each at most INT_BOUND² = 2^12, plus |u| <= 2^6: at most
#: 2^21·2^12 + 2^6 < 2^34, far below 2^53. 961·2^12 + 2^6 < 2^22 also keeps every 2-D
#: sum without channels exact in float32 (2^24).
INT_BITS = 6
INT_BOUND = 2**INT_BITS
#: The largest number of entries one drawn array may have (properties.strategies keeps
#: every input within it; see INT_BOUND for what it bounds).
MAX_ELEMENTS = 2**21
#: The largest header a packed strategy may read. The header is drawn as bytes, and
#: Hypothesis stops a test case at 8 KiB of choices (engine.BUFFER_SIZE) and marks it
#: invalid, which would silently skip every such input. A block costs the header only
#: its 8-byte seed.
MAX_BYTES = 7 * 1024
#: Densities of a drawn array, in eighths: 0 gives a constant array (its fill value),
#: 8 an array whose every element is drawn.
DENSITY = 8


class Reader:
    """Reads values in order off a byte string; all-zero bytes read as the simplest value."""

    __slots__ = ("at", "raw")

    def __init__(self, raw: bytes) -> None:
        self.raw, self.at = raw, 0

    def take(self, size: int) -> bytes:
        """The next ``size`` bytes."""
        chunk = self.raw[self.at : self.at + size]
        if len(chunk) != size:
            raise RuntimeError("packed strategy read past its bytes: a bug in properties/packed.py")
        self.at += size
        return chunk

    def block(self, size: int) -> bytes:
        """A block of ``size`` bytes made from a seed of 8 header bytes (the block itself is
        not in the header); seed 0, where the shrinker starts, is the all-zero block."""
        seed = self.take(8)
        if size == 0 or not any(seed):
            return bytes(size)
        # seeded by the header read so far, not the seed alone: the shrinker leaves small
        # seeds that repeat under other headers, and two blocks of one header differ
        return random.Random(self.raw[: self.at]).randbytes(size)

    def digit(self, n: int, width: int = 1) -> int:
        """An integer in [0, n) from ``width`` bytes (fixed, so that every draw of a
        strategy reads the same number of bytes whatever the digits before it were)."""
        if n > 256**width:
            raise ValueError(f"digit({n}) needs more than {width} byte(s)")
        if width == 1 and self.at < len(self.raw):  # most digits: a byte is an int already
            self.at += 1
            return self.raw[self.at - 1] % n
        return int.from_bytes(self.take(width), "big") % n

    def pick(self, options: Sequence[T]) -> T:
        """One of ``options``; zero bytes give the first."""
        return options[self.digit(len(options))]

    def side(self, low: int, high: int, width: int = 1) -> int:
        """An integer in [low, high]; zero bytes give ``low``."""
        return low + self.digit(high - low + 1, width)

    def signed(self, n: int, width: int = 1) -> int:
        """An integer in [-n, n] from ``width`` bytes: 0, 1, -1, 2, -2, ... so that
        shrinking the bytes shrinks the magnitude."""
        return zigzag(self.digit(2 * n + 1, width))


@dataclass(frozen=True)
class Tiers:
    """A drawn size in nested tiers: tier k, drawn in ``weights[k]`` of every 256 draws
    (one header byte), holds the sizes ``low`` .. ``highs[k]``, then a digit d (one
    byte, two past 256 sizes) picks ``low + d mod (highs[k] - low + 1)``. Most draws go to the small
    first tier and a share reaches the large sizes. Zero bytes give ``low``; and since
    every tier starts at ``low``, a size found in a higher tier keeps its value when the
    shrinker lowers the tier byte (if the lower tier holds it): a bug from 48 rows
    shrinks to 48 rows, whichever tier found it (disjoint tiers left it at the first
    size of the tier that found it). A two-byte digit shrinks byte by byte and may stop
    up to 255 above the smallest failing size."""

    low: int
    highs: tuple[int, ...]
    weights: tuple[int, ...] = (256,)

    def __post_init__(self) -> None:
        if len(self.highs) != len(self.weights) or sum(self.weights) != 256:
            raise ValueError(f"tiers up to {self.highs} need one weight each, summing to 256")
        if list(self.highs) != sorted(set(self.highs)) or self.highs[0] < self.low:
            raise ValueError(f"tiers up to {self.highs} must increase from {self.low}")

    @property
    def high(self) -> int:
        return self.highs[-1]

    @property
    def width(self) -> int:
        """Bytes of the digit within a tier."""
        return 1 if self.high - self.low < 256 else 2

    def upto(self, top: int | None) -> Tiers:
        """The tiers cut at ``top`` (at least ``low``): the tiers above it merge into one
        up to ``top``, with their shares, so the largest allowed sizes keep theirs."""
        if top is None or top >= self.high:
            return self
        top = max(top, self.low)
        kept = [high for high in self.highs if high < top]
        weights = [*self.weights[: len(kept)], sum(self.weights[len(kept) :])]
        return Tiers(self.low, (*kept, top), tuple(weights))

    def share(self, at_least: int) -> float:
        """The share of draws of a size >= ``at_least`` (about: sizes uniform in a tier)."""
        return sum(w / 256 * max(0, high - max(self.low, at_least) + 1) / (high - self.low + 1)
                   for high, w in zip(self.highs, self.weights, strict=True))

    def read(self, r: Reader) -> int:
        """A size: the tier byte (none if there is one tier), then the digit."""
        high = self.highs[0]
        if len(self.highs) > 1:
            byte, cumulative = r.digit(256), 0
            for high, w in zip(self.highs, self.weights, strict=True):  # noqa: B007
                cumulative += w
                if byte < cumulative:
                    break
        return self.low + r.digit(256**self.width, self.width) % (high - self.low + 1)


def packed(build: Callable[[Reader], T]) -> st.SearchStrategy[T]:
    """The strategy of ``build(reader)``: a header of the size ``build`` reads (found by
    reading zeros: ``build`` must read a fixed number of header bytes, which every draw
    checks), then the blocks it asks for."""
    probe = Reader(bytes(1 << 20))
    build(probe)
    size = probe.at
    if size > MAX_BYTES:
        raise ValueError(f"a packed input header of {size} bytes exceeds MAX_BYTES "
                         f"({MAX_BYTES}; Hypothesis's test-case buffer is 8 KiB)")

    @st.composite
    def read(draw: st.DrawFn) -> T:
        reader = Reader(draw(st.binary(min_size=size, max_size=size)))
        value = build(reader)
        if reader.at != size:
            raise RuntimeError("packed strategy read a varying number of bytes: a bug in "
                               "properties/packed.py")
        return value

    return read()


def zigzag(k: int) -> int:
    """0, 1, -1, 2, -2, ...: an index whose shrinking (towards 0) shrinks the value."""
    return (k + 1) // 2 if k % 2 else -(k // 2)


# --- values: integers, short decimals, full binary precision --------------------------

#: The precision of a drawn float array or scalar, by header digit: 0 integer-valued
#: entries; 1, 2 or 3: the full-precision values rounded to that many significant
#: decimal digits (repr prints them short: 7e-12, 0.35, -1.25); FULL: full binary
#: precision over a wide range, in half the draws, which the float bounds need. The
#: shrinker lowers the digit, and a rounded value is the value it was: a float
#: counterexample comes out in integers if the bug shows there, else in the shortest
#: decimals near the values that showed it.
FULL = 4
PRECISIONS = (0, 1, 2, 3, FULL, FULL, FULL, FULL)
#: Decimal exponents where m·10^e rounds once: 10^|e| is exact in float64.
_EXACT_TENS = 22


class Planned(NamedTuple):
    """An array whose header digits are read and whose bytes are still to be drawn: its
    block is ``size`` bytes, turned into the array by ``finish``; ``precision`` is one of
    :data:`PRECISIONS`."""

    size: int
    finish: Callable[[bytes], np.ndarray]
    precision: int = 0


def _drawn(block: bytes, n: int, density: int, offset: int = 0) -> np.ndarray:
    """Which of n elements are drawn (the others take the fill value)."""
    return np.frombuffer(block, np.uint8, n, offset) % DENSITY < density


def rounded(v: np.ndarray, digits: int, dtype: type = np.float64) -> np.ndarray:
    """``v`` rounded to ``digits`` significant decimal digits, each the float nearest its
    decimal (m/10^k with one rounding, or Python's correctly rounded string conversion
    past 10^±22), so that repr prints it short."""
    shape = np.shape(v)
    v = np.atleast_1d(np.asarray(v, dtype=np.float64))
    out = np.zeros_like(v)
    nonzero = v != 0
    e = np.floor(np.log10(np.abs(v, where=nonzero, out=np.ones_like(v)))) - (digits - 1)
    m = np.round(v / 10.0**e)
    near = nonzero & (np.abs(e) <= _EXACT_TENS)
    tens = 10.0 ** np.abs(np.where(near, e, 0))
    out[near] = np.where(e >= 0, m * tens, m / tens)[near]
    far = nonzero & ~near
    # Python floats, not numpy scalars: the same conversion, several times faster
    out[far] = [float(f"{t:.{digits - 1}e}") for t in v[far].tolist()]
    return out.astype(dtype).reshape(shape)


class _Value(NamedTuple):
    """One value read in each precision: an integer, and a full-precision float (of which
    the decimals are roundings)."""

    integer: int
    wide: float

    def at(self, precision: int, dtype: type) -> float:
        if precision == 0:
            return float(dtype(self.integer))
        if precision == FULL or self.wide == 0:
            return self.wide
        # Python's string conversion rounds correctly, as rounded() does for arrays
        return float(dtype(float(f"{self.wide:.{precision - 1}e}")))


def _value(r: Reader, floats: bool, dtype: type, bits: int = INT_BITS) -> _Value:
    """The digits of one value (only the integer's, in [-2^bits, 2^bits], without floats)."""
    integer = r.signed(1 << bits)
    return _Value(integer, wide_scalar(r, dtype) if floats else 0.0)


def plan(r: Reader, shape: tuple[int, ...], floats: bool = False, dtype: type = np.float64,
         integer: bool = False, bits: int = INT_BITS) -> Planned:
    """An array of ``shape`` in ``dtype``: integer-valued in [-2^bits, 2^bits] (bits <=
    INT_BITS) without ``floats``, else of a drawn precision (:data:`PRECISIONS`;
    integer-valued whatever was drawn if ``integer``). From the header: the precision,
    a density (in eighths), a fill value, the range of drawn integers and the scale and
    spread of drawn floats; then a block saying which entries are drawn and their values.
    Constant, sparse and dense arrays all occur, of small and of large entries. Every
    kind's digits are read, so the header's layout does not depend on the precision."""
    precision = r.pick(PRECISIONS) if floats else 0
    precision = 0 if integer else precision
    if not 0 <= bits <= INT_BITS:
        raise ValueError(f"bits={bits}: integer entries lie within 2^INT_BITS = {INT_BOUND}")
    density = r.digit(DENSITY + 1)
    fill_value = _value(r, floats, dtype, bits).at(precision, dtype)
    limit = 1 << r.digit(bits + 1)  # integer entries in [-limit, limit]
    n = prod(shape)

    def integers(block: bytes) -> np.ndarray:
        # byte 0 maps to 0; bytes 1..2·limit cover 1..limit and -limit..-1 once, the
        # rest wrap round
        v = (np.frombuffer(block, np.uint8, n, n).astype(np.int64) + limit) % (2 * limit + 1)
        return np.where(_drawn(block, n, density), v - limit, fill_value).astype(dtype)

    if not floats:
        return Planned(2 * n, lambda b: integers(b).reshape(shape), 0)
    wide = _wide_plan(shape, density, fill_value, _wide_digits(r, dtype), dtype)
    if precision == 0:
        return Planned(2 * n, lambda b: integers(b).reshape(shape), 0)
    if precision == FULL:
        return wide
    return Planned(wide.size, lambda b: rounded(wide.finish(b), precision, dtype), precision)


def scalar(r: Reader, floats: bool = False, dtype: type = np.float64,
           integer: bool = False) -> float:
    """One value of ``dtype`` (a bias u): an integer in [-INT_BOUND, INT_BOUND] without
    ``floats``, else of a drawn precision, as :func:`plan`."""
    precision = r.pick(PRECISIONS) if floats else 0
    return _value(r, floats, dtype).at(0 if integer else precision, dtype)


def fill(r: Reader, *plans: Planned) -> list[np.ndarray]:
    """The planned arrays, from one block drawn for all of them (one Hypothesis choice
    per input instead of one per array)."""
    block = r.block(sum(p.size for p in plans))
    arrays, at = [], 0
    for p in plans:
        arrays.append(p.finish(block[at : at + p.size]))
        at += p.size
    return arrays


def array(r: Reader, shape: tuple[int, ...], floats: bool = False,
          dtype: type = np.float64, bits: int = INT_BITS) -> np.ndarray:
    """One array (:func:`plan`) with a block of its own."""
    return fill(r, plan(r, shape, floats, dtype, bits=bits))[0]


# --- full binary precision over a wide range --------------------------------------------

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


def _wide_digits(r: Reader, dtype: type) -> tuple[int, int]:
    """A scale exponent and a spread (0: one binade; up to 2·span: every magnitude from
    2^-span to 2^span at once)."""
    span = IEEE[dtype][3]
    return r.signed(span, width=2), r.digit(2 * span + 1, width=2)


def _wide_plan(shape: tuple[int, ...], density: int, fill_value: float,
               scale_spread: tuple[int, int], dtype: type) -> Planned:
    """A wide-range float array of ``dtype``: a block with each element's sign, exponent
    offset and mantissa as raw bits and which elements are drawn. Every value is a
    finite normal float of ``dtype`` or 0."""
    uint = IEEE[dtype][0]
    n, width = prod(shape), np.dtype(uint).itemsize
    scale, spread = scale_spread

    def finish(block: bytes) -> np.ndarray:
        bits = np.frombuffer(block, uint, n)  # first, to keep the words aligned
        values = _from_bits(bits, scale, spread, dtype)
        drawn = _drawn(block, n, density, width * n)
        return np.where(drawn, values, dtype(fill_value)).astype(dtype).reshape(shape)

    return Planned((width + 1) * n, finish, FULL)


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
