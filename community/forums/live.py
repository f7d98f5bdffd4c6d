"""Live events, sent after a commit. With REDIS_URL set they go through the Socket.IO message queue, so
every server process delivers them to its own sockets.

Rooms: `thread:<id>` (people reading a thread), `user:<id>` (one person's sockets), `moderators`.

Nothing missed (the re-sync protocol). Live events are a fast path, not the record: the message queue can
lose events while Redis is away, and a socket loses them while it reconnects. Everything that matters is
committed before it is emitted, so a client that holds live state re-fetches from the database whenever it
may have missed something:

1. on every `connect` (the first and each reconnect);
2. on `resync`: sent by a server process to ALL its own sockets when its Redis subscription comes back
   after an outage (`community.message_queue`); any page with live state must handle it;
3. (threads) when a post shows a gap.

For a thread the catch-up is `join_thread {thread_id, last_post_id: <synced>, first_post_id: <oldest
post shown>}`. Each published `post` event carries `prev_id`: the id of the published post just before
it in the thread (null for the first), read in the writing transaction after the thread row is locked
(post ids are global, so "the next id" cannot be guessed; a per-thread sequence would need a column).
The client keeps `synced`, the id up to which it has every published post: a post whose `prev_id` is
at most `synced` advances it; one whose `prev_id` it has not seen is a gap, and after a short grace
(events from two writers can arrive out of order) it catches up from `synced`. The server replays the
published posts after `last_post_id` as `post` events (chained by `prev_id`) before it acknowledges
`{ok, reading, synced, hidden: [ids no longer to show], more?}`; `more` means over REPLAY_LIMIT were
missed: the page reloads (a script client asks again from the new `synced`). Posts are shown in id
order and once (by id). `static/js/live-sync.js` is the browser's implementation and
`tests/live_sync.py` the same rules for the tests and the benchmark; both follow
`tests/data/live_sync_cases.json`.

Other rooms (moderators, safeguarding leads) re-sync the same way: on `connect` and `resync`, fetch
their state (a count, a queue) over HTTP or their own catch-up event; their events are also buffered
and re-published by the message queue once Redis is back, which shortens the wait but is not the
guarantee. Known limits: an edit, or a held post a moderator publishes (its id is older than `synced`),
that is missed live shows on the next page load.
"""
from __future__ import annotations

from datetime import UTC

from flask import current_app, has_request_context, url_for

from sqlalchemy import func, select

from community.extensions import db, socketio
from community.models import Notification, Post, PostState, ReviewItem
from community.text import render


def thread_room(thread_id: int) -> str:
    return f"thread:{thread_id}"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


MODERATORS_ROOM = "moderators"
LEADS_ROOM = "safeguarding_leads"  # safeguarding leads and admins: new and changed cases (community/safeguarding)


_UNCHAINED = object()


def post_payload(post: Post, prev_id=_UNCHAINED) -> dict:
    """The `post` event; `prev_id` (int or None, see the module docstring) only where it is given."""
    quote = None
    if post.quote is not None and post.quote.is_public:
        quote = {"id": post.quote.id, "author": post.quote.author.username, "html": str(render(post.quote.body))}
    return {
        "id": post.id,
        "thread_id": post.thread_id,
        "author": post.author.username,
        "html": str(render(post.body)),
        "created_at": post.created_at.replace(tzinfo=UTC).isoformat(),
        "state": post.state,
        "edited": post.edited_at is not None,
        "quote": quote,
    } | ({} if prev_id is _UNCHAINED else {"prev_id": prev_id})


Event = tuple[str, dict, str]  # (event name, payload, room)


def previous_post_id(post: Post) -> int | None:
    """The published post just before this one in its thread (by id), for the live gap check."""
    return db.session.scalar(select(func.max(Post.id)).where(
        Post.thread_id == post.thread_id, Post.id < post.id,
        Post.state == PostState.PUBLISHED.value, Post.deleted_at.is_(None)))


def events_for(result) -> list[Event]:
    """The events a write should send, built BEFORE the commit from the objects already loaded (after the
    commit every attribute would be reloaded, one query each); `send` them only after the commit."""
    post = result.post
    events: list[Event] = []
    if result.state == PostState.PUBLISHED.value:
        events.append(("post", post_payload(post, previous_post_id(post)), thread_room(post.thread_id)))
    elif result.state == PostState.HELD.value:
        if getattr(result, "was_public", False):
            events.append(_gone(post))
        # The author sees their own post, marked as waiting for a moderator.
        events.append(("post", post_payload(post), user_room(post.author_id)))
    if result.review_item is not None:
        events.append(_review(result.review_item))
    if result.notifications:
        events.extend(_notification(note, post.author.username, result.thread.title) for note in result.notifications)
    return events


def send(events: list[Event]) -> None:
    for event, payload, room in events:
        socketio.emit(event, payload, to=room)


def _gone(post: Post) -> Event:
    return "post_hidden", {"id": post.id, "thread_id": post.thread_id}, thread_room(post.thread_id)


def post_gone(post: Post) -> None:
    send([_gone(post)])


def _review(item: ReviewItem) -> Event:
    return "review_item", {"id": item.id, "post_id": item.post_id, "thread_id": item.thread_id,
                           "severity": item.severity, "source": item.source}, MODERATORS_ROOM


def review_item(item: ReviewItem) -> None:
    send([_review(item)])


def _notification(note: Notification, actor: str, title: str) -> Event:
    return "notification", {
        "id": note.id, "kind": note.kind, "thread_id": note.thread_id, "post_id": note.post_id,
        "text": Notification.words(note.kind, actor, title), "url": _path("forums.post", post_id=note.post_id),
    }, user_room(note.user_id)


def _path(endpoint: str, **values) -> str:
    """A site-relative address that works with or without a request (Socket.IO, CLI, workers)."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)
