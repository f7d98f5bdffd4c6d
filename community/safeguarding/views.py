"""Safeguarding pages (thin: the rules live in community/safeguarding/service.py).

Leads and admins: the dashboard, case files (every view recorded), the printable chronology.
Leads, coordinators and admins: the rota. Everyone, signed in or not: "I'm worried about someone".
The person at risk: their private messages with the safety team.
"""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from community import clock
from community.errors import render_error
from community.extensions import db, limiter
from community.forms import page_number
from community.main.views import HELPLINES
from community.models import Area, Role
from community.models.base import id_from_text
from community.models.safeguarding import ACTIONS_WITH_REFERENCE, CaseState, Severity
from community.safeguarding import service
from community.safeguarding.forms import (ActionForm, CaseActionForm, CloseForm, MessageForm, ReopenForm, ReplyForm,
                                          RotaForm, SharingForm, WorryForm)
from community.safeguarding.service import SafeguardingError

bp = Blueprint("safeguarding", __name__, url_prefix="/safeguarding")


def _page() -> int:
    return page_number(request.args.get("page"))


def _leads_only() -> None:
    if not service.is_lead(current_user):
        abort(403)


def _area_choices(first: str) -> list[tuple[str, str]]:
    areas = db.session.execute(select(Area.id, Area.name, Area.kind).order_by(Area.kind, Area.name)).all()
    return [("", first)] + [(str(a.id), f"{a.name} ({a.kind})") for a in areas]


def _area_id(value: str | None) -> int | None:
    return id_from_text(value)


@bp.app_template_filter("london")
def london(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return clock.to_london(moment).strftime("%-d %b %Y, %-I:%M%p").replace("AM", "am").replace("PM", "pm")


@bp.app_template_filter("utc_iso")
def utc_iso(moment: datetime) -> str:
    return moment.replace(tzinfo=UTC).isoformat()


@bp.app_context_processor
def safety_team():
    """`safety_messages()` for the navigation: one query, only when a page asks."""
    return {"safety_messages": lambda: service.has_messages(current_user)}


# --- the dashboard ----------------------------------------------------------------------------------------

@bp.get("/")
@login_required
def dashboard():
    _leads_only()
    page = service.open_cases(current_user, _page())
    now = clock.utcnow()
    return render_template("safeguarding/dashboard.html", page=page, now=now, is_breached=service.is_breached,
                           Severity=Severity)


# --- a case ----------------------------------------------------------------------------------------------

def _case(case_id: int, page: str = "file"):
    """The case for a lead or admin (the view is recorded); 404 for everyone else, as if it did not exist."""
    try:
        return service.case_for(current_user, case_id, page)
    except SafeguardingError:
        abort(404)


def _render_case(case, status: int = 200, **forms):
    forms.setdefault("action_form", CaseActionForm(formdata=None))
    forms.setdefault("sharing_form", SharingForm(formdata=None))
    forms.setdefault("close_form", CloseForm(formdata=None))
    forms.setdefault("reopen_form", ReopenForm(formdata=None))
    forms.setdefault("message_form", MessageForm(formdata=None))
    return render_template("safeguarding/case.html", case=case, file=service.case_file(case),
                           ack_form=ActionForm(), CaseState=CaseState, Severity=Severity,
                           needs_reference=ACTIONS_WITH_REFERENCE, closure_labels=service.CLOSURE_LABELS,
                           source_words=service.SOURCE_WORDS, **forms), status


@bp.get("/cases/<int:case_id>")
@login_required
def case(case_id: int):
    return _render_case(_case(case_id))


@bp.get("/cases/<int:case_id>/print")
@login_required
def chronology(case_id: int):
    case = _case(case_id, "print")
    return render_template("safeguarding/print.html", case=case, file=service.case_file(case),
                           printed_at=clock.utcnow(), Severity=Severity)


def _write(case_id: int, form, field_map: dict[str, str], do):
    """POST helper: validate the form, call the service, show errors on the case page with a 400."""
    case = _case(case_id, "update")
    if not form.validate():
        return _render_case(case, 400, **field_map)
    try:
        do(case, form)
    except SafeguardingError as error:
        if error.status == 404:
            abort(404)
        target = getattr(form, error.field, None)
        if target is None:
            return render_error(error.status, "That did not work", error.message)
        target.errors = [error.message]
        return _render_case(case, 400, **field_map)
    return None


@bp.post("/cases/<int:case_id>/acknowledge")
@login_required
def acknowledge(case_id: int):
    case = _case(case_id, "update")
    if not ActionForm().validate():
        abort(400)
    if service.acknowledge(current_user, case):
        flash("You have acknowledged this case. It is yours now.", "success")
    return redirect(url_for(".case", case_id=case.id))


@bp.post("/cases/<int:case_id>/actions")
@login_required
def record_action(case_id: int):
    form = CaseActionForm()
    refused = _write(case_id, form, {"action_form": form}, lambda case, f: service.record_action(
        current_user, case, f.kind.data, f.rationale.data, f.reference.data))
    if refused is not None:
        return refused
    flash("The action is recorded.", "success")
    return redirect(url_for(".case", case_id=case_id, _anchor="actions"))


@bp.post("/cases/<int:case_id>/sharing")
@login_required
def record_sharing(case_id: int):
    form = SharingForm()

    def do(case, f):
        if f.consent.data not in ("yes", "no"):
            raise SafeguardingError("Say whether you asked for consent.", field="consent")
        service.record_sharing(current_user, case, what=f.what.data, with_whom=f.with_whom.data,
                               lawful_basis=f.lawful_basis.data, consent_sought=f.consent.data == "yes",
                               consent_note=f.consent_note.data)

    refused = _write(case_id, form, {"sharing_form": form}, do)
    if refused is not None:
        return refused
    flash("The information sharing is recorded.", "success")
    return redirect(url_for(".case", case_id=case_id, _anchor="sharing"))


@bp.post("/cases/<int:case_id>/close")
@login_required
def close(case_id: int):
    form = CloseForm()
    refused = _write(case_id, form, {"close_form": form}, lambda case, f: service.close_case(
        current_user, case, reason=f.reason.data or "", outcome=f.outcome.data))
    if refused is not None:
        return refused
    flash("The case is closed.", "success")
    return redirect(url_for(".case", case_id=case_id))


@bp.post("/cases/<int:case_id>/reopen")
@login_required
def reopen(case_id: int):
    form = ReopenForm()

    def do(case, f):
        try:
            service.reopen_case(current_user, case, f.reopen_reason.data)
        except SafeguardingError as error:
            error.field = "reopen_reason"
            raise

    refused = _write(case_id, form, {"reopen_form": form}, do)
    if refused is not None:
        return refused
    flash("The case is open again.", "success")
    return redirect(url_for(".case", case_id=case_id))


@bp.post("/cases/<int:case_id>/message")
@login_required
def message(case_id: int):
    form = MessageForm()
    refused = _write(case_id, form, {"message_form": form},
                     lambda case, f: service.send_message(current_user, case, f.body.data))
    if refused is not None:
        return refused
    flash("Your message is sent. They will see it inside Village.", "success")
    return redirect(url_for(".case", case_id=case_id, _anchor="messages"))


# --- "I'm worried about someone" ---------------------------------------------------------------------------

@bp.route("/worried", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def worried():
    form = WorryForm()
    form.area.choices = _area_choices("I do not know")
    is_mentor = current_user.is_authenticated and current_user.has_role(Role.MENTOR)
    if not is_mentor:
        form.kind.choices = [c for c in form.kind.choices if c[0] != "mentee"]
    if request.method == "GET":
        form.token.data = uuid.uuid4().hex
        return render_template("safeguarding/worried.html", form=form)
    if form.validate():
        try:
            service.report_worry(current_user, kind=form.kind.data or "", what=form.what.data,
                                 danger_now=form.danger.data == "yes", who=form.who.data or "",
                                 username=form.username.data or "", area_id=_area_id(form.area.data),
                                 contact=form.contact.data or "", token=form.token.data or "")
        except SafeguardingError as error:
            getattr(form, error.field, form.what).errors = [error.message]
        else:
            return render_template("safeguarding/worried_thanks.html", helplines=HELPLINES,
                                   danger=form.danger.data == "yes")
    return render_template("safeguarding/worried.html", form=form), 400


# --- the person's messages with the safety team -----------------------------------------------------------------

@bp.get("/messages")
@login_required
def messages():
    return render_template("safeguarding/messages.html", conversations=service.conversations(current_user),
                           form=ReplyForm(formdata=None), helplines=HELPLINES)


@bp.post("/messages/<int:case_id>/reply")
@login_required
def reply(case_id: int):
    form = ReplyForm()
    if form.validate():
        try:
            service.reply_from_person(current_user, case_id, form.body.data)
        except SafeguardingError as error:
            if error.status == 404:
                abort(404)
            form.body.errors = [error.message]
        else:
            flash("Thank you. Your reply is sent to the safety team.", "success")
            return redirect(url_for(".messages"))
    return render_template("safeguarding/messages.html", conversations=service.conversations(current_user),
                           form=form, reply_case=case_id, helplines=HELPLINES), 400


# --- the rota ---------------------------------------------------------------------------------------------

def _rota_only() -> None:
    if not service.may_manage_rota(current_user):
        abort(403)


def _parse_london(value: str | None) -> datetime | None:
    try:
        local = datetime.strptime((value or "").strip().replace("T", " "), "%Y-%m-%d %H:%M")
    except ValueError:
        return None
    return local.replace(tzinfo=clock.LONDON).astimezone(UTC).replace(tzinfo=None)


@bp.route("/rota", methods=["GET", "POST"])
@login_required
def rota():
    _rota_only()
    form = RotaForm()
    form.area.choices = _area_choices("Every area")
    status = 200
    if request.method == "POST":
        status = 400
        starts, ends = _parse_london(form.starts.data), _parse_london(form.ends.data)
        if form.validate():
            if starts is None:
                form.starts.errors = ["Enter the start as a date and time, like 2027-03-05 18:00."]
            if ends is None:
                form.ends.errors = ["Enter the end as a date and time, like 2027-03-08 09:00."]
            if starts is not None and ends is not None:
                try:
                    service.add_rota_entry(current_user, username=form.username.data or "", role=form.role.data,
                                           area_id=_area_id(form.area.data), audience=form.audience.data or "",
                                           starts_at=starts, ends_at=ends)
                except SafeguardingError as error:
                    getattr(form, error.field, form.username).errors = [error.message]
                else:
                    flash("The rota is updated.", "success")
                    return redirect(url_for(".rota"))
    return render_template("safeguarding/rota.html", form=form, page=service.rota_page(_page()),
                           delete_form=ActionForm()), status


@bp.post("/rota/<int:entry_id>/delete")
@login_required
def rota_delete(entry_id: int):
    _rota_only()
    if not ActionForm().validate():
        abort(400)
    try:
        service.remove_rota_entry(current_user, entry_id)
    except SafeguardingError as error:
        abort(error.status)
    flash("Taken off the rota.", "success")
    return redirect(url_for(".rota"))
