"""The post-level risk model (moderation/classifiers/post.py) and how the policy reads it."""
from dataclasses import replace

import numpy as np
import pytest
import torch

from moderation import ScreenContext
from moderation.classifiers import DISCLOSURE, Finding, Signal, post, tuned
from moderation.policy import decide
from moderation.settings import Settings


def test_length_bands():
    assert [post.band(n) for n in (0, 29, 30, 79, 80, 199, 200, 5000)] == [0, 0, 1, 1, 2, 2, 3, 3]


def test_features_do_not_grow_with_the_number_of_passages():
    torch.manual_seed(0)
    emb = torch.nn.functional.normalize(torch.randn(3, 8), dim=-1)
    once = post.features(emb, 1.5)
    # the same post pasted three times over reads the same: nothing in it counts passages
    thrice = post.features(emb.repeat(3, 1), 1.5)
    assert torch.allclose(once, thrice, atol=1e-6)
    assert once.shape == (2 * 8 + 1,)
    assert torch.allclose(once[:8], emb.mean(0)) and torch.allclose(once[8:16], emb.max(0).values)
    assert once[16] == 1.5                      # the word model's score
    empty = post.features(torch.zeros((0, 8)))
    assert empty.shape == once.shape and not empty.any()


def test_band_weights_give_both_classes_equal_mass_in_every_band():
    y = np.array([1, 1, 1, 0, 0, 1, 0, 0, 0, 0])
    b = np.array([3, 3, 3, 3, 0, 0, 0, 0, 0, 0])
    g = np.array(["r"] * 10)
    w = post.band_weights(y, b, g)
    for band in (0, 3):
        cell = b == band
        assert w[cell & (y == 1)].sum() == pytest.approx(w[cell & (y == 0)].sum())
        assert w[cell].sum() == pytest.approx(cell.sum())


def synthetic(n=600, seed=0):
    """Risky rows longer than everyday ones, as in the real posts; the signal is in feature 0, and
    long everyday rows read riskier than short ones (they vent)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    bands = np.where(y == 1, rng.choice(4, n, p=[0.1, 0.2, 0.3, 0.4]), rng.choice(4, n, p=[0.4, 0.3, 0.2, 0.1]))
    X = rng.normal(size=(n, 6)).astype(np.float32)
    X[:, 0] += 2.5 * y + 0.4 * bands
    X[:, 1] += bands            # a feature that only tells the length
    return X, y, bands, np.array(["reddit"] * n)


def test_the_word_model_scores_as_scikit_learn_does_and_learns_out_of_fold():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    risky = ["i want to end it tonight", "nobody would miss me if i was gone", "i have the pills ready",
             "i cant keep going like this anymore", "tonight is the night i end it all"]
    everyday = ["going bowling with my cousins", "anyone watching the match tonight", "my crush smiled at me",
                "this essay is killing me lol", "new trainers finally came today"]
    texts = (risky + everyday) * 3
    y = np.array(([1] * 5 + [0] * 5) * 3)
    model, oof = post.fit_words(texts, y, y, folds=3)
    vec = TfidfVectorizer(lowercase=False, token_pattern=post.TOKEN.pattern, min_df=post.WORDS_MIN_DF,
                          sublinear_tf=True)
    want = LogisticRegression(C=post.C_WORDS, max_iter=5000).fit(vec.fit_transform(texts), y)
    unseen = ["i want to end it all tonight", "bowling tonight with my cousins", "words it never saw"]
    again = post.WordModel.from_json(model.to_json())
    got = [again.score(t) for t in unseen]
    assert np.allclose(got, want.decision_function(vec.transform(unseen)), atol=1e-4)
    assert got[0] > 0 > got[1]
    # out of fold, every text is scored by a model fitted without it
    assert oof.shape == (len(texts),) and (oof[y == 1].mean() > oof[y == 0].mean())


WORDS = (10, 50, 120, 300)      # one post length in each band


def test_the_exported_model_gives_the_fitted_calibrated_probability():
    X, y, bands, groups = synthetic()
    coef, intercept, calibration, esc, rev, floor, figures, oof = post.fit(X, y, bands, groups)
    model = post.PostModel(encoder="x", coef=torch.tensor(coef), intercept=intercept, calibration=calibration,
                           escalate=esc, review=rev, floor=floor)
    again = post.PostModel.from_json(model.to_json())
    scores = post._regression(post.C_POST).fit(X, y, sample_weight=post.band_weights(y, bands, groups)) \
        .decision_function(X[:40])
    want = post.calibrated(scores, bands[:40], calibration)
    got = [again.risk(torch.tensor(x), WORDS[b]) for x, b in zip(X[:40], bands[:40])]
    assert np.allclose(got, want, atol=1e-4)
    assert len(again.escalate) == len(again.floor) == 4
    assert all(0.0 <= f <= e <= 1.0 and rev <= e for f, e in zip(again.floor, again.escalate))


def test_calibration_is_per_band():
    X, y, bands, groups = synthetic(2000, seed=2)
    w = post.band_weights(y, bands, groups)
    scores = post._regression(1.0).fit(X, y, sample_weight=w).decision_function(X)
    p = post.calibrated(scores, bands, post.calibrate(scores, y, bands, w))
    for b in range(4):
        cell = bands == b
        # under the band weights, the mean probability matches the share of risky rows in every band
        assert np.average(p[cell], weights=w[cell]) == pytest.approx(np.average(y[cell], weights=w[cell]), abs=0.02)


def test_thresholds_keep_every_band_within_its_rate_out_of_fold():
    X, y, bands, groups = synthetic(900, seed=1)
    rates = {"reddit": (0.03, 0.03, 0.06, 0.06)}
    _, _, _, esc, rev, floor, figures, oof = post.fit(X, y, bands, groups, rates=rates)
    for b in range(4):
        neg = (bands == b) & (y == 0)
        if neg.sum() >= 20:
            assert (oof[neg] >= esc[b]).mean() <= rates["reddit"][b] + 1e-9
            assert figures[f"reddit {post.BAND_NAMES[b]}"]["everyday_escalated"] <= rates["reddit"][b] + 1e-9
    assert (oof[y == 1] < rev).mean() <= 0.016
    # weighted by band, the length-only feature earns (almost) nothing
    lr = post._regression(post.C_POST).fit(X, y, sample_weight=post.band_weights(y, bands, groups))
    assert abs(lr.coef_[0][1]) < 0.25 * abs(lr.coef_[0][0])


def test_a_flag_keeps_every_kind_of_everyday_text_within_its_rate_out_of_fold():
    rng = np.random.default_rng(4)
    # two kinds of everyday text: one far from what a moderator should read, one close to it
    X = np.concatenate([rng.normal(3, 1, (300, 3)), rng.normal(-1, 1, (300, 3)), rng.normal(1.2, 1, (200, 3))])
    y = np.array([1] * 300 + [0] * 500)
    sources = np.array(["village"] * 600 + ["civil"] * 200)
    coef, intercept, threshold = post.fit_flag(X, y, sources, rate=0.03)
    p = 1 / (1 + np.exp(-(X @ coef + intercept)))
    # the close kind sets the threshold: at most ~3% of it flagged (in sample, near its out-of-fold rate)
    assert (p[600:] >= threshold).mean() <= 0.06 and (p[300:600] >= threshold).mean() <= 0.03
    assert (p[:300] >= threshold).mean() >= 0.3
    one = post.fit_flag(X[:600], y[:600], rate=0.03)[2]
    assert one < threshold           # without the close kind, the budget would be spent on it


def look_signal(look, threshold=0.7):
    return Signal("semantic", scores={"semantic.look": look}, backend="minilm-tuned",
                  extra={"look_threshold": threshold})


def test_a_moderator_reads_what_the_look_picks_out_on_every_board_and_only_in_posts():
    for ctx in (YOUNG, PARENT):
        v = decide({"semantic": look_signal(0.8)}, ctx, S)
        assert v.action == "publish_and_flag" and v.severity == "standard" and not v.show_helplines
        assert any("A moderator should read this" in r for r in v.reasons)
        assert decide({"semantic": look_signal(0.6)}, ctx, S).action == "publish"
    assert decide({"semantic": look_signal(0.8)}, PARENT, replace(S, moderator_look=False)).action == "publish"
    name = ScreenContext(audience="parents", author_age_band="adult", kind="profile")
    assert decide({"semantic": look_signal(0.99)}, name, S).action == "publish"
    broken = look_signal(0.99)
    broken.error = "timed out"
    assert not any("A moderator should read this" in r for r in decide({"semantic": broken}, PARENT, S).reasons)


def semantic_signal(risk, *, escalate=0.6, review=0.2, floor=0.05, category="self_harm_suicide", findings=()):
    return Signal("semantic", scores={"semantic.post_risk": risk}, findings=list(findings), backend="minilm-tuned",
                  extra={"post_escalate": escalate, "post_review": review, "post_floor": floor,
                         "post_category": category})


YOUNG = ScreenContext(audience="young_people", author_age_band="young_person", approved_posts=9)
PARENT = ScreenContext(audience="parents", author_age_band="adult", approved_posts=9)
S = Settings(toxicity_backend="none", post_model=True)


def passage(category="self_harm_suicide", score=0.9):
    return Finding("semantic", category, score, f"reads as {category}", status=DISCLOSURE,
                   self_risk=category == "self_harm_suicide",
                   extra={"sentence": "i cant do this anymore, nobody would care", "benign": 0.05})


def test_the_post_decides_self_harm_once_and_a_sure_passage_still_pages():
    high = decide({"semantic": semantic_signal(0.8, findings=[passage()])}, YOUNG, S)
    assert high.action == "escalate" and high.categories == ["self_harm_suicide"]
    assert any("as a whole" in r for r in high.reasons)
    # a passage read as self-harm, but not surely, in a post that reads as some risk: a moderator looks
    mid = decide({"semantic": semantic_signal(0.3, findings=[passage(score=0.5)])}, YOUNG, S)
    assert mid.action == "publish_and_flag" and not mid.show_helplines
    # ... on a parents' board too, where the whole-post reading does not flag on its own
    parent = decide({"semantic": semantic_signal(0.1, findings=[passage(score=0.5)])}, PARENT, S)
    assert parent.action == "publish_and_flag" and any("a passage reads as some risk" in r for r in parent.reasons)
    assert decide({"semantic": semantic_signal(0.1)}, PARENT, S).action == "publish"
    # with the post model off, that passage pages a lead on its own, as before
    assert decide({"semantic": semantic_signal(0.3, findings=[passage(score=0.5)])}, YOUNG,
                  replace(S, post_model=False)).action == "escalate"
    # a passage the classifier is sure of pages a lead unless the post reads as almost no risk
    sure = decide({"semantic": semantic_signal(0.3, findings=[passage()])}, YOUNG, S)
    assert sure.action == "escalate" and sure.show_helplines
    below = decide({"semantic": semantic_signal(0.01, findings=[passage()])}, YOUNG, S)
    assert below.action == "hold" and below.show_helplines and below.severity == "high"
    assert any("as a whole reads as risk at 0.01 only" in r for r in below.reasons)


def test_a_word_or_two_never_pages_a_lead_on_the_whole_post_reading():
    two = semantic_signal(0.9)
    two.extra["post_words"] = 2
    v = decide({"semantic": two}, YOUNG, S)
    assert v.action == "publish_and_flag" and v.severity == "standard" and not v.show_helplines
    two.extra["post_words"] = 3
    assert decide({"semantic": two}, YOUNG, S).action == "escalate"


def test_the_post_decides_every_category_and_passages_only_those_it_is_told_not_to():
    bullying = [passage("bullying", 0.6)]
    # a passage reads as bullying, the post as a whole as low risk: a moderator looks
    assert decide({"semantic": semantic_signal(0.1, findings=bullying)}, YOUNG, S).action == "publish_and_flag"
    # where the post model decides self-harm only (sessions 10-13), the passage pages a lead
    only = replace(S, post_model_categories=("self_harm_suicide",))
    assert decide({"semantic": semantic_signal(0.1, findings=bullying)}, YOUNG, only).action == "escalate"
    # a name or a title is never read as a whole post: its passages decide
    title = ScreenContext(audience="young_people", author_age_band="young_person", kind="thread_title")
    assert decide({"semantic": semantic_signal(0.01, findings=[passage(score=0.5)])}, title, S).action == "escalate"


def test_the_whole_post_pages_for_every_category_it_reads_most():
    for category in ("abuse_neglect", "radicalisation"):
        v = decide({"semantic": semantic_signal(0.9, category=category)}, PARENT, S)
        assert v.action == "escalate" and v.categories == [category]
    # a short post is one passage: there the whole post decides self-harm only, and the passage the rest
    short = semantic_signal(0.9, category="domestic_abuse")
    short.extra["post_words"] = 20
    assert decide({"semantic": short}, YOUNG, S).action == "publish_and_flag"
    sure = semantic_signal(0.9, category="domestic_abuse", findings=[passage("domestic_abuse", 0.9)])
    sure.extra["post_words"] = 20
    assert decide({"semantic": sure}, YOUNG, S).action == "escalate"
    assert decide({"semantic": short}, YOUNG, replace(S, post_model_short_words=10)).action == "escalate"
    # a passage read as one category in a post read most like another: the reason says so
    v = decide({"semantic": semantic_signal(0.9, category="radicalisation", findings=[passage(score=0.5)])}, YOUNG, S)
    assert any("the post as a whole reads most like radicalisation or extremism (0.90)" in r for r in v.reasons)
    assert not any("below" in r for r in v.reasons)


def test_a_rule_still_escalates_unless_the_post_reads_as_no_risk_at_all():
    rule = Signal("rules", findings=[Finding("rules", "self_harm_suicide", 1.0, "wants to die", status=DISCLOSURE,
                                             evidence="kill myself", self_risk=True)])
    assert decide({"rules": rule, "semantic": semantic_signal(0.1)}, YOUNG, S).action == "escalate"
    below = decide({"rules": rule, "semantic": semantic_signal(0.01)}, YOUNG, S)
    assert below.action == "hold" and below.show_helplines
    assert any("as a whole" in r for r in below.reasons)


def test_post_thresholds_can_be_set():
    s = Settings(toxicity_backend="none", post_model=True, post_escalate=0.9)
    assert decide({"semantic": semantic_signal(0.8)}, YOUNG, s).action == "publish_and_flag"


def test_the_shipped_model_loads_for_its_encoder_and_only_for_it(tmp_path):
    import json

    shipped = json.loads(post.SHIPPED.read_text(encoding="utf-8"))
    model = post.load(shipped["encoder"], tmp_path)
    assert model is not None and len(model.escalate) == len(model.floor) == len(post.BAND_NAMES)
    assert model.coef.shape == (769,) and model.look_coef.shape == (768,)
    assert 0.0 < model.look_threshold < 1.0
    assert model.words is not None and len(model.words.vocabulary) > 1000
    assert 0.0 < model.review <= min(model.escalate) <= 1.0
    assert post.load("another-encoder", tmp_path) is None
    # a model built beside the tuned encoder wins over the shipped one
    model.escalate = [0.5] * 4
    post.save(model, post.path_for(tmp_path, shipped["encoder"]))
    assert post.load(shipped["encoder"], tmp_path).escalate == [0.5] * 4


def test_the_weights_digest_names_the_weights_themselves():
    state = {"a": torch.zeros(3), "b": torch.ones(2, 2)}
    same = {"b": torch.ones(2, 2), "a": torch.zeros(3)}
    assert tuned.weights_digest(state) == tuned.weights_digest(same)
    nudged = {"a": torch.tensor([0.0, 0.0, 1e-7]), "b": torch.ones(2, 2)}
    assert tuned.weights_digest(nudged) != tuned.weights_digest(state)


def test_a_post_model_that_read_other_weights_is_built_again_for_these(monkeypatch, tmp_path):
    built = []
    monkeypatch.setattr(post, "build", lambda matcher, path, progress, weights: built.append((path, weights)) or "new")
    said = []

    class Found:            # what a Matcher holds: its fingerprint and the post model it found
        fingerprint = "f" * 16
        post = post.PostModel(encoder="f" * 16, coef=None, intercept=0.0, calibration=[], escalate=[], review=0.5,
                              floor=[], weights="aaaa")

    assert post.for_encoder(Found, "aaaa", tmp_path, said.append) is Found.post and not built
    assert post.for_encoder(Found, "bbbb", tmp_path, said.append) == "new"
    assert built == [(post.path_for(tmp_path, "f" * 16), "bbbb")] and "other weights" in said[0]
    Found.post = None                                    # none for this fingerprint: nothing to build on
    assert post.for_encoder(Found, "bbbb", tmp_path, said.append) is None and len(built) == 1
