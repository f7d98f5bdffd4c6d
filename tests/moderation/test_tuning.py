"""MiniLM fine-tuned on the exemplars: built once by `python -m moderation train`, found by fingerprint."""
import os

import pytest
import torch

from moderation.classifiers import semantic, tuned, tuning
from moderation.settings import Settings

pytestmark = pytest.mark.skipif(not semantic.available(), reason="MiniLM tier not installed")


def test_training_saves_weights_that_the_matcher_loads(tmp_path):
    said: list[str] = []
    path = tuning.train(str(tmp_path), epochs=0.02, progress=said.append)     # two steps: the mechanics
    assert path.parent == tmp_path and path.is_file()
    assert path.name == f"minilm-tuned-{tuned.fingerprint(semantic.load_exemplars())}.pt"
    assert any(s.startswith("step ") for s in said)
    saved = torch.load(path, weights_only=True)
    m = semantic.Matcher(quantize=True, tuned=True, tuned_dir=str(tmp_path))
    assert m.backend == "minilm-tuned"
    assert m.classes == saved["classes"]
    assert torch.equal(m.coef, saved["weight"].T.contiguous())
    # the fine-tuned encoder, not the shipped one, reads the text
    frozen = semantic.Matcher(quantize=False, tuned=False)
    fine = semantic.Matcher(quantize=False, tuned=True, tuned_dir=str(tmp_path))
    assert not torch.equal(frozen.encode(["i want to go home"]), fine.encode(["i want to go home"]))
    # built already: a second run only checks
    said.clear()
    assert tuning.train(str(tmp_path), progress=said.append) == path
    assert said == [f"tuned MiniLM already built: {path}"]


def test_weights_trained_on_other_exemplars_are_never_loaded(tmp_path):
    ex = semantic.load_exemplars()
    changed = {**ex, "benign": ex["benign"] + ["a new benign line"]}
    assert tuned.fingerprint(changed) != tuned.fingerprint(ex)
    # a file under today's name that was written for other exemplars (or half-written) is ignored
    path = tuned.path_for(ex, str(tmp_path))
    tuning.save(path, torch.nn.Linear(2, 2), torch.zeros(12, 384), torch.zeros(12), sorted(ex), "other")
    assert tuned.load(path, tuned.fingerprint(ex)) is None
    path.write_bytes(b"not a checkpoint")
    assert tuned.load(path, tuned.fingerprint(ex)) is None
    assert semantic.Matcher(quantize=True, tuned=True, tuned_dir=str(tmp_path)).backend == "minilm"


@pytest.mark.skipif(not os.environ.get("VILLAGE_STRICT_TESTS"), reason="make test trains it first; CI checks")
def test_the_set_up_step_built_the_tuned_model():
    assert semantic.matcher(Settings()).backend == "minilm-tuned"


def test_training_posts_are_read_in_passages_and_named_in_the_fingerprint():
    base = semantic.Matcher(quantize=False, tuned=False)
    long_risk = "Potty training is going well and she loves her new nursery. " * 4 + \
        "I took all my tablets last night because I want to die."
    texts, labels = tuning.post_passages(base, [("we crushed the quiz night", "benign"),
                                                (long_risk, "self_harm_suicide")])
    # a long risk post gives the one passage that reads as its category, not its ordinary talk
    assert labels == ["benign", "self_harm_suicide"]
    assert len(texts) == 2 and "tablets" in texts[1]
    ex = semantic.load_exemplars()
    assert tuned.fingerprint(ex, [("a post", "benign")]) != tuned.fingerprint(ex, [("another", "benign")])
    posts = tuned.load_posts()
    assert len(posts) > 1000 and {label for _, label in posts} <= set(ex)
    # the blocks kept blind for their first figures are not trained on
    assert "moderation_holdout12.jsonl" not in tuned.TRAINING_POSTS
    # every other real training post, read as the subreddit says; dev.jsonl only measures
    real = tuned.load_real_posts()
    assert tuned.real_posts_file().name == "train.jsonl" and len(real) == 1250
    assert {label for _, label in real} == {"benign", "self_harm_suicide"} and real[0] in posts
