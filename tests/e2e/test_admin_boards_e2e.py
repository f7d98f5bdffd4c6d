"""A coordinator changes a board's slow mode and rules with the keyboard alone; axe checks every page."""
from __future__ import annotations

from community.extensions import db
from community.models import Audience, Board, Role
from tests.e2e.conftest import LONGEST_BOARD_NAME


def tab_to(p, matches: str, limit: int = 60) -> None:
    """Press Tab until `matches` (a JS expression about `el`, the focused element) is true."""
    for _ in range(limit):
        p.keyboard.press("Tab")
        if p.evaluate(f"(() => {{ const el = document.activeElement; return !!el && ({matches}); }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {matches}")


def test_coordinator_edits_slow_mode_and_rules_by_keyboard(app, page, make_user):
    board = Board(slug="e2e-admin-young-chat", name="Young people's chat", description="Talk about anything.",
                  rules="Be kind.", audience=Audience.YOUNG_PEOPLE.value)
    # The longest board name the form accepts, one unbroken word, in the list (reflow at 320px).
    db.session.add_all([board, Board(slug="e2e-admin-longest", name=LONGEST_BOARD_NAME, description="Long.",
                                     rules="Be kind.", audience=Audience.PARENTS.value, position=1)])
    db.session.commit()
    coordinator = make_user(Role.COORDINATOR, username="kbd_coordinator")
    page.sign_in(coordinator.username)
    p = page.page

    # From the menu to the boards list, by keyboard.
    page.goto("/")
    tab_to(p, "el.getAttribute('href') === '/admin/boards'")
    with p.expect_navigation():
        p.keyboard.press("Enter")
    page.axe()
    assert "Manage boards" in p.title() and LONGEST_BOARD_NAME in p.content()

    tab_to(p, f"el.getAttribute('href') === '/admin/boards/{board.slug}'")
    with p.expect_navigation():
        p.keyboard.press("Enter")
    page.axe()

    # New rules, and a slow mode that is not a number: the form says so kindly and keeps both.
    tab_to(p, "el.id === 'rules'")
    p.keyboard.press("Control+A")
    p.keyboard.type("Be **kind** to each other.")
    p.keyboard.press("Enter")
    p.keyboard.press("Enter")
    p.keyboard.type("- Take turns")
    p.keyboard.press("Tab")
    assert p.evaluate("document.activeElement.id") == "slow_mode"
    p.keyboard.press("Control+A")
    p.keyboard.type("half a minute")
    with p.expect_navigation():
        p.keyboard.press("Enter")
    page.axe()
    summary = p.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Enter slow mode as a whole number of seconds, like 30." in summary.inner_text()
    assert p.input_value("#slow_mode") == "half a minute"
    assert p.input_value("#rules") == "Be **kind** to each other.\n\n- Take turns"

    # The error summary's link takes the keyboard to the field.
    tab_to(p, "el.closest('.govuk-error-summary') !== null && el.tagName === 'A'")
    p.keyboard.press("Enter")
    p.wait_for_function("document.activeElement.id === 'slow_mode'")
    p.keyboard.press("Control+A")
    p.keyboard.type("45")
    with p.expect_navigation():
        p.keyboard.press("Enter")
    page.axe()
    assert "Your changes to Young people's chat have been saved." in p.content()
    row = p.locator("tr", has_text="Young people's chat")
    assert "45 seconds" in row.inner_text()

    # The board shows the rules through the sanitiser, and the slow mode.
    page.goto(f"/boards/{board.slug}")
    tab_to(p, "el.tagName === 'SUMMARY'")
    p.keyboard.press("Enter")
    rules = p.locator(".govuk-details__text")
    assert rules.is_visible()
    assert rules.locator("strong").inner_text() == "kind"
    assert rules.locator("li").inner_text() == "Take turns"
    assert "post once every 45 seconds" in p.content()
    page.axe()
    db.session.expire_all()
    saved = db.session.get(Board, board.id)
    assert saved.slow_mode_seconds == 45 and saved.audience == Audience.YOUNG_PEOPLE.value


def test_create_board_page_and_its_errors_pass_axe(app, page, make_user):
    admin = make_user(Role.ADMIN, username="axe_board_admin")
    page.sign_in(admin.username)
    page.goto("/admin/boards/new")
    p = page.page
    p.fill("#name", "Dads' evening")
    p.fill("#slow_mode", "-5")
    with p.expect_navigation():
        p.click("button:has-text('Create board')")
    page.axe()
    text = p.locator(".govuk-error-summary").inner_text()
    assert "Choose who the board is for." in text and "between 0 and 3,600 seconds" in text
    p.select_option("#audience", "parents")
    p.fill("#slow_mode", "0")
    with p.expect_navigation():
        p.click("button:has-text('Create board')")
    page.axe()
    assert "The board Dads' evening has been made." in p.content()
    assert db.session.scalar(db.select(Board).where(Board.slug == "dads-evening")).audience == "parents"
