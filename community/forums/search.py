"""Forum search: SQLite FTS5 in the embedded setup, PostgreSQL full-text search when on PostgreSQL.

The index structures are created by migration 0002_forums. Results only ever include published,
undeleted posts in threads and boards the person may read; the audience check is in the query.
"""
from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import Integer, and_, func, literal_column, or_, select, text
from sqlalchemy.orm import aliased, selectinload

from community.extensions import db
from community.forums.service import readable_audiences
from community.models import Board, Post, PostState, Thread, User

QUERY_MAX = 100
_WORD = re.compile(r"\w+", re.UNICODE)


def _words(query: str) -> list[str]:
    return _WORD.findall(query or "")[:12]


def search_posts(user: User, query: str, page: int):
    """A page of matching posts (newest first), or None when the query has no words to look for."""
    words = _words(query[:QUERY_MAX])
    audiences = [a.value for a in readable_audiences(user)]
    if not words or not audiences:
        return None
    base = (select(Post).join(Thread, Post.thread_id == Thread.id).join(Board, Thread.board_id == Board.id)
            .where(Board.audience.in_(audiences), Post.state == PostState.PUBLISHED.value, Post.deleted_at.is_(None),
                   Thread.state == PostState.PUBLISHED.value, Thread.deleted_at.is_(None))
            .options(selectinload(Post.author), selectinload(Post.thread).selectinload(Thread.board)))
    dialect = db.engine.dialect.name
    if dialect == "sqlite":
        # Each word quoted: the person's words are matched, never read as FTS5 operators.
        match = " ".join('"' + w.replace('"', "") + '"' for w in words)
        ids = text("SELECT rowid FROM forum_search WHERE forum_search MATCH :match").bindparams(
            match=match).columns(rowid=Integer)
        base = base.where(Post.id.in_(ids))
    elif dialect == "postgresql":
        tsquery = func.plainto_tsquery("english", " ".join(words))
        opening = aliased(Post)
        first_post = select(func.min(opening.id)).where(opening.thread_id == Thread.id).correlate(Thread).scalar_subquery()
        base = base.where(or_(
            literal_column("posts.search_vector").op("@@")(tsquery),
            and_(literal_column("threads.search_vector").op("@@")(tsquery), Post.id == first_post),
        ))
    else:  # pragma: no cover - other databases get a plain, slower match
        for word in words:
            base = base.where(or_(Post.body.ilike(f"%{word}%"), Thread.title.ilike(f"%{word}%")))
    base = base.order_by(Post.id.desc())
    return db.paginate(base, page=page, per_page=current_app.config["FORUM_PAGE_SIZE"], error_out=False)
