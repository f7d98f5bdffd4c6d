"""Areas (county, quadrant, district, locality) and the venues that sit in them."""
from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.extensions import db


class AreaKind(str, enum.Enum):
    COUNTY = "county"
    QUADRANT = "quadrant"
    DISTRICT = "district"
    LOCALITY = "locality"


class VenueKind(str, enum.Enum):
    FAMILY_HUB = "family_hub"
    DELIVERY_SITE = "delivery_site"
    OUTREACH_SITE = "outreach_site"

    @property
    def label(self) -> str:
        return {"family_hub": "Family Hub", "delivery_site": "Delivery site",
                "outreach_site": "Outreach site"}[self.value]


class Area(db.Model):
    __tablename__ = "areas"
    __table_args__ = (UniqueConstraint("parent_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)

    parent: Mapped["Area | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Area"]] = relationship(back_populates="parent")
    venues: Mapped[list["Venue"]] = relationship(back_populates="area")


class Venue(db.Model):
    __tablename__ = "venues"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    address: Mapped[str] = mapped_column(String(300))
    postcode: Mapped[str] = mapped_column(String(10))
    latitude: Mapped[float]
    longitude: Mapped[float]

    area: Mapped[Area] = relationship(back_populates="venues")
