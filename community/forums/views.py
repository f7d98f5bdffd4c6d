"""Forum pages. Thin: each view reads the form, calls the service, and shows the answer.

Everything here works without JavaScript; static/js/forums.js makes the thread page live on top.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from community.errors import render_error
from community.forms import page_number
from community.forums import search as forum_search
from community.forums import service
from community.forums.forms import ActionForm, EditForm, ReplyForm, ReportForm, SearchForm, ThreadForm
from community.forums.service import ForumError
from community.models.base import id_from_text

bp = Blueprint("forums", __name__, url_prefix="/boards")


@bp.app_template_filter("render_text")
def render_text(text: str):
    """Member-written text as safe HTML, through the one sanitiser."""
    from community.text import render

    return render(text)


def _page() -> int:
    return page_number(request.args.get("page"))


def _refuse(error: ForumError):
    if error.status == 404:
        abort(404)
    return render_error(error.status, "That did not work", error.message)


def _after_write(result: service.PostResult) -> None:
    if result.show_helplines:
        flash(result.message, "helplines")
    elif result.state == "published":
        flash(result.message, "success")
    else:
        flash(result.message, "info")


@bp.get("/")
@login_required
def index():
    return render_template("forums/index.html", boards=service.boards_for(current_user),
                           unread=service.unread_count(current_user), search_form=SearchForm(request.args))


@bp.get("/<slug>")
@login_required
def board(slug: str):
    try:
        board = service.readable_board(current_user, slug)
    except ForumError as error:
        return _refuse(error)
    page = service.threads_page(current_user, board, _page())
    return render_template("forums/board.html", board=board, page=page,
                           is_moderator=service.is_moderator(current_user))


@bp.route("/<slug>/new", methods=["GET", "POST"])
@login_required
def new_thread(slug: str):
    try:
        board = service.readable_board(current_user, slug)
    except ForumError as error:
        return _refuse(error)
    form = ThreadForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                result = service.start_thread(current_user, board, form.title.data, form.body.data)
            except ForumError as error:
                if error.status in (403, 404):
                    return _refuse(error)
                getattr(form, error.field, form.body).errors = [error.message]
            else:
                if result.state == "rejected":
                    form.body.errors = [result.message]
                else:
                    _after_write(result)
                    return redirect(url_for("forums.thread", thread_id=result.thread.id))
        status = 400
    return render_template("forums/new_thread.html", board=board, form=form), status


def _render_thread(thread, form: ReplyForm, status: int = 200, page: int | None = None):
    user = current_user
    page_number = page or _page()
    posts = service.posts_page(user, thread, page_number)
    ids = [p.id for p in posts.items]
    quote = None
    if form.quote_id():
        try:
            quote = service.readable_post(user, form.quote_id())
        except ForumError:
            form.quote_post_id.data = ""
    return render_template(
        "forums/thread.html", thread=thread, board=thread.board, page=posts, form=form, quote=quote,
        helped=service.helped_counts(ids), mine=service.helped_by(user, ids),
        subscribed=service.is_subscribed(user, thread), is_moderator=service.is_moderator(user),
        youth=service.is_youth_board(thread.board),
        can_reply=thread.state == "published" and thread.deleted_at is None and (
            not thread.is_locked or service.is_moderator(user)),
        last_post_id=max(ids, default=0), on_last_page=not posts.has_next,
    ), status


@bp.get("/t/<int:thread_id>")
@login_required
def thread(thread_id: int):
    try:
        thread = service.readable_thread(current_user, thread_id)
    except ForumError as error:
        return _refuse(error)
    form = ReplyForm(formdata=None)
    quote = request.args.get("quote", "")
    form.quote_post_id.data = str(id_from_text(quote) or "")
    return _render_thread(thread, form)


@bp.post("/t/<int:thread_id>/reply")
@login_required
def reply(thread_id: int):
    try:
        thread = service.readable_thread(current_user, thread_id)
    except ForumError as error:
        return _refuse(error)
    form = ReplyForm()
    if not form.validate():
        return _render_thread(thread, form, 400, service.last_page(current_user, thread))
    try:
        result = service.reply(current_user, thread, form.body.data, form.quote_id())
    except ForumError as error:
        if error.status in (403, 404) and error.field != "body":
            return _refuse(error)
        form.body.errors = [error.message]
        return _render_thread(thread, form, error.status, service.last_page(current_user, thread))
    if result.state == "rejected":
        form.body.errors = [result.message]
        return _render_thread(thread, form, 400, service.last_page(current_user, thread))
    _after_write(result)
    return redirect(url_for("forums.post", post_id=result.post.id))


@bp.get("/p/<int:post_id>")
@login_required
def post(post_id: int):
    """A post's lasting address: the thread page it is on, scrolled to it."""
    try:
        post = service.readable_post(current_user, post_id)
    except ForumError as error:
        return _refuse(error)
    page = service.page_of_post(current_user, post)
    return redirect(url_for("forums.thread", thread_id=post.thread_id, page=page, _anchor=f"post-{post.id}"))


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit(post_id: int):
    try:
        post = service.readable_post(current_user, post_id)
    except ForumError as error:
        return _refuse(error)
    if post.author_id != current_user.id:
        abort(403)
    form = EditForm(obj=post) if request.method == "GET" else EditForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                result = service.edit_post(current_user, post, form.body.data)
            except ForumError as error:
                if error.status == 404:
                    return _refuse(error)
                form.body.errors = [error.message]
            else:
                _after_write(result)
                return redirect(url_for("forums.post", post_id=post.id))
        status = 400
    return render_template("forums/edit.html", post=post, form=form), status


@bp.route("/p/<int:post_id>/delete", methods=["GET", "POST"])
@login_required
def delete(post_id: int):
    try:
        post = service.readable_post(current_user, post_id)
    except ForumError as error:
        return _refuse(error)
    if post.author_id != current_user.id and not service.is_moderator(current_user):
        abort(403)
    if request.method == "POST":
        if not ActionForm().validate():
            abort(400)
        service.delete_post(current_user, post)
        flash("The post is deleted.", "success")
        return redirect(url_for("forums.thread", thread_id=post.thread_id))
    return render_template("forums/delete.html", post=post)


@bp.post("/p/<int:post_id>/helped")
@login_required
def helped(post_id: int):
    try:
        post = service.readable_post(current_user, post_id)
        service.toggle_helped(current_user, post)
    except ForumError as error:
        return _refuse(error)
    return redirect(url_for("forums.post", post_id=post.id))


@bp.route("/p/<int:post_id>/report", methods=["GET", "POST"])
@login_required
def report(post_id: int):
    try:
        post = service.readable_post(current_user, post_id)
    except ForumError as error:
        return _refuse(error)
    form = ReportForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                service.report_post(current_user, post, form.reason.data or "", form.note.data or "")
            except ForumError as error:
                if error.status == 404:
                    return _refuse(error)
                getattr(form, error.field, form.reason).errors = [error.message]
            else:
                flash("Thank you for telling us. A moderator will look at the post.", "success")
                return redirect(url_for("forums.post", post_id=post.id))
        status = 400
    return render_template("forums/report.html", post=post, form=form), status


@bp.get("/p/<int:post_id>/history")
@login_required
def history(post_id: int):
    try:
        post = service.readable_post(current_user, post_id)
        revisions = service.revisions(current_user, post)
    except ForumError as error:
        return _refuse(error)
    return render_template("forums/history.html", post=post, revisions=revisions)


def _moderate(post_id: int, action) -> object:
    if not service.is_moderator(current_user):
        abort(403)
    if not ActionForm().validate():
        abort(400)
    try:
        post = service.readable_post(current_user, post_id)
        action(current_user, post)
    except ForumError as error:
        return _refuse(error)
    return redirect(url_for("forums.post", post_id=post.id))


@bp.post("/p/<int:post_id>/hide")
@login_required
def hide(post_id: int):
    return _moderate(post_id, service.hide_post)


@bp.post("/p/<int:post_id>/unhide")
@login_required
def unhide(post_id: int):
    return _moderate(post_id, service.unhide_post)


@bp.post("/t/<int:thread_id>/settings")
@login_required
def thread_settings(thread_id: int):
    """Moderators: lock or unlock, pin or unpin (the button says which)."""
    if not service.is_moderator(current_user):
        abort(403)
    if not ActionForm().validate():
        abort(400)
    try:
        thread = service.readable_thread(current_user, thread_id)
        change = request.form.get("change", "")
        if change in ("lock", "unlock"):
            service.set_locked(current_user, thread, change == "lock")
        elif change in ("pin", "unpin"):
            service.set_pinned(current_user, thread, change == "pin")
        else:
            abort(400)
    except ForumError as error:
        return _refuse(error)
    flash({"lock": "The thread is locked.", "unlock": "The thread is open for replies.",
           "pin": "The thread is pinned to the top of the board.", "unpin": "The thread is no longer pinned."}[change],
          "success")
    return redirect(url_for("forums.thread", thread_id=thread.id))


@bp.post("/t/<int:thread_id>/subscribe")
@login_required
def subscribe(thread_id: int):
    if not ActionForm().validate():
        abort(400)
    try:
        thread = service.readable_thread(current_user, thread_id)
        on = service.toggle_subscription(current_user, thread)
    except ForumError as error:
        return _refuse(error)
    flash("You will get a notification when someone replies." if on else "You will not get notifications "
          "about this thread any more.", "success")
    return redirect(url_for("forums.thread", thread_id=thread.id))


@bp.get("/notifications")
@login_required
def notifications():
    page = service.notifications_page(current_user, _page())
    return render_template("forums/notifications.html", page=page, text_for=service.notification_text)


@bp.post("/notifications/read")
@login_required
def notifications_read():
    if not ActionForm().validate():
        abort(400)
    service.mark_all_read(current_user)
    flash("All notifications are marked as read.", "success")
    return redirect(url_for("forums.notifications"))


@bp.get("/search")
@login_required
def search():
    form = SearchForm(request.args)
    query = form.q.data or ""
    page = forum_search.search_posts(current_user, query, _page()) if query else None
    return render_template("forums/search.html", form=form, query=query, page=page, excerpt=service.post_excerpt)
