"""Review-queue forms. Rules (lengths, who may do what) live in community/review/service.py."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField

from community.forms import strip_filter
from community.review.service import REJECT_REASONS


class ActionForm(FlaskForm):
    """A button that changes something (claim, approve, claim next): carries only the CSRF token."""
    note = TextAreaField("Note for staff (optional)", filters=[strip_filter])


class RejectForm(FlaskForm):
    reason = RadioField("What should the author be told?", choices=REJECT_REASONS + [("own", "Write my own words")],
                        default="contact")
    own_words = TextAreaField("Your words for the author", filters=[strip_filter],
                              description="Kind and clear: the author may be 13.")


class EditForm(FlaskForm):
    body = TextAreaField("The post with the details taken out", filters=[strip_filter],
                         description="The original is kept for staff in the post's history.")


class EscalateForm(FlaskForm):
    note = TextAreaField("Why are you worried?", filters=[strip_filter],
                         description="A safeguarding lead reads this first.")


class SanctionForm(FlaskForm):
    kind = RadioField("What happens to the author?", choices=[
        ("warning", "A warning"), ("mute", "A pause on posting (they can still read)"),
        ("suspension", "A suspension (they cannot sign in)"), ("ban", "A ban")], default="warning")
    days = StringField("For how many days?", filters=[strip_filter], description="For a pause or a suspension: 1 to 365.")
    reason = TextAreaField("Why? The author will see this", filters=[strip_filter])


class AppealForm(FlaskForm):
    target = HiddenField()
    text = TextAreaField("Why do you think this was wrong?", filters=[strip_filter])


class AppealDecisionForm(FlaskForm):
    outcome = RadioField("Your decision", choices=[("uphold", "The appeal is right: undo the decision"),
                                                   ("refuse", "The decision stands")], default="refuse")
    words = TextAreaField("What the person will be told", filters=[strip_filter])


class LogSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search the log", filters=[strip_filter], description="An action, a username or a reason.")
    action = SelectField("Action", choices=[("", "Any action")])
