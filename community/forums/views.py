from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from community.forums import service

bp = Blueprint("forums", __name__, url_prefix="/boards")


@bp.get("/")
@login_required
def index():
    return render_template("forums/index.html", boards=service.boards_for(current_user))


@bp.get("/<slug>")
@login_required
def board(slug: str):
    board = service.board_by_slug(slug)
    # A board someone may not read looks the same as one that does not exist.
    if board is None or not service.may_read(current_user, board):
        abort(404)
    return render_template("forums/board.html", board=board)
