"""Site-wide checks that are not a domain of their own: the health report for load balancers and operators."""
from __future__ import annotations

import time

from flask import current_app
from sqlalchemy import text

from community.extensions import db, socketio

REDIS_TIMEOUT_SECONDS = 1.0


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        out = {"ok": True, **(check() or {})}
    except Exception as error:  # noqa: BLE001 - any failure is the answer; the reason is its type only
        db.session.rollback()
        out = {"ok": False, "error": type(error).__name__}
    out["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return out


def _database() -> None:
    db.session.execute(text("SELECT 1"))
    db.session.rollback()


_redis_clients: dict[str, object] = {}


def _redis(url: str) -> dict:
    import redis

    client = _redis_clients.get(url) or _redis_clients.setdefault(url, redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS))
    client.ping()
    return {}


def _message_queue() -> dict:
    manager = getattr(socketio.server, "manager", None) if socketio.server else None
    state = getattr(manager, "state", None)
    return state() if callable(state) else {"configured": False}


def _screening() -> dict:
    """Which models this process has loaded (loading happens at start-up or on the first text)."""
    import moderation
    from moderation.classifiers import semantic, toxicity

    settings = moderation.get_settings()
    tox = toxicity.loaded_backend(settings)
    sem = semantic.loaded(settings) if settings.semantic_enabled else None
    return {"toxicity": tox.name if tox is not None else "not loaded",
            "semantic": (sem.backend if sem is not None else "not loaded") if settings.semantic_enabled else "off",
            "ready": tox is not None and (sem is not None or not settings.semantic_enabled)}


def _outbox() -> dict:
    try:
        from community.safeguarding.service import outbox_backlog
    except ImportError:
        return {"configured": False}
    return {"configured": True, "backlog": outbox_backlog()}


def health() -> tuple[dict, bool]:
    """The health report and whether this process can serve (that is: the database answers).

    Shape: {"status": "ok" | "degraded" | "down", "database": {"ok", "ms", "error"?},
    "redis": {"configured", "ok"?, "ms"?, "error"?}, "message_queue": {...}, "screening": {...},
    "outbox": {"configured", "backlog"?}}. Redis being away is "degraded", not down: every page still
    works (rate limits count in memory, each process serves its own sockets). Errors are reported by
    type only, never with addresses or passwords.
    """
    report: dict = {"database": _timed(_database)}
    url = current_app.config.get("REDIS_URL")
    report["redis"] = {"configured": True, **_timed(lambda: _redis(url))} if url else {"configured": False}
    report["message_queue"] = _message_queue()
    report["screening"] = _timed(_screening)
    report["outbox"] = _timed(_outbox)
    serving = report["database"]["ok"]
    healthy = serving and report["redis"].get("ok", True) and report["outbox"]["ok"]
    report["status"] = "ok" if healthy else ("degraded" if serving else "down")
    return report, serving
