"""Every theory-level property of the core claims fails on a wrong variant.

Each test swaps one function a property relies on for a plausible wrong version and
checks that the property then fails. Properties that take a ``layer`` are shown to fail
on the mutant implementations in tests/test_mutants.py instead.
"""

from typing import ClassVar

import convproof.properties.test_convolution as conv
import convproof.properties.test_dense as dense
import convproof.properties.test_locality as locality
import convproof.properties.test_parameters as params
import convproof.properties.test_reindexing as reidx
import convproof.properties.test_sharing as sharing
import convproof.properties.test_shift as shift
import numpy as np
import scipy.signal
from convproof.reference import BUILTINS
from convproof.reference.contract import as_layer
from convproof.theory import counts, indices

from tests.variants import fails


def test_matrix_form_with_transposed_reshape(monkeypatch):
    def wrong(x, W, u):
        M = W.reshape(x.size, x.size).T
        return (M @ x.reshape(-1) + u.reshape(-1)).reshape(x.shape)

    monkeypatch.setattr(dense, "matrix_layer", wrong)
    fails(dense.test_tensor_form_equals_matrix_form)


def test_dense_count_formula_off(monkeypatch):
    monkeypatch.setattr(counts, "dense_weights", lambda h, w: h * w * (h + w))
    fails(dense.test_parameter_count)


def test_dense_layer_sharing_a_weight(monkeypatch):
    def wrong(x, W, u):
        W = W.copy()
        W[..., 0, 0] = W[0, 0, 0, 0]  # one weight tied across hidden pixels
        return np.einsum("ijkl,kl->ij", W, x) + u

    monkeypatch.setattr(dense, "dense_layer", wrong)
    fails(dense.test_parameter_count)


def test_reindex_with_wrong_second_offset(monkeypatch):
    monkeypatch.setattr(reidx, "reindex", lambda i, j, k, l: (k - i, l - i))
    fails(reidx.test_reindexing_is_a_bijection)


def test_offset_range_one_too_long(monkeypatch):
    monkeypatch.setattr(reidx, "offset_range", lambda i, n: range(-i, n - i + 1))
    fails(reidx.test_offsets_take_both_signs)


def test_reindexed_weights_with_flipped_offset(monkeypatch):
    def wrong(W):
        return indices.reindex_weights(W)[:, :, ::-1, :]

    monkeypatch.setattr(reidx, "reindex_weights", wrong)
    fails(reidx.test_reindexed_sum_equals_dense_sum)


def test_sharing_decided_on_V_only(monkeypatch):
    monkeypatch.setattr(sharing, "is_shared", lambda V, u: bool(np.all(V == V[:1, :1])))
    fails(sharing.test_equivariant_exactly_when_shared)


def test_torus_layer_with_row_dependent_bias(monkeypatch):
    original = sharing.torus_layer

    def wrong(x, V, u):
        return original(x, V, u) + np.arange(x.shape[0])[:, None]

    monkeypatch.setattr(sharing, "torus_layer", wrong)
    fails(sharing.test_equivariant_exactly_when_shared)


def test_shared_count_formula_off(monkeypatch):
    monkeypatch.setattr(counts, "shared_weights_grid", lambda h, w: 4 * h * w)
    fails(params.test_shared_weights_without_locality)


def test_used_count_ignores_small_images(monkeypatch):
    monkeypatch.setattr(counts, "local_weights_used", lambda h, w, d: (2 * d + 1) ** 2)
    fails(params.test_local_shared_weights)


def test_dense_parameters_without_biases(monkeypatch):
    monkeypatch.setattr(counts, "dense_layer_parameters", lambda h, w: h * w)
    fails(params.test_local_layer_is_far_smaller)


def test_conv_parameters_without_bias(monkeypatch):
    monkeypatch.setattr(counts, "conv_layer_parameters", lambda d: (2 * d + 1) ** 2)
    fails(params.test_billions_become_a_few_hundred, record_property=lambda *a: None)


def test_embedding_that_wraps_under_zero_padding(monkeypatch):
    def wrong(V, shape, padding):
        return indices.embed(V, shape, "circular" if padding == "zeros" else padding)

    monkeypatch.setattr(locality, "embed", wrong)
    fails(locality.test_dense_weights_vanish_outside_the_window, padding="zeros")


def test_region_that_ignores_the_border(monkeypatch):
    monkeypatch.setattr(
        shift, "equivariance_region", lambda shape, d, s, p: np.ones(indices.output_shape(shape, d, p), bool)
    )
    fails(shift.test_shift_equivariance_inside_the_region, layer=BUILTINS["vectorized"])


def test_region_too_small(monkeypatch):
    def wrong(shape, d, s, p):
        region = indices.equivariance_region(shape, d, s, p)
        return region & (np.add.outer(*map(np.arange, region.shape)) > 0)  # drops (0, 0)

    monkeypatch.setattr(shift, "equivariance_region", wrong)
    fails(shift.test_region_is_the_largest, layer=BUILTINS["vectorized"])


class _Request:
    class node:  # noqa: N801
        user_properties: ClassVar[list] = []


def test_refutation_needs_a_counterexample(monkeypatch):
    zero = as_layer("zero", lambda x, V, u, padding: np.zeros(x.shape))
    monkeypatch.setattr(shift, "ORACLE", zero)
    message = fails(shift.test_literal_wording_fails_at_the_border, request=_Request)
    assert "no counterexample" in message


def test_convolution_refutation_with_a_convolving_oracle(monkeypatch):
    convolving = as_layer(
        "convolving",
        lambda x, V, u, padding: u + scipy.signal.convolve2d(x, V, mode="same"),
    )
    monkeypatch.setattr(conv, "ORACLE", convolving)
    assert "no counterexample" in fails(conv.test_literal_convolution_is_refuted, request=_Request)


def test_sharing_witness_needs_a_non_equivariant_layer(monkeypatch):
    monkeypatch.setattr(sharing, "commutes_with_every_shift", lambda V, u: True)
    assert "no counterexample" in fails(
        sharing.test_minimal_position_dependent_counterexample, request=_Request
    )


def test_shift_property_catches_a_wrong_border():
    """A layer that replicates edge pixels instead of padding with zeros."""

    def edge(x, V, u, padding):
        d = (V.shape[0] - 1) // 2
        windows = np.lib.stride_tricks.sliding_window_view(np.pad(x, d, mode="edge"), V.shape)
        return u + np.einsum("ijab,ab->ij", windows, V)

    layer = as_layer("edge", edge)
    fails(shift.test_shift_equivariance_inside_the_region, layer=layer)
