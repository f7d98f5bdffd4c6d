"""The live-thread re-sync rules: the browser's (static/js/live-sync.js, run by node) and the tests' Python
twin (tests/live_sync.py) pass the same cases, so the outage test's readers behave as the page does."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import require
from tests.live_sync import ThreadSync

HERE = Path(__file__).resolve().parent
CASES = json.loads((HERE.parent / "data" / "live_sync_cases.json").read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_python_rules_pass_the_shared_cases(case):
    sync = ThreadSync(case["synced"], case["shown"])
    for n, step in enumerate(case["steps"], 1):
        got = {}
        if "receive" in step:
            got["action"] = sync.receive(step["receive"])
        if "ack" in step:
            got.update(sync.acknowledge(step["ack"]))
        if "hide" in step:
            got["gone"] = sync.hide(step["hide"])
        if "catch_up" in step:
            got["request"] = sync.catch_up(step["catch_up"])
        got.update(synced=sync.synced, gap=sync.has_gap(), shown=sorted(sync.shown))
        for key, want in step["expect"].items():
            assert got[key] == want, f"step {n}: {key}"


def test_browser_rules_pass_the_same_cases():
    node = shutil.which("node")
    if node is None:
        require("Node.js", "node is not on PATH")
    result = subprocess.run([node, str(HERE / "live_sync_cases.mjs")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert f"{len(CASES)} cases passed" in result.stdout
