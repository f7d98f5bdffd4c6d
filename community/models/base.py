from datetime import datetime

from community import clock


def utcnow() -> datetime:
    return clock.utcnow()
