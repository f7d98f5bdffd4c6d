"""The forum pages work with plain forms (no JavaScript), refuse kindly, and never 500."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select

from community.extensions import db
from community.forums import service
from community.models import Audience, Post, ReviewItem, Role


@pytest.fixture
def parent_client(client_for):
    return client_for(Role.PARENT_CARER)


def _start(client, board, title="Bedtime routines", body="What works for you at bedtime?"):
    return client.post(f"/boards/{board.slug}/new", data={"title": title, "body": body})


def test_start_thread_reply_and_read_without_javascript(app, parent_client, make_board, client_for):
    client, parent = parent_client
    board = make_board()
    response = _start(client, board)
    assert response.status_code == 302
    thread_url = response.headers["Location"]
    page = client.get(thread_url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Bedtime routines" in html and "What works for you at bedtime?" in html
    assert 'id="reply-form"' in html and "Report<span" in html

    other, _ = client_for(Role.PARENT_CARER)
    thread_id = int(thread_url.rstrip("/").split("/")[-1])
    response = other.post(f"/boards/t/{thread_id}/reply", data={"body": "A warm bath and a story."})
    assert response.status_code == 302
    followed = other.get(response.headers["Location"], follow_redirects=True)
    assert "A warm bath and a story." in followed.get_data(as_text=True)
    assert "Your post is on the board." in followed.get_data(as_text=True)
    board_page = client.get(f"/boards/{board.slug}").get_data(as_text=True)
    assert "Bedtime routines" in board_page


def test_too_long_reply_keeps_the_text_and_says_why(app, parent_client, make_board):
    client, parent = parent_client
    board = make_board()
    thread_url = _start(client, board).headers["Location"]
    thread_id = int(thread_url.rstrip("/").split("/")[-1])
    app.config["FORUM_POST_MAX_CHARS"] = 100
    try:
        long_text = "Nearly there " * 20
        response = client.post(f"/boards/t/{thread_id}/reply", data={"body": long_text})
    finally:
        app.config["FORUM_POST_MAX_CHARS"] = 10_000
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and "The most you can post is 100" in html
    assert long_text.strip() in html


def test_other_audience_board_and_thread_are_not_found(app, client_for, make_board, make_user):
    young_client, _ = client_for(Role.YOUNG_PERSON)
    board = make_board()
    thread = service.start_thread(make_user(), board, "A parents' thread", "Only for parents").thread
    assert young_client.get(f"/boards/{board.slug}").status_code == 404
    assert young_client.get(f"/boards/t/{thread.id}").status_code == 404
    assert young_client.post(f"/boards/t/{thread.id}/reply", data={"body": "hi"}).status_code == 404
    assert young_client.get(f"/boards/{board.slug}/new").status_code == 404


def test_anonymous_people_are_sent_to_sign_in(app, client, make_board):
    board = make_board()
    response = client.get(f"/boards/{board.slug}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_held_post_is_shown_to_its_author_as_waiting(app, client_for, make_board, make_user, verdict):
    client, author = client_for(Role.PARENT_CARER)
    board = make_board()
    verdict("publish")
    thread = service.start_thread(make_user(), board, "Weaning", "When did you start?").thread
    verdict("hold")
    response = client.post(f"/boards/t/{thread.id}/reply", data={"body": "Held words here"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Waiting for a moderator" in html and "Held words here" in html
    other, _ = client_for(Role.PARENT_CARER)
    assert "Held words here" not in other.get(f"/boards/t/{thread.id}").get_data(as_text=True)


def test_escalated_post_shows_helplines_kindly(app, client_for, make_board, make_user, verdict):
    client, _ = client_for(Role.YOUNG_PERSON)
    board = make_board(Audience.YOUNG_PEOPLE)
    verdict("publish")
    thread = service.start_thread(make_user(Role.MODERATOR), board, "Check-in", "How are you doing?").thread
    verdict("escalate", severity="urgent", show_helplines=True)
    html = client.post(f"/boards/t/{thread.id}/reply", data={"body": "words"},
                       follow_redirects=True).get_data(as_text=True)
    assert "0800 1111" in html and "You can talk to someone now" in html
    assert "Thank you for posting" in html


def test_rejected_post_keeps_the_text_with_the_reason(app, client_for, make_board, make_user, verdict):
    client, _ = client_for(Role.PARENT_CARER)
    verdict("publish")
    thread = service.start_thread(make_user(), make_board(), "Car seats", "Which one?").thread
    verdict("reject", categories=["spam"])
    response = client.post(f"/boards/t/{thread.id}/reply", data={"body": "Cheap seats here"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "advertising or spam" in html and "Cheap seats here" in html


def test_report_flow(app, client_for, make_board, make_user):
    client, reporter = client_for(Role.PARENT_CARER)
    thread = service.start_thread(make_user(), make_board(), "School run", "Anyone walking from Fenside?").thread
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    assert client.get(f"/boards/p/{post.id}/report").status_code == 200
    missing = client.post(f"/boards/p/{post.id}/report", data={"note": "x"})
    assert missing.status_code == 400 and "Choose why" in missing.get_data(as_text=True)
    response = client.post(f"/boards/p/{post.id}/report", data={"reason": "personal", "note": "Their street name"})
    assert response.status_code == 302
    item = db.session.scalar(select(ReviewItem))
    assert item.reporter_id == reporter.id and item.note == "Their street name"


def test_edit_delete_helped_subscribe(app, client_for, make_board, make_user):
    client, author = client_for(Role.PARENT_CARER)
    thread_url = _start(client, make_board()).headers["Location"]
    thread_id = int(thread_url.rstrip("/").split("/")[-1])
    post = db.session.scalar(select(Post).where(Post.thread_id == thread_id))
    assert client.get(f"/boards/p/{post.id}/edit").status_code == 200
    assert client.post(f"/boards/p/{post.id}/edit", data={"body": "Changed words"}).status_code == 302
    assert "Changed words" in client.get(thread_url).get_data(as_text=True)

    other, _ = client_for(Role.PARENT_CARER)
    assert other.get(f"/boards/p/{post.id}/edit").status_code == 403
    assert other.post(f"/boards/p/{post.id}/helped").status_code == 302
    assert "This helped me (1)" in other.get(thread_url).get_data(as_text=True)
    assert other.post(f"/boards/t/{thread_id}/subscribe").status_code == 302
    assert "Stop following this thread" in other.get(thread_url).get_data(as_text=True)
    assert other.post(f"/boards/p/{post.id}/delete").status_code == 403

    reply = service.reply(author, service.readable_thread(author, thread_id), "A second post").post
    assert client.get(f"/boards/p/{reply.id}/delete").status_code == 200
    assert client.post(f"/boards/p/{reply.id}/delete").status_code == 302
    assert "A second post" not in other.get(thread_url).get_data(as_text=True)


def test_moderator_tools(app, client_for, make_board, make_user):
    moderator_client, moderator = client_for(Role.MODERATOR)
    parent_client, parent = client_for(Role.PARENT_CARER)
    thread = service.start_thread(parent, make_board(), "Toddler groups", "Which are good?").thread
    reply = service.reply(parent, thread, "First version").post
    service.edit_post(parent, reply, "Second version")
    assert parent_client.post(f"/boards/p/{reply.id}/hide").status_code == 403
    assert parent_client.get(f"/boards/p/{reply.id}/history").status_code == 404
    history = moderator_client.get(f"/boards/p/{reply.id}/history").get_data(as_text=True)
    assert "First version" in history and "Second version" in history

    assert moderator_client.post(f"/boards/p/{reply.id}/hide").status_code == 302
    assert "Second version" not in parent_client.get(f"/boards/t/{thread.id}").get_data(as_text=True)
    mod_view = moderator_client.get(f"/boards/t/{thread.id}").get_data(as_text=True)
    assert "Hidden by a moderator" in mod_view and "Second version" in mod_view
    assert moderator_client.post(f"/boards/p/{reply.id}/unhide").status_code == 302

    assert moderator_client.post(f"/boards/t/{thread.id}/settings", data={"change": "lock"}).status_code == 302
    html = parent_client.get(f"/boards/t/{thread.id}").get_data(as_text=True)
    assert "nobody can reply" in html and 'id="reply-form"' not in html
    assert parent_client.post(f"/boards/t/{thread.id}/reply", data={"body": "hi"}).status_code == 403
    assert moderator_client.post(f"/boards/t/{thread.id}/settings", data={"change": "pin"}).status_code == 302
    assert moderator_client.post(f"/boards/t/{thread.id}/settings", data={"change": "bogus"}).status_code == 400
    assert parent_client.post(f"/boards/t/{thread.id}/settings", data={"change": "unlock"}).status_code == 403


def test_notifications_page_and_search(app, client_for, make_board, make_user):
    client, parent = client_for(Role.PARENT_CARER)
    thread = service.start_thread(parent, make_board(), "Fussy eaters", "Broccoli is a battle").thread
    service.reply(make_user(), thread, "Hide broccoli in pasta sauce")
    html = client.get("/boards/notifications").get_data(as_text=True)
    assert "replied in “Fussy eaters”" in html
    assert "(1 new)" in client.get("/boards/").get_data(as_text=True)
    assert client.post("/boards/notifications/read").status_code == 302
    results = client.get("/boards/search?q=broccoli").get_data(as_text=True)
    assert "2 results" in results
    assert client.get("/boards/search?q=%22%27%29(*").status_code == 200


def test_quote_link_prefills_the_reply(app, client_for, make_board, make_user):
    client, parent = client_for(Role.PARENT_CARER)
    thread = service.start_thread(make_user(), make_board(), "Nap times", "Two naps or one?").thread
    first = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    html = client.get(f"/boards/t/{thread.id}?quote={first.id}").get_data(as_text=True)
    assert "You are quoting" in html and f'value="{first.id}"' in html
    response = client.post(f"/boards/t/{thread.id}/reply", data={"body": "One nap", "quote_post_id": str(first.id)},
                           follow_redirects=True)
    assert "wrote:" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/boards/t/999999", "/boards/p/999999", "/boards/p/999999/report",
                                  "/boards/no-such-board", "/boards/t/1?page=abc", "/boards/search?q=%00%ff"])
def test_bad_addresses_are_4xx_not_500(app, parent_client, path):
    client, _ = parent_client
    assert client.get(path).status_code in (200, 404)


def test_thread_page_does_a_bounded_number_of_queries(app, client_for, make_board, make_user):
    client, parent = client_for(Role.PARENT_CARER)
    app.config["FORUM_POSTS_PER_MINUTE"] = 0
    try:
        thread = service.start_thread(parent, make_board(), "Many posts", "Opening").thread
        authors = [make_user() for _ in range(4)]
        first = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
        for n in range(12):
            service.reply(authors[n % 4], thread, f"Reply number {n}", quote_post_id=first.id)
    finally:
        app.config["FORUM_POSTS_PER_MINUTE"] = 6
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(f"/boards/t/{thread.id}").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    # 16: one of them is the navigation's "messages from the safety team" check, on every page.
    # The bound is what matters: it does not grow with the number of posts or authors.
    assert len(statements) <= 16, statements


def test_any_text_posted_gets_a_kind_answer_never_a_500(app, client_for, make_board, make_user):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    client, parent = client_for(Role.PARENT_CARER)
    thread = service.start_thread(make_user(), make_board(), "Anything goes", "Say anything").thread
    app.config["FORUM_POSTS_PER_MINUTE"] = 0

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=st.text(max_size=400), quote=st.one_of(st.none(), st.text(max_size=12)))
    def post(body, quote):
        data = {"body": body}
        if quote is not None:
            data["quote_post_id"] = quote
        response = client.post(f"/boards/t/{thread.id}/reply", data=data)
        assert response.status_code in (302, 400), response.status_code

    try:
        post()
    finally:
        app.config["FORUM_POSTS_PER_MINUTE"] = 6


def test_ids_no_table_can_hold_are_not_found_never_a_500(app, client_for, make_board, make_user):
    # PostgreSQL's ids are 32-bit: a bigger number, or digits that are not ASCII ("²"), found a 500
    client, parent = client_for(Role.PARENT_CARER)
    thread = service.start_thread(make_user(), make_board(), "Anything goes", "Say anything").thread
    app.config["FORUM_POSTS_PER_MINUTE"] = 0
    try:
        for quote in ("8006895652", "²", "０１"):
            response = client.post(f"/boards/t/{thread.id}/reply", data={"body": "", "quote_post_id": quote})
            assert response.status_code == 400, quote
            assert client.get(f"/boards/t/{thread.id}?quote={quote}").status_code == 200
    finally:
        app.config["FORUM_POSTS_PER_MINUTE"] = 6
    assert client.get("/boards/p/9999999999").status_code == 404
    assert client.get("/boards/?page=²").status_code == 200
