"""Forum boards. Threads and posts follow with the forums issue."""
from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.extensions import db
from community.models.areas import Area


class Board(db.Model):
    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(400), default="")
    rules: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(20), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    # Minimum seconds between one person's posts in this board; 0 is off.
    slow_mode_seconds: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)

    area: Mapped[Area | None] = relationship()
