"""The MiniLM exemplar matcher (needs torch + sentence-transformers; skipped without them)."""
import pytest

from moderation import ScreenContext, screen
from moderation.classifiers import semantic
from moderation.settings import Settings

pytestmark = pytest.mark.skipif(not semantic.available(), reason="MiniLM tier not installed")


@pytest.fixture(scope="module")
def settings():
    return Settings(toxicity_backend="none")


def test_catches_wording_no_rule_lists(settings):
    ctx = ScreenContext(audience="young_people", author_age_band="young_person", approved_posts=9)
    v = screen("I feel like I'm just a weight dragging everyone down", ctx, settings)
    assert v.action in ("escalate", "hold")
    sem = [e for e in v.evidence if e["signal"] == "semantic"]
    assert sem and sem[0]["category"] == "self_harm_suicide"
    assert sem[0]["evidence"] in semantic.load_exemplars()["self_harm_suicide"]   # nearest exemplar


def test_agreement_and_disagreement_are_visible(settings):
    ctx = ScreenContext(audience="young_people", author_age_band="young_person", approved_posts=9)
    v = screen("I want to end it all", ctx, settings)
    assert v.action == "escalate"
    assert any("semantic agrees" in r for r in v.reasons)


def test_benign_exemplars_keep_idioms_out(settings):
    ctx = ScreenContext(audience="parents", author_age_band="adult", approved_posts=9)
    for text in ("I'm literally dead after that PE lesson", "we crushed the quiz night"):
        assert screen(text, ctx, settings).action == "publish"


def test_batches_give_the_same_verdicts(settings):
    from moderation import screen_many
    ctx = ScreenContext(audience="young_people", author_age_band="young_person", approved_posts=9)
    texts = ["nobody would even notice if I disappeared", "anyone watching the match tonight?"]
    assert [v.action for v in screen_many(texts, ctx, settings)] == [screen(t, ctx, settings).action for t in texts]


def test_warm_up_loads_the_models(settings):
    import moderation
    assert moderation.warm_up(settings) == {"semantic": "minilm", "toxicity": "none"}


def test_screening_from_many_threads_agrees_with_one(settings):
    from concurrent.futures import ThreadPoolExecutor
    ctx = ScreenContext(audience="young_people", author_age_band="young_person", approved_posts=9)
    texts = ["nobody would even notice if I disappeared", "anyone watching the match tonight?",
             "my stepdad hits me", "add me on snap: jess_xo"] * 5
    alone = [screen(t, ctx, settings).action for t in texts]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda t: screen(t, ctx, settings).action, texts))
    assert together == alone


def test_direct_encoding_equals_sentence_transformers():
    m = semantic.matcher()
    texts = ["I want to die", "we crushed the quiz night", "a much longer sentence " * 40]
    ours = m.encode(texts)
    theirs = m.model.encode(texts, convert_to_tensor=True, normalize_embeddings=True)
    assert float((ours * theirs).sum(-1).min()) > 0.9999
