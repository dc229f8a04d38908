"""Wrong variants of the suite's mathematics, and how to install one everywhere at once.

Each :class:`Variant` replaces one or more functions of convproof (a count formula, an
index map, a reference layer, a helper of a property module) by a plausible wrong
version, and names the properties it must make fail (:attr:`Variant.catches`). It is
installed GLOBALLY (:func:`installed`): every reference to the original function in every
loaded convproof module (under any name: pytest imports the property modules as
properties.test_*) is replaced (module attributes, the values of dicts and the items
of lists and tuples held in module attributes, and the fields of dataclass instances
there, such as reference.BUILTINS' and reference.oracles' Layers). A property that
computes both sides of its comparison with the same function F therefore sees the wrong
F on both sides and passes: tests/test_independence.py requires every property without a
``layer`` argument to fail under some variant, so such a comparison shows up there.

A property is named by its catalogue id, ``module::function`` for every parametrization
or ``module::function[ids]`` for one (tests/catalogue.py), and ``...@name`` runs it on
the built-in layer ``name`` (a layer property).
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import scipy.signal

Make = Callable[[Callable[..., Any]], Callable[..., Any]]


@dataclasses.dataclass(frozen=True)
class Variant:
    """``changes``: (target "module:function", make(original) -> wrong version) pairs,
    installed together; ``catches``: the properties that must fail under them."""

    name: str
    changes: tuple[tuple[str, Make], ...]
    catches: tuple[str, ...]


def _resolve(target: str) -> tuple[Any, str, Any]:
    module_name, _, attribute = target.partition(":")
    module = importlib.import_module(module_name)
    return module, attribute, getattr(module, attribute)


#: The checkout: a pytest run imports the property modules from here under names of its
#: own (properties.test_*), beside the installed convproof.properties.test_*.
ROOT = Path(__file__).resolve().parent.parent


def _convproof_modules() -> list[Any]:
    """Every loaded module of convproof, under whatever name it was imported."""
    found = []
    for name, module in list(sys.modules.items()):
        if module is None or name.startswith("tests"):
            continue
        path = getattr(module, "__file__", None) or ""
        if name == "convproof" or name.startswith("convproof.") or path.startswith(str(ROOT)):
            found.append(module)
    return found


def _replace_everywhere(original: Any, wrong: Any, undo: list[Callable[[], None]]) -> int:
    """Replace every reference to ``original`` reachable from a convproof module's
    attributes (one level into containers and dataclass instances); returns how many."""
    count = 0

    def in_dataclass(obj: Any) -> None:
        nonlocal count
        for field in dataclasses.fields(obj):
            if getattr(obj, field.name) is original:
                object.__setattr__(obj, field.name, wrong)  # frozen dataclasses too
                undo.append(lambda obj=obj, name=field.name: object.__setattr__(obj, name, original))
                count += 1

    seen: set[int] = set()
    for module in _convproof_modules():
        for name, value in list(vars(module).items()):
            if value is original:
                setattr(module, name, wrong)
                undo.append(lambda module=module, name=name: setattr(module, name, original))
                count += 1
            elif isinstance(value, dict):
                for key, item in list(value.items()):
                    if item is original:
                        value[key] = wrong
                        undo.append(lambda d=value, k=key: d.__setitem__(k, original))
                        count += 1
                    elif dataclasses.is_dataclass(item) and not isinstance(item, type) \
                            and id(item) not in seen:
                        seen.add(id(item))
                        in_dataclass(item)
            elif isinstance(value, list | tuple):
                items = list(value)
                for item in items:
                    if dataclasses.is_dataclass(item) and not isinstance(item, type) \
                            and id(item) not in seen:
                        seen.add(id(item))
                        in_dataclass(item)
                if any(item is original for item in items):
                    changed = type(value)(wrong if item is original else item for item in items)
                    setattr(module, name, changed)
                    undo.append(lambda module=module, name=name, value=value:
                                setattr(module, name, value))
                    count += 1
            elif dataclasses.is_dataclass(value) and not isinstance(value, type) \
                    and id(value) not in seen:
                seen.add(id(value))
                in_dataclass(value)
    return count


@contextlib.contextmanager
def installed(variant: Variant) -> Iterator[None]:
    """The variant's changes, installed everywhere (module docstring), put back on exit."""
    undo: list[Callable[[], None]] = []
    try:
        for target, make in variant.changes:
            _, _, original = _resolve(target)
            wrong = make(original)
            if _replace_everywhere(original, wrong, undo) == 0:
                raise LookupError(f"{variant.name}: no reference to {target} found")
        yield
    finally:
        for step in reversed(undo):
            step()


# --- the wrong versions ------------------------------------------------------------------


def _row_bias(f: Callable[..., Any]) -> Callable[..., Any]:
    """f plus a bias that grows with the row: position-dependent, so not equivariant."""

    def wrong(x, *args):
        h = f(x, *args)
        return h + np.arange(h.shape[0]).reshape(-1, *(1,) * (h.ndim - 1))

    return wrong


def _flipped_layer(f: Callable[..., Any]) -> Callable[..., Any]:
    """A contract layer with its kernel flipped on every axis: a convolution."""
    return lambda x, V, u, padding: f(x, np.flip(V), u, padding)


def _constant(value: Any) -> Make:
    return lambda original: (lambda *args, **kwargs: value)


def _zero_layer(original: Callable[..., Any]) -> Callable[..., Any]:
    """Every output 0 (a layer for which 'a shift in x leads to a shift in h' holds)."""
    return lambda x, V, u, padding: np.zeros(x.shape)


def _convolving_layer(original: Callable[..., Any]) -> Callable[..., Any]:
    """u + the convolution with V itself (for which 'this is a convolution with V' holds)."""
    return lambda x, V, u, padding: u + scipy.signal.convolve2d(x, V, mode="same")


def _invariant_layer(original: Callable[..., Any]) -> Callable[..., Any]:
    """Every output the global sum (for which 'the features are invariant' holds)."""
    return lambda x, V, u, padding: np.full(x.shape, x.sum() + u)


def _dimension_without_wrapped_window(shape: tuple[int, ...], delta: int | None = None) -> int:
    """The local dimension (2Δ+1)^d when the window fits the torus, else 1: right where
    the window fits, wrong everywhere else."""
    if delta is None:
        return int(np.prod(shape))
    return (2 * delta + 1) ** len(shape) if 2 * delta + 1 <= min(shape) else 1


def _unwrapped_outside(shape: tuple[int, ...], delta: int) -> np.ndarray:
    """Outside the window by the plain distance |k - i|, not the circular one."""
    d = len(shape)
    grid = np.indices((*shape, *shape)).reshape(2 * d, -1)
    size = int(np.prod(shape))
    return np.any(np.abs(grid[d:] - grid[:d]) > delta, axis=0).reshape(size, size)


def _circulant_ignoring_the_row(c: np.ndarray) -> np.ndarray:
    """W[i, k] = c[k] for every i: no dependence on the offset k - i."""
    return np.broadcast_to(c, (*c.shape, *c.shape)).copy()


def _group_sum_over_first_axis(original: Callable[..., Any]) -> Callable[..., Any]:
    """The group sum over the shifts along the first axis only (times the other sides)."""
    from convproof.theory.equivariance import affine_parts

    def wrong(f, shape):
        b, J = affine_parts(f, shape)
        d = len(shape)
        W, bias = np.zeros_like(J), np.zeros_like(b)
        for s in range(shape[0]):
            W += np.roll(np.roll(J, -s, axis=d), -s, axis=0)
            bias += np.roll(b, -s, axis=0)
        factor = int(np.prod(shape[1:]))
        return factor * W, factor * bias

    return wrong


def _commutes_with_no_shift(f, shape):
    return True


def _absolute_stack(original: Callable[..., Any]) -> Callable[..., Any]:
    """The stack run with |V| for each kernel: nonzero kernels can no longer cancel."""
    return lambda x, Vs, us, padding: original(x, [np.abs(V) for V in Vs], us, padding)


def _only_nonnegative_rows(original: Callable[..., Any]) -> Callable[..., Any]:
    def wrong(W):
        V4 = original(W)
        height = W.shape[2]
        return V4 * (np.arange(2 * height - 1) >= height - 1)[None, None, :, None]

    return wrong


def _embed_rotated(original: Callable[..., Any]) -> Callable[..., Any]:
    """The dense weights of the kernel rotated by 180°."""
    return lambda V, shape, padding: original(V[::-1, ::-1], shape, padding)


def _embed_wrapping_zeros(original: Callable[..., Any]) -> Callable[..., Any]:
    return lambda V, shape, padding: original(V, shape, "circular" if padding == "zeros" else padding)


def _region_everywhere(shape, delta, s, padding):
    from convproof.theory.indices import output_shape

    return np.ones(output_shape(shape, delta, padding), dtype=bool)


def _region_too_small(original: Callable[..., Any]) -> Callable[..., Any]:
    def wrong(shape, delta, s, padding):
        region = original(shape, delta, s, padding)
        return region & (np.add.outer(*map(np.arange, region.shape)) > 0)  # drops (0, 0)

    return wrong


def _tie_a_weight(original: Callable[..., Any]) -> Callable[..., Any]:
    def wrong(x, W, u):
        W = np.array(W, dtype=np.float64)
        W[..., 0, 0] = W[0, 0, 0, 0]  # one weight tied across hidden pixels
        return original(x, W, u)

    return wrong


def _transposed_matrix(original: Callable[..., Any]) -> Callable[..., Any]:
    def wrong(x, W, u):
        M = W.reshape(x.size, x.size).T
        return (M @ x.reshape(-1) + u.reshape(-1)).reshape(x.shape)

    return wrong


def _first_bias_everywhere(original: Callable[..., Any]) -> Callable[..., Any]:
    return lambda x, V, u, padding: original(x, V, np.full_like(u, u[0]), padding)


def _mixing_channels(original: Callable[..., Any]) -> Callable[..., Any]:
    def wrong(x, V, u, padding):
        mixed = np.broadcast_to(x.sum(axis=-1, keepdims=True), x.shape)
        return original(np.ascontiguousarray(mixed), V, u, padding)

    return wrong


def _channel_layer_convolving(original: Callable[..., Any]) -> Callable[..., Any]:
    return lambda x, V, u, padding: original(x, np.flip(V, axis=tuple(range(x.ndim - 1))), u, padding)


def _zeros_as_circular(original: Callable[..., Any]) -> Callable[..., Any]:
    return lambda x, V, u, padding: original(x, V, u, "circular" if padding == "zeros" else padding)


def _rank_plus_one(original: Callable[..., Any]) -> Callable[..., Any]:
    return lambda A: original(A) + 1


def _reindexed_from_the_corner(original: Callable[..., Any]) -> Callable[..., Any]:
    """The reindexed layer with its stored offsets moved by one: V[i,j,a,b] read at a+1."""
    return lambda x, V, u: original(x, np.roll(V, 1, axis=2), u)


def _shared_flipped(original: Callable[..., Any]) -> Callable[..., Any]:
    return lambda x, V, u: original(x, V[::-1, ::-1], u)


def _position_dependent_with_row_bias(original: Callable[..., Any]) -> Callable[..., Any]:
    return lambda x, V, u: original(x, V, u) + np.arange(x.shape[0])[:, None]


def _kernel_of_a_correlation(original: Callable[..., Any]) -> Callable[..., Any]:
    return lambda V1, V2: scipy.signal.correlate(V1, V2, mode="full", method="direct")


# --- the conv contract's mathematics and the pooling references ---------------------------


def _output_size_rounded_up(n: int, k: int, lo: int, hi: int, stride: int = 1,
                            dilation: int = 1) -> int:
    """⌈(n + lo + hi - δ(k - 1) - 1)/s⌉ + 1: a partial last window counted."""
    return -(-(n + lo + hi - dilation * (k - 1) - 1) // stride) + 1


def _stride_ignored(original: Callable[..., Any]) -> Callable[..., Any]:
    """The conv with stride 1 whatever it is asked (every shift then commutes)."""
    return lambda x, w, b, **kw: original(x, w, b, **{**kw, "stride": (1,) * len(kw["stride"])})


def _pool_padding_swapped(original: Callable[..., Any]) -> Callable[..., Any]:
    """Pooling that reads each padding pair as (hi, lo)."""

    def wrong(x, kernel, spec, kind):
        swapped = dataclasses.replace(spec, padding=tuple((hi, lo) for lo, hi in spec.padding))
        return original(x, kernel, swapped, kind)

    return wrong


def _pool_mixing_channels(original: Callable[..., Any]) -> Callable[..., Any]:
    """Pooling that gives every channel the largest channel's output."""

    def wrong(x, kernel, spec, kind):
        y = original(x, kernel, spec, kind)
        return np.broadcast_to(y.max(axis=1, keepdims=True), y.shape).copy()

    return wrong


def _pool_global(original: Callable[..., Any]) -> Callable[..., Any]:
    """Pooling over the whole image, whatever the window (then invariant to every shift)."""

    def wrong(x, kernel, spec, kind):
        y = original(x, kernel, spec, kind)
        whole = x.max(axis=tuple(range(2, x.ndim)), keepdims=True)
        return np.broadcast_to(whole, y.shape).astype(np.float64)

    return wrong


def _pool_zeros_on_the_torus(original: Callable[..., Any]) -> Callable[..., Any]:
    """Pooling that pads as 'zeros' where the torus was asked for."""
    return lambda x, kernel, spec, kind: original(
        x, kernel, dataclasses.replace(spec, padding_mode="zeros"), kind)


def _pool_min_for_max(original: Callable[..., Any]) -> Callable[..., Any]:
    """Max pooling that takes the minimum (a sign slip): a peak is lost."""
    return lambda x, kernel, spec, kind: (-original(-x, kernel, spec, kind) if kind == "max"
                                          else original(x, kernel, spec, kind))


C = "convproof.theory.counts:"
I = "convproof.theory.indices:"
E = "convproof.theory.equivariance:"
K = "convproof.theory.conv:"
R = "convproof.reference."
P = "convproof.properties."

#: The catalogue of wrong variants (module docstring).
VARIANTS: tuple[Variant, ...] = (
    # --- counts ------------------------------------------------------------------------
    Variant("the conv layer's parameter count is 2",
            ((C + "conv_layer_parameters", _constant(2)),),
            ("test_parameters::test_conv_layer_has_fewer_parameters_than_dense",
             "test_parameters::test_billions_become_a_few_hundred",
             "test_parameters::test_dense_layer_outgrows_memory_while_conv_does_not")),
    Variant("the dense layer's weights grow as hw·(h+w), not (hw)^2",
            ((C + "dense_weights", lambda f: lambda h, w: h * w * (h + w)),),
            ("test_dense::test_parameter_count",
             "test_parameters::test_conv_layer_has_fewer_parameters_than_dense",
             "test_parameters::test_dense_layer_outgrows_memory_while_conv_does_not")),
    Variant("the dense layer's parameters without its biases",
            ((C + "dense_layer_parameters", lambda f: lambda h, w: (h * w) ** 2),),
            ("test_parameters::test_conv_layer_has_fewer_parameters_than_dense",
             "test_parameters::test_billions_become_a_few_hundred")),
    Variant("the shared layer's reach counted as 4hw",
            ((C + "shared_weights_grid", lambda f: lambda h, w: 4 * h * w),),
            ("test_parameters::test_shared_weights_without_locality",)),
    Variant("every kernel coefficient counted as used, whatever the image",
            ((C + "local_weights_used", lambda f: lambda h, w, d: (2 * d + 1) ** 2),),
            ("test_parameters::test_local_shared_weights",)),
    Variant("the local kernel counted with its bias",
            ((C + "local_weights", lambda f: lambda d: (2 * d + 1) ** 2 + 1),),
            ("test_parameters::test_local_shared_weights",)),
    Variant("equivariant_dimension and its N-D twin: (2Δ+1)^d when the window fits, else 1",
            ((C + "equivariant_dimension",
              lambda f: lambda h, w, delta=None: _dimension_without_wrapped_window((h, w), delta)),
             (C + "equivariant_dimension_nd", lambda f: _dimension_without_wrapped_window)),
            ("test_converse::test_equivariant_dimension_from_the_constraints",
             "test_dimensions::test_equivariant_dimension")),
    Variant("the stacked radius is the widest layer's",
            ((C + "stacked_radius", lambda f: lambda deltas: max(deltas)),),
            ("test_stacking::test_receptive_field_grows_linearly",
             "test_stacking::test_receptive_field_fills_the_box_for_positive_kernels")),
    Variant("the channel layer counted without its biases",
            ((C + "channel_layer_parameters",
              lambda f: lambda delta, c_in, c_out, ndim=2: (2 * delta + 1) ** ndim * c_in * c_out),),
            ("test_channels::test_parameter_count",)),
    # --- index maps ----------------------------------------------------------------------
    Variant("embed: the dense weights of the kernel rotated by 180°",
            ((I + "embed", _embed_rotated),),
            ("test_locality::test_dense_weights_vanish_outside_the_window",
             "test_locality::test_sensitivity_is_the_kernel_inside_the_window_and_zero_outside@dense",
             "test_agreement::test_agrees_with_the_loop_transcription@dense")),
    Variant("embed wraps under zero padding",
            ((I + "embed", _embed_wrapping_zeros),),
            ("test_locality::test_dense_weights_vanish_outside_the_window[zeros]",)),
    Variant("reindex_weights stores the row offset reversed",
            ((I + "reindex_weights", lambda f: lambda W: f(W)[:, :, ::-1, :]),),
            ("test_reindexing::test_reindexing_is_a_bijection",
             "test_reindexing::test_reindexed_sum_equals_dense_sum")),
    Variant("reindex_weights drops the negative row offsets",
            ((I + "reindex_weights", _only_nonnegative_rows),),
            ("test_reindexing::test_reindexing_is_a_bijection",
             "test_reindexing::test_offsets_take_both_signs")),
    Variant("the equivariance region is the whole output",
            ((I + "equivariance_region", lambda f: _region_everywhere),),
            ("test_shift::test_shift_equivariance_inside_the_region@vectorized",)),
    Variant("the equivariance region misses one position",
            ((I + "equivariance_region", _region_too_small),),
            ("test_shift::test_region_is_the_largest@vectorized",)),
    # --- equivariance --------------------------------------------------------------------
    Variant("circulant ignores the row: W[i, k] = c[k]",
            ((E + "circulant", lambda f: _circulant_ignoring_the_row),),
            ("test_converse::test_shared_dense_layers_commute_with_every_shift",
             "test_converse::test_group_sum_is_shared_and_commutes",
             "test_dimensions::test_weight_sharing_is_forced")),
    Variant("commutes_with_every_shift says yes to every map",
            ((E + "commutes_with_every_shift", lambda f: _commutes_with_no_shift),),
            ("test_converse::test_commuting_layer_is_recovered_from_its_first_row",
             "test_dimensions::test_weight_sharing_is_forced",
             "test_sharing::test_equivariant_exactly_when_shared",
             "test_sharing::test_minimal_position_dependent_counterexample")),
    Variant("the group sum runs over the shifts of the first axis only",
            ((E + "group_sum", _group_sum_over_first_axis),),
            ("test_converse::test_group_sum_of_every_basis_layer",
             "test_converse::test_group_sum_is_shared_and_commutes")),
    Variant("outside_window by the plain distance, not the circular one",
            ((E + "outside_window", lambda f: _unwrapped_outside),),
            ("test_converse::test_equivariant_dimension_from_the_constraints",
             "test_dimensions::test_equivariant_dimension")),
    Variant("integer_rank one too high",
            ((E + "integer_rank", _rank_plus_one),),
            ("test_converse::test_equivariant_dimension_from_the_constraints",
             "test_dimensions::test_equivariant_dimension",
             "test_dense::test_parameter_count",
             "test_parameters::test_conv_layer_has_fewer_parameters_than_dense",
             "test_parameters::test_dense_layer_outgrows_memory_while_conv_does_not")),
    # --- reference layers ----------------------------------------------------------------
    Variant("the loop transcription is zero (the literal shift wording then holds)",
            ((R + "loops:loops", _zero_layer),),
            ("test_shift::test_literal_wording_fails_at_the_border",)),
    Variant("the loop transcription convolves with V (the literal 'convolution' then holds)",
            ((R + "loops:loops", _convolving_layer),),
            ("test_convolution::test_literal_convolution_is_refuted",)),
    Variant("the loop transcription is invariant (the literal invariance then holds)",
            ((R + "loops:loops", _invariant_layer),),
            ("test_invariance::test_literal_invariance_is_refuted",)),
    Variant("the dense layer ties one weight across hidden pixels",
            ((R + "dense:dense_layer", _tie_a_weight),),
            ("test_dense::test_parameter_count",
             "test_parameters::test_conv_layer_has_fewer_parameters_than_dense",
             "test_reindexing::test_reindexed_sum_equals_dense_sum",
             "test_sharing::test_shared_layer_is_the_reindexed_layer_with_V_and_u_shared")),
    Variant("the matrix form reshapes W transposed",
            ((R + "dense:matrix_layer", _transposed_matrix),),
            ("test_dense::test_tensor_form_equals_matrix_form",)),
    Variant("the reindexed layer reads V one offset off",
            ((R + "dense:reindexed_layer", _reindexed_from_the_corner),),
            ("test_reindexing::test_reindexed_sum_equals_dense_sum",
             "test_reindexing::test_offsets_are_measured_from_the_hidden_pixel",
             "test_sharing::test_shared_layer_is_the_reindexed_layer_with_V_and_u_shared")),
    Variant("the shared layer convolves (V rotated)",
            ((R + "dense:shared_layer", _shared_flipped),),
            ("test_sharing::test_shared_layer_is_the_reindexed_layer_with_V_and_u_shared",)),
    Variant("the position-dependent torus layer adds a row bias",
            ((R + "torus:position_dependent_torus_layer", _position_dependent_with_row_bias),),
            ("test_sharing::test_equivariant_exactly_when_shared",)),
    Variant("the dense torus layer adds a row bias",
            ((R + "torus:dense_torus_layer", _row_bias),),
            ("test_converse::test_shared_dense_layers_commute_with_every_shift",
             "test_converse::test_commuting_layer_is_recovered_from_its_first_row")),
    Variant("the linear torus layer convolves",
            ((R + "torus:linear_torus_layer", lambda f: lambda X, V: f(X, V[::-1, ::-1])),),
            ("test_dft::test_fourier_modes_are_eigenvectors",)),
    Variant("the N-D loop transcription convolves",
            ((R + "nd:correlate_nd_loops", _flipped_layer),),
            ("test_dimensions::test_loop_transcription_equals_vectorized",)),
    Variant("the N-D sliding-window reference convolves",
            ((R + "nd:correlate_nd", _flipped_layer),),
            ("test_dimensions::test_reference_agrees_with_scipy",
             "test_dimensions::test_loop_transcription_equals_vectorized")),
    Variant("the N-D sliding-window reference adds a row bias",
            ((R + "nd:correlate_nd", _row_bias),),
            ("test_dimensions::test_shift_equivariance",)),
    Variant("the N-D sliding-window reference wraps under zero padding",
            ((R + "nd:correlate_nd", _zeros_as_circular),),
            ("test_dimensions::test_locality",)),
    Variant("the channel layer gives every channel the first bias",
            ((R + "channels:channel_layer", _first_bias_everywhere),),
            ("test_channels::test_sum_of_single_channel_layers",)),
    Variant("the channel layer adds a row bias",
            ((R + "channels:channel_layer", _row_bias),),
            ("test_channels::test_spatial_shifts_commute_channel_by_channel",)),
    Variant("the channel layer mixes its input channels",
            ((R + "channels:channel_layer", _mixing_channels),),
            ("test_channels::test_locality_channel_by_channel",
             "test_channels::test_sum_of_single_channel_layers")),
    Variant("the channel layer convolves",
            ((R + "channels:channel_layer", _channel_layer_convolving),),
            ("test_channels::test_one_channel_is_the_article_layer",)),
    Variant("stacks compose kernels by correlation",
            ((R + "stacks:compose_kernels", _kernel_of_a_correlation),),
            ("test_stacking::test_torus_stack_is_one_layer",
             "test_stacking::test_zero_padded_stack_inside")),
    Variant("stacks compose biases without the kernel sum",
            ((R + "stacks:compose_bias", lambda f: lambda u1, V2, u2: u1 + u2),),
            ("test_stacking::test_valid_stack_is_one_layer",
             "test_stacking::test_torus_layers_commute_and_stay_equivariant")),
    Variant("stacks run with a row bias in every layer",
            ((R + "vectorized:vectorized", _row_bias),),
            ("test_stacking::test_torus_layers_commute_and_stay_equivariant",)),
    Variant("stacks run with |V|: nonzero kernels never cancel",
            ((R + "stacks:run_stack", _absolute_stack),),
            ("test_stacking::test_nonzero_kernels_need_not_fill_the_box",)),
    Variant("the expected impulse response read off the kernel rotated",
            ((R + "sensitivity:sensitivity",
              lambda f: lambda V, shape, padding, k: f(V[::-1, ::-1], shape, padding, k)),),
            ("test_locality::test_sensitivity_is_the_kernel_inside_the_window_and_zero_outside@loops",
             "test_dimensions::test_locality[2]")),
    Variant("the sum of shifted copies convolves (the oracle above LITERAL_WORK)",
            ((R + "shifted:shifted_sum", _flipped_layer),),
            ("test_dimensions::test_loop_transcription_equals_vectorized",)),
    Variant("the sum of shifted copies with channels convolves",
            ((R + "shifted:shifted_sum_channels", _channel_layer_convolving),),
            ("test_channels::test_sum_of_single_channel_layers",)),
    # --- helpers of property modules -----------------------------------------------------
    Variant("the DFT eigenvalue of a convolution",
            ((P + "test_dft:eigenvalue", lambda f: lambda K, m: f(K, (-m[0], -m[1]))),),
            ("test_dft::test_fourier_modes_are_eigenvectors",)),
    Variant("the shift's DFT eigenvalue with the wrong sign",
            ((P + "test_dft:shift_eigenvalue", lambda f: lambda shape, m, s: f(shape, m, (-s[0], -s[1]))),),
            ("test_dft::test_shifts_are_diagonal_in_the_same_basis",)),
    Variant("the layer's spectrum without conjugation",
            ((P + "test_dft:spectrum", lambda f: np.fft.fft2),),
            ("test_dft::test_layer_and_shifts_through_the_fft",)),
    Variant("the N-D reindexing with flipped offsets",
            ((P + "test_dimensions:reindex_weights_nd",
              lambda f: lambda W, shape: np.flip(f(W, shape), -1)),),
            ("test_dimensions::test_reindexing",)),
    # --- the conv contract's arithmetic and references (d2l 7.2-7.5) ----------------------
    Variant("the contract's output size rounded up",
            ((K + "output_size", lambda f: _output_size_rounded_up),),
            ("test_conv_shape::test_d2l_output_size_is_the_contract_s",)),
    Variant("the literal conv loops ignore the stride (every shift then commutes)",
            ((R + "conv:conv_loops", _stride_ignored),),
            ("test_conv_stride::test_a_shift_by_one_with_stride_2_is_no_shifted_copy",)),
    Variant("window pooling reads the padding pairs as (hi, lo)",
            ((R + "pooling:pool_windows", _pool_padding_swapped),),
            ("test_pooling::test_pooling_references_agree",)),
    Variant("window pooling mixes the channels",
            ((R + "pooling:pool_windows", _pool_mixing_channels),),
            ("test_pooling::test_pooling_pools_each_channel_separately",
             "test_pooling::test_pooling_references_agree")),
    Variant("window pooling pools the whole image (then invariant to every shift)",
            ((R + "pooling:pool_windows", _pool_global),),
            ("test_pooling::test_max_pooling_is_not_invariant_to_shifts_within_the_window",)),
    Variant("pooling by the definition pads zeros on the torus",
            ((R + "pooling:pool_loops", _pool_zeros_on_the_torus),),
            ("test_pooling::test_pooling_commutes_with_shifts_by_multiples_of_the_stride",)),
    Variant("max pooling by the definition takes the minimum",
            ((R + "pooling:pool_loops", _pool_min_for_max),),
            ("test_pooling::test_a_peak_that_moves_by_one_stays_in_one_2x2_window",
             "test_pooling::test_pooling_references_agree[max]")),
)
