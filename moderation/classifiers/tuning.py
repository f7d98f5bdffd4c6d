"""MiniLM fine-tuned on the exemplars: a build step (`python -m moderation train`), not a run-time one.

The frozen MiniLM with a logistic regression on top reads a sentence's topic well and its stance
badly: "im so dead if i dont finish this essay" sits near the self-harm exemplars, and a quiet
"I've given my games to my brother, he'll look after them" sits near benign chatter. Fine-tuning the
whole encoder with the classifier as its head on the same exemplars teaches it which differences
matter. On the blind holdout4 block (150 rows written without sight of the exemplars) it took
escalate recall from 0.77 to 0.88 and false escalations from 7.1% to 5.7% of benign (see
tests/data/moderation_eval.md for the figures and how each block was used).

Besides the exemplars (single sentences by one writer), it trains on the posts of the evaluation
blocks already used for tuning (`TRAINING_POSTS`): whole posts in many voices, read in passages as
the matcher reads them at run time. Trained on sentences alone, the model was sure of itself on
posts unlike any exemplar (a grandad's funeral read as a goodbye at 0.86). The blocks not yet run
stay out, so their first figures are still blind. And it trains on every other real post of
shared/eval/reddit-suicide-teens/train.jsonl (`tuned.load_real_posts`): r/teenagers posts' passages
as benign, each r/SuicideWatch post's riskiest passage as self-harm. Without them, the passages of
everyday teenage posts ("im so dead", a crush, a game) escalated one such post in five.

Training takes about nine minutes on two CPU cores, so it is done once, at set-up (`make setup`
runs it) and saved to a file named by a fingerprint of everything it was trained from: the
exemplars, the training posts, the settings (in `tuned.py`, which also finds the file) and the
base model's files. A changed exemplar
or post gives a new name, so a stale file is never loaded; until the new one is trained, the
matcher uses the frozen encoder and the logistic regression, and says so in its backend name
("minilm" rather than "minilm-tuned").
"""
from __future__ import annotations

import logging
import os
import random
import time
from pathlib import Path
from typing import Callable, Sequence

from moderation.classifiers import semantic
from moderation.classifiers.tuned import (BATCH, EPOCHS, FORMAT, HEAD_LEARNING_RATE, LEARNING_RATE, MAX_TOKENS, SEED,
                                          WEIGHT_DECAY, fingerprint, load, load_posts, path_for)

log = logging.getLogger(__name__)


def post_passages(base, posts: Sequence[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """Training passages from posts, read as the matcher reads them. A benign post gives all its
    passages; a risk post the one passage the untuned matcher reads as most like its category (the
    others of a long post are usually ordinary talk, and labelling them risk would teach that)."""
    from moderation.normalise import normalise

    texts, labels = [], []
    for text, label in posts:
        ps = semantic.chunks(normalise(text))
        if not ps:
            continue
        if label == semantic.BENIGN:
            texts += ps
            labels += [label] * len(ps)
            continue
        if len(ps) > 1 and label in base.classes:
            probs = base.probabilities(base.encode(ps))[:, base.classes.index(label)]
            ps = [ps[int(probs.argmax())]]
        texts.append(ps[0])
        labels.append(label)
    return texts, labels


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
    lengths = [len(t.split()) for t in texts]
    total = int((n + BATCH - 1) // BATCH * epochs)
    warm = max(1, int(0.1 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (total - s) / max(1, total)))
    transformer.train()
    step, started = 0, time.perf_counter()
    while step < total:
        order = list(range(n))
        rng.shuffle(order)
        # batches of texts of about the same length (sorted within pools of 32 batches), in random
        # order: a short exemplar is not padded to a 40-word passage, which made training twice as slow
        batches = []
        for p in range(0, n, BATCH * 32):
            pool = sorted(order[p:p + BATCH * 32], key=lengths.__getitem__)
            batches += [pool[i:i + BATCH] for i in range(0, len(pool), BATCH)]
        rng.shuffle(batches)
        for idx in batches:
            if step >= total:
                break
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


def train(configured_dir: str = "", *, force: bool = False, epochs: float = EPOCHS,
          progress: Callable[[str], None] = print) -> Path:
    """Fine-tune on the exemplars and save; returns the file. Quick when it already exists."""
    exemplars = semantic.load_exemplars()
    posts = load_posts()
    fp = fingerprint(exemplars, posts)
    path = path_for(exemplars, configured_dir, fp)
    if path.is_file() and not force and load(path, fp) is not None:
        progress(f"tuned MiniLM already built: {path}")
        return path
    base = semantic.Matcher(quantize=False, tuned=False)
    texts, labels = post_passages(base, posts)
    progress(f"fine-tuning MiniLM on {len(base.texts)} exemplars and {len(texts)} passages of {len(posts)} posts "
             "(about nine minutes on two cores)")
    transformer = base.model[0].auto_model
    targets = [base.classes.index(label) for label in base.labels + labels]
    weight, bias = fine_tune(transformer, base.tokenizer, base.texts + texts, targets, base.coef.T, base.intercept,
                             epochs=epochs, progress=progress)
    save(path, transformer, weight, bias, base.classes, fp)
    progress(f"saved {path}")
    return path
