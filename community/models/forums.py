"""Forums: boards, threads, posts, their edit history, reactions, subscriptions and notifications.

User text is stored raw; `community.text.render` is the one way it becomes HTML.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.extensions import db
from community.models.areas import Area
from community.models.base import utcnow
from community.models.people import User


class PostState(str, enum.Enum):
    PUBLISHED = "published"  # everyone who may read the board sees it
    HELD = "held"  # waiting for a moderator; only its author and moderators see it
    REJECTED = "rejected"  # screening refused it; kept for the record, its author sees why
    HIDDEN = "hidden"  # a moderator took it down; moderators still see it


class Board(db.Model):
    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(400), default="")
    rules: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(20), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    # The groups issue attaches a board to a group; no foreign key until its table exists.
    group_id: Mapped[int | None] = mapped_column(index=True)
    # Minimum seconds between one person's posts in this board; 0 is off.
    slow_mode_seconds: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)

    area: Mapped[Area | None] = relationship()


class Thread(db.Model):
    __tablename__ = "threads"
    __table_args__ = (Index("ix_threads_board_listing", "board_id", "is_pinned", "last_post_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(150))
    # Follows the opening post: a thread whose first post is held is held too.
    state: Mapped[str] = mapped_column(String(20), default=PostState.PUBLISHED.value, index=True)
    is_pinned: Mapped[bool] = mapped_column(default=False)
    is_locked: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Published, not deleted replies and opening post: kept here so board pages need no count query.
    post_count: Mapped[int] = mapped_column(default=0)
    deleted_at: Mapped[datetime | None]

    board: Mapped[Board] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (Index("ix_posts_author_created", "author_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    quote_post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(20), default=PostState.PUBLISHED.value, index=True)
    # What the author is told when screening refuses or holds the post (plain words, never scores).
    state_reason: Mapped[str] = mapped_column(String(500), default="")
    show_helplines: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_at: Mapped[datetime | None]

    thread: Mapped[Thread] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    quote: Mapped["Post | None"] = relationship(remote_side=[id], foreign_keys=[quote_post_id])

    @property
    def is_public(self) -> bool:
        return self.state == PostState.PUBLISHED.value and self.deleted_at is None


class PostRevision(db.Model):
    """The text a post had before each edit: moderators read the history."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20))
    # When this text was replaced, and by whom.
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    editor: Mapped[User] = relationship()


class Reaction(db.Model):
    __tablename__ = "reactions"
    __table_args__ = (UniqueConstraint("post_id", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="helped")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Subscription(db.Model):
    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("thread_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(db.Model):
    """In-app notifications: a reply in a thread someone follows, an @mention, or a place in a group."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # reply | mention | group_place
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A forum notification has a thread and a post; a group's (a waiting-list place) has a group instead.
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    thread: Mapped[Thread] = relationship()

    @staticmethod
    def words(kind: str, actor: str, title: str) -> str:
        """What a forum notification says, in the page's list and in its live alert."""
        if kind == "mention":
            return f"{actor} mentioned you in “{title}”"
        if kind == "moderation":
            return f"A moderator has looked at your post in “{title}”"
        return f"{actor} replied in “{title}”"
