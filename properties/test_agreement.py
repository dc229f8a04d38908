"""Claim agreement: every implementation computes the article's final equation."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from properties.harness import ImplementationError, bound, call, require
from properties.strategies import arrays, cases, deltas, kernels, scalars, shapes
from reference import ORACLE
from theory.bounds import assert_within
from theory.indices import PADDINGS


@pytest.mark.claim("agreement")
@pytest.mark.parametrize("exact", [True, False], ids=["integers", "floats"])
@pytest.mark.parametrize("padding", PADDINGS)
@given(data=st.data())
def test_agrees_with_the_loop_transcription(layer, padding, exact, data):
    """agreement: the layer equals the loop transcription of the article's equation,
    exactly on integer data (direct summation) and within theory.bounds on floats of
    magnitude 2^-200 .. 2^200."""
    c = data.draw(cases(padding, exact=exact), label="case")
    expected = ORACLE.fn(c.x, c.V, c.u, padding)
    tol = bound(layer, c.x, c.V, c.u, padding) + bound(ORACLE, c.x, c.V, c.u, padding)
    assert_within(call(layer, c.x, c.V, c.u, padding), expected, tol, f"{layer} vs loops")


@pytest.mark.claim("agreement")
@given(data=st.data(), delta=deltas().filter(bool))
def test_valid_rejects_a_kernel_larger_than_the_image(layer, data, delta):
    """agreement: with 'valid' padding a kernel larger than the image has no valid window;
    the contract requires ValueError (scipy's correlate2d would silently swap its inputs)."""
    side = 2 * delta + 1
    shape = data.draw(shapes(max_side=side + 2).filter(lambda s: min(s) < side), label="shape")
    x = data.draw(arrays(shape), label="x")
    V = data.draw(kernels(delta), label="V")
    require(layer, "valid")
    try:
        layer.fn(x, V, data.draw(scalars(), label="u"), "valid")
    except ValueError:
        return
    except NotImplementedError:
        pytest.skip(f"{layer} raised NotImplementedError for padding='valid'")
    except Exception as exc:
        raise ImplementationError(
            f"{layer} raised {type(exc).__name__}: {exc}, not ValueError, for a {V.shape} "
            f"kernel on a {shape} image with padding='valid'"
        ) from None
    raise ImplementationError(
        f"{layer} returned a result for a {V.shape} kernel on a {shape} image with "
        "padding='valid'; expected ValueError"
    )
