"""Admin fixtures: boards and areas to manage, and a way to make screening answer a chosen verdict."""
from __future__ import annotations

import itertools

import pytest

from community.extensions import db
from community.models import Area, Audience, Board, Role
from community.models.areas import AreaKind

_numbers = itertools.count(1)


@pytest.fixture
def make_board(app):
    def make(audience: Audience | str = Audience.PARENTS, *, name: str | None = None, area: Area | None = None,
             slow_mode_seconds: int = 0, position: int = 0, rules: str = "Be kind.") -> Board:
        n = next(_numbers)
        board = Board(slug=f"admin-board-{n}", name=name or f"Board {n}", description="A board for tests.",
                      rules=rules, audience=Audience(audience).value, area=area,
                      slow_mode_seconds=slow_mode_seconds, position=position)
        db.session.add(board)
        db.session.commit()
        return board

    return make


@pytest.fixture
def areas(app):
    """A county with a district in it: {"county": Area, "district": Area}."""
    n = next(_numbers)
    county = Area(name="Wendleshire", slug=f"wendleshire-{n}", kind=AreaKind.COUNTY.value)
    district = Area(name="Ashby", slug=f"ashby-{n}", kind=AreaKind.DISTRICT.value, parent=county)
    db.session.add_all([county, district])
    db.session.commit()
    return {"county": county, "district": district}


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.COORDINATOR)


@pytest.fixture
def verdict(monkeypatch):
    """verdict("hold", show_helplines=...) makes screening answer that; returns the texts it was asked about."""
    from moderation import Verdict

    asked: list[tuple[str, object]] = []

    def set_verdict(action: str, **fields) -> list:
        def fake(text, context):
            asked.append((text, context))
            return Verdict(action=action, **fields)

        monkeypatch.setattr("community.screening.screen", fake)
        return asked

    return set_verdict
