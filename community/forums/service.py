"""Forums: boards, threads and posts. One service serves HTTP, Socket.IO and the CLI."""
from __future__ import annotations

from sqlalchemy import select

from community import clock
from community.extensions import db
from community.models import Audience, Board, User


def readable_audiences(user: User) -> frozenset[Audience]:
    if not user.is_authenticated:
        return frozenset()
    return user.audiences(clock.today())


def may_read(user: User, board: Board) -> bool:
    """Audiences never mix: checked here for every page, join and event."""
    return Audience(board.audience) in readable_audiences(user)


def boards_for(user: User) -> list[Board]:
    audiences = [a.value for a in readable_audiences(user)]
    if not audiences:
        return []
    return list(db.session.scalars(
        select(Board).where(Board.audience.in_(audiences)).order_by(Board.audience, Board.position, Board.name)
    ))


def board_by_slug(slug: str) -> Board | None:
    return db.session.scalar(select(Board).where(Board.slug == slug))
