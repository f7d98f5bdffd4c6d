"""Forum fixtures: a way to make screening answer a chosen verdict (boards: `make_board` in tests/conftest.py).

Screening is the real `moderation.screen` unless a test asks for `verdict(...)`: the forum's job is
to act on whatever Verdict it gets, and some verdicts (reject, escalate) need words we would rather
not put in tests.
"""
from __future__ import annotations

import pytest


@pytest.fixture
def verdict(monkeypatch):
    """verdict("hold", severity=..., categories=[...], show_helplines=...) makes screening answer that."""
    from moderation import Verdict

    def set_verdict(action: str, **fields) -> None:
        monkeypatch.setattr("community.screening.screen", lambda text, context: Verdict(action=action, **fields))

    return set_verdict
