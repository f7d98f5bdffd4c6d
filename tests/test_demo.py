"""The demo county loads once; running it again changes nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from community.demo import ACCOUNTS, DEMO_PASSWORD
from community.extensions import db
from community.models import Area, Audience, Board, Group, GroupSession, User, Venue
from community.models.areas import AreaKind, VenueKind
from community.models.forums import Post, Thread
from community.models.safeguarding import RotaEntry


def counts() -> dict:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Area, Venue, Board, User, Thread, Post, Group, GroupSession, RotaEntry)}


def test_demo_loads_a_county_and_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    after_first = counts()
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert counts() == after_first
    assert DEMO_PASSWORD in first.output
    for username, _, _ in ACCOUNTS:
        assert username in first.output

    kinds = dict(db.session.execute(select(Area.kind, func.count()).group_by(Area.kind)).all())
    assert kinds[AreaKind.COUNTY.value] == 1 and kinds[AreaKind.QUADRANT.value] == 4
    assert kinds[AreaKind.DISTRICT.value] == 12 and kinds[AreaKind.LOCALITY.value] >= 24
    venue_kinds = {v.kind for v in db.session.scalars(select(Venue))}
    assert venue_kinds == {k.value for k in VenueKind}
    assert all(-90 <= v.latitude <= 90 and -180 <= v.longitude <= 180 for v in db.session.scalars(select(Venue)))
    audiences = {b.audience for b in db.session.scalars(select(Board))}
    assert audiences == {a.value for a in Audience}
    assert after_first["RotaEntry"] == 1  # demo_safeguarding_lead is the county duty lead
    assert after_first["Thread"] == 3  # welcome threads, through the real posting path
    # The group directory (issue 13): a programme in every district, with sessions for three months.
    assert after_first["Group"] >= 60 and after_first["GroupSession"] >= 60 * 10
    districts = {g.area_id for g in db.session.scalars(select(Group))}
    assert len(districts) == 12


def test_demo_logins_work(app, client):
    app.test_cli_runner().invoke(args=["demo"])
    for username, _, _ in ACCOUNTS:
        c = app.test_client()
        assert c.post("/login", data={"login": username, "password": DEMO_PASSWORD}).status_code == 302, username
