"""The outbox: sends the notifications written with each case, and runs the deadlines.

The background worker (`community/worker.py`: `flask --app wsgi worker`, or a thread inside each serving
process) calls `work_once` on every pass. Every notification is a row with a unique idempotency key:

- PostgreSQL: a row is claimed with SELECT ... FOR UPDATE SKIP LOCKED and stays locked while it is sent,
  so two workers never send the same row; a worker killed mid-send releases the lock (its connection
  dies) and the row is sent again by the next worker, once.
- SQLite (one process): the row is read, sent, then marked sent only where it is still unsent.
- A failed send is retried a few times at once (tenacity, exponential back-off), then the row waits:
  `next_attempt_at` moves on exponentially (up to an hour) and the worker tries again. Nothing is dropped.
- The email's Message-ID is the idempotency key, so in the one window no database can close (the mail
  server accepted the message and the worker died before recording it) the repeat is the same message,
  which mail systems treat as a duplicate.

Live alerts need a Socket.IO server to reach: the thread inside `flask serve`, or a separate worker with
REDIS_URL (the message queue). A separate worker without Redis sends email only and leaves live alerts
to the server's thread.
"""
from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from community import clock
from community.extensions import db, socketio
from community.mail import send_email
from community.models.safeguarding import OutboxMessage

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)
TRANSIENT = (smtplib.SMTPException, OSError)


def backoff(attempts: int) -> timedelta:
    """How long a row waits after `attempts` failed tries: 30 s, 1 min, 2 min ... up to an hour."""
    return min(timedelta(seconds=30 * 2 ** max(0, attempts - 1)), MAX_BACKOFF)


@dataclass(frozen=True)
class _Job:
    """A row's fields, copied so that sending needs no database (and holds no SQLite read transaction)."""

    id: int
    key: str
    channel: str
    recipient_id: int | None
    to_address: str
    subject: str
    body: str
    payload: dict


def _deliver(job: _Job) -> None:
    if job.channel == "email":
        for attempt in Retrying(stop=stop_after_attempt(3), wait=wait_exponential(multiplier=0.2, max=2),
                                retry=retry_if_exception_type(TRANSIENT), reraise=True):
            with attempt:
                send_email(job.to_address, job.subject, job.body, message_id=message_id(job.key))
    else:
        from community.forums.live import user_room

        socketio.emit("safeguarding_alert", dict(job.payload, text=job.subject), to=user_room(job.recipient_id))


def message_id(key: str) -> str:
    """The email's Message-ID, made from the idempotency key (the same notification, the same id)."""
    return f"<{key.replace(':', '.')}@village>"


def drain_outbox(channels: tuple[str, ...] = ("email", "live"), limit: int = 100) -> int:
    """Send what is due, one row at a time; returns how many were sent. Never raises for a failed send."""
    sent = 0
    postgres = db.engine.dialect.name == "postgresql"
    table = OutboxMessage.__table__
    for _ in range(limit):
        now = clock.utcnow()
        row = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now,
                                        OutboxMessage.channel.in_(channels))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(1).with_for_update(skip_locked=True))
        if row is None:
            db.session.rollback()
            break
        job = _Job(row.id, row.idempotency_key, row.channel, row.recipient_id, row.to_address, row.subject,
                   row.body, dict(row.payload or {}))
        if not postgres:
            db.session.commit()  # SQLite: hold no read transaction while sending
        # PostgreSQL: the row stays locked (FOR UPDATE) until the commit below, so no other worker takes it.
        try:
            _deliver(job)
        except Exception as error:  # noqa: BLE001 - a failed send waits and is tried again, never lost
            log.warning("Outbox %s (%s) failed: %s", job.id, job.channel, error)
            db.session.execute(table.update().where(OutboxMessage.id == job.id).values(
                attempts=OutboxMessage.attempts + 1, last_error=str(error)[:500],
                next_attempt_at=clock.utcnow() + backoff(row_attempts(job.id) + 1)))
            db.session.commit()
            continue
        db.session.execute(table.update().where(OutboxMessage.id == job.id, OutboxMessage.sent_at.is_(None))
                           .values(sent_at=clock.utcnow(), attempts=OutboxMessage.attempts + 1))
        db.session.commit()
        sent += 1
    return sent


def row_attempts(row_id: int) -> int:
    return db.session.scalar(select(OutboxMessage.attempts).where(OutboxMessage.id == row_id)) or 0


def work_once(channels: tuple[str, ...] = ("email", "live")) -> tuple[int, int]:
    """One pass: run due deadlines, then send due notifications. Returns (deadline steps, sent)."""
    from community.safeguarding.service import run_due_deadlines

    steps = run_due_deadlines()
    return steps, drain_outbox(channels)
