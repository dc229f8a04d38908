"""What the default strategies draw: over 3,000 draws of each, the share of inputs at
the sizes where implementations change code paths, and of arrays in each memory layout.

``pytest tests/test_distribution.py --slow -s`` prints the distribution; the test asserts
issue 17's shares: of 2-D inputs, >= 5% with a side >= 32, >= 1% with a side >= 64,
>= 5% with Δ >= 8; of channel inputs, >= 10% with >= 8 channels (C_in or C_out) and >= 2%
with >= 32; every array (x, V, u with channels) not C-contiguous in at least a third of
the draws where it has more than one element, and in every layout kind.
"""

from __future__ import annotations

import collections
from typing import Any

import numpy as np
import pytest
from convproof.properties.strategies import LAYOUTS, Domain, cases, inputs, layer_cases
from hypothesis import HealthCheck, Phase, given, settings

pytestmark = [pytest.mark.machinery, pytest.mark.slow]  # 24,000 draws: about 25 s

DRAWS = 3_000


def sample(strategy: Any, n: int = DRAWS) -> list:
    """n draws of ``strategy`` (derandomized: the ci profile's draws)."""
    drawn: list = []

    @settings(max_examples=n, database=None, derandomize=True, phases=(Phase.generate,),
              suppress_health_check=list(HealthCheck), deadline=None)
    @given(value=strategy)
    def collect(value):
        drawn.append(value[0] if isinstance(value, tuple) else value)

    collect()
    return drawn


def layout_kind(a: np.ndarray) -> str:
    """Which of properties.strategies.LAYOUTS an array looks like to an implementation."""
    if not a.flags.writeable:
        return "read-only"
    if any(s < 0 for s in a.strides):
        return "reversed"
    if a.base is None:
        return "contiguous" if a.flags.c_contiguous else "fortran"
    base = np.asarray(a.base)
    if (a.ndim == 1 and base.ndim == 2) or (base.ndim == a.ndim and base.size == a.size):
        return "transposed"  # axes stored in another order (1-D: a column)
    return "offset" if a.flags.c_contiguous else "strided"


#: The default strategies of the layer properties, by what they draw.
DOMAINS = {
    "2-D (cases)": lambda: cases(exact=None),
    "1-D": lambda: layer_cases(1, exact=None),
    "2-D": lambda: layer_cases(2, exact=None),
    "3-D": lambda: layer_cases(3, exact=None),
    "1-D channels": lambda: layer_cases(1, channels=True, exact=None),
    "2-D channels": lambda: layer_cases(2, channels=True, exact=None),
    "3-D channels": lambda: layer_cases(3, channels=True, exact=None),
    "2-D batch, channels first": lambda: inputs(Domain(channels=True, batch=True,
                                                       channels_first=True, exact=None)),
}
SIDES = (8, 16, 32, 64, 128, 1024)
DELTAS = (4, 8, 15)
CHANNEL_COUNTS = (4, 8, 16, 32, 64)
BATCHES = (2, 8, 16)


def spatial(case: Any, channels_first: bool, batch: bool) -> tuple[int, ...]:
    shape = case.x.shape[1:] if batch else case.x.shape
    if case.V.ndim == case.x.ndim + 1 - batch:  # channels
        return shape[1:] if channels_first else shape[:-1]
    return shape


def distribution(name: str, drawn: list) -> dict[str, Any]:
    """Shares of the drawn inputs at or above each size, and per array the share not
    C-contiguous and the layout kinds seen."""
    first, batch = "first" in name, "batch" in name
    n = len(drawn)
    sides = [max(spatial(c, first, batch)) for c in drawn]
    out: dict[str, Any] = {
        "largest side": max(sides),
        "side": {k: sum(s >= k for s in sides) / n for k in SIDES},
        "delta": {k: sum(c.delta >= k for c in drawn) / n for k in DELTAS},
        "largest delta": max(c.delta for c in drawn),
    }
    if "channels" in name:
        counts = [max(c.V.shape[:2]) if first else max(c.V.shape[-2:]) for c in drawn]
        out["channels"] = {k: sum(m >= k for m in counts) / n for k in CHANNEL_COUNTS}
        out["largest channels"] = max(counts)
    if batch:
        out["batch"] = {k: sum(c.x.shape[0] >= k for c in drawn) / n for k in BATCHES}
    arrays = {"x": [c.x for c in drawn], "V": [c.V for c in drawn]}
    if isinstance(drawn[0].u, np.ndarray) and drawn[0].u.ndim:
        arrays["u"] = [c.u for c in drawn]
    out["arrays"] = {}  # arrays of one element are contiguous in every layout: left out
    for key, values in arrays.items():
        sized = [a for a in values if a.size > 1]
        out["arrays"][key] = {
            "not C-contiguous": sum(not a.flags.c_contiguous for a in sized) / max(len(sized), 1),
            "kinds": collections.Counter(layout_kind(a) for a in sized),
        }
    return out


def render(results: dict[str, dict[str, Any]]) -> str:
    lines = [f"over {DRAWS} draws of each default strategy: shares of inputs at or above a size"]
    for name, r in results.items():
        lines.append(f"{name}: largest side {r['largest side']}, largest Δ {r['largest delta']}"
                     + (f", largest channel count {r['largest channels']}" if "channels" in r else ""))
        lines.append("  side >= " + ", ".join(f"{k}: {v:.1%}" for k, v in r["side"].items()))
        lines.append("  Δ >= " + ", ".join(f"{k}: {v:.1%}" for k, v in r["delta"].items()))
        if "channels" in r:
            lines.append("  channels >= " + ", ".join(f"{k}: {v:.1%}" for k, v in r["channels"].items()))
        if "batch" in r:
            lines.append("  batch >= " + ", ".join(f"{k}: {v:.1%}" for k, v in r["batch"].items()))
        for key, a in r["arrays"].items():
            kinds = ", ".join(f"{k} {v}" for k, v in sorted(a["kinds"].items()))
            lines.append(f"  {key}: not C-contiguous {a['not C-contiguous']:.1%}; {kinds}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def results() -> dict[str, dict[str, Any]]:
    return {name: distribution(name, sample(make())) for name, make in DOMAINS.items()}


def test_the_default_strategies_reach_scale_as_a_share(results, capsys):
    with capsys.disabled():
        print("\n" + render(results))
    two = results["2-D (cases)"]
    assert two["side"][32] >= 0.05
    assert two["side"][64] >= 0.01
    assert two["delta"][8] >= 0.05
    assert results["2-D"]["side"][64] >= 0.01
    assert results["1-D"]["side"][1024] > 0
    assert results["3-D"]["side"][16] >= 0.01
    for d in (1, 2, 3):
        channels = results[f"{d}-D channels"]["channels"]
        assert channels[8] >= 0.10, d
        assert channels[32] >= 0.02, d
    assert results["2-D batch, channels first"]["batch"][16] > 0


@pytest.mark.parametrize("name", list(DOMAINS))
def test_every_array_comes_in_every_layout(results, name):
    for key, a in results[name]["arrays"].items():
        assert a["not C-contiguous"] >= 1 / 3, (name, key, a)
        one_axis = key == "u" or name == "1-D"  # a 1-D array in Fortran order is in C order
        kinds = set(LAYOUTS) - ({"fortran"} if one_axis else set())
        assert kinds <= set(a["kinds"]), (name, key, kinds - set(a["kinds"]))
