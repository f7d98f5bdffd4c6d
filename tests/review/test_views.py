"""The review pages over HTTP: what a moderator and an author see, a bounded number of queries, the CLI."""
from __future__ import annotations

import json

from sqlalchemy import event

from community.extensions import db
from community.models import Role
from community.review import service
from tests.conftest import login


def test_queue_item_decision_and_appeal_pages(app, held, make_user, tmp_path):
    items = [held(body=f"Text me on 0770090012{n} about the trip")[0] for n in range(3)]
    moderator = make_user(Role.MODERATOR)
    mod = app.test_client()
    login(mod, moderator)

    statements = []
    listener = lambda *args: statements.append(1)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        page = mod.get("/review/")
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "3 items." in text and "0770090012" in text and "young person" in text
    few = len(statements)
    assert few <= 15, few  # no query per item

    item = items[0]
    page = mod.get(f"/review/items/{item.id}")
    assert page.status_code == 200 and "Edit out contact details" in page.get_data(as_text=True)
    response = mod.post(f"/review/items/{item.id}/reject", data={"reason": "contact"})
    assert response.status_code == 302
    again = mod.post(f"/review/items/{item.id}/approve", data={})
    assert again.status_code == 409 and "already decided" in again.get_data(as_text=True)

    author = app.test_client()
    login(author, item.author)
    mine = author.get("/review/mine")
    assert "phone number" in mine.get_data(as_text=True)
    sent = author.post("/review/mine", data={"target": f"item:{item.id}", "text": "It was the school office number."})
    assert sent.status_code == 302
    assert "It was the school office number." in mod.get("/review/appeals").get_data(as_text=True)

    assert "review.reject" in mod.get("/review/log?q=review").get_data(as_text=True)
    csv = mod.get("/review/measures.csv")
    assert csv.mimetype == "text/csv" and "minutes_to_first_decision_median,standard" in csv.get_data(as_text=True)

    out = tmp_path / "labels.jsonl"
    result = app.test_cli_runner().invoke(args=["review", "export-labels", str(out)])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["expect"] for line in out.read_text().splitlines()] == ["review"]
