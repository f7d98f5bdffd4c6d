"""Review-queue fixtures: a held post in a young people's board, and moderators to work it."""
from __future__ import annotations

import pytest

from community.extensions import db
from community.forums import service as forums
from community.models import Audience, PostState, ReviewItem, Role


@pytest.fixture
def verdict(monkeypatch):
    """verdict("hold", ...) makes screening answer that (the queue acts on whatever verdict it gets)."""
    from moderation import Verdict

    def set_verdict(action: str, **fields) -> None:
        monkeypatch.setattr("community.screening.screen", lambda text, context: Verdict(action=action, **fields))

    return set_verdict


@pytest.fixture
def moderators(make_user):
    return make_user(Role.MODERATOR), make_user(Role.MODERATOR)


@pytest.fixture
def held(app, make_user, make_board, verdict):
    """held(action="hold", body=...) -> (item, post, author): a young person's post screening held."""

    def make(action: str = "hold", body: str = "Call me on 07700 900123 after school", **fields):
        verdict(action, **fields)
        board = make_board(Audience.YOUNG_PEOPLE)
        author = make_user(Role.YOUNG_PERSON)
        result = forums.start_thread(author, board, "After school club", body)
        assert result.state == PostState.HELD.value and result.review_item is not None
        return db.session.get(ReviewItem, result.review_item.id), result.post, author

    return make
