"""JAX as a plug-in: jax.lax.conv_general_dilated behind the conv contract.

Mapping (JAX docs, jax.lax.conv_general_dilated): with dimension_numbers ("NCH", "OIH",
"NCH") in 1-D ("NCHW"/"OIHW", "NCDHW"/"OIDHW" in 2-D and 3-D) the operands have the
contract's layouts, and conv_general_dilated(lhs, rhs, window_strides, padding,
rhs_dilation, feature_group_count) computes out[m, o, i] = Σ_c Σ_a rhs[o, c, a]·
lhs_padded[m, g·G + c, i·stride + a·rhs_dilation], a cross-correlation, so:

* stride -> window_strides; dilation -> rhs_dilation (lhs_dilation, which dilates the
  input, is the transposed convolution's and stays 1); groups -> feature_group_count;
* padding: the contract's (lo, hi) pairs are JAX's explicit padding pairs, zeros;
* 'circular': lax pads with zeros only; the adapter takes x at (j mod n) for j in
  -lo .. n+hi-1 (jnp.take) and calls with padding (0, 0);
* bias: added after the convolution (lax has no bias operand);
* float64: JAX computes in float32 unless ``jax_enable_x64`` is set; the adapter sets it
  at import, and float32 inputs stay float32;
* no output: lax returns an empty array (size 0 along the axis) where no window fits,
  silently (tests/test_conv_findings.py); the adapter checks the output size first and
  raises ValueError, as the contract asks;
* the backward pass (``jax_conv.vjp``): jax.vjp of the same function;
* compilation: XLA compiles a program for every new shape (about 0.1 s of CPU each for
  the forward pass, 0.3 s for the backward one), which is most of a JAX run's time; the
  adapter jits each call as one program and drops the compiled ones every
  :data:`CLEAR_EVERY` calls, to bound the memory they hold.

JAX is an optional dependency, pinned to the release this suite was checked with
(jax and jaxlib 0.10.2, CPU): ``pip install -e '.[jax]'``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from convproof.reference.conv_contract import declare_conv
from convproof.theory.conv import ConvSpec, conv_shape, spec_of

_NUMBERS = {1: ("NCH", "OIH", "NCH"), 2: ("NCHW", "OIHW", "NCHW"), 3: ("NCDHW", "OIDHW", "NCDHW")}


def _import_jax() -> None:
    """Import jax with numpy's global random state put back: importing jax 0.10.2 draws
    from numpy.random (README: findings), which the guard around each call would blame
    on the first call of the adapter."""
    state = np.random.get_state()  # noqa: NPY002 (the legacy global state is the point)
    import jax  # noqa: F401

    np.random.set_state(state)  # noqa: NPY002


_import_jax()  # when the adapter is loaded (--impl jax), before any guarded call


def _jax() -> Any:
    import jax

    if not jax.config.jax_enable_x64:
        jax.config.update("jax_enable_x64", True)
    return jax



#: Calls after which the compiled programs are dropped (jax.clear_caches): every new
#: shape compiles one, and a property run's thousands of shapes held 1.5 GB per process.
CLEAR_EVERY = 500
_calls = 0


def _count_call() -> None:
    global _calls
    _calls += 1
    if _calls % CLEAR_EVERY == 0:
        _function.cache_clear()
        _pullback.cache_clear()
        _jax().clear_caches()


@lru_cache(maxsize=512)
def _function(spec: ConvSpec, with_bias: bool) -> Any:
    """conv(x, w[, b]) as one jitted JAX function of arrays: run op by op, each
    primitive (take, conv, add) is compiled on its own for every new shape, four
    compilations instead of one (0.49 s -> 0.1 s a call on the bench machine)."""
    jax = _jax()
    import jax.numpy as jnp

    def conv(x: Any, w: Any, b: Any = None) -> Any:
        padding = spec.padding
        if spec.padding_mode == "circular":
            for axis, (lo, hi) in enumerate(spec.padding, start=2):
                n = x.shape[axis]
                x = jnp.take(x, jnp.arange(-lo, n + hi) % n, axis=axis)
            padding = ((0, 0),) * spec.ndim
        y = jax.lax.conv_general_dilated(
            x, w, window_strides=spec.stride, padding=padding, rhs_dilation=spec.dilation,
            dimension_numbers=_NUMBERS[spec.ndim], feature_group_count=spec.groups)
        if with_bias:
            y = y + b.reshape(-1, *(1,) * spec.ndim)
        return y

    return jax.jit(conv)


@declare_conv(dtypes=("float64", "float32"), vjp=True)
def jax_conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, **kw: Any) -> np.ndarray:
    """The conv contract through jax.lax.conv_general_dilated."""
    _count_call()
    spec = spec_of(kw)
    conv_shape(x.shape[2:], w.shape[2:], spec)  # ValueError where there is no output
    args = (x, w) if b is None else (x, w, np.asarray(b))
    return np.array(_function(spec, b is not None)(*args))


@lru_cache(maxsize=512)
def _pullback(spec: ConvSpec) -> Any:
    """g -> jax.vjp's cotangents of conv(x, w, b), jitted as one program (run op by op,
    the transposed ops compile one by one: several times slower)."""
    jax = _jax()
    forward = _function(spec, True)

    def pullback(x: Any, w: Any, b: Any, g: Any) -> Any:
        return jax.vjp(forward, x, w, b)[1](g)

    return jax.jit(pullback)


def jax_conv_vjp(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, g: np.ndarray,
                 **kw: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(∂L/∂x, ∂L/∂w, ∂L/∂b) of L = <conv(x, w, b), g> by jax.vjp."""
    _count_call()
    spec = spec_of(kw)
    conv_shape(x.shape[2:], w.shape[2:], spec)
    b = np.zeros(w.shape[0], dtype=x.dtype) if b is None else np.asarray(b)
    return tuple(np.array(t) for t in _pullback(spec)(x, w, b, g))  # type: ignore[return-value]


jax_conv.vjp = jax_conv_vjp  # type: ignore[attr-defined]
