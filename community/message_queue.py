"""The Socket.IO message queue over Redis, made to survive Redis going away.

python-socketio's `RedisManager` drops a publish after two failed attempts ("giving up") and, when its
subscription breaks, backs off 1, 2, 4 ... up to 60 seconds before it listens again, saying nothing to
anyone. `ResilientRedisManager` keeps its wire format (processes running either can share a channel)
and changes what happens around an outage:

- Every process keeps serving its own sockets: an emit is delivered locally first, as before.
- A publish that fails goes into a small local buffer (`BUFFER_LIMIT` messages, oldest dropped first;
  typing and reading-count events are not kept) and is published again, in order, once Redis answers.
  The buffer shortens the delay; it is not the guarantee.
- The subscription is retried every `RETRY_SECONDS` (not with a growing back-off), and when it is back
  the process sends `resync` to ALL its local sockets. A client that holds live state fetches what it
  missed (see `community.forums.live` for the protocol): that is the guarantee, because everything that
  matters was committed to the database before it was emitted.
- One warning when Redis goes away and one when it comes back (not one error per failed attempt).

`state()` reports the queue for `/healthz`. Shapes: `state() -> {"connected": bool, "buffered": int,
"dropped": int, "outages": int}`.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque

import redis
import socketio

log = logging.getLogger(__name__)

BUFFER_LIMIT = 1000  # messages kept while Redis is away (about 1 MB of posts at most)
RETRY_SECONDS = 0.5  # how often the subscription and the buffer try Redis again
RESUBSCRIBE_GRACE_SECONDS = 1.0  # after Redis answers, give the other processes time to listen again
EPHEMERAL_EVENTS = frozenset({"typing", "reading"})  # stale by the time Redis is back: not buffered
RESYNC_EVENT = "resync"


class ResilientRedisManager(socketio.RedisManager):
    """A `socketio.RedisManager` that buffers failed publishes and re-syncs its sockets after an outage.

    `url` and `channel` as for `RedisManager`; `connect_timeout` bounds, in seconds, how long one
    publish may wait for an unreachable Redis (connection refused is immediate; a silent network is not).
    """

    name = "redis"

    def __init__(self, url: str, channel: str = "socketio", write_only: bool = False,
                 connect_timeout: float = 1.0):
        super().__init__(url, channel=channel, write_only=write_only)
        self._options = {"socket_connect_timeout": connect_timeout, "socket_keepalive": True}
        self._publisher = redis.Redis.from_url(url, socket_timeout=max(2.0, connect_timeout), **self._options)
        self._lock = threading.Lock()  # guards the buffer and the outage flag
        self._send_lock = threading.Lock()  # one sender at a time, so buffered messages keep their order
        self._buffer: deque = deque()
        self._lost = False  # publishes go to the buffer until it is sent
        self._down = False  # between the two warnings
        self._flusher: threading.Thread | None = None
        self.dropped = 0
        self.outages = 0

    # --- publishing --------------------------------------------------------------------------------

    def _publish(self, data):
        message = self.json.dumps(data)
        with self._lock:
            queued = self._lost or bool(self._buffer)
            if queued:
                self._keep(data, message)
        if queued:
            return None  # the flusher sends it after what is already waiting, in order
        try:
            with self._send_lock:
                return self._publisher.publish(self.channel, message)
        except redis.RedisError as error:
            with self._lock:
                self._keep(data, message)
            self._went_away(error)
            return None

    def _keep(self, data: dict, message: str) -> None:
        """Buffer one message (call with `_lock` held)."""
        if data.get("method") == "callback" or data.get("event") in EPHEMERAL_EVENTS:
            return
        if len(self._buffer) >= BUFFER_LIMIT:
            self._buffer.popleft()
            self.dropped += 1  # the clients' catch-up by last seen id still fills the gap
        self._buffer.append(message)

    def _flush_when_back(self) -> None:
        """Runs in its own thread while anything is buffered: waits for Redis, then sends in order."""
        try:
            while True:
                try:
                    self._publisher.ping()
                    break
                except redis.RedisError:
                    time.sleep(RETRY_SECONDS)
            self._back()
            time.sleep(RESUBSCRIBE_GRACE_SECONDS)
            while True:
                with self._send_lock:
                    with self._lock:
                        if not self._buffer:
                            self._lost = False
                            return
                        message = self._buffer[0]
                    try:
                        self._publisher.publish(self.channel, message)
                    except redis.RedisError:
                        pass  # away again: wait outside the lock, keep the message
                    else:
                        with self._lock:
                            if self._buffer and self._buffer[0] is message:
                                self._buffer.popleft()
                        continue
                time.sleep(RETRY_SECONDS)
        finally:
            with self._lock:
                self._flusher = None
                again = bool(self._buffer)
            if again:
                self._start_flusher()

    def _start_flusher(self) -> None:
        with self._lock:
            if self._flusher is not None:
                return
            self._flusher = threading.Thread(target=self._flush_when_back, name="socketio-redis-flush",
                                             daemon=True)
        self._flusher.start()

    # --- outage bookkeeping ------------------------------------------------------------------------

    def _went_away(self, error: Exception) -> None:
        with self._lock:
            first = not self._down
            self._lost = self._down = True
        if first:
            self.outages += 1
            log.warning("Redis went away (%s): live events from other server processes are paused; this "
                        "process keeps serving its own sockets and will re-sync them when Redis is back",
                        type(error).__name__)
        self._start_flusher()

    def _back(self) -> None:
        with self._lock:
            was_down, self._down = self._down, False
        if was_down:
            log.warning("Redis is back: live events flow between server processes again")

    # --- listening ---------------------------------------------------------------------------------

    def _redis_listen_with_retries(self):  # pragma: no cover - runs in the listener thread
        first = True
        while True:
            outage = False
            try:
                listener = redis.Redis.from_url(self.redis_url, **self._options)
                self.pubsub = listener.pubsub(ignore_subscribe_messages=True)
                self.pubsub.subscribe(self.channel)
                if not first:
                    self._resubscribed()
                first = False
                yield from self.pubsub.listen()
            except Exception as error:  # noqa: BLE001 - any failure means: listen again shortly
                outage, first = True, False
                self._went_away(error)
                try:
                    self.pubsub.close()
                except Exception:  # noqa: BLE001 - the connection is gone already
                    pass
            if outage:
                time.sleep(RETRY_SECONDS)

    def _resubscribed(self) -> None:
        """Listening again after an outage: tell the local sockets to fetch what they missed."""
        self._back()
        self._start_flusher()  # sends the buffer (if any) after the grace period
        try:
            self.server.emit(RESYNC_EVENT, {"reason": "message-queue"}, namespace="/", ignore_queue=True)
        except Exception:  # noqa: BLE001 - a re-sync is best effort; reconnecting sockets re-sync anyway
            log.exception("Could not tell the sockets to re-sync")

    def state(self) -> dict:
        with self._lock:
            return {"connected": not self._down, "buffered": len(self._buffer), "dropped": self.dropped,
                    "outages": self.outages}


def make_manager(app) -> ResilientRedisManager | None:
    """The client manager for this app's Socket.IO server: None (in-process) without a message queue."""
    url = app.config.get("SOCKETIO_MESSAGE_QUEUE")
    if not url:
        return None
    return ResilientRedisManager(url, channel=app.config["SOCKETIO_CHANNEL"])
