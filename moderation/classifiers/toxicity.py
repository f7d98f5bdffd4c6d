"""Toxicity: Detoxify from a local checkpoint where one is configured, else alt-profanity-check.

Detoxify is the real `detoxify.Detoxify` class, loaded with no network (see
`shared/notes/detoxify-offline.md`): `HF_HUB_OFFLINE=1`, a checkpoint whose `model_type` names a
local folder holding the base model's config and tokenizer. When the checkpoint names a hub id
instead and `detoxify_model_dir` is set, the config is pointed at that folder in memory. The file is
unpickled (`weights_only=False`), so it is loaded only when its sha256 is verified: against the hash
prefix in a released name (`toxic_original-c1212f89.ckpt`) or against a `<file>.sha256` written by
`fetch-model`.

The fallback, alt-profanity-check, is a linear model over words that ships its weights. It scores
swearing rather than intent; its score stands in for `toxicity` and the Verdict says which scored.
"""
from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import threading
from pathlib import Path
from typing import Any, Sequence

from moderation.classifiers import MARKER, Finding, Signal

log = logging.getLogger(__name__)

LABELS = ("toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack", "sexual_explicit")
_RELEASED = re.compile(r"-([0-9a-f]{8,64})\.(?:ckpt|pt|pth)$")


class CheckpointError(RuntimeError):
    pass


def sha256_of(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify_checkpoint(path: str | Path, allow_unverified: bool = False) -> str:
    """Raise CheckpointError unless the file's sha256 matches its released name or its sidecar."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"Detoxify checkpoint not found: {path}")
    digest = sha256_of(path)
    sidecar = path.with_name(path.name + ".sha256")
    if sidecar.is_file():
        expected = sidecar.read_text().split()[0].strip().lower() if sidecar.read_text().strip() else ""
        if expected and digest.startswith(expected):
            return digest
        raise CheckpointError(f"sha256 of {path.name} does not match {sidecar.name}")
    m = _RELEASED.search(path.name)
    if m:
        if digest.startswith(m.group(1)):
            return digest
        raise CheckpointError(f"sha256 of {path.name} does not start with {m.group(1)}")
    if allow_unverified:
        log.warning("loading unverified Detoxify checkpoint %s (sha256 %s)", path, digest)
        return digest
    raise CheckpointError(f"cannot verify {path.name}: no released hash in its name and no .sha256 file")


class DetoxifyBackend:
    name = "detoxify"
    inline = False       # a model forward pass: runs on the pool, under the time budget

    def __init__(self, checkpoint: str, model_dir: str = "", quantize: bool = False,
                 allow_unverified: bool = False, max_length: int = 256):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from detoxify import Detoxify

        verify_checkpoint(checkpoint, allow_unverified)
        source: Any = checkpoint
        ck = torch.load(checkpoint, map_location="cpu", weights_only=False, mmap=True)
        if "config" not in ck or "state_dict" not in ck:
            raise CheckpointError("checkpoint lacks 'config' and 'state_dict' (not Detoxify's format)")
        args = ck["config"]["arch"]["args"]
        if not Path(str(args.get("model_type", ""))).is_dir():
            if not model_dir or not Path(model_dir).is_dir():
                raise CheckpointError(
                    f"checkpoint names model_type {args.get('model_type')!r}, which is not a local folder, "
                    "and no MODERATION_DETOXIFY_MODEL_DIR folder is configured")
            args["model_type"] = str(Path(model_dir).resolve())
            buf = io.BytesIO()
            torch.save(ck, buf)
            buf.seek(0)
            source = buf
        del ck
        self.detox = Detoxify(checkpoint=source, device="cpu")
        tok = self.detox.tokenizer
        if not getattr(tok, "model_max_length", None) or tok.model_max_length > 100_000:
            tok.model_max_length = 512
        self.max_length = min(max_length, 512)
        self.detox.model.eval()
        if quantize:
            try:
                import warnings
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")   # torch marks eager quantisation as deprecated
                    from torch.ao.quantization import quantize_dynamic
                    self.detox.model = quantize_dynamic(self.detox.model, {torch.nn.Linear}, dtype=torch.qint8)
            except Exception:  # pragma: no cover - quantisation is a speed-up, not a requirement
                log.warning("int8 quantisation unavailable; Detoxify runs in fp32", exc_info=True)
        self.labels = list(self.detox.class_names)
        self._lock = threading.Lock()
        _release_freed_memory()

    def score_many(self, texts: Sequence[str]) -> list[dict[str, float]]:
        import torch
        if not texts:
            return []
        with self._lock, torch.inference_mode():
            enc = self.detox.tokenizer(list(texts), return_tensors="pt", truncation=True, padding=True,
                                       max_length=self.max_length)
            logits = self.detox.model(**enc)[0]
            probs = torch.sigmoid(logits).tolist()
        return [{lab: float(p) for lab, p in zip(self.labels, row)} for row in probs]


def _release_freed_memory() -> None:
    """Loading unpickles the fp32 weights (and quantising copies them); hand the freed heap back."""
    import gc
    gc.collect()
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except Exception:  # not glibc: nothing to do
        pass


class ProfanityBackend:
    """alt-profanity-check's shipped model (TF-IDF + 5 calibrated linear SVMs), evaluated directly.

    The library's `predict_prob` spends ~3 ms per call in scikit-learn's input checks; the same
    arithmetic on the same fitted weights takes ~0.1 ms. `exact_check` compares the two.
    """
    name = "profanity-check"
    inline = True        # cheap: runs in the caller's thread, timed

    def __init__(self) -> None:
        import numpy as np
        from profanity_check import profanity_check as pc

        self._np = np
        self._library = pc.predict_prob
        vec, model = pc.vectorizer, pc.model
        self._vocab = vec.vocabulary_
        self._idf = np.asarray(vec.idf_, dtype=np.float64)
        self._token = re.compile(vec.token_pattern)
        members = model.calibrated_classifiers_
        self._w = np.vstack([np.asarray(c.estimator.coef_, dtype=np.float64).ravel() for c in members])
        self._b = np.array([float(np.ravel(c.estimator.intercept_)[0]) for c in members])
        self._a = np.array([float(c.calibrators[0].a_) for c in members])
        self._c = np.array([float(c.calibrators[0].b_) for c in members])
        ok = (vec.get_params()["norm"] == "l2" and not vec.sublinear_tf and vec.use_idf
              and vec.ngram_range == (1, 1) and all(c.method == "sigmoid" for c in members)
              and list(model.classes_) == [0, 1])
        self._fast = ok and self.exact_check()

    def _one(self, text: str) -> float:
        np = self._np
        counts: dict[int, int] = {}
        for tok in self._token.findall(text.lower()):
            j = self._vocab.get(tok)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if counts:
            idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            x = np.fromiter(counts.values(), dtype=np.float64, count=len(counts)) * self._idf[idx]
            x /= np.sqrt((x * x).sum())
            decision = self._w[:, idx] @ x + self._b
        else:
            decision = self._b.copy()
        p = 1.0 / (1.0 + np.exp(self._a * decision + self._c))
        return float(p.mean())

    def exact_check(self) -> bool:
        probe = ["you are a fucking idiot", "what a lovely day at the park", "", "kill yourself loser",
                 "bloody hell the school run", "go back to your own country", "idiot " * 50]
        lib = self._library(probe)
        return all(abs(self._one(t) - float(p)) < 1e-6 for t, p in zip(probe, lib))

    def score_many(self, texts: Sequence[str]) -> list[dict[str, float]]:
        if not texts:
            return []
        if self._fast:
            return [{"toxicity": self._one(t)} for t in texts]
        return [{"toxicity": float(p)} for p in self._library(list(texts))]


class NoBackend:
    name = "none"
    inline = True

    def score_many(self, texts: Sequence[str]) -> list[dict[str, float]]:
        return [{} for _ in texts]


_backends: dict[tuple, Any] = {}
_load_lock = threading.Lock()


def _key(settings) -> tuple:
    choice = (settings.toxicity_backend or "auto").lower()
    if choice == "auto":
        choice = "detoxify" if settings.detoxify_checkpoint else "profanity-check"
    return (choice, settings.detoxify_checkpoint, settings.detoxify_model_dir, settings.detoxify_quantize)


def loaded_backend(settings) -> Any | None:
    """The backend if it is already loaded (no locking, no loading)."""
    return _backends.get(_key(settings))


def backend_for(settings) -> Any:
    """The toxicity backend for these settings, loaded once per process. Raises if misconfigured."""
    key = _key(settings)
    choice = key[0]
    with _load_lock:
        if key not in _backends:
            if choice == "detoxify":
                _backends[key] = DetoxifyBackend(settings.detoxify_checkpoint, settings.detoxify_model_dir,
                                                 settings.detoxify_quantize, settings.detoxify_allow_unverified)
            elif choice in ("profanity-check", "profanity", "fallback"):
                _backends[key] = ProfanityBackend()
            elif choice == "none":
                _backends[key] = NoBackend()
            else:
                raise ValueError(f"unknown toxicity backend {choice!r}")
        return _backends[key]


# Swearing that is aimed at nobody ("this lesson is so f***ing boring") is not abuse. A general
# "toxicity" / profanity score counts only when the text addresses someone; Detoxify's specific
# labels (insult, threat, identity attack, severe toxicity) count as they stand.
TARGETED = re.compile(r"\b(?:you|your|you'?re|youre|ur|u|ya|yourself|yourselves|people like|the lot of you|"
                      r"all of you|these people|those people|go back|get out|kys|whore|slag|slut|bitch|cunt|"
                      r"retard\w*|faggot|paki|n[i1]gg\w*|scroungers?)\b"
                      # ... or at a group of people: swearing at a group is abuse of its members
                      r"|\b(?:wom[ae]n|girls|men|muslims?|islam\w*|jews?|jewish|christians?|hindus?|sikhs?|blacks?|whites?|"
                      r"gays?|lesbians?|homosexuals?|queers?|trans|transgenders?|immigrants?|migrants?|refugees?|foreigners?|"
                      r"asians?|africans?|arabs?|mexicans?|indians?|chinese|gypsies|gypsy|travellers|roma|disabled|"
                      r"autistic|feminists?|liberals?|leftists?|conservatives?|tories|religion|race|races)\b")
GENERAL = ("toxicity", "obscene")


def to_signal(scores: dict[str, float], backend_name: str, settings, text: str = "") -> Signal:
    findings = []
    counted = [k for k in scores if k in settings.toxicity_labels or k == "toxicity"]
    top = max((scores[k] for k in counted), default=0.0)
    if top >= settings.toxicity_flag:
        label = max(counted, key=lambda k: scores[k])
        specific = [k for k in counted if k not in GENERAL and scores[k] >= settings.toxicity_flag]
        targeted = bool(specific) or bool(TARGETED.search(text)) or not text
        what = "swearing / offensive words" if backend_name == "profanity-check" else label.replace("_", " ")
        findings.append(Finding("toxicity", "toxicity", top,
                                f"{what} {top:.2f} ({backend_name})" + ("" if targeted else ", aimed at no one"),
                                status=MARKER, evidence=label, extra={"targeted": targeted}))
    out = {f"toxicity.{k}": round(v, 4) for k, v in scores.items()}
    out["toxicity"] = round(top, 4)
    return Signal("toxicity", scores=out, findings=findings, backend=backend_name)
