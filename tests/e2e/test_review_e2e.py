"""The review queue in Chromium: a young person's post with a phone number is held, a moderator finds it at
/review, edits the number out and publishes it, and the author sees the result. axe checks every page."""
from __future__ import annotations

import random
import re

from community.extensions import db
from community.models import Board, Role

TIMEOUT = 30_000  # ms; the first post also warms the server's screening models


def test_moderator_edits_out_a_phone_number_and_publishes(app, make_user, new_page):
    board = Board(slug=f"e2e-youth-{random.randrange(10**6)}", name="Just chat", description="For 13 to 17.",
                  rules="Be kind.", audience="young_people")
    db.session.add(board)
    db.session.commit()
    teen = make_user(Role.YOUNG_PERSON, username=f"teen_e2e_{random.randrange(10**6)}")
    moderator = make_user(Role.MODERATOR, username=f"mod_review_{random.randrange(10**6)}")

    author = new_page()
    author.sign_in(teen.username)
    author.goto(f"/boards/{board.slug}/new")
    author.page.fill("#title", "Anyone into football")
    author.page.fill("#body", "I play on Saturdays, text me on 07700 900123 if you want to join")
    author.page.click("button:has-text('Post thread')")
    author.page.wait_for_selector("text=Waiting for a moderator", timeout=TIMEOUT)
    thread_url = author.page.url
    author.axe()

    mod = new_page()
    mod.page.set_viewport_size({"width": 320, "height": 800})
    mod.sign_in(moderator.username)
    mod.goto("/review/")
    assert mod.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the queue scrolls sideways at 320px"
    mod.page.click("a:has-text('Anyone into football')")
    mod.page.wait_for_selector("h2:has-text('The text, as readers would see it')", timeout=TIMEOUT)
    mod.axe()
    mod.page.fill("#body", "I play on Saturdays, message me here if you want to join")
    mod.page.click("button:has-text('Publish the edited post')")
    mod.page.wait_for_selector("text=Edited and published", timeout=TIMEOUT)
    mod.axe()

    author.page.goto(thread_url)
    author.axe()
    body = author.page.inner_text("main")
    assert "message me here" in body and "07700" not in body and "Waiting for a moderator" not in body
    author.goto("/boards/notifications")
    assert re.search(r"moderator has looked at your post", author.page.inner_text("main"))
