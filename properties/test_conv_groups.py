"""Claim conv-groups (an extension: grouped convolutions, Krizhevsky et al. 2012;
depthwise, Chollet 2017): the layer is block-diagonal over channel groups, with
(C_in/groups)·C_out·Πk + C_out parameters, every one of which reaches the output.
"""

import dataclasses

import numpy as np
import pytest
from convproof.properties.conv_strategies import Allowed, preferred_dtype
from convproof.properties.strategies import conv_cases
from convproof.theory.bounds import assert_within
from convproof.theory.conv import parameters, receptive_field
from hypothesis import given
from hypothesis import strategies as st

from convproof.harness import call_conv, conv_bound, require_conv

NDIMS, NDIM_IDS = (1, 2, 3), ["1d", "2d", "3d"]



@pytest.mark.claim("conv-groups")
@pytest.mark.parametrize("ndim", NDIMS, ids=NDIM_IDS)
@given(data=st.data())
def test_groups_are_block_diagonal(conv, ndim, data):
    """conv-groups: conv(x, w, b, groups=g) equals, for each group q, conv(x's channels
    q·C_in/g .., w's filters q·C_out/g .., b's entries alike, groups=1), concatenated over
    the output channels (depthwise when g = C_in = C_out); exactly on integer data."""
    c = data.draw(conv_cases(ndim, preferred_dtype(conv), exact=None, allowed=Allowed.of(conv)),
                  label="case")
    require_conv(conv, ndim, c.x.dtype.name, c.spec.padding_mode, groups=True)
    g = c.spec.groups
    y = call_conv(conv, c.x, c.w, c.b, c.spec)
    single = dataclasses.replace(c.spec, groups=1)
    cin, cout = c.x.shape[1] // g, c.w.shape[0] // g
    tol = conv_bound(conv, c.x, c.w, c.b, c.spec)
    for q in range(g):
        xs, ws = c.x[:, q * cin:(q + 1) * cin], c.w[q * cout:(q + 1) * cout]
        bs = None if c.b is None else c.b[q * cout:(q + 1) * cout]
        part = call_conv(conv, xs, ws, bs, single)
        assert_within(y[:, q * cout:(q + 1) * cout], part,
                      _group_bound(tol, q, cout) + conv_bound(conv, xs, ws, bs, single),
                      f"{conv}: group {q} of {g} vs its own groups=1 conv")


def _group_bound(tol, q, cout):
    """A bound's elementwise part restricted to group q's output channels."""
    e = tol.elementwise
    if np.ndim(e) == 0:
        return tol
    return dataclasses.replace(tol, elementwise=e[:, q * cout:(q + 1) * cout])


@pytest.mark.claim("conv-groups")
@pytest.mark.parametrize("ndim", NDIMS, ids=NDIM_IDS)
@given(data=st.data())
def test_every_parameter_reaches_the_output(conv, ndim, data):
    """conv-groups: on an input with no zero entries and no padding (every tap reads x),
    changing any single weight or bias changes the output, and there are exactly
    (C_in/groups)·C_out·Πk + C_out of them (theory.conv.parameters): w's and b's sizes."""
    allowed = Allowed.of(conv, padding_modes=("zeros",), stride=False, bias=False)
    c = data.draw(conv_cases(ndim, preferred_dtype(conv), allowed=allowed, regime="small"),
                  label="case")
    spec = dataclasses.replace(c.spec, padding=((0, 0),) * ndim)
    # one filter per group and kernels of at most 2 per axis in 3-D: a probe per
    # parameter, a few dozen in all
    w = c.w[::c.w.shape[0] // spec.groups]
    w = np.ascontiguousarray(w[(Ellipsis, *(slice(0, 2 if ndim == 3 else None),) * ndim)])
    reach = [max(0, receptive_field(k, dl) - n) for k, dl, n in
             zip(w.shape[2:], spec.dilation, c.x.shape[2:], strict=True)]
    x = np.pad(np.asarray(c.x), [(0, 0), (0, 0), *((0, r) for r in reach)], mode="wrap")
    x = np.where(x == 0, 1, x).astype(c.x.dtype)
    b = np.zeros(w.shape[0], c.x.dtype)
    require_conv(conv, ndim, x.dtype.name, "zeros", **conv.needs(spec, w.shape[2:]))
    y = call_conv(conv, x, w, b, spec)
    reached = 0
    for index in np.ndindex(w.shape):
        w2 = w.copy()
        w2[index] += 1
        reached += not np.array_equal(call_conv(conv, x, w2, b, spec), y)
    for o in range(w.shape[0]):
        b2 = b.copy()
        b2[o] = 1
        reached += not np.array_equal(call_conv(conv, x, w, b2, spec), y)
    expected = parameters(x.shape[1], w.shape[0], w.shape[2:], spec.groups)
    assert reached == expected == w.size + b.size, (
        f"{conv}: {reached} of {w.size + b.size} parameters reach the output; expected "
        f"{expected} on {spec}")
