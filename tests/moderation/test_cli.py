"""The command line: `python -m moderation FILE.jsonl` and `python -m moderation evaluate FILE.jsonl`."""
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from moderation.__main__ import evaluate, main, read_jsonl
from moderation.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "tests" / "data" / "moderation_eval.jsonl"


def test_screen_file_prints_one_verdict_per_line_in_order(tmp_path, capsys):
    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in [
        {"text": "I'm going to end it this weekend", "audience": "young_people", "ignored": 1},
        {"text": "anyone know a good soft play?", "audience": "parents"},
        {"text": "add me on snap: jess_xo", "audience": "young_people"},
    ]) + "\nnot json\n")
    assert main([str(f), "--no-semantic"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["action"] for x in lines] == ["escalate", "publish", "hold", "publish"]
    assert {"action", "severity", "categories", "reasons"} <= set(lines[0])


def test_cli_runs_as_a_module(tmp_path):
    f = tmp_path / "in.jsonl"
    f.write_text(json.dumps({"text": "my stepdad hits me", "audience": "young_people"}) + "\n")
    out = subprocess.run([sys.executable, "-m", "moderation", str(f), "--no-semantic", "--toxicity", "none"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["action"] == "escalate"


def test_evaluate_prints_classes_categories_confusion_and_latency(tmp_path):
    rows = [
        {"text": "I want to kill myself", "audience": "young_people", "expect": "escalate", "category": "self_harm_suicide"},
        {"text": "we crushed the quiz night", "audience": "parents", "expect": "allow"},
        {"text": "text me on 07700 900456", "audience": "young_people", "expect": "review", "category": "contact_details"},
    ]
    buf = io.StringIO()
    res = evaluate(rows, Settings(semantic_enabled=False, toxicity_backend="none"), out=buf)
    text = buf.getvalue()
    for word in ("precision", "recall", "confusion", "self_harm_suicide", "p95"):
        assert word in text
    assert res["classes"]["escalate"]["recall"] == 1.0
    assert res["confusion"]["allow"]["allow"] == 1


def test_evaluate_says_when_texts_were_held_because_screening_ran_out_of_time():
    rows = [{"text": "we crushed the quiz night", "audience": "parents", "expect": "allow"},
            {"text": "I want to kill myself", "audience": "young_people", "expect": "escalate"}]
    buf = io.StringIO()
    res = evaluate(rows, Settings(semantic_enabled=False, toxicity_backend="none", time_budget_ms=0.0), out=buf)
    assert res["unavailable"] == 2
    assert res["confusion"]["escalate"]["escalate"] == 1 and res["confusion"]["allow"]["review"] == 1
    assert "warning: 2 of 2 texts were screened without every classifier" in buf.getvalue()
    quiet = evaluate(rows, Settings(semantic_enabled=False, toxicity_backend="none"), out=io.StringIO())
    assert quiet["unavailable"] == 0


def test_evaluation_set_is_large_and_labelled():
    rows = list(read_jsonl(str(EVAL)))
    assert len(rows) >= 300
    assert {r["expect"] for r in rows} == {"allow", "review", "escalate"}
    assert all(r["audience"] in ("parents", "young_people", "young_adults") for r in rows)


def test_rules_tier_holds_its_line_on_the_dev_split():
    """A regression guard, not the benchmark: the no-model tier on the tuned split."""
    rows = [r for r in read_jsonl(str(EVAL)) if r.get("split") == "dev"]
    res = evaluate(rows, Settings(semantic_enabled=False, toxicity_backend="none"), out=io.StringIO())
    assert res["classes"]["escalate"]["recall"] >= 0.9
    assert res["false_escalation_rate_benign"] <= 0.03


@pytest.mark.parametrize("argv", [["evaluate", "--help"], ["--help"]])
def test_help(argv):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 0


def test_cli_works_without_torch(tmp_path):
    """The tier without the ml extra (and without torch at all): rules + profanity-check."""
    f = tmp_path / "in.jsonl"
    f.write_text(json.dumps({"text": "I'm going to end it this weekend", "audience": "young_people",
                             "expect": "escalate"}) + "\n")
    code = ("import sys, runpy\n"
            "class NoML:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] in ('torch', 'sentence_transformers', 'detoxify', 'transformers'):\n"
            "            raise ImportError('not installed: ' + name)\n"
            "sys.meta_path.insert(0, NoML())\n"
            f"sys.argv = ['moderation', {str(f)!r}, '--full']\n"
            "runpy.run_module('moderation', run_name='__main__')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    v = json.loads(out.stdout)
    assert v["action"] == "escalate" and v["backend"] == "profanity-check"
    assert "semantic" not in v["timings_ms"] or v["timings_ms"]["semantic"] == 0
    code = code.replace(f"{str(f)!r}, '--full'", f"'evaluate', {str(f)!r}")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "semantic: on" in out.stdout or "semantic" in out.stdout
