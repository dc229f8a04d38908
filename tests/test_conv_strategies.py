"""The conv inputs are drawn at scale (issue 18): batches up to 16 with at least 10% of
draws at 8 samples or more, channels on both sides of 8 and of 32, sides of 32 or more in
at least 5% of draws, every memory layout for x, w and b (channels-last views of
channels-first data included; x and w non-contiguous in at least a third of draws), both
padding modes, groups, strides, dilations and even kernels. The test draws as the
properties do (the ci profile's derandomized generation) and prints the distribution
(``pytest tests/test_conv_strategies.py -s``).
"""

from collections import Counter

import numpy as np
import pytest
from convproof.properties.conv_strategies import MAX_BATCH
from convproof.properties.layouts import LAYOUTS
from convproof.properties.strategies import conv_cases
from hypothesis import HealthCheck, given, settings

pytestmark = pytest.mark.machinery

DRAWS = 400


def _draw(ndim):
    seen = []

    @settings(max_examples=DRAWS, database=None, derandomize=True, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(conv_cases(ndim, exact=None))
    def collect(case):
        seen.append(case)

    collect()
    return seen


@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_conv_inputs_are_drawn_at_scale(ndim, capsys):
    cases = _draw(ndim)
    n = np.array([c.x.shape[0] for c in cases])
    channels = np.array([max(c.x.shape[1], c.w.shape[0]) for c in cases])
    sides = np.array([max(c.x.shape[2:]) for c in cases])
    layouts = {role: Counter(c.layouts[k] for c in cases) for k, role in enumerate("xwb")}
    share = {
        "N >= 8": np.mean(n >= 8), "N > 1": np.mean(n > 1),
        "C <= 8": np.mean(channels <= 8), "8 < C <= 32": np.mean((channels > 8) & (channels <= 32)),
        "C > 32": np.mean(channels > 32), "side >= 32": np.mean(sides >= 32),
        "groups > 1": np.mean([c.spec.groups > 1 for c in cases]),
        "depthwise": np.mean([c.spec.groups == c.x.shape[1] == c.w.shape[0] > 1 for c in cases]),
        "stride > 1": np.mean([max(c.spec.stride) > 1 for c in cases]),
        "dilation > 1": np.mean([max(c.spec.dilation) > 1 for c in cases]),
        "even kernel": np.mean([any(k % 2 == 0 for k in c.w.shape[2:]) for c in cases]),
        "asymmetric padding": np.mean([any(lo != hi for lo, hi in c.spec.padding) for c in cases]),
        "circular": np.mean([c.spec.padding_mode == "circular" for c in cases]),
        "wraps > 1 turn": np.mean([c.spec.padding_mode == "circular" and any(
            max(p) > n for p, n in zip(c.spec.padding, c.x.shape[2:], strict=True))
            for c in cases]),
        "no bias": np.mean([c.b is None for c in cases]),
        "integer data": np.mean([np.array_equal(c.x, np.round(c.x)) for c in cases]),
    }
    with capsys.disabled():
        print(f"\n{ndim}-D conv inputs, {len(cases)} draws: max N {n.max()}, max C "
              f"{channels.max()}, max side {sides.max()}")
        for name, value in share.items():
            print(f"  {name:20s} {100 * value:5.1f}%")
        for role, counts in layouts.items():
            print(f"  {role} layouts: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    assert n.max() <= MAX_BATCH
    assert share["N >= 8"] >= 0.10
    assert share["side >= 32"] >= 0.05
    for name in ("C <= 8", "8 < C <= 32", "C > 32"):  # channels cross 8 and 32
        assert share[name] > 0, name
    for role, counts in layouts.items():  # every array in every layout, drawn apart
        assert set(counts) == set(LAYOUTS), role
    for role, arrays in (("x", [c.x for c in cases]), ("w", [c.w for c in cases])):
        assert np.mean([not a.flags.c_contiguous for a in arrays]) >= 1 / 3, role
    for name in ("groups > 1", "depthwise", "stride > 1", "dilation > 1", "even kernel",
                 "asymmetric padding", "circular", "wraps > 1 turn", "no bias", "integer data"):
        assert share[name] > 0.01, name
