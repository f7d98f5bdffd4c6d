"""Live review events reach moderators only; a suspended person's open socket is cut off at once."""
from __future__ import annotations

import re
import threading
import urllib.parse
import urllib.request

import pytest
import socketio as socketio_client

from community.extensions import db, socketio
from community.models import Role
from community.review import service
from tests.conftest import TEST_PASSWORD, login
from tests.live import login_cookie, start_server, stop_server


def _socket(app, user):
    http = app.test_client()
    login(http, user)
    client = socketio.test_client(app, flask_test_client=http)
    assert client.is_connected()
    client.get_received()
    return client


def _names(client) -> list[str]:
    return [e["name"] for e in client.get_received()]


def test_review_events_go_to_moderators_only(app, held, make_user):
    moderator, parent, admin = make_user(Role.MODERATOR), make_user(Role.PARENT_CARER), make_user(Role.ADMIN)
    mod_sock, parent_sock, admin_sock = _socket(app, moderator), _socket(app, parent), _socket(app, admin)
    try:
        item, _, _ = held()
        service.claim(moderator, item)
        service.approve(moderator, item)
        for sock in (mod_sock, admin_sock):
            names = _names(sock)
            assert {"review_item", "review_claimed", "review_decided"} <= set(names), names
        assert not {n for n in _names(parent_sock) if n.startswith("review")}
    finally:
        for sock in (mod_sock, parent_sock, admin_sock):
            if sock.is_connected():
                sock.disconnect()


@pytest.fixture(scope="module")
def served(_app, database_url, tmp_path_factory):
    process, url = start_server(database_url, log_path=tmp_path_factory.mktemp("review-server") / "server.log")
    yield url
    stop_server(process)


def _post_form(url: str, page_path: str, action_path: str, cookie: str, data: dict) -> int:
    """Submit a form through the served app as a signed-in person (with the page's CSRF token)."""
    def request(path, body=None):
        req = urllib.request.Request(url + path, data=body, headers={"Cookie": cookie})
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(req) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    _, page = request(page_path)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    status, _ = request(action_path, urllib.parse.urlencode(dict(data, csrf_token=token)).encode())
    return status


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_a_suspended_persons_open_socket_is_disconnected(app, held, make_user, served):
    item, _, author = held()
    moderator = make_user(Role.MODERATOR)
    listener = socketio_client.Client(reconnection=False)
    gone = threading.Event()
    listener.on("disconnect", lambda *args: gone.set())
    listener.connect(served, headers={"Cookie": login_cookie(served, author.username, TEST_PASSWORD)},
                     transports=["websocket"], wait_timeout=20)
    try:
        assert listener.connected
        status = _post_form(served, f"/review/items/{item.id}", f"/review/items/{item.id}/sanction",
                            login_cookie(served, moderator.username, TEST_PASSWORD),
                            {"kind": "suspension", "days": "3", "reason": "You shared a phone number again."})
        assert status == 302
        assert gone.wait(15), "the suspended person's socket stayed open"
        db.session.expire_all()
        db.session.refresh(author)
        assert not author.is_active
        again = socketio_client.Client(reconnection=False)
        with pytest.raises(Exception):  # and they cannot sign in to come back
            again.connect(served, headers={"Cookie": login_cookie(served, author.username, TEST_PASSWORD)},
                          transports=["websocket"], wait_timeout=10)
    finally:
        if listener.connected:
            listener.disconnect()
