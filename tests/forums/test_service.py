"""The forum rules, tested through the service that both the pages and Socket.IO use."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community import clock
from community.extensions import db
from community.forums import service
from community.forums.search import search_posts
from community.forums.service import ForumError, escalated
from community.models import (AgeBand, Audience, Notification, Post, PostRevision, Reaction, ReviewItem, Role,
                              Subscription)
from tests.instants import INSTANTS, at_each_instant


BODIES = ["How do you all cope with a baby who will not sleep?", "What did you find helped with starting nursery?",
          "Any ideas for rainy days with two toddlers?", "How do you get time for yourself?"]


def _thread(user, board, title="Sleepless nights", body=None):
    body = body or BODIES[db.session.scalar(select(func.count(Post.id))) % len(BODIES)]
    result = service.start_thread(user, board, title, body)
    assert result.state == "published", result.message
    return result.thread


def test_start_thread_and_reply_publish(app, make_user, make_board):
    parent, other = make_user(), make_user()
    board = make_board()
    thread = _thread(parent, board)
    result = service.reply(other, thread, "We take turns at night. It helps a bit.")
    assert result.state == "published" and result.message == service.MSG_PUBLISHED
    assert thread.post_count == 2
    page = service.posts_page(other, thread, 1)
    assert [p.body for p in page.items][-1] == "We take turns at night. It helps a bit."


def test_audiences_never_mix(app, make_user, make_board):
    parent = make_user()
    young = make_user(Role.YOUNG_PERSON)
    youth_board, parent_board = make_board(Audience.YOUNG_PEOPLE), make_board()
    assert not service.may_read(parent, youth_board)
    assert not service.may_read(young, parent_board)
    with pytest.raises(ForumError) as error:
        service.start_thread(parent, youth_board, "Hello there", "Hi everyone")
    assert error.value.status == 404
    thread = _thread(parent, parent_board)
    with pytest.raises(ForumError):
        service.readable_thread(young, thread.id)
    with pytest.raises(ForumError):
        service.reply(young, thread, "hello")
    # a vetted moderator may read every audience in order to keep it safe
    assert service.may_read(make_user(Role.MODERATOR), youth_board)


def test_suspended_person_reads_nothing(app, make_user, make_board):
    parent = make_user()
    board = make_board()
    parent.is_suspended = True
    db.session.commit()
    assert not service.may_read(parent, board)


def test_too_long_post_is_refused_with_a_clear_message(app, make_user, make_board):
    app.config["FORUM_POST_MAX_CHARS"] = 50
    try:
        with pytest.raises(ForumError) as error:
            service.start_thread(make_user(), make_board(), "A title", "x" * 51)
        assert "51 characters" in error.value.message and "50" in error.value.message
    finally:
        app.config["FORUM_POST_MAX_CHARS"] = 10_000


def test_control_characters_are_cleaned(app, make_user, make_board):
    thread = _thread(make_user(), make_board(), title="Hello\x00 there\x1b", body="Line one\x07\r\nLine two\ud800")
    assert thread.title == "Hello there"
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    assert post.body.startswith("Line one\nLine two") and "\ud800" not in post.body and "\x07" not in post.body


def test_empty_post_and_short_title_are_refused(app, make_user, make_board):
    parent, board = make_user(), make_board()
    with pytest.raises(ForumError, match="Write your message"):
        service.start_thread(parent, board, "A title", "   \x00 ")
    with pytest.raises(ForumError) as error:
        service.start_thread(parent, board, "Hi", "Some words")
    assert error.value.field == "title"


def test_rate_limit_and_slow_mode(app, make_user, make_board):
    clock.freeze(INSTANTS["31-jan"])  # time passes only when the test says so
    app.config["FORUM_POSTS_PER_MINUTE"] = 3
    try:
        parent, board = make_user(), make_board()
        thread = _thread(parent, board)
        service.reply(parent, thread, "second")
        service.reply(parent, thread, "third")
        with pytest.raises(ForumError) as error:
            service.reply(parent, thread, "fourth")
        assert error.value.status == 429
        clock.advance(timedelta(seconds=61))
        assert service.reply(parent, thread, "fourth").state == "published"
    finally:
        app.config["FORUM_POSTS_PER_MINUTE"] = 6

    slow = make_board(slow_mode_seconds=30)
    other = make_user()
    thread = _thread(other, slow)
    with pytest.raises(ForumError, match="slow mode"):
        service.reply(other, thread, "too soon")
    clock.advance(timedelta(seconds=31))
    assert service.reply(other, thread, "now it is fine").state == "published"
    # moderators keep order, so slow mode does not hold them back
    moderator = make_user(Role.MODERATOR)
    service.reply(moderator, thread, "Please remember the board rules.")
    assert service.reply(moderator, thread, "Thank you all.").state == "published"


# On SQLite only: the instant changes only the Python side (naive-UTC arithmetic); the same queries
# run on PostgreSQL in test_rate_limit_and_slow_mode above.
@pytest.mark.sqlite_only
@at_each_instant
def test_slow_mode_and_flood_control_at_each_instant(app, make_user, make_board, instant, monkeypatch):
    monkeypatch.setitem(app.config, "FORUM_POSTS_PER_MINUTE", 2)
    clock.freeze(instant)
    parent = make_user()
    thread = _thread(parent, make_board(slow_mode_seconds=30))
    clock.advance(timedelta(seconds=29))
    with pytest.raises(ForumError, match="post again in 1 second\\."):
        service.reply(parent, thread, "too soon")
    clock.advance(timedelta(seconds=1))
    assert service.reply(parent, thread, "We found a toddler group on Tuesdays.").state == "published"
    # Two posts in the last minute, 59 seconds after the first: flood control counts every board.
    clock.advance(timedelta(seconds=29))
    elsewhere = make_board()
    with pytest.raises(ForumError) as error:
        _thread(parent, elsewhere, title="Rainy days")
    assert error.value.status == 429 and "very quickly" in error.value.message
    clock.advance(timedelta(seconds=1))  # the first post is now a minute old
    assert _thread(parent, elsewhere, title="Rainy days").board_id == elsewhere.id


def test_locked_thread_refuses_replies_but_not_moderators(app, make_user, make_board):
    parent, moderator = make_user(), make_user(Role.MODERATOR)
    thread = _thread(parent, make_board())
    with pytest.raises(ForumError):
        service.set_locked(parent, thread, True)
    service.set_locked(moderator, thread, True)
    with pytest.raises(ForumError, match="locked"):
        service.reply(make_user(), thread, "hello")
    assert service.reply(moderator, thread, "Locking this now.").state == "published"


def test_pinned_threads_come_first(app, make_user, make_board):
    clock.freeze(INSTANTS["31-jan"])
    parent, moderator = make_user(), make_user(Role.MODERATOR)
    board = make_board()
    old = _thread(parent, board, title="Old thread")
    clock.advance(timedelta(minutes=5))
    _thread(parent, board, title="New thread")
    assert [t.title for t in service.threads_page(parent, board, 1).items] == ["New thread", "Old thread"]
    service.set_pinned(moderator, old, True)
    assert [t.title for t in service.threads_page(parent, board, 1).items] == ["Old thread", "New thread"]


@pytest.mark.parametrize("action", ["hold", "publish_and_flag"])
def test_review_verdicts_create_a_review_item_in_the_same_transaction(app, make_user, make_board, verdict, action):
    parent, other = make_user(), make_user()
    board = make_board()
    verdict("publish")
    thread = _thread(parent, board)
    verdict(action, severity="high", reasons=["Something to look at"])
    result = service.reply(parent, thread, "Words a moderator should see")
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.post_id == result.post.id))
    assert item is not None and item.source == "screening" and item.action == action
    assert item.severity == "high" and item.verdict["action"] == action and item.reason == "Something to look at"
    visible_to_other = [p.id for p in service.posts_page(other, thread, 1).items]
    if action == "hold":
        assert result.state == "held" and result.message == service.MSG_HELD
        assert result.post.id not in visible_to_other
        # the author still sees it, marked as waiting
        assert result.post.id in [p.id for p in service.posts_page(parent, thread, 1).items]
    else:
        assert result.state == "published" and result.post.id in visible_to_other


def test_reject_keeps_nothing_public_and_says_why(app, make_user, make_board, verdict):
    parent = make_user()
    thread = _thread(parent, make_board())
    verdict("reject", categories=["spam"], reasons=["Spam: 3 links"])
    result = service.reply(parent, thread, "buy now buy now")
    assert result.state == "rejected"
    assert "advertising or spam" in result.message
    assert result.post.id not in [p.id for p in service.posts_page(parent, thread, 1).items]
    assert db.session.scalar(select(func.count(ReviewItem.id))) == 0


def test_escalate_holds_kindly_with_helplines_and_an_urgent_item_and_calls_the_hook(app, make_user, make_board,
                                                                                   verdict):
    young = make_user(Role.YOUNG_PERSON)
    board = make_board(Audience.YOUNG_PEOPLE)
    moderator = make_user(Role.MODERATOR)
    verdict("publish")
    thread = service.start_thread(moderator, board, "How was your week?", "Tell us about your week.").thread
    seen = []

    def receiver(sender, item, post, verdict):
        # runs inside the transaction: the item is not committed yet but has its post
        seen.append((item.severity, post.body))

    escalated.connect(receiver)
    try:
        verdict("escalate", severity="urgent", categories=["self_harm_suicide"], show_helplines=True,
                reasons=["Self-harm or suicide"])
        result = service.reply(young, thread, "A worrying message")
    finally:
        escalated.disconnect(receiver)
    assert result.state == "held" and result.show_helplines
    assert result.message == service.MSG_ESCALATED
    assert "report" not in result.message.lower() and "rule" not in result.message.lower()
    item = result.review_item
    assert item.severity == "urgent" and item.action == "escalate"
    assert seen == [("urgent", "A worrying message")]


def test_youth_boards_hold_links(app, make_user, make_board, verdict):
    verdict("publish")
    young = make_user(Role.YOUNG_PERSON)
    thread = service.start_thread(make_user(Role.MODERATOR), make_board(Audience.YOUNG_PEOPLE), "Games",
                                  "What are you playing? See https://example.org").thread
    assert thread.state == "published"  # staff links are not held
    result = service.reply(young, thread, "I like this one: www.example.com")
    assert result.state == "held" and result.message == service.MSG_HELD_LINK
    assert result.review_item.reason == "Web link in a young people's board"
    # in a parents' board a link is fine
    parent_thread = _thread(make_user(), make_board())
    assert service.reply(make_user(), parent_thread, "See https://www.nhs.uk").state == "published"


def test_every_text_is_screened(app, make_user, make_board, monkeypatch):
    seen = []
    from moderation import Verdict

    def fake(text, context):
        seen.append((context.kind, text))
        return Verdict(action="publish")

    monkeypatch.setattr("community.screening.screen", fake)
    parent = make_user()
    thread = service.start_thread(parent, make_board(), "My title", "My body").thread
    reply = service.reply(parent, thread, "My reply").post
    service.edit_post(parent, reply, "My edit")
    service.report_post(make_user(), reply, "other", "My note")
    assert [k for k, _ in seen] == ["thread_title", "post", "post", "edit", "report_note"]
    assert [t for _, t in seen] == ["My title", "My body", "My reply", "My edit", "My note"]


def test_screening_context_carries_author_history(app, make_user, make_board, monkeypatch):
    contexts = []
    from moderation import Verdict

    monkeypatch.setattr("community.screening.screen",
                        lambda text, context: contexts.append(context) or Verdict(action="publish"))
    young = make_user(Role.YOUNG_PERSON)
    board = make_board(Audience.YOUNG_PEOPLE)
    thread = service.start_thread(young, board, "Exams", "Revision tips?").thread
    service.reply(young, thread, "Anyone?")
    last = contexts[-1]
    assert last.audience == "young_people" and last.board == board.slug
    assert last.author_age_band == AgeBand.YOUNG_PERSON.value
    assert last.approved_posts == 1 and last.posts_last_10_minutes == 1
    assert last.recent_texts == ("Revision tips?",)


def test_edit_keeps_history_and_is_rescreened(app, make_user, make_board, verdict):
    parent, moderator = make_user(), make_user(Role.MODERATOR)
    verdict("publish")
    thread = _thread(parent, make_board())
    post = service.reply(parent, thread, "First words").post
    result = service.edit_post(parent, post, "Second words")
    assert result.state == "published" and post.edited_at is not None
    verdict("hold", reasons=["Looks risky"])
    result = service.edit_post(parent, post, "Third words")
    assert result.state == "held" and result.review_item.content_kind == "edit"
    history = service.revisions(moderator, post)
    assert [r.body for r in history] == ["First words", "Second words"]
    with pytest.raises(ForumError):
        service.revisions(parent, post)
    with pytest.raises(ForumError):
        service.edit_post(make_user(), post, "Not mine")
    # a refused edit changes nothing
    verdict("publish")
    verdict("reject", categories=["spam"])
    with pytest.raises(ForumError, match="spam"):
        service.edit_post(parent, post, "spam spam")
    db.session.refresh(post)
    assert post.body == "Third words"


def test_held_post_stays_held_after_a_clean_edit(app, make_user, make_board, verdict):
    parent = make_user()
    verdict("publish")
    thread = _thread(parent, make_board())
    verdict("hold")
    post = service.reply(parent, thread, "Held words").post
    verdict("publish")
    assert service.edit_post(parent, post, "Clean words").state == "held"


def test_soft_delete_hides_from_members_not_moderators(app, make_user, make_board):
    parent, other, moderator = make_user(), make_user(), make_user(Role.MODERATOR)
    thread = _thread(parent, make_board())
    post = service.reply(parent, thread, "Oops").post
    with pytest.raises(ForumError):
        service.delete_post(other, post)
    service.delete_post(parent, post)
    assert post.id not in [p.id for p in service.posts_page(other, thread, 1).items]
    assert post.id in [p.id for p in service.posts_page(moderator, thread, 1).items]
    assert thread.post_count == 1


def test_moderator_hide_and_unhide(app, make_user, make_board):
    parent, other, moderator = make_user(), make_user(), make_user(Role.MODERATOR)
    thread = _thread(parent, make_board())
    post = service.reply(other, thread, "Something unkind").post
    with pytest.raises(ForumError):
        service.hide_post(parent, post)
    service.hide_post(moderator, post)
    assert post.state == "hidden" and thread.post_count == 1
    assert post.id not in [p.id for p in service.posts_page(parent, thread, 1).items]
    service.unhide_post(moderator, post)
    assert post.state == "published" and thread.post_count == 2


def test_moderator_publishing_a_held_post_notifies(app, make_user, make_board, verdict):
    parent, other, moderator = make_user(), make_user(), make_user(Role.MODERATOR)
    verdict("publish")
    thread = _thread(parent, make_board())
    verdict("hold")
    post = service.reply(other, thread, "Held reply").post
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    service.unhide_post(moderator, post)
    assert [n.user_id for n in db.session.scalars(select(Notification))] == [parent.id]


def test_helped_reaction_toggles(app, make_user, make_board):
    parent, other = make_user(), make_user()
    thread = _thread(parent, make_board())
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    assert service.toggle_helped(other, post) is True
    assert service.helped_counts([post.id]) == {post.id: 1}
    assert service.helped_by(other, [post.id]) == {post.id}
    assert service.toggle_helped(other, post) is False
    assert db.session.scalar(select(func.count(Reaction.id))) == 0
    with pytest.raises(ForumError):
        service.toggle_helped(parent, post)


def test_subscriptions_and_notifications_for_replies_and_mentions(app, make_user, make_board):
    parent = make_user(username="asha_p")
    mentioned = make_user(username="ben_k")
    young = make_user(Role.YOUNG_PERSON, username="young_one")
    replier = make_user()
    thread = _thread(parent, make_board())
    assert service.is_subscribed(parent, thread)  # the author follows their own thread
    result = service.reply(replier, thread, "Hello @ben_k and @young_one and @asha_p, see above")
    notes = {(n.user_id, n.kind) for n in result.notifications}
    # the author is mentioned too: one notification each, the mention wins; the young person cannot read it
    assert notes == {(parent.id, "mention"), (mentioned.id, "mention")}
    assert young.id not in {n.user_id for n in result.notifications}
    assert service.unread_count(parent) == 1
    assert "mentioned you" in service.notification_text(result.notifications[0])
    # the replier now follows the thread too, and hears of the next reply
    service.reply(parent, thread, "Thanks!")
    assert service.unread_count(replier) == 1
    service.mark_all_read(parent)
    assert service.unread_count(parent) == 0
    assert service.toggle_subscription(replier, thread) is False
    assert db.session.scalar(select(Subscription).where(Subscription.user_id == replier.id)) is None


def test_a_follower_gets_one_unread_reply_notification_per_thread(app, make_user, make_board):
    author, first, second = make_user(), make_user(), make_user()
    thread = _thread(author, make_board())
    one = service.reply(first, thread, "First reply")
    assert [(n.user_id, n.post_id) for n in one.notifications] == [(author.id, one.post.id)]
    # more replies while it is unread: no new notification, and it still points at the first unseen reply
    two = service.reply(second, thread, "Second reply")
    assert {n.user_id for n in two.notifications} == {first.id}   # the first replier follows now
    assert service.reply(second, thread, "Third reply").notifications == []
    assert service.unread_count(author) == 1
    service.mark_all_read(author)
    again = service.reply(second, thread, "A reply after reading")
    assert author.id in {n.user_id for n in again.notifications}
    # a mention is always its own notification
    mention = service.reply(first, thread, "@" + author.username + " did you see this?")
    assert (author.id, "mention") in {(n.user_id, n.kind) for n in mention.notifications}


def test_quote_must_be_a_public_post_in_the_same_thread(app, make_user, make_board):
    parent = make_user()
    board = make_board()
    thread, other_thread = _thread(parent, board), _thread(parent, board, title="Other thread")
    first = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    other_first = db.session.scalar(select(Post).where(Post.thread_id == other_thread.id))
    result = service.reply(make_user(), thread, "I agree", quote_post_id=first.id)
    assert result.post.quote_post_id == first.id
    with pytest.raises(ForumError, match="quoting"):
        service.reply(make_user(), thread, "I agree", quote_post_id=other_first.id)


def test_report_creates_a_review_item_once(app, make_user, make_board, verdict):
    parent, reporter = make_user(), make_user()
    thread = _thread(parent, make_board())
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    with pytest.raises(ForumError):
        service.report_post(reporter, post, "made-up", "")
    item = service.report_post(reporter, post, "safety", "Please could someone have a look at this")
    assert item.source == "report" and item.severity == "high" and item.reporter_id == reporter.id
    assert item.reason == service.REPORT_REASON_LABELS["safety"]
    with pytest.raises(ForumError, match="already reported"):
        service.report_post(reporter, post, "other", "")
    verdict("escalate", severity="urgent")
    item = service.report_post(make_user(), post, "other", "A worrying note")
    assert item.severity == "urgent"


def test_pagination_and_page_of_post(app, make_user, make_board):
    app.config["FORUM_PAGE_SIZE"] = 3
    app.config["FORUM_POSTS_PER_MINUTE"] = 0
    try:
        parent = make_user()
        thread = _thread(parent, make_board())
        posts = [service.reply(parent, thread, f"reply {n}").post for n in range(7)]
        assert service.posts_page(parent, thread, 1).pages == 3
        assert service.page_of_post(parent, posts[-1]) == 3
        assert service.last_page(parent, thread) == 3
        assert [p.body for p in service.posts_page(parent, thread, 2).items] == ["reply 2", "reply 3", "reply 4"]
    finally:
        app.config["FORUM_PAGE_SIZE"] = 20
        app.config["FORUM_POSTS_PER_MINUTE"] = 6


def test_replay_returns_missed_published_posts_in_order(app, make_user, make_board, verdict):
    parent = make_user()
    verdict("publish")
    thread = _thread(parent, make_board())
    first = service.reply(parent, thread, "one").post
    verdict("hold")
    service.reply(parent, thread, "held")
    verdict("publish")
    third = service.reply(parent, thread, "three").post
    posts, more = service.replay_posts(parent, thread, first.id - 1)
    assert [p.id for p in posts] == [first.id, third.id] and not more


def test_search_finds_published_posts_the_person_may_read(app, make_user, make_board, verdict):
    verdict("publish")
    parent, young = make_user(), make_user(Role.YOUNG_PERSON)
    thread = _thread(parent, make_board(), title="Potty training tips", body="What worked for you?")
    service.reply(parent, thread, "Stickers and a reward chart worked for us")
    moderator = make_user(Role.MODERATOR)
    service.start_thread(moderator, make_board(Audience.YOUNG_PEOPLE), "Rewards", "A reward for revising?")
    verdict("hold")
    service.reply(parent, thread, "A held reward post")
    results = search_posts(parent, "reward", 1)
    assert [p.body for p in results.items] == ["Stickers and a reward chart worked for us"]
    assert [p.body for p in search_posts(parent, "potty", 1).items] == ["What worked for you?"]
    assert [p.body for p in search_posts(young, "reward", 1).items] == ["A reward for revising?"]
    # operators and quotes are just words
    assert search_posts(parent, 'reward" OR body:*', 1).total >= 0
    assert search_posts(parent, "!!!", 1) is None
