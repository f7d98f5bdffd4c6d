from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from community.forms import strip_filter
from community.models import Role


class RolesForm(FlaskForm):
    roles = SelectMultipleField(
        "Roles", choices=[(r.value, r.label) for r in Role],
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False),
        validators=[Optional()],
    )


class PeopleSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField("Search by username or email", filters=[strip_filter], validators=[Optional(), Length(max=254)])


# Boards: the rules (lengths, whole numbers, screening) live in community/admin/boards.py, so the form
# only carries what was typed and a refused change keeps every character of it.
RULES_HINT = ("Shown on the board under \"Board rules\". You can use **bold**, *italics* and lists "
              "starting with -. Up to 5,000 characters.")


def _name():
    return StringField("Name", description="Up to 120 characters. People see this in the list of boards.")


def _description():
    return TextAreaField("Description", description="Optional. One or two sentences saying who the board is for. "
                                                    "Up to 400 characters.")


def _rules():
    return TextAreaField("Rules", description=RULES_HINT)


def _slow_mode():
    return StringField("Slow mode, in seconds",
                       description="How long each person waits between posts in this board. Enter 0 for no "
                                   "wait, or up to 3600 (one hour). Moderators are never slowed down.")


def _position():
    return StringField("Position", description="Boards with smaller numbers come first in the list. Enter 0 or more.")


class BoardForm(FlaskForm):
    name = _name()
    description = _description()
    rules = _rules()
    slow_mode = _slow_mode()
    position = _position()


class NewBoardForm(FlaskForm):
    name = _name()
    audience = SelectField("Who the board is for", validate_choice=False,
                           description="You cannot change this after the board is made. Audiences never mix.")
    area = SelectField("Area", validate_choice=False,
                       description="Choose no area for a board everyone in the audience can use.")
    description = _description()
    rules = _rules()
    slow_mode = _slow_mode()
    position = _position()
