"""Schedules: RFC 5545 recurrence rules (python-dateutil) read in Europe/London wall-clock time.

A rule is expanded in naive local time and each start is only then placed in Europe/London, so a
Tuesday 18:00 group stays at 18:00 when the clocks change (17:00 UTC in summer, 18:00 UTC in winter).
Term-time-only schedules leave out the school holidays and England's bank holidays as exclusion dates.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import holidays
from dateutil.rrule import rrulestr

from community.clock import LONDON

# Wendleshire's school holidays (first and last day, inclusive; the weekends around them count).
SCHOOL_HOLIDAYS: list[tuple[date, date]] = [
    (date(2026, 2, 14), date(2026, 2, 22)), (date(2026, 3, 28), date(2026, 4, 12)),
    (date(2026, 5, 23), date(2026, 5, 31)), (date(2026, 7, 22), date(2026, 9, 1)),
    (date(2026, 10, 24), date(2026, 11, 1)), (date(2026, 12, 19), date(2027, 1, 3)),
    (date(2027, 2, 13), date(2027, 2, 21)), (date(2027, 3, 25), date(2027, 4, 11)),
    (date(2027, 5, 29), date(2027, 6, 6)), (date(2027, 7, 21), date(2027, 9, 1)),
    (date(2027, 10, 23), date(2027, 10, 31)), (date(2027, 12, 18), date(2028, 1, 3)),
    (date(2028, 2, 12), date(2028, 2, 20)), (date(2028, 4, 8), date(2028, 4, 23)),
    (date(2028, 5, 27), date(2028, 6, 4)), (date(2028, 7, 21), date(2028, 9, 3)),
    (date(2028, 10, 21), date(2028, 10, 29)), (date(2028, 12, 16), date(2029, 1, 2)),
]
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# Rules that would make more than a few sessions a day are refused: a group meets, it does not tick.
_ALLOWED_FREQ = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
MAX_PER_HORIZON = 200
# How far ahead the first session of a new rule is looked for before it is called one that never occurs.
_FIRST_WITHIN = timedelta(days=3 * 366)


class ScheduleError(ValueError):
    """A rule that cannot be used; `field` names the form field to show it beside."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def is_school_holiday(day: date) -> bool:
    return any(first <= day <= last for first, last in SCHOOL_HOLIDAYS)


@functools.lru_cache(maxsize=8)
def bank_holidays(year: int) -> frozenset[date]:
    """England's bank holidays in `year` (the holidays library)."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def build_rule(kind: str, weekday: int, nth: int | None = None) -> str:
    """A form's choice as an RRULE (without DTSTART): weekly, fortnightly, monthly (nth weekday), once."""
    day = WEEKDAYS[weekday]
    if kind == "weekly":
        return f"FREQ=WEEKLY;BYDAY={day}"
    if kind == "fortnightly":
        return f"FREQ=WEEKLY;INTERVAL=2;BYDAY={day}"
    if kind == "monthly":
        return f"FREQ=MONTHLY;BYDAY={nth or 1}{day}"
    if kind == "once":
        return ""
    raise ScheduleError("repeat", "Choose how often the group meets.")


def describe(rule: str, starts_local: datetime, duration_minutes: int, term_time_only: bool,
             holidays_only: bool = False, until: date | None = None, today: date | None = None) -> str:
    """Plain English: 'Every Tuesday, 6pm to 7:30pm (term time only)', then 'from 8 December 2026' if it
    has not started by `today`, and 'until 4 January 2027' if it ends."""
    start = _clock(starts_local.time())
    end = _clock((starts_local + timedelta(minutes=duration_minutes)).time())
    parts = dict(p.split("=", 1) for p in rule.split(";") if "=" in p) if rule else {}
    byday = parts.get("BYDAY", WEEKDAYS[starts_local.weekday()])
    match = re.fullmatch(r"(-?\d)?([A-Z]{2})", byday.split(",")[0])
    day = DAY_NAMES[WEEKDAYS.index(match.group(2))] if match and match.group(2) in WEEKDAYS else "day"
    if not rule:
        when = f"{DAY_NAMES[starts_local.weekday()]} {starts_local.day} {starts_local:%B %Y}"
    elif parts.get("FREQ") == "MONTHLY" and match and match.group(1):
        nth = int(match.group(1))
        when = f"The {'last' if nth == -1 else ['first', 'second', 'third', 'fourth', 'fifth'][nth - 1]} {day} of every month"
    elif parts.get("FREQ") == "WEEKLY" and parts.get("INTERVAL") == "2":
        when = f"Every other {day}"
    elif parts.get("FREQ") == "WEEKLY":
        days = [DAY_NAMES[WEEKDAYS.index(d)] for d in byday.split(",") if d in WEEKDAYS]
        when = "Every " + " and ".join(days or [day])
    else:
        when = "Regularly"
    season = " (term time only)" if term_time_only else " (school holidays only)" if holidays_only else ""
    dates = ""
    if rule and today is not None and starts_local.date() > today:
        dates += f", from {starts_local.day} {starts_local:%B %Y}"
    if rule and until is not None:
        dates += f", until {until.day} {until:%B %Y}"
    return f"{when}, {start} to {end}{season}{dates}"


def _clock(t: time) -> str:
    hour = t.hour % 12 or 12
    suffix = "am" if t.hour < 12 else "pm"
    return f"{hour}{suffix}" if t.minute == 0 else f"{hour}:{t.minute:02d}{suffix}"


def local_to_utc(local: datetime) -> datetime:
    """A Europe/London wall-clock time as naive UTC. A time the spring change skips moves an hour on;
    a time the autumn change repeats is the first (summer time) one."""
    return local.replace(tzinfo=LONDON, fold=0).astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Rule:
    rrule: str
    starts_local: datetime
    duration_minutes: int
    until: date | None = None
    term_time_only: bool = False
    exdates: frozenset[date] = frozenset()
    holidays_only: bool = False

    def excluded(self, day: date) -> bool:
        if day in self.exdates:
            return True
        if self.holidays_only and not is_school_holiday(day):
            return True
        return self.term_time_only and (is_school_holiday(day) or day in bank_holidays(day.year))

    def occurrences(self, first: datetime, last: datetime) -> list[datetime]:
        """Local wall-clock starts in [first, last] (naive local), exclusions taken out."""
        if self.until is not None:
            last = min(last, datetime.combine(self.until, time.max))
        if last < first:
            return []
        if not self.rrule:
            starts = [self.starts_local] if first <= self.starts_local <= last else []
        else:
            rule = rrulestr(self.rrule, dtstart=self.starts_local)
            starts = []
            for start in rule.xafter(first, inc=True):
                if start > last or len(starts) >= MAX_PER_HORIZON:
                    break
                starts.append(start)
        return [s for s in starts if not self.excluded(s.date())]


def check(rule: Rule) -> None:
    """Raise ScheduleError for a rule that cannot be read, ends before it starts, or never occurs."""
    if not 5 <= rule.duration_minutes <= 12 * 60:
        raise ScheduleError("end_time", "The end time must be after the start time, on the same day.")
    if rule.term_time_only and rule.holidays_only:
        raise ScheduleError("term_time_only", "Choose term time only or school holidays only, not both.")
    if rule.until is not None and rule.until < rule.starts_local.date():
        raise ScheduleError("until", "The last date must be on or after the first date.")
    if rule.rrule:
        parts = dict(p.split("=", 1) for p in rule.rrule.upper().split(";") if "=" in p)
        if parts.get("FREQ") not in _ALLOWED_FREQ:
            raise ScheduleError("repeat", "A group can meet at most once a day. Choose weekly, fortnightly or monthly.")
        if "DTSTART" in rule.rrule.upper():
            raise ScheduleError("repeat", "Give the first date separately, not inside the rule.")
        try:
            rrulestr(rule.rrule, dtstart=rule.starts_local)
        except (ValueError, TypeError, KeyError, IndexError):
            raise ScheduleError("repeat", "That repeat rule cannot be read.") from None
    try:
        horizon = rule.starts_local + _FIRST_WITHIN
    except OverflowError:  # a first date near the year 9999
        raise ScheduleError("start_date", "Enter a first date within the next two years.") from None
    if not rule.occurrences(rule.starts_local, horizon):
        raise ScheduleError("start_date", "This schedule never happens: no date matches it between the first "
                                          "date and the last date. Check the day, the dates and term time.")
