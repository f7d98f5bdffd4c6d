"""The re-sync protocol of a live thread, in Python, for the tests and the benchmark.

`ThreadSync` is `static/js/live-sync.js` rule for rule (community/forums/live.py explains the protocol);
both run the shared cases in tests/data/live_sync_cases.json (tests/forums/test_live_sync.py), so a test
reader behaves as the page does. `ThreadReader` drives it over a real python-socketio client the way
static/js/forums.js drives the JS one: catch up on every connect and on `resync`, check a gap again
after GAP_GRACE_MS, one catch-up at a time, and ask again while the server says `more` (the page reloads).
"""
from __future__ import annotations

import asyncio
import bisect
import random
import time

GAP_GRACE_MS = 300
RESYNC_JITTER_MS = 1000


class ThreadSync:
    def __init__(self, synced: int = 0, shown=()):
        self.synced = synced or 0
        self.shown: set[int] = set(shown)
        self.prev: dict[int, int | None] = {}

    def receive(self, post: dict) -> str:
        seen = post["id"] in self.shown
        self.shown.add(post["id"])
        if post.get("state") == "published" and post["id"] > self.synced and "prev_id" in post:
            self.prev[post["id"]] = post["prev_id"]
            self.advance()
        return "update" if seen else "show"

    def hide(self, ids) -> list[int]:
        gone = [i for i in ids if i in self.shown]
        for i in gone:
            self.shown.discard(i)
            self.prev.pop(i, None)
        self.advance()
        return gone

    def advance(self) -> None:
        for post_id in sorted(self.prev):
            prev = self.prev[post_id]
            if post_id <= self.synced:
                del self.prev[post_id]
            elif prev is None or prev <= self.synced:
                self.synced = post_id
                del self.prev[post_id]
            else:
                break

    def has_gap(self) -> bool:
        return bool(self.prev)

    def catch_up(self, thread_id: int) -> dict:
        return {"thread_id": thread_id, "last_post_id": self.synced,
                "first_post_id": min(self.shown) if self.shown else None}

    def acknowledge(self, ack) -> dict:
        if not ack or not ack.get("ok"):
            return {"hidden": [], "more": False}
        if isinstance(ack.get("synced"), int):
            self.synced = max(self.synced, ack["synced"])
        self.advance()
        return {"hidden": self.hide(ack.get("hidden") or []), "more": bool(ack.get("more"))}


class ThreadReader:
    """One reader of one thread over a python-socketio AsyncClient, following the page's rules.

    `displayed` is the page: post ids in id order, each once. `arrivals` maps a post id to the
    `time.perf_counter()` at which it was first displayed. `on_show(post)` is called for each new post.
    """

    def __init__(self, client, thread_id: int, synced: int = 0, shown=(), on_show=None,
                 jitter_ms: float = RESYNC_JITTER_MS):
        self.client, self.thread_id = client, thread_id
        self.sync = ThreadSync(synced, shown)
        self.displayed: list[int] = sorted(shown)
        self.arrivals: dict[int, float] = {}
        self.deliveries = 0  # post events received, duplicates included
        self.catch_ups = 0
        self.on_show = on_show
        self.jitter_ms = jitter_ms
        self._running = False
        self._again = False
        self._gap_check: asyncio.Task | None = None
        client.on("connect", self._on_connect)
        client.on("resync", self._on_resync)
        client.on("post", self._on_post)
        client.on("post_hidden", self._on_hidden)

    async def _on_connect(self):
        asyncio.ensure_future(self.catch_up())

    async def _on_resync(self, data=None):
        await asyncio.sleep(random.random() * self.jitter_ms / 1000)
        await self.catch_up()

    async def _on_post(self, post):
        if post.get("thread_id") != self.thread_id:
            return
        self.deliveries += 1
        if self.sync.receive(post) == "show":
            bisect.insort(self.displayed, post["id"])
            self.arrivals[post["id"]] = time.perf_counter()
            if self.on_show:
                self.on_show(post)
        if self.sync.has_gap() and (self._gap_check is None or self._gap_check.done()):
            self._gap_check = asyncio.ensure_future(self._check_gap())

    async def _check_gap(self):
        await asyncio.sleep(GAP_GRACE_MS / 1000)
        if self.sync.has_gap():
            await self.catch_up()

    async def _on_hidden(self, data):
        if data.get("thread_id") == self.thread_id:
            self._drop(self.sync.hide([data["id"]]))

    def _drop(self, ids) -> None:
        for post_id in ids:
            index = bisect.bisect_left(self.displayed, post_id)
            if index < len(self.displayed) and self.displayed[index] == post_id:
                del self.displayed[index]

    async def catch_up(self) -> None:
        if self._running:
            self._again = True
            return
        self._running = True
        try:
            while True:
                self._again = False
                try:
                    ack = await self.client.call("join_thread", self.sync.catch_up(self.thread_id), timeout=30)
                except Exception:  # noqa: BLE001 - disconnected or timed out: the next connect catches up
                    return
                self.catch_ups += 1
                result = self.sync.acknowledge(ack)
                self._drop(result["hidden"])
                if not (result["more"] or self._again):
                    return
        finally:
            self._running = False
