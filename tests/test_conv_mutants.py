"""Mutation testing of the conv properties: each mutant of tests/conv_mutants.py must
make some conv property fail, every conv property must fail on a witness mutant, and the
conv references (and PyTorch's adapter, where installed) must make none fail.

The conv properties are found, not listed: every ``test_*`` function of a
properties/test_*.py module with a ``conv`` argument, once per parametrization, run as
tests/test_mutants.py runs the layer properties (no example database; for mutants the
first failing example is the catch, without shrinking).
"""

from __future__ import annotations

import importlib.util

import pytest
from convproof.reference import CONV_BUILTINS
from convproof.reference.conv_contract import Conv

from tests.catalogue import PROPERTIES as LAYER_PROPERTIES
from tests.catalogue import Run, run, table
from tests.conv_catalogue import CONV_PROPERTIES, conv_row, first_conv_catch
from tests.conv_mutants import CONV_MUTANTS

pytestmark = pytest.mark.machinery


@pytest.fixture(scope="session")
def conv_catches() -> dict[str, Run | None]:
    return {}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CONV_MUTANTS))
def test_conv_mutant_is_caught(name, conv_catches):
    result = first_conv_catch(CONV_MUTANTS[name])
    conv_catches[name] = result
    assert result is not None, f"conv mutant {name!r} passes every conv property"


@pytest.mark.slow
def test_conv_mutation_score_is_100_percent(conv_catches, capsys):
    """Every conv mutant is caught; prints the table and the score."""
    for name, conv in CONV_MUTANTS.items():
        if name not in conv_catches:
            conv_catches[name] = first_conv_catch(conv)
    rows = [conv_row(name, conv_catches[name]) for name in CONV_MUTANTS]
    caught = sum(conv_catches[name] is not None for name in CONV_MUTANTS)
    score = (f"conv mutation score: {caught}/{len(CONV_MUTANTS)} mutants caught "
             f"({100 * caught / len(CONV_MUTANTS):.0f}%)")
    with capsys.disabled():
        print(f"\n{table(rows)}\n{score}")
    assert caught == len(CONV_MUTANTS), score


#: For every conv property, a mutant that fails it in every parametrization.
CONV_WITNESSES = {
    "test_conv_agrees_with_the_reference": "kernel_flipped",
    "test_conv_leaves_its_inputs_alone_and_repeats_itself": "mutates_kernel",
    "test_conv_reads_every_memory_layout": "reads_memory_order",
    "test_output_has_the_d2l_shape": "output_size_ceil",
    "test_no_output_is_a_value_error": "no_output_unchecked",
    "test_impulse_reaches_the_outputs_whose_window_reads_it": "padding_lo_hi_swapped",
    "test_padding_k_minus_1_keeps_the_size_and_places_the_window": "padding_lo_hi_swapped",
    "test_stride_s_is_every_s_th_output_of_stride_1": "stride_starts_late",
    "test_stride_divides_the_resolution": "output_size_ceil",
    "test_shift_by_multiples_of_the_stride_commutes_on_the_torus": "circular_one_sided",
    "test_dilation_is_the_kernel_with_zeros_between_taps": "dilation_on_input",
    "test_groups_are_block_diagonal": "groups_mix_channels",
    "test_every_parameter_reaches_the_output": "last_tap_unused",
    "test_channels_sum_the_per_channel_cross_correlations": "channels_averaged",
    "test_1x1_is_a_dense_layer_at_every_pixel": "one_by_one_transposed",
    "test_average_pooling_is_a_uniform_convolution": "groups_mix_channels",
    "test_each_sample_is_computed_alone": "odd_batch_drops_last",
    "test_vjp_agrees_with_the_reference": "vjp_bias_mean",
    "test_vjp_is_the_adjoint": "vjp_circular_unfolded",
}


def test_every_conv_property_has_a_witness():
    assert CONV_PROPERTIES
    missing = sorted({p.name for p in CONV_PROPERTIES} - set(CONV_WITNESSES))
    assert not missing, f"conv properties with no witness mutant in CONV_WITNESSES: {missing}"
    assert set(CONV_WITNESSES.values()) <= set(CONV_MUTANTS)


@pytest.mark.parametrize("prop", CONV_PROPERTIES, ids=lambda p: p.id)
def test_conv_property_fails_on_its_witness(prop):
    result = run(prop, CONV_MUTANTS[CONV_WITNESSES[prop.name]])
    assert result.failed, f"{prop.id} passes on conv mutant {CONV_WITNESSES[prop.name]!r}"


#: The batch bugs issue 18 names: each caught by the batch property in every dimension.
BATCH_BUGS = ("batch_fast_path_drops_bias", "odd_batch_drops_last")


@pytest.mark.parametrize("name", BATCH_BUGS)
@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_batch_bug_is_caught_by_the_batch_property(name, ndim):
    prop = next(p for p in CONV_PROPERTIES if p.name == "test_each_sample_is_computed_alone"
                and dict(p.params)["ndim"] == ndim)
    assert run(prop, CONV_MUTANTS[name]).failed, f"{prop.id} passes on {name}"


def _controls() -> dict[str, Conv]:
    controls = {name: CONV_BUILTINS[name] for name in ("conv-taps", "conv-windows")}
    if importlib.util.find_spec("torch") is not None:
        from convproof.reference import load

        controls["torch"] = load("torch")
    return controls


#: The controls run each property with max_examples // CONTROL_SHARE examples.
CONTROL_SHARE = 4


@pytest.mark.slow
@pytest.mark.parametrize("name", list(_controls()))
def test_conv_control_passes_every_property(name):
    conv = _controls()[name]
    runs = [run(p, conv, catch=False, share=CONTROL_SHARE) for p in CONV_PROPERTIES]
    failures = [f"{r.prop.id}: {r.message}" for r in runs if r.failed]
    assert not failures, f"{name} is correct, yet fails:\n" + "\n".join(failures)


# --- the article's properties through the embedding (reference.embedding) --------------


@pytest.mark.slow
def test_embedded_conv_reference_passes_the_article_properties():
    """A conv-contract reference seen as the article's layer (N = 1, C_in = C_out = 1 or
    the layer's channels, stride = dilation = groups = 1, k = 2Δ+1) passes every layer
    property (with max_examples // CONTROL_SHARE examples)."""
    from convproof.reference.embedding import article_layer

    layer = article_layer(CONV_BUILTINS["conv-taps"])
    runs = [run(p, layer, catch=False, share=CONTROL_SHARE) for p in LAYER_PROPERTIES]
    failures = [f"{r.prop.id}: {r.message}" for r in runs if r.failed]
    assert not failures, "the embedded conv-taps fails:\n" + "\n".join(failures)
    assert any(r.examples > 1 for r in runs)


def test_article_properties_reach_a_conv_mutant_through_the_embedding():
    """The article's agreement property fails on a conv implementation that flips its
    kernel, seen through the embedding: the article's claims do run on the conv adapter."""
    from convproof.reference.embedding import article_layer

    prop = next(p for p in LAYER_PROPERTIES if p.name == "test_agrees_with_the_loop_transcription")
    assert run(prop, article_layer(CONV_MUTANTS["kernel_flipped"])).failed
