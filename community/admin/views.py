"""Coordinators and admins manage people's roles and the boards here. Thin: the rules live in the services."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from community.admin import boards as board_admin
from community.admin.forms import BoardForm, NewBoardForm, PeopleSearchForm, RolesForm
from community.auth import service as accounts
from community.extensions import db
from community.forms import page_number
from community.models import Role, User
from community.permissions import roles_required

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 25


@bp.get("/people")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def people():
    form = PeopleSearchForm(request.args)
    query = select(User).order_by(User.username)
    if form.validate() and form.q.data:
        needle = f"%{form.q.data.lower()}%"
        query = query.where(or_(func.lower(User.username).like(needle), User.email.like(needle)))
    page = db.paginate(query, per_page=PAGE_SIZE, error_out=False)
    return render_template("admin/people.html", form=form, page=page)


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.COORDINATOR)
def person(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = RolesForm(data={"roles": [r.value for r in user.role_set]})
    status = 200
    if form.validate_on_submit():
        try:
            accounts.set_roles(user, {Role(r) for r in form.roles.data}, by=current_user)
        except accounts.AccountError as error:
            form.roles.errors = [error.message]
            status = 400
        else:
            flash(f"Roles for {user.username} have been saved.", "success")
            return redirect(url_for("admin.person", user_id=user.id))
    elif request.method == "POST":
        status = 400
    return render_template("admin/person.html", person=user, form=form), status


# Boards -----------------------------------------------------------------------------------------

def _page_number() -> int:
    return page_number(request.args.get("page"))


def _refused(form, error: board_admin.BoardError):
    """Put the service's messages on the form and show back what was typed (cleaned)."""
    if error.status == 403:
        abort(403)
    for name, text in error.kept.items():
        if name in form:
            form[name].data = text
    for name, message in error.errors.items():
        form[name if name in form else "name"].errors = [message]
    if error.helplines:
        flash("If something is worrying you, you can talk to someone now.", "helplines")
    return error.status


@bp.get("/boards")
@roles_required(Role.ADMIN, Role.COORDINATOR)
def boards():
    return render_template("admin/boards.html", listing=board_admin.boards_page(_page_number()),
                           area_label=board_admin.area_label)


@bp.route("/boards/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.COORDINATOR)
def board_new():
    form = NewBoardForm(data={"slow_mode": "0", "position": "0"})
    form.audience.choices = [("", "Choose who the board is for")] + board_admin.audience_choices()
    form.area.choices = board_admin.area_choices()
    status = 200
    if form.validate_on_submit():
        try:
            board = board_admin.create_board(
                by=current_user, name=form.name.data, description=form.description.data, rules=form.rules.data,
                slow_mode=form.slow_mode.data, position=form.position.data,
                audience=form.audience.data, area=form.area.data)
        except board_admin.BoardError as error:
            status = _refused(form, error)
        else:
            flash(f"The board {board.name} has been made.", "success")
            return redirect(url_for("admin.boards"))
    elif request.method == "POST":
        status = 400
    return render_template("admin/board_new.html", form=form), status


@bp.route("/boards/<slug>", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.COORDINATOR)
def board_edit(slug: str):
    board = board_admin.board_by_slug(slug) or abort(404)
    form = BoardForm(data={"name": board.name, "description": board.description, "rules": board.rules,
                           "slow_mode": str(board.slow_mode_seconds), "position": str(board.position)})
    status = 200
    if form.validate_on_submit():
        try:
            board_admin.update_board(board, by=current_user, name=form.name.data, description=form.description.data,
                                     rules=form.rules.data, slow_mode=form.slow_mode.data,
                                     position=form.position.data)
        except board_admin.BoardError as error:
            status = _refused(form, error)
        else:
            flash(f"Your changes to {board.name} have been saved.", "success")
            return redirect(url_for("admin.boards"))
    elif request.method == "POST":
        status = 400
    return render_template("admin/board_edit.html", board=board, form=form,
                           area_label=board_admin.area_label(board.area)), status
