"""Socket.IO handlers and room rules: who may join which room.

A socket is tied to the signed-in person through the session cookie; anonymous sockets are refused.
Each event loads the person afresh (Flask-Login's loader runs per event), so a suspension or a lost
role takes effect on the next event, and the board's audience is checked again on every event, not
only when joining. Posting goes through the same service function as the HTML form.

Rooms: `user:<id>` (joined on connect), `moderators` (moderators and admins), `safeguarding_leads`
(safeguarding leads and admins), `thread:<id>` (joined
with `join_thread` after the read check).

Reading-now counts: each process counts its own sockets per thread (exact); with REDIS_URL the processes
add their counts up in a Redis hash, which is approximate if a process dies (its figure lingers until the
key expires). Count changes are announced at most twice a second per thread.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import defaultdict, deque

from flask import current_app, g, request
from flask_login import current_user
from flask_socketio import disconnect, emit, join_room, leave_room

from community.extensions import db, socketio
from community.forums import live, service
from community.forums.service import ForumError
from community.models import Role, Thread
from community.models.base import is_id

log = logging.getLogger(__name__)

# Flood control (as NodeBB does): a socket sending more than FORUM_SOCKET_FLOOD_EVENTS events in the
# window is cut off.
FLOOD_WINDOW_SECONDS = 10.0

_lock = threading.Lock()
_readers: dict[int, set[str]] = defaultdict(set)  # thread id -> socket ids reading it (this process)
_joined: dict[str, set[int]] = defaultdict(set)  # socket id -> thread ids it joined
_events: dict[str, deque] = defaultdict(deque)  # socket id -> times of recent events


def reading_count(thread_id: int) -> int:
    with _lock:
        return len(_readers.get(thread_id, ()))


def _flooding(sid: str) -> bool:
    limit = current_app.config.get("FORUM_SOCKET_FLOOD_EVENTS", 100)
    if not limit:
        return False
    now = time.monotonic()
    with _lock:
        times = _events[sid]
        times.append(now)
        while times and now - times[0] > FLOOD_WINDOW_SECONDS:
            times.popleft()
        return len(times) > limit


def _error(event: str, message: str) -> dict:
    emit("error", {"event": event, "message": message})
    return {"ok": False, "error": message}


def _thread_id(event: str, data) -> int | None:
    if not isinstance(data, dict) or not is_id(data.get("thread_id")):
        return None
    return data["thread_id"]


def _allowed_thread(thread_id: int) -> Thread | None:
    """The read check, run for every event: the person must still be active and may read the board."""
    if not current_user.is_authenticated or not current_user.is_active:
        return None
    try:
        return service.readable_thread(current_user, thread_id)
    except ForumError:
        return None


def _fresh_user() -> None:
    # Load the person from the database for this event, never from a cached copy: a suspension or a
    # removed role must count from the very next event (and an outer app context, as in tests, must
    # not lend one socket another socket's person).
    g.pop("_login_user", None)


def _guard(event: str) -> dict | None:
    """Common checks before any event: signed in, active, not flooding."""
    _fresh_user()
    if not current_user.is_authenticated or not current_user.is_active:
        disconnect()
        return {"ok": False, "error": "Please sign in again."}
    if _flooding(request.sid):
        disconnect()
        return {"ok": False, "error": "Too many messages. Please reload the page."}
    return None


def _set_reading(sid: str, thread_id: int, reading: bool) -> int:
    """Record a reader joining or leaving; returns the count across processes (see _shared_count)."""
    with _lock:
        if reading:
            _readers[thread_id].add(sid)
            _joined[sid].add(thread_id)
        else:
            _readers[thread_id].discard(sid)
            _joined[sid].discard(thread_id)
            if not _readers[thread_id]:
                _readers.pop(thread_id, None)
        local = len(_readers.get(thread_id, ()))
    return _shared_count(thread_id, local)


_PROCESS = uuid.uuid4().hex
_redis_clients: dict[str, object] = {}


def _shared_count(thread_id: int, local: int) -> int:
    """With REDIS_URL, each process keeps its own count in a Redis hash and the total is their sum.

    Approximate: a process that dies without cleaning up leaves its figure until the key expires (an hour
    after the last change). Without Redis the count is this process's own, which is exact.
    """
    url = current_app.config.get("REDIS_URL")
    if not url:
        return local
    try:
        import redis

        # short timeouts: with Redis away a join must cost a second at most, not hang
        client = _redis_clients.get(url) or _redis_clients.setdefault(url, redis.Redis.from_url(
            url, socket_connect_timeout=1, socket_timeout=1))
        key = f"village:reading:{thread_id}"
        pipe = client.pipeline()
        if local:
            pipe.hset(key, _PROCESS, local)
        else:
            pipe.hdel(key, _PROCESS)
        pipe.expire(key, 3600)
        pipe.hvals(key)
        return sum(int(v) for v in pipe.execute()[-1])
    except Exception:  # noqa: BLE001 - a count is not worth failing a join for
        return local


# Joins and leaves are announced at most this often per thread: 500 people opening one thread would
# otherwise send 500 x 500 "reading" messages.
READING_DELAY_SECONDS = 0.5
_pending_reading: set[int] = set()


def _broadcast_reading(thread_id: int, count: int) -> None:
    with _lock:
        if thread_id in _pending_reading:
            return
        _pending_reading.add(thread_id)
    socketio.start_background_task(_send_reading, current_app._get_current_object(), thread_id)


def _send_reading(app, thread_id: int) -> None:
    socketio.sleep(READING_DELAY_SECONDS)
    with _lock:
        _pending_reading.discard(thread_id)
        local = len(_readers.get(thread_id, ()))
    with app.app_context():
        count = _shared_count(thread_id, local)
        socketio.emit("reading", {"thread_id": thread_id, "count": count}, to=live.thread_room(thread_id))


# Whose sockets are where, so that a suspension can cut a person off at once (review queue sanctions).
# Each process knows its own; with REDIS_URL the sids are kept in Redis too, and disconnecting one that
# lives in another process goes to it through the Socket.IO message queue.
_user_sids: dict[int, set[str]] = defaultdict(set)
_sid_user: dict[str, int] = {}


def _sids_key(user_id: int) -> str:
    return f"village:sids:{user_id}"


def _remember_socket(user_id: int | None, sid: str, connected: bool) -> None:
    with _lock:
        if connected:
            _user_sids[user_id].add(sid)
            _sid_user[sid] = user_id
        else:
            user_id = _sid_user.pop(sid, None)
            if user_id is not None:
                _user_sids[user_id].discard(sid)
                if not _user_sids[user_id]:
                    _user_sids.pop(user_id, None)
    url = current_app.config.get("REDIS_URL")
    if url and user_id is not None:
        try:
            import redis

            client = _redis_clients.get(url) or _redis_clients.setdefault(url, redis.Redis.from_url(url))
            if connected:
                client.sadd(_sids_key(user_id), sid)
                client.expire(_sids_key(user_id), 86400)
            else:
                client.srem(_sids_key(user_id), sid)
        except Exception:  # noqa: BLE001 - the local record still works; the next event's check remains
            log.warning("Could not record socket %s in Redis", sid)


def disconnect_user(user_id: int) -> int:
    """Disconnect every open socket of a person, in every server process. Returns how many were asked.
    (Each later event would refuse them anyway: this ends sockets that only listen.)"""
    with _lock:
        sids = set(_user_sids.get(user_id, ()))
    url = current_app.config.get("REDIS_URL")
    if url:
        try:
            import redis

            client = _redis_clients.get(url) or _redis_clients.setdefault(url, redis.Redis.from_url(url))
            sids |= {s.decode() if isinstance(s, bytes) else s for s in client.smembers(_sids_key(user_id))}
        except Exception:  # noqa: BLE001
            log.warning("Could not read the sockets of user %s from Redis", user_id)
    for sid in sids:
        try:
            socketio.server.disconnect(sid, namespace="/")
        except Exception:  # noqa: BLE001 - already gone
            pass
    return len(sids)


def on_connect(auth=None):
    _fresh_user()
    if not current_user.is_authenticated or not current_user.is_active:
        log.info("Refused a socket without a signed-in, active person (cookie sent: %s)",
                 "session=" in request.headers.get("Cookie", ""))
        return False  # refuses the connection
    join_room(live.user_room(current_user.id))
    _remember_socket(current_user.id, request.sid, True)
    if service.is_moderator(current_user):
        join_room(live.MODERATORS_ROOM)
    if current_user.has_role(Role.SAFEGUARDING_LEAD, Role.ADMIN):
        join_room(live.LEADS_ROOM)
    return True


def on_disconnect(*args):
    _fresh_user()
    sid = request.sid
    _remember_socket(None, sid, False)
    with _lock:
        threads = list(_joined.pop(sid, ()))
        _events.pop(sid, None)
    for thread_id in threads:
        count = _set_reading(sid, thread_id, False)
        _broadcast_reading(thread_id, count)


def on_join_thread(data=None):
    if (refused := _guard("join_thread")) is not None:
        return refused
    thread_id = _thread_id("join_thread", data)
    if thread_id is None:
        return _error("join_thread", "thread_id must be a whole number.")
    last = data.get("last_post_id")
    if last is not None and not (is_id(last) or (type(last) is int and last == 0)):
        return _error("join_thread", "last_post_id must be a whole number or null.")
    first = data.get("first_post_id")
    if first is not None and not is_id(first):
        return _error("join_thread", "first_post_id must be a whole number or null.")
    thread = _allowed_thread(thread_id)
    if thread is None:
        return {"ok": False, "error": "You cannot read that thread."}
    join_room(live.thread_room(thread_id))
    count = _set_reading(request.sid, thread_id, True)
    truncated, sync = False, {}
    if last is not None:
        # The catch-up of the re-sync protocol (community/forums/live.py): missed posts chained by
        # prev_id, then in the acknowledgement the id they reach and what is no longer to be shown.
        posts, truncated = service.replay_posts(current_user, thread, last)
        prev = last or None
        for post in posts:
            emit("post", live.post_payload(post, prev))
            prev = post.id
        sync = {"synced": prev or 0,
                "hidden": service.gone_posts(current_user, thread, first) if first is not None else []}
    db.session.rollback()  # end the read transaction promptly; the socket lives on
    _broadcast_reading(thread_id, count)
    ack = {"ok": True, "reading": count, **sync}
    if truncated:
        ack["more"] = True  # more was missed than is replayed: the client reloads the page
    return ack


def on_leave_thread(data=None):
    if (refused := _guard("leave_thread")) is not None:
        return refused
    thread_id = _thread_id("leave_thread", data)
    if thread_id is None:
        return _error("leave_thread", "thread_id must be a whole number.")
    leave_room(live.thread_room(thread_id))
    count = _set_reading(request.sid, thread_id, False)
    _broadcast_reading(thread_id, count)
    return {"ok": True}


def on_new_post(data=None):
    if (refused := _guard("new_post")) is not None:
        return refused
    thread_id = _thread_id("new_post", data)
    if thread_id is None:
        return _error("new_post", "thread_id must be a whole number.")
    body = data.get("body")
    if not isinstance(body, str):
        return _error("new_post", "body must be text.")
    quote = data.get("quote_post_id")
    if quote is not None and not is_id(quote):
        return _error("new_post", "quote_post_id must be a whole number or null.")
    thread = _allowed_thread(thread_id)
    if thread is None:
        return {"ok": False, "error": "You cannot post in that thread."}
    try:
        result = service.reply(current_user, thread, body, quote)
    except ForumError as error:
        db.session.rollback()
        return {"ok": False, "error": error.message}
    ack = {"ok": True, "post_id": result.post.id, "state": result.state, "message": result.message}
    if result.show_helplines:
        ack["helplines"] = True
    return ack


def on_typing(data=None):
    if (refused := _guard("typing")) is not None:
        return refused
    thread_id = _thread_id("typing", data)
    if thread_id is None:
        return _error("typing", "thread_id must be a whole number.")
    if _allowed_thread(thread_id) is None:
        return {"ok": False, "error": "You cannot read that thread."}
    username = current_user.username
    db.session.rollback()
    emit("typing", {"thread_id": thread_id, "username": username}, to=live.thread_room(thread_id),
         include_self=False)
    return {"ok": True}


def on_any_error(error):  # pragma: no cover - the last guard: a bug must not kill the socket
    import logging

    logging.getLogger(__name__).exception("Socket.IO handler failed: %s", error)
    db.session.rollback()
    event = request.event.get("message", "") if hasattr(request, "event") else ""
    emit("error", {"event": event, "message": "Something went wrong. Please try again."})
    return {"ok": False, "error": "Something went wrong. Please try again."}


HANDLERS = {
    "connect": on_connect,
    "disconnect": on_disconnect,
    "join_thread": on_join_thread,
    "leave_thread": on_leave_thread,
    "new_post": on_new_post,
    "typing": on_typing,
}


def init_app(app) -> None:
    """Register the handlers on the Socket.IO server of this app.

    Called by create_app after socketio.init_app. Decorating at import time would bind the handlers to
    whichever server existed when this module was first imported, and a second app in the same process
    (tests on SQLite then PostgreSQL) would get a server with no handlers, which accepts anyone.
    """
    for event, handler in HANDLERS.items():
        socketio.on(event)(handler)
    socketio.on_error_default(on_any_error)
