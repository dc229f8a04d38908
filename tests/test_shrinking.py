"""The counterexamples the suite reports are minimal: over the public mutants
(tests/mutants.py), the example Hypothesis reports after shrinking (tests/shrinking.py)
is small, of small integers or short decimals, and a bug that lives at a size is
reported at that size.

``pytest tests/test_shrinking.py --slow -s`` prints, per mutant, the reported example's
pixels, Δ, channels and largest entries.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.shrinking import Call, shrunk, simple

pytestmark = pytest.mark.machinery


#: The size mutants and the size each must be reported at: (what, the smallest failing).
AT_SIZE = {
    "tile_remainder_skipped": ("output rows", 17),
    "channel_block_wrong_tail": ("C_in", 9),
    "algorithm_switch_off_by_one": ("width", 32),
    "large_kernel_loses_outer_ring": ("Δ", 3),
    "bias_dropped_above_side_8": ("largest side", 9),
    "every_other_row_from_48": ("rows", 48),
    "kernel_rows_flipped_from_delta_4": ("Δ", 4),
    "channel_7_weights_from_cin_8": ("C_in", 8),
}


def _size(what: str, c: Call) -> int:
    out_rows = c.x.shape[0] - (2 * c.delta if c.padding == "valid" else 0)
    return {"output rows": out_rows, "C_in": c.x.shape[-1], "width": c.x.shape[1],
            "Δ": c.delta, "largest side": max(c.x.shape), "rows": c.x.shape[0]}[what]


@pytest.mark.slow
@pytest.mark.parametrize("name", list(AT_SIZE))
def test_a_size_bug_is_reported_at_the_smallest_size_that_fails(name):
    """The reported counterexample of a bug that lives at a size is at exactly that size,
    with entries in {-2, ..., 2}."""
    found = shrunk(name)
    assert found is not None, f"no generated example fails on {name}"
    what, size = AT_SIZE[name]
    c = found.call
    print(f"\n{name}: {found.prop}: {c.padding}, x {c.x.shape}, Δ {c.delta}, "
          f"max |x| {np.abs(c.x).max()}, max |V| {np.abs(c.V).max()}")
    assert _size(what, c) == size, f"{name} reported at {what} {_size(what, c)}, not {size}"
    assert simple(c.x), c.x
    assert simple(c.V), c.V
