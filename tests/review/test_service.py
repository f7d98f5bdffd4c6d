"""The review queue's service: claims, decisions, sanctions, appeals, reports and the append-only log."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from community import clock
from community.auth.service import authenticate
from community.extensions import db
from community.forums import service as forums
from community.forums.service import ForumError
from community.models import (Appeal, Audience, Notification, PostRevision, PostState, ReviewItem, Role, Sanction,
                              StaffEvent)
from community.models.reviews import StaffLogIsAppendOnly
from community.review import service
from community.review.service import QueueFilters, ReviewError
from tests.conftest import TEST_PASSWORD


def actions() -> list[str]:
    return list(db.session.scalars(select(StaffEvent.action).order_by(StaffEvent.id)))


def test_queue_is_urgent_first_then_oldest_and_filters(app, held, moderators):
    mod, _ = moderators
    old, _, _ = held("hold")
    clock.freeze(clock.utcnow() + timedelta(hours=2))
    urgent, _, _ = held("escalate", severity="high", categories=["self_harm_suicide"])
    page = service.queue_page(mod, QueueFilters())
    assert [i.id for i in page.items] == [urgent.id, old.id]
    assert urgent.audience == Audience.YOUNG_PEOPLE.value and urgent.category == "self_harm_suicide"
    only = service.queue_page(mod, QueueFilters.from_args({"category": "self_harm_suicide"}))
    assert [i.id for i in only.items] == [urgent.id]
    aged = service.queue_page(mod, QueueFilters.from_args({"age": "1h"}))
    assert [i.id for i in aged.items] == [old.id]
    with pytest.raises(ReviewError):
        service.queue_page(old.author, QueueFilters())


def test_claims_exclude_others_and_expire(app, held, moderators):
    first, second = moderators
    item, _, _ = held()
    assert service.claim_next(first).id == item.id
    assert service.claim_next(second) is None  # the only item is taken
    with pytest.raises(ReviewError, match="working on this item"):
        service.approve(second, item)
    clock.freeze(clock.utcnow() + timedelta(minutes=app.config["REVIEW_CLAIM_MINUTES"] + 1))
    with pytest.raises(ReviewError, match="ran out"):
        service.approve(first, item)
    assert item.state == "open" and item.post.state == PostState.HELD.value
    assert service.claim_next(second).id == item.id


def test_approve_publishes_tells_the_author_and_logs(app, held, moderators):
    mod, _ = moderators
    item, post, author = held()
    service.approve(mod, item)
    db.session.expire_all()
    assert post.state == PostState.PUBLISHED.value and post.thread.state == PostState.PUBLISHED.value
    assert item.decision == "approved" and item.overturned  # screening held it, a moderator published it
    assert db.session.scalar(select(Notification.kind).where(Notification.user_id == author.id)) == "moderation"
    assert actions() == ["review.approve"]
    with pytest.raises(ReviewError, match="already decided"):
        service.reject(mod, item, "spam")
    assert actions() == ["review.approve"]


def test_edit_out_contact_details_keeps_the_original_for_staff(app, held, moderators, verdict):
    mod, _ = moderators
    item, post, _ = held()
    original = post.body
    verdict("hold", categories=["contact"])  # the edited words are screened too
    with pytest.raises(ReviewError, match="contact details"):
        service.edit_and_publish(mod, item, "Call me on 07700 900124 after school")
    verdict("publish")
    service.edit_and_publish(mod, item, "Call me after school")
    db.session.expire_all()
    assert post.body == "Call me after school" and post.state == PostState.PUBLISHED.value
    assert db.session.scalar(select(PostRevision.body).where(PostRevision.post_id == post.id)) == original


def test_reject_tells_the_author_in_kind_words(app, held, moderators):
    mod, _ = moderators
    item, post, _ = held()
    with pytest.raises(ReviewError, match="Choose or write a reason"):
        service.reject(mod, item, "   ")
    service.reject(mod, item, "contact")
    assert post.state == PostState.REJECTED.value and "phone number" in post.state_reason


def test_escalated_item_needs_a_safeguarding_look_before_publishing(app, held, moderators):
    from community.signals import escalated

    mod, other = moderators
    item, post, _ = held("hold")
    sent = []
    receiver = lambda sender, **kw: sent.append(kw)  # noqa: E731
    escalated.connect(receiver)
    try:
        with pytest.raises(ReviewError, match="why you are worried"):
            service.escalate(mod, item, "")
        service.escalate(mod, item, "Sounds like they may meet an adult they met online.")
    finally:
        escalated.disconnect(receiver)
    assert sent and sent[0]["by"].id == mod.id and sent[0]["item"].id == item.id
    assert item.severity == "urgent" and item.priority == 0 and item.is_open
    with pytest.raises(ReviewError, match="safeguarding lead must look"):
        service.approve(other, item)
    item.safeguarding_seen_at = clock.utcnow()  # what the safeguarding side sets
    db.session.commit()
    service.approve(other, item)
    assert post.state == PostState.PUBLISHED.value


def test_reports_gather_into_one_item_and_enough_of_them_hide_the_post(app, make_user, make_board, moderators):
    board = make_board(Audience.PARENTS)
    author = make_user(Role.PARENT_CARER)
    post = forums.start_thread(author, board, "Buggy for sale", "Selling my old buggy, message me").post
    post.state = post.thread.state = PostState.PUBLISHED.value
    db.session.commit()
    reporters = [make_user(Role.PARENT_CARER) for _ in range(app.config["REVIEW_REPORTS_TO_HIDE"])]
    items = {forums.report_post(r, post, "spam").id for r in reporters[:-1]}
    assert post.state == PostState.PUBLISHED.value
    with pytest.raises(ForumError, match="already reported"):
        forums.report_post(reporters[0], post, "spam")
    items.add(forums.report_post(reporters[-1], post, "unkind").id)
    assert len(items) == 1
    item = db.session.get(ReviewItem, items.pop())
    assert item.report_count == len(reporters) and {r.reporter_id for r in item.reports} == {r.id for r in reporters}
    assert post.state == PostState.HIDDEN.value  # until a moderator decides


def test_sanctions_stop_posting_and_signing_in_at_once(app, held, moderators, make_board):
    mod, _ = moderators
    item, post, author = held()
    board = post.thread.board
    with pytest.raises(ReviewError, match="how many days"):
        service.sanction(mod, author, "mute", "Please keep contact details off Village.", days=0)
    service.sanction(mod, author, "mute", "Please keep contact details off Village.", days=2, item=item)
    with pytest.raises(ForumError, match="cannot post until"):
        forums.start_thread(author, board, "Hello again", "Anyone here?")
    assert authenticate(author.username, TEST_PASSWORD).user is not None  # muted people may still read
    service.sanction(mod, author, "suspension", "You shared contact details again.", days=7)
    result = authenticate(author.username, TEST_PASSWORD)
    assert result.user is None and "suspended until" in result.message
    clock.freeze(clock.utcnow() + timedelta(days=8))
    assert authenticate(author.username, TEST_PASSWORD).user is not None  # it ends by itself
    with pytest.raises(ReviewError):
        service.sanction(mod, mod, "ban", "no")
    assert actions() == ["sanction.mute", "sanction.suspension"]


def test_one_appeal_decided_by_a_different_moderator(app, held, moderators):
    first, second = moderators
    item, post, author = held()
    service.reject(first, item, "rules")
    row = service.appeal(author, "It was my school's phone number, not mine.", item=item)
    with pytest.raises(ReviewError, match="already appealed"):
        service.appeal(author, "Please look again", item=item)
    with pytest.raises(ReviewError, match="different moderator"):
        service.decide_appeal(first, row, True, "Sorry, our mistake.")
    service.decide_appeal(second, row, True, "Sorry, our mistake.")
    assert row.state == "upheld" and post.state == PostState.PUBLISHED.value
    with pytest.raises(ReviewError, match="already decided"):
        service.decide_appeal(second, row, False, "No")
    ban = service.sanction(first, author, "ban", "Repeated contact details.")
    service.decide_appeal(second, service.appeal(author, "I am sorry", sanction_row=ban), True, "Given one more go.")
    db.session.refresh(author)
    assert author.is_active and ban.lifted_at is not None
    assert db.session.scalar(select(func.count(Appeal.id))) == 2


def test_an_appeal_is_screened_and_a_worry_in_it_is_escalated(app, held, moderators, verdict):
    first, _ = moderators
    item, _, author = held()
    service.reject(first, item, "rules")
    verdict("escalate", severity="urgent", categories=["self_harm_suicide"], show_helplines=True)
    words = "If you ban me too there is no point in anything any more."
    row = service.appeal(author, words, item=item)
    worry = db.session.scalar(select(ReviewItem).where(ReviewItem.content_kind == "appeal"))
    assert row.id is not None and row.text == words  # the appeal itself is kept
    assert (worry.text, worry.action, worry.severity, worry.author_id) == (words, "escalate", "urgent", author.id)


def test_staff_log_is_append_only(app, held, moderators, database_url):
    mod, _ = moderators
    item, post, _ = held()
    forums.hide_post(mod, post)
    event = db.session.scalar(select(StaffEvent))
    assert (event.action, event.subject_type, event.subject_id, event.actor_id) == ("forums.hide", "post", post.id, mod.id)
    event.reason = "rewritten"
    with pytest.raises(StaffLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(StaffLogIsAppendOnly):
        db.session.delete(db.session.scalar(select(StaffEvent)))
        db.session.flush()
    db.session.rollback()
    if db.engine.dialect.name == "postgresql":  # the database itself refuses, whatever the code path
        for statement in ("UPDATE staff_events SET reason = 'x'", "DELETE FROM staff_events"):
            with pytest.raises(Exception, match="append-only"):
                db.session.execute(text(statement))
            db.session.rollback()
    assert db.session.scalar(select(StaffEvent.reason)) == ""


def test_export_labels_and_measures(app, held, moderators, tmp_path):
    import io
    import json

    mod, _ = moderators
    a, _, _ = held()
    b, _, _ = held(body="Meet me at the park at 4")
    service.approve(mod, a)
    service.reject(mod, b, "rules")
    out = io.StringIO()
    assert service.export_labels(out) == 2
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["expect"] for r in rows] == ["allow", "review"] and rows[0]["audience"] == "young_people"
    m = service.measures(mod)
    assert m.open_count == 0 and m.decision_minutes["standard"]["count"] == 2
    assert "overturn_rate" in service.measures_csv(m)
