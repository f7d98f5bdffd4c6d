"""Safeguarding: cases, their chronology, actions, information sharing, views, messages, the rota,
deadlines and the outbox of notifications.

A case belongs to one source (`source_kind`, `source_id`), enforced by a unique constraint, so however
often a post is escalated (screening, a report, a moderator) it opens one case. Chronology entries are
append-only (the ORM refuses to change or delete one). Deadlines and notifications are rows, written in
the same transaction as the case, so a restart loses nothing.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.extensions import db
from community.models.areas import Area
from community.models.base import utcnow
from community.models.people import User


class Severity(str, enum.Enum):
    URGENT = "urgent"  # immediate risk to life or of serious harm
    HIGH = "high"
    STANDARD = "standard"

    @property
    def label(self) -> str:
        return {"urgent": "Urgent", "high": "High", "standard": "Standard"}[self.value]


SEVERITY_ORDER = {Severity.URGENT.value: 0, Severity.HIGH.value: 1, Severity.STANDARD.value: 2}


class CaseState(str, enum.Enum):
    OPEN = "open"  # waiting for a lead to acknowledge it
    ACKNOWLEDGED = "acknowledged"  # a lead owns it
    CLOSED = "closed"


class Pathway(str, enum.Enum):
    SAFEGUARDING = "safeguarding"
    ALLEGATION = "allegation"  # about a volunteer or member of staff: the LADO route


class SourceKind(str, enum.Enum):
    POST = "post"  # a post escalated by screening, a report note or a moderator
    REVIEW_ITEM = "review_item"  # an escalated review item without a post
    WORRY = "worry"  # the "I'm worried about someone" form
    MENTEE = "mentee"  # a mentor's concern about a young person they mentor
    ALLEGATION = "allegation"  # a concern about a volunteer or member of staff


ACTION_KINDS = [
    ("messaged", "Messaged the person inside Village"),
    ("parent_carer", "Contacted a parent or carer"),
    ("social_care", "Referred to children's social care (MASH / front door)"),
    ("police", "Called the police"),
    ("lado", "Referred to the LADO"),
    ("marac", "Referred to MARAC"),
    ("early_help", "Referred to early help"),
    ("signposted", "Signposted to help"),
]
ACTION_LABELS = dict(ACTION_KINDS)
# Referrals that the receiving service gives a reference for.
ACTIONS_WITH_REFERENCE = frozenset({"social_care", "police", "lado", "marac", "early_help"})

LAWFUL_BASES = [
    ("consent", "Consent"),
    ("legal_obligation", "Legal obligation"),
    ("vital_interests", "Vital interests (to protect someone's life)"),
    ("public_task", "Public task"),
    ("legitimate_interests", "Legitimate interests"),
]
LAWFUL_BASIS_LABELS = dict(LAWFUL_BASES)


class SafeguardingCase(db.Model):
    __tablename__ = "safeguarding_cases"
    __table_args__ = (UniqueConstraint("source_kind", "source_id"),
                      Index("ix_safeguarding_cases_state_deadline", "state", "deadline_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    source_kind: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[str] = mapped_column(String(64))
    pathway: Mapped[str] = mapped_column(String(20), default=Pathway.SAFEGUARDING.value)
    severity: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(80), default="")
    state: Mapped[str] = mapped_column(String(20), default=CaseState.OPEN.value)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime]  # the time limit for a lead to acknowledge it
    escalation_step: Mapped[int] = mapped_column(default=0)  # 0 lead, 1 deputy, 2 duty lead and admins
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assigned_lead_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    audience: Mapped[str] = mapped_column(String(20), default="")
    age_band: Mapped[str] = mapped_column(String(20), default="")  # the person at risk's, when known
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    subject_description: Mapped[str] = mapped_column(String(300), default="")  # who, in the reporter's words
    # For the allegations pathway: the volunteer or member of staff it is about (never told, never routed to).
    concerns_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # An allegation about a safeguarding lead: only administrators may open it (never the leads' own team).
    admins_only: Mapped[bool] = mapped_column(default=False)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reporter_contact: Mapped[str] = mapped_column(String(254), default="")
    review_item_id: Mapped[int | None] = mapped_column(ForeignKey("moderation_items.id", ondelete="SET NULL"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    # The words that raised it, copied: kept if the post is later edited or deleted.
    snapshot: Mapped[str] = mapped_column(Text, default="")
    verdict: Mapped[dict] = mapped_column(JSON, default=dict)
    outcome: Mapped[str] = mapped_column(Text, default="")
    closure_reason: Mapped[str] = mapped_column(String(40), default="")
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reopened_count: Mapped[int] = mapped_column(default=0)

    assigned_lead: Mapped[User | None] = relationship(foreign_keys=[assigned_lead_id])
    subject: Mapped[User | None] = relationship(foreign_keys=[subject_id])
    concerns_user: Mapped[User | None] = relationship(foreign_keys=[concerns_user_id])
    area: Mapped[Area | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.state != CaseState.CLOSED.value


class CaseEntry(db.Model):
    """One line of the chronology. Append-only: never changed, never deleted."""

    __tablename__ = "safeguarding_chronology"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("safeguarding_cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)

    actor: Mapped[User | None] = relationship()


@event.listens_for(CaseEntry, "before_update")
@event.listens_for(CaseEntry, "before_delete")
def _chronology_is_append_only(mapper, connection, target) -> None:
    raise ValueError("The chronology is append-only: add an entry instead of changing one.")


class CaseAction(db.Model):
    __tablename__ = "safeguarding_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("safeguarding_cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    rationale: Mapped[str] = mapped_column(Text)
    reference: Mapped[str] = mapped_column(String(100), default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    by: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        return ACTION_LABELS.get(self.kind, self.kind)


class InformationShared(db.Model):
    __tablename__ = "safeguarding_sharing"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("safeguarding_cases.id", ondelete="CASCADE"), index=True)
    what: Mapped[str] = mapped_column(Text)
    with_whom: Mapped[str] = mapped_column(String(200))
    lawful_basis: Mapped[str] = mapped_column(String(40))
    consent_sought: Mapped[bool]
    consent_note: Mapped[str] = mapped_column(Text, default="")  # the answer, or why consent was not sought
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    by: Mapped[User | None] = relationship()


class CaseView(db.Model):
    """Every time someone opens a case (the file or its printable chronology)."""

    __tablename__ = "safeguarding_case_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("safeguarding_cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    page: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship()


class CaseMessage(db.Model):
    """A private message between a lead and the person at risk, inside Village. Replies go only to the case."""

    __tablename__ = "safeguarding_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("safeguarding_cases.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_lead: Mapped[bool]
    body: Mapped[str] = mapped_column(Text)
    screening: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()


class RotaRole(str, enum.Enum):
    LEAD = "lead"
    DEPUTY = "deputy"
    DUTY = "duty"  # the county duty lead: the fallback when nobody is on call for an area

    @property
    def label(self) -> str:
        return {"lead": "Lead", "deputy": "Deputy", "duty": "County duty lead"}[self.value]


class RotaEntry(db.Model):
    """Someone on call: a lead or deputy for an area (and optionally one audience), or the county duty lead."""

    __tablename__ = "safeguarding_rota"
    __table_args__ = (Index("ix_safeguarding_rota_when", "starts_at", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))  # None: every area
    audience: Mapped[str] = mapped_column(String(20), default="")  # "": every audience
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]

    user: Mapped[User] = relationship()
    area: Mapped[Area | None] = relationship()


class CaseDeadline(db.Model):
    """A time limit as a row: when it is due and nobody has acknowledged the case, the case re-escalates."""

    __tablename__ = "safeguarding_deadlines"
    __table_args__ = (UniqueConstraint("case_id", "step"), Index("ix_safeguarding_deadlines_due", "done_at", "due_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("safeguarding_cases.id", ondelete="CASCADE"))
    step: Mapped[int]  # the escalation step this deadline starts: 1 deputy, 2 duty lead and admins
    due_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    result: Mapped[str] = mapped_column(String(20), default="")  # escalated | not_needed


class OutboxMessage(db.Model):
    """A notification to send: written with the case, sent by the worker, at most once per idempotency key."""

    __tablename__ = "safeguarding_outbox"
    __table_args__ = (Index("ix_safeguarding_outbox_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("safeguarding_cases.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # email | live
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    to_address: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(500), default="")
