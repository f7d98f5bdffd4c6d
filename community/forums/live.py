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


def after_post(result) -> None:
    """A post was written, edited or released: show it where it may be seen."""
    post = result.post
    if result.state == PostState.PUBLISHED.value:
        socketio.emit("post", post_payload(post), to=thread_room(post.thread_id))
    elif result.state == PostState.HELD.value:
        if getattr(result, "was_public", False):
            post_gone(post)
        # The author sees their own post, marked as waiting for a moderator.
        socketio.emit("post", post_payload(post), to=user_room(post.author_id))
    if result.review_item is not None:
        review_item(result.review_item)
    for note in result.notifications:
        notification(note)


def post_gone(post: Post) -> None:
    socketio.emit("post_hidden", {"id": post.id, "thread_id": post.thread_id}, to=thread_room(post.thread_id))


def review_item(item: ReviewItem) -> None:
    socketio.emit("review_item", {"id": item.id, "post_id": item.post_id, "thread_id": item.thread_id,
                                  "severity": item.severity, "source": item.source}, to=MODERATORS_ROOM)


def notification(note: Notification) -> None:
    from community.forums.service import notification_text

    socketio.emit("notification", {
        "id": note.id, "kind": note.kind, "thread_id": note.thread_id, "post_id": note.post_id,
        "text": notification_text(note), "url": _path("forums.post", post_id=note.post_id),
    }, to=user_room(note.user_id))


def _path(endpoint: str, **values) -> str:
    """A site-relative address that works with or without a request (Socket.IO, CLI, workers)."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)
