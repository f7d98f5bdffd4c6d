"""Fixtures for the moderation core: plain pytest, no Flask."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from moderation import ScreenContext
from moderation.settings import Settings

WORDS = ("you are an idiot stupid hate love the a i my to and is not good bad kill die hello friend "
         "school mum dad happy sad").split()


@pytest.fixture
def young():
    return ScreenContext(audience="young_people", kind="post", author_age_band="young_person",
                         account_age_days=120, approved_posts=12)


@pytest.fixture
def parent():
    return ScreenContext(audience="parents", kind="post", author_age_band="adult",
                         account_age_days=300, approved_posts=40)


@pytest.fixture
def rules_only():
    """Settings with the model tier off: fast, and independent of MiniLM."""
    return Settings(semantic_enabled=False, toxicity_backend="none")


def build_tiny_detoxify(folder: Path, *, model_type: str | None = None, name: str = "tiny.ckpt") -> Path:
    """A randomly initialised 2-layer BERT (hidden 32) saved in Detoxify's checkpoint format.

    The base-model folder holds config.json and the tokenizer (model_max_length 512), as
    `moderation.fetch` lays out the real one; `model_type` in the checkpoint names that folder
    unless the caller asks for something else (a hub id, to test the rewrite).
    """
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    torch.manual_seed(0)
    base = folder / "base"
    base.mkdir(parents=True, exist_ok=True)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + WORDS
    (base / "vocab.txt").write_text("\n".join(vocab) + "\n")
    tok = BertTokenizer(str(base / "vocab.txt"), model_max_length=512)
    tok.save_pretrained(str(base))
    cfg = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=37, max_position_embeddings=512, num_labels=6)
    cfg.save_pretrained(str(base))
    model = BertForSequenceClassification(cfg)
    ck = {
        "config": {
            "arch": {"args": {"model_type": model_type or str(base), "model_name": "BertForSequenceClassification",
                              "tokenizer_name": "BertTokenizer", "num_classes": 6}},
            "dataset": {"args": {"classes": ["toxic", "severe_toxic", "obscene", "threat", "insult",
                                             "identity_hate"]}},
        },
        "state_dict": model.state_dict(),
    }
    path = folder / name
    torch.save(ck, path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    (folder / (name + ".sha256")).write_text(digest + "\n")
    return path


@pytest.fixture(scope="session")
def tiny_detoxify(tmp_path_factory):
    pytest.importorskip("detoxify")
    folder = tmp_path_factory.mktemp("detoxify")
    return build_tiny_detoxify(folder)


def write_jsonl(path: Path, rows) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture
def detoxify_builder():
    pytest.importorskip("detoxify")
    return build_tiny_detoxify
