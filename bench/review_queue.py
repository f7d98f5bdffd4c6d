"""Review queue benchmark: the queue page and "claim next" over 50,000 review items, against a bare Flask
route rendering the same template with the same items already loaded (no database), in the same run.

The app runs in this process on a fresh database (SQLite file by default) migrated as in production;
requests go through Flask's test client, so the figures are server time (routing, session, queries,
rendering) without a network. Items: a realistic mix of sources (screening, reports), severities, states
(about 8% open) and audiences over 5,000 threads. Prints p50/p95 in ms and the query count per queue
page, then one JSON line.

    .venv/bin/python bench/review_queue.py [--items 50000] [--requests 200] [--database-url URL]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def percentile(values: list[float], share: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(share * (len(values) - 1))))]


def seed(db, n_items: int) -> int:
    """Users, boards, threads, posts and items by bulk insert. Returns a moderator's id."""
    from sqlalchemy import insert

    from community import clock
    from community.models import Board, Post, ReviewItem, ReviewReport, Thread, User, UserRole

    rng = random.Random(7)
    now = clock.utcnow()
    audiences = ["parents", "young_people", "young_adults"]
    users = [{"id": i, "username": f"bench{i}", "email": f"bench{i}@example.org", "password_hash": "x",
              "date_of_birth": date(1990 if i % 3 == 0 else 2010, 1, 1), "created_at": now - timedelta(days=i % 400),
              "is_suspended": False, "failed_logins": 0, "profile_public": False, "about": ""}
             for i in range(1, 2001)]
    db.session.execute(insert(User), users)
    db.session.execute(insert(UserRole), [{"user_id": 1, "role": "moderator", "granted_at": now}] +
                       [{"user_id": i, "role": "parent_carer", "granted_at": now} for i in range(2, 2001)])
    db.session.execute(insert(Board), [{"id": b, "slug": f"board-{b}", "name": f"Board {b}", "description": "",
                                        "rules": "", "audience": audiences[b % 3], "slow_mode_seconds": 0,
                                        "position": b} for b in range(1, 31)])
    n_threads = 5000
    db.session.execute(insert(Thread), [{"id": t, "board_id": t % 30 + 1, "author_id": t % 2000 + 1,
                                         "title": f"Thread {t} about sleep and nursery", "state": "published",
                                         "is_pinned": False, "is_locked": False, "created_at": now,
                                         "last_post_at": now, "post_count": 1} for t in range(1, n_threads + 1)])
    posts, items, reports = [], [], []
    categories = ["", "", "contact", "toxicity", "spam", "self_harm_suicide", "bullying"]
    for i in range(1, n_items + 1):
        thread = rng.randrange(1, n_threads + 1)
        created = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 90))
        is_open = rng.random() < 0.08
        source = "report" if rng.random() < 0.3 else "screening"
        severity = rng.choices(["urgent", "high", "standard"], [0.03, 0.17, 0.8])[0]
        posts.append({"id": i, "thread_id": thread, "author_id": rng.randrange(2, 2001),
                      "body": "Does anyone know a good stay and play near the hub? Text me " * rng.randrange(1, 4),
                      "state": "held" if is_open else "published", "state_reason": "", "show_helplines": False,
                      "created_at": created})
        items.append({"id": i, "source": source, "content_kind": "post", "post_id": i, "thread_id": thread,
                      "reason": "Screening asked for review", "note": "", "verdict": {"reasons": ["contact"], "scores": {}},
                      "action": "hold", "severity": severity, "priority": {"urgent": 0, "high": 1, "standard": 2}[severity],
                      "state": "open" if is_open else "closed", "created_at": created,
                      "audience": audiences[(thread % 30 + 1) % 3], "board_id": thread % 30 + 1,
                      "author_id": posts[-1]["author_id"], "text": "", "text_field": "",
                      "category": rng.choice(categories), "report_count": 1 if source == "report" else 0,
                      "decision": None if is_open else rng.choice(["approved", "rejected", "edited"]),
                      "decided_by_id": None if is_open else 1,
                      "decided_at": None if is_open else created + timedelta(minutes=rng.randrange(1, 600)),
                      "decision_reason": "", "staff_note": "", "overturned": rng.random() < 0.1})
        if source == "report":
            reports.append({"item_id": i, "reporter_id": rng.randrange(2, 2001), "reason": "It is unkind",
                            "note": "", "created_at": created})
    for chunk in range(0, n_items, 5000):
        db.session.execute(insert(Post), posts[chunk:chunk + 5000])
        db.session.execute(insert(ReviewItem), items[chunk:chunk + 5000])
    db.session.execute(insert(ReviewReport), reports)
    db.session.commit()
    return 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from flask import render_template
    from flask_migrate import upgrade
    from sqlalchemy import event

    from community import create_app
    from community.config import Config
    from community.extensions import db
    from community.review import service

    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = create_app(Config(SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False,
                            SERVER_NAME="bench.local", SECRET_KEY="bench-secret-key-long-enough-for-this"))
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        moderator_id = seed(db, args.items)
        print(f"seeded {args.items:,} items in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})")

    # The baseline: the same template, the same page of items, loaded once before timing (no queries).
    preloaded = {}

    @app.get("/bench-bare")
    def bare():
        return render_template("review/queue.html", **preloaded)

    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(moderator_id)
        session["_fresh"] = True
    with app.test_request_context("/review/"):
        from flask_login import login_user

        from community import clock
        from community.models import Audience, User

        user = db.session.get(User, moderator_id)
        login_user(user)
        filters = service.QueueFilters()
        page = service.queue_page(user, filters, 1)
        _ = [(i.post.author.username, i.thread.title, i.board.name, i.reports and i.reports[0].reporter.username)
             for i in page.items]
        preloaded.update(page=page, filters=filters, form=None, today=clock.today(),
                         history=service.author_history({i.author_id for i in page.items if i.author_id}),
                         audience_options=[(a.value, a.label) for a in Audience],
                         category_options=[(c, c) for c in service.categories_in_queue()], kinds=service.KINDS)
        db.session.expunge_all()

    def timed(method, path, count_queries=False):
        statements = []
        listener = lambda *a: statements.append(1)  # noqa: E731
        if count_queries:
            event.listen(db.engine, "before_cursor_execute", listener)
        t0 = time.perf_counter()
        response = getattr(client, method)(path)
        elapsed = (time.perf_counter() - t0) * 1000
        if count_queries:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert response.status_code in (200, 302), (path, response.status_code, response.get_data(as_text=True)[:300])
        return elapsed, len(statements)

    with app.app_context():
        for _ in range(10):  # warm up: templates compiled, caches filled
            timed("get", "/review/")
            timed("get", "/bench-bare")
        queue, bare_times, claims, counts = [], [], [], []
        for _ in range(args.requests):
            ms, n = timed("get", "/review/", count_queries=True)
            queue.append(ms)
            counts.append(n)
            bare_times.append(timed("get", "/bench-bare")[0])
            claims.append(timed("post", "/review/claim-next")[0])

    def line(name, values):
        print(f"{name:<28} p50 {statistics.median(values):7.2f} ms   p95 {percentile(values, 0.95):7.2f} ms")

    line("queue page (/review/)", queue)
    line("claim next (POST)", claims)
    line("bare route, same template", bare_times)
    print(f"queries per queue page: {max(counts)} (min {min(counts)}); "
          f"queue p95 / bare p95: {percentile(queue, 0.95) / percentile(bare_times, 0.95):.2f}x")
    print(json.dumps({"queue_p95_ms": round(percentile(queue, 0.95), 2), "claim_p95_ms": round(percentile(claims, 0.95), 2),
                      "queue_queries": max(counts), "bare_p95_ms": round(percentile(bare_times, 0.95), 2)}))


if __name__ == "__main__":
    main()
