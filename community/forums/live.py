"""Live events, sent after a commit. With REDIS_URL set they go through the Socket.IO message queue, so
every server process delivers them to its own sockets.

Rooms: `thread:<id>` (people reading a thread), `user:<id>` (one person's sockets), `moderators`.
"""
from __future__ import annotations

from datetime import UTC

from flask import current_app, has_request_context, url_for

from community.extensions import socketio
from community.models import Notification, Post, PostState, ReviewItem
from community.text import render


def thread_room(thread_id: int) -> str:
    return f"thread:{thread_id}"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


MODERATORS_ROOM = "moderators"


def post_payload(post: Post) -> dict:
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
    }


Event = tuple[str, dict, str]  # (event name, payload, room)


def events_for(result) -> list[Event]:
    """The events a write should send, built BEFORE the commit from the objects already loaded (after the
    commit every attribute would be reloaded, one query each); `send` them only after the commit."""
    post = result.post
    events: list[Event] = []
    if result.state == PostState.PUBLISHED.value:
        events.append(("post", post_payload(post), thread_room(post.thread_id)))
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
    from community.forums.service import notification_words

    return "notification", {
        "id": note.id, "kind": note.kind, "thread_id": note.thread_id, "post_id": note.post_id,
        "text": notification_words(note.kind, actor, title), "url": _path("forums.post", post_id=note.post_id),
    }, user_room(note.user_id)


def _path(endpoint: str, **values) -> str:
    """A site-relative address that works with or without a request (Socket.IO, CLI, workers)."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)
