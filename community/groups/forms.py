"""Forms for the group directory. The rules (what is a valid group or schedule) live in service.py;
these only read what was typed and show the service's field errors beside the right field."""
from __future__ import annotations

import math

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, RadioField, SelectField, SelectMultipleField, StringField,
                     TextAreaField, TimeField)
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from community.forms import strip_filter
from community.models.base import id_from_text
from community.groups import service


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


AGE_CHOICES = [("", "Any age"), ("prebirth", "Expecting a baby")] + [
    (str(y), "Under 1" if y == 0 else f"{y} year{'s' if y > 1 else ''} old") for y in range(0, 26)]
AGE_MONTH_CHOICES = [(str(m), service.age_label(m)) for m in [-9, 0, 1, 2, 3, 6, 9, 12, 18]] + [
    (str(y * 12), f"{y} years") for y in range(2, 26)] + [(str(service.MAX_AGE_MONTHS), "25 years (up to 26th birthday)")]


class SearchForm(FlaskForm):
    """GET form: no CSRF (it changes nothing), every filter optional."""

    class Meta:
        csrf = False

    q = StringField("Search for a group", validators=[Optional()], filters=[strip_filter])
    area = SelectField("Area", validators=[Optional()], choices=[])
    postcode = StringField("Postcode", validators=[Optional()], filters=[strip_filter], description="For example, WD1 1AA")
    venue = SelectField("Or near a venue", validators=[Optional()], choices=[])
    miles = SelectField("Distance", choices=[("1", "Within 1 mile"), ("2", "Within 2 miles"), ("5", "Within 5 miles"),
                                             ("10", "Within 10 miles"), ("20", "Within 20 miles")], default="5")
    lat = StringField("Latitude", validators=[Optional()])
    lon = StringField("Longitude", validators=[Optional()])
    age = SelectField("Child's or young person's age", choices=AGE_CHOICES, validators=[Optional()])
    day = SelectField("Day", validators=[Optional()], choices=[("", "Any day"), ("weekdays", "Weekdays"), ("weekends", "Weekends")] + [
        (d.lower(), d) for d in ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]])
    time = SelectField("Time of day", validators=[Optional()], choices=[
        ("", "Any time"), ("morning", "Morning"), ("afternoon", "Afternoon"), ("evening", "Evening (from 5pm)")])
    holidays = BooleanField("In the school holidays")
    category = SelectField("Kind of group", validators=[Optional()], choices=[])
    free = BooleanField("Free groups only")
    language = SelectField("Language", validators=[Optional()],
                           choices=[("", "Any language")] + list(service.LANGUAGES.items()))
    step_free = BooleanField("Step-free access")
    quiet = BooleanField("Quiet or sensory-friendly")
    hearing_loop = BooleanField("Hearing loop")

    def fill_choices(self, areas, venues, categories) -> None:
        self.area.choices = [("", "Anywhere")] + [(str(a.id), a.name) for a in areas]
        self.venue.choices = [("", "No venue")] + [(str(v.id), v.name) for v in venues]
        self.category.choices = [("", "Any kind")] + [(c.code, c.name) for c in categories]

    def filters(self) -> service.Filters:
        """The search the person asked for. Raises GroupInvalid, one message per field, for a value that
        is not one of the field's choices (a changed link, say) or a location that is not on Earth."""
        errors: dict[str, str] = {}

        def pick(field, message: str) -> str:
            value = field.data or ""
            if value and value not in {str(v) for v, _ in field.choices}:
                errors[field.name] = message
                return ""
            return value

        point = None
        if self.lat.data or self.lon.data:
            try:
                lat, lon = float(self.lat.data or ""), float(self.lon.data or "")
            except ValueError:
                lat = lon = math.nan
            if -90 <= lat <= 90 and -180 <= lon <= 180:
                point = (lat, lon)
            else:
                errors["postcode"] = "We could not use your location. Enter a postcode instead."
        area = pick(self.area, "Choose an area from the list.")
        venue = pick(self.venue, "Choose a venue from the list.")
        filters = service.Filters(
            text=(self.q.data or "")[:100], area_id=int(area) if area else None,
            postcode=(self.postcode.data or "").strip()[:10], venue_id=int(venue) if venue else None, point=point,
            miles=float(pick(self.miles, "Choose a distance from the list.") or 5),
            age=pick(self.age, "Choose an age from the list."), day=pick(self.day, "Choose a day from the list."),
            time_of_day=pick(self.time, "Choose a time of day from the list."),
            school_holidays=bool(self.holidays.data), category=pick(self.category, "Choose a kind of group from the list."),
            free_only=bool(self.free.data), language=pick(self.language, "Choose a language from the list."),
            step_free=bool(self.step_free.data), quiet_sensory=bool(self.quiet.data),
            hearing_loop=bool(self.hearing_loop.data))
        if errors:
            raise service.GroupInvalid(errors)
        return filters


class GroupForm(FlaskForm):
    name = StringField("Name of the group")
    description = TextAreaField("What happens at the group",
                                description="Plain words a 13-year-old could read. A moderator may check it.")
    organisation = StringField("Who runs it", description="For example, Ashby Vale Family Hub")
    category = SelectField("Kind of group", choices=[])
    audience = RadioField("Who it is for", choices=list(service.AUDIENCES.items()), default="families")
    min_age = SelectField("Youngest age", choices=AGE_MONTH_CHOICES, default="-9")
    max_age = SelectField("Oldest age", choices=AGE_MONTH_CHOICES, default=str(service.MAX_AGE_MONTHS))
    level_of_need = RadioField("Level of need", choices=list(service.LEVELS.items()), default="universal")
    referral_only = BooleanField("By referral only (families cannot book themselves)")
    delivery = MultiCheckboxField("How it is delivered", choices=list(service.DELIVERY.items()), default=["in_person"])
    venue = SelectField("Venue", choices=[])
    area = SelectField("Area it serves", choices=[], description="Only needed when there is no venue")
    cost = StringField("Cost per session in pounds", default="0", description="0 for free")
    cost_description = StringField("About the cost (optional)", description="For example, includes a snack")
    languages = MultiCheckboxField("Languages", choices=list(service.LANGUAGES.items()), default=["en"])
    step_free = BooleanField("Step-free access")
    quiet_sensory = BooleanField("Quiet or sensory-friendly")
    hearing_loop = BooleanField("Hearing loop")
    outcomes = MultiCheckboxField("Outcomes it helps with", choices=list(service.OUTCOMES.items()))
    capacity = StringField("Places per session", description="Leave empty for a drop-in with no limit")
    email = StringField("Contact email (optional)")
    url = StringField("Web page (optional)")

    def fill_choices(self, areas, venues, categories) -> None:
        self.category.choices = [("", "Choose a kind")] + [(c.code, c.name) for c in categories]
        self.venue.choices = [("", "No venue (online or by phone)")] + [(str(v.id), v.name) for v in venues]
        self.area.choices = [("", "Choose an area")] + [(str(a.id), a.name) for a in areas]

    def fields(self) -> tuple[service.GroupFields, dict[str, str]]:
        """The typed values, and errors for the ones that are not numbers at all."""
        errors = {}

        def number(text, name, message, scale=1):
            text = (text or "").strip().lstrip("£")
            if not text:
                return None
            try:
                value = float(text) * scale
            except ValueError:
                value = math.nan
            if not math.isfinite(value) or abs(value) > 10_000_000:  # "nan", "inf", 1e400
                errors[name] = message
                return None
            if not value.is_integer() and scale == 1:
                errors[name] = message
            return int(round(value))

        cost = number(self.cost.data or "0", "cost", "Enter the cost as a number of pounds, like 2.50, or 0.", 100)
        capacity = number(self.capacity.data, "capacity", "Enter places as a whole number, like 12.")
        min_age = number(self.min_age.data, "min_age", "Choose the youngest age.")
        max_age = number(self.max_age.data, "max_age", "Choose the oldest age.")
        return service.GroupFields(
            name=self.name.data or "", description=self.description.data or "", organisation=self.organisation.data or "",
            category=self.category.data or None, audience=self.audience.data or "",
            min_age_months=min_age, max_age_months=max_age, level_of_need=self.level_of_need.data or "",
            referral_only=bool(self.referral_only.data), delivery=self.delivery.data or [],
            venue_id=id_from_text(self.venue.data),
            area_id=id_from_text(self.area.data),
            cost_pence=0 if cost is None and "cost" not in errors else cost,
            cost_description=self.cost_description.data or "", languages=self.languages.data or [],
            step_free=bool(self.step_free.data), quiet_sensory=bool(self.quiet_sensory.data),
            hearing_loop=bool(self.hearing_loop.data), outcomes=self.outcomes.data or [],
            capacity=capacity if "capacity" not in errors else -1, email=self.email.data or "",
            url=self.url.data or ""), errors

    def load(self, fields: service.GroupFields) -> None:
        self.name.data, self.description.data, self.organisation.data = fields.name, fields.description, fields.organisation
        self.category.data, self.audience.data = fields.category or "", fields.audience
        self.min_age.data, self.max_age.data = str(fields.min_age_months), str(fields.max_age_months)
        self.level_of_need.data, self.referral_only.data = fields.level_of_need, fields.referral_only
        self.delivery.data, self.venue.data = fields.delivery, str(fields.venue_id or "")
        self.area.data = str(fields.area_id or "")
        self.cost.data = f"{fields.cost_pence / 100:.2f}".removesuffix(".00")
        self.cost_description.data, self.languages.data = fields.cost_description, fields.languages
        self.step_free.data, self.quiet_sensory.data = fields.step_free, fields.quiet_sensory
        self.hearing_loop.data, self.outcomes.data = fields.hearing_loop, fields.outcomes
        self.capacity.data = "" if fields.capacity is None else str(fields.capacity)
        self.email.data, self.url.data = fields.email, fields.url


class ScheduleForm(FlaskForm):
    repeat = RadioField("How often", default="weekly", choices=[
        ("weekly", "Every week"), ("fortnightly", "Every other week"), ("monthly", "Once a month"), ("once", "Just once")])
    nth = SelectField("Which week of the month (for once a month)", default="1", choices=[
        ("1", "First"), ("2", "Second"), ("3", "Third"), ("4", "Fourth"), ("-1", "Last")])
    start_date = DateField("Date of the first session", validators=[Optional()],
                           description="The day of the week is taken from this date")
    start_time = TimeField("Start time", validators=[Optional()], description="For example, 10:00")
    end_time = TimeField("End time", validators=[Optional()], description="For example, 11:30")
    until = DateField("Last date (optional)", validators=[Optional()])
    term_time_only = BooleanField("Term time only (not in the school holidays or on bank holidays)")
    holidays_only = BooleanField("School holidays only")


class MoveForm(FlaskForm):
    date = DateField("New date", validators=[Optional()])
    start_time = TimeField("New start time", validators=[Optional()])
    end_time = TimeField("New end time", validators=[Optional()])


class CancelSessionForm(FlaskForm):
    reason = StringField("Why it is cancelled (families will see this)", filters=[strip_filter])


class ActionForm(FlaskForm):
    """A button: only the CSRF token."""


class FamilyForm(FlaskForm):
    """What a person chooses to tell us about their family (all optional)."""

    priority_groups = MultiCheckboxField("Tick any that describe your family", choices=list(service.PRIORITY_GROUPS.items()),
                                         description="Optional. Choose none to tell us nothing, or to remove what you told us before.",
                                         validate_choice=False)  # the service answers a made-up choice kindly
