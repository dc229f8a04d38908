"""Claim stacking: a stack of local layers is one local layer of radius ΣΔ.

Derivation (1-D indices; the 2-D case is the same per axis). With
h1[i] = u1 + Σ_a V1[a]·x[i + a] and h2[i] = u2 + Σ_b V2[b]·h1[i + b],

    h2[i] = u2 + u1·Σ_b V2[b] + Σ_b Σ_a V2[b]·V1[a]·x[i + a + b]
          = U + Σ_c K[c]·x[i + c],   K[c] = Σ_{a + b = c} V1[a]·V2[b],   U = u2 + u1·ΣV2.

K is the full *convolution* of the two kernels (not their correlation): with kernels
stored at V[Δ + a], K = scipy.signal.convolve(V1, V2, mode='full'), of radius Δ1 + Δ2, and
symmetric in V1, V2. For L layers, fold this over the stack: radius ΣΔ, so the receptive
field grows linearly with depth. Per axis, K is the product of the kernels' polynomials
(Σ_a V[a]·z^a), and a product of nonzero polynomials is nonzero in its extreme terms:
when every kernel has a nonzero entry on each side of its box, K reaches each side of the
box of radius ΣΔ. Inside, entries can cancel: for kernels without zero entries the
receptive field need not fill the box (V1 = ones(3, 3), V2 = outer([1, -1, 1], [1, -1, 1])
reach 9 of its 25 pixels); for positive kernels it does.

Where it holds exactly: on the torus (no border; the composed kernel may wrap), for
'valid' (every window stays inside), and for 'zeros' at the outputs whose intermediate
windows stay inside the image, Δ2 + ... + ΔL <= i < n - (Δ2 + ... + ΔL) per axis;
nearer the border the intermediate maps are zero-padded where the one-shot layer reads
their true values.

Entries are small integers (|x| <= 64, |V|, |u| <= 8, at most 3 layers of Δ <= 2), so
every stage is exact in float64 (theory.bounds, item 1), which the tests assert.
"""

import itertools
from functools import cache
from typing import NamedTuple

import numpy as np
import pytest
from convproof.properties import packed
from convproof.properties.packed import Reader
from convproof.properties.strategies import small_arrays
from convproof.reference import stacks
from convproof.reference.vectorized import vectorized
from convproof.theory import counts
from convproof.theory.indices import shift
from hypothesis import given
from hypothesis import strategies as st

from convproof.harness import refute

KERNEL_BITS = 3
KERNEL_BOUND = 1 << KERNEL_BITS
#: What the kernels of :func:`layer_stacks` may hold: any entries; a nonzero entry on each
#: side of the box ("sided", the condition for the receptive field to reach each side);
#: no zero entry ("nonzero"); positive entries ("positive", the condition for it to fill
#: the box).
KINDS = ("any", "sided", "nonzero", "positive")


def _as_kind(V, kind):
    """V made to satisfy ``kind`` (:data:`KINDS`) with the least change: a side of zeros
    gets a 1 at its end, zeros become 1, entries become |v| + 1 (capped at 8)."""
    if kind == "positive":
        return np.minimum(np.abs(V) + 1, KERNEL_BOUND)
    if kind == "nonzero":
        return np.where(V == 0, 1.0, V)
    if kind == "sided":
        V = V.copy()
        for side in (V[0, :], V[-1, :], V[:, 0], V[:, -1]):
            if not side.any():
                side[-1] = 1.0
    return V


@st.composite
def layer_stacks(draw, min_layers=1, max_layers=3, max_delta=2, kind="any"):
    """Kernels V1..VL (radii 0..max_delta, integer entries |v| <= 8, of the ``kind`` of
    :data:`KINDS`) and biases u1..uL, entry by entry: for refute(), whose minimal stack
    then shrinks entry by entry (:func:`stack_cases` draws the same in one header, for the
    properties)."""
    depth = draw(st.integers(min_layers, max_layers), label="L")
    radii = [draw(st.integers(0, max_delta)) for _ in range(depth)]
    kernels = [_as_kind(draw(small_arrays((2 * d + 1,) * 2, KERNEL_BOUND)), kind) for d in radii]
    biases = [float(draw(st.integers(-KERNEL_BOUND, KERNEL_BOUND))) for _ in radii]
    return kernels, biases


class Stack(NamedTuple):
    """Kernels V1..VL, biases u1..uL and, when drawn, an image x."""

    Vs: list[np.ndarray]
    us: list[float]
    x: np.ndarray | None = None


@cache
def stack_cases(min_layers: int = 1, max_layers: int = 3, max_delta: int = 2,
                kind: str = "any", max_side: int = 0, valid: bool = False
                ) -> st.SearchStrategy[Stack]:
    """A :class:`Stack` as :func:`layer_stacks` draws it, in one header (properties.packed);
    with ``max_side`` an integer image of sides 1..max_side, with ``valid`` one of sides
    2ΣΔ + 1 .. 2ΣΔ + 4 (the composed kernel's side and up)."""

    def read(r: Reader) -> Stack:
        depth = r.side(min_layers, max_layers)
        # every layer's digits are read, whatever the depth: the header has one layout
        radii = [r.side(0, max_delta) for _ in range(max_layers)]
        plans = [packed.plan(r, (2 * d + 1,) * 2, bits=KERNEL_BITS) for d in radii]
        biases = [float(r.signed(KERNEL_BOUND)) for _ in radii]
        Vs = [_as_kind(V, kind) for V in packed.fill(r, *plans[:depth])]
        x = None
        if max_side or valid:
            low = 2 * sum(radii[:depth]) + 1 if valid else 1
            high = low + 3 if valid else max_side
            x = packed.array(r, (r.side(low, high), r.side(low, high)))
        return Stack(Vs, biases[:depth], x)

    return packed.packed(read)


def _radius(V):
    return (V.shape[0] - 1) // 2


def receptive_field_of_stack(Vs, us):
    """The pixels of x that output 0 of the stack sees, as signed offsets (c0, c1) on a
    torus of side 2ΣΔ + 2, where the box of radius ΣΔ does not wrap onto itself: by shift
    equivariance output c sees x[c + a] iff the impulse response at -a is nonzero (h(e_0)
    - h(0) at pixel -a). Returns the set of offsets and the radius ΣΔ
    (counts.stacked_radius)."""
    radius = counts.stacked_radius([_radius(V) for V in Vs])
    n = 2 * radius + 2
    impulse = np.zeros((n, n))
    impulse[0, 0] = 1.0
    response = (stacks.run_stack(impulse, Vs, us, "circular")
                - stacks.run_stack(0 * impulse, Vs, us, "circular"))
    signed = np.where(np.arange(n) <= n // 2, np.arange(n), np.arange(n) - n)
    seen = {(-int(signed[k]), -int(signed[l])) for k, l in np.argwhere(response != 0)}
    return seen, radius


@pytest.mark.claim("stacking")
@given(stack=stack_cases(max_side=6))
def test_torus_stack_is_one_layer(stack):
    """stacking: on the torus, L layers of radii Δ1..ΔL equal one layer with kernel
    K = V1 * V2 * ... * VL (full convolution, radius ΣΔ, wrapping when larger than the
    torus) and bias U = u_L + U_{L-1}·ΣV_L, exactly."""
    Vs, us, x = stack
    K, U = stacks.stack_as_one_layer(Vs, us)
    assert _radius(K) == counts.stacked_radius([_radius(V) for V in Vs])
    np.testing.assert_array_equal(stacks.run_stack(x, Vs, us, "circular"), vectorized(x, K, U, "circular"))


@pytest.mark.claim("stacking")
@given(stack=stack_cases(valid=True))
def test_valid_stack_is_one_layer(stack):
    """stacking: with 'valid' output, L layers equal one 'valid' layer with the composed
    kernel and bias, on every image of at least 2ΣΔ + 1 per side."""
    Vs, us, x = stack
    K, U = stacks.stack_as_one_layer(Vs, us)
    np.testing.assert_array_equal(stacks.run_stack(x, Vs, us, "valid"), vectorized(x, K, U, "valid"))


@pytest.mark.claim("stacking")
@given(stack=stack_cases(max_side=10))
def test_zero_padded_stack_inside(stack):
    """stacking: with zero padding, the stack equals the one-shot zero-padded layer at
    every output whose intermediate windows stay inside the image,
    Δ2 + ... + ΔL <= i < n - (Δ2 + ... + ΔL) per axis."""
    Vs, us, x = stack
    K, U = stacks.stack_as_one_layer(Vs, us)
    r = sum(_radius(V) for V in Vs[1:])
    inside = tuple(slice(r, max(r, n - r)) for n in x.shape)
    np.testing.assert_array_equal(
        stacks.run_stack(x, Vs, us, "zeros")[inside], vectorized(x, K, U, "zeros")[inside]
    )


@pytest.mark.claim("stacking")
@given(stack=stack_cases(max_layers=4, kind="sided"))
def test_receptive_field_grows_linearly(stack):
    """stacking: the receptive field of L stacked layers lies in the box of radius
    ΣΔ = Δ1 + ... + ΔL and reaches each of its four sides, whenever every kernel has a
    nonzero entry on each side of its own box (any integer entries otherwise): the
    field's radius grows linearly with depth, LΔ for L layers of radius Δ."""
    seen, radius = receptive_field_of_stack(stack.Vs, stack.us)
    rows, cols = {c0 for c0, _ in seen}, {c1 for _, c1 in seen}
    assert all(abs(c0) <= radius and abs(c1) <= radius for c0, c1 in seen)
    assert (min(rows), max(rows), min(cols), max(cols)) == (-radius, radius, -radius, radius)


@pytest.mark.claim("stacking")
@given(stack=stack_cases(max_layers=4, kind="positive"))
def test_receptive_field_fills_the_box_for_positive_kernels(stack):
    """stacking: with positive kernels the receptive field is the whole box of radius ΣΔ,
    (2ΣΔ + 1)^2 pixels (every offset c = a1 + ... + aL is a sum of positive products)."""
    seen, radius = receptive_field_of_stack(stack.Vs, stack.us)
    box = {(c0, c1) for c0 in range(-radius, radius + 1) for c1 in range(-radius, radius + 1)}
    assert seen == box
    assert len(seen) == (2 * radius + 1) ** 2


@pytest.mark.claim("stacking")
def test_nonzero_kernels_need_not_fill_the_box(request):
    """stacking: read as 'kernels without zero entries fill the box of radius ΣΔ,
    (2ΣΔ+1)^2 pixels', the statement is false: entries of the composed kernel cancel.
    Hypothesis finds the minimal stack of nonzero integer kernels whose receptive field
    misses part of its box."""

    def violates(stack):
        seen, radius = receptive_field_of_stack(*stack)
        return len(seen) < (2 * radius + 1) ** 2

    Vs, _ = refute(request, layer_stacks(min_layers=2, max_layers=2, max_delta=1, kind="nonzero"),
                    violates, "kernels without zero entries reach (2ΣΔ+1)^2 pixels")
    assert all(np.all(V != 0) for V in Vs)


@pytest.mark.claim("stacking")
@given(stack=stack_cases(min_layers=2, max_layers=2, max_side=5))
def test_torus_layers_commute_and_stay_equivariant(stack):
    """stacking: on the torus two layers commute up to their biases,
    L2(L1 x) - L1(L2 x) = (u2 + u1·ΣV2) - (u1 + u2·ΣV1) everywhere (they commute exactly
    when that is 0), and their composition commutes with every cyclic shift."""
    (V1, V2), (u1, u2), x = stack
    shape = x.shape
    forward = stacks.run_stack(x, [V1, V2], [u1, u2], "circular")
    backward = stacks.run_stack(x, [V2, V1], [u2, u1], "circular")
    gap = stacks.compose_bias(u1, V2, u2) - stacks.compose_bias(u2, V1, u1)
    np.testing.assert_array_equal(forward - backward, np.full(shape, gap))
    for s in itertools.product(range(shape[0]), range(shape[1])):
        moved = stacks.run_stack(shift(x, s, "circular"), [V1, V2], [u1, u2], "circular")
        np.testing.assert_array_equal(moved, shift(forward, s, "circular"), err_msg=f"shift {s}")
