"""Live delivery benchmark: Village's real posting path against a bare python-socketio broadcaster.

Both servers run in their own process on loopback with the same stack (python-socketio in threading
mode on Werkzeug with simple-websocket). N clients (python-socketio's asyncio client over WebSocket)
join one thread; posters send M messages as fast as the server acknowledges them. Each message
carries its send time, so latency is measured on one clock. Printed for both servers: delivery
latency p50/p99, delivered messages per second, messages lost; then Village's throughput as a share
of the bare server's.

    .venv/bin/python bench/realtime.py [--clients 500] [--messages 200] [--posters 25] [--rounds 3]

Soak mode (`--soak`): two Village processes share a redis-server the benchmark starts on its own loopback
port; readers (half on each process) follow one thread with the page's re-sync rules (tests/live_sync.py),
posters on process A post at a steady rate, Redis is killed and restarted `--outages` times, and a share
of the readers is dropped and reconnected at random. Printed: posts missed and shown twice (targets 0),
delivery p99 with Redis up (the same-run baseline) and for the posts made while it was down; the last
line is `{"posts", "missed", "duplicated", "p99_ms", "outage_p99_ms"}` where outage_p99_ms is the p99
delay an outage adds (outage posts' p99 minus the baseline p99). The screening models' MiniLM reader is
off in soak mode (delivery is measured; the rules and the toxicity model still screen every post).

    .venv/bin/python bench/realtime.py --soak [--posts 10000] [--readers 200] [--rate 50] [--outages 2]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live import free_port, login_cookie, start_server, stop_server  # noqa: E402  (as the e2e tests start it)

PASSWORD = "benchmark password 2026"
SENTENCES = [
    "Thank you all, this really helps.", "We tried the Tuesday stay and play and loved it.",
    "Has anyone found a good sling library near the hub?", "Sleep regression at four months is brutal.",
    "The health visitor said the same thing to us.", "Our nursery does a settling-in week, which helped.",
    "Does anyone know if the library rhyme time is on this week?", "Sending you a big virtual cuppa.",
    "My eldest went through exactly this at two.", "Baby weigh-in moved to Thursday mornings now.",
    "Free swimming for under-fives at the leisure centre on Fridays.", "It does get easier, I promise.",
]
MARK = re.compile(r"bench (\d+) at ([0-9.]+)")

BARE_SERVER = r'''
import socket, sys, socketio
from werkzeug.serving import BaseWSGIServer, run_simple

# the same TCP_NODELAY as `flask serve` sets (community/cli.py), so both servers send small frames at once
accept = BaseWSGIServer.get_request
def get_request(self):
    conn, address = accept(self)
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return conn, address
BaseWSGIServer.get_request = get_request
sio = socketio.Server(async_mode="threading")
app = socketio.WSGIApp(sio)

@sio.on("join_thread")
def join(sid, data):
    sio.enter_room(sid, f"thread:{data['thread_id']}")
    return {"ok": True}

@sio.on("new_post")
def new_post(sid, data):
    sio.emit("post", {"id": 0, "thread_id": data["thread_id"], "html": data["body"]}, room=f"thread:{data['thread_id']}")
    return {"ok": True, "state": "published"}

run_simple("127.0.0.1", int(sys.argv[1]), app, threaded=True)
'''


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def seed_village(database_url: str, posters: int) -> int:
    """Migrate a fresh database and add a board, a thread and the benchmark's people; returns the thread id."""
    os.environ["DATABASE_URL"] = database_url
    from flask_migrate import upgrade

    from community import create_app
    from community.auth.service import hash_password
    from community.extensions import db
    from community.forums import service
    from community.models import Board, Role, User, UserRole

    app = create_app()
    with app.app_context():
        import moderation
        moderation.warm_up()  # the seeding post must not meet a cold model (a timeout would hold it)
        upgrade()
        board = Board(slug="bench", name="Benchmark board", audience="parents")
        db.session.add(board)
        hashed = hash_password(PASSWORD)
        people = []
        for name in ["reader"] + [f"poster{i}" for i in range(posters)]:
            # Long-standing members: a brand-new member's first posts may be held for review.
            user = User(username=name, email=f"{name}@example.org", password_hash=hashed,
                        date_of_birth=date(1985, 1, 1), created_at=datetime(2020, 1, 1))
            user.roles.append(UserRole(role=Role.PARENT_CARER.value))
            db.session.add(user)
            people.append(user)
        db.session.commit()
        result = service.start_thread(people[1], board, "Benchmark thread", "The benchmark's first post.")
        return result.post.thread_id


async def run_load(base: str, thread_id: int, clients: int, messages: int, posters: int,
                   reader_cookie: str | None, poster_cookies: list[str | None], rate: float | None = None) -> dict:
    """Post `messages` into one thread watched by `clients` sockets; `rate` posts a second, or flat out."""
    latencies: list[float] = []
    received = [set() for _ in range(clients)]
    done = asyncio.Event()
    expected = clients * messages  # lowered to the published posts once posting is over
    count = 0
    last_receive = 0.0

    def make_handler(i):
        def on_post(data):
            nonlocal count, last_receive
            match = MARK.search(data.get("html", ""))
            if not match:
                return
            seq = int(match.group(1))
            if seq in received[i]:
                return
            received[i].add(seq)
            last_receive = time.perf_counter()
            latencies.append(last_receive - float(match.group(2)))
            count += 1
            if count >= expected:
                done.set()
        return on_post

    readers = []
    headers = {"Cookie": reader_cookie} if reader_cookie else {}
    for start in range(0, clients, 50):  # connect in waves so the listen backlog is not flooded
        batch = []
        for i in range(start, min(clients, start + 50)):
            client = socketio.AsyncClient(reconnection=False)
            client.on("post", make_handler(i))
            readers.append(client)
            batch.append(client.connect(base, headers=dict(headers), transports=["websocket"], wait_timeout=30))
        await asyncio.gather(*batch)
    acks = await asyncio.gather(*(c.call("join_thread", {"thread_id": thread_id, "last_post_id": None}, timeout=30) for c in readers))
    if not all(a and a.get("ok") for a in acks):
        raise RuntimeError(f"join_thread refused: {[a for a in acks if not (a and a.get('ok'))][:3]}")

    senders = []
    for cookie in poster_cookies:
        client = socketio.AsyncClient(reconnection=False)
        await client.connect(base, headers={"Cookie": cookie} if cookie else {}, transports=["websocket"], wait_timeout=30)
        senders.append(client)

    states: dict[str, int] = {}

    async def post_all(sender, seqs):
        for seq in seqs:
            if rate:  # keep to the schedule: message `seq` leaves at started + seq / rate
                await asyncio.sleep(max(0.0, started + seq / rate - time.perf_counter()))
            body = f"{SENTENCES[seq % len(SENTENCES)]} bench {seq} at {time.perf_counter():.6f}"
            ack = await sender.call("new_post", {"thread_id": thread_id, "body": body, "quote_post_id": None}, timeout=60)
            state = (ack or {}).get("state") or (ack or {}).get("error", "no answer")
            states[state] = states.get(state, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(post_all(s, range(i, messages, len(senders))) for i, s in enumerate(senders)))
    # A post screening holds for a moderator is rightly not delivered; loss counts published posts only.
    expected = clients * states.get("published", 0)
    if count >= expected:
        done.set()
    try:
        await asyncio.wait_for(done.wait(), timeout=60)
    except asyncio.TimeoutError:
        pass
    elapsed = max(1e-9, last_receive - started)
    for client in readers + senders:
        await client.disconnect()
    delivered = sum(len(r) for r in received)
    return {"p50_ms": percentile(latencies, 0.5) * 1000, "p99_ms": percentile(latencies, 0.99) * 1000,
            "per_second": delivered / elapsed, "lost": expected - delivered, "delivered": delivered,
            "elapsed_s": elapsed, "states": states}


async def run_soak(urls: tuple[str, str], thread_id: int, cookies: dict, args, redis_server) -> dict:
    """The soak: returns per-post delays and the counts of missed and twice-shown posts."""
    import random

    from tests.live_sync import ThreadReader

    rng = random.Random(args.seed_value)
    readers: list[ThreadReader] = []
    for i in range(args.readers):
        side = i % 2  # half the readers on each process
        client = socketio.AsyncClient(reconnection=True, reconnection_delay=0.5, reconnection_delay_max=2)
        readers.append(ThreadReader(client, thread_id))
        readers[-1].side = side
    for start in range(0, len(readers), 50):  # connect in waves so the listen backlog is not flooded
        await asyncio.gather(*(r.client.connect(urls[r.side], headers={"Cookie": cookies[r.side]},
                                                transports=["websocket"], wait_timeout=30)
                               for r in readers[start:start + 50]))
    senders = []
    for cookie in cookies["posters"]:
        client = socketio.AsyncClient(reconnection=True)
        await client.connect(urls[0], headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=30)
        senders.append(client)

    duration = args.posts / args.rate
    outage_at = [duration * (k + 1) / (args.outages + 1) for k in range(args.outages)]
    windows: list[tuple[float, float]] = []  # (Redis killed, Redis answering again), perf_counter
    sent: dict[int, float] = {}  # post id -> when its poster sent it
    states: dict[str, int] = {}
    started = time.perf_counter()

    async def post_all(sender, seqs):
        for seq in seqs:
            await asyncio.sleep(max(0.0, started + seq / args.rate - time.perf_counter()))
            at = time.perf_counter()
            body = f"{SENTENCES[seq % len(SENTENCES)]} soak {seq}"
            try:
                ack = await sender.call("new_post", {"thread_id": thread_id, "body": body, "quote_post_id": None},
                                        timeout=60)
            except Exception as error:  # noqa: BLE001 - counted, not fatal: the soak goes on
                ack = {"state": type(error).__name__}
            state = (ack or {}).get("state") or (ack or {}).get("error", "no answer")
            states[state] = states.get(state, 0) + 1
            if state == "published":
                sent[ack["post_id"]] = at

    async def outages():
        for at in outage_at:
            await asyncio.sleep(max(0.0, started + at - time.perf_counter()))
            down = time.perf_counter()
            await asyncio.to_thread(redis_server.stop)
            await asyncio.sleep(args.outage_seconds)
            await asyncio.to_thread(redis_server.start)
            windows.append((down, time.perf_counter()))

    async def drops():
        chosen = rng.sample(readers, max(1, round(len(readers) * args.drop)) if args.drop else 0)
        async def drop(reader):
            await asyncio.sleep(rng.uniform(0, duration))
            await reader.client.disconnect()
            await asyncio.sleep(rng.uniform(0.2, 2.0))
            await reader.client.connect(urls[reader.side], headers={"Cookie": cookies[reader.side]},
                                        transports=["websocket"], wait_timeout=30)
        await asyncio.gather(*(drop(r) for r in chosen))

    await asyncio.gather(*(post_all(s, range(i, args.posts, len(senders))) for i, s in enumerate(senders)),
                         outages(), drops())
    published = set(sent)
    deadline = time.perf_counter() + args.drain
    while time.perf_counter() < deadline and any(not published <= set(r.displayed) for r in readers):
        await asyncio.sleep(0.25)
    for client in [r.client for r in readers] + senders:
        await client.disconnect()

    def in_outage(t: float) -> bool:
        return any(down <= t <= up for down, up in windows)

    normal, outage = [], []
    missed = duplicated = 0
    for r in readers:
        shown = set(r.displayed)
        missed += len(published - shown)
        duplicated += len(r.displayed) - len(shown)
        for post_id, at in sent.items():
            if post_id in r.arrivals:
                (outage if in_outage(at) else normal).append(r.arrivals[post_id] - at)
    return {"published": len(published), "states": states, "missed": missed, "duplicated": duplicated,
            "normal": normal, "outage": outage, "windows": windows,
            "catch_ups": sum(r.catch_ups for r in readers), "deliveries": sum(r.deliveries for r in readers),
            "elapsed_s": time.perf_counter() - started}


def soak(args) -> None:
    from tests.redis_server import RedisServer

    with tempfile.TemporaryDirectory() as tmp:
        database_url = args.database_url or f"sqlite:///{tmp}/soak.db"
        seeded = subprocess.run([sys.executable, __file__, "--seed", database_url, "--posters", str(args.posters)],
                                capture_output=True, text=True, check=True,
                                env={**os.environ, "MODERATION_SEMANTIC_ENABLED": "false"})
        thread_id = int(seeded.stdout.strip().splitlines()[-1])
        redis_server = RedisServer()
        redis_server.start()
        env = {"FORUM_POSTS_PER_MINUTE": "1000000", "LOGIN_RATE_LIMIT": "100000 per minute",
               "MODERATION_RATE_LIMIT_10MIN": "1000000", "FORUM_SOCKET_FLOOD_EVENTS": "0",
               "MODERATION_SEMANTIC_ENABLED": "false", "REDIS_URL": redis_server.url,
               "SOCKETIO_CHANNEL": f"village-soak-{os.getpid()}"}
        servers = []
        try:
            for name in ("a", "b"):
                servers.append(start_server(database_url, extra_env=env, log_path=Path(tmp) / f"server-{name}.log"))
            urls = (servers[0][1], servers[1][1])
            cookies = {0: login_cookie(urls[0], "reader", PASSWORD), 1: login_cookie(urls[1], "reader", PASSWORD),
                       "posters": [login_cookie(urls[0], f"poster{i}", PASSWORD) for i in range(args.posters)]}
            result = asyncio.run(run_soak(urls, thread_id, cookies, args, redis_server))
            logs = {name: (Path(tmp) / f"server-{name}.log").read_text() for name in ("a", "b")}
        finally:
            for process, _ in servers:
                stop_server(process)
            redis_server.stop()

    normal_p99 = percentile(result["normal"], 0.99) * 1000
    outage_p99 = percentile(result["outage"], 0.99) * 1000 if result["outage"] else normal_p99
    print(f"soak: {args.posts} posts at {args.rate:g} a second from {args.posters} posters on process A, "
          f"{args.readers} readers over two processes, Redis killed {args.outages} times for "
          f"{args.outage_seconds:g} s, {args.drop:.0%} of readers dropped and reconnected; loopback, "
          f"{os.cpu_count()} cores; {result['elapsed_s']:.0f} s")
    print(f"posting results {result['states']}; {result['deliveries']} post events received, "
          f"{result['catch_ups']} catch-ups; log lines: "
          + ", ".join(f"{name}: went away {text.count('Redis went away (')}, back {text.count('Redis is back:')}"
                      for name, text in logs.items()))
    print(f"{'posts made while':<26}{'deliveries':>11}{'p50 ms':>9}{'p99 ms':>9}")
    for label, delays in (("Redis up (baseline)", result["normal"]), ("Redis down", result["outage"])):
        print(f"{label:<26}{len(delays):>11}{percentile(delays, 0.5) * 1000:>9.0f}{percentile(delays, 0.99) * 1000:>9.0f}")
    added = max(0.0, outage_p99 - normal_p99)
    print(f"missed {result['missed']} (target 0), shown twice {result['duplicated']} (target 0); an outage adds "
          f"{added:.0f} ms to the p99 delay ({outage_p99:.0f} ms against {normal_p99:.0f} ms with Redis up)")
    print(json.dumps({"posts": result["published"], "missed": result["missed"], "duplicated": result["duplicated"],
                      "p99_ms": round(percentile(result["normal"] + result["outage"], 0.99) * 1000, 1),
                      "outage_p99_ms": round(added, 1)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--posters", type=int, default=25, help="people posting (a thread has many voices)")
    parser.add_argument("--rate", type=float, default=10.0, help="posts a second in the paced run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; medians are printed")
    parser.add_argument("--seed", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    soak_args = parser.add_argument_group("soak mode")
    soak_args.add_argument("--soak", action="store_true", help="Redis outages and dropped readers (see above)")
    soak_args.add_argument("--posts", type=int, default=10_000)
    soak_args.add_argument("--readers", type=int, default=200)
    soak_args.add_argument("--outages", type=int, default=2, help="times Redis is killed and started again")
    soak_args.add_argument("--outage-seconds", type=float, default=3.0)
    soak_args.add_argument("--drop", type=float, default=0.05, help="share of readers dropped and reconnected")
    soak_args.add_argument("--drain", type=float, default=60.0, help="seconds to wait for late posts at the end")
    soak_args.add_argument("--seed-value", type=int, default=16, help="random seed for the drops")
    soak_args.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    if "--soak" in sys.argv:
        parser.set_defaults(posters=5, rate=50.0)  # the soak's own: a few voices at a steady rate
    args = parser.parse_args()
    if args.soak:
        soak(args)
        return
    if args.seed:
        print(seed_village(args.seed, args.posters))
        return
    modes = {"paced": args.rate, "flat out": None}
    names = ("bare python-socketio", "Village")
    results: dict[tuple[str, str], list[dict]] = {(n, m): [] for n in names for m in modes}

    with tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite:///{tmp}/bench.db"
        # Seeded in its own process: the app and the screening models must not load into this one,
        # whose garbage collector would then pause the 500 measuring clients (Village's runs only).
        seeded = subprocess.run([sys.executable, __file__, "--seed", database_url, "--posters", str(args.posters)],
                                capture_output=True, text=True, check=True)
        thread_id = int(seeded.stdout.strip().splitlines()[-1])
        # 200 posts in seconds from a few people would rightly look like flooding: the benchmark
        # measures delivery, so it lifts the posting-rate limits (screening itself still runs).
        env = {"FORUM_POSTS_PER_MINUTE": "100000", "LOGIN_RATE_LIMIT": "100000 per minute",
               "MODERATION_RATE_LIMIT_10MIN": "100000",
               "MAX_CONTENT_LENGTH": str(4 * 1024 * 1024)}
        port = free_port()
        bare = subprocess.Popen([sys.executable, "-c", BARE_SERVER, str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        process, base = start_server(database_url, extra_env=env, log_path=Path(tmp) / "server.log")
        try:
            reader = login_cookie(base, "reader", PASSWORD)
            posters = [login_cookie(base, f"poster{i}", PASSWORD) for i in range(args.posters)]
            targets = {names[0]: (f"http://127.0.0.1:{port}", 1, None, [None] * args.posters),
                       names[1]: (base, thread_id, reader, posters)}
            # Rounds alternate the two servers, so a noisy moment on this shared machine falls on both.
            for _ in range(args.rounds):
                for mode, rate in modes.items():
                    for name in names:
                        url, thread, reader_cookie, poster_cookies = targets[name]
                        results[(name, mode)].append(asyncio.run(run_load(
                            url, thread, args.clients, args.messages, args.posters, reader_cookie,
                            poster_cookies, rate)))
        finally:
            stop_server(process)
            bare.terminate()

    def median(runs: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    print(f"{args.clients} clients in one thread, {args.messages} messages from {args.posters} posters, "
          f"loopback, {os.cpu_count()} cores; paced = {args.rate:g} posts a second, flat out = as fast as acks "
          f"return; medians of {args.rounds} alternating rounds")
    print(f"{'server':<22}{'run':<10}{'p50 ms':>9}{'p99 ms':>9}{'msgs/s':>10}{'lost':>7}  posting results (all rounds)")
    for (name, mode), runs in results.items():
        states: dict[str, int] = {}
        for r in runs:
            for state, n in r["states"].items():
                states[state] = states.get(state, 0) + n
        print(f"{name:<22}{mode:<10}{median(runs, 'p50_ms'):>9.1f}{median(runs, 'p99_ms'):>9.1f}"
              f"{median(runs, 'per_second'):>10.0f}{sum(r['lost'] for r in runs):>7}  {states}")
    ratios = [v["per_second"] / b["per_second"]
              for v, b in zip(results[("Village", "flat out")], results[("bare python-socketio", "flat out")])]
    lost = sum(r["lost"] for (name, _), runs in results.items() if name == "Village" for r in runs)
    print(f"Village flat-out throughput is {statistics.median(ratios):.0%} of the bare server's, median of the "
          f"rounds' ratios {[f'{x:.0%}' for x in ratios]} (target >= 60%); paced p99 "
          f"{median(results[('Village', 'paced')], 'p99_ms'):.0f} ms (target <= 250 ms); lost {lost} (target 0)")


if __name__ == "__main__":
    main()
