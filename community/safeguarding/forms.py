"""Safeguarding forms. The rules (what is required, lengths, who may) live in the service."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField

from community.forms import strip_filter
from community.models.safeguarding import ACTION_KINDS, LAWFUL_BASES, RotaRole
from community.safeguarding.service import CLOSURE_REASONS, WORRY_KINDS


class ActionForm(FlaskForm):
    """A button that changes something: carries only the CSRF token."""


class WorryForm(FlaskForm):
    kind = RadioField("Who are you worried about?", choices=WORRY_KINDS, validate_choice=False)
    danger = RadioField("Is someone in danger right now?", choices=[("yes", "Yes"), ("no", "No, or I do not know")],
                        validate_choice=False,
                        description="If someone is in danger right now, call 999 first, then tell us.")
    who = StringField("Who is it? (optional)", filters=[strip_filter],
                      description="Their name, or how you know them. You can leave this empty.")
    username = StringField("Their Village username, if you know it (optional)", filters=[strip_filter])
    what = TextAreaField("What is worrying you?", filters=[strip_filter],
                         description="Tell us what happened or what you saw, in your own words.")
    area = SelectField("Where do they live? (optional)", choices=[], validate_choice=False)
    contact = StringField("How can we contact you? (optional)", filters=[strip_filter],
                          description="An email address or phone number. Leave it empty to stay anonymous.")
    token = HiddenField()


class CaseActionForm(FlaskForm):
    kind = SelectField("What did you do?", choices=[("", "Choose an action"), *ACTION_KINDS], validate_choice=False)
    reference = StringField("Reference (optional, except for children's social care)", filters=[strip_filter])
    rationale = TextAreaField("Why? (your rationale)", filters=[strip_filter])


class SharingForm(FlaskForm):
    what = TextAreaField("What information did you share?", filters=[strip_filter])
    with_whom = StringField("Who did you share it with?", filters=[strip_filter])
    lawful_basis = SelectField("Lawful basis", choices=[("", "Choose a lawful basis"), *LAWFUL_BASES],
                               validate_choice=False)
    consent = RadioField("Did you ask for consent?", choices=[("yes", "Yes"), ("no", "No")], validate_choice=False)
    consent_note = TextAreaField("What did they say, or why did you not ask?", filters=[strip_filter])


class CloseForm(FlaskForm):
    reason = RadioField("Why are you closing the case?", choices=CLOSURE_REASONS, validate_choice=False)
    outcome = TextAreaField("Outcome", filters=[strip_filter])


class ReopenForm(FlaskForm):
    reopen_reason = TextAreaField("Why are you re-opening it?", filters=[strip_filter])


class MessageForm(FlaskForm):
    body = TextAreaField("Message to the person (inside Village)", filters=[strip_filter],
                         description="They see it on their Messages from the safety team page. Their replies come only to this case.")


class ReplyForm(FlaskForm):
    body = TextAreaField("Your reply", filters=[strip_filter],
                         description="Only the safety team can read this.")


class RotaForm(FlaskForm):
    username = StringField("Username of the lead", filters=[strip_filter])
    role = SelectField("On call as", choices=[(r.value, r.label) for r in RotaRole], validate_choice=False)
    area = SelectField("Area", choices=[], validate_choice=False,
                       description="Leave as every area for the county duty lead.")
    audience = SelectField("Audience", choices=[("", "Every audience"), ("parents", "Parents and carers"),
                                                ("young_people", "Young people (13 to 17)"),
                                                ("young_adults", "Young adults (18 to 25)")], validate_choice=False)
    starts = StringField("Starts", description="UK time, for example 2027-03-05 18:00 (nights and weekends too).")
    ends = StringField("Ends", description="UK time, for example 2027-03-08 09:00.")
