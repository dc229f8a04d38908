"""The process-wide state an implementation under test must leave as it found it.

numpy's error state (``np.seterr``, ``np.seterrcall``) and print options, numpy's global
random state (``numpy.random``) and Python's (``random``): :func:`guarded` calls a
function, puts all of them back afterwards, whatever it did, and raises
:class:`GlobalStateError` naming what changed, so that the failure is the implementation's
own and not that of whichever implementation runs next. A non-daemon thread left running
(it would keep the process from exiting) raises :class:`ThreadLeft`.

The exceptions here are what :func:`convproof.isolation.invoke` raises besides the
implementation's own; :class:`CallAborted` and its subclasses are BaseExceptions, which
Hypothesis does not catch: the test fails at once on that input, instead of shrinking by
calling again what hung, crashed or left a thread behind (pytest reports any exception
that is not KeyboardInterrupt or its own Exit as a failed test).
"""

from __future__ import annotations

import ctypes
import pickle
import random
import threading
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import numpy as np


class CallAborted(BaseException):
    """A misbehaviour that ends its test at once, on that input, unshrunk: calling again
    would hang, crash, leave a thread or change the state again, whatever the input."""


class GlobalStateError(CallAborted):
    """An implementation changed process-wide state (restored since)."""


class CallTimedOut(CallAborted):
    """An isolated call ran past its time limit (the child process was killed)."""


class CallCrashed(CallAborted):
    """An isolated call ended the process it ran in (a signal, os._exit, a failed load)."""


class ThreadLeft(CallAborted):
    """A call left a non-daemon thread running, which would keep the process alive."""


# --- the global random generators ----------------------------------------------------
#
# Copying a generator's state costs: numpy.random.get_state() copies the 624-word
# Mersenne Twister key into a new array (31 µs), random.getstate() makes 625 Python ints
# (7 µs); before and after each of the default run's 27,000 calls, that was 2 s. The raw
# state (numpy's through its bit generator's documented ctypes interface, state_address;
# CPython's random.Random as laid out in _randommodule.c) is read in 0.4 µs and serves to
# see whether a state changed; each raw reader is checked against the full state at
# import, with the full state as the fallback. The full state is copied only for a raw
# state not seen lately (Hypothesis seeds every example alike, so that is rare), to
# restore it.

#: The state of numpy.random's legacy global generator, which np.random.random() and the
#: like draw from: what is guarded here (ruff's NPY002 steers new code away from it).
get_numpy_state, set_numpy_state = np.random.get_state, np.random.set_state

_MT_BYTES = 624 * 4 + 4  # uint32 key[624] and int pos (numpy's mt19937_state, CPython's
#                          RandomObject after its object header: index first)


#: Where the raw states are: numpy.random's functions and np.random.seed/set_state use one
#: RandomState whose bit generator is set in place, the random module's functions one
#: random.Random (random._inst), so neither moves.
_NUMPY_AT = np.random.mtrand._rand._bit_generator.ctypes.state_address
_PYTHON = random._inst  # type: ignore[attr-defined]
_PYTHON_AT = id(_PYTHON) + object.__basicsize__


def numpy_words() -> bytes:
    """The raw words of numpy.random's global generator (key and position)."""
    return ctypes.string_at(_NUMPY_AT, _MT_BYTES)


def set_numpy_words(words: bytes) -> None:
    """Write back words read by :func:`numpy_words` (the whole state only when no
    Gaussian is cached: :mod:`convproof.seeding`)."""
    ctypes.memmove(_NUMPY_AT, words, _MT_BYTES)


def _numpy_expected() -> bytes:
    state = get_numpy_state()
    return state[1].astype("=u4").tobytes() + np.int32(state[2]).tobytes()


def _numpy_full() -> bytes:
    return pickle.dumps(get_numpy_state())


def _python_raw() -> bytes:
    return ctypes.string_at(_PYTHON_AT, _MT_BYTES) + repr(_PYTHON.gauss_next).encode()


def _python_expected() -> bytes:
    words = random.getstate()[1]
    return (np.int32(words[-1]).tobytes() + np.array(words[:-1], dtype="=u4").tobytes()
            + repr(_PYTHON.gauss_next).encode())


def _python_full() -> bytes:
    return pickle.dumps(random.getstate())


class _Generator:
    """A global generator's state, seen through a fingerprint (module comment)."""

    def __init__(self, raw: Callable[[], bytes], expected: Callable[[], bytes],
                 full: Callable[[], bytes], get: Callable[[], Any],
                 set_: Callable[[Any], Any]) -> None:
        try:
            agrees = raw() == expected()
        except (AttributeError, TypeError, ValueError):  # another version's internals
            agrees = False
        self.fingerprint = raw if agrees else full
        self.get, self.set = get, set_
        self.states: dict[bytes, Any] = {}  # fingerprint -> full state, the latest few
        self.last = b""

    def capture(self, keep: bool) -> bytes:
        fingerprint = self.fingerprint()
        if keep and fingerprint != self.last:  # compared before hashing 2.5 kB
            state = self.states.pop(fingerprint, None)
            if state is None:
                state = self.get()
                if len(self.states) >= 3:
                    del self.states[next(iter(self.states))]  # the least recent
            self.states[fingerprint] = state
            self.last = fingerprint
        return fingerprint

    def state(self, fingerprint: bytes) -> Any:
        """The full state of a fingerprint captured with ``keep``."""
        return self.states[fingerprint]

    def restore(self, fingerprint: bytes) -> None:
        if self.fingerprint() != fingerprint:
            self.set(self.states[fingerprint])


NUMPY_RANDOM = _Generator(numpy_words, _numpy_expected, _numpy_full, get_numpy_state,
                          set_numpy_state)
PYTHON_RANDOM = _Generator(_python_raw, _python_expected, _python_full, random.getstate,
                           random.setstate)


class Snapshot(NamedTuple):
    """The process-wide state a call must leave alone (the generators' as fingerprints:
    NUMPY_RANDOM.state() and PYTHON_RANDOM.state() give the states)."""

    errors: Mapping[str, str]
    errcall: Any
    printing: Mapping[str, Any]
    numpy_random: bytes
    python_random: bytes


def capture(keep: bool = True) -> Snapshot:
    """The current process-wide state; ``keep=False`` for a snapshot that is only
    compared, never restored (the generators' full states are then not copied)."""
    return Snapshot(np.geterr(), np.geterrcall(), np.get_printoptions(),
                    NUMPY_RANDOM.capture(keep), PYTHON_RANDOM.capture(keep))


def restore(snapshot: Snapshot) -> None:
    """Put the process-wide state back as ``snapshot`` (taken with ``keep``) found it."""
    np.seterr(**snapshot.errors)
    np.seterrcall(snapshot.errcall)
    np.set_printoptions(**snapshot.printing)
    NUMPY_RANDOM.restore(snapshot.numpy_random)
    PYTHON_RANDOM.restore(snapshot.python_random)


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={after[k]!r} (was {before.get(k)!r})"
                     for k in sorted(after) if after[k] != before.get(k))


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """What differs between two snapshots, one phrase each."""
    found: list[str] = []
    if after == before:
        return found
    if after.errors != before.errors:
        found.append(f"numpy's error state (np.seterr: {_changes(before.errors, after.errors)})")
    if after.errcall is not before.errcall:
        found.append("numpy's error callback (np.seterrcall)")
    if after.printing != before.printing:
        found.append("numpy's print options (np.set_printoptions: "
                     f"{_changes(before.printing, after.printing)})")
    if after.numpy_random != before.numpy_random:
        found.append("numpy's global random state (it draws from or seeds numpy.random)")
    if after.python_random != before.python_random:
        found.append("Python's random state (it draws from or seeds the random module)")
    return found


# --- threads --------------------------------------------------------------------------


def _runaway(thread: threading.Thread, before: set[threading.Thread]) -> bool:
    """A non-daemon thread the call started and left running. A concurrent.futures
    worker is not one: the executor's exit hook ends it when the interpreter exits."""
    if thread in before or thread.daemon or not thread.is_alive():
        return False
    target = getattr(thread, "_target", None)  # set while the thread runs
    return getattr(target, "__module__", None) != "concurrent.futures.thread"


class _Threads:
    """The threads alive before a call, listed anew only when their number changed
    (threading.enumerate() and a set of it: 2 µs a call)."""

    def __init__(self) -> None:
        self.known: set[threading.Thread] = set()

    def before(self) -> None:
        if threading.active_count() != len(self.known):
            self.known = set(threading.enumerate())

    def left_running(self) -> list[threading.Thread]:
        """The runaway threads the call started."""
        if threading.active_count() <= len(self.known):
            return []
        left = [t for t in threading.enumerate() if _runaway(t, self.known)]
        for thread in left:
            thread.join(0.05)  # one that was about to end is not a runaway
        return [t for t in left if t.is_alive()]


_THREADS = _Threads()


# --- the guard ------------------------------------------------------------------------


def guarded(fn: Callable[..., Any], args: tuple, kwargs: Mapping[str, Any], *,
            name: str, about: str | Callable[[], str]) -> Any:
    """fn(*args, **kwargs) with the process-wide state put back afterwards. A change
    raises GlobalStateError naming ``name``, what changed and ``about`` (the input, or a
    function that describes it, called only for a message), and a non-daemon thread left
    running ThreadLeft, also when fn raised (its exception is then named in the message).
    Otherwise fn's exception propagates, a SystemExit as an Exception of that name, so
    that it fails the test and not the run."""
    before = capture()
    _THREADS.before()
    try:
        result = fn(*args, **kwargs)
    except BaseException as exc:
        _check(name, about, before, exc)
        if isinstance(exc, SystemExit):
            raise stand_in("SystemExit", "builtins", "Exception")(*exc.args) from None
        raise
    _check(name, about, before)
    return result


def _check(name: str, about: str | Callable[[], str], before: Snapshot,
           raised: BaseException | None = None) -> None:
    """After a call (that raised ``raised``): put the state back, and raise
    GlobalStateError if it changed, ThreadLeft if a runaway thread was left."""
    changed = changes(before, capture(keep=False))
    if changed:
        restore(before)
        also = f" (and raised {type(raised).__name__}: {raised})" if raised is not None else ""
        raise GlobalStateError(f"{name} changed {'; '.join(changed)} on {text(about)}{also}; "
                               "the suite restored it (an implementation must leave "
                               "process-wide state as it found it)") from None
    left = _THREADS.left_running()
    if left:
        names = ", ".join(t.name for t in left)
        raise ThreadLeft(f"{name} left {len(left)} non-daemon thread(s) running ({names}) "
                         f"on {text(about)}; they would keep the process from exiting") from None


def text(about: str | Callable[[], str]) -> str:
    """``about`` as text: a description of the input, or made by calling it."""
    return about if isinstance(about, str) else about()


_STAND_INS: dict[tuple[str, str, str], type[BaseException]] = {}


def stand_in(type_name: str, module: str, base: str) -> type[Exception]:
    """An Exception class called ``type_name``, derived from the built-in ``base`` (or
    Exception, when ``base`` is a BaseException that would stop the run): it stands in
    for an exception that cannot be raised as itself here."""
    import builtins

    parent = getattr(builtins, base, Exception)
    if not (isinstance(parent, type) and issubclass(parent, Exception)):
        parent = Exception
    key = (type_name, module, parent.__name__)
    if key not in _STAND_INS:
        _STAND_INS[key] = type(type_name, (parent,), {"__module__": module})
    return _STAND_INS[key]  # type: ignore[return-value]
