"""Jinja filters and globals shared by every template."""
from __future__ import annotations

from datetime import datetime

from flask import Flask

from community import clock
from community.models import Audience, Role


def london_time(moment: datetime | None, style: str = "full") -> str:
    if moment is None:
        return ""
    local = clock.to_london(moment)
    if style == "date":
        return f"{local.day} {local:%B %Y}"
    return f"{local.day} {local:%B %Y} at {local:%-I:%M%p}".replace("AM", "am").replace("PM", "pm")


def unread_notifications() -> int:
    """For the menu on every page: one count query, only for signed-in people."""
    from flask_login import current_user

    from community.forums.service import unread_count

    return unread_count(current_user) if current_user.is_authenticated else 0


def init_app(app: Flask) -> None:
    app.jinja_env.filters["london_time"] = london_time
    app.jinja_env.globals.update(Role=Role, Audience=Audience, unread_notifications=unread_notifications)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
