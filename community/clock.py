"""The one place Village reads the time, so that tests can move it (the clock is the edge of the world).

Times are naive UTC everywhere inside Village (stored the same way on SQLite and PostgreSQL) and shown
in Europe/London. Tests freeze the clock at an instant they choose (`freeze`) and move it on (`advance`);
nothing else in Village may call `datetime.now()` or `date.today()`.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
_offset = timedelta(0)
_frozen: datetime | None = None


def utcnow() -> datetime:
    """Naive UTC: stored the same way on SQLite and PostgreSQL; shown in Europe/London."""
    base = _frozen if _frozen is not None else datetime.now(UTC).replace(tzinfo=None)
    return base + _offset


def today() -> date:
    """Today's date in the UK, which is what a person's age is counted in."""
    return utcnow().replace(tzinfo=UTC).astimezone(LONDON).date()


def to_london(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(LONDON)


def freeze(moment: datetime) -> None:
    """Stop the clock at `moment` (aware, or naive UTC); `advance` still moves it on (tests only)."""
    global _frozen, _offset
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    _frozen, _offset = moment, timedelta(0)


def advance(delta: timedelta) -> None:
    """Move the clock on (tests only)."""
    global _offset
    _offset += delta


def reset() -> None:
    """Back to the machine's clock."""
    global _offset, _frozen
    _offset, _frozen = timedelta(0), None
