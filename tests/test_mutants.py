"""Mutation testing of the layer properties: each mutant of tests/mutants.py must make
some property fail, every property must fail on some mutant, and the correct layers
(tests/correct_impls.py and every built-in) must make none fail.

The properties run as tests/catalogue.py runs them (no example database; a catch is the
first failing example). ``pytest tests/test_mutants.py -s`` prints the mutation score
and, for each mutant, its kind, the property that caught it, the examples Hypothesis ran
in that property up to the catch, the layer calls and the seconds to the catch;
tests.catalogue.catch_all returns the same rows for ``python -m bench --only mutants``.
"""

from __future__ import annotations

import inspect

import pytest
from convproof.reference import BUILTINS
from convproof.reference.contract import Layer

from convproof.harness import ImplementationError
from tests.catalogue import CONTROL_SHARE, PROPERTIES, Run, catch_row, first_catch, run, table
from tests.correct_impls import CORRECT
from tests.mutants import MUTANTS

pytestmark = pytest.mark.machinery


@pytest.fixture(scope="session")
def catches() -> dict[str, Run | None]:
    """Mutant name -> the run that caught it (None: survived), shared across this module."""
    return {}


@pytest.mark.parametrize("name", list(MUTANTS))
def test_mutant_is_caught(name, catches, record_property):
    result = first_catch(MUTANTS[name])
    catches[name] = result
    assert result is not None, f"mutant {name!r} passes every layer property"
    record_property("caught_by", result.prop.id)
    record_property("examples_to_catch", result.examples)
    record_property("seconds_to_catch", round(result.seconds, 3))


def test_mutation_score_is_100_percent(catches, record_property, capsys):
    """Every mutant is caught; prints the table (mutant, kind, property, examples and
    seconds to catch) and the score. Mutants whose own test did not run in this session
    (-k, xdist) are run here."""
    for name, layer in MUTANTS.items():
        if name not in catches:
            catches[name] = first_catch(layer)
    rows = [catch_row(name, catches[name]) for name in MUTANTS]
    caught = sum(catches[name] is not None for name in MUTANTS)
    score = (f"mutation score: {caught}/{len(MUTANTS)} mutants caught "
             f"({100 * caught / len(MUTANTS):.0f}%)")
    text = table(rows)
    record_property("mutation_table", text)
    with capsys.disabled():
        print(f"\n{text}\n{score}")
    assert caught == len(MUTANTS), score


#: Mutants whose return breaks the contract outright, and what harness.call says of it.
BROKEN_RETURNS = {
    "returns_list": "returned list, not a numpy array",
    "returns_nan": "returned non-finite values",
    "raises_type_error": "raised TypeError",
    "integer_dtype": "returned dtype int64",
    "valid_wrong_shape": "returned shape",
}


@pytest.mark.parametrize(("name", "says"), list(BROKEN_RETURNS.items()))
def test_a_broken_return_is_a_failed_property(name, says, catches):
    """A list, NaN, an unexpected TypeError, an integer dtype or a wrong shape is an
    ImplementationError from harness.call (an AssertionError: the property fails, with
    a message naming the implementation), not a crash of the suite."""
    result = catches.get(name) or first_catch(MUTANTS[name])
    assert result is not None
    assert isinstance(result.leaf, ImplementationError), result.message
    assert says in str(result.leaf)
    assert name in str(result.leaf)


#: For every layer property, a mutant that fails it in every parametrization: each
#: property can fail, and this module shows it.
WITNESSES = {
    "test_agrees_with_the_loop_transcription": "bias_twice",
    "test_agrees_in_float32": "float16_for_float32",
    "test_valid_rejects_a_kernel_larger_than_the_image": "valid_accepts_large_kernel",
    "test_layer_is_scipy_cross_correlation": "bias_twice",
    "test_convolution_with_V_itself_iff_centrally_symmetric": "flipped_kernel",
    "test_sensitivity_is_the_kernel_inside_the_window_and_zero_outside": "flipped_kernel",
    "test_shift_equivariance_on_the_torus": "circular_one_sided",
    "test_output_is_invariant_exactly_when_periodic": "circular_one_sided",
    "test_global_pooling_is_invariant": "circular_one_sided",
    "test_shift_equivariance_inside_the_region": "output_buffer_reused",
    "test_region_is_the_largest": "delta0_drops_bias",
    "test_inputs_are_not_modified": "mutates_kernel",
    "test_memory_layouts_give_the_contiguous_result": "ravel_memory_order",
    "test_no_state_is_carried_between_calls": "cache_keyed_on_image",
    "test_repeated_calls_are_bitwise_identical": "noisy",
    "test_edge_shapes": "circular_wraps_once",
    "test_agrees_with_the_loop_oracle": "nd_flipped_last_axis",
    "test_channels_agree_with_the_channel_oracle": "nd_flipped_last_axis",
    "test_locality_in_every_dimension": "nd_flipped_last_axis",
    "test_channel_locality": "nd_flipped_last_axis",
    "test_shift_equivariance_on_the_torus_in_every_dimension": "nd_circular_one_sided",
    "test_channel_shift_equivariance_on_the_torus": "nd_circular_one_sided",
    "test_valid_rejects_a_kernel_larger_than_the_input": "nd_valid_accepts_large_kernel",
}


def test_every_property_is_runnable_and_has_a_witness():
    for prop in PROPERTIES:
        extra = set(inspect.signature(prop.fn).parameters) - {"layer", *dict(prop.params)}
        assert not extra, f"{prop.id} needs {sorted(extra)}: it cannot be run on a mutant"
    missing = sorted({p.name for p in PROPERTIES} - set(WITNESSES))
    assert not missing, f"layer properties with no witness mutant in WITNESSES: {missing}"
    assert set(WITNESSES.values()) <= set(MUTANTS)


@pytest.mark.parametrize(
    "prop", [p for p in PROPERTIES if p.name in WITNESSES], ids=lambda p: p.id
)
def test_property_fails_on_its_witness(prop):
    result = run(prop, MUTANTS[WITNESSES[prop.name]])
    assert result.failed, f"{prop.id} passes on mutant {WITNESSES[prop.name]!r}"


CONTROLS: dict[str, Layer] = {**CORRECT, **BUILTINS}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CONTROLS))
def test_control_passes_every_property(name):
    runs = [run(p, CONTROLS[name], catch=False, share=CONTROL_SHARE) for p in PROPERTIES]
    failures = [f"{r.prop.id}: {r.message}" for r in runs if r.failed]
    assert not failures, f"{name} is correct, yet fails:\n" + "\n".join(failures)
