"""The claim registry: quotes verbatim, verdicts complete, ids stable and unique, every
claim either the article's (with its sentence) or an extension (with its source), and
the article's sentences that make no checked claim listed with the reason; d2l's
sentences (sections 7.2-7.5) cite their file and commit in d2l-ai/d2l-en."""

import os
from pathlib import Path

import pytest
from convproof.theory.claims import BY_ID, CLAIMS, OUT_OF_SCOPE, Kind, Verdict, claim, normalize

ARTICLE = Path(os.environ.get("CONVPROOF_ARTICLE", Path(__file__).parents[2] / "shared" / "article.txt"))
needs_article = pytest.mark.skipif(not ARTICLE.is_file(),
                                   reason=f"article not found at {ARTICLE} (set CONVPROOF_ARTICLE)")

#: Every sentence the registry quotes from the article: (where, sentence).
QUOTED = [(c.id, q) for c in CLAIMS if c.kind is Kind.ARTICLE
          for q in ((c.quote,) if c.quote else ()) + c.also]
QUOTED += [(o.id, o.quote) for o in OUT_OF_SCOPE]


def _article_claims_part():
    text = ARTICLE.read_text(encoding="utf-8")
    # the last two sections (donations, podcast) make no claims
    return normalize(text.split("#### Bring Your Own Cause")[0])


@needs_article
@pytest.mark.parametrize(("where", "quote"), QUOTED, ids=[f"{w}-{n}" for n, (w, _) in enumerate(QUOTED)])
def test_quote_is_verbatim(where, quote):
    assert normalize(quote) in _article_claims_part(), f"{where}: quote not found in the article"


def test_ids_unique_and_kebab_case():
    ids = [c.id for c in CLAIMS] + [o.id for o in OUT_OF_SCOPE]
    assert len(ids) == len(set(ids))
    assert len(CLAIMS) == len(BY_ID)
    assert all(i == i.lower() and " " not in i and "_" not in i for i in ids)


@pytest.mark.parametrize("c", CLAIMS, ids=[c.id for c in CLAIMS])
def test_claim_is_complete(c):
    assert c.title
    assert c.statement
    assert isinstance(c.verdict, Verdict)
    if c.verdict is not Verdict.HOLDS:
        assert c.corrected, f"{c.id}: a {c.verdict.value!r} verdict needs the corrected statement"


@pytest.mark.parametrize("c", CLAIMS, ids=[c.id for c in CLAIMS])
def test_claim_says_where_it_comes_from(c):
    """An article claim quotes its sentence; a d2l claim quotes d2l's and cites the
    section, file and commit; an extension borrows none and says what it extends."""
    assert isinstance(c.kind, Kind)
    if c.kind is Kind.ARTICLE:
        assert c.quote, f"{c.id}: an article claim needs the sentence it makes precise"
        assert not c.source, f"{c.id}: source is for extensions"
    elif c.kind is Kind.D2L:
        assert c.quote, f"{c.id}: a d2l claim needs the sentence it makes precise"
        assert "d2l 7." in c.source, f"{c.id}: cite the section"
        assert ".md @ " in c.source, f"{c.id}: cite the file and commit"
    else:
        assert not c.quote, f"{c.id}: an extension borrows no sentence"
        assert not c.also, f"{c.id}: an extension borrows no sentence"
        assert c.source, f"{c.id}: an extension says what it extends"


@pytest.mark.parametrize("o", OUT_OF_SCOPE, ids=[o.id for o in OUT_OF_SCOPE])
def test_out_of_scope_says_why(o):
    assert o.quote
    assert o.reason
    assert o.summary
    assert len(o.summary) <= 40


def test_unknown_id_names_the_known_ones():
    with pytest.raises(KeyError, match="known: dense-layer"):
        claim("no-such-claim")


def test_normalize_removes_code_formatting():
    assert normalize("a shift in `x`\n\nshould   lead to `h`\n\n.") == "a shift in x should lead to h."
