"""Boards, as coordinators and admins manage them: list, create, edit.

Every rule lives here; the admin views only read forms and show the answer. Text a person writes
(name, description, rules) goes through the same screening door as a profile's "about" text
(`community.screening`): only a clean verdict is saved, because board text is shown without review.

A board's audience is fixed when it is made: audiences never mix, so a board cannot move from
parents to young people (or back) with its threads in it. Its area is fixed too.

Every change and new board is written to the staff log (community.review.stafflog) in its transaction.
"""
from __future__ import annotations

import itertools
import logging
import re
import unicodedata
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from community.extensions import db
from community.forms import clean_text
from community.models import Area, Audience, Board, Role, Thread, User
from community.review.stafflog import log_staff_action
from community.screening import allowed_as_name, context_for, screen_text

log = logging.getLogger(__name__)

NAME_MIN, NAME_MAX = 3, 120          # boards.name is String(120)
DESCRIPTION_MAX = 400                # boards.description is String(400)
RULES_MAX = 5000
SLOW_MODE_MAX = 3600                 # one hour
POSITION_MAX = 9999
SLUG_MAX = 80                        # boards.slug is String(80)
PAGE_SIZE = 50

AUDIENCE_ORDER = [Audience.PARENTS, Audience.YOUNG_PEOPLE, Audience.YOUNG_ADULTS]

REWORD = ("This needs rewording before it can go on the board. Please leave out contact details "
          "and words that could upset or worry people.")
HIDDEN_CHARACTERS = ("We took out some hidden characters that cannot be shown on a page. "
                     "Check the text, then save again.")


class BoardError(Exception):
    """Something the person can fix. `errors` maps form fields to plain-English messages; `kept` is the
    cleaned text to show back in the form, so nothing typed is lost."""

    def __init__(self, errors: dict[str, str], kept: dict[str, str] | None = None, *,
                 status: int = 400, helplines: bool = False):
        super().__init__("; ".join(errors.values()))
        self.errors = errors
        self.kept = kept or {}
        self.status = status
        self.helplines = helplines


def may_manage_boards(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.has_role(Role.ADMIN, Role.COORDINATOR))


def _check_may_manage(user: User) -> None:
    if not may_manage_boards(user):
        raise BoardError({"name": "Only coordinators and administrators can manage boards."}, status=403)


# --- reading ---------------------------------------------------------------------------------------

def board_by_slug(slug: str) -> Board | None:
    return db.session.scalar(select(Board).where(Board.slug == slug).options(selectinload(Board.area)))


@dataclass
class BoardGroup:
    audience: Audience
    area: Area | None
    boards: list[Board]


@dataclass
class BoardsPage:
    page: object  # a Flask-SQLAlchemy Pagination of boards
    groups: list[BoardGroup]
    thread_counts: dict[int, int]


def _audience_rank():
    return case({a.value: i for i, a in enumerate(AUDIENCE_ORDER)}, value=Board.audience, else_=len(AUDIENCE_ORDER))


def boards_page(page: int = 1, per_page: int = PAGE_SIZE) -> BoardsPage:
    """Boards grouped by audience, then area (boards for everywhere first), with their thread counts.
    Three queries whatever the page size: the count, the boards with their areas, the thread counts."""
    query = (select(Board).outerjoin(Area, Board.area_id == Area.id).options(selectinload(Board.area))
             .order_by(_audience_rank(), Area.name.is_not(None), Area.name, Area.id, Board.position, Board.name))
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    ids = [b.id for b in pagination.items]
    counts = dict(db.session.execute(
        select(Thread.board_id, func.count(Thread.id))
        .where(Thread.board_id.in_(ids), Thread.deleted_at.is_(None)).group_by(Thread.board_id)
    ).all()) if ids else {}
    groups = [BoardGroup(Audience(audience), boards[0].area, boards)
              for (audience, _), boards in ((key, list(items)) for key, items in
                                            itertools.groupby(pagination.items, key=lambda b: (b.audience, b.area_id)))]
    return BoardsPage(pagination, groups, counts)


def audience_choices() -> list[tuple[str, str]]:
    return [(a.value, a.label) for a in AUDIENCE_ORDER]


def area_choices() -> list[tuple[str, str]]:
    """Every area as "County > Quadrant > District", in that order; one query."""
    areas = list(db.session.scalars(select(Area)))
    by_id = {a.id: a for a in areas}

    def path(area: Area) -> list[str]:
        names, seen = [], set()
        while area is not None and area.id not in seen:
            seen.add(area.id)
            names.append(area.name)
            area = by_id.get(area.parent_id) if area.parent_id else None
        return names[::-1]

    labelled = sorted(((path(a), a.id) for a in areas), key=lambda item: [n.lower() for n in item[0]])
    return [("", "No area: everyone in the audience")] + [(str(i), " > ".join(p)) for p, i in labelled]


def area_label(area: Area | None) -> str:
    return area.name if area is not None else "Everywhere"


# --- checking what was typed -------------------------------------------------------------------------

def _has_hidden_characters(raw: str) -> bool:
    return any(ch not in "\n\r\t" and unicodedata.category(ch) in {"Cc", "Cs"} for ch in raw)


def _text(raw: str | None, field: str, errors: dict[str, str], kept: dict[str, str]) -> str:
    raw = raw if isinstance(raw, str) else ""
    text = clean_text(raw)
    kept[field] = text
    if _has_hidden_characters(raw):
        errors[field] = HIDDEN_CHARACTERS
    return text


def _whole_number(raw: str | None, field: str, low: int, high: int, messages: dict[str, str],
                  errors: dict[str, str], kept: dict[str, str]) -> int:
    text = _text(raw, field, errors, kept)
    if field in errors:  # hidden characters
        return low
    if not text:
        errors[field] = messages["missing"]
        return low
    if not re.fullmatch(r"[+-]?[0-9]{1,12}", text):
        errors[field] = messages["not_number"]
        return low
    value = int(text)
    if not low <= value <= high:
        errors[field] = messages["range"]
        return low
    return value


SLOW_MODE_MESSAGES = {
    "missing": "Enter slow mode in seconds. Enter 0 to turn slow mode off.",
    "not_number": "Enter slow mode as a whole number of seconds, like 30. Enter 0 to turn slow mode off.",
    "range": f"Slow mode must be between 0 and {SLOW_MODE_MAX:,} seconds (one hour). Enter 0 to turn slow mode off.",
}
POSITION_MESSAGES = {
    "missing": "Enter a position. Boards with smaller numbers come first, starting at 0.",
    "not_number": "Enter the position as a whole number, like 3. Boards with smaller numbers come first.",
    "range": f"The position must be between 0 and {POSITION_MAX:,}.",
}


@dataclass
class BoardText:
    name: str
    description: str
    rules: str
    slow_mode_seconds: int
    position: int


def check_fields(*, name, description, rules, slow_mode, position) -> tuple[BoardText, dict[str, str], dict[str, str]]:
    """Clean and check what was typed. Returns the values, the errors by field, and the text to keep."""
    errors: dict[str, str] = {}
    kept: dict[str, str] = {}
    name = _text(name, "name", errors, kept)
    description = _text(description, "description", errors, kept)
    rules = _text(rules, "rules", errors, kept)
    if "name" not in errors:
        if not name:
            errors["name"] = "Enter a name for the board."
        elif "\n" in name:
            errors["name"] = "The board's name must be on one line."
        elif len(name) < NAME_MIN:
            errors["name"] = f"The board's name must be at least {NAME_MIN} characters long."
        elif len(name) > NAME_MAX:
            errors["name"] = f"The board's name must be {NAME_MAX} characters or fewer. It has {len(name):,}."
    if "description" not in errors and len(description) > DESCRIPTION_MAX:
        errors["description"] = (f"The description must be {DESCRIPTION_MAX} characters or fewer. "
                                 f"It has {len(description):,}.")
    if "rules" not in errors and len(rules) > RULES_MAX:
        errors["rules"] = f"The rules must be {RULES_MAX:,} characters or fewer. They have {len(rules):,}."
    slow = _whole_number(slow_mode, "slow_mode", 0, SLOW_MODE_MAX, SLOW_MODE_MESSAGES, errors, kept)
    pos = _whole_number(position, "position", 0, POSITION_MAX, POSITION_MESSAGES, errors, kept)
    return BoardText(name, description, rules, slow, pos), errors, kept


def _screen(by: User, audience: str, slug: str | None, changed: dict[str, str], errors: dict[str, str],
            held: list | None = None) -> bool:
    """Screen each changed text the way a profile's "about" is screened. Returns True if any verdict
    asked for helplines to be shown. Texts screening held (or could not judge) are added to `held` as
    (field, text, verdict), for a review item that keeps them."""
    helplines = False
    for field, text in changed.items():
        if not text or field in errors:
            continue
        verdict = screen_text(text, context_for(by, kind="group_description", audience=audience, board=slug))
        if not allowed_as_name(verdict):
            errors[field] = REWORD
            helplines = helplines or verdict.show_helplines
            if held is not None and verdict.action in ("hold", "escalate", "publish_and_flag"):
                held.append((field, text, verdict))
    return helplines


# --- writing ---------------------------------------------------------------------------------------

def update_board(board: Board, *, by: User, name, description, rules, slow_mode, position) -> Board:
    """Change a board's name, description, rules, slow mode and position. Its audience never changes."""
    _check_may_manage(by)
    values, errors, kept = check_fields(name=name, description=description, rules=rules,
                                        slow_mode=slow_mode, position=position)
    # Text already on the board was checked when it was written: only new words are screened.
    changed = {f: getattr(values, f) for f in ("name", "description", "rules")
               if getattr(values, f) != getattr(board, f)}
    held: list = []
    helplines = _screen(by, board.audience, board.slug, changed, errors, held)
    if errors:
        if held:
            from community.review.service import hold_text
            for field, text, verdict in held:
                hold_text(by, kind="board_text", text_field=field, text=text, verdict=verdict, board=board)
            db.session.commit()
        raise BoardError(errors, kept, helplines=helplines)
    before = {f: getattr(board, f) for f in ("name", "description", "rules", "slow_mode_seconds", "position")}
    for field in before:
        setattr(board, field, getattr(values, field))
    changes = sorted(f for f, old in before.items() if getattr(board, f) != old)
    if changes:
        log_staff_action(by, "admin.board_change", board, before={f: before[f] for f in changes},
                         after={f: getattr(board, f) for f in changes})
    db.session.commit()
    return board


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:SLUG_MAX - 6].strip("-") or "board"


def _reserved_slugs() -> set[str]:
    """Words a board's address cannot be, because a page already lives there (/boards/search,
    /admin/boards/new)."""
    reserved = {"new"}
    for rule in current_app.url_map.iter_rules():
        parts = rule.rule.strip("/").split("/")
        if len(parts) >= 2 and parts[0] in ("boards", "admin") and "<" not in parts[1]:
            reserved.add(parts[1])
    return reserved


def unique_slug(name: str) -> str:
    base = slugify(name)
    if base in _reserved_slugs():
        base = f"{base}-board"
    taken = set(db.session.scalars(select(Board.slug).where(
        (Board.slug == base) | Board.slug.like(f"{base}-%"))))
    if base not in taken:
        return base
    for n in itertools.count(2):
        candidate = f"{base}-{n}"
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def create_board(*, by: User, name, description, rules, slow_mode, position, audience, area) -> Board:
    """Make a board for one audience (fixed from now on), in an area or for everywhere."""
    _check_may_manage(by)
    values, errors, kept = check_fields(name=name, description=description, rules=rules,
                                        slow_mode=slow_mode, position=position)
    audience = audience if isinstance(audience, str) else ""
    kept["audience"] = audience
    if audience not in {a.value for a in Audience}:
        errors["audience"] = "Choose who the board is for."
    area = area if isinstance(area, str) else ""
    kept["area"] = area
    area_row = None
    if area:
        area_row = db.session.get(Area, int(area)) if area.isascii() and area.isdigit() and len(area) < 10 else None
        if area_row is None:
            errors["area"] = "Choose an area from the list, or choose no area."
    helplines = False
    if "audience" not in errors:
        helplines = _screen(by, audience, None, {"name": values.name, "description": values.description,
                                                 "rules": values.rules}, errors)
    if errors:
        raise BoardError(errors, kept, helplines=helplines)
    board = Board(slug=unique_slug(values.name), name=values.name, description=values.description,
                  rules=values.rules, audience=audience, area=area_row,
                  slow_mode_seconds=values.slow_mode_seconds, position=values.position)
    db.session.add(board)
    try:
        db.session.flush()
        log_staff_action(by, "admin.board_create", board, after={
            "slug": board.slug, "name": board.name, "audience": audience, "area_id": board.area_id})
        db.session.commit()
    except IntegrityError:  # someone made a board with the same address at the same moment
        db.session.rollback()
        raise BoardError({"name": "A board with that name was made just now. Try a different name."}, kept)
    log.info("board %s (id %s, %s) created by %s (id %s)", board.slug, board.id, audience, by.username, by.id)
    return board
