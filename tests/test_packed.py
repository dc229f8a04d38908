"""The packed strategies (properties/packed.py): they read a fixed number of bytes, the
all-zero bytes give the simplest input, and every region the properties rely on is
reached, not left to a lucky seed."""

import functools

import numpy as np
import pytest
from convproof.properties import packed, strategies
from convproof.properties.conv_strategies import Allowed, ConvCase
from convproof.properties.packed import IEEE, INT_BOUND, Reader, Tiers
from convproof.properties.strategies import (
    HUGE,
    HUGE32,
    LAYOUTS,
    TINY,
    TINY32,
    Case,
    Domain,
    alternatives_of,
    arrays,
    cases,
    cases_and_shifts,
    channel_cases,
    float32_arrays,
    images,
    impulse_of,
    inputs,
    layer_cases,
    nd_cases,
    oversized_cases,
    shift_of,
    within,
)
from convproof.reference.contract import Limits, work
from convproof.theory.indices import PADDINGS
from hypothesis import HealthCheck, find, given, settings

FIND = settings(max_examples=5_000, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))


def _reach(strategy, condition):
    """The first drawn value meeting ``condition``: fails (NoSuchExample) if none does."""
    return find(strategy, condition, settings=FIND)


def test_reader_reads_zero_bytes_as_the_simplest_value():
    r = Reader(bytes(16))
    assert (r.pick("abc"), r.digit(7), r.side(3, 9), r.signed(5)) == ("a", 0, 3, 0)
    assert r.at == 4


def test_reader_refuses_to_read_past_its_bytes():
    with pytest.raises(RuntimeError, match="read past its bytes"):
        Reader(bytes(3)).take(4)


def test_digit_refuses_a_range_wider_than_its_bytes():
    with pytest.raises(ValueError, match="digit"):
        Reader(bytes(4)).digit(257)


def test_signed_covers_its_range_once_in_zigzag_order():
    values = [packed.zigzag(k) for k in range(11)]
    assert values == [0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5]


def test_packed_rejects_a_build_that_reads_a_varying_number_of_bytes():
    def varying(r: Reader) -> int:
        return r.digit(2) or r.digit(2)  # reads a second byte only after a 0

    with pytest.raises(RuntimeError, match="varying number of bytes"):
        _reach(packed.packed(varying), lambda v: False)


def test_packed_rejects_a_header_larger_than_the_test_case_buffer():
    with pytest.raises(ValueError, match="exceeds MAX_BYTES"):
        packed.packed(lambda r: r.take(packed.MAX_BYTES + 1))


def test_blocks_are_drawn_at_their_exact_size():
    # the shrinker then works on bytes that matter only (properties/packed.py)
    sizes = _reach(packed.packed(lambda r: len(r.block(r.side(0, 20)))), lambda n: n == 17)
    assert sizes == 17


@pytest.mark.parametrize(("strategy", "padding"), [
    (cases(), PADDINGS[0]), (cases(exact=False), PADDINGS[0]),
    (cases_and_shifts("circular"), "circular"), (nd_cases(3), PADDINGS[0]),
    (channel_cases(), PADDINGS[0]), (layer_cases(3, True, "float64", exact=False), PADDINGS[0]),
    (layer_cases(2, True, "float32", exact=False), PADDINGS[0]),
    (cases(exact=None), PADDINGS[0]), (cases(extra=alternatives_of), PADDINGS[0]),
], ids=["cases", "wide", "shifts", "nd", "channels", "3d-wide", "2d-wide32", "either",
        "alternatives"])
def test_zero_bytes_give_the_simplest_input(strategy, padding):
    value = _reach(strategy, lambda v: True)  # Hypothesis tries the all-zero bytes first
    case = value[0] if isinstance(value, tuple) else value
    assert case.padding == padding
    assert case.delta == 0
    assert case.x.shape[0] == 1
    assert not np.any(case.x)
    assert not np.any(case.V)
    assert not np.any(case.u)


@pytest.mark.parametrize("padding", PADDINGS)
def test_every_padding_is_drawn(padding):
    _reach(cases(), lambda c: c.padding == padding)


@pytest.mark.parametrize("region", [
    ("1×N image", lambda c: c.x.shape[0] == 1 and c.x.shape[1] > 1),
    ("N×1 image", lambda c: c.x.shape[1] == 1 and c.x.shape[0] > 1),
    ("1×1 kernel", lambda c: c.delta == 0 and c.x.size > 1),
    ("kernel larger than the image", lambda c: 2 * c.delta + 1 > max(c.x.shape)),
    ("kernel wrapping twice", lambda c: 2 * c.delta + 1 > 2 * max(c.x.shape)),
    ("constant nonzero image", lambda c: c.x.size > 4 and np.unique(c.x).size == 1 and c.x[0, 0]),
    ("sparse image", lambda c: 0 < np.count_nonzero(c.x) < c.x.size // 2 and c.x.size > 8),
    ("dense distinct image", lambda c: c.x.size > 8 and np.unique(c.x).size == c.x.size),
    ("extreme entries", lambda c: c.x.max() == INT_BOUND and c.V.min() == -INT_BOUND),
    ("nonzero bias", lambda c: c.u != 0),
], ids=lambda r: r[0])
def test_every_rare_region_is_drawn(region):
    _reach(cases(), region[1])


#: What each layout looks like on a 2-D array of at least 2×2 (tests/test_distribution.py
#: classifies every array of every domain).
LAYOUT_FLAGS = {
    "contiguous": lambda a: a.flags.c_contiguous and a.flags.writeable and a.base is None,
    "fortran": lambda a: a.flags.f_contiguous and not a.flags.c_contiguous and a.base is None,
    "strided": lambda a: a.strides[0] > a.itemsize * a.shape[1],
    "reversed": lambda a: a.strides[0] < 0,
    "transposed": lambda a: a.flags.f_contiguous and not a.flags.c_contiguous
    and a.base is not None,
    "read-only": lambda a: not a.flags.writeable,
    "offset": lambda a: a.flags.c_contiguous and a.base is not None and a.base.size > a.size,
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("array", ["x", "V"])
def test_every_memory_layout_is_drawn(layout, array):
    def laid_out(c):
        a = getattr(c, array)
        return min(a.shape) > 1 and LAYOUT_FLAGS[layout](a)

    _reach(cases(), laid_out)


def test_shifts_reach_several_turns_of_the_torus_both_ways():
    _reach(cases_and_shifts("circular"),
           lambda cs: cs[1][0] >= 2 * cs[0].x.shape[0] > 2 and cs[1][1] < -cs[0].x.shape[1])


@given(case=cases(exact=False))
@settings(max_examples=300, database=None, derandomize=True)
def test_wide_arrays_are_finite_and_normal_or_zero(case):
    for a in (case.x, case.V, np.asarray(case.u)):
        magnitude = np.abs(a[a != 0])
        assert np.all(np.isfinite(a))
        assert a.dtype == np.float64
        # a decimal rounding may step just past the binary range (6.2e-61 -> 6e-61)
        assert np.all((magnitude >= TINY / 2) & (magnitude <= 4 * HUGE))


@given(a=float32_arrays((4, 5), exact=False))
@settings(max_examples=300, database=None, derandomize=True)
def test_wide_float32_arrays_stay_in_the_float32_range(a):
    magnitude = np.abs(a[a != 0])
    assert a.dtype == np.float32
    assert np.all((magnitude >= TINY32 / 2) & (magnitude <= 4 * HUGE32))


def test_wide_arrays_span_the_whole_exponent_range_at_once():
    span = IEEE[np.float64][3]
    _reach(arrays((6, 6), exact=False),
           lambda a: np.count_nonzero(a) > 20
           and np.ptp(np.log2(np.abs(a[a != 0]))) > span)


def test_one_tap_kernels_carry_a_weight_below_the_unit_roundoff():
    _reach(layer_cases(2, exact=False),
           lambda c: np.count_nonzero(c.V) == 1 and 0 < np.abs(c.V).max() < 2.0**-53)


@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("axis", [-2, -1], ids=["C_in", "C_out"])
def test_channels_reach_past_32(ndim, axis):
    _reach(layer_cases(ndim, channels=True, exact=False), lambda c: c.V.shape[axis] > 32)


@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("channels", [False, True])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("exact", [True, False])
def test_every_layer_input_fits_the_test_case_buffer(ndim, channels, dtype, exact):
    # packed() measures the input and raises beyond MAX_BYTES: building is the check
    strategy = layer_cases(ndim, channels, dtype, exact=exact)
    assert _reach(strategy, lambda c: c.x.ndim == ndim + channels)


def test_blocks_are_seeded_reproducibly_and_seed_zero_is_all_zeros():
    def block(head, seed):
        r = Reader(head + seed.to_bytes(8, "big"))
        r.take(len(head))  # digits read before the block
        return r.block(50)

    assert block(b"ab", 0) == bytes(50)
    assert block(b"ab", 7) == block(b"ab", 7)  # a replayed example reads the same bytes
    assert block(b"ab", 7) != block(b"ac", 7)  # a seed repeated under another header
    assert block(b"ab", 7) != block(b"ab", 8)
    two = Reader((bytes(7) + bytes([7])) * 2)
    assert two.block(50) != two.block(50)  # one seed repeated in a header: new bytes


@pytest.mark.parametrize("digits", [1, 2, 3])
def test_floats_come_as_short_decimals(digits):
    def short(a):
        values = [float(v) for v in a.ravel() if v != np.round(v)]
        return len(values) > 4 and all(
            len(repr(v).split("e")[0].replace("-", "").replace(".", "").strip("0")) <= digits
            for v in values) and any(
            len(repr(v).split("e")[0].replace("-", "").replace(".", "").strip("0")) == digits
            for v in values)

    _reach(arrays((4, 4), exact=False), short)


def test_rounding_keeps_the_nearest_short_decimal():
    v = np.array([6.6751238457402906e-12, -987654.321, 9.96, 3.3e150, 0.0])
    assert [repr(float(a)) for a in packed.rounded(v, 1)] == [
        "7e-12", "-1000000.0", "10.0", "3e+150", "0.0"]
    assert [repr(float(a)) for a in packed.rounded(v, 3)] == [
        "6.68e-12", "-988000.0", "9.96", "3.3e+150", "0.0"]


def test_either_kind_of_entries_is_drawn():
    def integer_valued(c):
        return all(np.array_equal(np.round(a), a) for a in (c.x, c.V))

    _reach(cases(exact=None), lambda c: integer_valued(c) and np.abs(c.x).max() > 1)
    _reach(cases(exact=None), lambda c: not integer_valued(c))


def test_integer_arrays_reach_small_and_large_magnitudes():
    # the magnitude digit: a shrunk array has entries in {-1, 0, 1}
    _reach(arrays((3, 3)), lambda a: np.abs(a).max() == 1 and np.sum(a == 1) >= 2
           and np.sum(a == -1) >= 2 and np.count_nonzero(a) >= 6)  # not a constant fill
    _reach(arrays((4, 4)), lambda a: np.abs(a).max() == INT_BOUND)


@pytest.mark.parametrize("bits", [0, 2, 3])
def test_bits_bound_the_entries_and_the_fill_value(bits):
    # the pooling and stacking properties need entries within 2^bits (a peak above them,
    # kernels of |v| <= 8): every array stays within the bound, and the bound is reached
    bound = 1 << bits
    strategy = packed.packed(lambda r: packed.array(r, (4, 4), bits=bits))
    _reach(strategy, lambda a: np.abs(a).max() == bound)
    for raw in (bytes(64), bytes(range(64)), bytes([255]) * 64):
        r = Reader(raw)
        a = packed.array(r, (4, 4), bits=bits)
        assert np.abs(a).max() <= bound, (bits, raw[:4], a)


def test_bits_above_the_exactness_bound_are_refused():
    with pytest.raises(ValueError, match="INT_BITS"):
        packed.plan(Reader(bytes(64)), (2, 2), bits=packed.INT_BITS + 1)


@given(value=layer_cases(3, channels=True, extra=impulse_of))
@settings(max_examples=200, database=None, derandomize=True)
def test_impulses_are_nonzero_at_a_position_of_x(value):
    case, (k, t) = value
    assert len(k) == case.x.ndim
    assert all(0 <= p < n for p, n in zip(k, case.x.shape, strict=True))
    assert t != 0
    assert t == int(t)
    assert abs(t) <= INT_BOUND


@pytest.mark.parametrize("region", [
    ("last position", lambda c, k, t: k == tuple(n - 1 for n in c.x.shape) and c.x.size > 4),
    ("most negative t", lambda c, k, t: t == -INT_BOUND),
    ("largest t", lambda c, k, t: t == INT_BOUND),
], ids=lambda r: r[0])
def test_impulses_reach_every_position_and_amplitude(region):
    _reach(cases(extra=impulse_of), lambda v: region[1](v[0], *v[1]))


def test_shifts_of_layer_inputs_reach_several_turns_on_every_axis():
    _reach(layer_cases(3, extra=shift_of),
           lambda v: all(abs(s) > n > 1 for s, n in zip(v[1], v[0].x.shape, strict=True)))


@given(case=oversized_cases(3, 2))
@settings(max_examples=200, database=None, derandomize=True)
def test_oversized_kernels_are_wider_than_x_along_some_axis(case):
    assert case.padding == "valid"
    assert case.delta >= 1
    assert min(case.x.shape) < 2 * case.delta + 1


@pytest.mark.parametrize("axis", [0, 1, 2])
def test_oversized_kernels_reach_every_short_axis_and_the_largest_delta(axis):
    # Δ = 1: with Δ = 2 the other two sides must be >= 5, in 3-D a size at scale, and
    # short on exactly one axis comes about once in 1,000 draws
    _reach(oversized_cases(3, 1), lambda c: c.delta == 1 and c.x.shape[axis] < 3
           and all(n >= 3 for i, n in enumerate(c.x.shape) if i != axis))


def test_alternatives_have_the_shapes_and_kind_of_the_case():
    _reach(cases(extra=alternatives_of),
           lambda v: v[1][0].shape == v[0].x.shape and v[1][1].shape == v[0].V.shape
           and not v[1][0].flags.c_contiguous and np.any(v[1][0] != v[0].x))
    _reach(cases(exact=False, extra=alternatives_of),
           lambda v: not np.array_equal(np.round(v[1][1]), v[1][1]))


def test_images_reach_every_shape_and_start_at_zero():
    assert _reach(images(max_side=10), lambda x: True).tolist() == [[0.0]]
    _reach(images(max_side=10), lambda x: x.shape == (10, 1) and np.count_nonzero(x) > 5)
    _reach(images(2, 4), lambda x: x.shape == (4, 2))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_wide_scalars_are_from_bits_for_one_word(dtype):
    # wide_scalar repeats _from_bits (spread 0) in Python integers, for speed: the two
    # must give the same value, sign of zero included, for every header
    rng = np.random.default_rng(0)
    width = np.dtype(IEEE[dtype][0]).itemsize
    for _ in range(20_000):
        raw = rng.integers(0, 256, 3 + width, dtype=np.uint8)
        raw[rng.random(raw.size) < 0.2] = 0
        raw = raw.tobytes()
        r = Reader(raw)
        zero = r.digit(8) == 0
        scale = r.signed(IEEE[dtype][3], width=2)
        bits = np.frombuffer(r.take(width), IEEE[dtype][0])
        expected = 0.0 if zero else float(packed._from_bits(bits, scale, 0, dtype)[0])
        got = packed.wide_scalar(Reader(raw), dtype)
        assert got == expected
        assert np.signbit(got) == np.signbit(expected)


#: Descriptions of every kind: what the header's layout may depend on.
DOMAINS = [
    Domain(), Domain(exact=None), Domain(exact=False, one_tap=True),
    Domain(ndim=1, channels=True, exact=None), Domain(ndim=3, channels=True, dtype="float32"),
    Domain(channels=True, batch=True, channels_first=True, exact=None),
    Domain(ndim=1, batch=True, layouts=()), Domain(extra=alternatives_of, exact=None),
    Domain(ndim=3, extra=impulse_of, limits=Limits(side=5, work=300)),
    Domain(extra=shift_of, max_side=4, max_delta=1),
]


@pytest.mark.parametrize("domain", DOMAINS, ids=lambda d: repr(d)[:80])
def test_the_header_layout_depends_on_the_description_alone(domain):
    """Every digit is read whatever the digits before it: random headers (seeds among
    them) read exactly the bytes that all-zero ones do (packed() checks each draw as well)."""
    rng = np.random.default_rng(0)
    read = functools.partial(strategies._read, d=domain, sizes=domain.resolved())
    build = read if domain.extra is None else (
        lambda r: domain.extra(r, read(r), domain))
    probe = Reader(bytes(1 << 16))
    build(probe)
    for _ in range(300):
        raw = rng.integers(0, 256, probe.at, dtype=np.uint8)
        raw[rng.random(raw.size) < 0.3] = 0  # zeros, where the simplest values branch
        r = Reader(raw.tobytes())
        build(r)
        assert r.at == probe.at


@pytest.mark.parametrize("limits", [Limits(work=4096), Limits(size=1024, work=16384),
                                    Limits(side=5)], ids=["loops", "dense", "side"])
def test_draws_stay_within_declared_limits(limits):
    @given(case=cases(exact=None, limits=limits))
    @settings(max_examples=300, database=None, derandomize=True)
    def within_limits(case):
        assert limits.admit(case.x, case.V)

    within_limits()
    _reach(cases(limits=limits), lambda c: work(c.x, c.V) > (limits.work or 10**9) // 4
           or max(c.x.shape) == limits.side)


def test_within_cuts_a_drawn_case_to_the_limits():
    big = Case(x=np.ones((40, 30)), V=np.ones((15, 15)), u=1.0, padding="valid")
    for limits in (Limits(work=4096), Limits(size=1024, work=16384), Limits(side=5)):
        cut = within(big, limits)
        assert limits.admit(cut.x, cut.V)
        assert cut.x.shape[0] >= cut.V.shape[0]  # 'valid' still fits
    assert within(big, Limits()) is big


def test_tiers_nest_so_that_a_size_keeps_its_value_in_a_lower_tier():
    tiers = Tiers(1, (8, 32, 96), (216, 24, 16))
    top = bytes([255, 47])  # the last tier, digit 47: 48
    lower = bytes([230, 47])  # the tier up to 32: 1 + 47 % 32
    assert tiers.read(Reader(top)) == 48
    assert tiers.read(Reader(lower)) == 16
    assert tiers.read(Reader(bytes([255, 20]))) == tiers.read(Reader(bytes([220, 20]))) == 21
    assert tiers.read(Reader(bytes(2))) == 1
    assert tiers.upto(20) == Tiers(1, (8, 20), (216, 40))
    assert tiers.share(1) == pytest.approx(1.0)


def test_domains_refuse_what_they_cannot_draw():
    for bad in (dict(ndim=4), dict(dtype="float16"), dict(paddings=("reflect",)),
                dict(layouts=("diagonal",)), dict(channels_first=True), dict(regime="small"),
                dict(conv=Allowed(), regime="huge"), dict(conv=Allowed(), max_side=64),
                dict(conv=Allowed(), channels=True), dict(conv=Allowed(), paddings=("zeros",))):
        with pytest.raises(ValueError, match="Domain"):
            Domain(**bad)


def test_a_conv_domain_draws_conv_cases_with_its_extra():
    """Domain(conv=...) is the conv contract's input, its layouts and extra applied."""
    seen = []

    def extra(r, case, domain):
        seen.append(domain)
        return case.x.shape

    strategy = inputs(Domain(ndim=1, conv=Allowed(stride=False), layouts=(), extra=extra))
    case, shape = _reach(strategy, lambda v: v[0].x.shape[0] > 1)
    assert isinstance(case, ConvCase)
    assert shape == case.x.shape
    assert case.layouts == ("contiguous",) * 3
    assert case.x.flags.c_contiguous
    assert case.spec.stride == (1,)
    assert seen[-1].conv == Allowed(stride=False)
