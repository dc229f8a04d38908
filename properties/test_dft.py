"""Claim dft-diagonal: on the torus the layer is diagonal in the Fourier basis.

With K = fold(V, (h, w)) (theory.indices.fold) and the character
χ_m[k] = ω^(m·k), ω^(m·k) = exp(2πi(m0·k0/h + m1·k1/w)):

    (L χ_m)[i] = Σ_a K[a]·χ_m[i + a] = (Σ_a K[a]·χ_m[a])·χ_m[i] = λ_m·χ_m[i],

so λ_m = Σ_a K[a]·e^{+2πi m·a/n} = conj(fft2(K))[m] = fft2(K)[-m] for real K: the DFT of the
*reversed* kernel, because the layer is a cross-correlation (a convolution would give
fft2(K)[m]). The cyclic shift is the special case K = impulse at -s:
(S_s χ_m)[k] = χ_m[k - s] = ω^(-m·s)·χ_m[k]; diagonal in the same basis, which is why the
layer commutes with it.

Exactly: the values χ_m[k] lie in the group ring Z[Z_h × Z_w] (an integer array c of shape
(h, w) stands for Σ_p c[p]·ω^p), where the layer, having integer coefficients, acts
coefficient by coefficient. Equality there implies equality of the complex numbers, so
the eigen-equations are checked with integer arithmetic, for every mode.

In floating point: h = u + ifft2(conj(fft2(K))·fft2(x)) is the layer within the
normwise FFT bound of theory.bounds (item 3: three transforms and one product).
"""

import itertools

import numpy as np
import pytest
from convproof.properties import strategies
from convproof.properties.strategies import cases, deltas, kernels, shapes
from convproof.reference import ORACLE
from convproof.reference.torus import linear_torus_layer
from convproof.theory import bounds
from convproof.theory.bounds import assert_within
from convproof.theory.indices import fold, shift
from hypothesis import given
from hypothesis import strategies as st

MAX_SIDE = 4


def character(shape, m):
    """χ_m in the group ring: X[k0, k1, p0, p1] = 1 iff p = (m0·k0 mod h, m1·k1 mod w)."""
    height, width = shape
    X = np.zeros((*shape, *shape))
    k0, k1 = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    X[k0, k1, (m[0] * k0) % height, (m[1] * k1) % width] = 1.0
    return X


def eigenvalue(K, m):
    """λ_m = Σ_a K[a]·ω^(m·a) in the group ring: coefficient Σ of K[a] over m·a ≡ p."""
    height, width = K.shape
    a0, a1 = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
    lam = np.zeros(K.shape)
    np.add.at(lam, ((m[0] * a0) % height, (m[1] * a1) % width), K)
    return lam


def shift_eigenvalue(shape, m, s):
    """The eigenvalue of S_s on χ_m: ω^(-m·s), one unit of the group ring."""
    unit = np.zeros(shape)
    unit[(-m[0] * s[0]) % shape[0], (-m[1] * s[1]) % shape[1]] = 1.0
    return unit


def ring_times(lam, X):
    """λ·X[k] for every pixel k: multiplication in Z[Z_h × Z_w] is cyclic convolution of
    the coefficient arrays (ω^q·ω^p = ω^(p+q))."""
    out = np.zeros_like(X)
    for q in map(tuple, np.argwhere(lam)):
        out += lam[q] * np.roll(X, q, axis=(-2, -1))
    return out


def spectrum(K):
    """The eigenvalues as numpy computes them: conj(fft2(K)), K real."""
    return np.conj(np.fft.fft2(K))


def _modes(shape):
    return list(itertools.product(range(shape[0]), range(shape[1])))


@pytest.mark.claim("dft-diagonal")
@given(data=st.data(), shape=shapes(max_side=MAX_SIDE))
def test_fourier_modes_are_eigenvectors(data, shape):
    """dft-diagonal (exhaustive over modes): for every Fourier mode m of the torus,
    L χ_m = λ_m·χ_m with λ_m = Σ_a fold(V)[a]·ω^(+m·a) = conj(DFT(fold(V)))[m], exactly in
    Z[Z_h × Z_w]."""
    V = data.draw(kernels(data.draw(deltas(), label="Δ")), label="V")
    K = fold(V, shape)
    for m in _modes(shape):
        X = character(shape, m)
        np.testing.assert_array_equal(
            linear_torus_layer(X, V), ring_times(eigenvalue(K, m), X), err_msg=f"mode {m}"
        )
    p = data.draw(st.tuples(*(st.integers(0, n - 1) for n in shape)), label="coefficient p")
    slice_ = character(shape, data.draw(st.sampled_from(_modes(shape)), label="m"))[..., p[0], p[1]]
    np.testing.assert_array_equal(linear_torus_layer(slice_, V), ORACLE.fn(slice_, V, 0.0, "circular"))


@pytest.mark.claim("dft-diagonal")
@given(shape=shapes(max_side=MAX_SIDE))
def test_shifts_are_diagonal_in_the_same_basis(shape):
    """dft-diagonal (exhaustive over modes and shifts): S_s χ_m = ω^(-m·s)·χ_m for every
    shift s and mode m; the generator shifts' eigenvalues (ω^(-m0), ω^(-m1)) differ for
    different modes, so the Fourier basis is the only common eigenbasis."""
    pairs = set()
    for m in _modes(shape):
        X = character(shape, m)
        for s in _modes(shape):
            np.testing.assert_array_equal(
                shift(X, s, "circular"), ring_times(shift_eigenvalue(shape, m, s), X),
                err_msg=f"mode {m}, shift {s}",
            )
        pairs.add((shift_eigenvalue(shape, m, (1, 0)).tobytes(),
                   shift_eigenvalue(shape, m, (0, 1)).tobytes()))
    assert len(pairs) == shape[0] * shape[1]


@pytest.mark.claim("dft-diagonal")
@given(data=st.data())
def test_layer_and_shifts_through_the_fft(data):
    """dft-diagonal: h = u + ifft2(conj(fft2(fold(V)))·fft2(x)) within the FFT bound of
    theory.bounds, on integers and on floats of magnitude 2^-200 .. 2^200; and the shift by
    s is the same product with the kernel that is 1 at offset -s."""
    c = data.draw(cases("circular", exact=None, max_side=strategies.MAX_SIDE,
                        max_delta=strategies.MAX_DELTA, any_layout=False), label="case")
    shape = c.x.shape
    via_dft = c.u + np.fft.ifft2(spectrum(fold(c.V, shape)) * np.fft.fft2(c.x)).real
    tol = bounds.fft(c.x, c.V, c.u, "circular") + bounds.direct(c.x, c.V, c.u, "circular")
    assert_within(via_dft, ORACLE.fn(c.x, c.V, c.u, "circular"), tol, "layer through the DFT")
    s = data.draw(st.tuples(*(st.integers(-n, n) for n in shape)), label="s")
    radius = max(abs(t) for t in s)
    Vs = np.zeros((2 * radius + 1,) * 2)
    Vs[radius - s[0], radius - s[1]] = 1.0
    moved = np.fft.ifft2(spectrum(fold(Vs, shape)) * np.fft.fft2(c.x)).real
    assert_within(moved, shift(c.x, s, "circular"), bounds.fft(c.x, Vs, 0.0, "circular"),
                  f"shift {s} through the DFT")

