"""The post-level risk model (moderation/classifiers/post.py) and how the policy reads it."""
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
    probs = torch.softmax(torch.randn(3, 4), dim=-1)
    once = post.features(emb, probs, benign=0)
    # the same post pasted three times over reads the same: nothing in it counts passages
    thrice = post.features(emb.repeat(3, 1), probs.repeat(3, 1), benign=0)
    assert torch.allclose(once, thrice, atol=1e-6)
    assert once.shape == (2 * 8 + 2 * 4 + 2,)
    empty = post.features(torch.zeros((0, 8)), torch.zeros((0, 4)), benign=0)
    assert empty.shape == once.shape and float(empty[-2]) == 0.0      # no passage: no risk


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
    """Risky rows longer than everyday ones, as in the real posts; the signal is in feature 0."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    bands = np.where(y == 1, rng.choice(4, n, p=[0.1, 0.2, 0.3, 0.4]), rng.choice(4, n, p=[0.4, 0.3, 0.2, 0.1]))
    X = rng.normal(size=(n, 6)).astype(np.float32)
    X[:, 0] += 2.5 * y
    X[:, 1] += bands            # a feature that only tells the length
    return X, y, bands, np.array(["reddit"] * n)


def test_the_exported_model_gives_scikit_learns_calibrated_probability():
    X, y, bands, groups = synthetic()
    members, esc, rev, floor, figures, oof = post.fit(X, y, bands, groups, floor_group="reddit")
    model = post.PostModel(encoder="x", members=[(torch.tensor(c), i, a, b) for c, i, a, b in members],
                           escalate=esc, review=rev, floor=floor)
    again = post.PostModel.from_json(model.to_json())
    cal = post._calibrated(post.C_POST).fit(X, y, sample_weight=post.band_weights(y, bands, groups))
    want = cal.predict_proba(X[:20])[:, 1]
    got = [again.risk(torch.tensor(x)) for x in X[:20]]
    assert np.allclose(got, want, atol=1e-4)
    assert 0.0 <= floor <= rev <= esc <= 1.0


def test_thresholds_keep_every_band_within_the_escalation_rate_out_of_fold():
    X, y, bands, groups = synthetic(900, seed=1)
    _, esc, rev, _, figures, oof = post.fit(X, y, bands, groups, rates={"reddit": 0.05}, floor_group="reddit")
    for b in range(4):
        neg = (bands == b) & (y == 0)
        if neg.sum() >= 20:
            assert (oof[neg] >= esc).mean() <= 0.05 + 1e-9
    assert (oof[y == 1] < rev).mean() <= 0.011
    # weighted by band, the length-only feature earns (almost) nothing
    cal = post._calibrated(post.C_POST).fit(X, y, sample_weight=post.band_weights(y, bands, groups))
    coef = np.mean([c.estimator.coef_[0] for c in cal.calibrated_classifiers_], axis=0)
    assert abs(coef[1]) < 0.25 * abs(coef[0])


def semantic_signal(risk, *, escalate=0.6, review=0.2, floor=0.05, category="self_harm_suicide", findings=()):
    return Signal("semantic", scores={"semantic.post_risk": risk}, findings=list(findings), backend="minilm-tuned",
                  extra={"post_escalate": escalate, "post_review": review, "post_floor": floor,
                         "post_category": category})


YOUNG = ScreenContext(audience="young_people", author_age_band="young_person", approved_posts=9)
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
