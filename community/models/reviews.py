"""Review items, member reports, sanctions, appeals and the staff log.

The forums create review items (screening asked for review, or someone pressed "Report"); the review
queue (`community/review/service.py`) claims and decides them. Several reports on one post gather into
one item, with a `ReviewReport` row per reporter. `StaffEvent` is append-only: the ORM refuses to
change or delete a row, and on PostgreSQL a trigger (migration 0003) refuses it in the database too.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, validates

from community.extensions import db
from community.models.base import utcnow
from community.models.forums import Board, Post, Thread
from community.models.groups import Group
from community.models.people import User


class ReviewSource(str, enum.Enum):
    SCREENING = "screening"  # moderation.screen asked for a person to look
    REPORT = "report"  # a member pressed "Report"


class ReviewState(str, enum.Enum):
    OPEN = "open"
    CLOSED = "closed"


class Decision(str, enum.Enum):
    APPROVED = "approved"  # published (or left published)
    REJECTED = "rejected"  # taken down; the author is told why
    EDITED = "edited"  # contact details edited out, then published
    ESCALATED = "escalated"  # sent to a safeguarding lead


# Sort order of the queue: urgent first. Stored as a number so one index serves the queue.
PRIORITY = {"urgent": 0, "high": 1, "standard": 2}


class ReviewItem(db.Model):
    __tablename__ = "moderation_items"
    __table_args__ = (Index("ix_moderation_items_queue", "state", "priority", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    # What is being reviewed: post | thread_title | edit | board_text | profile | group_description |
    # appeal. For a thread title, post_id is its opening post; board, profile and group text are kept
    # in `text` (they have no post).
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

    # Filled from the post, thread and board when the item is stored (see _fill_item below).
    priority: Mapped[int] = mapped_column(default=2)
    audience: Mapped[str | None] = mapped_column(String(20), index=True)
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id", ondelete="SET NULL"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Board or profile text, which has no post to point at.
    text: Mapped[str] = mapped_column(Text, default="")
    text_field: Mapped[str] = mapped_column(String(30), default="")  # which board or profile field `text` is for
    # The verdict's first category (self_harm, contact...), kept as a column so the queue can filter on it.
    category: Mapped[str] = mapped_column(String(40), default="", index=True)
    report_count: Mapped[int] = mapped_column(default=0)

    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    claim_expires_at: Mapped[datetime | None]
    decision: Mapped[str | None] = mapped_column(String(20))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    # What the author is told (kind words); `staff_note` is for staff only.
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    staff_note: Mapped[str] = mapped_column(Text, default="")
    # A moderator decided against screening: approved what it held, or escalated what it published.
    overturned: Mapped[bool] = mapped_column(default=False)
    escalated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set by the safeguarding side when a lead first opens the case for this item; an escalated item
    # cannot be published from the queue before.
    safeguarding_seen_at: Mapped[datetime | None]

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    post: Mapped["Post | None"] = relationship()
    thread: Mapped["Thread | None"] = relationship()
    board: Mapped["Board | None"] = relationship()
    group: Mapped["Group | None"] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    reports: Mapped[list["ReviewReport"]] = relationship(back_populates="item", order_by="ReviewReport.id",
                                                         cascade="all, delete-orphan")

    @validates("severity")
    def _priority_follows_severity(self, key, value):
        self.priority = PRIORITY.get(value or "standard", 2)
        return value

    @property
    def is_open(self) -> bool:
        return self.state == ReviewState.OPEN.value

    @property
    def needs_safeguarding(self) -> bool:
        """Screening or a moderator escalated it: a lead must look before it is published."""
        return self.action == "escalate" or self.escalated_by_id is not None


class ReviewReport(db.Model):
    """One member's report on an item: several reports on one post gather into one item."""

    __tablename__ = "moderation_reports"
    __table_args__ = (UniqueConstraint("item_id", "reporter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("moderation_items.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[ReviewItem] = relationship(back_populates="reports")
    reporter: Mapped[User] = relationship()


class SanctionKind(str, enum.Enum):
    WARNING = "warning"
    MUTE = "mute"  # may read, may not post, until ends_at
    SUSPENSION = "suspension"  # may not sign in, until ends_at
    BAN = "ban"  # may not sign in, no end


class Sanction(db.Model):
    __tablename__ = "sanctions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)  # shown to the person
    item_id: Mapped[int | None] = mapped_column(ForeignKey("moderation_items.id", ondelete="SET NULL"), index=True)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ends_at: Mapped[datetime | None]  # None: a warning, or a ban
    lifted_at: Mapped[datetime | None]  # an appeal upheld, or lifted by hand
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    by: Mapped[User | None] = relationship(foreign_keys=[by_id])


class Appeal(db.Model):
    """A person's one appeal against a decision on their text or a sanction; decided by another moderator."""

    __tablename__ = "appeals"
    __table_args__ = (UniqueConstraint("item_id"), UniqueConstraint("sanction_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("moderation_items.id", ondelete="CASCADE"))
    sanction_id: Mapped[int | None] = mapped_column(ForeignKey("sanctions.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="open", index=True)  # open | upheld | refused
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    item: Mapped[ReviewItem | None] = relationship()
    sanction: Mapped[Sanction | None] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class StaffEvent(db.Model):
    """One staff action anywhere in Village: append-only (who, what, about what, when, why, before/after)."""

    __tablename__ = "staff_events"
    __table_args__ = (Index("ix_staff_events_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # No ON DELETE action: a cascade would be an UPDATE, which the log refuses.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # None: the command line
    action: Mapped[str] = mapped_column(String(50), index=True)
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict] = mapped_column(JSON, default=dict)
    after: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()


class StaffLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete a staff log entry."""


@event.listens_for(StaffEvent, "before_update")
@event.listens_for(StaffEvent, "before_delete")
def _refuse_change(mapper, connection, target) -> None:
    raise StaffLogIsAppendOnly("The staff log is append-only: entries cannot be changed or deleted.")


@event.listens_for(Session, "before_flush")
def _fill_item(session: Session, flush_context, instances) -> None:
    """New review items take their queue fields (audience, board, author) from what they are about,
    so every place that makes an item (forums, admin, review) gets them without repeating the rule."""
    for obj in session.new:
        if not isinstance(obj, ReviewItem):
            continue
        thread = obj.thread or (session.get(Thread, obj.thread_id) if obj.thread_id else None)
        post = obj.post or (session.get(Post, obj.post_id) if obj.post_id else None)
        if obj.author is None and obj.author_id is None and post is not None:
            obj.author = post.author or session.get(User, post.author_id)
        if not obj.category and obj.verdict:
            obj.category = (list(obj.verdict.get("categories") or []) or [""])[0][:40]
        board = obj.board
        if board is None and thread is not None:
            board = thread.board or session.get(Board, thread.board_id)
            obj.board = board
        if board is not None and obj.audience is None:
            obj.audience = board.audience
