"""Socket.IO: room rules checked at join and on every event, live posts, replay, typing, errors."""
from __future__ import annotations

import pytest

from community.extensions import db, socketio
from community.forums import service
from community.models import Audience, Role
from tests.conftest import login


@pytest.fixture
def sock(app):
    """sock(user) -> a Flask-SocketIO test client signed in as `user` through the session cookie."""
    made = []

    def make(user):
        http = app.test_client()
        login(http, user)
        client = socketio.test_client(app, flask_test_client=http)
        assert client.is_connected()
        client.get_received()
        made.append(client)
        return client

    yield make
    for client in made:
        if client.is_connected():
            client.disconnect()


def _wait_for_event(client, name, predicate, seconds=3.0):
    """Events sent from a background task (reading counts) arrive a moment later."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(predicate(e) for e in _events(client, name)):
            return True
        time.sleep(0.05)
    return False


def _events(client, name, received=None):
    received = client.get_received() if received is None else received
    return [e["args"][0] for e in received if e["name"] == name]


@pytest.fixture
def parents_thread(app, make_user, make_board):
    author = make_user()
    thread = service.start_thread(author, make_board(), "Half term ideas", "Where do you go when it rains?").thread
    return author, thread


def test_anonymous_sockets_are_refused(app):
    client = socketio.test_client(app)
    assert not client.is_connected()


def test_join_counts_readers_and_refuses_other_audiences(app, sock, make_user, parents_thread):
    author, thread = parents_thread
    a = sock(author)
    assert a.emit("join_thread", {"thread_id": thread.id, "last_post_id": None}, callback=True) == {
        "ok": True, "reading": 1}
    b = sock(make_user())
    assert b.emit("join_thread", {"thread_id": thread.id}, callback=True)["reading"] == 2
    assert _wait_for_event(a, "reading", lambda e: e == {"thread_id": thread.id, "count": 2})
    young = sock(make_user(Role.YOUNG_PERSON))
    ack = young.emit("join_thread", {"thread_id": thread.id, "last_post_id": None}, callback=True)
    assert ack["ok"] is False
    # the refused socket is not in the room: it hears nothing of new posts
    service.reply(author, thread, "Soft play in Tollbridge is good")
    assert _events(young, "post") == []
    b.disconnect()
    assert _wait_for_event(a, "reading", lambda e: e == {"thread_id": thread.id, "count": 1})


def test_new_post_reaches_the_room_through_the_same_service(app, sock, make_user, parents_thread):
    author, thread = parents_thread
    a, b = sock(author), sock(make_user())
    for c in (a, b):
        c.emit("join_thread", {"thread_id": thread.id, "last_post_id": None}, callback=True)
        c.get_received()
    ack = b.emit("new_post", {"thread_id": thread.id, "body": "We go to the **library**", "quote_post_id": None},
                 callback=True)
    assert ack["ok"] and ack["state"] == "published" and ack["message"] == service.MSG_PUBLISHED
    received = a.get_received()
    (post,) = _events(a, "post", received)
    assert post["id"] == ack["post_id"] and post["thread_id"] == thread.id and post["state"] == "published"
    assert post["html"] == "<p>We go to the <strong>library</strong></p>"
    assert post["created_at"].endswith("+00:00")
    # the author heard of the reply as a live notification too (they follow their own thread)
    (note,) = _events(a, "notification", received)
    assert note["kind"] == "reply" and note["post_id"] == ack["post_id"]
    assert len(_events(b, "post")) == 1  # the writer sees their own post arrive once


def test_held_post_goes_to_its_author_only(app, sock, make_user, parents_thread, verdict):
    author, thread = parents_thread
    writer = make_user()
    moderator = make_user(Role.MODERATOR)
    a, w, m = sock(author), sock(writer), sock(moderator)
    for c in (a, w):
        c.emit("join_thread", {"thread_id": thread.id, "last_post_id": None}, callback=True)
        c.get_received()
    m.get_received()
    verdict("hold", reasons=["Check this"])
    ack = w.emit("new_post", {"thread_id": thread.id, "body": "held words", "quote_post_id": None}, callback=True)
    assert ack["state"] == "held" and "moderator" in ack["message"]
    assert _events(a, "post") == []
    (mine,) = _events(w, "post")
    assert mine["state"] == "held"
    (item,) = _events(m, "review_item")
    assert item["post_id"] == ack["post_id"]


def test_moderator_hide_disappears_live(app, sock, make_user, parents_thread):
    author, thread = parents_thread
    a = sock(author)
    a.emit("join_thread", {"thread_id": thread.id, "last_post_id": None}, callback=True)
    post = service.reply(make_user(), thread, "Something to hide").post
    a.get_received()
    service.hide_post(make_user(Role.MODERATOR), post)
    assert _events(a, "post_hidden") == [{"id": post.id, "thread_id": thread.id}]


def test_reconnect_with_last_post_id_replays_missed_posts_in_order(app, sock, make_user, parents_thread, verdict):
    author, thread = parents_thread
    other = make_user()
    verdict("publish")
    seen = service.reply(other, thread, "before").post
    missed = [service.reply(other, thread, f"missed {n}").post for n in range(3)]
    verdict("hold")
    service.reply(other, thread, "held, never replayed")
    a = sock(author)
    ack = a.emit("join_thread", {"thread_id": thread.id, "last_post_id": seen.id}, callback=True)
    assert ack["ok"]
    assert [p["id"] for p in _events(a, "post")] == [p.id for p in missed]


def test_typing_goes_to_the_others(app, sock, make_user, parents_thread):
    author, thread = parents_thread
    other = make_user(username="typist")
    a, b = sock(author), sock(other)
    for c in (a, b):
        c.emit("join_thread", {"thread_id": thread.id, "last_post_id": None}, callback=True)
        c.get_received()
    assert b.emit("typing", {"thread_id": thread.id}, callback=True) == {"ok": True}
    assert _events(a, "typing") == [{"thread_id": thread.id, "username": "typist"}]
    assert _events(b, "typing") == []


def test_mention_notification_arrives_live_without_joining(app, sock, make_user, parents_thread):
    author, thread = parents_thread
    mentioned = make_user(username="carla_m")
    s = sock(mentioned)
    service.reply(author, thread, "Ask @carla_m, she knows")
    (note,) = _events(s, "notification")
    assert note["kind"] == "mention" and "mentioned you" in note["text"] and note["url"].endswith(f"/p/{note['post_id']}")


def test_checks_run_again_on_every_event(app, sock, make_user, make_board):
    moderator = make_user(Role.MODERATOR)
    thread = service.start_thread(moderator, make_board(Audience.YOUNG_PEOPLE), "Exam stress",
                                  "How are you feeling about exams?").thread
    # a mentor (vetted) may read young people's boards, until the role is taken away
    mentor = make_user(Role.MENTOR, extra_roles=(Role.PARENT_CARER,))
    s = sock(mentor)
    assert s.emit("join_thread", {"thread_id": thread.id, "last_post_id": None}, callback=True)["ok"]
    for role in list(mentor.roles):
        if role.role == Role.MENTOR.value:
            db.session.delete(role)
    db.session.commit()
    assert s.emit("typing", {"thread_id": thread.id}, callback=True)["ok"] is False
    ack = s.emit("new_post", {"thread_id": thread.id, "body": "hello", "quote_post_id": None}, callback=True)
    assert ack["ok"] is False
    assert s.emit("join_thread", {"thread_id": thread.id, "last_post_id": None}, callback=True)["ok"] is False


def test_suspended_person_is_disconnected_on_the_next_event(app, sock, make_user, parents_thread):
    author, thread = parents_thread
    s = sock(author)
    author.is_suspended = True
    db.session.commit()
    ack = s.emit("typing", {"thread_id": thread.id}, callback=True)
    assert ack is None or ack["ok"] is False
    assert not s.is_connected()


@pytest.mark.parametrize("event", ["join_thread", "leave_thread", "new_post", "typing"])
@pytest.mark.parametrize("payload", [None, "text", 7, [], {}, {"thread_id": "1"}, {"thread_id": True},
                                     {"thread_id": -3}, {"thread_id": 1.5}, {"thread_id": 10**30},
                                     {"thread_id": 1, "last_post_id": "x", "body": 5, "quote_post_id": "q"}])
def test_malformed_events_get_an_error_event_never_a_crash(app, sock, make_user, event, payload):
    s = sock(make_user())
    ack = s.emit(event, payload, callback=True)
    if event == "leave_thread" and isinstance(payload, dict) and type(payload.get("thread_id")) is int and payload["thread_id"] == 1:
        assert ack == {"ok": True}  # leaving a room you are not in is harmless
        return
    assert ack["ok"] is False and ack["error"]
    assert s.is_connected()
    errors = _events(s, "error")
    if ack["error"] not in ("You cannot read that thread.", "You cannot post in that thread."):
        assert errors and errors[0]["event"] == event and errors[0]["message"]


def test_rules_apply_to_socket_posts_too(app, sock, make_user, parents_thread):
    author, thread = parents_thread
    s = sock(make_user())
    app.config["FORUM_POST_MAX_CHARS"] = 20
    try:
        ack = s.emit("new_post", {"thread_id": thread.id, "body": "x" * 21, "quote_post_id": None}, callback=True)
    finally:
        app.config["FORUM_POST_MAX_CHARS"] = 10_000
    assert ack["ok"] is False and "The most you can post is 20" in ack["error"]
    service.set_locked(make_user(Role.MODERATOR), thread, True)
    ack = s.emit("new_post", {"thread_id": thread.id, "body": "hello", "quote_post_id": None}, callback=True)
    assert ack["ok"] is False and "locked" in ack["error"]


def test_flooding_socket_is_cut_off(app, sock, make_user, parents_thread, monkeypatch):
    monkeypatch.setitem(app.config, "FORUM_SOCKET_FLOOD_EVENTS", 5)
    author, thread = parents_thread
    s = sock(author)
    for _ in range(6):
        if not s.is_connected():
            break
        s.emit("typing", {"thread_id": thread.id}, callback=True)
    assert not s.is_connected()


def test_moderators_join_the_moderators_room(app, sock, make_user, parents_thread):
    author, thread = parents_thread
    m = sock(make_user(Role.MODERATOR))
    member = sock(make_user())
    post = service.reply(author, thread, "A reply").post
    service.report_post(make_user(), post, "unkind", "")
    assert len(_events(m, "review_item")) == 1
    assert _events(member, "review_item") == []


def test_admin_counts_as_moderator(app, make_user):
    admin = make_user(Role.ADMIN)
    assert service.is_moderator(admin)
    assert not service.is_moderator(make_user(Role.COORDINATOR))


def test_reading_counts_add_up_across_processes_through_redis(app, redis_url, monkeypatch):
    import redis

    from community import realtime

    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    thread_id = 2_000_000_000  # far from any real thread on a shared Redis
    key = f"village:reading:{thread_id}"
    client = redis.Redis.from_url(redis_url)
    client.delete(key)
    try:
        client.hset(key, "another-process", 3)
        assert realtime._shared_count(thread_id, 2) == 5
        assert realtime._shared_count(thread_id, 0) == 3  # this process's readers left
    finally:
        client.delete(key)


def test_random_payloads_never_crash_a_socket(app, sock, make_user, parents_thread):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    author, thread = parents_thread
    s = sock(author)
    app.config["FORUM_POSTS_PER_MINUTE"] = 0
    json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
                               lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
                               max_leaves=8)
    payloads = st.one_of(json_values, st.fixed_dictionaries(
        {"thread_id": st.one_of(st.just(thread.id), json_values)},
        optional={"body": json_values, "last_post_id": json_values, "quote_post_id": json_values}))

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(event=st.sampled_from(["join_thread", "leave_thread", "new_post", "typing"]), payload=payloads)
    def send(event, payload):
        ack = s.emit(event, payload, callback=True)
        assert isinstance(ack, dict) and "ok" in ack
        assert s.is_connected()
        s.get_received()

    try:
        send()
    finally:
        app.config["FORUM_POSTS_PER_MINUTE"] = 6
