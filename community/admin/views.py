"""Coordinators and admins manage people's roles here."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from community.admin.forms import PeopleSearchForm, RolesForm
from community.auth import service as accounts
from community.extensions import db
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
