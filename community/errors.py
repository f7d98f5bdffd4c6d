"""Error pages that say what to do next and reveal nothing about the inside."""
from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

MESSAGES = {
    400: ("Something was wrong with that request", "Please go back and try again."),
    403: ("You cannot see this page", "This page is for other people. If you think you should see it, ask a coordinator."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("That did not work", "Please go back and try again."),
    413: ("That was too big to send", "Please make what you sent shorter or smaller, then try again. Nothing you sent has been saved."),
    415: ("That did not work", "Please use the form on the page to send this."),
    429: ("Please slow down", "You have tried that too many times. Wait a minute, then try again."),
    500: ("Sorry, something went wrong on our side", "Please try again later. What you were doing has not been shared with anyone."),
}


class RuleError(Exception):
    """A service rule said no and nothing was changed: `message` is shown to the person, `status` is the
    HTTP status to answer with, `field` the form field it is about. Each domain subclasses it."""

    default_field = ""

    def __init__(self, message: str, status: int = 400, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = self.default_field if field is None else field


def render_error(code: int, title: str | None = None, body: str | None = None):
    default_title, default_body = MESSAGES.get(code, MESSAGES[400 if code < 500 else 500])
    return render_template("error.html", code=code, title=title or default_title,
                           body=body or default_body), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, "This form has expired",
                            "For your safety, forms expire. Go back, refresh the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if request.path.startswith("/api/"):
            return {"error": MESSAGES.get(code, MESSAGES[500])[0]}, code
        return render_error(code)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("Unhandled error on %s", request.path)
        return render_error(InternalServerError.code)
