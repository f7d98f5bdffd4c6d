from datetime import datetime

from community import clock

MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


def is_id(value) -> bool:
    """Whether `value` (any JSON or form value) is an int a table's id column can hold."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def id_from_text(value: str | None) -> int | None:
    """The id written in a form field ("12"), or None for anything else: blank, words, digits
    that are not ASCII ("²"), or a number no id column can hold."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if is_id(number) else None


def utcnow() -> datetime:
    return clock.utcnow()
