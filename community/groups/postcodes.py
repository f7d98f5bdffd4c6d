"""Postcode -> (latitude, longitude) for the demo county's made-up postcodes, with no network look-up.

The table (postcodes.csv beside this file) holds each Wendleshire venue's postcode and a few homes'
postcodes around every district. Venues added later (an import, an organiser) are found by their own
postcode in the venues table.
"""
from __future__ import annotations

import csv
import functools
import math
import re
from pathlib import Path

from sqlalchemy import func, select

_TABLE = Path(__file__).with_name("postcodes.csv")
_SHAPE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
MILES_PER_DEGREE = 69.05


def normalise(postcode: str) -> str:
    """'wd1  1aa' -> 'WD1 1AA'; '' when it is not shaped like a UK postcode."""
    compact = re.sub(r"\s+", "", (postcode or "").upper())
    if not _SHAPE.match(compact):
        return ""
    return f"{compact[:-3]} {compact[-3:]}"


@functools.cache
def _table() -> dict[str, tuple[float, float]]:
    with _TABLE.open(newline="") as handle:
        return {row["postcode"]: (float(row["latitude"]), float(row["longitude"])) for row in csv.DictReader(handle)}


def locate(postcode: str) -> tuple[float, float] | None:
    """The point of a postcode, or None when it is unknown (or not a postcode at all)."""
    code = normalise(postcode)
    if not code:
        return None
    if code in _table():
        return _table()[code]
    from community.extensions import db
    from community.models import Venue

    row = db.session.execute(select(Venue.latitude, Venue.longitude)
                             .where(func.upper(Venue.postcode) == code).limit(1)).first()
    return (row[0], row[1]) if row else None


def miles_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in miles (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 3958.8 * 2 * math.asin(math.sqrt(h))
