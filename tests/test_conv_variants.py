"""Every conv-family property that runs without an implementation (theory and the
pooling references) fails on a wrong variant: each test swaps one attribute the property
relies on for a plausible wrong version and calls the property, which must raise
AssertionError (run without example database and without shrinking, as in
tests/test_theory_variants.py). The properties with a ``conv`` argument have their
wrong variants in tests/conv_mutants.py (tests/test_conv_mutants.py).
"""

import convproof.properties.test_conv_shape as shape
import convproof.properties.test_conv_stride as stride
import convproof.properties.test_pooling as pooling
import numpy as np
import pytest
from convproof.reference import CONV_BUILTINS
from convproof.reference import pooling as pool_ref
from convproof.reference.conv import conv_loops
from convproof.reference.conv_contract import as_conv, declare_conv

from tests.conv_catalogue import _Request, caught

pytestmark = pytest.mark.machinery


def test_d2l_size_fails_with_the_output_size_rounded_up(monkeypatch):
    def ceil_size(n, k, lo, hi, stride=1, dilation=1):
        return -(-(n + lo + hi - dilation * (k - 1) - 1) // stride) + 1

    monkeypatch.setattr(shape, "output_size", ceil_size)
    caught(monkeypatch, shape.test_d2l_output_size_is_the_contract_s)


@pytest.mark.slow  # the refutation tries all its 2,000 examples before it gives up
def test_aliasing_is_not_found_when_the_stride_is_ignored(monkeypatch):
    @declare_conv()
    def stride_ignored(x, w, b, **kw):
        return conv_loops(x, w, b, **{**kw, "stride": (1,) * len(kw["stride"])})

    monkeypatch.setitem(CONV_BUILTINS, "conv-loops", as_conv("conv-loops", stride_ignored))
    message = caught(monkeypatch, stride.test_a_shift_by_one_with_stride_2_is_no_shifted_copy,
                     request=_Request)
    assert "no counterexample" in message


def _padding_swapped(x, kernel, spec, kind):
    swapped = type(spec)(spec.stride, tuple((hi, lo) for lo, hi in spec.padding), spec.dilation,
                         spec.groups, spec.padding_mode)
    return pool_ref.pool_windows(x, kernel, swapped, kind)


def test_pooling_references_disagree_with_padding_swapped(monkeypatch):
    monkeypatch.setattr(pooling, "pool_windows", _padding_swapped)
    caught(monkeypatch, pooling.test_pooling_references_agree, kind="max")


def test_pooling_per_channel_fails_when_channels_are_mixed(monkeypatch):
    def mixed(x, kernel, spec, kind):
        y = pool_ref.pool_windows(x, kernel, spec, kind)
        return np.broadcast_to(y.max(axis=1, keepdims=True), y.shape)

    monkeypatch.setattr(pooling, "pool_windows", mixed)
    caught(monkeypatch, pooling.test_pooling_pools_each_channel_separately, kind="max")


@pytest.mark.slow  # likewise
def test_invariance_is_not_refuted_by_a_global_pooling(monkeypatch):
    monkeypatch.setattr(pooling, "_max_2x2", lambda x: np.array([[x.max()]]))
    message = caught(monkeypatch, pooling.test_max_pooling_is_not_invariant_to_shifts_within_the_window,
                     request=_Request)
    assert "no counterexample" in message


def test_stride_equivariance_fails_without_the_torus(monkeypatch):
    def zero_padded(x, kernel, spec, kind):
        flat = type(spec)(spec.stride, spec.padding, spec.dilation, spec.groups, "zeros")
        return pool_ref.pool_loops(x, kernel, flat, kind)

    monkeypatch.setattr(pooling, "pool_loops", zero_padded)
    caught(monkeypatch, pooling.test_pooling_commutes_with_shifts_by_multiples_of_the_stride,
           kind="avg")


def test_peak_is_lost_by_min_pooling(monkeypatch):
    def min_pool(x, kernel, spec, kind):
        return -pool_ref.pool_loops(-x, kernel, spec, "max")

    monkeypatch.setattr(pooling, "pool_loops", min_pool)
    caught(monkeypatch, pooling.test_a_peak_that_moves_by_one_stays_in_one_2x2_window)
