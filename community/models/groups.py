"""The group directory: organisations, groups (HSDS services), their schedules, sessions, bookings.

A group is what Open Referral UK calls a service. Its `uuid` is its public id in the ORUK API and the
key an import matches on, so re-importing a feed finds the same rows. Times of sessions are stored in
naive UTC like everything else; the schedule keeps the wall-clock start in Europe/London, which is
what the organiser meant ("Tuesdays at 18:00" stays 18:00 across the clock change).
"""
from __future__ import annotations

import enum
import uuid as uuid_lib
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.extensions import db
from community.models.areas import Area, Venue
from community.models.base import utcnow
from community.models.people import User


def new_uuid() -> str:
    return str(uuid_lib.uuid4())


class GroupState(str, enum.Enum):
    DRAFT = "draft"  # only its organisers see it
    PUBLISHED = "published"  # in the directory and the ORUK API
    PAUSED = "paused"  # listed as temporarily closed; no bookings
    CANCELLED = "cancelled"  # gone from the directory; kept for reports


class LevelOfNeed(str, enum.Enum):
    """The "windscreen" of early help."""

    UNIVERSAL = "universal"
    ADDITIONAL = "additional"
    INTENSIVE = "intensive"
    SPECIALIST = "specialist"


class BookingState(str, enum.Enum):
    BOOKED = "booked"
    WAITING = "waiting"  # first come, first promoted
    CANCELLED = "cancelled"


class SessionState(str, enum.Enum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    website: Mapped[str] = mapped_column(String(300), default="")


class Taxonomy(db.Model):
    __tablename__ = "taxonomies"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    uri: Mapped[str] = mapped_column(String(300), default="")
    version: Mapped[str] = mapped_column(String(40), default="")


class TaxonomyTerm(db.Model):
    __tablename__ = "taxonomy_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    taxonomy_id: Mapped[int | None] = mapped_column(ForeignKey("taxonomies.id"), index=True)
    code: Mapped[str] = mapped_column(String(120), default="")  # our slug, or the term's `term`
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("taxonomy_terms.id"))

    taxonomy: Mapped[Taxonomy | None] = relationship()


class Group(db.Model):
    __tablename__ = "groups"
    __table_args__ = (Index("ix_groups_state_area", "state", "area_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    sal_uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)  # its ORUK service_at_location
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    # "screened" (passed moderation.screen), "held" (waiting for a moderator: cannot be published),
    # or "staff" (written by Village staff: the demo). Imported descriptions are screened too.
    description_source: Mapped[str] = mapped_column(String(20), default="screened")
    # When `description` last changed: a held newer text is applied on approval only if nothing was
    # written after it (review.service._apply_text).
    description_changed_at: Mapped[datetime | None]
    category_id: Mapped[int | None] = mapped_column(ForeignKey("taxonomy_terms.id"), index=True)
    audience: Mapped[str] = mapped_column(String(20), default="families")
    # Months; negative is pre-birth (-9 is the start of a pregnancy), 311 is the last month of age 25.
    min_age_months: Mapped[int] = mapped_column(default=-9)
    max_age_months: Mapped[int] = mapped_column(default=311)
    level_of_need: Mapped[str] = mapped_column(String(20), default=LevelOfNeed.UNIVERSAL.value)
    referral_only: Mapped[bool] = mapped_column(default=False)
    # Comma-wrapped lists (",in_person,online,"), so one LIKE finds a value on any database.
    delivery: Mapped[str] = mapped_column(String(60), default=",in_person,")
    languages: Mapped[str] = mapped_column(String(120), default=",en,")
    outcomes: Mapped[str] = mapped_column(String(300), default="")
    venue_id: Mapped[int | None] = mapped_column(ForeignKey("venues.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    # Denormalised from the venue so that a search by distance is one indexed query.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    cost_pence: Mapped[int] = mapped_column(default=0)
    cost_description: Mapped[str] = mapped_column(String(200), default="")
    step_free: Mapped[bool] = mapped_column(default=False)
    quiet_sensory: Mapped[bool] = mapped_column(default=False)
    hearing_loop: Mapped[bool] = mapped_column(default=False)
    capacity: Mapped[int | None]  # places per session; None is a drop-in with no limit
    state: Mapped[str] = mapped_column(String(20), default=GroupState.DRAFT.value, index=True)
    email: Mapped[str] = mapped_column(String(254), default="")
    url: Mapped[str] = mapped_column(String(300), default="")
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    category: Mapped[TaxonomyTerm | None] = relationship()
    venue: Mapped[Venue | None] = relationship()
    area: Mapped[Area] = relationship()
    schedules: Mapped[list["Schedule"]] = relationship(back_populates="group", cascade="all, delete-orphan",
                                                       order_by="Schedule.id")

    @staticmethod
    def split(value: str) -> list[str]:
        return [v for v in (value or "").split(",") if v]

    @staticmethod
    def join(values) -> str:
        values = [v for v in values if v]
        return f",{','.join(values)}," if values else ""

    @property
    def is_free(self) -> bool:
        return self.cost_pence == 0

    @property
    def is_listed(self) -> bool:
        return self.state in (GroupState.PUBLISHED.value, GroupState.PAUSED.value)


class Schedule(db.Model):
    """One RFC 5545 recurrence: `rrule` without DTSTART; `starts_local` is the wall-clock first start."""

    __tablename__ = "group_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    rrule: Mapped[str] = mapped_column(String(300), default="")  # "" is a one-off
    starts_local: Mapped[datetime]  # naive, Europe/London wall clock
    duration_minutes: Mapped[int]
    until: Mapped[date | None]
    term_time_only: Mapped[bool] = mapped_column(default=False)
    holidays_only: Mapped[bool] = mapped_column(default=False)  # holiday activities: school holidays only
    # Extra dates (ISO, comma-separated) the organiser took out, beyond the school holidays.
    exdates: Mapped[str] = mapped_column(Text, default="")

    group: Mapped[Group] = relationship(back_populates="schedules")


class GroupSession(db.Model):
    """One occurrence, materialised for the next three months. Cancelled and moved ones stay as rows
    (the exceptions), so that making the next months again never brings them back."""

    __tablename__ = "group_sessions"
    __table_args__ = (
        UniqueConstraint("schedule_id", "occurrence"),
        # Covers a search's "next matching session of this group" without reading the table.
        Index("ix_group_sessions_next", "group_id", "state", "starts_at", "weekday", "start_minute", "end_minute",
              "in_school_holiday"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("group_schedules.id", ondelete="SET NULL"))
    occurrence: Mapped[datetime]  # the rule's wall-clock start, before any move: the exception key
    starts_at: Mapped[datetime]  # UTC
    ends_at: Mapped[datetime]  # UTC
    # The London wall clock of the (moved) start, so that day and time filters are plain comparisons.
    weekday: Mapped[int]  # 0 Monday .. 6 Sunday
    start_minute: Mapped[int]  # minutes after local midnight
    end_minute: Mapped[int]
    in_school_holiday: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(20), default=SessionState.SCHEDULED.value)
    moved: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(String(300), default="")
    booked_count: Mapped[int] = mapped_column(default=0)  # kept in step with bookings, under a row lock

    group: Mapped[Group] = relationship()


class Booking(db.Model):
    __tablename__ = "group_bookings"
    __table_args__ = (UniqueConstraint("session_id", "user_id"), Index("ix_group_bookings_user", "user_id", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("group_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(20))
    # Place in the queue: set when the person asked (or asked again), so first come is first promoted.
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    promoted_at: Mapped[datetime | None]
    attended: Mapped[bool | None]  # None until the organiser takes the register

    session: Mapped[GroupSession] = relationship()
    user: Mapped[User] = relationship()


class Membership(db.Model):
    """Joining a group: its sessions go in the person's calendar (drop-ins) and its board is theirs."""

    __tablename__ = "group_members"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GroupOrganiser(db.Model):
    __tablename__ = "group_organisers"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class CalendarToken(db.Model):
    """The secret in a person's private calendar-feed URL."""

    __tablename__ = "calendar_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FamilyDetails(db.Model):
    """What a person chose to tell us about their family, so that reach can be reported by priority group
    (`groups.service.PRIORITY_GROUPS`). Optional, changeable and deletable by them at any time; only
    ever reported as counts."""

    __tablename__ = "family_details"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    priority_groups: Mapped[str] = mapped_column(String(200), default="")  # ",dads,send," like Group.languages
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
