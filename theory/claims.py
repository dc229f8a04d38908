"""The claim registry: every claim of the article, once, with its verdict.

Each :class:`Claim` carries the article's own words (``quote``, verbatim from the
article up to whitespace and code formatting, see :func:`normalize`), a precise
``statement`` with its conditions, and a ``verdict``. A claim that is false as literally
stated carries the ``corrected`` statement that the suite proves instead, and ``notes``
with the minimal counterexample Hypothesis finds for the literal wording.

Properties name their claims with ``@pytest.mark.claim("id")``; the run fails if a claim
has no property or a property names no claim (see conftest.py).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class Verdict(str, enum.Enum):
    HOLDS = "holds"
    CONDITIONAL = "holds under conditions"
    FALSE = "false as stated"


@dataclass(frozen=True)
class Claim:
    id: str
    title: str
    quote: str
    statement: str
    verdict: Verdict
    corrected: str = ""
    notes: str = ""
    exhaustive: str = ""


def normalize(text: str) -> str:
    """The article with code formatting and line breaks removed, for quote matching."""
    text = re.sub(r"\s+", " ", text.replace("`", ""))
    return re.sub(r"\s+([.,!?)])", r"\1", text).strip()


CLAIMS: tuple[Claim, ...] = (
    Claim(
        id="dense-layer",
        title="An MLP on h×w images needs a 4-D weight tensor",
        quote=(
            "In an MLP, all the $h.w$ hidden nodes receive inputs from h.w then the weights "
            "alone need to be represented as a 4-D tensor."
        ),
        statement=(
            "A fully connected layer from an h×w image to an h×w hidden map, "
            "h[i,j] = u[i,j] + Σ_{k,l} W[i,j,k,l]·x[k,l], has (hw)^2 weights and hw biases, "
            "and equals the matrix form vec(h) = M·vec(x) + vec(u) with M = W reshaped to "
            "hw×hw (row-major vec). Exact on integer-valued data."
        ),
        verdict=Verdict.HOLDS,
    ),
    Claim(
        id="reindexing",
        title="Reindexing k=i+a, l=j+b; a, b of either sign",
        quote="In the RHS, let k=i+a and l=j+b.. Indices, a, b can be positive or negative.",
        statement=(
            "For every hidden pixel (i,j), (k,l) -> (a,b) = (k-i, l-j) is a bijection from "
            "{0..h-1}×{0..w-1} onto {-i..h-1-i}×{-j..w-1-j}; over all (i,j), a takes every "
            "value in -(h-1)..h-1 (both signs when h >= 2) and b every value in -(w-1)..w-1. "
            "With V[i,j,a,b] = W[i,j,i+a,j+b], Σ_{k,l} W[i,j,k,l]·x[k,l] = "
            "Σ_{a,b} V[i,j,a,b]·x[i+a,j+b] exactly."
        ),
        verdict=Verdict.HOLDS,
        notes=(
            "The article writes W[i,j,a,b] on the right-hand side; it is a different tensor, "
            "V[i,j,a,b] = W[i,j,i+a,j+b], as the article itself names it later."
        ),
    ),
    Claim(
        id="shift-torus",
        title="Shift in, shift out: exact on the torus",
        quote="This means that a shift in inputs x should simply lead to a shift in h.",
        statement=(
            "With shared V[a,b] and constant u, and indices taken modulo h and w (circular "
            "boundary), layer(roll(x, s)) = roll(layer(x), s) exactly, for every shift "
            "s in Z^2 and every kernel size, including kernels larger than the image."
        ),
        verdict=Verdict.HOLDS,
    ),
    Claim(
        id="shift-zeros",
        title="Shift in, shift out: only away from the border under zero padding",
        quote="This means that a shift in inputs x should simply lead to a shift in h.",
        statement=(
            "With zero padding ('zeros', output h×w) or no padding ('valid', output "
            "(h-2Δ)×(w-2Δ)), and shifts that fill with zeros, layer(shift(x, s)) = "
            "shift(layer(x), s) holds exactly on the region R_s of theory.indices."
            "equivariance_region, and for every position outside R_s some (x, V, u) "
            "breaks it. Per axis, with p = i - s: 'valid': 0 <= p < h-2Δ; 'zeros': "
            "0 <= p < h and the part of p's window inside the image, moved by s, stays "
            "inside the image."
        ),
        verdict=Verdict.CONDITIONAL,
        corrected="Shift equivariance holds exactly on R_s, and fails somewhere outside it.",
    ),
    Claim(
        id="sharing-needed",
        title="Shift equivariance needs V and u independent of (i,j)",
        quote=(
            "But from the previous equation stated above, that is possible only if W and u "
            "don’t depend on (i.j) i.e., they don’t change based on an offset from the "
            "central pixel."
        ),
        statement=(
            "On the h×w torus, a layer h[i,j] = u[i,j] + Σ_{a,b} V[i,j,a,b]·x[i+a,j+b] "
            "commutes with every cyclic shift if and only if V[i,j,a,b] = V[a,b] and "
            "u[i,j] = u for all (i,j) (offsets taken modulo h, w). Decided exactly: an affine "
            "map commutes with shifts iff it does on x = 0 and on every impulse."
        ),
        verdict=Verdict.HOLDS,
    ),
    Claim(
        id="parameter-collapse",
        title="V[a,b] needs far fewer coefficients than V[i,j,a,b]",
        quote="Note that V[a,b] needs many fewer coefficients than V[i,j,a,b].",
        statement=(
            "Dense: (hw)^2 weights + hw biases. Shared, no locality: hw coefficients on the "
            "torus, (2h-1)(2w-1) that reach some pixel on the finite grid, + 1 bias. "
            "Shared and local: (2Δ+1)^2 + 1, of which min(2Δ+1, 2h-1)·min(2Δ+1, 2w-1) touch "
            "an h×w image under zero padding."
        ),
        verdict=Verdict.HOLDS,
    ),
    Claim(
        id="billions-to-hundreds",
        title="Billions of parameters become a few hundred",
        quote=(
            "While previously, we might have required billions of parameters to represent "
            "just a single layer in an image-processing network, we now typically need just "
            "a few hundred."
        ),
        statement=(
            "For a 1000×1000 image and hidden map, the dense layer has 10^12 + 10^6 "
            "parameters (at least billions: in fact a trillion); the convolution layer has "
            "(2Δ+1)^2 + 1, which is 'a few hundred' (100 to 999) exactly for 5 <= Δ <= 15; "
            "the common 3×3 (Δ=1) and 5×5 (Δ=2) kernels need 10 and 26."
        ),
        verdict=Verdict.CONDITIONAL,
        corrected="Few hundred for 5 <= Δ <= 15; fewer still for smaller Δ.",
    ),
    Claim(
        id="locality",
        title="Locality: nothing outside |a|,|b| <= Δ reaches h[i,j]",
        quote=(
            "This means that outside some range |a|,|b|>Δ, we should set V[a,b]=0."
        ),
        statement=(
            "Changing x[k,l] with |k-i| > Δ or |l-j| > Δ (distances modulo h, w on the torus; "
            "output indices offset by Δ for 'valid') leaves h[i,j] unchanged, and the layer "
            "is affine with ∂h[i,j]/∂x[k,l] = V[k-i, l-j] inside the window (summed over "
            "wrapped offsets on the torus). Probed exactly: h(x + t·e_kl) - h(x) = t·∂h/∂x_kl."
        ),
        verdict=Verdict.HOLDS,
    ),
    Claim(
        id="convolution",
        title="“This is a convolution!”: it is a cross-correlation",
        quote="This is a convolution!",
        statement=(
            "h[i,j] = u + Σ V[a,b]·x[i+a,j+b] is a cross-correlation: it equals "
            "u + scipy.signal.correlate2d(x, V) ('valid'; 'same' with zero fill; 'same' "
            "with wrap), and u + convolve2d(x, V rotated 180°). It equals u + convolve2d(x, V) "
            "for every x if and only if V is centrally symmetric, V = V[::-1, ::-1]."
        ),
        verdict=Verdict.FALSE,
        corrected=(
            "The layer is a cross-correlation with V, i.e. a convolution with V rotated "
            "by 180°; the two coincide only for centrally symmetric kernels."
        ),
    ),
    Claim(
        id="agreement",
        title="The Δ-limited layer, computed six ways, is one function",
        quote=(
            "h[i,j = u + ∑sub(a=-Δ), super(Δ)∑sub(b=-Δ), super(Δ) V[a,b] ⋅ x[i+a, j+b]. "
            "Phew, That’s it. That’s a Convolution Layer!"
        ),
        statement=(
            "The loop transcription, the vectorized, FFT and dense-W references and the "
            "scipy adapters agree on every shape (1×N and kernels larger than the image "
            "included), Δ and padding, exactly on integer data and within the error bound "
            "of theory.bounds on float data of wide dynamic range."
        ),
        verdict=Verdict.HOLDS,
    ),
)

BY_ID: dict[str, Claim] = {claim.id: claim for claim in CLAIMS}


def claim(claim_id: str) -> Claim:
    """The claim with this id; a KeyError names the known ids."""
    try:
        return BY_ID[claim_id]
    except KeyError:
        raise KeyError(f"unknown claim id {claim_id!r}; known: {', '.join(BY_ID)}") from None
