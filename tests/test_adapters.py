"""The adapters' index and alignment mappings are pinned down by the layer properties.

Each plug-in adapter (torch, scipy-direct, scipy-fft, ndimage, numpy, correlate2d,
convolve2d) maps the article's h[i] = u + Σ_a V[a]·x[i + a] onto its library's
conventions: where the 'same' output is cropped from the full correlation, whether the
library correlates or convolves, which axes of V are the channels, which padding mode is
zero padding and which the torus. For each library, :func:`variant` builds the adapter
again, with one of the classic mistakes or none:

* ``off-by-one``: the 'same' window one position off on every axis (h[i] reads
  x[i + a + 1]): 'full' cropped from Δ + 1, ndimage's origin=-1, torch padding (Δ-1, Δ+1);
* ``convolution``: the library's convolution in place of its correlation (or the kernel
  rotation dropped / doubled): the kernel flipped;
* ``channels-swapped``: V's (C_in, C_out) axes read as (C_out, C_in) (:func:`_swapped`);
* ``padding-mode``: the torus read by mirroring (np.pad 'symmetric', ndimage 'reflect',
  boundary='symm'), or torch zero padding by replicating the edge;
* ``valid-unchecked``: no ValueError for a kernel larger than the input under 'valid':
  the library's own answer (scipy and numpy swap their inputs, torch raises RuntimeError);
* ``circular-pads-once`` (torch): F.pad(mode='circular'), which wraps at most once;
* ``same-mode`` (numpy): np.correlate(mode='same'), max(len(x), len(V)) long;
* ``tiny-weights`` (ndimage): ndimage.correlate as it is, which drops every weight
  |w| <= 2^-52 (README).

Every mistake must make a property of properties/test_layers_nd.py fail, in every
dimension the adapter declares (with channels, for the channel mistake); every property
there must fail on some mistake; and the adapters, and each :func:`variant` without a
mistake, pass them all (the controls). The properties are run as tests/test_mutants.py
runs them: no example database, and a catch is the first failing example.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import scipy.ndimage
import scipy.signal
from convproof.reference import BUILTINS
from convproof.reference.contract import Layer, MissingDependencyError, declared, load
from convproof.reference.scipy_adapters import _ndimage_correlate
from convproof.theory.indices import delta_of

from tests.test_mutants import Property, layer_properties, run

pytestmark = pytest.mark.machinery

ROOT = Path(__file__).resolve().parent.parent

Core = Callable[[np.ndarray, np.ndarray, str], np.ndarray]

#: The mistakes each adapter can make (module docstring).
COMMON = ("off-by-one", "convolution", "padding-mode", "valid-unchecked")
BUGS: dict[str, tuple[str, ...]] = {
    "torch": (*COMMON, "channels-swapped", "circular-pads-once"),
    "scipy-direct": (*COMMON, "channels-swapped"),
    "scipy-fft": (*COMMON, "channels-swapped"),
    "ndimage": (*COMMON, "channels-swapped", "tiny-weights"),
    "numpy": (*COMMON, "same-mode"),
    "correlate2d": COMMON,
    "convolve2d": COMMON,
}


def _check_valid(x: np.ndarray, delta: int, bug: str | None) -> None:
    """The adapters' ValueError for a kernel larger than the input ('valid'), which the
    mistake ``valid-unchecked`` leaves to the library."""
    if bug != "valid-unchecked" and min(x.shape) < 2 * delta + 1:
        raise ValueError(f"a {2 * delta + 1}-wide kernel is larger than the input {x.shape}")


def _off_by_one(full: np.ndarray, delta: int, shape: tuple[int, ...]) -> np.ndarray:
    """The 'same' block cropped from the full correlation one position too far: h[i]
    reads x[i + a + 1] (x = 0 beyond the input)."""
    extended = np.pad(full, [(0, 1)] * full.ndim)
    return extended[tuple(slice(delta + 1, delta + 1 + n) for n in shape)]


def _swapped(V: np.ndarray) -> np.ndarray:
    """V's channel axes read the wrong way round: its (C_in, C_out) block taken as
    (C_out, C_in), the silent form of the mistake (a reshape where a transpose belongs):
    the transpose when C_in = C_out, a scramble otherwise, no change when either is 1."""
    c_in, c_out = V.shape[-2:]
    return V.reshape(*V.shape[:-2], c_out, c_in).swapaxes(-1, -2)


def _summed(core: Core, swap: bool) -> Callable[..., np.ndarray]:
    """u + core(x, V) without channels; with them, output channel o sums
    core(x[..., c], V[..., c, o]) over c (of :func:`_swapped` V when ``swap``)."""

    def layer(x: np.ndarray, V: np.ndarray, u: float | np.ndarray, padding: str) -> np.ndarray:
        if V.ndim == x.ndim:
            return u + core(x, V, padding)
        K = _swapped(V) if swap else V
        per_output = [
            sum(core(x[..., c], K[..., c, o], padding) for c in range(x.shape[-1]))
            for o in range(V.shape[-1])
        ]
        return np.asarray(u) + np.stack(per_output, axis=-1)

    return layer


def _signal_nd(method: str, bug: str | None) -> Core:
    """scipy.signal.correlate(x, V, method=method), as reference/scipy_nd.py uses it."""
    op = scipy.signal.convolve if bug == "convolution" else scipy.signal.correlate

    def core(x: np.ndarray, V: np.ndarray, padding: str) -> np.ndarray:
        delta = delta_of(V)
        if padding == "valid":
            _check_valid(x, delta, bug)
            return op(x, V, mode="valid", method=method)
        if padding == "zeros" and bug == "off-by-one":
            return _off_by_one(op(x, V, mode="full", method=method), delta, x.shape)
        if padding == "zeros":
            return op(x, V, mode="same", method=method)
        extended = np.pad(x, delta, mode="symmetric" if bug == "padding-mode" else "wrap")
        return op(extended, V, mode="valid", method=method)

    return core


def _ndimage(bug: str | None) -> Core:
    """scipy.ndimage.correlate, as reference/scipy_adapters.py uses it (with its fix for
    the weights ndimage skips); ndimage.convolve is correlate with V reversed."""

    def core(x: np.ndarray, V: np.ndarray, padding: str) -> np.ndarray:
        delta = delta_of(V)
        K = V[(slice(None, None, -1),) * V.ndim] if bug == "convolution" else V
        origin = -1 if bug == "off-by-one" and delta else 0  # ndimage refuses it for 1-wide V
        if padding == "circular":
            mode = "reflect" if bug == "padding-mode" else "grid-wrap"
        else:
            mode = "constant"
        if bug == "tiny-weights":
            h = scipy.ndimage.correlate(x, K, mode=mode, cval=0.0, origin=origin)
        else:
            h = _ndimage_correlate(x, K, mode, origin)
        if padding == "valid":
            _check_valid(x, delta, bug)
            return h[tuple(slice(delta, n - delta) for n in x.shape)]
        return h

    return core


def _numpy(bug: str | None) -> Callable[..., np.ndarray]:
    """numpy.correlate in 1-D, as reference/numpy_adapter.py uses it."""
    op = np.convolve if bug == "convolution" else np.correlate

    def layer(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
        if x.ndim != 1 or V.ndim != 1:
            raise NotImplementedError("numpy.correlate is 1-D only")
        delta = delta_of(V)
        if padding == "valid":
            _check_valid(x, delta, bug)
            h = op(x, V, mode="valid")
        elif padding == "zeros" and bug == "same-mode":
            h = op(x, V, mode="same")
        elif padding == "zeros" and bug == "off-by-one":
            h = _off_by_one(op(x, V, mode="full"), delta, x.shape)
        elif padding == "zeros":
            h = op(x, V, mode="full")[delta : delta + len(x)]
        else:
            extended = np.pad(x, delta, mode="symmetric" if bug == "padding-mode" else "wrap")
            h = op(extended, V, mode="valid")
        return (np.asarray(u, dtype=h.dtype) + h).astype(x.dtype, copy=False)

    return layer


def _signal_2d(name: str, bug: str | None) -> Callable[..., np.ndarray]:
    """scipy.signal.correlate2d(x, V) or convolve2d(x, V rotated 180°), as
    reference/scipy_adapters.py uses them; 'convolution' drops (correlate2d: adds) the
    rotation."""
    op = getattr(scipy.signal, name)
    rotate = (name == "convolve2d") != (bug == "convolution")

    def layer(x: np.ndarray, V: np.ndarray, u: float, padding: str) -> np.ndarray:
        delta = delta_of(V)
        K = V[::-1, ::-1] if rotate else V
        if padding == "valid":
            _check_valid(x, delta, bug)
            return u + op(x, K, mode="valid")
        if padding == "zeros" and bug == "off-by-one":
            return u + _off_by_one(op(x, K, mode="full"), delta, x.shape)
        boundary = {"zeros": "fill", "circular": "symm" if bug == "padding-mode" else "wrap"}
        return u + op(x, K, mode="same", boundary=boundary[padding], fillvalue=0)

    return layer


def _torch(bug: str | None) -> Callable[..., np.ndarray]:
    """torch.nn.functional.conv{1,2,3}d, as reference/torch_adapter.py uses it."""

    def layer(x: np.ndarray, V: np.ndarray, u: float | np.ndarray, padding: str) -> np.ndarray:
        import torch
        import torch.nn.functional as F  # noqa: N812

        torch.set_num_threads(1)
        channels = V.ndim == x.ndim + 1
        d = x.ndim - 1 if channels else x.ndim
        delta = delta_of(V, d)
        dtype = torch.float32 if x.dtype == np.float32 else torch.float64
        xt = torch.tensor(np.ascontiguousarray(x), dtype=dtype)
        Vt = torch.tensor(np.ascontiguousarray(V), dtype=dtype)
        if bug == "convolution":
            Vt = Vt.flip(list(range(d)))
        if channels:
            xt = xt.movedim(-1, 0)
            if bug == "channels-swapped":
                Vt = torch.tensor(np.ascontiguousarray(_swapped(V)), dtype=dtype)
            weight = Vt.permute(d + 1, d, *range(d))
            bias = torch.tensor(np.ascontiguousarray(u), dtype=dtype).reshape(-1)
        else:
            xt, weight = xt[None], Vt[None, None]
            bias = torch.tensor([float(u)], dtype=dtype)
        xt = xt[None]
        if padding == "valid":
            _check_valid(x[..., 0] if channels else x, delta, bug)
        elif padding == "zeros" and bug == "padding-mode":
            xt = F.pad(xt, [delta, delta] * d, mode="replicate")
        elif padding == "zeros":
            xt = F.pad(xt, [delta - 1, delta + 1] * d if bug == "off-by-one" else [delta] * 2 * d)
        elif bug == "circular-pads-once":
            xt = F.pad(xt, [delta, delta] * d, mode="circular")
        else:
            for axis, n in enumerate(xt.shape[2:], start=2):
                xt = xt.index_select(axis, torch.arange(-delta, n + delta) % n)
        out = (F.conv1d, F.conv2d, F.conv3d)[d - 1](xt, weight, bias)[0]
        return (out.movedim(0, -1) if channels else out[0]).numpy()

    return layer


def _real(adapter: str) -> Layer:
    return load(adapter) if adapter == "torch" else BUILTINS[adapter]


def variant(adapter: str, bug: str | None = None) -> Layer:
    """The adapter rebuilt with the mistake ``bug`` (None: none), declaring what the real
    adapter declares."""
    if adapter in ("scipy-direct", "scipy-fft"):
        fn = _summed(_signal_nd(adapter.removeprefix("scipy-"), bug), bug == "channels-swapped")
        declares: object = BUILTINS[adapter].fn
    elif adapter == "ndimage":
        fn, declares = _summed(_ndimage(bug), bug == "channels-swapped"), BUILTINS[adapter].fn
    elif adapter == "numpy":
        fn, declares = _numpy(bug), BUILTINS[adapter].fn
    elif adapter in ("correlate2d", "convolve2d"):
        fn, declares = _signal_2d(adapter, bug), BUILTINS[adapter].fn
    else:
        from convproof.reference.torch_adapter import torch_layer

        fn, declares = _torch(bug), torch_layer
    return Layer(f"{adapter}/{bug or 'correct'}", fn, declared(declares))


def _needs(adapter: str) -> None:
    if adapter == "torch":
        pytest.importorskip("torch")


#: The properties every adapter is held to: those of properties/test_layers_nd.py, every
#: parametrization, in their order there (agreement first).
PROPERTIES: list[Property] = [p for p in layer_properties() if p.module == "test_layers_nd"]

#: Where a catch is tried first (the rest follow in order): the property of the mistake.
FIRST_LOOK = {
    "valid-unchecked": "test_valid_rejects_a_kernel_larger_than_the_input",
    "channels-swapped": "test_channels_agree_with_the_channel_oracle",
}


def _ndim(prop: Property) -> int:
    return dict(prop.params)["ndim"]


def _with_channels(prop: Property) -> bool:
    return "channel" in prop.name


WRONG = [(adapter, bug) for adapter, bugs in BUGS.items() for bug in bugs]


@pytest.mark.parametrize(("adapter", "bug"), WRONG, ids=[f"{a}/{b}" for a, b in WRONG])
def test_wrong_adapter_is_caught_in_every_declared_dimension(adapter, bug, record_property):
    """For each dimension the adapter declares, some property of that dimension fails on
    the mistake (a channel property, for channels swapped)."""
    _needs(adapter)
    layer = variant(adapter, bug)
    caught = {}
    for ndim in sorted(layer.dims):
        candidates = sorted(
            (p for p in PROPERTIES if _ndim(p) == ndim
             and (bug != "channels-swapped" or _with_channels(p))),
            key=lambda p: p.name != FIRST_LOOK.get(bug),
        )
        for prop in candidates:
            result = run(prop, layer)
            if result.failed:
                caught[ndim] = f"{result.prop.id} ({result.message[:120]})"
                break
        else:
            raise AssertionError(f"{layer.name} passes every {ndim}-D property")
    record_property("caught_by", caught)


#: For each property of test_layers_nd.py, a mistake that fails it in every
#: parametrization: each property can fail.
WITNESSES = {
    "test_agrees_with_the_loop_oracle": ("scipy-direct", "convolution"),
    "test_valid_rejects_a_kernel_larger_than_the_input": ("scipy-direct", "valid-unchecked"),
    "test_shift_equivariance_on_the_torus_in_every_dimension": ("ndimage", "padding-mode"),
    "test_locality_in_every_dimension": ("scipy-fft", "off-by-one"),
    "test_channels_agree_with_the_channel_oracle": ("ndimage", "channels-swapped"),
    "test_channel_shift_equivariance_on_the_torus": ("scipy-direct", "padding-mode"),
    "test_channel_locality": ("scipy-fft", "convolution"),
}


def test_every_property_has_a_witness():
    assert PROPERTIES
    assert {p.name for p in PROPERTIES} == set(WITNESSES)


@pytest.mark.parametrize("prop", PROPERTIES, ids=lambda p: p.id)
def test_property_fails_on_its_witness(prop):
    layer = variant(*WITNESSES[prop.name])
    result = run(prop, layer)
    assert result.failed, f"{prop.id} passes on {layer.name}"


CONTROLS = [(adapter, real) for adapter in BUGS for real in (True, False)]
#: The controls run each property with max_examples // ADAPTER_CONTROL_SHARE examples:
#: ``pytest properties --impl NAME`` (CI) runs the adapters through them in full.
ADAPTER_CONTROL_SHARE = 10


@pytest.mark.parametrize(("adapter", "real"), CONTROLS,
                         ids=[f"{a}-{'adapter' if r else 'variant'}" for a, r in CONTROLS])
def test_correct_adapter_passes(adapter, real):
    """The controls: the adapter itself, and :func:`variant` without a mistake, pass every
    property (with max_examples // ADAPTER_CONTROL_SHARE examples each)."""
    _needs(adapter)
    layer = _real(adapter) if real else variant(adapter)
    runs = [run(p, layer, catch=False, share=ADAPTER_CONTROL_SHARE) for p in PROPERTIES]
    failures = [f"{r.prop.id}: {r.message}" for r in runs if r.failed]
    assert not failures, f"{layer.name} is correct, yet fails:\n" + "\n".join(failures)
    ran = [r for r in runs if r.examples > 1]
    assert ran, f"{layer.name} was skipped by every property"


def test_variant_declares_what_the_adapter_declares():
    for adapter in BUGS:
        if adapter == "torch" and importlib.util.find_spec("torch") is None:
            continue
        real, rebuilt = _real(adapter), variant(adapter)
        for field in ("error_model", "paddings", "dims", "channels", "dtypes"):
            assert getattr(real, field) == getattr(rebuilt, field), (adapter, field)


# --- PyTorch missing ---------------------------------------------------------------

#: A pytest plugin (``-p no_torch``) that hides PyTorch from the import system, as on a
#: machine where it is not installed: every finder reports no module torch.
NO_TORCH = '''
import sys


class _Hidden:
    def __init__(self, finder):
        self.finder = finder

    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            return None
        find = getattr(self.finder, "find_spec", None)
        return find(name, path, target) if find else None

    def __getattr__(self, name):
        # everything else (find_distributions: package metadata, which pluggy >= 1.7
        # reads for every plugin) from the finder itself
        return getattr(self.finder, name)


sys.meta_path[:] = [_Hidden(finder) for finder in sys.meta_path]
'''


def test_missing_torch_names_the_install_command(monkeypatch):
    """load('torch') without PyTorch: MissingDependencyError, one line, with the command."""
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *rest: None if name == "torch" else find_spec(name, *rest))
    with pytest.raises(MissingDependencyError) as caught:
        load("torch")
    message = str(caught.value)
    assert "\n" not in message
    assert "torch is not installed" in message
    assert "pip install torch==2.13.0" in message


def test_run_without_torch_says_how_to_install_it_and_runs_the_rest(tmp_path):
    """``pytest --impl torch`` on a machine without PyTorch: one line says how to install
    it, the properties that need no layer pass, those that do are skipped, exit 0."""
    (tmp_path / "no_torch.py").write_text(NO_TORCH)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [
        str(tmp_path), os.environ.get("PYTHONPATH", "")]))}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no_torch", "properties/test_dense.py",
         "properties/test_agreement.py", "--impl", "torch"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    hints = [line for line in output.splitlines() if "pip install torch==2.13.0" in line]
    assert len(hints) == 1, output[-3000:]
    assert "torch is not installed" in hints[0]
    assert re.search(r"\b\d+ passed, \d+ skipped\b", output), output[-3000:]
    assert "Traceback" not in output
