"""Review queue pages (thin: the rules live in community/review/service.py).

Moderators and admins: the queue, an item with its decision forms, appeals, the staff log, measures.
Everyone signed in: /review/mine, the decisions about their own posts and account, with the appeal form.
"""
from __future__ import annotations

import click
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from community import clock
from community.extensions import db
from community.forms import page_number
from community.models import Appeal, Audience, ReviewItem, Role, Sanction
from community.permissions import roles_required
from community.review import service
from community.review.forms import (ActionForm, AppealDecisionForm, AppealForm, EditForm, EscalateForm,
                                    LogSearchForm, RejectForm, SanctionForm)
from community.review.service import QueueFilters, ReviewError

bp = Blueprint("review", __name__, url_prefix="/review", cli_group="review")
moderators_only = roles_required(Role.MODERATOR, Role.ADMIN)


def _page() -> int:
    return page_number(request.args.get("page"))


def _item(item_id: int) -> ReviewItem:
    try:
        return service.get_item(current_user, item_id)
    except ReviewError as error:
        abort(error.status)


@bp.get("/")
@moderators_only
def queue():
    filters = QueueFilters.from_args(request.args)
    page = service.queue_page(current_user, filters, _page())
    return render_template("review/queue.html", page=page, filters=filters, form=ActionForm(), today=clock.today(),
                           history=service.author_history({i.author_id for i in page.items if i.author_id}),
                           audience_options=[(a.value, a.label) for a in Audience],
                           category_options=[(c, c.replace("_", " ")) for c in service.categories_in_queue()],
                           kinds=service.KINDS)


@bp.post("/claim-next")
@moderators_only
def claim_next():
    if not ActionForm().validate():
        abort(400)
    item = service.claim_next(current_user, QueueFilters.from_args(request.args))
    if item is None:
        flash("There is nothing waiting that nobody is working on. Well done.", "success")
        return redirect(url_for("review.queue"))
    return redirect(url_for("review.item", item_id=item.id))


def _render_item(item: ReviewItem, status: int = 200, **forms):
    forms.setdefault("action_form", ActionForm())
    forms.setdefault("reject_form", RejectForm())
    forms.setdefault("edit_form", EditForm(data={"body": item.post.body if item.post else item.text}))
    forms.setdefault("escalate_form", EscalateForm())
    forms.setdefault("sanction_form", SanctionForm())
    return render_template("review/item.html", item=item, ctx=service.item_context(item), today=clock.today(),
                           kinds=service.KINDS, **forms), status


@bp.get("/items/<int:item_id>")
@moderators_only
def item(item_id: int):
    return _render_item(_item(item_id))


def _decide(item_id: int, form, act, done: str, form_name: str):
    """Run one decision; on a refusal show the item again with the message, and change nothing."""
    item = _item(item_id)
    if not form.validate():
        abort(400)
    try:
        act(item, form)
    except ReviewError as error:
        db.session.rollback()
        item = _item(item_id)
        field = getattr(form, error.field, None) if error.field else None
        if field is not None:
            field.errors = [error.message]
        else:
            flash(error.message, "error")
        return _render_item(item, error.status, **{form_name: form})
    flash(done, "success")
    if request.form.get("then") == "next":
        return redirect(url_for("review.claim_next_page"))
    return redirect(url_for("review.item", item_id=item_id))


@bp.get("/next")
@moderators_only
def claim_next_page():
    """After a decision with "and next": a page with one button (claiming changes something, so it is a POST)."""
    return render_template("review/next.html", form=ActionForm())


@bp.post("/items/<int:item_id>/claim")
@moderators_only
def claim(item_id: int):
    return _decide(item_id, ActionForm(), lambda item, f: service.claim(current_user, item),
                   "You have claimed this item.", "action_form")


@bp.post("/items/<int:item_id>/approve")
@moderators_only
def approve(item_id: int):
    return _decide(item_id, ActionForm(), lambda item, f: service.approve(current_user, item, f.note.data or ""),
                   "Approved and published.", "action_form")


@bp.post("/items/<int:item_id>/reject")
@moderators_only
def reject(item_id: int):
    def act(item, f):
        reason = f.own_words.data if f.reason.data == "own" else f.reason.data
        if f.reason.data == "own" and not (reason or "").strip():
            raise ReviewError("Write your words for the author.", field="own_words")
        service.reject(current_user, item, reason or "")

    return _decide(item_id, RejectForm(), act, "Rejected. The author has been told why.", "reject_form")


@bp.post("/items/<int:item_id>/edit")
@moderators_only
def edit(item_id: int):
    return _decide(item_id, EditForm(), lambda item, f: service.edit_and_publish(current_user, item, f.body.data or ""),
                   "Edited and published. The original is kept in the post's history.", "edit_form")


@bp.post("/items/<int:item_id>/escalate")
@moderators_only
def escalate(item_id: int):
    return _decide(item_id, EscalateForm(), lambda item, f: service.escalate(current_user, item, f.note.data or ""),
                   "Sent to a safeguarding lead.", "escalate_form")


@bp.post("/items/<int:item_id>/sanction")
@moderators_only
def sanction(item_id: int):
    def act(item, f):
        if item.author is None:
            raise ReviewError("This item has no author to sanction.", 409)
        days = f.days.data or ""
        service.sanction(current_user, item.author, f.kind.data or "", f.reason.data or "",
                         days=int(days) if days.isascii() and days.isdigit() and len(days) < 5 else None, item=item)

    return _decide(item_id, SanctionForm(), act, "Done. The author has been told.", "sanction_form")


# --- appeals ------------------------------------------------------------------------------------------

@bp.get("/appeals")
@moderators_only
def appeals():
    return render_template("review/appeals.html", page=service.open_appeals(current_user, _page()),
                           form=AppealDecisionForm())


@bp.post("/appeals/<int:appeal_id>")
@moderators_only
def decide_appeal(appeal_id: int):
    row = db.session.get(Appeal, appeal_id) or abort(404)
    form = AppealDecisionForm()
    if not form.validate():
        abort(400)
    try:
        service.decide_appeal(current_user, row, form.outcome.data == "uphold", form.words.data or "")
    except ReviewError as error:
        db.session.rollback()
        flash(error.message, "error")
        return render_template("review/appeals.html", page=service.open_appeals(current_user, _page()),
                               form=form), error.status
    flash("The appeal is decided. The person has been told.", "success")
    return redirect(url_for("review.appeals"))


@bp.route("/mine", methods=["GET", "POST"])
@login_required
def mine():
    """The signed-in person's rejected posts and sanctions, with one appeal each."""
    form = AppealForm()
    status = 200
    if request.method == "POST":
        target = (form.target.data or "").split(":")
        row_id = int(target[1]) if len(target) == 2 and target[1].isascii() and target[1].isdigit() and len(target[1]) < 10 else 0
        kwargs = {}
        if target[0] == "item":
            kwargs["item"] = db.session.get(ReviewItem, row_id)
        elif target[0] == "sanction":
            kwargs["sanction_row"] = db.session.get(Sanction, row_id)
        if not form.validate() or not any(kwargs.values()):
            abort(400 if form.errors else 404)
        try:
            service.appeal(current_user, form.text.data or "", **kwargs)
        except ReviewError as error:
            db.session.rollback()
            if error.status == 404:
                abort(404)
            form.text.errors = [error.message]
            status = error.status
        else:
            flash("Thank you. A different moderator will look at your appeal.", "success")
            return redirect(url_for("review.mine"))
    items, sanctions, appeals_by = service.appealable(current_user)
    return render_template("review/mine.html", items=items, sanctions=sanctions, appeals=appeals_by,
                           form=form), status


# --- staff log and measures ----------------------------------------------------------------------------

@bp.get("/log")
@moderators_only
def log():
    form = LogSearchForm(request.args)
    form.action.choices = [("", "Any action")] + [(a, a) for a in service.log_actions()]
    action = request.args.get("action", "") if request.args.get("action", "") in dict(form.action.choices) else ""
    page = service.staff_log_page(current_user, q=(form.q.data or "")[:100], action=action, page=_page())
    return render_template("review/log.html", form=form, page=page)


@bp.get("/measures")
@moderators_only
def measures():
    return render_template("review/measures.html", m=service.measures(current_user))


@bp.get("/measures.csv")
@moderators_only
def measures_csv():
    return Response(service.measures_csv(service.measures(current_user)), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=review-measures.csv"})


@bp.cli.command("export-labels")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def export_labels(path: str) -> None:
    """Write moderators' decisions as JSONL for `python -m moderation evaluate PATH`."""
    with open(path, "w", encoding="utf-8") as out:
        count = service.export_labels(out)
    click.echo(f"Wrote {count} decided item{'s' if count != 1 else ''} to {path}")
