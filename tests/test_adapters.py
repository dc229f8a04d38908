"""The adapters' index and alignment mappings are pinned down by the layer properties.

Each plug-in adapter (torch, scipy-direct, scipy-fft, ndimage, numpy, correlate2d,
convolve2d) maps the article's h[i] = u + Σ_a V[a]·x[i + a] onto its library's
conventions: where the 'same' output is cropped from the full correlation, whether the
library correlates or convolves, which axes of V are the channels, which padding mode is
zero padding and which the torus. :data:`MISTAKES` is the catalogue of the classic
mistakes, each one small change to the REAL adapter, never a second copy of it: a
wrapper of its inputs or outputs, or one of its internals replaced for the duration of
the call (:func:`patched`):

* ``off-by-one``: the 'same' window one position off on every axis (h[i] reads
  x[i + a + 1], zeros beyond), as a 'full' output cropped from Δ + 1;
* ``convolution``: the library's convolution in place of its correlation (or the kernel
  rotation dropped / doubled): the kernel flipped on its spatial axes;
* ``channels-swapped``: V's (C_in, C_out) axes read as (C_out, C_in) (:func:`_swapped`);
* ``padding-mode``: the torus read by mirroring (np.pad 'symmetric', ndimage 'reflect',
  boundary='symm'): the adapter's 'valid' on the mirrored extension;
* ``valid-unchecked``: the adapter's check_fits (reference.contract) skipped, so a kernel
  larger than the input under 'valid' gets the library's own answer (scipy and numpy
  swap their inputs, torch raises RuntimeError);
* ``circular-pads-once`` (torch): the periodic extension by F.pad(mode='circular'), which
  wraps at most once;
* ``same-mode`` (numpy): np.correlate(mode='same'), max(len(x), len(V)) long;
* ``tiny-weights`` (ndimage): ndimage.correlate as it is, which drops every weight
  |w| <= 2^-52 (README).

Every mistake must make a property fail in every dimension the adapter declares (with
channels, for the channel mistake): a property of properties/test_layers_nd.py, or for
d = 2 without channels one of the 2-D modules' (:data:`PLANE`), which test_layers_nd.py
leaves that case to; every property of test_layers_nd.py must fail on some mistake; and
the adapters themselves pass them all (the controls). The properties are run as
tests/catalogue.py runs them: no example database, and a catch is the first failing
example.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.ndimage
from convproof.reference import BUILTINS, load
from convproof.reference.contract import Layer, LayerFn, MissingDependencyError
from convproof.theory.indices import delta_of, shift

from tests.catalogue import Property, layer_properties, run

pytestmark = pytest.mark.machinery

ROOT = Path(__file__).resolve().parent.parent


def _spatial(x: np.ndarray, V: np.ndarray) -> int:
    """The number of spatial axes: all of x's, or all but its channel axis."""
    return x.ndim - 1 if V.ndim == x.ndim + 1 else x.ndim


def patched(module: str, name: str, value: Callable[..., Any]) -> Callable[[LayerFn], LayerFn]:
    """A wrapper that runs the adapter with ``module.name`` replaced by ``value`` (and puts
    it back afterwards, also when the call raises)."""

    def wrap(fn: LayerFn) -> LayerFn:
        @functools.wraps(fn)
        def wrong(x: np.ndarray, V: np.ndarray, u: Any, padding: str) -> np.ndarray:
            target = importlib.import_module(module)
            original = getattr(target, name)
            setattr(target, name, value)
            try:
                return fn(x, V, u, padding)
            finally:
                setattr(target, name, original)

        return wrong

    return wrap


def _inputs(change: Callable[[np.ndarray, np.ndarray, Any, str], tuple]) -> Callable[[LayerFn], LayerFn]:
    """A wrapper that hands the adapter changed arguments: ``change(x, V, u, padding)``."""

    def wrap(fn: LayerFn) -> LayerFn:
        @functools.wraps(fn)
        def wrong(x: np.ndarray, V: np.ndarray, u: Any, padding: str) -> np.ndarray:
            return fn(*change(x, V, u, padding))

        return wrong

    return wrap


def _off_by_one(x, V, u, padding):
    """'zeros' reads x[i + a + 1]: x moved back by one pixel on every spatial axis."""
    if padding == "zeros":
        x = shift(x, (-1,) * _spatial(x, V), "zeros")
    return x, V, u, padding


def _convolution(x, V, u, padding):
    """The kernel flipped on its spatial axes: the convolution, not the correlation."""
    return x, np.flip(V, axis=tuple(range(_spatial(x, V)))), u, padding


def _swapped(V: np.ndarray) -> np.ndarray:
    """V's channel axes read the wrong way round: its (C_in, C_out) block taken as
    (C_out, C_in), the silent form of the mistake (a reshape where a transpose belongs):
    the transpose when C_in = C_out, a scramble otherwise, no change when either is 1."""
    c_in, c_out = V.shape[-2:]
    return V.reshape(*V.shape[:-2], c_out, c_in).swapaxes(-1, -2)


def _channels_swapped(x, V, u, padding):
    return x, (_swapped(V) if V.ndim == x.ndim + 1 else V), u, padding


def _mirrored_torus(x, V, u, padding):
    """'circular' read by mirroring: the 'valid' correlation of x extended symmetrically."""
    if padding != "circular":
        return x, V, u, padding
    d = _spatial(x, V)
    delta = delta_of(V, d)
    widths = [(delta, delta)] * d + [(0, 0)] * (x.ndim - d)
    return np.pad(x, widths, mode="symmetric"), V, u, "valid"


def _unchecked(fn: LayerFn) -> LayerFn:
    """The adapter with its module's check_fits (reference.contract) made a no-op."""
    return patched(fn.__module__, "check_fits", lambda spatial, delta: None)(fn)


def _torch_built(**stage: Callable[..., Any]) -> Callable[[], LayerFn]:
    """torch's form of a mistake: reference/torch_conv.py's adapter built with one stage
    replaced (its Stages), as the article's layer (reference.embedding), as --impl torch
    runs it."""

    def make() -> LayerFn:
        from convproof.reference import torch_conv
        from convproof.reference.conv_contract import as_conv
        from convproof.reference.embedding import article_layer

        conv = torch_conv.build(torch_conv.Stages(**stage))
        return article_layer(as_conv("torch", conv)).fn

    return make


def _pads_once(xt, spec):
    """F.pad(mode='circular'), which wraps at most once, in place of indexing modulo n."""
    import torch.nn.functional as F  # noqa: N812

    if spec.padding_mode != "circular":
        from convproof.reference.torch_conv import _pad

        return _pad(xt, spec)
    return F.pad(xt, [p for lo_hi in reversed(spec.padding) for p in lo_hi], mode="circular")


def _same_mode(x: np.ndarray, V: np.ndarray, delta: int) -> np.ndarray:
    return np.correlate(x, V, mode="same")


def _ndimage_as_is(x: np.ndarray, V: np.ndarray, mode: str, origin: int = 0) -> np.ndarray:
    return scipy.ndimage.correlate(x, V, mode=mode, cval=0.0, origin=origin)


@dataclass(frozen=True)
class Mistake:
    """One classic adapter mistake: ``make(real adapter) -> wrong adapter``, for the
    adapters it applies to."""

    make: Callable[[LayerFn], LayerFn]
    adapters: tuple[str, ...]
    #: torch's form, where it is not a change of the embedded layer's inputs: the conv
    #: adapter built with one stage replaced (:func:`_torch_built`)
    torch: Callable[[], LayerFn] | None = None


ADAPTERS = ("torch", "scipy-direct", "scipy-fft", "ndimage", "numpy", "correlate2d", "convolve2d")
WITH_CHANNELS = ("torch", "scipy-direct", "scipy-fft", "ndimage")

#: The catalogue of mistakes (module docstring), each a change to the real adapter.
MISTAKES: dict[str, Mistake] = {
    "off-by-one": Mistake(_inputs(_off_by_one), ADAPTERS),
    "convolution": Mistake(_inputs(_convolution), ADAPTERS),
    "padding-mode": Mistake(_inputs(_mirrored_torus), ADAPTERS),
    "valid-unchecked": Mistake(_unchecked, ADAPTERS,
                               _torch_built(check=lambda x, w, spec: None)),
    "channels-swapped": Mistake(_inputs(_channels_swapped), WITH_CHANNELS),
    "circular-pads-once": Mistake(_unchecked, ("torch",), _torch_built(pad=_pads_once)),
    "same-mode": Mistake(
        patched("convproof.reference.numpy_adapter", "_same", _same_mode), ("numpy",)),
    "tiny-weights": Mistake(
        patched("convproof.reference.scipy_adapters", "_ndimage_correlate", _ndimage_as_is),
        ("ndimage",)),
}


def _real(adapter: str) -> Layer:
    """The adapter as --impl runs it: torch is a conv-contract adapter, seen as the
    article's layer through reference.embedding."""
    if adapter != "torch":
        return BUILTINS[adapter]
    from convproof.reference.embedding import article_layer

    return article_layer(load("torch"))


def variant(adapter: str, mistake: str) -> Layer:
    """The real adapter with the mistake, declaring what the adapter declares."""
    real, m = _real(adapter), MISTAKES[mistake]
    fn = m.torch() if adapter == "torch" and m.torch else m.make(real.fn)
    return Layer(f"{adapter}/{mistake}", fn, real.declares)


def _needs(adapter: str) -> None:
    if adapter == "torch":
        pytest.importorskip("torch")


#: The 2-D modules' properties that test_layers_nd.py's state for d = 2 without channels.
PLANE = {
    "test_agreement": ("test_agrees_with_the_loop_transcription", "test_agrees_in_float32",
                       "test_valid_rejects_a_kernel_larger_than_the_image"),
    "test_shift": ("test_shift_equivariance_on_the_torus",),
    "test_locality": ("test_sensitivity_is_the_kernel_inside_the_window_and_zero_outside",),
}

#: The properties every adapter is held to: those of properties/test_layers_nd.py, every
#: parametrization, in their order there (agreement first), then PLANE's.
ND_PROPERTIES: list[Property] = [p for p in layer_properties() if p.module == "test_layers_nd"]
PROPERTIES: list[Property] = ND_PROPERTIES + [
    p for p in layer_properties() if p.name in PLANE.get(p.module, ())]

#: Where a catch is tried first (the rest follow in order): the property of the mistake.
FIRST_LOOK = {
    "valid-unchecked": "test_valid_rejects_a_kernel_larger_than_the_input",
    "channels-swapped": "test_channels_agree_with_the_channel_oracle",
}


def _ndim(prop: Property) -> int:
    return dict(prop.params)["ndim"] if prop.module == "test_layers_nd" else 2


def _with_channels(prop: Property) -> bool:
    return "channel" in prop.name


WRONG = [(adapter, name) for name, mistake in MISTAKES.items() for adapter in mistake.adapters]


@pytest.mark.parametrize(("adapter", "mistake"), WRONG, ids=[f"{a}/{m}" for a, m in WRONG])
def test_wrong_adapter_is_caught_in_every_declared_dimension(adapter, mistake, record_property):
    """For each dimension the adapter declares, some property of that dimension fails on
    the mistake (a channel property, for channels swapped)."""
    _needs(adapter)
    layer = variant(adapter, mistake)
    caught = {}
    for ndim in sorted(layer.dims):
        candidates = sorted(
            (p for p in PROPERTIES if _ndim(p) == ndim
             and (mistake != "channels-swapped" or _with_channels(p))),
            key=lambda p: p.name != FIRST_LOOK.get(mistake),
        )
        for prop in candidates:
            result = run(prop, layer)
            if result.failed:
                caught[ndim] = f"{result.prop.id} ({result.message[:120]})"
                break
        else:
            raise AssertionError(f"{layer.name} passes every {ndim}-D property")
    record_property("caught_by", caught)


def test_a_mistake_leaves_the_adapter_as_it_was():
    """A patched internal is put back after the call, also when the call raises."""
    layer = variant("scipy-direct", "valid-unchecked")
    module = importlib.import_module("convproof.reference.scipy_nd")
    before = module.check_fits
    layer.fn(np.zeros(2), np.ones(5), 0.0, "valid")  # scipy swaps its inputs: no error
    assert module.check_fits is before
    with pytest.raises(ValueError, match="larger than the input"):
        BUILTINS["scipy-direct"].fn(np.zeros(2), np.ones(5), 0.0, "valid")


#: For each property of test_layers_nd.py, a mistake that fails it in every
#: parametrization: each property can fail (PLANE's have theirs in tests/test_mutants.py).
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
    assert ND_PROPERTIES
    assert {p.name for p in ND_PROPERTIES} == set(WITNESSES)
    assert {p.name for p in PROPERTIES} - set(WITNESSES) == {n for v in PLANE.values() for n in v}


@pytest.mark.parametrize("prop", ND_PROPERTIES, ids=lambda p: p.id)
def test_property_fails_on_its_witness(prop):
    layer = variant(*WITNESSES[prop.name])
    result = run(prop, layer)
    assert result.failed, f"{prop.id} passes on {layer.name}"


#: The controls run each property with max_examples // ADAPTER_CONTROL_SHARE examples:
#: ``pytest properties --impl NAME`` (CI) runs the adapters through them in full.
ADAPTER_CONTROL_SHARE = 10


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_correct_adapter_passes(adapter):
    """The controls: each adapter itself passes every property (with
    max_examples // ADAPTER_CONTROL_SHARE examples each)."""
    _needs(adapter)
    layer = _real(adapter)
    runs = [run(p, layer, catch=False, share=ADAPTER_CONTROL_SHARE) for p in PROPERTIES]
    failures = [f"{r.prop.id}: {r.message}" for r in runs if r.failed]
    assert not failures, f"{layer.name} is correct, yet fails:\n" + "\n".join(failures)
    ran = [r for r in runs if r.examples > 1]
    assert ran, f"{layer.name} was skipped by every property"


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
