"""The post-level risk model (moderation/classifiers/post.py) and how the policy reads it."""
from dataclasses import replace

import numpy as np
import pytest
import torch

from moderation import ScreenContext
from moderation.classifiers import DISCLOSURE, Finding, Signal, post
from moderation.policy import decide
from moderation.settings import Settings


def test_length_bands():
    assert [post.band(n) for n in (0, 29, 30, 79, 80, 199, 200, 5000)] == [0, 0, 1, 1, 2, 2, 3, 3]


def test_features_do_not_grow_with_the_number_of_passages():
    torch.manual_seed(0)
    emb = torch.nn.functional.normalize(torch.randn(3, 8), dim=-1)
    once = post.features(emb)
    # the same post pasted three times over reads the same: nothing in it counts passages
    thrice = post.features(emb.repeat(3, 1))
    assert torch.allclose(once, thrice, atol=1e-6)
    assert once.shape == (2 * 8,)
    assert torch.allclose(once[:8], emb.mean(0)) and torch.allclose(once[8:], emb.max(0).values)
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


def semantic_signal(risk, *, escalate=0.6, review=0.2, floor=0.05, category="self_harm_suicide", findings=()):
    return Signal("semantic", scores={"semantic.post_risk": risk}, findings=list(findings), backend="minilm-tuned",
                  extra={"post_escalate": escalate, "post_review": review, "post_floor": floor,
                         "post_category": category})


YOUNG = ScreenContext(audience="young_people", author_age_band="young_person", approved_posts=9)
PARENT = ScreenContext(audience="parents", author_age_band="adult", approved_posts=9)
S = Settings(toxicity_backend="none", post_model=True)


def test_the_post_decides_once_whatever_its_passages_say():
    passage = Finding("semantic", "self_harm_suicide", 0.9, "reads as self harm", status=DISCLOSURE,
                      extra={"sentence": "i cant do this anymore", "benign": 0.05})
    high = decide({"semantic": semantic_signal(0.8, findings=[passage])}, YOUNG, S)
    assert high.action == "escalate" and high.categories == ["self_harm_suicide"]
    assert any("as a whole" in r for r in high.reasons)
    # a confident passage in a post that as a whole reads as low risk: a moderator looks, no page
    mid = decide({"semantic": semantic_signal(0.3, findings=[passage])}, YOUNG, S)
    assert mid.action == "publish_and_flag" and mid.show_helplines
    low = decide({"semantic": semantic_signal(0.05, findings=[passage])}, YOUNG, S)
    assert low.action == "publish"
    # with the post model off, the passage escalates on its own, as before
    old = decide({"semantic": semantic_signal(0.05, findings=[passage])}, YOUNG, Settings(post_model=False))
    assert old.action == "escalate"


def test_with_the_post_model_off_the_post_still_asks_a_moderator_on_young_peoples_boards():
    flags = Settings(toxicity_backend="none")          # the defaults: post model off, flags on youth boards
    some = semantic_signal(0.3)
    young = decide({"semantic": some}, YOUNG, flags)
    assert young.action == "publish_and_flag" and not young.show_helplines and young.severity == "standard"
    assert any("as a whole" in r for r in young.reasons)
    strong = decide({"semantic": semantic_signal(0.8)}, YOUNG, flags)
    assert strong.action == "publish_and_flag" and strong.show_helplines     # it never pages a lead itself
    assert strong.severity == "high"
    assert decide({"semantic": semantic_signal(0.1)}, YOUNG, flags).action == "publish"
    assert decide({"semantic": some}, PARENT, flags).action == "publish"
    title = ScreenContext(audience="young_people", author_age_band="young_person", kind="thread_title")
    assert decide({"semantic": some}, title, flags).action == "publish"       # a few words, not a post
    assert decide({"semantic": some}, YOUNG, replace(flags, post_model_flags=())).action == "publish"


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
    assert model.coef.shape == (768,) and model.hostility_coef.shape == (384,)
    assert 0.0 < model.review <= min(model.escalate) <= 1.0
    assert post.load("another-encoder", tmp_path) is None
    # a model built beside the tuned encoder wins over the shipped one
    model.escalate = [0.5] * 4
    post.save(model, post.path_for(tmp_path, shipped["encoder"]))
    assert post.load(shipped["encoder"], tmp_path).escalate == [0.5] * 4
