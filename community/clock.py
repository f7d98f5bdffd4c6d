"""The one place Village reads the time, so that tests can move it (the clock is the edge of the world)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
_offset = timedelta(0)


def utcnow() -> datetime:
    """Naive UTC: stored the same way on SQLite and PostgreSQL; shown in Europe/London."""
    return datetime.now(UTC).replace(tzinfo=None) + _offset


def today() -> date:
    """Today's date in the UK, which is what a person's age is counted in."""
    return utcnow().replace(tzinfo=UTC).astimezone(LONDON).date()


def to_london(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(LONDON)


def advance(delta: timedelta) -> None:
    """Move the clock on (tests only)."""
    global _offset
    _offset += delta


def reset() -> None:
    global _offset
    _offset = timedelta(0)
