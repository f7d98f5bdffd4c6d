"""The real Detoxify loading code, on a tiny random BERT saved in Detoxify's checkpoint format."""
import hashlib
import shutil
from pathlib import Path

import pytest

pytest.importorskip("detoxify")

from moderation import ScreenContext, screen  # noqa: E402
from moderation.classifiers import toxicity  # noqa: E402
from moderation.settings import Settings  # noqa: E402



def test_loads_through_detoxify_and_scores_every_label(tiny_detoxify):
    backend = toxicity.DetoxifyBackend(str(tiny_detoxify))
    from detoxify import Detoxify
    assert isinstance(backend.detox, Detoxify)
    scores = backend.score_many(["you are an idiot", "hello friend " * 400])   # second is > 512 tokens
    assert set(scores[0]) == {"toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack"}
    assert all(0.0 <= v <= 1.0 for s in scores for v in s.values())


def test_quantised_model_scores_close_to_fp32(tiny_detoxify):
    a = toxicity.DetoxifyBackend(str(tiny_detoxify)).score_many(["i hate you"])[0]
    b = toxicity.DetoxifyBackend(str(tiny_detoxify), quantize=True).score_many(["i hate you"])[0]
    assert all(abs(a[k] - b[k]) < 0.1 for k in a)


def test_screen_uses_detoxify_when_configured(tiny_detoxify):
    s = Settings(semantic_enabled=False, detoxify_checkpoint=str(tiny_detoxify))
    v = screen("you are an idiot", ScreenContext(audience="parents", author_age_band="adult", approved_posts=5), s)
    assert v.backend == "detoxify"
    assert "toxicity.insult" in v.scores


def test_hub_model_type_is_pointed_at_the_local_folder(tmp_path, detoxify_builder):
    ck = detoxify_builder(tmp_path, model_type="bert-base-uncased", name="hub.ckpt")
    with pytest.raises(toxicity.CheckpointError):
        toxicity.DetoxifyBackend(str(ck))                      # would need the network
    backend = toxicity.DetoxifyBackend(str(ck), model_dir=str(tmp_path / "base"))
    assert backend.score_many(["hello"])[0]["toxicity"] >= 0


def test_unverifiable_or_tampered_checkpoints_are_refused(tmp_path, tiny_detoxify):
    plain = tmp_path / "model.ckpt"
    shutil.copy(tiny_detoxify, plain)
    with pytest.raises(toxicity.CheckpointError, match="cannot verify"):
        toxicity.verify_checkpoint(plain)
    assert toxicity.verify_checkpoint(plain, allow_unverified=True)
    digest = hashlib.sha256(plain.read_bytes()).hexdigest()
    released = tmp_path / f"toxic_original-{digest[:8]}.ckpt"
    shutil.copy(plain, released)
    assert toxicity.verify_checkpoint(released) == digest
    wrong = tmp_path / "toxic_original-00000000.ckpt"
    shutil.copy(plain, wrong)
    with pytest.raises(toxicity.CheckpointError):
        toxicity.verify_checkpoint(wrong)
    # a misconfigured checkpoint holds texts instead of publishing them unscreened
    s = Settings(semantic_enabled=False, detoxify_checkpoint=str(wrong))
    v = screen("hello", ScreenContext(audience="parents", approved_posts=5), s)
    assert v.action == "hold" and "screening unavailable" in v.reasons[0]


def test_fetch_model_prepares_an_offline_checkpoint(tmp_path, monkeypatch, detoxify_builder):
    from moderation import fetch
    src = tmp_path / "src"
    made = detoxify_builder(src, model_type="bert-base-uncased", name="built.ckpt")
    digest = hashlib.sha256(made.read_bytes()).hexdigest()
    monkeypatch.setitem(fetch.RELEASES, "tiny", f"https://example.invalid/v1/toxic_tiny-{digest[:8]}.ckpt")

    def download(url: str, dest: Path) -> None:                # the edge of the world: no network here
        if url.endswith(".ckpt"):
            shutil.copy(made, dest)
        elif (src / "base" / url.rsplit("/", 1)[1]).is_file():
            shutil.copy(src / "base" / url.rsplit("/", 1)[1], dest)
        else:
            raise OSError("404")
    env = fetch.fetch_model(tmp_path / "models", "tiny", download=download, log=lambda m: None)
    backend = toxicity.DetoxifyBackend(env["MODERATION_DETOXIFY_CHECKPOINT"])   # verified by its .sha256
    assert backend.score_many(["hello"])[0]
    monkeypatch.setitem(fetch.RELEASES, "bad", "https://example.invalid/v1/toxic_bad-deadbeef.ckpt")
    with pytest.raises(fetch.FetchError):
        fetch.fetch_model(tmp_path / "models2", "bad", download=download, log=lambda m: None)
