"""The boards admin pages over HTTP: what a coordinator sees, what they can change, and what bad input gets."""
from __future__ import annotations

import html

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from community.admin import boards as service
from community.extensions import db
from community.models import Audience, Board, Role, Thread
from tests.conftest import login

FORM = {"name": "Sunday club", "description": "For a quiet chat.", "rules": "Be **kind**.\n\n- No <b>shouting</b>",
        "slow_mode": "30", "position": "4"}


@pytest.fixture
def staff(app, coordinator):
    c = app.test_client()
    login(c, coordinator)
    return c


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_list_groups_boards_by_audience_and_area(staff, make_board, make_user, areas):
    local = make_board(Audience.PARENTS, name="Ashby parents", area=areas["district"], slow_mode_seconds=45)
    make_board(Audience.YOUNG_PEOPLE, name="Just chat")
    make_board(Audience.YOUNG_ADULTS, name="Adults chat")
    author = make_user(Role.PARENT_CARER)
    db.session.add_all([Thread(board_id=local.id, author_id=author.id, title=t) for t in ("One", "Two")])
    db.session.commit()

    response = staff.get("/admin/boards")
    assert response.status_code == 200
    text = page_text(response)
    positions = [text.index(words) for words in (
        "Parents and carers</h2>", "Ashby parents", "Young people (13 to 17)</h2>", "Just chat",
        "Young adults (18 to 25)</h2>", "Adults chat")]
    assert positions == sorted(positions)
    row = text[text.index("Ashby parents"):]
    row = row[:row.index("</tr>")]
    assert "Ashby" in row and "45 seconds" in row and ">2</td>" in row
    assert f'href="/admin/boards/{local.slug}"' in row
    assert "Off" in text  # the boards without slow mode
    assert 'href="/admin/boards/new"' in text


def test_staff_see_the_link_and_others_do_not(app, staff, client_for):
    assert 'href="/admin/boards"' in staff.get("/").get_data(as_text=True)
    for role in (Role.PARENT_CARER, Role.MODERATOR, Role.SAFEGUARDING_LEAD):
        other, _ = client_for(role)
        assert 'href="/admin/boards"' not in other.get("/").get_data(as_text=True)


def test_edit_form_shows_the_board(staff, make_board):
    board = make_board(Audience.YOUNG_PEOPLE, name="Just chat", slow_mode_seconds=20, rules="Be kind & fair.")
    text = page_text(staff.get(f"/admin/boards/{board.slug}"))
    assert 'value="Just chat"' in text and 'value="20"' in text and "Be kind & fair.</textarea>" in text
    assert "Young people (13 to 17)" in text and "cannot be changed" in text
    assert 'name="audience"' not in text


def test_saving_changes_the_board_and_the_board_page_shows_it(app, staff, make_board, client_for):
    board = make_board(Audience.PARENTS)
    response = staff.post(f"/admin/boards/{board.slug}", data=FORM)
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/boards")
    assert "have been saved" in page_text(staff.get("/admin/boards"))
    db.session.expire_all()
    board = db.session.get(Board, board.id)
    assert (board.name, board.slow_mode_seconds, board.position) == ("Sunday club", 30, 4)

    parent, _ = client_for(Role.PARENT_CARER)
    shown = parent.get(f"/boards/{board.slug}").get_data(as_text=True)
    # The rules go through the one sanitiser: Markdown-lite becomes HTML, typed tags stay text.
    assert "<strong>kind</strong>" in shown and "<li>No &lt;b&gt;shouting&lt;/b&gt;</li>" in shown
    assert "<b>shouting</b>" not in shown
    assert "post once every 30 seconds" in shown


def test_the_audience_cannot_be_changed(staff, make_board):
    board = make_board(Audience.YOUNG_PEOPLE)
    response = staff.post(f"/admin/boards/{board.slug}", data=dict(FORM, audience="parents", area="1"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Board, board.id).audience == "young_people"


@pytest.mark.parametrize("typed,words", [
    ("soon", "Enter slow mode as a whole number of seconds, like 30."),
    ("2.5", "Enter slow mode as a whole number of seconds, like 30."),
    ("-10", "Slow mode must be between 0 and 3,600 seconds (one hour)."),
    ("3601", "Slow mode must be between 0 and 3,600 seconds (one hour)."),
    ("100000000000000000000000", "Enter slow mode as a whole number of seconds, like 30."),
    ("", "Enter slow mode in seconds."),
])
def test_bad_slow_mode_gets_a_kind_message_and_keeps_what_was_typed(staff, make_board, typed, words):
    board = make_board(slow_mode_seconds=5)
    response = staff.post(f"/admin/boards/{board.slug}", data=dict(FORM, slow_mode=typed, rules="My new rules"))
    assert response.status_code == 400
    text = page_text(response)
    assert "There is a problem" in text and words in text
    assert 'href="#slow_mode"' in text  # the error summary links to the field
    assert f'id="slow_mode" name="slow_mode" type="text" value="{typed}"' in text
    assert "My new rules</textarea>" in text and 'value="Sunday club"' in text
    assert text.count("<title>Error: ") == 1
    db.session.expire_all()
    assert db.session.get(Board, board.id).slow_mode_seconds == 5


def test_very_long_rules_get_a_kind_message_and_are_kept(staff, make_board):
    board = make_board()
    rules = "Please be kind to everyone here. " * 320  # 10,560 characters
    response = staff.post(f"/admin/boards/{board.slug}", data=dict(FORM, rules=rules))
    assert response.status_code == 400
    text = page_text(response)
    assert "The rules must be 5,000 characters or fewer. They have 10,559." in text
    assert rules.strip() + "</textarea>" in text
    db.session.expire_all()
    assert db.session.get(Board, board.id).rules == "Be kind."


def test_control_characters_get_a_kind_message_and_the_text_is_kept(staff, make_board):
    board = make_board()
    response = staff.post(f"/admin/boards/{board.slug}",
                          data=dict(FORM, rules="Be kind\x00 to\x07 everyone\x1b.", description="Hi\x08 all"))
    assert response.status_code == 400
    text = page_text(response)
    assert "hidden characters" in text
    assert "Be kind to everyone.</textarea>" in text and "Hi all</textarea>" in text
    assert "\x00" not in text
    db.session.expire_all()
    assert db.session.get(Board, board.id).rules == "Be kind."


def test_text_the_screen_would_hold_needs_rewording(staff, make_board):
    board = make_board(Audience.YOUNG_PEOPLE)
    rules = "Message me on 07700 900123 or add me on snapchat @coolguy99 for help"
    response = staff.post(f"/admin/boards/{board.slug}", data=dict(FORM, rules=rules))
    assert response.status_code == 400
    text = page_text(response)
    assert service.REWORD in text and rules + "</textarea>" in text
    db.session.expire_all()
    assert db.session.get(Board, board.id).rules == "Be kind."


def test_an_escalating_verdict_also_shows_helplines(staff, make_board, verdict):
    board = make_board()
    verdict("escalate", show_helplines=True)
    response = staff.post(f"/admin/boards/{board.slug}", data=FORM)
    assert response.status_code == 400
    text = page_text(response)
    assert service.REWORD in text and "You can talk to someone now" in text


def test_unknown_board_is_404(staff):
    assert staff.get("/admin/boards/no-such-board").status_code == 404
    assert staff.post("/admin/boards/no-such-board", data=FORM).status_code == 404


def test_a_huge_request_is_413(app, staff, make_board):
    board = make_board()
    response = staff.post(f"/admin/boards/{board.slug}",
                          data=dict(FORM, rules="a" * (app.config["MAX_CONTENT_LENGTH"] + 10)))
    assert response.status_code == 413


def test_create_a_board(staff, areas):
    form = staff.get("/admin/boards/new")
    text = page_text(form)
    assert form.status_code == 200
    assert '<option value="young_people">Young people (13 to 17)</option>' in text
    assert "Wendleshire > Ashby</option>" in text
    response = staff.post("/admin/boards/new", data=dict(FORM, name="Ashby dads", audience="parents",
                                                         area=str(areas["district"].id)))
    assert response.status_code == 302
    board = db.session.scalar(select(Board).where(Board.slug == "ashby-dads"))
    assert board is not None and board.audience == "parents" and board.area_id == areas["district"].id
    assert "The board Ashby dads has been made." in page_text(staff.get("/admin/boards"))


def test_create_with_problems_keeps_every_choice(staff, areas):
    area_id = str(areas["district"].id)
    response = staff.post("/admin/boards/new", data=dict(FORM, name="Dads", audience="", area=area_id,
                                                         slow_mode="lots"))
    assert response.status_code == 400
    text = page_text(response)
    assert "Choose who the board is for." in text and "whole number of seconds" in text
    assert f'<option value="{area_id}" selected>' in text and 'value="lots"' in text and 'value="Dads"' in text
    assert db.session.scalar(select(Board)) is None


any_text = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["", " ", "\x00", "\u200b", "-1", "1e309", "99999999999999999999", "<script>x</script>",
                     "３６００", "%00", "\r\n", "x" * 12_000]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.dictionaries(st.sampled_from(["name", "description", "rules", "slow_mode", "position",
                                             "audience", "area"]), any_text))
def test_whatever_is_sent_the_answer_is_never_500(app, coordinator, make_board, data):
    c = app.test_client()
    login(c, coordinator)
    board = make_board()
    for url in (f"/admin/boards/{board.slug}", "/admin/boards/new"):
        response = c.post(url, data=data)
        assert response.status_code in (302, 400), (url, response.status_code)
