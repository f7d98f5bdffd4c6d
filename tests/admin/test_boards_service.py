"""The boards admin service: every rule about changing or making a board, without HTTP."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select

from community import clock
from community.admin import boards as service
from community.extensions import db
from community.models import Audience, Board, Role, Thread

GOOD = {"name": "Sunday club", "description": "For a quiet chat.", "rules": "Be **kind**.",
        "slow_mode": "30", "position": "4"}


def update(board, by, **changes):
    return service.update_board(board, by=by, **dict(GOOD, **changes))


def create(by, **changes):
    fields = dict(GOOD, audience="parents", area="")
    fields.update(changes)
    return service.create_board(by=by, **fields)


def refused(call, *args, **kwargs) -> service.BoardError:
    with pytest.raises(service.BoardError) as caught:
        call(*args, **kwargs)
    return caught.value


def test_update_saves_every_field_and_keeps_the_audience(app, make_board, coordinator):
    board = make_board(Audience.YOUNG_PEOPLE)
    update(board, coordinator, name="  Sunday club ", slow_mode="120", position="7", rules="- one\r\n- two")
    db.session.expire_all()
    board = db.session.get(Board, board.id)
    assert (board.name, board.description, board.slow_mode_seconds, board.position) == (
        "Sunday club", "For a quiet chat.", 120, 7)
    assert board.rules == "- one\n- two"
    assert board.audience == Audience.YOUNG_PEOPLE.value


@pytest.mark.parametrize("typed", ["0", "3600", " 45 ", "+5"])
def test_slow_mode_accepts_whole_seconds_up_to_an_hour(app, make_board, coordinator, typed):
    board = make_board(slow_mode_seconds=99)
    update(board, coordinator, slow_mode=typed)
    assert board.slow_mode_seconds == int(typed)


@pytest.mark.parametrize("typed,words", [
    ("", "Enter slow mode in seconds"),
    ("abc", "whole number of seconds"),
    ("1.5", "whole number of seconds"),
    ("1e3", "whole number of seconds"),
    ("thirty", "whole number of seconds"),
    ("３０", "whole number of seconds"),
    ("-1", "between 0 and 3,600 seconds"),
    ("3601", "between 0 and 3,600 seconds"),
    ("99999999999", "between 0 and 3,600 seconds"),
    ("9" * 400, "whole number of seconds"),
    ("3\x000", "hidden characters"),
])
def test_slow_mode_refuses_anything_else_and_keeps_what_was_typed(app, make_board, coordinator, typed, words):
    board = make_board(slow_mode_seconds=10)
    error = refused(update, board, coordinator, slow_mode=typed, rules="New rules I typed")
    assert set(error.errors) == {"slow_mode"} and words in error.errors["slow_mode"]
    assert error.status == 400
    assert error.kept["rules"] == "New rules I typed"
    assert error.kept["slow_mode"] == typed.replace("\x00", "").strip()
    db.session.expire_all()
    assert db.session.get(Board, board.id).slow_mode_seconds == 10
    assert db.session.get(Board, board.id).rules == "Be kind."


@pytest.mark.parametrize("typed", ["", "x", "-3", "10000"])
def test_position_is_a_whole_number_from_zero(app, make_board, coordinator, typed):
    error = refused(update, make_board(), coordinator, position=typed)
    assert set(error.errors) == {"position"}


def test_rules_longer_than_the_limit_are_refused_and_kept(app, make_board, coordinator):
    board = make_board()
    long_rules = "Be kind to each other. " * 500  # 11,500 characters
    error = refused(update, board, coordinator, rules=long_rules)
    assert "5,000 characters or fewer" in error.errors["rules"]
    assert error.kept["rules"] == long_rules.strip()
    assert update(board, coordinator, rules="a" * service.RULES_MAX).rules == "a" * service.RULES_MAX


@pytest.mark.parametrize("name,words", [("", "Enter a name"), ("ab", "at least 3"), ("n" * 121, "120 characters or fewer"),
                                        ("two\nlines", "one line")])
def test_names_are_checked(app, make_board, coordinator, name, words):
    error = refused(update, make_board(), coordinator, name=name)
    assert words in error.errors["name"]


def test_description_has_a_limit(app, make_board, coordinator):
    error = refused(update, make_board(), coordinator, description="d" * 401)
    assert "400 characters or fewer" in error.errors["description"]


def test_control_characters_are_refused_with_the_cleaned_text_kept(app, make_board, coordinator):
    board = make_board()
    error = refused(update, board, coordinator, rules="Keep it\x07 friend\x00ly\x1b.", description="Hello\x08 there")
    assert set(error.errors) == {"rules", "description"}
    assert "hidden characters" in error.errors["rules"]
    assert error.kept["rules"] == "Keep it friendly."
    assert error.kept["description"] == "Hello there"
    # Saving the cleaned text (what the form now shows) works.
    update(board, coordinator, rules=error.kept["rules"], description=error.kept["description"])
    assert board.rules == "Keep it friendly."


def test_every_problem_is_reported_at_once(app, make_board, coordinator):
    error = refused(update, make_board(), coordinator, name="", slow_mode="soon", position="-1", rules="r" * 6000)
    assert set(error.errors) == {"name", "slow_mode", "position", "rules"}


def test_words_the_screen_would_hold_need_rewording(app, make_board, coordinator):
    """The real screen: contact details in a young people's board are held, so they are not saved."""
    board = make_board(Audience.YOUNG_PEOPLE)
    text = "Text me on 07700 900123 or add me on snapchat @coolguy99"
    error = refused(update, board, coordinator, description=text)
    assert error.errors == {"description": service.REWORD}
    assert error.kept["description"] == text
    db.session.expire_all()
    assert db.session.get(Board, board.id).description == "A board for tests."


@pytest.mark.parametrize("action", ["hold", "escalate", "reject", "publish_and_flag"])
def test_only_a_clean_verdict_is_saved(app, make_board, coordinator, verdict, action):
    board = make_board()
    asked = verdict(action, show_helplines=action == "escalate")
    error = refused(update, board, coordinator, rules="New rules", description="New words")
    assert error.errors == {"name": service.REWORD, "rules": service.REWORD, "description": service.REWORD}
    assert error.kept["rules"] == "New rules"
    assert error.helplines is (action == "escalate")
    assert {text for text, _ in asked} == {"New rules", "New words", "Sunday club"}
    _, context = asked[0]
    assert context.audience == "parents" and context.kind == "group_description" and context.author_age_band == "adult"
    assert board.rules == "Be kind."


def test_screening_sees_the_boards_audience(app, make_board, coordinator, verdict):
    asked = verdict("publish")
    update(make_board(Audience.YOUNG_ADULTS), coordinator)
    assert {context.audience for _, context in asked} == {"young_adults"}


def test_text_already_on_the_board_is_not_screened_again(app, make_board, coordinator, verdict):
    board = make_board(rules="Old rules", name="Old name")
    board.description = "Old words"
    db.session.commit()
    asked = verdict("hold")
    update(board, coordinator, name="Old name", description="Old words", rules="Old rules", slow_mode="60")
    assert asked == [] and board.slow_mode_seconds == 60


def test_only_coordinators_and_admins_manage_boards(app, make_board, make_user):
    board = make_board()
    for role in (Role.PARENT_CARER, Role.MODERATOR, Role.SAFEGUARDING_LEAD, Role.ORGANISER, Role.MENTOR):
        person = make_user(role)
        assert refused(update, board, person).status == 403
        assert refused(create, person).status == 403
    assert board.name != "Sunday club"
    assert db.session.scalar(select(Board).where(Board.slug == "sunday-club")) is None
    assert update(board, make_user(Role.ADMIN)).name == "Sunday club"


def test_create_derives_a_unique_slug(app, coordinator):
    first = create(coordinator, name="Just chat!")
    second = create(coordinator, name="Just   CHAT", audience="young_people")
    third = create(coordinator, name="Jüst chat", audience="young_adults")
    assert [first.slug, second.slug, third.slug] == ["just-chat", "just-chat-2", "just-chat-3"]
    assert (second.audience, second.slow_mode_seconds, second.position) == ("young_people", 30, 4)


def test_slugs_never_take_a_pages_address(app, coordinator):
    assert create(coordinator, name="Search").slug == "search-board"
    assert create(coordinator, name="New").slug == "new-board"
    assert create(coordinator, name="Notifications").slug == "notifications-board"
    assert create(coordinator, name="   ###   ").slug == "board"


def test_create_in_an_area(app, coordinator, areas):
    board = create(coordinator, area=str(areas["district"].id))
    assert board.area_id == areas["district"].id


@pytest.mark.parametrize("audience", ["", "everyone", "adults", None])
def test_create_needs_a_real_audience(app, coordinator, audience):
    error = refused(create, coordinator, audience=audience)
    assert error.errors == {"audience": "Choose who the board is for."}


@pytest.mark.parametrize("area", ["999999", "abc", "1" * 40, "-1"])
def test_create_needs_a_real_area(app, coordinator, area):
    error = refused(create, coordinator, area=area)
    assert set(error.errors) == {"area"}
    assert db.session.scalar(select(Board)) is None


def test_create_screens_the_new_text(app, coordinator, verdict):
    asked = verdict("hold")
    error = refused(create, coordinator, audience="young_people")
    assert set(error.errors) == {"name", "description", "rules"}
    assert {context.audience for _, context in asked} == {"young_people"}
    assert db.session.scalar(select(Board)) is None


def test_area_choices_show_the_path(app, areas):
    choices = service.area_choices()
    assert choices[0][0] == ""
    assert (str(areas["district"].id), "Wendleshire > Ashby") in choices
    assert (str(areas["county"].id), "Wendleshire") in choices


def test_listing_groups_by_audience_then_area_with_thread_counts(app, make_board, make_user, areas):
    district = areas["district"]
    young = make_board(Audience.YOUNG_PEOPLE, name="Young chat")
    local = make_board(Audience.PARENTS, name="Ashby parents", area=district)
    second = make_board(Audience.PARENTS, name="All parents B", position=2)
    first = make_board(Audience.PARENTS, name="All parents A", position=1)
    adults = make_board(Audience.YOUNG_ADULTS, name="Adults chat")
    author = make_user(Role.PARENT_CARER)
    for title in ("One", "Two", "Three"):
        db.session.add(Thread(board_id=first.id, author_id=author.id, title=title))
    db.session.add(Thread(board_id=local.id, author_id=author.id, title="Deleted", deleted_at=clock.utcnow()))
    db.session.commit()

    listing = service.boards_page()
    shape = [(g.audience, g.area.name if g.area else None, [b.name for b in g.boards]) for g in listing.groups]
    assert shape == [
        (Audience.PARENTS, None, ["All parents A", "All parents B"]),
        (Audience.PARENTS, "Ashby", ["Ashby parents"]),
        (Audience.YOUNG_PEOPLE, None, ["Young chat"]),
        (Audience.YOUNG_ADULTS, None, ["Adults chat"]),
    ]
    assert listing.thread_counts.get(first.id) == 3
    assert listing.thread_counts.get(local.id, 0) == 0  # deleted threads are not counted
    assert listing.thread_counts.get(second.id, 0) == 0 and young and adults


def test_listing_makes_the_same_number_of_queries_for_many_boards(app, make_board, areas):
    def queries_for_listing() -> int:
        count = [0]

        def counter(*args):
            count[0] += 1

        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            listing = service.boards_page()
            for group in listing.groups:
                for board in group.boards:
                    _ = board.area.name if board.area else None
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)
        return count[0]

    make_board(area=areas["district"])
    db.session.expire_all()
    few = queries_for_listing()
    for n in range(20):
        make_board(Audience.YOUNG_PEOPLE if n % 2 else Audience.PARENTS, area=areas["county"] if n % 3 else None)
    db.session.expire_all()
    assert queries_for_listing() == few


def test_listing_paginates(app, make_board):
    for _ in range(5):
        make_board()
    page = service.boards_page(page=2, per_page=2)
    assert page.page.total == 5 and page.page.pages == 3
    assert sum(len(g.boards) for g in page.groups) == 2
