"""Every property of the claims converse, sharing-dimension, dft-diagonal,
translation-invariant, stacking, every-dimension and channels fails on a wrong variant.

Each test swaps one module attribute a property relies on for a plausible wrong version
(monkeypatch) and calls the property directly; it must raise AssertionError. For the
duration of the call the property runs without example database (a wrong variant's
counterexample must not be replayed by the real runs) and without shrinking (the first
failing example is the catch; shrinking it would only cost time).
"""

from typing import ClassVar

import convproof.properties.test_channels as chan
import convproof.properties.test_converse as conv
import convproof.properties.test_dft as dft
import convproof.properties.test_dimensions as dims
import convproof.properties.test_invariance as inv
import convproof.properties.test_stacking as stack
import numpy as np
import pytest
import scipy.signal
from convproof.reference import stacks
from convproof.reference.nd import correlate_nd, correlate_nd_loops
from convproof.theory import counts
from convproof.theory.indices import window_mask
from hypothesis import Phase, settings

from tests.variants import fails

pytestmark = pytest.mark.machinery


def _no_record(*args):
    return None


class _Request:
    class node:  # noqa: N801
        user_properties: ClassVar[list] = []


def caught(monkeypatch, prop, **kwargs):
    """The AssertionError message of ``prop`` (a @given property, called directly), run
    without database and shrinking; fails if the property passes."""
    own = getattr(prop, "_hypothesis_internal_use_settings", None)
    if own is not None:
        quick = settings(own, database=None, phases=(Phase.explicit, Phase.generate),
                         report_multiple_bugs=False)
        monkeypatch.setattr(prop, "_hypothesis_internal_use_settings", quick)
    return fails(prop, **kwargs)


def _row_bias(f):
    """f plus a bias that grows with the row: position-dependent, so not equivariant."""

    def wrong(x, *args):
        h = f(x, *args)
        return h + np.arange(h.shape[0]).reshape(-1, *(1,) * (h.ndim - 1))

    return wrong


# --- converse ------------------------------------------------------------------------


def test_converse_dense_layer_with_row_dependent_bias(monkeypatch):
    monkeypatch.setattr(conv, "dense_torus_layer", _row_bias(conv.dense_torus_layer))
    caught(monkeypatch, conv.test_shared_dense_layers_commute_with_every_shift)


def test_converse_circulant_in_the_wrong_orientation(monkeypatch):
    def wrong(c):
        height, width = c.shape
        i, j, k, l = np.ix_(*(np.arange(n) for n in (height, width, height, width)))
        return c[(i - k) % height, (j - l) % width]

    monkeypatch.setattr(conv, "circulant", wrong)
    caught(monkeypatch, conv.test_shared_dense_layers_commute_with_every_shift)
    caught(monkeypatch, conv.test_group_sum_is_shared_and_commutes)


def test_converse_sharing_decided_on_W_only(monkeypatch):
    def wrong(W, u):
        return bool(np.array_equal(W, conv.circulant(W[0, 0])))

    monkeypatch.setattr(conv, "is_shared", wrong)
    caught(monkeypatch, conv.test_commuting_layer_is_recovered_from_its_first_row)


def test_converse_group_sum_over_row_shifts_only(monkeypatch):
    def wrong(W, u):
        """Σ over the shifts (s, 0) only, times w to keep the total weight."""
        total_W, total_u = np.zeros_like(W), np.zeros_like(u)
        for s in range(u.shape[0]):
            total_W += np.roll(W, (-s, -s), axis=(0, 2))
            total_u += np.roll(u, -s, axis=0)
        return u.shape[1] * total_W, u.shape[1] * total_u

    monkeypatch.setattr(conv, "group_sum", wrong)
    caught(monkeypatch, conv.test_group_sum_of_every_basis_layer, record_property=_no_record)


def test_sharing_dimension_without_the_wrapped_window(monkeypatch):
    monkeypatch.setattr(
        counts, "equivariant_dimension",
        lambda h, w, delta=None: h * w if delta is None else (2 * delta + 1) ** 2,
    )
    caught(monkeypatch, conv.test_equivariant_dimension_from_the_constraints,
           record_property=_no_record)
    caught(monkeypatch, conv.test_dimension_formula_cases)


def test_sharing_dimension_with_an_unwrapped_window(monkeypatch):
    def wrong(shape, delta):
        rows = [window_mask(shape, i, j, delta, "zeros").ravel()
                for i in range(shape[0]) for j in range(shape[1])]
        return ~np.stack(rows)

    monkeypatch.setattr(conv, "outside_torus_window", wrong)
    caught(monkeypatch, conv.test_equivariant_dimension_from_the_constraints,
           record_property=_no_record)


# --- dft-diagonal --------------------------------------------------------------------


def test_dft_eigenvalue_of_a_convolution(monkeypatch):
    """Σ_a K[a]·ω^(-m·a): the eigenvalue a convolution with K would have."""
    original = dft.eigenvalue
    monkeypatch.setattr(dft, "eigenvalue", lambda K, m: original(K, (-m[0], -m[1])))
    caught(monkeypatch, dft.test_fourier_modes_are_eigenvectors)


def test_dft_shift_eigenvalue_with_the_wrong_sign(monkeypatch):
    original = dft.shift_eigenvalue
    def wrong(shape, m, s):
        return original(shape, m, (-s[0], -s[1]))

    monkeypatch.setattr(dft, "shift_eigenvalue", wrong)
    caught(monkeypatch, dft.test_shifts_are_diagonal_in_the_same_basis)


def test_dft_spectrum_without_conjugation(monkeypatch):
    monkeypatch.setattr(dft, "spectrum", np.fft.fft2)
    caught(monkeypatch, dft.test_layer_and_shifts_through_the_fft)


# --- translation-invariant -----------------------------------------------------------


def test_invariance_refutation_needs_a_counterexample(monkeypatch):
    """A layer that is truly invariant (every output the global sum) leaves nothing to find."""
    monkeypatch.setattr(inv, "torus_layer", lambda x, V, u: np.full(x.shape, x.sum() + u))
    message = caught(monkeypatch, inv.test_literal_invariance_is_refuted, request=_Request)
    assert "no counterexample" in message


def test_invariance_layer_with_row_dependent_bias(monkeypatch):
    monkeypatch.setattr(inv, "torus_layer", _row_bias(inv.torus_layer))
    caught(monkeypatch, inv.test_output_is_equivariant_and_invariant_only_when_periodic)


@pytest.mark.parametrize(
    ("pool", "window"),
    [("sum", lambda h: float(h[:2, :2].sum())), ("max", lambda h: float(h[0].max()))],
)
def test_invariance_pooling_over_a_window(monkeypatch, pool, window):
    monkeypatch.setattr(inv, f"global_{pool}", window)
    caught(monkeypatch, inv.test_global_pooling_is_invariant, pool=pool)


# --- stacking ------------------------------------------------------------------------


def _correlate_kernels(V1, V2):
    return scipy.signal.correlate(V1, V2, mode="full", method="direct")


def test_stacking_kernel_composed_as_a_correlation(monkeypatch):
    monkeypatch.setattr(stacks, "compose_kernels", _correlate_kernels)
    caught(monkeypatch, stack.test_torus_stack_is_one_layer)
    caught(monkeypatch, stack.test_zero_padded_stack_inside)


def test_stacking_bias_added_without_the_kernel_sum(monkeypatch):
    monkeypatch.setattr(stacks, "compose_bias", lambda u1, V2, u2: u1 + u2)
    caught(monkeypatch, stack.test_valid_stack_is_one_layer)
    caught(monkeypatch, stack.test_torus_layers_commute_and_stay_equivariant)


def test_stacking_receptive_field_of_the_widest_layer(monkeypatch):
    monkeypatch.setattr(counts, "stacked_radius", lambda deltas: max(deltas))
    caught(monkeypatch, stack.test_receptive_field_grows_linearly)


def test_stacking_layer_with_row_dependent_bias(monkeypatch):
    monkeypatch.setattr(stacks, "vectorized", _row_bias(stacks.vectorized))
    caught(monkeypatch, stack.test_torus_layers_commute_and_stay_equivariant)


# --- every-dimension -----------------------------------------------------------------


def _flipped(f):
    """f with the kernel flipped on every axis: a convolution, not the layer."""
    return lambda x, V, u, padding: f(x, np.flip(V), u, padding)


@pytest.mark.parametrize("ndim", [1, 3])
def test_dimensions_loops_that_convolve(monkeypatch, ndim):
    monkeypatch.setattr(dims, "loops_nd", _flipped(correlate_nd_loops))
    caught(monkeypatch, dims.test_loop_transcription_equals_vectorized, ndim=ndim)


@pytest.mark.parametrize("ndim", [1, 3])
def test_dimensions_reference_that_convolves(monkeypatch, ndim):
    monkeypatch.setattr(dims, "layer_nd", _flipped(correlate_nd))
    caught(monkeypatch, dims.test_reference_agrees_with_scipy, ndim=ndim)


def test_dimensions_reindexing_with_flipped_offsets(monkeypatch):
    original = dims.reindex_weights_nd
    def wrong(W, shape):
        return np.flip(original(W, shape), -1)

    monkeypatch.setattr(dims, "reindex_weights_nd", wrong)
    caught(monkeypatch, dims.test_reindexing, ndim=1)


@pytest.mark.parametrize("ndim", [1, 3])
def test_dimensions_layer_with_position_dependent_bias(monkeypatch, ndim):
    monkeypatch.setattr(dims, "layer_nd", _row_bias(correlate_nd))
    caught(monkeypatch, dims.test_shift_equivariance, ndim=ndim)


@pytest.mark.parametrize("ndim", [1, 3])
def test_dimensions_zero_padding_that_wraps(monkeypatch, ndim):
    def wrong(x, V, u, padding):
        return correlate_nd(x, V, u, "circular" if padding == "zeros" else padding)

    monkeypatch.setattr(dims, "layer_nd", wrong)
    caught(monkeypatch, dims.test_locality, ndim=ndim)


def test_dimensions_circulant_in_the_wrong_orientation(monkeypatch):
    original = dims.circulant_nd
    def wrong(c):
        """W[i, k] = c[(i - k) mod n]: depends on the offset, but reversed."""
        return original(np.roll(np.flip(c), 1, axis=tuple(range(c.ndim))))

    monkeypatch.setattr(dims, "circulant_nd", wrong)
    caught(monkeypatch, dims.test_weight_sharing_is_forced, ndim=1)


def test_dimensions_count_without_the_wrapped_window(monkeypatch):
    def wrong(shape, delta=None):
        return int(np.prod(shape)) if delta is None else (2 * delta + 1) ** len(shape)

    monkeypatch.setattr(counts, "equivariant_dimension_nd", wrong)
    caught(monkeypatch, dims.test_equivariant_dimension, record_property=_no_record)


# --- channels ------------------------------------------------------------------------


def test_channels_first_bias_for_every_channel(monkeypatch):
    def wrong(x, V, u, padding):
        return chan.channel_layer(x, V, np.full_like(u, u[0]), padding)

    monkeypatch.setattr(chan, "layer", wrong)
    caught(monkeypatch, chan.test_sum_of_single_channel_layers, padding="zeros")


def test_channels_layer_with_row_dependent_bias(monkeypatch):
    monkeypatch.setattr(chan, "layer", _row_bias(chan.channel_layer))
    caught(monkeypatch, chan.test_spatial_shifts_commute_channel_by_channel)


def test_channels_layer_that_mixes_input_channels(monkeypatch):
    def wrong(x, V, u, padding):
        mixed = np.broadcast_to(x.sum(axis=-1, keepdims=True), x.shape)
        return chan.channel_layer(np.ascontiguousarray(mixed), V, u, padding)

    monkeypatch.setattr(chan, "layer", wrong)
    caught(monkeypatch, chan.test_locality_channel_by_channel, padding="zeros")


def test_channels_count_without_biases(monkeypatch):
    monkeypatch.setattr(
        counts, "channel_layer_parameters",
        lambda delta, c_in, c_out, ndim=2: (2 * delta + 1) ** ndim * c_in * c_out,
    )
    caught(monkeypatch, chan.test_parameter_count)


def test_channels_single_channel_that_convolves(monkeypatch):
    def wrong(x, V, u, padding):
        return chan.channel_layer(x, V[::-1, ::-1], u, padding)

    monkeypatch.setattr(chan, "layer", wrong)
    caught(monkeypatch, chan.test_one_channel_is_the_article_layer, padding="circular")
