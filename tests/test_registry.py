"""The claim registry: quotes verbatim, verdicts complete, ids stable and unique."""

import os
from pathlib import Path

import pytest
from convproof.theory.claims import BY_ID, CLAIMS, Verdict, claim, normalize

ARTICLE = Path(os.environ.get("CONVPROOF_ARTICLE", Path(__file__).parents[2] / "shared" / "article.txt"))


def _article_claims_part():
    text = ARTICLE.read_text(encoding="utf-8")
    # the last two sections (donations, podcast) make no claims
    return normalize(text.split("#### Bring Your Own Cause")[0])


ARTICLE_CLAIMS = [c for c in CLAIMS if c.kind == "article"]


@pytest.mark.skipif(not ARTICLE.is_file(), reason=f"article not found at {ARTICLE} (set CONVPROOF_ARTICLE)")
@pytest.mark.parametrize("c", ARTICLE_CLAIMS, ids=[c.id for c in ARTICLE_CLAIMS])
def test_quote_is_verbatim(c):
    assert normalize(c.quote) in _article_claims_part(), f"{c.id}: quote not found in the article"


def test_ids_unique_and_kebab_case():
    ids = [c.id for c in CLAIMS]
    assert len(ids) == len(set(ids)) == len(BY_ID)
    assert all(i == i.lower() and " " not in i and "_" not in i for i in ids)


@pytest.mark.parametrize("c", CLAIMS, ids=[c.id for c in CLAIMS])
def test_claim_is_complete(c):
    assert c.title
    assert c.quote or c.kind == "extension", f"{c.id}: only an extension may quote nothing"
    assert c.kind in ("article", "d2l", "extension")
    if c.kind != "article":
        assert c.source, f"{c.id}: a {c.kind} claim cites its source"
    if c.kind == "d2l":
        assert "d2l 7." in c.source, f"{c.id}: cite the section"
        assert ".md @ " in c.source, f"{c.id}: cite the file and commit"
    assert c.statement
    assert isinstance(c.verdict, Verdict)
    if c.verdict is not Verdict.HOLDS:
        assert c.corrected, f"{c.id}: a {c.verdict.value!r} verdict needs the corrected statement"


def test_unknown_id_names_the_known_ones():
    with pytest.raises(KeyError, match="known: dense-layer"):
        claim("no-such-claim")


def test_normalize_removes_code_formatting():
    assert normalize("a shift in `x`\n\nshould   lead to `h`\n\n.") == "a shift in x should lead to h."
