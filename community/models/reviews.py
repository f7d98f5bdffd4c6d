"""Review items: the things a moderator must look at.

The forums create them (screening asked for review, or someone pressed "Report"); the review-queue
issue grows this table with claims, decisions and an audit trail. Kept minimal on purpose.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.extensions import db
from community.models.base import utcnow
from community.models.forums import Post, Thread
from community.models.people import User


class ReviewSource(str, enum.Enum):
    SCREENING = "screening"  # moderation.screen asked for a person to look
    REPORT = "report"  # a member pressed "Report"


class ReviewState(str, enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


class ReviewItem(db.Model):
    __tablename__ = "moderation_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    # What is being reviewed: a post, or the title of a thread (post_id is then its opening post).
    content_kind: Mapped[str] = mapped_column(String(20), default="post")
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"), index=True)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="SET NULL"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    # The Verdict from moderation.screen (to_dict()), so a reviewer sees why it was raised.
    verdict: Mapped[dict] = mapped_column(JSON, default=dict)
    action: Mapped[str] = mapped_column(String(20), default="")  # the verdict's action
    severity: Mapped[str] = mapped_column(String(20), default="standard")  # urgent | high | standard
    state: Mapped[str] = mapped_column(String(20), default=ReviewState.OPEN.value, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    reporter: Mapped[User | None] = relationship()
    post: Mapped["Post | None"] = relationship()
    thread: Mapped["Thread | None"] = relationship()
