"""Redis goes away mid-stream: nothing missed, nobody locked out, and the servers say so.

A real redis-server on its own port, two Village server processes sharing it, five readers on process B
(the real python-socketio client following the page's re-sync rules, tests/live_sync.py) and a poster
on process A. Redis is killed while posts are flowing and started again three seconds later.
"""
from __future__ import annotations

import asyncio
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime

import pytest
import socketio

from community.extensions import db
from community.forums import service
from community.models import Board, Role
from tests import live
from tests.conftest import BACKENDS, TEST_PASSWORD, require
from tests.live import login_cookie, stop_server
from tests.live_sync import ThreadReader

READERS = 5
POSTS = 45
RATE = 10.0  # posts a second
OUTAGE_AT, OUTAGE_SECONDS = 12, 3.0  # kill Redis after this many posts, for this long


@pytest.fixture
def redis_server():
    from tests.redis_server import RedisServer

    try:
        server = RedisServer()
        server.start()
    except RuntimeError as error:
        require("redis-server", str(error))
    yield server
    server.stop()


@pytest.fixture
def two_servers(app, database_url, redis_server, tmp_path):
    start = getattr(live, "start_gunicorn", None) or live.start_server
    env = {"REDIS_URL": redis_server.url, "SOCKETIO_CHANNEL": f"village-test-{uuid.uuid4().hex}",
           "FORUM_POSTS_PER_MINUTE": "100000", "MODERATION_RATE_LIMIT_10MIN": "100000",
           "LOGIN_RATE_LIMIT": "1000 per minute",
           # delivery is under test, not screening (which still runs): the MiniLM reader would double start-up
           "MODERATION_SEMANTIC_ENABLED": "false"}
    started, errors = {}, []

    def run(name):
        try:
            started[name] = start(database_url, extra_env=env, log_path=tmp_path / f"server-{name}.log")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(name,)) for name in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert not errors, errors
        yield started["a"][1], started["b"][1], tmp_path
    finally:
        for process, _ in started.values():
            stop_server(process)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in_status(base: str, username: str) -> list[int]:
    """GET /login, then POST it: the statuses (an error status is returned, not raised)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(), _NoRedirect())
    statuses = []
    try:
        with opener.open(base + "/login", timeout=10) as response:
            statuses.append(response.status)
            page = response.read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"login": username, "password": TEST_PASSWORD, "csrf_token": token}).encode()
        with opener.open(base + "/login", data, timeout=10) as response:
            statuses.append(response.status)
    except urllib.error.HTTPError as error:
        statuses.append(error.code)
    return statuses


def get_json(url: str) -> tuple[int, dict]:
    import json

    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.mark.postgres_only  # two server processes and a Redis take a while to start: once, on the production database
def test_readers_miss_nothing_and_sign_in_works_while_redis_is_down(app, make_user, redis_server,
                                                                      two_servers):
    url_a, url_b, logs = two_servers
    board = Board(slug="outage", name="Outage board", audience="parents")
    db.session.add(board)
    db.session.commit()
    poster = make_user()
    poster.created_at = datetime(2020, 1, 1)  # a long-standing member: nothing held for being new
    db.session.commit()
    readers = [make_user() for _ in range(READERS)]
    opening = service.start_thread(poster, board, "Rainy day ideas", "Where do you take little ones when it pours?")
    thread_id, first_id = opening.thread.id, opening.post.id
    if opening.state != "published":  # screening may hold a thread opener for a moderator: publish it
        service.unhide_post(make_user(Role.MODERATOR), opening.post)
    poster_cookie = login_cookie(url_a, poster.username, TEST_PASSWORD)
    reader_cookies = [login_cookie(url_b, r.username, TEST_PASSWORD) for r in readers]

    async def scenario():
        followers = []
        for cookie in reader_cookies:
            client = socketio.AsyncClient(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
            followers.append(ThreadReader(client, thread_id, synced=first_id, shown=[first_id], jitter_ms=300))
            await client.connect(url_b, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=20)
        sender = socketio.AsyncClient(reconnection=False)
        await sender.connect(url_a, headers={"Cookie": poster_cookie}, transports=["websocket"], wait_timeout=20)

        published, outage = [first_id], {}
        started = time.perf_counter()
        for n in range(POSTS):
            await asyncio.sleep(max(0.0, started + n / RATE - time.perf_counter()))
            if n == OUTAGE_AT:
                await asyncio.to_thread(redis_server.stop)
                outage["sign_in"] = await asyncio.gather(
                    asyncio.to_thread(sign_in_status, url_a, poster.username),
                    asyncio.to_thread(sign_in_status, url_b, readers[0].username))
                outage["health"] = await asyncio.to_thread(get_json, url_b + "/healthz")
                outage["register"] = (await asyncio.to_thread(get_json_status, url_a + "/register"))
            if n == OUTAGE_AT + int(OUTAGE_SECONDS * RATE):
                await asyncio.to_thread(redis_server.start)
            ack = await sender.call("new_post", {"thread_id": thread_id, "body": f"Idea number {n}: the library",
                                                 "quote_post_id": None}, timeout=30)
            assert ack["ok"] and ack["state"] == "published", ack
            published.append(ack["post_id"])

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(f.displayed != published for f in followers):
            await asyncio.sleep(0.1)
        for client in [f.client for f in followers] + [sender]:
            await client.disconnect()
        return published, followers, outage

    published, followers, outage = run_in_own_loop(scenario)

    assert len(published) == POSTS + 1
    for n, follower in enumerate(followers):
        # every published post, exactly once, in order
        assert follower.displayed == published, (
            f"reader {n}: missing {sorted(set(published) - set(follower.displayed))}, "
            f"extra {sorted(set(follower.displayed) - set(published))}")
    # the posts made while Redis was down reached process B through the catch-up, not by luck
    assert sum(f.catch_ups for f in followers) > READERS, [f.catch_ups for f in followers]
    # nobody locked out: the sign-in page and the sign-in itself answer while Redis is down
    assert outage["sign_in"] == [[200, 302], [200, 302]], outage["sign_in"]
    assert outage["register"] == 200
    status, health = outage["health"]
    assert status == 200 and health["database"]["ok"] and health["redis"]["ok"] is False, health
    assert health["status"] == "degraded"
    # and said so in the log: once when Redis went away, once when it came back
    deadline = time.monotonic() + 5
    while "Redis is back:" not in (log_b := (logs / "server-b.log").read_text()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert log_b.count("Redis went away (") == 1 and log_b.count("Redis is back:") == 1, log_b[-3000:]
    assert "Rate limit storage unreachable" in (logs / "server-a.log").read_text()
    assert get_json(url_b + "/healthz")[1]["redis"]["ok"] is True


def run_in_own_loop(make_coroutine):
    """asyncio.run in a thread of its own: Playwright's sync API (the browser tests, earlier in the same
    session) keeps an event loop running in the main thread, where asyncio.run refuses to start."""
    outcome: dict = {}

    def target():
        try:
            outcome["value"] = asyncio.run(make_coroutine())
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def get_json_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_publishes_made_while_redis_is_down_are_kept_in_order_and_sent_when_it_is_back(monkeypatch):
    """The queue's own buffer (the clients' catch-up is the guarantee; this only shortens the wait)."""
    import json

    import redis

    from community import message_queue
    from tests.redis_server import RedisServer

    try:
        server = RedisServer()  # not started: Redis is down
    except RuntimeError as error:
        require("redis-server", str(error))
    monkeypatch.setattr(message_queue, "BUFFER_LIMIT", 4)
    manager = message_queue.ResilientRedisManager(server.url, channel="outage-test", write_only=True)
    for n in range(6):
        manager._publish({"method": "emit", "event": "post", "data": [{"id": n}], "room": "thread:1"})
        manager._publish({"method": "emit", "event": "typing", "data": [{"n": n}], "room": "thread:1"})
    assert manager.state() == {"connected": False, "buffered": 4, "dropped": 2, "outages": 1}
    server.start()
    try:
        listener = redis.Redis.from_url(server.url).pubsub(ignore_subscribe_messages=True)
        listener.subscribe("outage-test")
        got, deadline = [], time.monotonic() + 10
        while len(got) < 4 and time.monotonic() < deadline:
            message = listener.get_message(timeout=0.2)
            if message:
                got.append(json.loads(message["data"]))
        # the newest four posts, in the order they were made; typing is not worth sending late
        assert [m["data"][0]["id"] for m in got] == [2, 3, 4, 5]
        deadline = time.monotonic() + 5
        while manager.state()["buffered"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert manager.state() == {"connected": True, "buffered": 0, "dropped": 2, "outages": 1}
        listener.close()
    finally:
        server.stop()
