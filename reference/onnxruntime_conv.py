"""ONNX Runtime as a plug-in: the ONNX Conv operator behind the conv contract.

Mapping (ONNX operator spec, Conv, opset 11 and later): Conv(X, W, B) with attributes
pads, strides, dilations, group, kernel_shape computes Y[m, o, i] = B[o] + Σ_c Σ_a
W[o, c, a]·X_padded[m, g·G + c, i·stride + a·dilation] on X (N, C, *n) and W
(M, C / group, *k): the contract's layouts, so:

* stride -> strides; dilation -> dilations; groups -> group; b -> B (omitted if None);
* padding: ONNX's ``pads`` list all the starts, then all the ends: [lo_1, ..., lo_d,
  hi_1, ..., hi_d] (asymmetric padding is native); zeros;
* 'circular': a Pad node with mode='wrap' (opset 19) before a Conv with zero pads;
  ONNX Runtime wraps any number of turns;
* dtype: ONNX Runtime's CPU provider has a Conv kernel for float32 only (float64 raises
  NOT_IMPLEMENTED), so the adapter declares float32 and runs nothing else;
* no output: ONNX Runtime fails with INVALID_ARGUMENT ("Invalid input shape"); the
  adapter checks the output size first and raises ValueError;
* sessions: one InferenceSession per (attributes, rank) with dynamic shapes, kept
  in a small cache: building a session costs milliseconds, a call microseconds.

No backward pass: ONNX Runtime's inference sessions do not differentiate.

onnxruntime and onnx are optional dependencies, pinned to the releases this suite was
checked with (onnxruntime 1.32.0, onnx 1.23.2): ``pip install -e '.[onnxruntime]'``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from convproof.reference.conv_contract import declare_conv
from convproof.theory.conv import ConvSpec, conv_shape, spec_of

OPSET = 21


@lru_cache(maxsize=256)
def _session(spec: ConvSpec, kernel: tuple[int, ...], with_bias: bool) -> Any:
    import onnxruntime as ort
    from onnx import TensorProto, helper

    d = spec.ndim
    nodes, inputs = [], ["x", "w", *(["b"] if with_bias else [])]
    source, pads = "x", [lo for lo, _ in spec.padding] + [hi for _, hi in spec.padding]
    if spec.padding_mode == "circular":
        wrap = helper.make_tensor("wrap", TensorProto.INT64, [2 * (d + 2)],
                                  [0, 0, *pads[:d], 0, 0, *pads[d:]])
        nodes.append(helper.make_node("Constant", [], ["wrap_pads"], value=wrap))
        nodes.append(helper.make_node("Pad", ["x", "wrap_pads"], ["xp"], mode="wrap"))
        source, pads = "xp", [0] * (2 * d)
    nodes.append(helper.make_node(
        "Conv", [source, *inputs[1:]], ["y"], pads=pads, strides=list(spec.stride),
        dilations=list(spec.dilation), group=spec.groups, kernel_shape=list(kernel)))
    f32 = TensorProto.FLOAT
    graph = helper.make_graph(
        nodes, "conv", [helper.make_tensor_value_info(name, f32, None) for name in inputs],
        [helper.make_tensor_value_info("y", f32, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 10
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # small inputs on a shared machine (as for torch)
    options.inter_op_num_threads = 1
    return ort.InferenceSession(model.SerializeToString(), options,
                                providers=["CPUExecutionProvider"])


@declare_conv(dtypes=("float32",))
def onnxruntime_conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, **kw: Any
                     ) -> np.ndarray:
    """The conv contract through an ONNX Conv node run by ONNX Runtime (CPU)."""
    spec = spec_of(kw)
    conv_shape(x.shape[2:], w.shape[2:], spec)  # ValueError where there is no output
    if x.dtype != np.float32:
        raise NotImplementedError(f"ONNX Runtime's CPU Conv is float32 only, got {x.dtype}")
    feeds = {"x": np.ascontiguousarray(x), "w": np.ascontiguousarray(w)}
    if b is not None:
        feeds["b"] = np.ascontiguousarray(b, dtype=np.float32)
    session = _session(spec, tuple(w.shape[2:]), b is not None)
    return session.run(None, feeds)[0]
