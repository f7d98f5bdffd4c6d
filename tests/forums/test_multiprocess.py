"""Scale-out as README.md tells operators to run it: two gunicorn processes (gthread) share Socket.IO
through a real Redis. A post made through one process reaches a client connected to the other, over
WebSocket: one client upgrades from long-polling, as browsers do, the other speaks WebSocket only.
"""
from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import socketio

from community.extensions import db
from community.forums import service
from community.models import AgeBand, Board, Role
from tests.conftest import TEST_PASSWORD
from tests.live import login_cookie, start_gunicorn, stop_server


@pytest.fixture
def two_servers(app, database_url, redis_url, tmp_path):
    # Our own Socket.IO channel, so that nothing else on this Redis hears these servers.
    env = {"REDIS_URL": redis_url, "SOCKETIO_CHANNEL": f"village-test-{uuid.uuid4().hex}"}
    # Started side by side: each loads the screening models before it answers.
    with ThreadPoolExecutor(2) as pool:
        starting = [pool.submit(start_gunicorn, database_url, extra_env=env, log_path=tmp_path / f"server-{name}.log")
                    for name in ("a", "b")]
    servers = [f.result() for f in starting if f.exception() is None]
    try:
        for f in starting:
            f.result()  # raises the first start-up failure, after the servers that did start are kept
        yield [url for _, url in servers]
    finally:
        for process, _ in servers:
            stop_server(process)


def test_post_through_one_process_reaches_a_client_on_the_other(app, make_user, two_servers):
    url_a, url_b = two_servers
    board = Board(slug="scale-out", name="Scale-out board", audience="parents")
    db.session.add(board)
    db.session.commit()
    writer = make_user(Role.PARENT_CARER, band=AgeBand.ADULT)
    reader = make_user(Role.PARENT_CARER, band=AgeBand.ADULT)
    thread = service.start_thread(writer, board, "Anyone at the Tuesday stay and play?", "We will be there at ten.").post.thread
    received, arrived = [], threading.Event()

    listener = socketio.Client(reconnection=False)

    @listener.on("post")
    def on_post(data):
        received.append(data)
        if "see you there" in data.get("html", ""):
            arrived.set()

    # Long-polling first, then the upgrade to WebSocket (the browser's way).
    listener.connect(url_b, headers={"Cookie": login_cookie(url_b, reader.username, TEST_PASSWORD)},
                     wait_timeout=20)
    poster = socketio.Client(reconnection=False)
    try:
        assert listener.transport() == "websocket", "gunicorn did not upgrade the connection to WebSocket"
        ack = listener.call("join_thread", {"thread_id": thread.id, "last_post_id": None}, timeout=20)
        assert ack["ok"], ack
        poster.connect(url_a, headers={"Cookie": login_cookie(url_a, writer.username, TEST_PASSWORD)},
                       transports=["websocket"], wait_timeout=20)
        assert poster.transport() == "websocket"
        ack = poster.call("new_post", {"thread_id": thread.id, "body": "Lovely, see you there!", "quote_post_id": None}, timeout=20)
        assert ack["ok"] and ack["state"] == "published", ack
        assert arrived.wait(15), f"the post did not cross processes; received {received}"
        assert received[-1]["id"] == ack["post_id"] and received[-1]["thread_id"] == thread.id
    finally:
        listener.disconnect()
        poster.disconnect()
