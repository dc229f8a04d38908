"""The packed strategies (properties/packed.py): they read a fixed number of bytes, the
all-zero bytes give the simplest input, and every region the properties rely on is
reached, not left to a lucky seed."""

import numpy as np
import pytest
from hypothesis import HealthCheck, find, given, settings

from properties import packed
from properties.packed import IEEE, INT_BOUND, Reader
from properties.strategies import (
    HUGE,
    HUGE32,
    LAYOUTS,
    TINY,
    TINY32,
    arrays,
    cases,
    cases_and_shifts,
    channel_cases,
    float32_arrays,
    layer_cases,
    nd_cases,
)
from theory.indices import PADDINGS

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


@pytest.mark.parametrize("build", [
    lambda r: r.take(packed.MAX_BYTES + 1),
    lambda r: r.block(1, packed.MAX_BYTES + 1),  # counted at its largest, not its probe size
    lambda r: (r.take(packed.MAX_BYTES // 2), r.block(0, packed.MAX_BYTES // 2 + 1)),
], ids=["header", "block", "both"])
def test_packed_rejects_an_input_larger_than_the_test_case_buffer(build):
    with pytest.raises(ValueError, match="exceeds Hypothesis's test-case buffer"):
        packed.packed(build)


def test_blocks_are_drawn_at_their_exact_size():
    # the shrinker then works on bytes that matter only (properties/packed.py)
    sizes = _reach(packed.packed(lambda r: len(r.block(r.side(0, 20), 20))),
                   lambda n: n == 17)
    assert sizes == 17


@pytest.mark.parametrize(("strategy", "padding"), [
    (cases(), PADDINGS[0]), (cases(exact=False), PADDINGS[0]),
    (cases_and_shifts("circular"), "circular"), (nd_cases(3), PADDINGS[0]),
    (channel_cases(), PADDINGS[0]), (layer_cases(3, True, "float64", exact=False), PADDINGS[0]),
    (layer_cases(2, True, "float32", exact=False), PADDINGS[0]),
], ids=["cases", "wide", "shifts", "nd", "channels", "3d-wide", "2d-wide32"])
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


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_memory_layout_is_drawn(layout):
    flags = {
        "contiguous": lambda a: a.flags.c_contiguous and a.flags.writeable and a.ndim == 2
        and a.shape[0] > 1 and a.shape[1] > 1,
        "fortran": lambda a: a.flags.f_contiguous and not a.flags.c_contiguous
        and a.base is None,
        "strided": lambda a: a.strides[0] > 8 * a.shape[1] * 2,
        "reversed": lambda a: a.strides[0] < 0,
        "transposed": lambda a: a.flags.f_contiguous and not a.flags.c_contiguous
        and a.base is not None,
        "read-only": lambda a: not a.flags.writeable,
    }[layout]
    _reach(cases(), lambda c: flags(c.x))


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
        assert np.all((magnitude >= TINY) & (magnitude <= 2 * HUGE))


@given(a=float32_arrays((4, 5), exact=False))
@settings(max_examples=300, database=None, derandomize=True)
def test_wide_float32_arrays_stay_in_the_float32_range(a):
    magnitude = np.abs(a[a != 0])
    assert a.dtype == np.float32
    assert np.all((magnitude >= TINY32) & (magnitude <= 2 * HUGE32))


def test_wide_arrays_span_the_whole_exponent_range_at_once():
    span = IEEE[np.float64][3]
    _reach(arrays((6, 6), exact=False),
           lambda a: np.count_nonzero(a) > 20
           and np.ptp(np.log2(np.abs(a[a != 0]))) > span)


def test_one_tap_kernels_carry_a_weight_below_the_unit_roundoff():
    _reach(layer_cases(2, exact=False),
           lambda c: np.count_nonzero(c.V) == 1 and 0 < np.abs(c.V).max() < 2.0**-53)


@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_channels_reach_their_largest_count(ndim):
    _reach(layer_cases(ndim, channels=True, exact=False),
           lambda c: c.V.shape[-1] == c.V.shape[-2] == (2 if ndim == 3 else 3))


@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("channels", [False, True])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("exact", [True, False])
def test_every_layer_input_fits_the_test_case_buffer(ndim, channels, dtype, exact):
    # packed() measures the input and raises beyond MAX_BYTES: building is the check
    strategy = layer_cases(ndim, channels, dtype, exact=exact)
    assert _reach(strategy, lambda c: c.x.ndim == ndim + channels)
