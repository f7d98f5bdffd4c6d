"""The permission matrix: every route, for every kind of person, answers as the design says.

Audiences never mix: a board someone may not read answers 404, exactly like a board that does not exist.
Every GET route of the app must appear in ROUTES, so a new page cannot skip this check.
"""
from __future__ import annotations

import pytest

from community.extensions import db
from community.models import AgeBand, Audience, Board, Role
from tests.conftest import login

PEOPLE = {
    # key: (role, age band)
    "parent": (Role.PARENT_CARER, AgeBand.ADULT),
    "young_person": (Role.YOUNG_PERSON, AgeBand.YOUNG_PERSON),
    "young_adult": (Role.YOUNG_PERSON, AgeBand.YOUNG_ADULT),
    "mentor": (Role.MENTOR, AgeBand.ADULT),
    "organiser": (Role.ORGANISER, AgeBand.ADULT),
    "moderator": (Role.MODERATOR, AgeBand.ADULT),
    "safeguarding_lead": (Role.SAFEGUARDING_LEAD, AgeBand.ADULT),
    "coordinator": (Role.COORDINATOR, AgeBand.ADULT),
    "admin": (Role.ADMIN, AgeBand.ADULT),
}
EVERYONE = ["anonymous", *PEOPLE]
VETTED = {"mentor", "moderator", "safeguarding_lead", "coordinator", "admin"}
STAFF = {"moderator", "safeguarding_lead", "coordinator", "admin"}
READS = {
    Audience.PARENTS: {"parent", "organiser"} | VETTED,
    Audience.YOUNG_PEOPLE: {"young_person"} | VETTED,
    Audience.YOUNG_ADULTS: {"young_adult"} | VETTED,
}


def signed_in_only(ok: int = 200):
    return lambda who: 302 if who == "anonymous" else ok


def only(allowed: set[str], *, denied: int = 403):
    return lambda who: 302 if who == "anonymous" else (200 if who in allowed else denied)


# endpoint -> list of (url builder, expected status for a person)
ROUTES = {
    "main.home": [(lambda w: "/", lambda who: 200)],
    "main.get_help": [(lambda w: "/help", lambda who: 200)],
    "main.person": [(lambda w: f"/people/{w['private'].username}",
                     lambda who: 404 if who == "anonymous" else (200 if who in STAFF else 404))],
    "auth.register": [(lambda w: "/register", lambda who: 200 if who == "anonymous" else 302)],
    "auth.login": [(lambda w: "/login", lambda who: 200 if who == "anonymous" else 302)],
    "auth.request_reset": [(lambda w: "/reset-password", lambda who: 200)],
    "auth.reset_password": [(lambda w: "/reset-password/not-a-real-token", lambda who: 400)],
    "auth.profile": [(lambda w: "/profile", signed_in_only())],
    "admin.people": [(lambda w: "/admin/people", only({"coordinator", "admin"}))],
    "admin.person": [(lambda w: f"/admin/people/{w['private'].id}", only({"coordinator", "admin"}))],
    "forums.index": [(lambda w: "/boards/", signed_in_only())],
    "forums.board": [
        (lambda w, a=audience: f"/boards/{w['boards'][a].slug}",
         lambda who, a=audience: 302 if who == "anonymous" else (200 if who in READS[a] else 404))
        for audience in Audience
    ] + [(lambda w: "/boards/no-such-board", signed_in_only(404))],
}
POST_ONLY = {"auth.logout"}


@pytest.fixture
def world(app, make_user):
    boards = {}
    for audience in Audience:
        board = Board(slug=f"board-{audience.value}", name=f"{audience.label} board", audience=audience.value)
        db.session.add(board)
        boards[audience] = board
    db.session.commit()
    return {"boards": boards, "private": make_user(Role.PARENT_CARER, username="private_person")}


@pytest.fixture
def clients(app, make_user):
    result = {"anonymous": app.test_client()}
    for key, (role, band) in PEOPLE.items():
        c = app.test_client()
        login(c, make_user(role, band=band, username=f"matrix_{key}"))
        result[key] = c
    return result


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    missing = endpoints - set(ROUTES) - POST_ONLY
    assert not missing, f"add these routes to the permission matrix: {sorted(missing)}"


def test_permission_matrix(app, world, clients):
    failures = []
    for endpoint, checks in ROUTES.items():
        for url_for_world, expected_for in checks:
            url = url_for_world(world)
            for who in EVERYONE:
                status = clients[who].get(url).status_code
                expected = expected_for(who)
                if status != expected:
                    failures.append(f"{who:>18} GET {url}: {status}, expected {expected}")
    assert not failures, "\n" + "\n".join(failures)


def test_post_only_routes_refuse_get(clients):
    assert clients["parent"].get("/logout").status_code == 405


def test_coordinator_cannot_make_an_admin_but_admin_can(app, clients, make_user):
    target = make_user(Role.PARENT_CARER)
    url = f"/admin/people/{target.id}"
    response = clients["coordinator"].post(url, data={"roles": ["parent_carer", "admin"]})
    assert response.status_code == 400 and "cannot give" in response.get_data(as_text=True)
    assert Role.ADMIN not in target.role_set
    response = clients["coordinator"].post(url, data={"roles": ["parent_carer", "moderator"]})
    assert response.status_code == 302
    db.session.refresh(target)
    assert Role.MODERATOR in target.role_set
    response = clients["admin"].post(url, data={"roles": ["parent_carer", "admin"]})
    assert response.status_code == 302
    db.session.refresh(target)
    assert target.role_set == {Role.PARENT_CARER, Role.ADMIN}


def test_vetted_roles_cannot_go_to_children(clients, make_user):
    teen = make_user(Role.YOUNG_PERSON)
    response = clients["admin"].post(f"/admin/people/{teen.id}", data={"roles": ["young_person", "mentor"]})
    assert response.status_code == 400 and "enhanced DBS" in response.get_data(as_text=True)


def test_people_cannot_change_roles(clients, make_user):
    target = make_user(Role.PARENT_CARER)
    for who in ("parent", "moderator", "safeguarding_lead", "mentor"):
        assert clients[who].post(f"/admin/people/{target.id}", data={"roles": ["admin"]}).status_code == 403
    assert target.role_set == {Role.PARENT_CARER}


def test_cli_grant(app, make_user):
    user = make_user(Role.PARENT_CARER, username="grandma_jo")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "grant", "grandma_jo", "mentor"])
    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert Role.MENTOR in user.role_set
    result = runner.invoke(args=["users", "grant", "nobody_here", "mentor"])
    assert result.exit_code != 0 and "no account" in result.output
