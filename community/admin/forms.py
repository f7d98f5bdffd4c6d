from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField
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
