"""The MiniLM exemplar matcher (needs torch + sentence-transformers; skipped without them)."""
import pytest
import torch

from moderation import ScreenContext, screen
from moderation.classifiers import semantic
from moderation.normalise import normalise
from moderation.settings import Settings

pytestmark = pytest.mark.skipif(not semantic.available(), reason="MiniLM tier not installed")


@pytest.fixture(scope="module")
def settings():
    return Settings(toxicity_backend="none")


def test_catches_wording_no_rule_lists(settings):
    ctx = ScreenContext(audience="young_people", author_age_band="young_person", approved_posts=9)
    text = "i keep thinking how peaceful it would be to not wake up"
    assert screen(text, ctx, Settings(toxicity_backend="none", semantic_enabled=False)).action == "publish"
    v = screen(text, ctx, settings)
    assert v.action == "escalate"
    sem = [e for e in v.evidence if e["signal"] == "semantic"]
    assert sem and sem[0]["category"] == "self_harm_suicide"
    assert sem[0]["evidence"] in semantic.load_exemplars()["self_harm_suicide"]   # nearest exemplar


def test_a_question_to_the_forum_is_not_talk_about_a_topic(settings):
    # "does anyone know ..." is how many disclosures are asked; the rules call it a topic marker, and
    # the semantic reading no longer takes it from them
    ctx = ScreenContext(audience="parents", author_age_band="adult", approved_posts=9)
    v = screen("Does anyone know if a refuge will take me and two kids at no notice? I've got a bag packed at "
               "my mum's. He gets in from work at 6 and I can't be here when he does", ctx, settings)
    assert v.action == "escalate" and "domestic_abuse" in v.categories, v.reasons
    # a rule that reads the subject as a topic still speaks for the category
    lesson = screen("We had an assembly about self harm today, does anyone know good books on it for teens?",
                    ctx, settings)
    # talk about a topic may ask a moderator to look (the post model's reading); it never pages a lead
    assert lesson.action in ("publish", "publish_and_flag") and lesson.visible, lesson.reasons


def test_distress_no_passage_names_is_read_by_a_moderator_on_young_peoples_boards(settings):
    text = "my parents are splitting up and i feel like its my fault"
    young = ScreenContext(audience="young_people", author_age_band="young_person", approved_posts=9)
    v = screen(text, young, settings)
    assert v.action == "publish_and_flag" and any("as a whole" in r for r in v.reasons), v.reasons
    assert screen(text, young, Settings(toxicity_backend="none", post_model_flags=())).action == "publish"


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
    loaded = moderation.warm_up(settings)
    assert loaded == {"semantic": semantic.loaded(settings).backend, "toxicity": "none"}
    assert loaded["semantic"] in ("minilm", "minilm-tuned")


def test_screening_from_many_threads_agrees_with_one(settings):
    from concurrent.futures import ThreadPoolExecutor
    ctx = ScreenContext(audience="young_people", author_age_band="young_person", approved_posts=9)
    texts = ["nobody would even notice if I disappeared", "anyone watching the match tonight?",
             "my stepdad hits me", "add me on snap: jess_xo"] * 5
    alone = [screen(t, ctx, settings).action for t in texts]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda t: screen(t, ctx, settings).action, texts))
    assert together == alone


FP32, INT8 = Settings(semantic_quantize=False), Settings(semantic_quantize=True)
TEXTS = ["I want to die", "we crushed the quiz night", "a much longer sentence " * 40, "ok"]


def test_direct_traced_encoding_equals_sentence_transformers():
    """The fp32 matcher (traced, own pooling) gives sentence-transformers' vectors, for any batch shape."""
    m = semantic.matcher(FP32)
    assert isinstance(m.forward, torch.jit.ScriptModule)
    theirs = m.model.encode(TEXTS, convert_to_tensor=True, normalize_embeddings=True)
    assert float((m.encode(TEXTS) * theirs).sum(-1).min()) > 0.9999
    alone = [m.encode([t])[0] for t in TEXTS]       # no padding: other lengths than the trace saw
    assert min(float((a * b).sum()) for a, b in zip(alone, theirs)) > 0.9999


def test_the_int8_reading_of_a_text_does_not_depend_on_the_texts_beside_it():
    """int8 scales a whole batch's activations by one number: read in a batch, a text's vector moved
    with its neighbours, and so did a post's verdict. The screen reads each text alone."""
    small = semantic.matcher(INT8)
    alone = torch.cat([small.encode([t]) for t in TEXTS])
    assert torch.equal(small.encode(TEXTS), alone)
    assert torch.equal(small.encode([TEXTS[0], "a very long neighbour " * 30])[:1], alone[:1])
    assert not torch.equal(small.encode(TEXTS, batch=64), alone)     # what batches did
    from moderation import screen_many

    ctx = ScreenContext(audience="young_people", author_age_band="young_person", approved_posts=20)
    posts = ["a year today since my grandad died. miss him so much", "anyone on fortnite tonight?",
             "I can't do this anymore. I've written the letters and I know how I'll do it " * 4]
    together = screen_many(posts, ctx, INT8)
    assert [v.scores for v in together] == [screen(p, ctx, INT8).scores for p in posts]


def test_quantised_encoding_stays_close_to_fp32():
    full, small = semantic.matcher(FP32), semantic.matcher(INT8)
    assert small.quantized and not full.quantized
    a, b = small.encode(TEXTS), full.encode(TEXTS)
    cosine = (a * b).sum(-1)
    # a one-word text moves most (0.90 with the session-4 tuned model); what matters is the reading
    assert float(cosine.mean()) > 0.93 and float(cosine.min()) > 0.85
    assert small.probabilities(a).argmax(-1).tolist() == full.probabilities(b).argmax(-1).tolist()


def test_the_classifier_is_trained_on_every_exemplar_and_explains_itself(settings):
    m = semantic.matcher()
    exemplars = semantic.load_exemplars()
    assert set(m.classes) == set(exemplars)
    assert len(m.texts) == sum(len(v) for v in exemplars.values())
    sig = m.analyse_many([normalise(
        "honestly everyone would be better off without me, I've got it all planned for friday")], settings)[0]
    top = sig.findings[0]
    assert top.category == "self_harm_suicide" and top.score > 0.5
    assert top.evidence in exemplars["self_harm_suicide"] and 0 < top.extra["similarity"] <= 1


def test_everyday_goodbyes_do_not_page_a_lead_and_farewells_for_good_do(settings):
    """The blind sign-off block (tests/data/moderation_eval.md): the session-10 engine paged a lead
    for 6 of its 70 everyday goodbyes, the session-11 one for 3, session 14's (the post model built on
    that machine's encoder) for 5; the margins are for another machine's fine-tune. One parent's farewell is still published unseen by
    both (a known miss, in the note)."""
    from moderation import screen_many
    from moderation.__main__ import context_of
    from moderation.classifiers import tuned

    rows = tuned.read_rows(tuned.POSTS_DIR / "moderation_signoffs1.jsonl")
    verdicts = screen_many([r["text"] for r in rows], [context_of(r) for r in rows], settings)
    everyday = [v.action for v, r in zip(verdicts, rows) if r["expect"] == "allow"]
    farewells = [v.action for v, r in zip(verdicts, rows) if r["expect"] == "escalate"]
    assert len(everyday) == 70 and len(farewells) == 50
    assert everyday.count("escalate") <= 5
    assert farewells.count("escalate") >= 43 and farewells.count("publish") <= 1


def test_a_moderator_reads_what_needs_reading_and_little_else(settings):
    """The blocks measured blind once and never trained on (holdout12-16, 100 `review` and 350 `allow`
    texts): the moderator's look took the `review` texts sent to a person from 0.73 to 0.85 while the
    everyday texts flagged went from 15.1% to 15.4% (session 12, with profanity-check). Here, without a
    toxicity model: 68 -> 81 review texts, 51 everyday texts flagged either way; the look alone flagged
    37 review texts and 1 everyday one (session 12's machine; on session 13's, each passage read
    alone: 67 -> 83, 57 everyday either way, the look 38 and 0). The margins are for another
    machine's fine-tune."""
    from moderation import screen_many
    from moderation.__main__ import context_of
    from moderation.classifiers import tuned

    rows = [r for n in range(12, 17) for r in tuned.read_rows(tuned.POSTS_DIR / f"moderation_holdout{n}.jsonl")
            if r["expect"] in ("review", "allow")]
    verdicts = screen_many([r["text"] for r in rows], [context_of(r) for r in rows], settings)
    seen = {e: [v.action != "publish" for v, r in zip(verdicts, rows) if r["expect"] == e] for e in ("review", "allow")}
    assert len(seen["review"]) == 100 and len(seen["allow"]) == 350
    looked = [any("A moderator should read this" in x for x in v.reasons) for v in verdicts]
    assert sum(seen["review"]) >= 76 and sum(seen["allow"]) <= 0.18 * 350
    # the look itself picks out review texts far more often than everyday ones
    rate = {e: sum(k for k, r in zip(looked, rows) if r["expect"] == e) / len(seen[e]) for e in seen}
    assert rate["review"] >= 5 * rate["allow"], rate
