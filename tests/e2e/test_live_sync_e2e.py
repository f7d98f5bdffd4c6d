"""The page fills a gap in Chromium: posts whose live events never reached it appear, in order and once, as
soon as a later post shows the gap, and a post taken down meanwhile goes (static/js/live-sync.js)."""
from __future__ import annotations

import socketio

from community.forums import service
from community.models import Role
from tests.conftest import TEST_PASSWORD
from tests.e2e.test_forums_e2e import LIVE_TIMEOUT, _board
from tests.live import login_cookie


def test_the_page_fills_a_gap_in_order_and_drops_a_post_taken_down(app, make_user, new_page, live_server):
    board = _board()
    asha, ben = make_user(username="asha_gap"), make_user(username="ben_gap")
    moderator = make_user(Role.MODERATOR, username="mod_gap")
    opening = service.start_thread(asha, board, "Sleep at two", "Any tips for a two-year-old who will not settle?")
    thread = opening.thread
    early = service.reply(ben, thread, "A bath and the same story every night.").post

    a = new_page()
    a.sign_in(asha.username)
    a.goto(f"/boards/t/{thread.id}")
    a.page.wait_for_selector("#reading-now:has-text('Only you')", timeout=LIVE_TIMEOUT)

    # Written here, in the test's own process: stored, but their live events never reach the server the
    # page is connected to, just as events are lost while Redis is away. The hide is missed the same way.
    missed = [service.reply(ben, thread, text).post for text in ("White noise helped us.", "So did blackout blinds.")]
    service.hide_post(moderator, early)

    # The next post arrives live with prev_id pointing at a post the page has not seen: a gap.
    client = socketio.Client(reconnection=False)
    client.connect(live_server, headers={"Cookie": login_cookie(live_server, ben.username, TEST_PASSWORD)},
                   transports=["websocket"], wait_timeout=20)
    try:
        ack = client.call("new_post", {"thread_id": thread.id, "body": "And patience, lots of it.",
                                       "quote_post_id": None}, timeout=30)
        assert ack["ok"] and ack["state"] == "published", ack
    finally:
        client.disconnect()

    a.page.wait_for_selector(f"#post-{missed[0].id}", timeout=LIVE_TIMEOUT)
    a.page.wait_for_selector(f"#post-{early.id}", state="detached", timeout=LIVE_TIMEOUT)
    ids = [int(x) for x in a.page.locator("#posts article[data-post-id]").evaluate_all(
        "els => els.map(e => e.dataset.postId)")]
    assert ids == [opening.post.id, *(p.id for p in missed), ack["post_id"]]
    a.axe()
