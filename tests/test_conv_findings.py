"""Where a library deviates from the conv contract or its own documentation, a minimal
example (README: findings), and the adapter's workaround shown necessary: the adapter
rebuilt without it fails a conv property.

* ONNX Runtime (1.32.0, CPU) has no float64 Conv kernel, although the ONNX operator
  spec's Conv admits tensor(double): a double model fails with NOT_IMPLEMENTED; the
  adapter declares float32 only;
* jax.lax.conv_general_dilated (0.10.2) returns an empty array where no window fits
  (x of length 2, kernel of 3) instead of raising, so a shape error passes silently; the
  contract asks for ValueError, which the adapter raises;
* PyTorch (2.13.0) raises RuntimeError where no window fits, and F.pad(mode='circular')
  (as Conv2d(padding_mode='circular')) refuses to wrap more than once; the adapter
  checks the size first and indexes modulo n (tests/test_adapters.py's
  ``circular-pads-once`` shows the second as a failing property);
* numpy (2.x) np.ascontiguousarray returns a one-element view with a negative stride
  (b[::-1] of shape (1,)) unchanged, and torch.tensor refuses it; the torch adapter
  copies with np.array(a, order="C").
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tests.catalogue import run
from tests.conv_catalogue import CONV_PROPERTIES

pytestmark = pytest.mark.machinery


def _no_output_property(ndim: int = 1):
    return next(p for p in CONV_PROPERTIES if p.name == "test_no_output_is_a_value_error"
                and dict(p.params)["ndim"] == ndim)


def test_onnxruntime_has_no_float64_conv():
    ort = pytest.importorskip("onnxruntime")
    from onnx import TensorProto, helper

    node = helper.make_node("Conv", ["x", "w"], ["y"])
    io = [helper.make_tensor_value_info(n, TensorProto.DOUBLE, None) for n in ("x", "w", "y")]
    model = helper.make_model(helper.make_graph([node], "g", io[:2], io[2:]),
                              opset_imports=[helper.make_opsetid("", 21)])
    model.ir_version = 10
    with pytest.raises(Exception, match="NOT_IMPLEMENTED"):
        ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


def test_jax_returns_an_empty_array_where_no_window_fits():
    pytest.importorskip("jax")
    from convproof.reference.jax_conv import _jax

    jax = _jax()
    y = jax.lax.conv_general_dilated(np.ones((1, 1, 2)), np.ones((1, 1, 3)), (1,), [(0, 0)])
    assert y.shape == (1, 1, 0)


def test_jax_adapter_without_its_size_check_fails_the_contract(monkeypatch):
    pytest.importorskip("jax")
    from convproof.reference import jax_conv as adapter
    from convproof.reference import load

    monkeypatch.setattr(adapter, "conv_shape", lambda *args: None)
    result = run(_no_output_property(), load("jax"))
    assert result.failed
    assert "returned a result" in result.message


def test_torch_raises_runtime_error_where_no_window_fits():
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F  # noqa: N812

    with pytest.raises(RuntimeError, match="Kernel size can't be greater"):
        F.conv1d(torch.ones(1, 1, 2), torch.ones(1, 1, 3))
    with pytest.raises(RuntimeError):  # wraps at most once: a pad of 3 on a length-2 axis
        F.pad(torch.ones(1, 1, 2), (3, 3), mode="circular")


def test_torch_adapter_without_its_size_check_fails_the_contract():
    pytest.importorskip("torch")
    from convproof.reference import torch_conv as adapter
    from convproof.reference.conv_contract import as_conv

    unchecked = adapter.build(dataclasses.replace(adapter.Stages(), check=lambda *a: None))
    result = run(_no_output_property(), as_conv("torch", unchecked))
    assert result.failed
    assert "RuntimeError" in result.message


def test_ascontiguousarray_keeps_a_one_element_negative_stride():
    torch = pytest.importorskip("torch")

    b = np.ones(2)[1:][::-1]  # one element, stride -8
    assert np.ascontiguousarray(b).strides == (-8,)
    with pytest.raises(ValueError, match="negative"):
        torch.tensor(np.ascontiguousarray(b))


def test_torch_adapter_copying_with_ascontiguousarray_fails_a_property():
    pytest.importorskip("torch")
    import torch
    from convproof.reference import torch_conv as adapter
    from convproof.reference.conv_contract import as_conv

    def tensor(a, dtype):
        return torch.tensor(np.ascontiguousarray(a), dtype=dtype)

    unsafe = adapter.build(dataclasses.replace(adapter.Stages(), tensor=tensor))
    # the first conv property that fails: which one draws a one-element reversed array
    # first depends on the draws, not on the finding
    result = next((r for r in (run(p, as_conv("torch", unsafe)) for p in CONV_PROPERTIES)
                   if r.failed), None)
    assert result is not None, "no conv property fails on the copying adapter"
    assert "negative" in result.message


def test_same_padding_of_an_even_kernel_is_not_d2l_s_split():
    """PyTorch's padding='same' and lax's 'SAME' pad an even kernel ⌊p/2⌋ before and
    ⌈p/2⌉ after, the opposite of d2l 7.3's 'one possibility' (⌈p/2⌉ on top): the same
    layer ported between the two conventions moves its output by one position."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("jax")
    import torch.nn.functional as F  # noqa: N812
    from convproof.reference.conv import conv_loops
    from convproof.reference.jax_conv import _jax

    x = np.zeros((1, 1, 5))
    x[0, 0, 2] = 1.0
    w = np.array([[[1.0, 2.0]]])  # k = 2, p = k - 1 = 1
    d2l = conv_loops(x, w, None, stride=(1,), padding=((1, 0),), dilation=(1,))
    after = conv_loops(x, w, None, stride=(1,), padding=((0, 1),), dilation=(1,))
    with pytest.warns(UserWarning, match="zero-padded copy"):  # PyTorch pads a copy
        same_torch = F.conv1d(torch.tensor(x), torch.tensor(w), padding="same").numpy()
    same_lax = np.asarray(_jax().lax.conv_general_dilated(x, w, (1,), "SAME"))
    assert np.array_equal(same_torch, after)
    assert np.array_equal(same_lax, after)
    assert np.array_equal(np.roll(after, 1), d2l)  # one position apart
