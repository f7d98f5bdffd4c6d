from __future__ import annotations

import re
from datetime import date

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, RadioField, StringField, TextAreaField
from wtforms.validators import Email, EqualTo, InputRequired, Length, NumberRange, Optional, ValidationError

from community.forms import strip_filter

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
LONG_NUMBER = re.compile(r"\d{4,}")


def username_rules(form, field) -> None:
    value = field.data or ""
    if not USERNAME_PATTERN.match(value):
        raise ValidationError("Use only letters, numbers, hyphens (-) and underscores (_) in your username.")
    if LONG_NUMBER.search(value):
        raise ValidationError("Your username cannot have 4 or more numbers in a row. They can give away a phone number or a year of birth.")


class RegistrationForm(FlaskForm):
    username = StringField(
        "Username", filters=[strip_filter],
        description="Other people see this. Do not use your real name. Use 3 to 30 letters or numbers.",
        validators=[InputRequired("Enter a username."), Length(3, 30, "Your username must be 3 to 30 characters long."), username_rules],
    )
    email = EmailField(
        "Email address", filters=[strip_filter],
        description="We only use this to help you get back into your account. Nobody else sees it.",
        validators=[InputRequired("Enter your email address."), Length(max=254, message="Your email address must be 254 characters or fewer."),
                    Email("Enter an email address like name@example.com.", check_deliverability=False)],
    )
    birth_day = IntegerField("Day", validators=[Optional(), NumberRange(1, 31, "Day must be between 1 and 31.")])
    birth_month = IntegerField("Month", validators=[Optional(), NumberRange(1, 12, "Month must be between 1 and 12.")])
    birth_year = IntegerField("Year", validators=[Optional(), NumberRange(1900, 2100, "Year must have 4 numbers, like 2009.")])
    joining_as = RadioField(
        "Who are you joining as?",
        choices=[("parent_carer", "A parent or carer (including grandparents, foster and kinship carers)"),
                 ("young_person", "A young person")],
        default="parent_carer",
        validators=[InputRequired("Choose who you are joining as.")],
    )
    password = PasswordField(
        "Password", description="Use at least 10 characters. A few random words are easy to remember and hard to guess.",
        validators=[InputRequired("Enter a password."), Length(10, 200, "Your password must be 10 to 200 characters long.")],
    )
    confirm = PasswordField(
        "Type your password again",
        validators=[InputRequired("Type your password again."), EqualTo("password", "The two passwords do not match.")],
    )

    def birth_date(self) -> date | None:
        """The date of birth, or None with an error on the form."""
        parts = (self.birth_day.data, self.birth_month.data, self.birth_year.data)
        if any(p is None for p in parts):
            if not self.birth_day.errors and not self.birth_month.errors and not self.birth_year.errors:
                self.birth_day.errors = list(self.birth_day.errors) + ["Enter your date of birth, like 27 3 2009."]
            return None
        try:
            return date(parts[2], parts[1], parts[0])
        except (ValueError, OverflowError):     # OverflowError: a year of ten digits or more
            self.birth_day.errors = list(self.birth_day.errors) + ["Enter a real date of birth."]
            return None


class LoginForm(FlaskForm):
    login = StringField("Username or email address", filters=[strip_filter],
                        validators=[InputRequired("Enter your username or email address."), Length(max=254, message="That is too long to be a username or email address.")])
    password = PasswordField("Password", validators=[InputRequired("Enter your password."), Length(max=200, message="That is too long to be your password.")])


class ResetRequestForm(FlaskForm):
    email = EmailField("Email address", filters=[strip_filter],
                       validators=[InputRequired("Enter your email address."), Length(max=254, message="Your email address must be 254 characters or fewer."),
                                   Email("Enter an email address like name@example.com.", check_deliverability=False)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField("New password", description="Use at least 10 characters.",
                             validators=[InputRequired("Enter a new password."), Length(10, 200, "Your password must be 10 to 200 characters long.")])
    confirm = PasswordField("Type your new password again",
                            validators=[InputRequired("Type your new password again."), EqualTo("password", "The two passwords do not match.")])


class ProfileForm(FlaskForm):
    about = TextAreaField("About you", filters=[strip_filter],
                          description="Optional. Do not include where you live, your school or how to contact you.",
                          validators=[Length(max=500, message="Write 500 characters or fewer.")])
    profile_public = BooleanField("Let other members see my profile")
