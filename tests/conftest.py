"""Shared fixtures: the app on a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set),
clients, and people of every role.

Strict mode (VILLAGE_STRICT_TESTS=1, set by .ci/run) turns every "PostgreSQL, Redis or Chromium is
missing" skip into a failure, so CI cannot pass by skipping the real parts.
"""
from __future__ import annotations

import itertools
import os
from dataclasses import replace
from datetime import date

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import create_engine, inspect, text

import moderation
from moderation import settings as moderation_settings

from community import clock, create_app
from community.config import Config, normalise_db_url
from community.extensions import db, limiter
from community.models import AgeBand, Area, Audience, Board, Role, User, UserRole

STRICT = os.environ.get("VILLAGE_STRICT_TESTS") == "1"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL or STRICT else [])
TEST_PASSWORD = "correct horse battery staple"


def require(what: str, why: str) -> None:
    """Skip for lack of a real service, or fail in strict mode."""
    message = f"{what} is not available: {why}"
    if STRICT:
        pytest.fail(message + " (strict mode: tests that need it must not skip)", pytrace=False)
    pytest.skip(message)


def pytest_collection_modifyitems(config, items):
    # Browser tests drive the app served from one database; PostgreSQL is covered by every other test.
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        # sqlite_only: a sweep (tests/instants.py) whose database work is covered on both elsewhere.
        # postgres_only: a race or a multi-process run that is PostgreSQL's to lose; it runs on SQLite
        # only where PostgreSQL is not set up (and then fails in strict mode, as every PostgreSQL test does).
        db_param = params.get("database_url")
        if ((item.get_closest_marker("e2e") or item.get_closest_marker("sqlite_only")) and db_param == "postgresql") \
                or (item.get_closest_marker("postgres_only") and db_param == "sqlite" and len(BACKENDS) > 1):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'village-test.db'}"
    if not TEST_DATABASE_URL:
        require("PostgreSQL", "set TEST_DATABASE_URL, for example postgresql://postgres@127.0.0.1:5432/test")
    url = normalise_db_url(TEST_DATABASE_URL)
    try:
        engine = create_engine(url)
        with engine.begin() as connection:
            # The test database belongs to the tests: start from an empty schema every run.
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    except Exception as error:  # noqa: BLE001 - any connection failure means the same thing here
        require("PostgreSQL", str(error).splitlines()[0])
    return url


def test_config(database_url: str, **overrides) -> Config:
    settings = dict(
        TESTING=True,
        SECRET_KEY="test-secret-key-that-is-long-enough-for-tests",
        SQLALCHEMY_DATABASE_URI=database_url,
        WTF_CSRF_ENABLED=False,
        SOCKETIO_MESSAGE_QUEUE=None,
        REDIS_URL=None,
        RATELIMIT_STORAGE_URI="memory://",
        MAIL_SERVER=None,
        SERVER_NAME="village.test",
        # Real screening with a generous time budget: on a busy test machine a slow classifier would
        # hold a text ("screening unavailable") that a test expects published. The budget itself is
        # tested in tests/moderation with its own settings.
        MODERATION=replace(moderation_settings.from_env(os.environ), time_budget_ms=30_000),
    )
    settings.update(overrides)
    return Config(**settings)


@pytest.fixture(scope="session")
def _app(database_url):
    from flask_migrate import upgrade

    app = create_app(test_config(database_url))
    app.test_client_class = VillageTestClient
    limiter.enabled = False  # switched on by the tests that check rate limits
    with app.app_context():
        upgrade()  # the schema comes from the migrations, as in production
    moderation.warm_up()  # models loaded first, as `flask serve` does before it listens
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _machine_clock_after_each_test():
    """A test that froze the clock (tests/instants.py) leaves the next one the machine's clock."""
    yield
    clock.reset()


@pytest.fixture
def app(_app):
    """The app with an app context pushed; every table is emptied afterwards."""
    with _app.app_context():
        yield _app
        db.session.rollback()
        db.session.remove()
        _empty_tables()
    clock.reset()
    limiter.reset()


def _empty_tables() -> None:
    existing = set(inspect(db.engine).get_table_names())
    tables = [t.name for t in db.metadata.sorted_tables if t.name in existing]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in reversed(tables):
                connection.execute(text(f"DELETE FROM {name}"))


class VillageTestClient(FlaskClient):
    """Each request sees a fresh signed-in person, as each real request has its own context."""

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        try:
            return super().open(*args, **kwargs)
        finally:
            g.pop("_login_user", None)


@pytest.fixture
def client(app) -> VillageTestClient:
    return app.test_client()


_names = itertools.count(1)
_password_hash: list[str] = []


def default_birth_date(role: Role, band: AgeBand | None) -> date:
    today = clock.today()
    if band is AgeBand.YOUNG_PERSON or (band is None and role is Role.YOUNG_PERSON):
        return date(today.year - 15, 1, 1)
    if band is AgeBand.YOUNG_ADULT:
        return date(today.year - 20, 1, 1)
    return date(today.year - 38, 1, 1)


@pytest.fixture
def make_user(app):
    """make_user(role=Role.PARENT_CARER, band=None, born=None, username=None) -> User (password TEST_PASSWORD)."""

    def make(role: Role = Role.PARENT_CARER, *, band: AgeBand | None = None, born: date | None = None,
             username: str | None = None, extra_roles: tuple[Role, ...] = ()) -> User:
        from community.auth.service import hash_password

        if not _password_hash:
            _password_hash.append(hash_password(TEST_PASSWORD))
        name = username or f"{role.value.replace('_', '')}{next(_names)}"
        user = User(username=name, email=f"{name.lower()}@example.org", password_hash=_password_hash[0],
                    date_of_birth=born or default_birth_date(role, band))
        for r in (role, *extra_roles):
            user.roles.append(UserRole(role=r.value))
        db.session.add(user)
        db.session.commit()
        return user

    return make


def login(client: FlaskClient, user: User) -> None:
    response = client.post("/login", data={"login": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture
def client_for(app, make_user):
    """client_for(role, band=None) -> (client signed in as a new person with that role, the person)."""

    def make(role: Role, band: AgeBand | None = None):
        user = make_user(role, band=band)
        c = app.test_client()
        login(c, user)
        return c, user

    return make


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as error:  # noqa: BLE001
        require("Redis", f"{url}: {error}")
    return url


_board_numbers = itertools.count(1)


@pytest.fixture
def make_board(app):
    def make(audience: Audience | str = Audience.PARENTS, *, name: str | None = None, area: Area | None = None,
             slow_mode_seconds: int = 0, position: int = 0, rules: str = "Be kind.") -> Board:
        n = next(_board_numbers)
        board = Board(slug=f"board-{n}", name=name or f"Board {n}", description="A board for tests.",
                      rules=rules, audience=Audience(audience).value, area=area,
                      slow_mode_seconds=slow_mode_seconds, position=position)
        db.session.add(board)
        db.session.commit()
        return board

    return make
