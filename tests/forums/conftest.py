"""Forum fixtures: boards of each audience, and a way to make screening answer a chosen verdict.

Screening is the real `moderation.screen` unless a test asks for `verdict(...)`: the forum's job is
to act on whatever Verdict it gets, and some verdicts (reject, escalate) need words we would rather
not put in tests.
"""
from __future__ import annotations

import itertools

import pytest

from community.extensions import db
from community.models import Audience, Board

_slugs = itertools.count(1)


@pytest.fixture
def make_board(app):
    def make(audience: Audience | str = Audience.PARENTS, *, slow_mode_seconds: int = 0, name: str | None = None) -> Board:
        n = next(_slugs)
        board = Board(slug=f"board-{n}", name=name or f"Board {n}", description="A board for tests.",
                      rules="Be kind.", audience=Audience(audience).value, slow_mode_seconds=slow_mode_seconds)
        db.session.add(board)
        db.session.commit()
        return board

    return make


@pytest.fixture
def verdict(monkeypatch):
    """verdict("hold", severity=..., categories=[...], show_helplines=...) makes screening answer that."""
    from moderation import Verdict

    def set_verdict(action: str, **fields) -> None:
        monkeypatch.setattr("community.screening.screen", lambda text, context: Verdict(action=action, **fields))

    return set_verdict
