"""The background worker: the work nobody's request waits for.

Each pass, in order:

1. safeguarding: run due case deadlines, then send due notifications (`safeguarding/outbox.py`);
2. groups: roll every listed group's sessions forward to three months ahead
   (`groups.service.materialise_all`), at most once every GROUPS_ROLL_FORWARD_MINUTES, so that a
   weekly group never runs out of sessions to book.

Run as `flask --app wsgi worker` (its own process; several may run at once on PostgreSQL) or as a
thread inside each serving process (SAFEGUARDING_WORKER_IN_SERVER, the embedded setup). A pass that
fails is logged and the next one starts after SAFEGUARDING_WORKER_INTERVAL seconds: a database restart
never stops the worker.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from community import clock
from community.extensions import db

log = logging.getLogger(__name__)

# One PostgreSQL advisory lock for rolling sessions forward: one worker at a time does it.
ROLL_FORWARD_LOCK = 130_013


@dataclass
class Pass:
    """What one pass did: deadline steps run, notifications sent, group sessions made (None: not due)."""

    deadline_steps: int = 0
    sent: int = 0
    sessions_made: int | None = None


@dataclass
class Worker:
    """The worker's state between passes: when it last rolled the group sessions forward."""

    channels: tuple[str, ...] = ("email", "live")
    roll_forward_every: timedelta = timedelta(hours=1)
    last_roll_forward: datetime | None = field(default=None)

    def work_once(self) -> Pass:
        """One pass. Raises what the database raises (the caller logs it and tries again)."""
        from community.safeguarding import outbox

        done = Pass()
        done.deadline_steps, done.sent = outbox.work_once(self.channels)
        now = clock.utcnow()
        if self.last_roll_forward is None or now - self.last_roll_forward >= self.roll_forward_every:
            done.sessions_made = roll_forward()
            self.last_roll_forward = now
        return done


def roll_forward() -> int:
    """Make the group sessions of the next three months that are not rows yet; returns how many.

    Safe beside other workers: on PostgreSQL only the one holding the advisory lock does it (the others
    return 0 and leave it to that one); anywhere, a session another worker made first (the unique
    schedule and occurrence) rolls this attempt back, and the next pass finds nothing left to make."""
    from community.groups.service import materialise_all

    if db.engine.dialect.name == "postgresql" and not db.session.scalar(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": ROLL_FORWARD_LOCK}):
        db.session.rollback()
        return 0
    try:
        return materialise_all()  # commits, which releases the advisory lock
    except IntegrityError:
        db.session.rollback()
        log.info("Another worker made some of the same group sessions first; the next pass finishes")
        return 0


def worker_for(app: Flask, *, in_server: bool) -> Worker:
    """A separate worker process reaches browsers only through the Socket.IO message queue; one inside a
    serving process reaches them directly."""
    live = in_server or bool(app.config.get("SOCKETIO_MESSAGE_QUEUE"))
    return Worker(channels=("email", "live") if live else ("email",),
                  roll_forward_every=timedelta(minutes=app.config["GROUPS_ROLL_FORWARD_MINUTES"]))


def run(app: Flask, stop: threading.Event, worker: Worker, *, interval: float | None = None) -> None:
    """Work until `stop` is set; a failing pass is logged and the next one starts after `interval`."""
    interval = interval if interval is not None else app.config["SAFEGUARDING_WORKER_INTERVAL"]
    while not stop.is_set():
        try:
            with app.app_context():
                worker.work_once()
                db.session.remove()
        except Exception:  # noqa: BLE001 - the worker must outlive a bad pass (a database restart, say)
            log.exception("Worker pass failed; trying again")
        stop.wait(interval)


def start_thread(app: Flask) -> threading.Event:
    """The embedded worker: a daemon thread in a serving process. Returns the event that stops it."""
    stop = threading.Event()
    thread = threading.Thread(target=run, args=(app, stop, worker_for(app, in_server=True)), name="village-worker",
                              daemon=True)
    thread.start()
    return stop
