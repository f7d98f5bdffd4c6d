"""Safeguarding fixtures: a chosen screening verdict, a rota, and an escalated post."""
from __future__ import annotations

from datetime import datetime

import pytest

from community.extensions import db
from community.models import AgeBand, Area, Audience, Role
from community.models.areas import AreaKind
from community.models.safeguarding import RotaEntry


@pytest.fixture
def verdict(monkeypatch):
    """verdict("escalate", severity=...) makes screening answer that (the words that would earn it are not
    words to keep in tests); None restores real screening."""
    from moderation import Verdict

    def set_verdict(action: str, **fields) -> None:
        monkeypatch.setattr("community.screening.screen", lambda text, context: Verdict(action=action, **fields))

    return set_verdict


@pytest.fixture
def areas(app):
    county = Area(name="Wendleshire", slug="w", kind=AreaKind.COUNTY.value)
    quadrant = Area(name="North Wendleshire", slug="w-n", kind=AreaKind.QUADRANT.value, parent=county)
    district = Area(name="Hartwell", slug="w-n-h", kind=AreaKind.DISTRICT.value, parent=quadrant)
    other = Area(name="Lowmoor", slug="w-n-l", kind=AreaKind.DISTRICT.value, parent=quadrant)
    db.session.add_all([county, quadrant, district, other])
    db.session.commit()
    return {"county": county, "quadrant": quadrant, "district": district, "other": other}


@pytest.fixture
def rota(app, make_user, areas):
    """On call 2020-2040 (so frozen clocks are covered): a lead and a deputy for Hartwell, a county duty
    lead, and an administrator."""
    people = {name: make_user(Role.SAFEGUARDING_LEAD, username=name) for name in ("lead_h", "deputy_h", "duty")}
    people["admin"] = make_user(Role.ADMIN, username="admin_a")
    start, end = datetime(2020, 1, 1), datetime(2040, 1, 1)
    db.session.add_all([
        RotaEntry(user_id=people["lead_h"].id, role="lead", area_id=areas["district"].id, starts_at=start, ends_at=end),
        RotaEntry(user_id=people["deputy_h"].id, role="deputy", area_id=areas["district"].id, starts_at=start,
                  ends_at=end),
        RotaEntry(user_id=people["duty"].id, role="duty", area_id=None, starts_at=start, ends_at=end),
    ])
    db.session.commit()
    return people


@pytest.fixture
def escalate(app, make_user, make_board, areas, verdict):
    """escalate(body=..., severity="urgent") -> PostResult: a young person's post that screening escalates,
    in a young people's board in Hartwell."""
    from community.forums import service as forums

    board = make_board(Audience.YOUNG_PEOPLE, area=areas["district"])
    author = make_user(Role.YOUNG_PERSON, band=AgeBand.YOUNG_PERSON)

    def make(body: str = "Something I wrote that worried the screening.", severity: str = "urgent"):
        verdict("escalate", severity=severity, categories=["self_harm_suicide"], show_helplines=True)
        return forums.start_thread(author, board, "Tonight", body)

    return make
