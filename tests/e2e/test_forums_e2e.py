"""Forums in Chromium: two people see each other's posts live, a moderator's hide removes the post from
both, and no XSS payload fires. axe checks every page visited (Checked.goto) and the live states."""
from __future__ import annotations

import random

import pytest

from community.extensions import db
from community.forums import service
from community.models import Board, Role
from tests.e2e.conftest import LONGEST_BOARD_NAME, LONGEST_TITLE, LONGEST_USERNAME
from tests.forums.test_xss import payloads

LIVE_TIMEOUT = 20_000  # ms; the first post also warms the server's screening models


def _board(audience="parents") -> Board:
    board = Board(slug=f"e2e-{audience}-{random.randrange(10**6)}", name="Toddlers and pre-school",
                  description="Tantrums, potty training and nursery places.", rules="Be kind.", audience=audience)
    db.session.add(board)
    db.session.commit()
    return board


def test_two_people_see_each_others_posts_live_and_a_hide_removes_it(app, make_user, new_page):
    board = _board()
    asha, ben = make_user(username="asha_e2e"), make_user(username="ben_e2e")
    moderator = make_user(Role.MODERATOR, username="mod_e2e")
    thread = service.start_thread(asha, board, "Nursery settling in", "How long did settling in take for you?").thread

    a, b = new_page(), new_page()
    for person, who in ((a, asha), (b, ben)):
        person.sign_in(who.username)
        person.goto("/boards/")
        person.goto(f"/boards/{board.slug}")
        person.goto(f"/boards/t/{thread.id}")
    a.page.wait_for_selector("#reading-now:has-text('2 people')", timeout=LIVE_TIMEOUT)

    # Asha replies through the form: the script sends it over Socket.IO; Ben sees it without a reload.
    a.page.fill("#body", "About two weeks. Short days at first really helped.")
    a.page.click("button:has-text('Post reply')")
    b.page.wait_for_selector("article:has-text('Short days at first really helped')", timeout=LIVE_TIMEOUT)
    a.page.wait_for_selector("#reply-status:has-text('on the board')", timeout=LIVE_TIMEOUT)
    assert a.page.input_value("#body") == ""

    # Ben types (Asha sees the indicator) and replies; Asha sees it live.
    b.page.type("#body", "Thank you, that is reassuring")
    a.page.wait_for_selector("#typing:has-text('ben_e2e is writing')", timeout=LIVE_TIMEOUT)
    b.page.click("button:has-text('Post reply')")
    reply = a.page.wait_for_selector("article:has-text('that is reassuring')", timeout=LIVE_TIMEOUT)
    post_id = int(reply.get_attribute("data-post-id"))
    a.axe()
    b.axe()

    # A moderator hides Ben's post with the plain form: it disappears from both open pages.
    m = new_page()
    m.sign_in(moderator.username)
    m.goto(f"/boards/t/{thread.id}")
    m.page.click(f"#post-{post_id} button:has-text('Hide')")
    m.page.wait_for_load_state("load")
    m.axe()
    for person in (a, b):
        person.page.wait_for_selector(f"#post-{post_id}", state="detached", timeout=LIVE_TIMEOUT)
    assert a.page.locator("article:has-text('Short days at first')").count() == 1

    # Reloading shows the same: the hidden post is gone for members, and marked for the moderator.
    b.goto(f"/boards/t/{thread.id}")
    assert b.page.locator("article:has-text('that is reassuring')").count() == 0
    m.goto(f"/boards/t/{thread.id}")
    assert m.page.locator(f"#post-{post_id}:has-text('Hidden by a moderator')").count() == 1


def test_forum_pages_without_javascript_pass_axe(app, make_user, new_page):
    # The longest name and title the forms accept, and a long unbroken word: nothing may scroll sideways.
    board = _board()
    board.name = LONGEST_BOARD_NAME
    db.session.commit()
    parent = make_user(username=LONGEST_USERNAME)
    title = ("Potty training " + LONGEST_TITLE)[:150]
    thread = service.start_thread(parent, board, title, "Any tips for a reluctant three year old? "
                                  "Sooooooo" + "o" * 140 + " tired of it.").thread
    p = new_page()
    p.sign_in(parent.username)
    p.goto(f"/boards/{board.slug}/new")
    p.page.click("button:has-text('Post thread')")  # empty: the error summary must be accessible too
    p.axe()
    p.goto(f"/boards/t/{thread.id}")
    post_id = p.page.locator("article[data-post-id]").first.get_attribute("data-post-id")
    p.goto(f"/boards/p/{post_id}/report")
    p.goto(f"/boards/p/{post_id}/edit")
    p.goto(f"/boards/p/{post_id}/delete")
    p.goto("/boards/notifications")
    p.goto("/boards/search?q=potty")
    assert "Potty training" in p.page.content()


def test_xss_payloads_posted_and_viewed_in_chromium_never_fire(app, make_user, new_page, monkeypatch):
    """At least 300 random payloads, posted through the service (the form's path) and viewed in pages."""
    from moderation import Verdict

    # Every payload must be published so that it is shown; screening's own choices are tested elsewhere.
    monkeypatch.setattr("community.screening.screen", lambda text, context: Verdict(action="publish"))
    app.config["FORUM_POSTS_PER_MINUTE"] = 0
    try:
        board = _board()
        author, reader = make_user(), make_user(username="reader_xss")
        sample = random.sample(payloads(), 300)
        thread = service.start_thread(author, board, sample[0][:150], sample[0]).thread
        for payload in sample[1:]:
            service.reply(author, thread, payload)
    finally:
        app.config["FORUM_POSTS_PER_MINUTE"] = 6

    viewer = new_page()
    fired: list[str] = []
    viewer.page.on("dialog", lambda dialog: (fired.append(dialog.message), dialog.dismiss()))
    viewer.sign_in(reader.username)
    viewer.goto(f"/boards/t/{thread.id}")
    pages = int(viewer.page.locator(".govuk-pagination__item").last.inner_text().strip() or 1)
    seen = viewer.page.locator("article[data-post-id]").count()
    for number in range(2, pages + 1):
        viewer.goto(f"/boards/t/{thread.id}?page={number}")
        viewer.page.wait_for_timeout(50)  # give any event handler a moment to fire
        seen += viewer.page.locator("article[data-post-id]").count()
    assert seen == 300
    assert fired == [], fired
    scripts = viewer.page.evaluate("Array.from(document.scripts).map(s => s.src)")
    assert all("/static/" in src for src in scripts), scripts


@pytest.mark.parametrize("audience", ["young_people"])
def test_young_person_sees_held_link_post_marked_waiting(app, make_user, new_page, audience):
    board = _board(audience)
    moderator = make_user(Role.MODERATOR)
    young = make_user(Role.YOUNG_PERSON, username="young_e2e")
    thread = service.start_thread(moderator, board, "Revision apps", "Which apps help you revise?").thread
    p = new_page()
    p.sign_in(young.username)
    p.goto(f"/boards/t/{thread.id}")
    p.page.fill("#body", "I use this one: www.example.com")
    p.page.click("button:has-text('Post reply')")
    p.page.wait_for_selector("article:has-text('www.example.com') >> text=Waiting for a moderator", timeout=LIVE_TIMEOUT)
    p.page.wait_for_selector("#reply-status:has-text('moderator')", timeout=LIVE_TIMEOUT)
    p.axe()
