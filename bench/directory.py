"""Benchmark of the group directory's search. Prints each figure beside a baseline measured in the same run.

    .venv/bin/python bench/directory.py [--groups 10000] [--sessions 50000] [--requests 200] [--database-url URL]

Seeds a fresh database (SQLite in a temporary folder unless --database-url) with the demo county's
areas and venues, GROUPS published groups and SESSIONS upcoming sessions, then times GET /groups/ with
filtered searches (postcode and distance, age, day, evening, category, free, language, text, area)
in the app's own WSGI stack, counting the SQL statements each request runs. The baseline is a bare
Flask route in the same app rendering the same template with a search result computed beforehand:
the difference is the search itself. Target (issue 13): filtered searches at p95 <= 50 ms server time.
Benchmarks are not tests. The last line is one JSON object.
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
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from sqlalchemy import event, insert, select  # noqa: E402

from community import clock, create_app  # noqa: E402
from community.config import Config  # noqa: E402
from community.extensions import db  # noqa: E402

SEARCHES = [
    "postcode=WD1+5HA&miles=5&age=2&day=saturday&free=y",
    "postcode=WD7+1AA&miles=10&category=stay-and-play",
    "age=0&time=morning",
    "day=weekends&free=y&step_free=y",
    "time=evening&category=parenting-programme",
    "language=pl&age=3",
    "q=massage",
    "holidays=y&age=8",
    "postcode=WD12+6JA&miles=2",
    "area={area}&quiet=y",
    "category=youth&day=friday&page=2",
    "",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def seed(groups: int, sessions: int) -> dict:
    """Areas and venues as the demo makes them; groups and sessions in bulk, as 'published'."""
    from community.demo import load_places
    from community.groups import service
    from community.models import Area, Group, GroupSession, Organisation, TaxonomyTerm, Venue
    from community.models.areas import AreaKind

    load_places()
    service.ensure_taxonomy()
    organisation = Organisation(name="Wendleshire Family Hubs", description="Runs groups.")
    db.session.add(organisation)
    db.session.commit()
    venues = list(db.session.scalars(select(Venue)))
    terms = list(db.session.scalars(select(TaxonomyTerm)))
    rng = random.Random(13)
    words = ["Stay and Play", "Baby Massage", "Rhyme Time", "Triple P", "Youth Club", "Dads' Club", "Bumps and Babies",
             "Messy Play", "Breastfeeding Support", "Holiday Club", "Young Parents", "SEND Quiet Session"]
    now = clock.utcnow()
    group_rows = []
    for i in range(groups):
        venue = rng.choice(venues)
        lo = rng.choice([-9, 0, 0, 12, 24, 36, 60, 132])
        group_rows.append(dict(
            uuid=f"00000000-0000-4000-8000-{i:012d}", sal_uuid=f"00000000-0000-4000-9000-{i:012d}",
            organisation_id=organisation.id, name=f"{rng.choice(words)} {i}",
            description="A friendly group for families, with play, songs and a chance to talk.",
            description_source="staff", category_id=rng.choice(terms).id, audience="families",
            min_age_months=lo, max_age_months=min(311, lo + rng.choice([11, 47, 59, 120])), level_of_need="universal",
            referral_only=False, delivery=",in_person,", languages=rng.choice([",en,", ",en,pl,", ",en,ur,"]),
            outcomes=",connected,", venue_id=venue.id, area_id=venue.area_id, latitude=venue.latitude,
            longitude=venue.longitude, cost_pence=rng.choice([0, 0, 0, 150, 300]), cost_description="",
            step_free=rng.random() < 0.6, quiet_sensory=rng.random() < 0.2, hearing_loop=rng.random() < 0.3,
            capacity=rng.choice([None, 10, 20]), state="published", email="", url="", created_at=now, updated_at=now))
    db.session.execute(insert(Group), group_rows)
    ids = list(db.session.scalars(select(Group.id)))
    session_rows = []
    for n in range(sessions):
        start = now + timedelta(days=rng.randint(0, 90), hours=rng.randint(0, 12), minutes=rng.choice([0, 30]))
        local = clock.to_london(start)
        session_rows.append(dict(
            group_id=ids[n % len(ids)], schedule_id=None, occurrence=start, starts_at=start,
            ends_at=start + timedelta(minutes=90), weekday=local.weekday(), start_minute=local.hour * 60 + local.minute,
            end_minute=(local.hour * 60 + local.minute + 90) % 1440, in_school_holiday=rng.random() < 0.15,
            state="scheduled", moved=False, note="", booked_count=0))
        if len(session_rows) == 10_000:
            db.session.execute(insert(GroupSession), session_rows)
            session_rows = []
    if session_rows:
        db.session.execute(insert(GroupSession), session_rows)
    db.session.commit()
    area = db.session.scalar(select(Area.id).where(Area.kind == AreaKind.DISTRICT.value))
    return {"area": area}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=240)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="village-bench-")
    url = args.database_url or f"sqlite:///{folder}/directory.db"
    app = create_app(Config(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="bench-secret-key-long-enough-for-this",
                            TESTING=True, WTF_CSRF_ENABLED=False, RATELIMIT_STORAGE_URI="memory://"))
    prepared: dict = {}

    @app.get("/bench-bare")
    def bare():
        from flask import render_template

        return render_template("groups/index.html", **prepared)

    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        started = time.perf_counter()
        where = seed(args.groups, args.sessions)
        print(f"Seeded {args.groups:,} groups and {args.sessions:,} upcoming sessions in "
              f"{time.perf_counter() - started:.1f} s ({db.engine.dialect.name}).")
        statements: list[str] = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

        from community.groups import service
        from community.groups.forms import SearchForm

        client = app.test_client()
        queries = [q.format(area=where["area"]) for q in SEARCHES]
        with app.test_request_context("/groups/?" + queries[0]):
            from flask import request

            form = SearchForm(request.args)
            form.fill_choices(service.areas_for_filter(), service.venues(), service.categories())
            prepared.update(form=form, results=service.search(form.filters()), searched=True, svc=service)
        assert client.get("/bench-bare").status_code == 200
        for q in queries:  # warm: templates compiled, caches filled, every plan seen once
            assert client.get("/groups/?" + q).status_code == 200, q
        search_ms, bare_ms, counts, found, by_search = [], [], [], {}, {}
        for i in range(args.requests):
            q = queries[i % len(queries)]
            statements.clear()
            t = time.perf_counter()
            response = client.get("/groups/?" + q)
            search_ms.append((time.perf_counter() - t) * 1000)
            by_search.setdefault(q, []).append(search_ms[-1])
            counts.append(len(statements))
            found[q] = response.get_data(as_text=True).count('<li class="govuk-!-margin-bottom-6">')
            t = time.perf_counter()
            client.get("/bench-bare")
            bare_ms.append((time.perf_counter() - t) * 1000)

    print(f"{'search':<62}{'results on page':>16}{'p50 ms':>9}")
    for q in queries:
        print(f"  /groups/?{q[:58]:<58}{found[q]:>16}{statistics.median(by_search[q]):>9.1f}")
    print(f"{'route':<22}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'SQL per request (max)':>24}")
    print(f"{'search /groups/':<22}{statistics.median(search_ms):>9.1f}{percentile(search_ms, 0.95):>9.1f}"
          f"{max(search_ms):>9.1f}{max(counts):>24}")
    print(f"{'bare route, same page':<22}{statistics.median(bare_ms):>9.1f}{percentile(bare_ms, 0.95):>9.1f}"
          f"{max(bare_ms):>9.1f}{'-':>24}")
    print(f"search p95 is {percentile(search_ms, 0.95) / percentile(bare_ms, 0.95):.1f}x the bare route's; "
          f"{args.requests} requests each, interleaved, {len(queries)} different searches.")
    print(json.dumps({"search_p95_ms": round(percentile(search_ms, 0.95), 1), "queries": max(counts),
                      "bare_p95_ms": round(percentile(bare_ms, 0.95), 1)}))


if __name__ == "__main__":
    main()
