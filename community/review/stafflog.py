"""The staff log: one append-only event per staff action anywhere in Village.

`log_staff_action` is called by every service that acts as staff (review decisions, sanctions, appeals,
hiding, pinning and locking in the forums, board changes and role grants in admin), INSIDE the caller's
transaction, so the action and its record are committed together or not at all. It never commits.
Kept apart from `community.review.service` so that forums and admin can import it without a cycle.
"""
from __future__ import annotations

from datetime import date, datetime

from community import clock
from community.extensions import db
from community.models import Board, Post, ReviewItem, StaffEvent, Thread, User
from community.models.reviews import Appeal, Sanction

_SUBJECT_TYPES = {ReviewItem: "item", Post: "post", Thread: "thread", Board: "board", User: "user",
                  Sanction: "sanction", Appeal: "appeal"}


def _jsonable(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in (sorted(value) if isinstance(value, (set, frozenset)) else value)]
    return value


def log_staff_action(actor: User | None, action: str, subject=None, *, reason: str = "",
                     before: dict | None = None, after: dict | None = None,
                     subject_type: str | None = None, subject_id: int | None = None) -> StaffEvent:
    """Add a staff log event to the current transaction (the caller commits).

    `actor` is the member of staff (None for the command line); `action` a dotted name such as
    "review.approve" or "forums.hide"; `subject` a model instance (its kind and id are recorded; a new
    one is flushed for its id) or `subject_type`/`subject_id` given directly; `before`/`after` small
    dicts of the fields that changed (datetimes are stored as ISO 8601 text).
    """
    if subject is not None:
        subject_type = subject_type or _SUBJECT_TYPES.get(type(subject), type(subject).__name__.lower())
        if subject.id is None:
            db.session.flush()
        subject_id = subject.id
    event = StaffEvent(actor_id=actor.id if actor is not None else None, action=action,
                       subject_type=subject_type or "", subject_id=subject_id, reason=(reason or "")[:2000],
                       before=_jsonable(before or {}), after=_jsonable(after or {}), created_at=clock.utcnow())
    db.session.add(event)
    return event
