"""/healthz: what a load balancer and an operator read. 200 while the database answers, 503 when it does not."""
from __future__ import annotations

from sqlalchemy import create_engine

from community.extensions import db


def test_health_reports_each_part_and_is_200_while_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    report = response.get_json()
    assert report["database"]["ok"] is True
    assert report["redis"] == {"configured": False}  # the tests' app runs Socket.IO in-process
    assert report["message_queue"] == {"configured": False}
    assert report["screening"]["ok"] and report["screening"]["ready"] is True  # warmed up as at start-up
    assert "configured" in report["outbox"]
    assert report["status"] == ("ok" if report["outbox"]["ok"] else "degraded")


def test_health_is_503_when_the_database_is_down(app, client, monkeypatch):
    # A real engine whose server is not there (nothing listens on port 1), not a stand-in.
    engines = db._app_engines[app]
    db.session.remove()
    monkeypatch.setitem(engines, None, create_engine("postgresql+psycopg://village@127.0.0.1:1/none",
                                                    connect_args={"connect_timeout": 2}))
    try:
        response = client.get("/healthz")
    finally:
        monkeypatch.undo()
        db.session.remove()
    assert response.status_code == 503
    report = response.get_json()
    assert report["status"] == "down" and report["database"] == {"ok": False, "error": "OperationalError",
                                                                 "ms": report["database"]["ms"]}
