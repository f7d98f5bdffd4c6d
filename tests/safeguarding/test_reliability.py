"""Notifications cannot be lost or doubled: a worker killed mid-send (SIGKILL) and started again sends each
email once; several workers at once never send one twice; 1,000 concurrent escalations of one source on
PostgreSQL make one case and one set of notifications. SMTP is the only thing faked (a local SMTP sink)."""
from __future__ import annotations

import os
import re
import signal
import socketserver
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.models.safeguarding import CaseEntry, OutboxMessage, SafeguardingCase
from community.safeguarding import service
from community.safeguarding.outbox import message_id
from tests.live import ROOT, free_port


class SmtpSink(socketserver.ThreadingTCPServer):
    """Just enough SMTP to accept mail. A message counts as sent only when the sink answers 250 to its
    DATA; message number `stall_on` gets no answer until `release` is set (the worker dies mid-send)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, stall_on: int):
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.stall_on, self.received = stall_on, 0
        self.accepted: list[str] = []
        self.lock = threading.Lock()
        self.stalled, self.release = threading.Event(), threading.Event()


class _SmtpHandler(socketserver.StreamRequestHandler):
    def handle(self):
        server: SmtpSink = self.server
        say = lambda line: self.wfile.write(line.encode() + b"\r\n")  # noqa: E731
        say("220 sink")
        while line := self.rfile.readline():
            verb = line.decode(errors="replace").strip().upper()
            if verb.startswith("DATA"):
                say("354 go on")
                data = b""
                while not data.endswith(b"\r\n.\r\n"):
                    chunk = self.rfile.readline()
                    if not chunk:
                        return
                    data += chunk
                with server.lock:
                    server.received += 1
                    number = server.received
                if number == server.stall_on:
                    server.stalled.set()
                    server.release.wait(60)
                    return  # no 250: the message was not accepted
                found = re.search(rb"^Message-ID: (.+?)\r$", data, re.MULTILINE | re.IGNORECASE)
                with server.lock:
                    server.accepted.append(found.group(1).decode() if found else "")
                say("250 accepted")
            elif verb.startswith("QUIT"):
                say("221 bye")
                return
            else:
                say("250 ok")


def _worker(database_url: str, smtp_port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update({"DATABASE_URL": database_url, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port),
                "MAIL_USE_TLS": "false", "SAFEGUARDING_WORKER_INTERVAL": "0.2",
                "SECRET_KEY": "worker-secret-key-long-enough-for-the-tests", "PYTHONUNBUFFERED": "1"})
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _unsent() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.channel == "email", OutboxMessage.sent_at.is_(None)))


def test_a_worker_killed_mid_send_and_restarted_sends_each_email_once(app, database_url, rota):
    for n in range(6):
        service.open_case(source_kind="worry", source_id=f"kill-{n}", severity="urgent", how="a test",
                          snapshot="Words.", area_id=None)
    db.session.commit()
    keys = set(db.session.scalars(select(OutboxMessage.idempotency_key).where(OutboxMessage.channel == "email")))
    assert len(keys) == 6  # one email per case to the county duty lead (no area, so no area lead)
    sink = SmtpSink(stall_on=3)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    worker = _worker(database_url, sink.server_address[1])
    try:
        assert sink.stalled.wait(60), "the worker never reached the third email"
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        sink.release.set()
        assert len(sink.accepted) == 2 and _unsent() == 4
        # Started again, twice at once on PostgreSQL (SKIP LOCKED keeps them apart): the rest, once each.
        workers = [_worker(database_url, sink.server_address[1])
                   for _ in range(2 if db.engine.dialect.name == "postgresql" else 1)]
        deadline = time.monotonic() + 60
        while _unsent() and time.monotonic() < deadline:
            time.sleep(0.2)
        for w in workers:
            w.terminate()
            w.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
        sink.shutdown()
    assert _unsent() == 0
    counts = Counter(sink.accepted)
    assert set(counts) == {message_id(k) for k in keys} and set(counts.values()) == {1}, counts


@pytest.mark.postgres_only  # the race is PostgreSQL's to lose (SQLite runs one writer at a time)
def test_a_thousand_concurrent_escalations_of_one_source_make_one_case(app, _app, rota):
    start = threading.Barrier(16)

    def escalate(n: int) -> bool:
        if n < 16:
            start.wait(10)  # the first sixteen race each other to create the case
        with _app.app_context():
            opened = service.open_case(source_kind="post", source_id="424242", severity="urgent",
                                       how=f"screening (escalation {n})", snapshot="The same words.")
            db.session.commit()
            return opened.created

    with ThreadPoolExecutor(16) as pool:
        created = list(pool.map(escalate, range(1000)))
    db.session.rollback()
    assert created.count(True) == 1
    assert db.session.scalar(select(func.count(SafeguardingCase.id))) == 1
    case_id = db.session.scalar(select(SafeguardingCase.id))
    keys = list(db.session.scalars(select(OutboxMessage.idempotency_key)))
    assert sorted(keys) == sorted(f"case:{case_id}:step:0:{channel}:user:{rota['duty'].id}"
                                  for channel in ("email", "live"))
    assert db.session.scalar(select(func.count(CaseEntry.id)).where(CaseEntry.kind == "escalated_again")) == 999
