"""Group directory pages and the Open Referral UK API (thin: the rules live in community/groups/service.py).

Everything works without JavaScript; static/js/groups.js only offers "use my location" when asked.
"""
from __future__ import annotations

import click
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from community.errors import render_error
from community.forms import page_number
from community.groups import service
from community.groups.oruk import import_command
from community.groups.forms import ActionForm, CancelSessionForm, FamilyForm, GroupForm, MoveForm, ScheduleForm, SearchForm
from community.groups.schedules import build_rule
from community.groups.service import GroupError, GroupInvalid
from community.models.base import id_from_text
from community.models.groups import GroupState
from community.permissions import roles_required

bp = Blueprint("groups", __name__, url_prefix="/groups")
bp.cli.add_command(import_command)  # flask --app wsgi groups import FILE.json
bp.cli.add_command(click.Command("sessions", callback=lambda: click.echo(
    f"{service.materialise_all()} new sessions made for the next three months."),
    help="Make the next three months of sessions for every listed group now (the worker does this hourly)."))


def _page() -> int:
    return page_number(request.args.get("page"))


def _refuse(error: GroupError):
    if error.status == 404:
        abort(404)
    return render_error(error.status, "That did not work", error.message)


def _explain(error: GroupError, back_to):
    """A step that cannot be taken yet (409): say why on the page the person came from (`back_to()`, its
    address); other refusals get the error page."""
    if error.status != 409:
        return _refuse(error)
    flash(error.message, "important")
    return redirect(back_to())


def _show_errors(form, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        target = getattr(form, name, None)
        if target is None:
            continue
        target.errors = [*(target.errors or ()), message]


@bp.get("/")
def index():
    form = SearchForm(request.args)
    form.fill_choices(service.areas_for_filter(), service.venues(), service.categories())
    results, status, searched = None, 200, bool(request.args)
    try:
        results = service.search(form.filters(), _page())
    except GroupInvalid as error:
        _show_errors(form, error.errors)
        status = 400
    return render_template("groups/index.html", form=form, results=results, searched=searched, svc=service), status


@bp.get("/<int:group_id>")
def detail(group_id: int):
    try:
        group = service.visible_group(current_user, group_id)
    except GroupError as error:
        return _refuse(error)
    sessions = service.upcoming_sessions(group)
    bookings = service.bookings_for(current_user, [s.id for s in sessions])
    positions = {sid: service.waiting_position(b) for sid, b in bookings.items() if b.state == "waiting"}
    return render_template("groups/detail.html", group=group, sessions=sessions, bookings=bookings, positions=positions,
                           schedules=[service.describe_schedule(s) for s in group.schedules],
                           may_manage=service.may_manage(current_user, group), action=ActionForm(),
                           is_member=service.is_member(current_user, group), svc=service)


@bp.get("/<int:group_id>/calendar.ics")
def group_calendar(group_id: int):
    try:
        group = service.visible_group(current_user, group_id)
    except GroupError as error:
        return _refuse(error)
    return Response(service.group_calendar(group), mimetype="text/calendar",
                    headers={"Content-Disposition": f'inline; filename="group-{group.id}.ics"'})


@bp.get("/calendar/<token>.ics")
def person_calendar(token: str):
    """Private: the token in the URL is the key, so calendar apps can read it without signing in."""
    try:
        user = service.person_for_token(token)
    except GroupError:
        abort(404)
    return Response(service.person_calendar(user), mimetype="text/calendar",
                    headers={"Content-Disposition": 'inline; filename="village.ics"', "Cache-Control": "private, no-store"})


@bp.get("/mine")
@login_required
def mine():
    return render_template("groups/mine.html", bookings=service.my_bookings(current_user),
                           groups=service.my_groups(current_user),
                           feed=url_for("groups.person_calendar", token=service.calendar_token(current_user), _external=True))


@bp.route("/about-your-family", methods=["GET", "POST"])
@login_required
def family():
    form = FamilyForm()
    if request.method == "GET":
        form.priority_groups.data = sorted(service.family_details(current_user))
    elif form.validate_on_submit():
        try:
            service.set_family_details(current_user, set(form.priority_groups.data or []))
        except GroupInvalid as error:
            _show_errors(form, error.errors)
        else:
            flash("Thank you. What you told us is saved." if form.priority_groups.data
                  else "Saved. We hold nothing about your family.", "success")
            return redirect(url_for("groups.mine"))
    status = 400 if request.method == "POST" else 200
    return render_template("groups/family.html", form=form), status


@bp.post("/<int:group_id>/join")
@login_required
def join(group_id: int):
    try:
        group = service.visible_group(current_user, group_id)
        if request.form.get("leave"):
            service.leave(current_user, group)
            flash(f"You have left {group.name}.", "success")
        else:
            service.join(current_user, group)
            flash(f"You have joined {group.name}. " + (
                "Its sessions are in your calendar feed." if group.capacity is None else
                "Places are limited: book the sessions you want, and they go in your calendar feed."), "success")
    except GroupError as error:
        return _refuse(error)
    return redirect(url_for("groups.detail", group_id=group_id))


@bp.post("/sessions/<int:session_id>/book")
@login_required
def book(session_id: int):
    try:
        session = service.session_of(session_id)
        service.visible_group(current_user, session.group_id)
        if request.form.get("cancel"):
            service.cancel_booking(current_user, session)
            flash("Your booking is cancelled.", "success")
        else:
            booking = service.book(current_user, session)
            if booking.state == "waiting":
                flash(f"This session is full. You are number {service.waiting_position(booking)} on the waiting list: "
                      "we will tell you if a place comes free.", "info")
            else:
                flash("You are booked in. The session is in your calendar feed.", "success")
    except GroupError as error:
        return _explain(error, lambda: url_for("groups.detail", group_id=session.group_id))
    return redirect(url_for("groups.detail", group_id=session.group_id))


# --- organisers ------------------------------------------------------------------------------------

def _group_form(form: GroupForm) -> GroupForm:
    form.fill_choices(service.areas_for_filter(), service.venues(), service.categories())
    return form


@bp.get("/manage")
@roles_required(*service.MANAGERS)
def manage():
    return render_template("groups/manage.html", page=service.managed_groups(current_user, _page()))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*service.MANAGERS)
def new():
    form = _group_form(GroupForm())
    status = 200
    if request.method == "POST":
        fields, errors = form.fields()
        if not errors:
            try:
                group = service.create_group(current_user, fields)
                flash("Your group is saved as a draft. Add when it meets, then publish it.", "success")
                return redirect(url_for("groups.schedule", group_id=group.id))
            except GroupInvalid as error:
                errors = error.errors
        _show_errors(form, errors)
        status = 400
    return render_template("groups/edit.html", form=form, group=None), status


@bp.route("/<int:group_id>/edit", methods=["GET", "POST"])
@roles_required(*service.MANAGERS)
def edit(group_id: int):
    try:
        group = service.managed_group(current_user, group_id)
    except GroupError as error:
        return _refuse(error)
    form = _group_form(GroupForm())
    status = 200
    if request.method == "GET":
        form.load(service.fields_of(group))
    else:
        fields, errors = form.fields()
        if not errors:
            try:
                service.update_group(current_user, group, fields)
                if service.pending_description(group) is not None:
                    flash("Your changes are saved. A moderator needs to check the new description before "
                          "families see it.", "important")
                else:
                    flash("Your changes are saved.", "success")
                return redirect(url_for("groups.detail", group_id=group.id))
            except GroupInvalid as error:
                errors = error.errors
        _show_errors(form, errors)
        status = 400
    return render_template("groups/edit.html", form=form, group=group), status


@bp.post("/<int:group_id>/state")
@roles_required(*service.MANAGERS)
def change_state(group_id: int):
    try:
        group = service.managed_group(current_user, group_id)
        state = request.form.get("state", "")
        service.set_state(current_user, group, state)
    except GroupError as error:
        return _explain(error, lambda: url_for("groups.detail", group_id=group_id))
    words = {GroupState.PUBLISHED.value: "published", GroupState.PAUSED.value: "paused",
             GroupState.CANCELLED.value: "cancelled"}
    flash(f"{group.name} is {words[state]}.", "success")
    return redirect(url_for("groups.detail", group_id=group.id))


@bp.route("/<int:group_id>/schedule", methods=["GET", "POST"])
@roles_required(*service.MANAGERS)
def schedule(group_id: int):
    try:
        group = service.managed_group(current_user, group_id)
    except GroupError as error:
        return _refuse(error)
    form = ScheduleForm()
    status = 200
    if request.method == "POST":
        errors = {}
        if form.validate():
            try:
                weekday = form.start_date.data.weekday() if form.start_date.data else 0
                rule = build_rule(form.repeat.data, weekday, int(form.nth.data or 1))
                service.add_schedule(current_user, group, rrule=rule, start_date=form.start_date.data,
                                     start_time=form.start_time.data, end_time=form.end_time.data,
                                     until=form.until.data, term_time_only=bool(form.term_time_only.data),
                                     holidays_only=bool(form.holidays_only.data))
                flash("The schedule is added.", "success")
                return redirect(url_for("groups.schedule", group_id=group.id))
            except GroupInvalid as error:
                errors = error.errors
            except ValueError:
                errors = {"repeat": "Choose how often the group meets."}
        _show_errors(form, errors)
        status = 400
    return render_template("groups/schedule.html", form=form, group=group, action=ActionForm(),
                           schedules=[(s, service.describe_schedule(s)) for s in group.schedules],
                           sessions=service.upcoming_sessions(group, 30)), status


@bp.post("/<int:group_id>/schedule/<int:schedule_id>/remove")
@roles_required(*service.MANAGERS)
def remove_schedule(group_id: int, schedule_id: int):
    try:
        group = service.managed_group(current_user, group_id)
    except GroupError as error:
        return _refuse(error)
    found = next((s for s in group.schedules if s.id == schedule_id), None)
    if found is None:
        abort(404)
    service.remove_schedule(current_user, group, found)
    flash("The schedule is removed.", "success")
    return redirect(url_for("groups.schedule", group_id=group.id))


@bp.route("/sessions/<int:session_id>/change", methods=["GET", "POST"])
@roles_required(*service.MANAGERS)
def change_session(session_id: int):
    """Move one session, or cancel it with a reason families see."""
    try:
        session = service.session_of(session_id)
        group = service.managed_group(current_user, session.group_id)
    except GroupError as error:
        return _refuse(error)
    move, cancel = MoveForm(prefix="move"), CancelSessionForm(prefix="cancel")
    status = 200
    if request.method == "POST":
        try:
            if request.form.get("action") == "cancel" and cancel.validate():
                service.cancel_session(current_user, session, cancel.reason.data)
                flash("The session is cancelled and everyone booked is told.", "success")
                return redirect(url_for("groups.schedule", group_id=group.id))
            if request.form.get("action") == "move" and move.validate():
                service.move_session(current_user, session, move.date.data, move.start_time.data, move.end_time.data)
                flash("The session is moved and everyone booked is told.", "success")
                return redirect(url_for("groups.schedule", group_id=group.id))
        except GroupInvalid as error:
            _show_errors(cancel if request.form.get("action") == "cancel" else move, error.errors)
        except GroupError as error:
            return _explain(error, lambda: url_for("groups.schedule", group_id=group.id))
        status = 400
    return render_template("groups/change_session.html", session=session, group=group, move=move, cancel=cancel), status


@bp.route("/sessions/<int:session_id>/register", methods=["GET", "POST"])
@roles_required(*service.MANAGERS)
def register(session_id: int):
    try:
        session = service.session_of(session_id)
        group = service.managed_group(current_user, session.group_id)
        form = ActionForm()
        if request.method == "POST" and form.validate():
            came = service.record_attendance(current_user, session,
                                             {i for v in request.form.getlist("attended") if (i := id_from_text(v))})
            flash(f"The register is saved: {came} came.", "success")
            return redirect(url_for("groups.register", session_id=session.id))
        bookings = service.register(current_user, session)
    except GroupError as error:
        return _explain(error, lambda: url_for("groups.register", session_id=session_id))
    return render_template("groups/register.html", session=session, group=group, bookings=bookings, form=form,
                           svc=service)


@bp.get("/report")
@roles_required(*service.MANAGERS)
def report():
    return render_template("groups/report.html", rows=service.reach_report(current_user),
                           priority=service.reach_by_priority_group(current_user), small=service.SMALL_COUNT)
