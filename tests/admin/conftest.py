"""Admin fixtures: areas, a coordinator, and a way to make screening answer a chosen verdict."""
from __future__ import annotations

import itertools

import pytest

from community.extensions import db
from community.models import Area, Role
from community.models.areas import AreaKind

_numbers = itertools.count(1)


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
