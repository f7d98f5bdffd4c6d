"""Forum forms. Length and content rules live in the service, so a refused post keeps its text here."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField

from community.forms import strip_filter
from community.models.base import id_from_text
from community.forums.service import REPORT_REASONS

BODY_HINT = ("You can use **bold**, *italics*, lists starting with -, and > to quote. "
             "Do not share your address, school, phone number or social media.")


class ActionForm(FlaskForm):
    """A button that changes something: carries only the CSRF token."""


class ThreadForm(FlaskForm):
    title = StringField("Title", filters=[strip_filter], description="Say what your thread is about in a few words.")
    body = TextAreaField("Your message", filters=[strip_filter], description=BODY_HINT)


class ReplyForm(FlaskForm):
    body = TextAreaField("Your reply", filters=[strip_filter], description=BODY_HINT)
    quote_post_id = HiddenField()

    def quote_id(self) -> int | None:
        return id_from_text(self.quote_post_id.data)


class EditForm(FlaskForm):
    body = TextAreaField("Your message", filters=[strip_filter], description=BODY_HINT)


class ReportForm(FlaskForm):
    reason = RadioField("Why are you reporting this post?", choices=REPORT_REASONS, validate_choice=False)
    note = TextAreaField("Tell us more (optional)", filters=[strip_filter],
                         description="Only moderators will see this. The person who wrote the post will not know who reported it.")


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField("Search the boards", filters=[strip_filter])
