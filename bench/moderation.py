"""Benchmark of the moderation engine (issue 15). Every figure is printed beside baselines measured in
the same run, and the last line is one JSON object with the issue's keys.

    .venv/bin/python bench/moderation.py [--quick]

Engines:
  today      the engine as issue 15 found it: passages decide one by one, no post-level flags, no
             moderator's look
  passages   the engine of session 9: passages decide every page; the post-level reading only asks a
             moderator to look on young people's boards (`post_model=False`, no moderator's look)
  engine     the engine as shipped (the defaults of moderation/settings.py): the post-level model
             (a probability for the whole post, calibrated per length band) decides the pages of
             every category, with its passages as evidence; the post-level reading asks a moderator
             to look on young people's boards (`post_model_flags`), and the moderator's look on
             every board (`moderator_look`)
  self-harm  the engine of sessions 10-13: the post-level model decides self-harm and suicide pages,
             passages the other categories (`post_model_categories`)
  tfidf+lr   plain baseline: TF-IDF (words and pairs) + logistic regression trained on train.jsonl,
             its threshold chosen by 5-fold cross-validation on train.jsonl so that 5% of r/teenagers
             posts escalate
  minilm+lr  plain baseline: the shipped MiniLM, frozen, mean- and max-pooled over 40-word passages,
             logistic regression trained on train.jsonl, threshold chosen the same way

Data: shared/eval/reddit-suicide-teens/dev.jsonl (measured only, never trained or tuned on), the
blocks of tests/data measured blind once and never trained on (BLIND), and ETHOS (hateful comments
must not publish unflagged), all with the shipped toxicity fallback (profanity-check).

Targets: dev r/SuicideWatch escalated >= 0.90, r/teenagers escalated <= 0.05 overall and <= 0.08 in
every length band, r/SuicideWatch unflagged <= 0.02; blind recall >= 0.95 with false escalations
<= 3% of benign and review caught >= 0.75; p95 <= 20 ms per 60-word post and <= 60 ms per 400-word
post without the ml extra; ETHOS hateful flagged >= 0.60 with clean flagged <= 0.20.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from moderation import ScreenContext, screen, screen_many  # noqa: E402
from moderation.__main__ import BANDS, band_of, context_of, read_jsonl  # noqa: E402
from moderation.classifiers.tuned import POSTS_DIR, real_posts_file  # noqa: E402
from moderation.settings import Settings  # noqa: E402

# blocks measured blind once (tests/data/moderation_eval.md) and never trained on
BLIND = tuple(f"moderation_holdout{n}.jsonl" for n in range(12, 20))
SHARED = real_posts_file().parents[2] if real_posts_file() else ROOT.parent / "shared"
DEV = SHARED / "eval" / "reddit-suicide-teens" / "dev.jsonl"
TRAIN = SHARED / "eval" / "reddit-suicide-teens" / "train.jsonl"
ETHOS = SHARED / "eval" / "ethos_binary.csv"
PARENT = ScreenContext(audience="parents", author_age_band="adult", approved_posts=50, account_age_days=400)
NAMES = [f"{lo}+" if hi is None else f"{lo}-{hi}" for lo, hi in BANDS]
ENGINE = Settings(toxicity_backend="profanity-check")
TODAY = replace(ENGINE, post_model=False, post_model_flags=(), moderator_look=False)
SELF_HARM = replace(ENGINE, post_model_categories=("self_harm_suicide",))
ENGINES = {"today": TODAY, "passages": replace(ENGINE, post_model=False, moderator_look=False), "engine": ENGINE,
           "self-harm": SELF_HARM}


def pct(values, q):
    values = sorted(values)
    return values[max(0, min(len(values) - 1, round(q / 100 * (len(values) - 1))))]


def posts_of(words: int, n: int) -> list[str]:
    texts = [r["text"] for name in ("moderation_eval.jsonl",) for r in read_jsonl(str(POSTS_DIR / name))]
    out, i = [], 0
    while len(out) < n:
        got: list[str] = []
        while len(got) < words:
            got += texts[i % len(texts)].split()
            i += 7
        out.append(" ".join(got[:words]))
    return out


def latency(settings: Settings, posts: list[str], repeats: int = 3) -> tuple[float, float]:
    """p50 and p95 in ms, one post at a time; the quietest of `repeats` runs (other work on a shared
    machine only ever adds time)."""
    screen("warm up", PARENT, settings)
    best = None
    for _ in range(repeats):
        times = []
        for p in posts:
            t0 = time.perf_counter()
            screen(p, PARENT, settings)
            times.append((time.perf_counter() - t0) * 1000)
        run = (pct(times, 50), pct(times, 95))
        if best is None or run[1] < best[1]:
            best = run
    return best


def real_figures(labels: list[int], escalated: list[bool], flagged: list[bool], texts: list[str]) -> dict:
    """Shares on the real posts: r/SuicideWatch escalated and unflagged, r/teenagers escalated per band."""
    def share(sel):
        return sum(sel) / len(sel) if sel else 0.0
    sw = [i for i, y in enumerate(labels) if y == 1]
    teens = [i for i, y in enumerate(labels) if y == 0]
    out = {"sw_escalated": share([escalated[i] for i in sw]),
           "sw_unflagged": share([not flagged[i] and not escalated[i] for i in sw]),
           "teens_escalated": share([escalated[i] for i in teens]),
           "teens_flagged": share([flagged[i] and not escalated[i] for i in teens]), "teens_band": {}, "sw_band": {}}
    for b in NAMES:
        out["teens_band"][b] = share([escalated[i] for i in teens if band_of(texts[i]) == b])
        out["sw_band"][b] = share([escalated[i] for i in sw if band_of(texts[i]) == b])
    out["teens_max_band"] = max(out["teens_band"].values())
    return out


def engine_on_real(settings: Settings, rows: list[dict]) -> dict:
    verdicts = screen_many([r["text"] for r in rows], [context_of(r) for r in rows], settings)
    return real_figures([int(r["label"] == "suicide") for r in rows], [v.action == "escalate" for v in verdicts],
                        [v.action != "publish" for v in verdicts], [r["text"] for r in rows])


def threshold_at_teen_rate(scores, labels, rate: float = 0.05) -> float:
    import numpy as np

    neg = np.sort(np.asarray(scores)[np.asarray(labels) == 0])
    return float(neg[int(np.ceil((1 - rate) * len(neg))) - 1]) + 1e-9


def baseline(name: str, train_X, train_y, dev_X, make) -> tuple[list[float], float]:
    """Fit `make()` on train, threshold from 5-fold out-of-fold scores on train (5% of teens)."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(train_y)
    oof = np.zeros(len(y))
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(np.zeros(len(y)), y):
        m = make().fit(train_X[tr] if not isinstance(train_X, list) else [train_X[i] for i in tr], y[tr])
        oof[te] = m.predict_proba(train_X[te] if not isinstance(train_X, list) else [train_X[i] for i in te])[:, 1]
    t = threshold_at_teen_rate(oof, y)
    m = make().fit(train_X, y)
    return m.predict_proba(dev_X)[:, 1].tolist(), t


def frozen_pooled(matcher, texts: list[str], cache: str = ""):
    """Mean and max of the frozen MiniLM's passage embeddings per post (40-word passages); kept in
    `cache` (a folder) when given, by a hash of the texts, so a second run skips the encoding."""
    import hashlib

    import numpy as np

    from moderation.classifiers.post import embed_posts

    key = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = Path(cache) / f"frozen-pooled-{key}.npy" if cache else None
    if path is not None and path.is_file():
        return np.load(path)
    out = []
    for emb, _ in embed_posts(matcher, texts):
        e = emb.numpy() if len(emb) else np.zeros((1, matcher.dim), np.float32)
        out.append(np.concatenate([e.mean(0), e.max(0)]))
    out = np.stack(out)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, out)
    return out


def blocks(settings: Settings) -> dict:
    """Escalate recall, false escalations of benign and review caught over the blind blocks, and per block."""
    rows = [r for name in BLIND if (POSTS_DIR / name).is_file() for r in read_jsonl(str(POSTS_DIR / name))]
    verdicts = screen_many([r["text"] for r in rows], [context_of(r) for r in rows], settings)

    def figures(sel) -> dict:
        esc = [v for r, v in sel if r["expect"] == "escalate"]
        allow = [v for r, v in sel if r["expect"] == "allow"]
        review = [v for r, v in sel if r["expect"] == "review"]
        return {"n": len(sel), "recall": sum(v.action == "escalate" for v in esc) / max(1, len(esc)),
                "false": sum(v.action == "escalate" for v in allow) / max(1, len(allow)),
                "review_caught": sum(v.action != "publish" for v in review) / max(1, len(review))}

    pairs = list(zip(rows, verdicts))
    out = figures(pairs)
    out["blocks"] = {split: figures([(r, v) for r, v in pairs if r.get("split") == split])
                     for split in dict.fromkeys(r.get("split") for r in rows)}
    return out


def ethos_rows():
    with open(ETHOS, encoding="utf-8") as f:
        reader = csv.reader(f, delimiter=";")
        next(reader)
        for row in reader:
            if len(row) >= 2:
                try:
                    yield row[0], float(row[1])
                except ValueError:
                    continue


def ethos(settings: Settings) -> dict:
    rows = list(ethos_rows())
    verdicts = screen_many([t for t, _ in rows], PARENT, settings)
    hate = [v for (_, y), v in zip(rows, verdicts) if y >= 0.5]
    clean = [v for (_, y), v in zip(rows, verdicts) if y == 0]
    return {"hateful": sum(v.action != "publish" for v in hate) / len(hate),
            "clean": sum(v.action != "publish" for v in clean) / len(clean)}


def rss_child(settings_json: str) -> float:
    code = (
        "import json,sys; sys.path.insert(0, %r)\n"
        "from moderation import warm_up, screen, ScreenContext\n"
        "from moderation.settings import Settings\n"
        "s = Settings(**json.loads(%r))\n"
        "import moderation; moderation.configure(s); warm_up(s)\n"
        "for i in range(20): screen('a sixty word post about the school run and the weather ' * 6, ScreenContext(audience='parents'))\n"
        "print([l for l in open('/proc/self/status').read().splitlines() if l.startswith('VmRSS')][0].split()[1])\n"
    ) % (str(ROOT), settings_json)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    return int(out.stdout.strip().splitlines()[-1]) / 1024 if out.returncode == 0 else float("nan")


def show(name: str, f: dict) -> None:
    bands = "  ".join(f"{b} {f['teens_band'][b]:.3f}" for b in NAMES)
    sw = " / ".join(f"{f['sw_band'][b]:.3f}" for b in NAMES)
    print(f"  {name:<10} SW escalated {f['sw_escalated']:.3f} ({sw} by band)  SW unflagged {f['sw_unflagged']:.3f}\n"
          f"  {'':<10} teens escalated {f['teens_escalated']:.3f}  by band: {bands}  (widest {f['teens_max_band']:.3f});"
          f"  teens flagged for a moderator {f['teens_flagged']:.3f}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer posts for latency (a smoke run)")
    ap.add_argument("--cache", default="", help="a folder to keep the frozen MiniLM baseline's embeddings in")
    args = ap.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores "
          "(above ~0.5, other work shares the CPU and latencies are inflated)")
    from moderation.classifiers import semantic
    from moderation.screen import _on_model_thread as on_model_thread

    m = on_model_thread(semantic.matcher, ENGINE)
    print(f"engine reads with {m.backend}; post model: {'yes' if m.post is not None else 'NO (run python -m moderation train)'}")

    print("\n== real posts: dev.jsonl (measured only; audience young_people) ==")
    dev = list(read_jsonl(str(DEV)))
    train = list(read_jsonl(str(TRAIN)))
    real = {name: engine_on_real(s, dev) for name, s in ENGINES.items()}
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    ty = [int(r["label"] == "suicide") for r in train]
    dy = [int(r["label"] == "suicide") for r in dev]
    dtexts = [r["text"] for r in dev]
    scores, t = baseline("tfidf", [r["text"] for r in train], ty, dtexts, lambda: make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True), LogisticRegression(C=4.0, max_iter=3000)))
    real["tfidf+lr"] = real_figures(dy, [s >= t for s in scores], [s >= t for s in scores], dtexts)
    frozen = on_model_thread(semantic.matcher, replace(ENGINE, semantic_tuned=False))
    t0 = time.perf_counter()
    trX = on_model_thread(frozen_pooled, frozen, [r["text"] for r in train], args.cache)
    dvX = on_model_thread(frozen_pooled, frozen, dtexts, args.cache)
    scores, t = baseline("minilm", trX, ty, dvX, lambda: LogisticRegression(C=1.0, max_iter=5000))
    real["minilm+lr"] = real_figures(dy, [s >= t for s in scores], [s >= t for s in scores], dtexts)
    for name, f in real.items():
        show(name, f)
    print(f"  (frozen MiniLM embeddings of {len(train) + len(dev)} posts took {time.perf_counter() - t0:.0f} s; "
          "baselines flag only what they escalate)")
    print("  targets: SW escalated >= 0.90, teens <= 0.05 overall and <= 0.08 in every band, SW unflagged <= 0.02")

    print("\n== the project's blocks measured blind once and never trained on (" + ", ".join(BLIND) + ") ==")
    blind = {name: blocks(s) for name, s in ENGINES.items()}
    for name, b in blind.items():
        print(f"  {name:<10} escalate recall {b['recall']:.3f}; false escalations {b['false']:.1%} of benign; "
              f"review sent to a person {b['review_caught']:.3f} ({b['n']} texts)")
        for split, f in b["blocks"].items():
            print(f"  {'':<12}{split}: recall {f['recall']:.3f}, false {f['false']:.1%}, review {f['review_caught']:.3f}")
    print("  targets: recall >= 0.95, false escalations <= 3%, review caught >= 0.75")

    print("\n== latency per post, one at a time, base tier (MiniLM int8 + profanity-check; no ml extra) ==")
    n = 40 if args.quick else 120
    lat = {}
    for words in (60, 400):
        posts = posts_of(words, n if words == 60 else n // 2)
        for name, s in ENGINES.items():
            lat[(words, name)] = latency(s, posts)
            print(f"  {words:>3} words  {name:<8} p50 {lat[(words, name)][0]:6.1f} ms   p95 {lat[(words, name)][1]:6.1f} ms")
        chunks = [[t for t, _ in semantic.passages(__import__('moderation').normalise.normalise(p))] for p in posts[:30]]
        bare = []
        for c in chunks:
            t0 = time.perf_counter()
            on_model_thread(m.encode, c)
            bare.append((time.perf_counter() - t0) * 1000)
        print(f"  {words:>3} words  baseline: bare MiniLM encode of the passages p50 {pct(bare, 50):.1f} ms")
    print("  targets: p95 <= 20 ms per 60-word post, <= 60 ms per 400-word post (quietest of 3 runs)")

    print("\n== resident memory, base tier (fresh process, models loaded, 20 texts screened) ==")
    for name, s in ENGINES.items():
        js = json.dumps({"toxicity_backend": s.toxicity_backend, "post_model": s.post_model,
                         "post_model_categories": s.post_model_categories, "post_model_flags": s.post_model_flags,
                         "moderator_look": s.moderator_look})
        print(f"  {name:<10} {rss_child(js):7.0f} MB")

    print("\n== ETHOS binary (hateful = isHate >= 0.5 must not publish unflagged), profanity-check ==")
    eth = {name: ethos(s) for name, s in ENGINES.items()}
    for name, e in eth.items():
        print(f"  {name:<10} hateful flagged {e['hateful']:.3f}   clean flagged {e['clean']:.3f}")
    print("  targets: hateful flagged >= 0.60, clean flagged <= 0.20")
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")

    def figures(name: str) -> dict:
        e, b = real[name], blind[name]
        return {"dev_sw_escalated": round(e["sw_escalated"], 4), "dev_teens_escalated": round(e["teens_escalated"], 4),
                "dev_teens_escalated_max_band": round(e["teens_max_band"], 4),
                "dev_sw_unflagged": round(e["sw_unflagged"], 4), "blind_recall": round(b["recall"], 4),
                "blind_false_escalations": round(b["false"], 4), "blind_review_caught": round(b["review_caught"], 4),
                "p95_ms_60w": round(lat[(60, name)][1], 2), "p95_ms_400w": round(lat[(400, name)][1], 2),
                "ethos_hateful_flagged": round(eth[name]["hateful"], 4),
                "ethos_clean_flagged": round(eth[name]["clean"], 4)}

    # the shipped engine's figures, with the same run's baseline and the other engines beside them
    print(json.dumps(dict(figures("engine"), today=figures("today"), passages=figures("passages"),
                          self_harm=figures("self-harm"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
