"""Accounts: registration by age band, signing in, lock-out, password reset, profiles."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from community import clock
from community.auth import service
from community.extensions import db, limiter
from community.models import AgeBand, Audience, Role, User
from tests.conftest import TEST_PASSWORD, login
from tests.instants import LONDON, at_each_instant

# The day issue 14 was found: "a day short of 13" was exactly 13 on the 29th to 31st of a month.
FOUND_ON = datetime(2026, 11, 29, 12, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _frozen_clock():
    """Ages, lock-outs and reset links here depend on the date: never the machine's."""
    clock.freeze(FOUND_ON)


def years_ago(years: int) -> date:
    """The latest date of birth that makes a person `years` old today (29 February gives 28 February)."""
    return clock.today() - relativedelta(years=years)


def registration(born: date, **overrides) -> dict:
    data = {"username": "river_song", "email": "River@Example.org", "birth_day": str(born.day),
            "birth_month": str(born.month), "birth_year": str(born.year), "joining_as": "parent_carer",
            "password": "a long enough password", "confirm": "a long enough password"}
    data.update(overrides)
    return data


def count_users() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_adult_registers_as_parent_and_sees_parent_boards(client):
    response = client.post("/register", data=registration(years_ago(34)))
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.email == "river@example.org"  # stored lower-cased
    assert user.role_set == {Role.PARENT_CARER}
    assert user.audiences(clock.today()) == {Audience.PARENTS}
    assert user.password_hash.startswith("$argon2")
    assert "a long enough password" not in user.password_hash


def test_teenager_becomes_young_person_whatever_they_choose(client):
    response = client.post("/register", data=registration(years_ago(14), joining_as="parent_carer"))
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert user.role_set == {Role.YOUNG_PERSON}
    assert user.audiences(clock.today()) == {Audience.YOUNG_PEOPLE}


def test_young_adult_chooses_and_young_parent_sees_both(client):
    client.post("/register", data=registration(years_ago(19), joining_as="parent_carer"))
    user = db.session.scalar(select(User))
    assert user.audiences(clock.today()) == {Audience.PARENTS, Audience.YOUNG_ADULTS}


@pytest.mark.parametrize("age_days", [1, 365 * 5])
def test_under_thirteen_is_refused_kindly_and_nothing_is_stored(client, age_days):
    born = years_ago(13) + timedelta(days=age_days)  # a day short of 13, and about 8
    response = client.post("/register", data=registration(born))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "13 and over" in page and "0800 1111" in page and "have not kept anything" in page
    assert count_users() == 0


def test_thirteenth_birthday_is_old_enough(client):
    response = client.post("/register", data=registration(years_ago(13)))
    assert response.status_code == 302


@pytest.mark.parametrize("field,value,message", [
    ("username", "ab", "3 to 30 characters"),
    ("username", "kid20091234", "4 or more numbers"),
    ("username", "no spaces!", "Use only letters"),
    ("email", "not-an-email", "like name@example.com"),
    ("confirm", "something else entirely", "do not match"),
    ("password", "short", "10 to 200 characters"),
    ("birth_month", "13", "between 1 and 12"),
    ("birth_day", "", "Enter your date of birth"),
])
def test_bad_registration_shows_field_error_and_summary(client, field, value, message):
    data = registration(years_ago(30), **{field: value})
    if field == "password":
        data["confirm"] = value
    response = client.post("/register", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and message in page
    assert 'class="govuk-error-message"' in page
    assert count_users() == 0
    if field != "username":
        assert 'value="river_song"' in page  # what the person typed is kept


def test_impossible_and_future_dates_are_refused(client):
    assert client.post("/register", data=registration(years_ago(30), birth_day="31", birth_month="2")).status_code == 400
    future = clock.today() + timedelta(days=400)
    response = client.post("/register", data=registration(future))
    assert response.status_code == 400 and "in the past" in response.get_data(as_text=True)


def test_duplicate_username_and_email_are_refused(client, make_user):
    make_user(username="River_Song")
    response = client.post("/register", data=registration(years_ago(30)))
    assert response.status_code == 400 and "taken" in response.get_data(as_text=True)
    response = client.post("/register", data=registration(years_ago(30), username="another", email="river_song@example.org"))
    assert response.status_code == 400 and "already an account" in response.get_data(as_text=True)


def test_username_with_contact_details_is_refused(client):
    response = client.post("/register", data=registration(years_ago(15), username="snap_me_at_kayla"))
    # Whatever the screen decides about this name, a handle-like name must not be published without review.
    assert response.status_code in (302, 400)
    response = client.post("/register", data=registration(years_ago(30), username="find_me_on_snapchat", email="x@example.org"))
    assert response.status_code == 400
    assert "choose a different username" in response.get_data(as_text=True)


def test_login_with_username_or_email_any_case(client, make_user):
    user = make_user(username="Maple")
    for login_name in ("maple", "MAPLE", "maple@example.org"):
        c = client.application.test_client()
        response = c.post("/login", data={"login": login_name, "password": TEST_PASSWORD})
        assert response.status_code == 302, login_name
    response = client.post("/login", data={"login": user.username, "password": "wrong password"})
    assert response.status_code == 400
    assert "is not right" in response.get_data(as_text=True)


def test_unknown_and_wrong_password_look_the_same(client, make_user):
    make_user(username="Maple")
    unknown = client.post("/login", data={"login": "nobody", "password": "whatever"}).get_data(as_text=True)
    wrong = client.post("/login", data={"login": "Maple", "password": "whatever"}).get_data(as_text=True)
    assert "is not right" in unknown and "is not right" in wrong


def test_account_locks_after_repeated_failures_and_unlocks_later(app, client, make_user):
    user = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        response = client.post("/login", data={"login": user.username, "password": "wrong password"})
    assert "locked" in response.get_data(as_text=True)
    # Even the right password is refused while locked.
    response = client.post("/login", data={"login": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 400 and "locked" in response.get_data(as_text=True)
    clock.advance(timedelta(minutes=app.config["LOGIN_LOCKOUT_MINUTES"] + 1))
    response = client.post("/login", data={"login": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_login_is_rate_limited(app, client):
    limiter.enabled = True
    try:
        codes = [client.post("/login", data={"login": "nobody", "password": "x"}).status_code for _ in range(25)]
    finally:
        limiter.enabled = False
    assert codes[0] == 400 and codes[-1] == 429
    response = client.post("/login", data={"login": "nobody", "password": "x"})


def test_next_only_goes_to_our_own_pages(client, make_user):
    user = make_user()
    response = client.post("/login?next=https://evil.example/steal", data={"login": user.username, "password": TEST_PASSWORD})
    assert response.headers["Location"] in ("/", "http://village.test/")
    client.post("/logout")
    response = client.post("/login?next=/profile", data={"login": user.username, "password": TEST_PASSWORD})
    assert response.headers["Location"].endswith("/profile")


class FakeSMTP:
    """The edge of the world: records what would have been sent."""

    sent: list = []

    def __init__(self, host, port, timeout=None):
        self.host = host

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, username, password):
        pass

    def send_message(self, message):
        FakeSMTP.sent.append(message)


@pytest.fixture
def smtp(app, monkeypatch):
    FakeSMTP.sent = []
    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.org")
    return FakeSMTP.sent


def test_password_reset_by_email_link_works_once(app, client, make_user, smtp):
    user = make_user()
    response = client.post("/reset-password", data={"email": user.email})
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    assert len(smtp) == 1 and smtp[0]["To"] == user.email
    link = re.search(r"https?://\S+/reset-password/\S+", smtp[0].get_content()).group(0)
    path = link.split("village.test", 1)[1]
    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": "my brand new password", "confirm": "my brand new password"})
    assert response.status_code == 302
    assert client.post("/login", data={"login": user.username, "password": "my brand new password"}).status_code == 302
    assert client.get(path).status_code == 400  # used once already


def test_password_reset_says_the_same_for_unknown_addresses(client, smtp):
    response = client.post("/reset-password", data={"email": "nobody@example.org"})
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    assert smtp == []


def test_password_reset_link_expires(app, client, make_user):
    token = service.make_reset_token(make_user())
    assert client.get(f"/reset-password/{token}").status_code == 200
    clock.advance(timedelta(seconds=app.config["PASSWORD_RESET_MAX_AGE"] + 1))
    assert client.get(f"/reset-password/{token}").status_code == 400
    assert client.get("/reset-password/not-a-token").status_code == 400


def test_reset_email_is_printed_to_the_log_by_default(app, client, make_user, caplog):
    user = make_user()
    with caplog.at_level("INFO"):
        client.post("/reset-password", data={"email": user.email})
    assert "reset-password/" in caplog.text and "MAIL_SERVER is not set" in caplog.text


def test_profiles_are_private_by_default(app, client_for, make_user):
    parent, _ = client_for(Role.PARENT_CARER)
    other = make_user(Role.PARENT_CARER)
    assert parent.get(f"/people/{other.username}").status_code == 404
    other.profile_public = True
    other.about = "Mum of two, love a walk."
    db.session.commit()
    assert parent.get(f"/people/{other.username}").status_code == 200
    # A young person's open profile is still not shown to adults outside their audience.
    teen = make_user(Role.YOUNG_PERSON)
    teen.profile_public = True
    db.session.commit()
    assert parent.get(f"/people/{teen.username}").status_code == 404


def test_profile_edit_is_screened_and_saved(client_for):
    c, user = client_for(Role.PARENT_CARER)
    response = c.post("/profile", data={"about": "Grandad to three. I help at the Tuesday stay and play.", "profile_public": "y"})
    assert response.status_code == 302
    assert user.profile_public and "Grandad" in user.about
    response = c.post("/profile", data={"about": "x" * 501})
    assert response.status_code == 400 and "500 characters or fewer" in response.get_data(as_text=True)


def test_logout_needs_post(client_for):
    c, _ = client_for(Role.PARENT_CARER)
    assert c.get("/logout").status_code == 405
    assert c.post("/logout").status_code == 302
    assert c.get("/profile").status_code == 302  # signed out


@pytest.mark.parametrize("name", ["Moderator", "Safeguarding_Lead", "admin", "village_team", "VILLAGE-TEAM",
                                  "m0derator", "safe_guarding-lead", "Admin_Jess", "the_real_moderator_x"])
def test_staff_and_service_names_are_reserved_with_a_kind_reason(client, name):
    response = client.post("/register", data=registration(years_ago(30), username=name))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "kept for the people who look after Village" in page
    assert count_users() == 0


@pytest.mark.parametrize("name", ["badminton_fan", "mod_cons_mum", "teamwork_dad"])
def test_ordinary_names_near_a_reserved_one_are_accepted(client, name):
    from community.auth.service import reserved_username

    assert not reserved_username(name)
    response = client.post("/register", data=registration(years_ago(30), username=name))
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def test_born_on_29_february_turns_13_on_1_march_in_a_year_that_is_not_leap(app):
    details = dict(email="leapling@example.org", password="a long enough password", joining_as="parent_carer")
    clock.freeze(datetime(2029, 2, 28, 23, 30, tzinfo=LONDON))
    with pytest.raises(service.UnderThirteen):
        service.register(username="leapling", born=date(2016, 2, 29), **details)
    assert count_users() == 0
    clock.freeze(datetime(2029, 3, 1, 0, 30, tzinfo=LONDON))
    user = service.register(username="leapling", born=date(2016, 2, 29), **details)
    assert user.role_set == {Role.YOUNG_PERSON} and user.age_band(clock.today()) is AgeBand.YOUNG_PERSON


# The sweeps below run at every instant in tests/instants.py, on SQLite only: the instant changes only
# the Python side (clock.today(), naive-UTC arithmetic); the same rows on PostgreSQL are covered by the
# tests above, which run on both.

@pytest.mark.sqlite_only
@at_each_instant
def test_thirteenth_birthday_at_each_instant(app, instant):
    clock.freeze(instant)
    details = dict(email="teen@example.org", password="a long enough password", joining_as="parent_carer")
    with pytest.raises(service.UnderThirteen):
        service.register(username="nearly_thirteen", born=years_ago(13) + timedelta(days=1), **details)
    user = service.register(username="just_thirteen", born=years_ago(13), **details)
    assert user.role_set == {Role.YOUNG_PERSON}


@pytest.mark.sqlite_only
@at_each_instant
def test_lockout_lasts_exactly_its_minutes_at_each_instant(app, make_user, instant, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES", 1)  # one wrong password locks: one hash check
    clock.freeze(instant)
    user = make_user()
    assert "locked" in service.authenticate(user.username, "wrong password").message
    clock.advance(timedelta(minutes=app.config["LOGIN_LOCKOUT_MINUTES"], seconds=-1))
    assert "locked for 1 more minute after" in service.authenticate(user.username, TEST_PASSWORD).message
    clock.advance(timedelta(seconds=1))
    assert service.authenticate(user.username, TEST_PASSWORD).user == user


@pytest.mark.sqlite_only
@at_each_instant
def test_reset_link_works_for_exactly_its_max_age_at_each_instant(app, make_user, instant):
    clock.freeze(instant)
    user = make_user()
    token = service.make_reset_token(user)
    clock.advance(timedelta(seconds=app.config["PASSWORD_RESET_MAX_AGE"]))
    assert service.user_for_reset_token(token) == user
    clock.advance(timedelta(seconds=1))
    assert service.user_for_reset_token(token) is None
