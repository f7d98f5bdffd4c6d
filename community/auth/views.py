from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from community.auth import service
from community.auth.forms import LoginForm, ProfileForm, RegistrationForm, ResetPasswordForm, ResetRequestForm
from community.extensions import limiter

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("main.home")


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegistrationForm()
    status = 200
    if request.method == "POST":
        valid = form.validate()  # validate() resets errors, so the date is checked after it
        born = form.birth_date()
        if valid and born is not None:
            try:
                user = service.register(username=form.username.data, email=form.email.data,
                                        password=form.password.data, born=born, joining_as=form.joining_as.data)
            except service.UnderThirteen:
                return render_template("auth/under_13.html"), 200
            except service.AccountError as error:
                getattr(form, error.field or "username").errors = [error.message]
                if error.helplines:
                    flash("If something is worrying you, you can talk to someone now.", "helplines")
            else:
                login_user(user)
                flash(f"Welcome to Village, {user.username}.", "success")
                return redirect(url_for("main.home"))
        status = 400
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            result = service.authenticate(form.login.data, form.password.data)
            if result.user is not None:
                login_user(result.user)
                return redirect(_safe_next(request.args.get("next")))
            form.login.errors = [result.message]
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("main.home"))


@bp.route("/reset-password", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def request_reset():
    form = ResetRequestForm()
    if form.validate_on_submit():
        service.send_password_reset(form.email.data)
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/reset_request.html", form=form), 400 if request.method == "POST" else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = service.user_for_reset_token(token)
    if user is None:
        return render_template("auth/reset_invalid.html"), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        service.set_password(user, form.password.data)
        flash("Your password has been changed. You can sign in now.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), 400 if request.method == "POST" else 200


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            service.update_profile(current_user, about=form.about.data, profile_public=form.profile_public.data)
        except service.AccountError as error:
            form.about.errors = [error.message]
            if error.helplines:
                flash("If something is worrying you, you can talk to someone now.", "helplines")
        else:
            flash("Your profile has been saved.", "success")
            return redirect(url_for("auth.profile"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/profile.html", form=form), status
