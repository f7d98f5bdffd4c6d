"""The clock and what reads it without a database: the UK date, age bands and times shown in
Europe/London, at every instant in tests/instants.py (month ends, leap days, the clock changes)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta

from community import clock
from community.models import AgeBand
from community.models.people import age_on
from community.templating import london_time
from tests.instants import INSTANT_IDS, INSTANTS, at_each_instant

# Written out by hand from the UK's rules, not computed the way Village computes them.
SHOWN = {
    "31-jan": "31 January 2027 at 12:00pm",
    "28-feb-leap": "28 February 2028 at 12:00pm",
    "29-feb-leap": "29 February 2028 at 12:00pm",
    "1-mar": "1 March 2027 at 12:00pm",
    "spring-0030": "28 March 2027 at 12:30am",
    "spring-change": "28 March 2027 at 2:00am",  # 01:00 GMT is 02:00 BST
    "spring-0230": "28 March 2027 at 2:30am",
    "autumn-0030": "31 October 2027 at 12:30am",  # still 30 October in UTC
    "autumn-0130-bst": "31 October 2027 at 1:30am",
    "autumn-0130-gmt": "31 October 2027 at 1:30am",  # an hour later, the same clock face
    "autumn-0230": "31 October 2027 at 2:30am",
    "31-dec-2330-utc": "31 December 2027 at 11:30pm",
}
UTC_DAY_BEFORE = {"autumn-0030"}  # 23:30 UTC on 30 October is already 31 October in the UK


def test_every_instant_has_its_expected_time():
    assert set(SHOWN) == set(INSTANT_IDS)


@at_each_instant
def test_today_and_posted_at_are_uk_time_at_each_instant(instant, request):
    name = request.node.callspec.id
    clock.freeze(instant)
    assert london_time(clock.utcnow()) == SHOWN[name]
    assert london_time(clock.utcnow(), "date") == SHOWN[name].split(" at ")[0]
    uk_day = clock.today()
    assert f"{uk_day.day} {uk_day:%B %Y}" == SHOWN[name].split(" at ")[0]
    assert (clock.utcnow().date() < uk_day) == (name in UTC_DAY_BEFORE)


@at_each_instant
@pytest.mark.parametrize("years,band,day_younger", [
    (13, AgeBand.YOUNG_PERSON, AgeBand.UNDER_13),
    (18, AgeBand.YOUNG_ADULT, AgeBand.YOUNG_PERSON),
    (26, AgeBand.ADULT, AgeBand.YOUNG_ADULT),
], ids=["13", "18", "26"])
def test_age_bands_change_on_the_birthday_at_each_instant(instant, years, band, day_younger):
    clock.freeze(instant)
    today = clock.today()
    born = today - relativedelta(years=years)  # on 29 February, 28 February of a year that is not leap
    assert age_on(born, today) == years and AgeBand.for_birth_date(born, today) is band
    tomorrow_born = born + timedelta(days=1)
    assert age_on(tomorrow_born, today) == years - 1
    assert AgeBand.for_birth_date(tomorrow_born, today) is day_younger


def test_leap_day_birthdays():
    leapling = date(2016, 2, 29)
    assert [age_on(leapling, day) for day in (date(2029, 2, 28), date(2029, 3, 1), date(2032, 2, 28),
                                              date(2032, 2, 29))] == [12, 13, 15, 16]


def test_freeze_advance_reset():
    clock.freeze(INSTANTS["autumn-0130-gmt"])
    assert clock.utcnow().isoformat() == "2027-10-31T01:30:00" and clock.utcnow().tzinfo is None
    clock.advance(timedelta(minutes=45))
    assert clock.utcnow().isoformat() == "2027-10-31T02:15:00"
    clock.reset()
    assert abs(clock.utcnow() - datetime.now(UTC).replace(tzinfo=None)) < timedelta(seconds=5)
