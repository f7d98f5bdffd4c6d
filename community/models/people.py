"""People: accounts, roles, and the age band that decides which audience a person belongs to."""
from __future__ import annotations

import enum
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community import clock
from community.extensions import db
from community.models.base import utcnow


class Role(str, enum.Enum):
    PARENT_CARER = "parent_carer"
    YOUNG_PERSON = "young_person"
    MENTOR = "mentor"
    ORGANISER = "organiser"
    MODERATOR = "moderator"
    SAFEGUARDING_LEAD = "safeguarding_lead"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.PARENT_CARER: "Parent or carer",
    Role.YOUNG_PERSON: "Young person",
    Role.MENTOR: "Volunteer mentor",
    Role.ORGANISER: "Group organiser",
    Role.MODERATOR: "Moderator",
    Role.SAFEGUARDING_LEAD: "Safeguarding lead",
    Role.COORDINATOR: "Coordinator",
    Role.ADMIN: "Administrator",
}

# Roles that need an enhanced DBS check with the children's barred list before they are granted:
# only these adults may read young people's boards.
VETTED_ROLES = frozenset(
    {Role.MENTOR, Role.MODERATOR, Role.SAFEGUARDING_LEAD, Role.COORDINATOR, Role.ADMIN}
)
STAFF_ROLES = frozenset({Role.MODERATOR, Role.SAFEGUARDING_LEAD, Role.COORDINATOR, Role.ADMIN})


class AgeBand(str, enum.Enum):
    UNDER_13 = "under_13"
    YOUNG_PERSON = "young_person"  # 13 to 17
    YOUNG_ADULT = "young_adult"  # 18 to 25
    ADULT = "adult"  # 26 and over

    @classmethod
    def for_birth_date(cls, born: date, today: date) -> "AgeBand":
        age = age_on(born, today)
        if age < 13:
            return cls.UNDER_13
        if age < 18:
            return cls.YOUNG_PERSON
        if age <= 25:
            return cls.YOUNG_ADULT
        return cls.ADULT


class Audience(str, enum.Enum):
    """Who a board is for. Audiences never mix."""

    PARENTS = "parents"
    YOUNG_PEOPLE = "young_people"  # 13 to 17
    YOUNG_ADULTS = "young_adults"  # 18 to 25

    @property
    def label(self) -> str:
        return {
            Audience.PARENTS: "Parents and carers",
            Audience.YOUNG_PEOPLE: "Young people (13 to 17)",
            Audience.YOUNG_ADULTS: "Young adults (18 to 25)",
        }[self]


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(30), unique=True, index=True)
    # Stored lower-cased so that look-ups are case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    date_of_birth: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_suspended: Mapped[bool] = mapped_column(default=False)
    # Sanctions from the review queue (community/review): a suspension with an end (None with
    # is_suspended: banned), and a mute (may read, may not post) until a time.
    suspended_until: Mapped[datetime | None]
    muted_until: Mapped[datetime | None]
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    # ICO Children's Code: private by default; the person chooses to show more.
    profile_public: Mapped[bool] = mapped_column(default=False)
    about: Mapped[str] = mapped_column(String(500), default="")

    roles: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin",
        foreign_keys="UserRole.user_id",
    )

    @property
    def is_active(self) -> bool:  # Flask-Login: suspended and banned people are logged out
        if not self.is_suspended:
            return True
        return self.suspended_until is not None and self.suspended_until <= clock.utcnow()

    @property
    def is_muted(self) -> bool:
        return self.muted_until is not None and self.muted_until > clock.utcnow()

    def age_band(self, today: date) -> AgeBand:
        return AgeBand.for_birth_date(self.date_of_birth, today)

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(r.role) for r in self.roles)

    def has_role(self, *roles: Role) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def is_vetted(self) -> bool:
        return self.has_role(*VETTED_ROLES)

    @property
    def is_staff(self) -> bool:
        return self.has_role(*STAFF_ROLES)

    def audiences(self, today: date) -> frozenset[Audience]:
        """The boards a person may read. Vetted staff see every audience in order to keep it safe."""
        if self.is_vetted:
            return frozenset(Audience)
        band = self.age_band(today)
        if band is AgeBand.YOUNG_PERSON:
            return frozenset({Audience.YOUNG_PEOPLE})
        if band is AgeBand.YOUNG_ADULT:
            # A young parent of 19 belongs in the parents' boards as well as with their peers.
            if self.has_role(Role.PARENT_CARER, Role.ORGANISER):
                return frozenset({Audience.YOUNG_ADULTS, Audience.PARENTS})
            return frozenset({Audience.YOUNG_ADULTS})
        if band is AgeBand.ADULT:
            return frozenset({Audience.PARENTS})
        return frozenset()

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="roles", foreign_keys=[user_id])
