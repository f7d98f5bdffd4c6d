from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template
from flask_login import current_user
from sqlalchemy import func, select

from community import clock
from community.extensions import db
from community.models import User

bp = Blueprint("main", __name__)

HELPLINES = [
    {"name": "Emergency services", "contact": "999", "href": "tel:999",
     "when": "If you or someone else is in danger right now, or hurt."},
    {"name": "Childline", "contact": "0800 1111", "href": "tel:08001111",
     "when": "For anyone under 19. Free, private, any time, day or night. You can also chat online at childline.org.uk."},
    {"name": "Samaritans", "contact": "116 123", "href": "tel:116123",
     "when": "For anyone who is struggling to cope. Free, any time, day or night."},
    {"name": "Shout", "contact": "text SHOUT to 85258", "href": "sms:85258",
     "when": "If you would rather text than talk. Free, any time, day or night."},
    {"name": "NSPCC helpline", "contact": "0808 800 5000", "href": "tel:08088005000",
     "when": "For adults worried about a child."},
]


@bp.get("/")
def home():
    boards = []
    if current_user.is_authenticated:
        from community.forums.service import boards_for

        boards = boards_for(current_user)
    return render_template("home.html", boards=boards)


@bp.get("/help")
def get_help():
    return render_template("help.html", helplines=HELPLINES)


@bp.get("/people/<username>")
def person(username: str):
    """A profile is private unless its owner opens it, and then only to people who share a board."""
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    if user is None or not current_user.is_authenticated:
        abort(404)
    if user.id != current_user.id and not current_user.is_staff:
        today = clock.today()
        if not user.profile_public or not (user.audiences(today) & current_user.audiences(today)):
            abort(404)
    return render_template("person.html", person=user)


@bp.get("/healthz")
def healthz():
    """For a load balancer and an operator: 200 while this process can serve, 503 if the database is down."""
    from community.main.service import health

    report, serving = health()
    response = jsonify(report)
    response.status_code = 200 if serving else 503
    response.headers["Cache-Control"] = "no-store"
    return response
