"""Safeguarding in Chromium: a young person's self-harm disclosure shows them the helplines and reaches the
lead's open dashboard live; the lead acknowledges, records a referral and closes the case; a moderator
cannot open it (404). axe checks every page visited."""
from __future__ import annotations

from datetime import datetime

from community.extensions import db
from community.models import AgeBand, Audience, Board, Role
from community.models.safeguarding import RotaEntry

LIVE_TIMEOUT = 30_000  # ms; the first post also warms the server's screening models


def test_a_disclosure_reaches_the_leads_dashboard_live_and_is_closed(app, make_user, new_page):
    board = Board(slug="e2e-just-chat", name="Just chat", description="Talk about anything.", rules="Be kind.",
                  audience=Audience.YOUNG_PEOPLE.value)
    db.session.add(board)
    young = make_user(Role.YOUNG_PERSON, band=AgeBand.YOUNG_PERSON, username="sam_e2e")
    lead = make_user(Role.SAFEGUARDING_LEAD, username="lead_e2e")
    moderator = make_user(Role.MODERATOR, username="mod_sg_e2e")
    db.session.add(RotaEntry(user_id=lead.id, role="duty", starts_at=datetime(2020, 1, 1),
                             ends_at=datetime(2040, 1, 1)))
    db.session.commit()

    l = new_page()
    l.sign_in(lead.username)
    l.goto("/safeguarding/")
    l.page.wait_for_selector("#live-status:has-text('Live')", timeout=LIVE_TIMEOUT)

    y = new_page()
    y.sign_in(young.username)
    y.goto(f"/boards/{board.slug}/new")
    y.page.fill("#title", "Tonight")
    y.page.fill("#body", "I can't do this anymore. I'm going to kill myself tonight, I have the pills ready.")
    with y.page.expect_navigation():
        y.page.click("button:has-text('Post thread')")
    y.page.wait_for_selector("text=You can talk to someone now")
    assert y.page.locator("a[href='tel:08001111']").count() >= 1
    y.axe()

    # The lead's open dashboard shows the case without a reload: a row, an alert and the page title.
    row = l.page.wait_for_selector("#case-rows tr.village-case--new", timeout=LIVE_TIMEOUT)
    case_id = int(row.get_attribute("data-case-id"))
    l.page.wait_for_selector("#live-alert:has-text('New Urgent case')")
    assert l.page.title().startswith("(1) New case")
    l.axe()

    l.page.click(f"#case-{case_id} a")
    l.page.wait_for_load_state("load")
    assert "kill myself tonight" in l.page.inner_text("#snapshot")
    l.axe()
    with l.page.expect_navigation():
        l.page.click("button:has-text('Acknowledge this case')")
    l.page.wait_for_selector("#case-state:has-text('Acknowledged')")
    l.page.click("summary:has-text('Record an action')")
    l.page.select_option("#kind", "social_care")
    l.page.fill("#reference", "MASH-E2E-7")
    l.page.fill("#rationale", "Immediate risk to life disclosed; parents not yet aware.")
    with l.page.expect_navigation():
        l.page.click("button:has-text('Record the action')")
    l.page.wait_for_selector("text=(reference MASH-E2E-7)")
    l.page.check("input[name=reason][value=referred_on]")
    l.page.fill("#outcome", "MASH took the referral and visited the same evening.")
    with l.page.expect_navigation():
        l.page.click("button:has-text('Close the case')")
    l.page.wait_for_selector("#case-state:has-text('Closed')")
    l.axe()
    l.goto(f"/safeguarding/cases/{case_id}/print")

    m = new_page()
    m.sign_in(moderator.username)
    assert m.page.goto(m.base_url + f"/safeguarding/cases/{case_id}").status == 404
