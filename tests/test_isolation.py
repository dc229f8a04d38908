"""convproof.isolation and convproof.guard: a call in the child process sees its arguments
as the caller passed them, and the caller sees what it did to them, as in-process; what
an implementation does wrong, in the child or in-process, becomes an exception that
names it and the input (a failed property), never a crash, a hang or a failure of the
implementation that runs next."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest
from convproof.properties.layouts import LAYOUTS
from convproof.reference.contract import as_layer

from convproof import isolation
from convproof.guard import (
    CallCrashed,
    CallTimedOut,
    GlobalStateError,
    ThreadLeft,
    capture,
    changes,
)
from convproof.harness import ImplementationError, global_random_state
from convproof.isolation import OUTPUT_LIMIT, invoke, isolated
from tests import misbehaving, probes
from tests.catalogue import PROPERTIES, first_catch, run
from tests.mutants import MUTANTS

pytestmark = pytest.mark.machinery

X = np.arange(1.0, 21.0).reshape(4, 5)
V = np.arange(9.0).reshape(3, 3)
ARGS = (X, V, 0.5, "zeros")


@pytest.fixture
def child(monkeypatch):
    """A fresh child process for the test (its own strikes and output budget)."""
    fresh = isolation._Child()
    monkeypatch.setattr(isolation, "_CHILD", fresh)
    yield fresh
    fresh.stop()


def probe(name: str) -> isolation.Isolated:
    return isolated(f"tests.probes:{name}")


def misbehaving_in_child(name: str) -> isolation.Isolated:
    return isolated(f"tests.misbehaving:{name}", name=name)


def _layouts() -> dict[str, np.ndarray]:
    x = np.arange(1.0, 13.0).reshape(3, 4)
    views = {name: make(x.copy()) for name, make in LAYOUTS.items()}
    views["offset view into a larger array"] = np.arange(100.0).reshape(10, 10)[2:5, 3:7]
    views["negative strides"] = x.copy()[::-1, ::-2]
    views["float32 column view"] = x.astype(np.float32)[:, 1:2]
    return views


# --- what the child sees, and what comes back -----------------------------------------


@pytest.mark.parametrize("name", list(_layouts()))
def test_an_array_reaches_the_child_in_its_layout(child, name):
    x = _layouts()[name]
    assert invoke(probe("layout"), (x,)) == probes.layout(x)


def test_writes_into_a_read_only_input_come_back(child):
    """The child makes x writeable and fills it: the caller's x is changed and
    writeable too, as after the same call in-process."""
    x = X.copy()
    x.flags.writeable = False
    invoke(probe("writes"), (x, 5.0))
    assert x.flags.writeable
    assert np.all(x == 5.0)


def test_writes_around_a_view_come_back(child):
    """A write into the base array under a view reaches the caller's base array."""
    big = np.arange(1.0, 101.0).reshape(10, 10)
    expected = big.copy()
    probes.writes_around(expected[2:5, 3:7], 7.0)
    invoke(probe("writes_around"), (big[2:5, 3:7], 7.0))
    np.testing.assert_array_equal(big, expected)


def test_a_reused_output_buffer_changes_the_earlier_result(child):
    x = np.zeros((2, 3))
    h1 = invoke(probe("reused"), (x,))
    before = h1.copy()
    h2 = invoke(probe("reused"), (x + 5,))
    assert not np.array_equal(h1, before)
    np.testing.assert_array_equal(h1, h2)


def test_the_callers_random_states_reach_the_child(child):
    for seed in (12345, 99):
        with global_random_state(seed):
            assert invoke(probe("random_states")) == probes.random_states()


@pytest.mark.parametrize(("kind", "type_name", "base"), [
    ("value", "ValueError", ValueError),  # harness.rejects needs ValueError itself
    ("unpicklable", "UnpicklableError", Exception),
    ("exit", "SystemExit", Exception),
    ("interrupt", "KeyboardInterrupt", Exception),
])
def test_an_exception_comes_back_as_itself_or_a_stand_in(child, kind, type_name, base):
    """An exception that cannot be unpickled, or that would stop the run (SystemExit,
    KeyboardInterrupt), comes back as an Exception of the same name."""
    with pytest.raises(base) as raised:
        invoke(probe("raises"), (kind,))
    assert type(raised.value).__name__ == type_name


def test_in_process_a_system_exit_is_an_exception():
    with pytest.raises(Exception) as raised:  # noqa: PT011 (the point: not SystemExit)
        invoke(probes.raises, ("exit",))
    assert type(raised.value).__name__ == "SystemExit"


def test_an_unpicklable_result_is_named_by_its_type(child):
    assert type(invoke(probe("generator"))).__name__ == "generator"


def test_output_is_passed_on_within_a_bound(child, capsys):
    for _ in range(3):
        invoke(probe("prints"), (1_000_000,))
    out, err = capsys.readouterr()
    assert "y" * 100 in out
    assert len(out) < OUTPUT_LIMIT + 400, len(out)
    assert "wrote 1,000,001 characters to stdout" in out
    assert "to stderr" in err


# --- misbehaviour becomes an exception naming the implementation and the input ---------


@pytest.mark.parametrize("where", ["in-process", "child"])
@pytest.mark.parametrize(("name", "says"), [
    ("sets_errors_to_raise", "numpy's error state (np.seterr: divide='raise'"),
    ("sets_print_options", "numpy's print options (np.set_printoptions: precision=1"),
    ("global_rng_noise", "numpy's global random state"),
    ("random_exceptions", "Python's random state"),
])
def test_a_change_of_global_state_fails_the_call_and_is_undone(child, where, name, says):
    fn = getattr(misbehaving, name) if where == "in-process" else misbehaving_in_child(name)
    before = capture()
    with global_random_state(0), pytest.raises(GlobalStateError) as raised:
        invoke(fn, ARGS, name=name, about="the input")
    assert f"{name} changed {says}" in str(raised.value)
    assert "on the input" in str(raised.value)
    assert not changes(before, capture())


@pytest.mark.parametrize("where", ["in-process", "child"])
def test_a_change_of_global_state_fails_a_call_that_raised(child, where):
    """Even a ValueError, the contract's answer to some inputs, does not excuse it."""
    fn = probes.seterr_and_raise if where == "in-process" else probe("seterr_and_raise")
    before = capture()
    with pytest.raises(GlobalStateError, match=r"and raised ValueError: kernel larger"):
        invoke(fn, name="seterr_and_raise")
    assert not changes(before, capture())


def test_a_thread_left_running_fails_the_call(child):
    with pytest.raises(ThreadLeft, match="left 1 non-daemon thread"):
        invoke(misbehaving_in_child("leaves_a_thread"), ARGS)
    assert child.process is None  # the child was ended with its thread
    assert invoke(probe("layout"), (X,)) == probes.layout(X)


def test_in_process_a_thread_left_running_fails_the_call():
    with pytest.raises(ThreadLeft, match=r"short-lived"):
        invoke(probes.thread_for, (1.0,), name="thread_for", about="1 s")
    with pytest.raises(ThreadLeft, match=r"short-lived"):  # a ValueError does not excuse it
        invoke(probes.thread_and_raise, (1.0,), name="thread_and_raise", about="1 s")


@pytest.mark.parametrize(("name", "says", "trace"), [
    ("segfaults", "killed by signal SIGSEGV", "Fatal Python error: Segmentation fault"),
    ("exits_the_process", "exited with status 0", ""),
])
def test_a_crash_fails_the_call_naming_the_signal(child, capsys, name, says, trace):
    with pytest.raises(CallCrashed) as raised:
        invoke(misbehaving_in_child(name), ARGS, about="the input")
    assert f"{name} crashed the child process it ran in on the input: {says}" in str(raised.value)
    assert trace in capsys.readouterr().err
    assert invoke(probe("layout"), (X,)) == probes.layout(X)  # a new child


def test_a_hang_times_out_and_after_three_the_calls_fail_at_once(child, capsys, monkeypatch):
    monkeypatch.setattr(isolation.LIMITS, "base", 0.2)
    monkeypatch.setattr(isolation.LIMITS, "first", 2.0)
    hang = misbehaving_in_child("loops_forever")
    for _ in range(3):
        start = time.perf_counter()
        with pytest.raises(CallTimedOut, match=r"loops_forever did not return within 0\.4"):
            invoke(hang, ARGS, about="the input")
        assert time.perf_counter() - start < 5
    assert "in loops_forever" in capsys.readouterr().err  # faulthandler's stack dump
    start = time.perf_counter()
    with pytest.raises(CallTimedOut, match="was not called on the input: it ran past"):
        invoke(hang, ARGS, about="the input")
    assert time.perf_counter() - start < 0.1
    assert invoke(probe("layout"), (X,)) == probes.layout(X)  # others still run


# --- the properties, through harness.call ----------------------------------------------


def _property(name: str):
    return next(p for p in PROPERTIES if p.name == name)


def test_declining_a_declared_input_fails_the_property():
    """A NotImplementedError for an input the layer declares is no longer a skip."""
    layer = as_layer("declines_one_pixel", misbehaving.declines_one_pixel)
    result = run(_property("test_edge_shapes"), layer)
    assert isinstance(result.leaf, ImplementationError), result.message
    assert "raised NotImplementedError" in result.message
    assert "an input it declares" in result.message


def test_repeated_calls_catch_a_layer_that_reads_the_global_random_state():
    """global_rng_peek changes nothing and answers correctly under the state Hypothesis
    sets before every example; only calls under other states show it."""
    layer = as_layer("global_rng_peek", misbehaving.global_rng_peek)
    assert not run(_property("test_agrees_with_the_loop_transcription"), layer).failed
    result = run(_property("test_repeated_calls_are_bitwise_identical"), layer)
    assert "differs from call 1 when the global random state differs" in result.message
    assert "the layer reads numpy.random/random" in result.message


def test_repeated_calls_name_nondeterminism_under_the_same_state():
    result = run(_property("test_repeated_calls_are_bitwise_identical"), MUTANTS["noisy"])
    assert "under the same global random state" in result.message


#: Mutants whose catch depends on what crosses the process boundary: state kept between
#: calls, memory layouts, writes into inputs, nondeterminism.
ACROSS = ("stale_cache", "cache_keyed_on_image", "output_buffer_reused", "ravel_memory_order",
          "reads_base_buffer", "mutates_kernel", "mutates_image", "noisy")


@pytest.mark.parametrize("name", ACROSS)
def test_a_mutant_is_caught_in_the_child_as_in_process(child, name):
    layer = dataclasses.replace(MUTANTS[name], fn=isolated(f"tests.mutants:{name}", name=name))
    caught = first_catch(layer)
    assert caught is not None, f"{name} passes every property in the child process"
    if name == "output_buffer_reused":
        assert caught.prop.name == "test_no_state_is_carried_between_calls"


def test_call_timeout_must_be_a_positive_number(run_pytest):
    result = run_pytest("properties/test_locality.py", "--call-timeout", "-1")
    assert result.returncode == 4
    assert "--call-timeout" in result.stderr
    assert "positive" in result.stderr


def test_an_isolated_reference_is_not_its_own_oracle():
    """reference.oracles sees through the child-process proxy (``--isolate process``)."""
    from convproof.reference import BUILTINS
    from convproof.reference.oracles import oracle_for

    loops = BUILTINS["loops"]
    proxy = dataclasses.replace(loops, fn=isolated("loops", name="loops", wraps=loops.fn))
    assert oracle_for(proxy, X, V).fn is not loops.fn
    assert oracle_for(dataclasses.replace(loops, fn=isolated("loops")), X, V).fn is loops.fn


def test_a_child_that_cannot_start_is_the_suites_failure(child, monkeypatch):
    """Not blamed on the implementation: IsolationError, which harness.call re-raises."""
    monkeypatch.setattr(isolation.sys, "executable", "/bin/false")
    with pytest.raises(isolation.IsolationError, match="did not start"):
        invoke(probe("layout"), (X,))
