"""The instants every date-sensitive test runs at (issue 14): month ends, a leap day, the Sundays the
clocks change in the UK, and New Year's Eve. Each is an aware datetime; `community.clock.freeze` takes it.

Use: decorate the test with `@at_each_instant` (it takes an `instant` argument), then
`clock.freeze(instant)` (the clock is reset after every test, see tests/conftest.py). A sweep that does
nothing database-specific may add `@pytest.mark.sqlite_only`, saying why, to keep CI short.
"""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

LONDON = ZoneInfo("Europe/London")


def _local(*args, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=LONDON, fold=fold)


INSTANTS: dict[str, datetime] = {
    "31-jan": _local(2027, 1, 31, 12, 0),
    "28-feb-leap": _local(2028, 2, 28, 12, 0),
    "29-feb-leap": _local(2028, 2, 29, 12, 0),
    "1-mar": _local(2027, 3, 1, 12, 0),
    # 28 March 2027: at 01:00 GMT the clocks go forward to 02:00 BST, so 01:30 local never happens;
    # the moment of change itself (01:00 UTC) stands in for it.
    "spring-0030": _local(2027, 3, 28, 0, 30),
    "spring-change": datetime(2027, 3, 28, 1, 0, tzinfo=UTC),
    "spring-0230": _local(2027, 3, 28, 2, 30),
    # 31 October 2027: at 02:00 BST the clocks go back to 01:00 GMT, so 01:30 local happens twice.
    "autumn-0030": _local(2027, 10, 31, 0, 30),
    "autumn-0130-bst": _local(2027, 10, 31, 1, 30, fold=0),
    "autumn-0130-gmt": _local(2027, 10, 31, 1, 30, fold=1),
    "autumn-0230": _local(2027, 10, 31, 2, 30),
    "31-dec-2330-utc": datetime(2027, 12, 31, 23, 30, tzinfo=UTC),
}
INSTANT_IDS = list(INSTANTS)
INSTANT_VALUES = list(INSTANTS.values())

# (Parametrizing over INSTANTS itself would pass the names, not the instants.)
at_each_instant = pytest.mark.parametrize("instant", INSTANT_VALUES, ids=INSTANT_IDS)
