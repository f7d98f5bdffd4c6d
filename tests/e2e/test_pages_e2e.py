"""A person registers, signs in and finds their boards in a real browser; axe checks every page."""
from __future__ import annotations

from datetime import date

from community import clock
from community.extensions import db
from community.forums import service
from community.models import Audience, Board, Role
from tests.e2e.conftest import LONGEST_BOARD_NAME, LONGEST_TITLE, LONGEST_USERNAME


def add_boards():
    for audience in Audience:
        db.session.add(Board(slug=f"e2e-{audience.value}", name=f"{audience.label} chat",
                             description="Talk with people like you.", audience=audience.value))
    db.session.commit()


def register(page, username: str, born: date) -> None:
    page.goto("/register")
    p = page.page
    p.fill("#username", username)
    p.fill("#email", f"{username}@example.org")
    p.fill("#birth_day", str(born.day))
    p.fill("#birth_month", str(born.month))
    p.fill("#birth_year", str(born.year))
    p.fill("#password", "a long enough password")
    p.fill("#confirm", "a long enough password")
    p.click("button:has-text('Create account')")
    p.wait_for_load_state("load")
    page.axe()


def test_public_pages_pass_axe(page):
    for path in ("/", "/help", "/login", "/register", "/reset-password", "/no-such-page"):
        page.goto(path)
    assert page.page.locator("a.village-help-link").is_visible()


def test_error_summary_passes_axe_and_links_to_fields(page):
    page.goto("/register")
    page.page.click("button:has-text('Create account')")
    page.page.wait_for_load_state("load")
    page.axe()
    summary = page.page.locator(".govuk-error-summary")
    assert summary.is_visible()
    summary.locator("a").first.click()
    assert page.page.evaluate("document.activeElement.id") == "username"


def test_young_person_registers_and_sees_only_youth_boards(app, page):
    add_boards()
    register(page, "sky_walker", date(clock.today().year - 15, 4, 2))
    p = page.page
    assert "Hello, sky_walker" in p.content()
    assert p.locator("text=Young people (13 to 17) chat").count() == 1
    assert p.locator("text=Parents and carers chat").count() == 0
    page.goto("/boards/e2e-parents")
    assert "Page not found" in p.content()


def test_under_13_sees_a_kind_page(page):
    register(page, "little_one", date(clock.today().year - 10, 1, 1))
    assert "Village is for people aged 13 and over" in page.page.content()


def test_keyboard_only_sign_in_and_skip_link(app, page, make_user):
    add_boards()
    user = make_user(Role.PARENT_CARER, username="keyboard_kim")
    page.goto("/login")
    p = page.page
    p.keyboard.press("Tab")
    assert p.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    p.keyboard.press("Enter")
    # Tab through to the username field without a mouse.
    for _ in range(12):
        p.keyboard.press("Tab")
        if p.evaluate("document.activeElement.id") == "login":
            break
    assert p.evaluate("document.activeElement.id") == "login"
    p.keyboard.type(user.username)
    p.keyboard.press("Tab")
    from tests.conftest import TEST_PASSWORD

    p.keyboard.type(TEST_PASSWORD)
    with p.expect_navigation():
        p.keyboard.press("Enter")
    page.axe()
    assert "Hello, keyboard_kim" in p.content()
    assert p.locator("text=Parents and carers chat").count() == 1


def test_signed_in_pages_pass_axe_for_staff(app, page, make_user):
    add_boards()
    # The longest name, board name and title the forms accept, each one unbroken word (reflow, 1.4.10).
    admin = make_user(Role.ADMIN, username=LONGEST_USERNAME)
    youth = db.session.scalar(db.select(Board).where(Board.slug == "e2e-young_people"))
    db.session.add(Board(slug="e2e-longest", name=LONGEST_BOARD_NAME, description=LONGEST_BOARD_NAME,
                         audience=Audience.YOUNG_PEOPLE.value))
    db.session.commit()
    service.start_thread(admin, youth, LONGEST_TITLE, "Say hello and tell us what you like doing.")
    page.sign_in(admin.username)
    shows = {"/boards/": LONGEST_BOARD_NAME, "/boards/e2e-young_people": LONGEST_TITLE,
             "/admin/people": LONGEST_USERNAME, f"/admin/people/{admin.id}": LONGEST_USERNAME}
    for path in ("/", "/help", "/boards/", "/boards/e2e-young_people", "/admin/people",
                 f"/admin/people/{admin.id}", "/profile"):
        page.goto(path)  # axe, and no sideways scroll at 320px with these words on the page
        assert shows.get(path, "") in page.page.content(), path
    page.page.fill("#about", "x" * 600)
    page.page.click("button:has-text('Save profile')")
    page.page.wait_for_load_state("load")
    page.axe()
