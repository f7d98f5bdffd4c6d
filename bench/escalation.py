"""Escalation benchmark: a young person's post submitted -> the on-call lead's open dashboard receives the
case live, beside the baseline of an ordinary post's time to appear in the board for another reader.

One Village server process (the embedded setup: SQLite, Socket.IO in-process, the outbox worker as a
thread), real screening. Over one WebSocket each: the writer posts with `new_post`, the lead's socket is
in the leads' room (as the dashboard page is), another young person reads the thread. Posts alternate:
a disclosure that screening escalates (timed until the lead's socket gets `safeguarding_case`), then an
ordinary post (timed until the reader's socket gets it). One post at a time, so each time is one post's.

    .venv/bin/python bench/escalation.py [--posts 200]

Last line: {"p50_ms": ..., "p95_ms": ..., "baseline_p95_ms": ..., "lost": ...}
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime
from pathlib import Path

import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live import login_cookie, start_server, stop_server  # noqa: E402

PASSWORD = "benchmark password 2026"
WAIT_SECONDS = 10.0  # a case not on the dashboard within this is counted lost
DISCLOSURES = [
    "I want to kill myself tonight.", "I have been cutting myself again and I can't stop.",
    "I'm going to take all my pills tonight so I don't wake up.", "I don't want to be alive anymore.",
    "I keep thinking about ending my life.", "I've written my goodbye letters and I'm ready to die.",
    "My stepdad hits me when he's drunk and I'm scared to go home.", "I want to die, nobody would miss me.",
]
CONTEXTS = [
    "Nobody at school knows.", "I haven't told my mum.", "It's been like this for weeks.", "I feel so alone.",
    "I can't talk to anyone at home.", "Everything feels pointless.", "I'm so tired of all of it.",
    "I don't know who else to tell.", "My friends don't get it.", "I just needed to say it somewhere.",
    "It got worse after the holidays.", "I'm sorry for posting this.", "I cried all the way home.",
    "I can't sleep at all.", "Nothing helps anymore.",
]
ORDINARY = [
    "Anyone else revising for mocks this week?", "What are you all listening to at the moment?",
    "Our football team finally won on Saturday.", "Does anyone have tips for learning lines for the play?",
    "The new library study room is really quiet.", "Is it just me or was that maths homework long?",
    "I started learning the guitar this month.", "Best snacks for a long coach trip?",
]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def seed(database_url: str) -> int:
    """Migrate a fresh database; a youth board and thread, a writer, a reader and the on-call lead."""
    os.environ["DATABASE_URL"] = database_url
    from flask_migrate import upgrade

    from community import create_app
    from community.extensions import db
    from community.auth.service import hash_password
    from community.models import Board, Post, Role, Thread, User, UserRole
    from community.models.safeguarding import RotaEntry

    app = create_app()
    with app.app_context():
        upgrade()
        hashed = hash_password(PASSWORD)
        people = {}
        for name, role, born in (("writer", Role.YOUNG_PERSON, date(2011, 3, 1)),
                                 ("reader", Role.YOUNG_PERSON, date(2011, 6, 1)),
                                 ("lead", Role.SAFEGUARDING_LEAD, date(1980, 1, 1))):
            user = User(username=name, email=f"{name}@example.org", password_hash=hashed, date_of_birth=born,
                        created_at=datetime(2020, 1, 1))
            user.roles.append(UserRole(role=role.value))
            db.session.add(user)
            people[name] = user
        board = Board(slug="bench-youth", name="Just chat", audience="young_people")
        thread = Thread(board=board, author=people["writer"], title="Benchmark thread", state="published",
                        created_at=datetime(2020, 1, 1), last_post_at=datetime(2020, 1, 1))
        db.session.add_all([board, thread, Post(thread=thread, author=people["writer"], body="Hello everyone.",
                                                state="published", created_at=datetime(2020, 1, 1))])
        db.session.flush()
        db.session.add(RotaEntry(user_id=people["lead"].id, role="duty", area_id=None,
                                 starts_at=datetime(2020, 1, 1), ends_at=datetime(2040, 1, 1)))
        db.session.commit()
        return thread.id


class Listener:
    """A socket that records when each event arrives (on this process's clock)."""

    def __init__(self, base: str, cookie: str, event: str):
        self.client = socketio.Client(reconnection=False)
        self.arrived: list[tuple[float, dict]] = []
        self.condition = threading.Condition()

        @self.client.on(event)
        def on_event(data):
            with self.condition:
                self.arrived.append((time.perf_counter(), data))
                self.condition.notify_all()

        self.client.connect(base, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=30)

    def mark(self) -> int:
        with self.condition:
            return len(self.arrived)

    def wait(self, predicate, timeout: float, after: int = 0) -> float | None:
        """The arrival time of the first event after the first `after` that matches, or None."""
        with self.condition:
            return self.condition.wait_for(
                lambda: next((t for t, d in self.arrived[after:] if predicate(d)), None), timeout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=200, help="escalating posts (and as many ordinary ones)")
    parser.add_argument("--seed", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        print(seed(args.seed))
        return
    with tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite:///{tmp}/bench.db"
        seeded = subprocess.run([sys.executable, __file__, "--seed", database_url], capture_output=True, text=True,
                                check=True)
        thread_id = int(seeded.stdout.strip().splitlines()[-1])
        # Hundreds of posts in minutes from one young person would rightly be held as flooding or for
        # pre-moderation: the benchmark measures delivery, so those limits are lifted (screening still runs).
        env = {"FORUM_POSTS_PER_MINUTE": "100000", "LOGIN_RATE_LIMIT": "100000 per minute",
               "MODERATION_RATE_LIMIT_10MIN": "100000", "FORUM_SOCKET_FLOOD_EVENTS": "0",
               "MODERATION_PREMODERATE_FIRST_POSTS": "0", "MODERATION_YOUNG_PEOPLE__PREMODERATE_FIRST_POSTS": "0"}
        process, base = start_server(database_url, extra_env=env, log_path=Path(tmp) / "server.log")
        try:
            lead = Listener(base, login_cookie(base, "lead", PASSWORD), "safeguarding_case")
            reader = Listener(base, login_cookie(base, "reader", PASSWORD), "post")
            writer = socketio.Client(reconnection=False)
            writer.connect(base, headers={"Cookie": login_cookie(base, "writer", PASSWORD)}, transports=["websocket"],
                           wait_timeout=30)
            assert reader.client.call("join_thread", {"thread_id": thread_id, "last_post_id": None}, timeout=30)["ok"]
            escalation_ms, baseline_ms = [], []
            lost = not_escalated = 0
            opened = 0
            for i in range(args.posts):
                words = f"{DISCLOSURES[i % len(DISCLOSURES)]} {CONTEXTS[(i // len(DISCLOSURES)) % len(CONTEXTS)]}"
                if i >= len(DISCLOSURES) * len(CONTEXTS):
                    words = f"{CONTEXTS[i % len(CONTEXTS)]} {words}"
                seen = lead.mark()
                start = time.perf_counter()
                ack = writer.call("new_post", {"thread_id": thread_id, "body": words, "quote_post_id": None},
                                  timeout=60)
                if not ack.get("ok") or not ack.get("helplines") or ack.get("state") != "held":
                    not_escalated += 1
                else:
                    opened += 1
                    arrived = lead.wait(lambda d: d.get("event") == "opened", WAIT_SECONDS, after=seen)
                    if arrived is None:
                        lost += 1
                    else:
                        escalation_ms.append((arrived - start) * 1000)
                body = f"{ORDINARY[i % len(ORDINARY)]} ({i})"
                start = time.perf_counter()
                ack = writer.call("new_post", {"thread_id": thread_id, "body": body, "quote_post_id": None}, timeout=60)
                if ack.get("ok") and ack.get("state") == "published":
                    arrived = reader.wait(lambda d, pid=ack["post_id"]: d.get("id") == pid, WAIT_SECONDS)
                    if arrived is not None:
                        baseline_ms.append((arrived - start) * 1000)
            for client in (lead.client, reader.client, writer):
                client.disconnect()
        finally:
            stop_server(process)

    p50, p95 = percentile(escalation_ms, 0.5), percentile(escalation_ms, 0.95)
    b50, b95 = percentile(baseline_ms, 0.5), percentile(baseline_ms, 0.95)
    print(f"{args.posts} disclosures by a young person: {opened} escalated by screening, {not_escalated} not "
          f"(excluded), {lost} never reached the lead's dashboard within {WAIT_SECONDS:.0f} s")
    print(f"post -> on-call lead's dashboard:  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  (n={len(escalation_ms)})")
    print(f"post -> another reader (baseline): p50 {b50:7.1f} ms  p95 {b95:7.1f} ms  (n={len(baseline_ms)})")
    if baseline_ms and escalation_ms:
        print(f"escalation / baseline: p50 x{p50 / b50:.2f}, p95 x{p95 / b95:.2f}; "
              f"median of the two series' difference {statistics.median(escalation_ms) - statistics.median(baseline_ms):+.1f} ms")
    print(json.dumps({"p50_ms": round(p50, 1), "p95_ms": round(p95, 1), "baseline_p95_ms": round(b95, 1),
                      "lost": lost}))


if __name__ == "__main__":
    main()
