"""The child process's side of convproof.isolation: :func:`serve` answers one call at a
time, guarded (convproof.guard), with the arguments rebuilt as the caller passed them
(convproof.transport), until the parent goes.

Each reply carries the outcome (a result, the exception raised, a change of process-wide
state, a thread left running, a failed load), what the call wrote into its arguments'
memory, the arrays returned earlier that changed since (the last ``KEPT`` are watched),
and how much output it wrote past ``OUTPUT_LIMIT`` characters per stream, which never
reaches the file (:class:`_Bounded`).
"""

from __future__ import annotations

import ctypes
import faulthandler
import importlib
import io
import os
import pickle
import random
import signal
import sys
import traceback
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from convproof.guard import GlobalStateError, ThreadLeft, guarded, set_numpy_state
from convproof.transport import unpacked

OUTPUT_LIMIT = 4096  # characters per stream per call in the child; bytes per test passed on
KEPT = 16  # returned arrays the child keeps watching for later writes


@dataclass(frozen=True)
class Foreign:
    """A result that cannot be pickled: its type's name and repr."""

    type_name: str
    text: str


def serve(fd: int) -> None:
    """The child process's loop: one request, one reply, until the parent goes."""
    conn = Connection(fd)
    faulthandler.enable(file=sys.stderr, all_threads=True)
    faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=True)
    sys.path[:] = pickle.loads(conn.recv_bytes())
    conn.send_bytes(b"ready")
    fflush = _c_fflush()
    streams = {"stdout": _Bounded(sys.stdout), "stderr": _Bounded(sys.stderr)}
    sys.stdout, sys.stderr = streams["stdout"], streams["stderr"]
    server = _Server()
    while True:
        try:
            request = conn.recv_bytes()
        except (EOFError, OSError):
            os._exit(0)  # the parent is gone; threads left running must not keep us
        for stream in streams.values():
            stream.room, stream.dropped = OUTPUT_LIMIT, 0
        try:
            reply = server.handle(pickle.loads(request))
        except BaseException:
            reply = {"outcome": "internal", "message": traceback.format_exc()}
        for stream in streams.values():
            stream.flush()
        fflush()
        reply["dropped"] = {name: stream.dropped for name, stream in streams.items()}
        conn.send_bytes(_dumps(reply))
        if reply.get("restart"):
            os._exit(0)


class _Bounded(io.TextIOBase):
    """The child's sys.stdout or sys.stderr: of each call's text, the first OUTPUT_LIMIT
    characters reach the file, the rest is only counted (a layer printing 10 MB a call
    would otherwise spend its time, and the disk's, writing what nobody reads). Output
    written to the file descriptor directly (native code, faulthandler) is not bounded
    here; the parent reads only the head of it."""

    def __init__(self, stream: Any) -> None:
        self.stream, self.room, self.dropped = stream, OUTPUT_LIMIT, 0

    def write(self, text: str) -> int:
        kept = text[:self.room] if self.room > 0 else ""
        if kept:
            self.stream.write(kept)
            self.room -= len(kept)
        self.dropped += len(text) - len(kept)
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def fileno(self) -> int:
        return self.stream.fileno()

    def __getattr__(self, name: str) -> Any:  # encoding, isatty, buffer, ...
        return getattr(self.stream, name)


def _c_fflush() -> Callable[[], None]:
    """C stdio's fflush(NULL): output a native library buffered must reach the file."""
    try:
        libc = ctypes.CDLL(None)
        return lambda: libc.fflush(None)
    except (OSError, AttributeError):
        return lambda: None


def _dumps(reply: dict) -> bytes:
    try:
        return pickle.dumps(reply, protocol=5)
    except Exception as exc:  # an unpicklable result or exception
        result = reply.pop("result", None)
        reply["result"] = Foreign(type(result).__name__,
                                   f"<{type(result).__name__} that cannot be pickled: {exc}>")
        if "exception" in reply:
            reply["exception"] = None
        return pickle.dumps(reply, protocol=5)


def _resolve(loader: str, spec: str) -> Callable[..., Any]:
    module, _, attr = loader.partition(":")
    return getattr(importlib.import_module(module), attr)(spec)


def _exception(exc: BaseException) -> dict:
    base = next(c for c in type(exc).__mro__ if c.__module__ == "builtins")
    try:
        pickled = pickle.dumps(exc, protocol=5)
    except Exception:
        pickled = None
    return {"pickled": pickled, "type": type(exc).__qualname__, "module": type(exc).__module__,
            "base": base.__name__, "message": str(exc),
            "notes": list(getattr(exc, "__notes__", ()))}


class _Server:
    """The child's state: resolved callables and the arrays it returned."""

    def __init__(self) -> None:
        self.functions: dict[tuple[str, str], Callable[..., Any]] = {}
        self.kept: OrderedDict[int, tuple[np.ndarray, bytes]] = OrderedDict()
        self.handles = 0

    def handle(self, request: dict) -> dict:
        self._adopt(request["state"])
        for handle in request["released"]:
            self.kept.pop(handle, None)
        key = request["target"]
        if key not in self.functions:
            try:
                self.functions[key] = _resolve(*key)
            except BaseException as exc:
                return {"outcome": "load", "message": f"{type(exc).__name__}: {exc}"}
        args, kwargs, arrays, buffers = unpacked(request)
        reply: dict[str, Any] = {"outcome": "ok"}
        try:
            reply["result"] = guarded(self.functions[key], args, kwargs,
                                      name=request["name"], about=request["about"])
        except ThreadLeft as exc:
            reply = {"outcome": "threads", "message": str(exc), "restart": True}
        except GlobalStateError as exc:
            reply = {"outcome": "state", "message": str(exc)}
        except BaseException as exc:
            reply = {"outcome": "raised", "exception": _exception(exc)}
        reply["changed"] = {i: bytes(b) for i, (b, sent) in
                            enumerate(zip(buffers, request["buffers"], strict=True))
                            if b.tobytes() != sent}
        reply["writeable"] = [bool(a.flags.writeable) for a in arrays]
        reply["rewritten"] = self._rewritten()
        result = reply.get("result")
        if isinstance(result, np.ndarray) and not result.dtype.hasobject:
            self.handles += 1
            reply["handle"] = self.handles
            self.kept[self.handles] = (result, result.tobytes())
            while len(self.kept) > KEPT:
                self.kept.popitem(last=False)
        return reply

    def _rewritten(self) -> dict[int, bytes]:
        """The arrays returned earlier whose values changed since."""
        found = {}
        for handle, (a, sent) in self.kept.items():
            now = a.tobytes()
            if now != sent:
                found[handle] = now
                self.kept[handle] = (a, now)
        return found

    @staticmethod
    def _adopt(state: dict) -> None:
        """Take on the caller's process-wide state (what changed since the last call)."""
        if "errors" in state:
            np.seterr(**state["errors"])
        if "printing" in state:
            np.set_printoptions(**state["printing"])
        if "numpy_random" in state:
            set_numpy_state(state["numpy_random"])
        if "python_random" in state:
            random.setstate(state["python_random"])
