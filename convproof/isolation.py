"""Calling an implementation under test so that whatever it does becomes a verdict.

Every call of an implementation goes through :func:`invoke`, which takes any callable and
any arguments::

    h = invoke(layer.fn, (x, V, u, padding), name=layer.name, about="x of shape (3, 4)...")
    y = invoke(conv.fn, (x, w, b), {"stride": 2, "groups": 1}, name=conv.name,
               about=..., work=multiply_adds)

An ordinary callable runs in this process. An :class:`Isolated` one runs in a child
process, one per pytest process, reused from call to call and restarted after a crash or
a timeout: ``isolated(spec, loader="module:function", name=..., wraps=fn)``, where the
child calls the loader with ``spec`` to get the callable (by default
:func:`load_callable`, ``convproof.reference.load(spec).fn``; :func:`load_vjp` gives
a conv implementation's backward pass), and ``wraps`` is the same callable loaded here. The plugin
makes ``--impl`` code Isolated (``--isolate``). Either way the call is guarded
(convproof.guard): process-wide state is put back after it, a change raises
GlobalStateError and a non-daemon thread left running ThreadLeft; the implementation's
own exceptions propagate (from the child: unpickled, or a stand-in of the same name and
built-in base class). In the child, besides:

* a call may take ``LIMITS.base`` seconds (``--call-timeout``, default 1 s) plus
  ``LIMITS.per_mac`` (10 µs) per multiply-add (``work``; by default the product of the
  sizes of the two largest array arguments), and the first call of an implementation in
  a fresh child ``LIMITS.first`` (10) times the base, for imports and JIT compilation.
  Past it the child dumps its threads' stacks into its stderr, is killed, and the call
  raises CallTimedOut; after ``LIMITS.strikes`` (3) timeouts of one implementation in a
  process, its later calls raise CallTimedOut at once, without running;
* a crash (a signal, ``os._exit``, an exit from native code) raises CallCrashed naming
  the signal or exit status, with faulthandler's traceback in the captured stderr;
* the arguments arrive in their memory layout, and what the call writes into them comes
  back (convproof.transport); a call that writes into an array it returned before
  changes the caller's copy of that earlier result, as it would in-process
  (convproof.child keeps watching the last arrays it returned);
* of what a call prints, the head is passed on to this process's stdout and stderr
  (where pytest captures it), at most ``OUTPUT_LIMIT`` bytes per stream per test, with a
  line saying how much was left out.

GlobalStateError, ThreadLeft, CallTimedOut and CallCrashed are guard.CallAborted, a
BaseException: the test fails at once on that input (pytest reports it as a failure);
Hypothesis, which catches Exception, does not shrink it by calling again.
"""

from __future__ import annotations

import atexit
import fcntl
import functools
import math
import os
import pickle
import select
import signal
import subprocess
import sys
import tempfile
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, Pipe
from typing import Any

import numpy as np

from convproof.child import OUTPUT_LIMIT, Foreign
from convproof.guard import (
    NUMPY_RANDOM,
    PYTHON_RANDOM,
    CallCrashed,
    CallTimedOut,
    GlobalStateError,
    ThreadLeft,
    capture,
    guarded,
    stand_in,
    text,
)
from convproof.transport import Packed


class IsolationError(RuntimeError):
    """The child process machinery itself failed (a bug of the suite, not of the
    implementation): never reported as the implementation's failure."""


@dataclass
class Limits:
    """The time limit of an isolated call: base·(first if it is the implementation's
    first call in a fresh child) + per_mac·work seconds; ``strikes`` timeouts of one
    implementation in a process and its later calls fail without running."""

    base: float = 1.0
    per_mac: float = 1e-5
    first: float = 10.0
    strikes: int = 3

    def of(self, work: float, first: bool) -> float:
        return self.base * (self.first if first else 1.0) + self.per_mac * work

    def describe(self, work: float, first: bool) -> str:
        start = f"{self.first:g} × {self.base:g} s (a first call)" if first else f"{self.base:g} s"
        return f"{start} + {self.per_mac * 1e6:g} µs × {work:,.0f} multiply-adds"


LIMITS = Limits()
START_SECONDS = 60  # for the child to start (a loaded machine's imports), not counted in calls


def configure(call_timeout: float | None = None) -> None:
    """Set the base of the time limit (``--call-timeout``; None: the default)."""
    LIMITS.base = Limits.base if call_timeout is None else float(call_timeout)


def load_callable(spec: str) -> Callable[..., Any]:
    """The contract callable of an ``--impl`` spec (the default loader)."""
    from convproof.reference import load

    return load(spec).fn


def load_vjp(spec: str) -> Callable[..., Any]:
    """The backward pass (``fn.vjp``) of a conv-contract ``--impl`` spec."""
    from convproof.reference import load

    return load(spec).fn.vjp


class Isolated:
    """A callable that runs in the child process, where ``loader`` ("module:function")
    called with ``spec`` returns it; ``name`` is the one messages give it, and
    ``__wrapped__`` (when given) the same callable loaded in this process, which
    inspect.unwrap finds (reference.oracles: never the layer's own reference)."""

    def __init__(self, spec: str, loader: str, name: str,
                 wraps: Callable[..., Any] | None = None) -> None:
        self.spec, self.loader, self.name = spec, loader, name
        self.vjp: Isolated | None = None  # a conv implementation's backward pass, if declared
        if wraps is not None:
            self.__wrapped__ = wraps

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return invoke(self, args, kwargs)

    def __repr__(self) -> str:
        return f"Isolated({self.spec!r})"


def isolated(spec: str, loader: str = "convproof.isolation:load_callable", name: str = "",
             wraps: Callable[..., Any] | None = None) -> Isolated:
    """``spec`` to be called in the child process; a ``path/to/file.py:NAME`` spec is
    made absolute, so that it names the same file wherever the child looks from."""
    target, sep, attr = spec.rpartition(":")
    if sep and target.endswith(".py"):
        spec = f"{os.path.abspath(target)}:{attr}"
    return Isolated(spec, loader, name or spec, wraps)


def describe(args: tuple, kwargs: Mapping[str, Any]) -> str:
    """The arguments of a call in a few words: arrays by shape and dtype."""

    def one(value: Any) -> str:
        if isinstance(value, np.ndarray):
            return f"array of shape {value.shape} ({value.dtype})"
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."

    return ", ".join([*(one(a) for a in args), *(f"{k}={one(v)}" for k, v in kwargs.items())])


def default_work(args: tuple, kwargs: Mapping[str, Any]) -> float:
    """The product of the sizes of the two largest array arguments: at least the
    multiply-adds of a correlation of the one with the other."""
    sizes = sorted(v.size for v in (*args, *kwargs.values()) if isinstance(v, np.ndarray))
    return float(np.prod(sizes[-2:])) if sizes else 0.0


def invoke(fn: Callable[..., Any], args: tuple = (), kwargs: Mapping[str, Any] | None = None,
           *, name: str = "", about: str | Callable[[], str] = "",
           work: float | None = None) -> Any:
    """fn(*args, **kwargs), guarded, in the child process if fn is Isolated (module
    docstring); ``name`` and ``about`` (the input; or a function that describes it, called
    only when a message needs it) go into every message."""
    kwargs = dict(kwargs or {})
    if not about:
        about = functools.partial(describe, args, kwargs)
    if not isinstance(fn, Isolated):
        return guarded(fn, args, kwargs, name=name or getattr(fn, "__name__", repr(fn)),
                       about=about)
    if work is None:
        work = default_work(args, kwargs)
    return _child().call(fn, args, kwargs, name or fn.name or fn.spec, text(about), work)


# --- the parent's side ----------------------------------------------------------------


@dataclass
class _Strikes:
    timeouts: list[str] = field(default_factory=list)  # the inputs


class _Child:
    """The child process of this process, started on demand."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.conn: Connection | None = None
        self.warm: set[tuple[str, str]] = set()
        self.sent: dict[str, Any] = {}
        self.returned: dict[int, weakref.ref] = {}
        self.released: list[int] = []
        self.strikes: dict[str, _Strikes] = {}
        self.output = {name: _appending(tempfile.TemporaryFile()) for name in ("stdout", "stderr")}
        self.shown: dict[str, int] = {}
        self.test = ""
        self.written = True  # whether the output files may hold anything
        self.poller = select.poll()

    # process management

    def _start(self) -> None:
        """Start the child and wait until it is ready; IsolationError (the suite's
        failure, not the implementation's) if it cannot start."""
        for stream in self.output.values():
            os.ftruncate(stream.fileno(), 0)
        parent, child = Pipe(duplex=True)
        self.process = subprocess.Popen(
            [sys.executable, "-c", f"from convproof.child import serve; serve({child.fileno()})"],
            pass_fds=(child.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=self.output["stdout"],
            stderr=self.output["stderr"],
            start_new_session=True,  # a Ctrl-C of the terminal is the parent's to handle
        )
        child.close()
        self.conn = parent
        self.poller = select.poll()  # one per child: Connection.poll builds a selector per call
        self.poller.register(parent.fileno(), select.POLLIN)
        try:  # a child that exited at once closes the pipe: the send fails, or the read
            self.conn.send_bytes(pickle.dumps(list(sys.path)))
            ready = bool(self.poller.poll(START_SECONDS * 1000)) and self.conn.recv_bytes()
        except (EOFError, OSError):
            ready = False
        if ready != b"ready":
            status = self._kill()
            error = os.pread(self.output["stderr"].fileno(), OUTPUT_LIMIT, 0).decode(errors="replace")
            raise IsolationError(f"the child process did not start (exit status {status}):\n{error}")
        self.warm.clear()
        self.sent.clear()
        self.returned.clear()
        self.released.clear()

    def stop(self) -> int | None:
        """End the child; its exit status (None if none was running)."""
        if self.process is None:
            return None
        process, self.process = self.process, None
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        try:
            return process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait()

    def _kill(self) -> int:
        assert self.process is not None
        self.process.kill()
        status = self.process.wait()
        self.process = None
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        return status

    # one call

    def call(self, fn: Isolated, args: tuple, kwargs: dict, name: str, about: str,
             work: float) -> Any:
        strikes = self.strikes.setdefault(name, _Strikes())
        if len(strikes.timeouts) >= LIMITS.strikes:
            raise CallTimedOut(
                f"{name} was not called on {about}: it ran past its time limit on "
                f"{len(strikes.timeouts)} earlier calls in this process (the first on "
                f"{strikes.timeouts[0]}), so its later calls fail without running; raise the "
                "limit with --call-timeout SECONDS if it is only slow")
        if self.process is None or self.process.poll() is not None:
            self.stop()
            self._start()
        assert self.conn is not None
        key = (fn.loader, fn.spec)
        first = key not in self.warm
        limit = LIMITS.of(work, first)
        packed = Packed(args, kwargs)
        request = {"target": key, "name": name, "about": about, "state": self._state(),
                   "released": self.released[:], "args": packed.args, "kwargs": packed.kwargs,
                   "places": packed.places, "views": packed.views, "buffers": packed.buffers}
        self.released.clear()
        if self.written:
            for stream in self.output.values():
                os.ftruncate(stream.fileno(), 0)
        start = time.perf_counter()
        try:
            self.conn.send_bytes(pickle.dumps(request, protocol=5))
            if not self.poller.poll(math.ceil(limit * 1000)):
                self._timed_out(name, about, work, first, time.perf_counter() - start)
            reply = pickle.loads(self.conn.recv_bytes())
        except (EOFError, OSError):
            self._crashed(name, about)
        except KeyboardInterrupt:
            self._kill()
            raise
        self.warm.add(key)
        self._pass_on_output(name, dropped=reply.get("dropped"))
        if reply.get("restart"):
            self.stop()
        return self._outcome(reply, packed, name, about)

    def _state(self) -> dict:
        """The caller's process-wide state, as much of it as changed since the last call."""
        now = capture()
        state = {}
        for key, value in (("errors", now.errors), ("printing", now.printing),
                           ("numpy_random", now.numpy_random),
                           ("python_random", now.python_random)):
            if self.sent.get(key) != value:
                self.sent[key] = value
                state[key] = (NUMPY_RANDOM.state(value) if key == "numpy_random" else
                              PYTHON_RANDOM.state(value) if key == "python_random" else value)
        return state

    def _outcome(self, reply: dict, packed: Packed, name: str, about: str) -> Any:
        outcome = reply["outcome"]
        if outcome == "internal":
            raise IsolationError(f"the child process running {name} failed:\n{reply['message']}")
        if outcome == "load":
            raise CallCrashed(f"{name} could not be loaded in its child process: "
                              f"{reply['message']}")
        packed.write_back(reply["changed"], reply["writeable"], name)
        for handle, data in reply["rewritten"].items():
            earlier = self.returned.get(handle)
            a = earlier() if earlier is not None else None
            if a is not None:
                a[...] = np.frombuffer(data, a.dtype).reshape(a.shape)
        if outcome == "threads":
            raise ThreadLeft(reply["message"])
        if outcome == "state":
            raise GlobalStateError(reply["message"])
        if outcome == "raised":
            raise _reraised(reply["exception"])
        result = reply["result"]
        if isinstance(result, Foreign):
            return _foreign(result.type_name, result.text)
        if "handle" in reply:
            handle = reply["handle"]
            self.returned[handle] = weakref.ref(result, lambda _, h=handle: self._release(h))
        return result

    def _release(self, handle: int) -> None:
        self.returned.pop(handle, None)
        self.released.append(handle)

    # misbehaviour

    def _timed_out(self, name: str, about: str, work: float, first: bool,
                   seconds: float) -> None:
        assert self.process is not None
        try:
            os.kill(self.process.pid, signal.SIGUSR1)  # faulthandler: where it is stuck
            time.sleep(0.2)
        except ProcessLookupError:
            pass
        self._kill()
        self._pass_on_output(name, "up to where it was stopped")
        self.strikes[name].timeouts.append(about)
        raise CallTimedOut(
            f"{name} did not return within {seconds:.3g} s on {about} (the limit: "
            f"{LIMITS.describe(work, first)}); the call was stopped (raise the limit "
            "with --call-timeout SECONDS)")

    def _crashed(self, name: str, about: str) -> None:
        status = self.stop()
        self._pass_on_output(name, "before it crashed")
        if status is not None and status < 0:
            try:
                how = f"killed by signal {signal.Signals(-status).name}"
            except ValueError:
                how = f"killed by signal {-status}"
            description = signal.strsignal(-status)
            if description:
                how += f" ({description})"
        else:
            how = f"exited with status {status} during the call (os._exit, or an exit in native code)"
        raise CallCrashed(f"{name} crashed the child process it ran in on {about}: {how}")

    def _pass_on_output(self, name: str, ended: str = "",
                        dropped: Mapping[str, int] | None = None) -> None:
        """What the child wrote, into this process's streams: from each call the head,
        within OUTPUT_LIMIT bytes per stream per test; from a call that crashed or was
        stopped (``ended`` says which) the tail, where faulthandler's traceback is.
        ``dropped``: what the child counted but did not write (_Bounded)."""
        sizes = {name: os.fstat(stream.fileno()).st_size for name, stream in self.output.items()}
        self.written = any(sizes.values())
        if not self.written:
            return
        dropped = dropped or {}
        test = os.environ.get("PYTEST_CURRENT_TEST", "").rpartition(" ")[0]
        if test != self.test:
            self.test = test
            self.shown.clear()
        for stream_name, stream in self.output.items():
            fd, size = stream.fileno(), sizes[stream_name]
            if not size:
                continue
            out = sys.stdout if stream_name == "stdout" else sys.stderr
            if ended:
                start = max(0, size - OUTPUT_LIMIT)
                part = f", its last {OUTPUT_LIMIT:,} of {size:,} bytes" if start else ""
                out.write(f"[{name}'s {stream_name} {ended}{part}:]\n")
                out.write(_text(os.pread(fd, size - start, start)))
                continue
            shown = self.shown.get(stream_name, 0)
            room = max(0, OUTPUT_LIMIT - shown)
            if room:
                out.write(_text(os.pread(fd, min(size, room), 0)))
            total = size + dropped.get(stream_name, 0)
            if total > room and shown <= OUTPUT_LIMIT:
                out.write(f"[{name} wrote {total:,} characters to {stream_name} in this call; "
                          f"at most {OUTPUT_LIMIT:,} per test are shown]\n")
            self.shown[stream_name] = shown + size + 1  # + 1: past the limit, said once


def _text(data: bytes) -> str:
    text = data.decode(errors="replace")
    return text if text.endswith("\n") else text + "\n"


def _appending(stream: Any) -> Any:
    """``stream`` with O_APPEND on its open file, which the child shares: after the
    parent truncates it, the child's next write lands at its start, not at its old
    offset."""
    fd = stream.fileno()
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_APPEND)
    return stream


def _foreign(type_name: str, text: str) -> Any:
    """A stand-in for a result the child could not pickle: of a class of that name."""
    cls = type(type_name, (), {"__repr__": lambda self: text})
    return cls()


def _reraised(payload: dict) -> BaseException:
    """The child's exception as itself if it unpickles, else a stand-in of that name."""
    exc: BaseException | None = None
    if payload["pickled"] is not None:
        try:
            exc = pickle.loads(payload["pickled"])
        except Exception:
            exc = None
    if exc is None or not isinstance(exc, Exception):
        exc = stand_in(payload["type"], payload["module"], payload["base"])(payload["message"])
        for note in payload["notes"]:
            exc.add_note(note)
    return exc


_CHILD: _Child | None = None


def _child() -> _Child:
    global _CHILD
    if _CHILD is None:
        _CHILD = _Child()
        atexit.register(_CHILD.stop)
    return _CHILD
