"""The published Open Referral UK files (../shared/eval/oruk): read in place, never copied in."""
from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from community.config import ROOT
from tests.conftest import require

# The repository's sibling ../shared; a worktree under /work/wt/<name> finds it one level further up.
CANDIDATES = [Path(ROOT).parent / "shared" / "eval" / "oruk", Path(ROOT).parent.parent / "shared" / "eval" / "oruk"]


def oruk_dir() -> Path:
    for candidate in CANDIDATES:
        if (candidate / "schema" / "openapi.local.json").exists():
            return candidate
    require("The Open Referral UK schemas", f"none of {[str(c) for c in CANDIDATES]} exists")


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((oruk_dir() / "schema" / name).read_text())
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def page_validator() -> Draft202012Validator:
    openapi = json.loads((oruk_dir() / "schema" / "openapi.local.json").read_text())
    return Draft202012Validator(openapi["components"]["schemas"]["Page"])


def example(name: str):
    return json.loads((oruk_dir() / "examples" / name).read_text())
