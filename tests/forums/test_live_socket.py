"""The real python-socketio client against Village served by a real server process (websocket transport):
a client that drops and reconnects with its last seen post id receives everything it missed, in order."""
from __future__ import annotations

import threading

import pytest
import socketio

from community.forums import service
from community.models import Audience, Board, Role
from community.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.live import login_cookie, start_server, stop_server


@pytest.fixture(scope="module")
def served(_app, database_url, tmp_path_factory):
    process, url = start_server(database_url, log_path=tmp_path_factory.mktemp("forums-server") / "server.log")
    yield url
    stop_server(process)


def _client(url, user) -> tuple[socketio.Client, list[dict], threading.Condition]:
    client = socketio.Client(reconnection=False)
    posts: list[dict] = []
    arrived = threading.Condition()

    @client.on("post")
    def on_post(data):
        with arrived:
            posts.append(data)
            arrived.notify_all()

    client.connect(url, headers={"Cookie": login_cookie(url, user.username, TEST_PASSWORD)},
                   transports=["websocket"], wait_timeout=20)
    return client, posts, arrived


def _wait_for(posts, arrived, count, timeout=20):
    with arrived:
        assert arrived.wait_for(lambda: len(posts) >= count, timeout), posts


def test_reconnect_replays_missed_posts(app, make_user, served):
    board = Board(slug="live-socket", name="Live socket board", audience=Audience.PARENTS.value)
    db.session.add(board)
    db.session.commit()
    reader, writer = make_user(), make_user()
    thread = service.start_thread(writer, board, "Swimming lessons", "Which pool is best for little ones?").thread

    listener, posts, arrived = _client(served, reader)
    poster, _, _ = _client(served, writer)
    try:
        assert listener.call("join_thread", {"thread_id": thread.id, "last_post_id": None}, timeout=20)["ok"]
        assert poster.call("join_thread", {"thread_id": thread.id, "last_post_id": None}, timeout=20)["ok"]
        ack = poster.call("new_post", {"thread_id": thread.id, "body": "Hartwell leisure centre",
                                       "quote_post_id": None}, timeout=20)
        assert ack["ok"] and ack["state"] == "published", ack
        _wait_for(posts, arrived, 1)
        last_seen = posts[-1]["id"]
        listener.disconnect()

        sent = []
        for text in ("The water is warm there", "They do parent and baby sessions", "Saturday mornings are quiet"):
            ack = poster.call("new_post", {"thread_id": thread.id, "body": text, "quote_post_id": None}, timeout=20)
            assert ack["ok"] and ack["state"] == "published", ack
            sent.append(ack["post_id"])

        again, replayed, arrived_again = _client(served, reader)
        try:
            ack = again.call("join_thread", {"thread_id": thread.id, "last_post_id": last_seen}, timeout=20)
            assert ack["ok"]
            # the missed posts are emitted before the acknowledgement
            assert [p["id"] for p in replayed] == sent
        finally:
            again.disconnect()
    finally:
        if listener.connected:
            listener.disconnect()
        poster.disconnect()


def test_anonymous_socket_is_refused_by_the_server(served):
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(served, transports=["websocket"], wait_timeout=10)


def test_young_person_cannot_join_a_parents_thread(app, make_user, served):
    board = Board(slug="live-socket-parents", name="Parents only", audience=Audience.PARENTS.value)
    db.session.add(board)
    db.session.commit()
    thread = service.start_thread(make_user(), board, "Parents only", "Hello parents").thread
    young = make_user(Role.YOUNG_PERSON)
    client, posts, _ = _client(served, young)
    try:
        ack = client.call("join_thread", {"thread_id": thread.id, "last_post_id": 0}, timeout=20)
        assert ack["ok"] is False and posts == []
    finally:
        client.disconnect()
