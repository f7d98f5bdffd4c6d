"""The rules of the group directory. Views, the CLI, the ORUK import and the demo all call these.

Each write validates first (GroupInvalid carries one message per form field and nothing is stored),
writes in one transaction, and only then tells anyone. Times: sessions in naive UTC; a schedule's
first start in Europe/London wall-clock time.
"""
from __future__ import annotations

import math
import re
import secrets
import uuid as uuid_lib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, delete, func, or_, select
from sqlalchemy.orm import selectinload

from community import clock
from community.extensions import db
from community.groups import postcodes
from community.groups.schedules import Rule, ScheduleError, check, describe, is_school_holiday, local_to_utc
from community.models import (Area, Audience, Board, Booking, CalendarToken, Group, GroupOrganiser, GroupSession,
                              Membership, Notification, Organisation, Role, Schedule, Taxonomy, TaxonomyTerm, User,
                              Venue)
from community.models.areas import AreaKind
from community.models.groups import BookingState, FamilyDetails, GroupState, LevelOfNeed, SessionState
from community.models.people import AgeBand
from community.models.reviews import ReviewItem, ReviewState

HORIZON_DAYS = 92  # sessions are made for about three months ahead
PAGE_SIZE = 20
MIN_AGE_MONTHS, MAX_AGE_MONTHS = -9, 25 * 12 + 11
NAMESPACE = uuid_lib.UUID("6f1c1b7e-3d1c-4c11-9a55-7a1e0c0f2b13")  # Village's ids for its own terms

TAXONOMY_NAME = "Village group categories"
CATEGORIES = [
    ("stay-and-play", "Stay and play", "Drop-in play sessions for babies and young children with their grown-ups."),
    ("baby-and-infant", "Baby and infant", "Baby massage, baby yoga, sensory play and first-year groups."),
    ("infant-feeding", "Infant feeding", "Breastfeeding and bottle feeding support, including peer supporters."),
    ("parenting-programme", "Parenting programme", "Structured courses such as Triple P, Incredible Years and Solihull."),
    ("send", "SEND support", "Quiet, sensory-friendly and specialist sessions for children with SEND and their families."),
    ("parent-peer-support", "Parent peer support", "Groups for young parents, dads, and carers to meet each other."),
    ("youth", "Youth club and activities", "Youth clubs and activities for young people aged 11 to 19."),
    ("holiday-activities", "Holiday activities", "Activities and food in the school holidays."),
    ("wellbeing", "Wellbeing", "Emotional wellbeing, perinatal mental health and confidence groups."),
    ("health", "Health", "Health visitor clinics, healthy eating and active families."),
]
OUTCOMES = {
    "safe": "Safe",
    "ready_for_school": "Ready for school",
    "postnatal_wellbeing": "Postnatal wellbeing",
    "positive_lifestyle": "Positive lifestyle choices",
    "next_stage": "Ready for the next stage",
    "emotional_wellbeing": "Emotional wellbeing",
    "resilient_families": "Resilient families",
    "connected": "Connected and included",
    "attachment": "Attachment to at least one adult",
}
LANGUAGES = {"en": "English", "cy": "Welsh", "pl": "Polish", "ur": "Urdu", "pa": "Punjabi", "bn": "Bengali",
             "ar": "Arabic", "ro": "Romanian", "so": "Somali", "bfi": "British Sign Language"}
DELIVERY = {"in_person": "In person", "online": "Online", "phone": "By phone"}
AUDIENCES = {"families": "Children and their families", "parents": "Parents and carers",
             "young_people": "Young people (13 to 17)", "young_adults": "Young adults (18 to 25)"}
LEVELS = {LevelOfNeed.UNIVERSAL.value: "Anyone can come (universal)",
          LevelOfNeed.ADDITIONAL.value: "Some extra help (additional)",
          LevelOfNeed.INTENSIVE.value: "More help (intensive)",
          LevelOfNeed.SPECIALIST.value: "Specialist help"}
MANAGERS = (Role.ORGANISER, Role.COORDINATOR, Role.ADMIN)


class GroupError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


class GroupInvalid(GroupError):
    """Field -> message for each field that is wrong; nothing was stored."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()), 400)
        self.errors = errors


# --- taxonomy -------------------------------------------------------------------------------------

def term_uuid(code: str) -> str:
    return str(uuid_lib.uuid5(NAMESPACE, f"category:{code}"))


def ensure_taxonomy() -> Taxonomy:
    """Village's category taxonomy and its terms, with stable ids; safe to call again."""
    taxonomy = db.session.scalar(select(Taxonomy).where(Taxonomy.uuid == str(uuid_lib.uuid5(NAMESPACE, "taxonomy"))))
    if taxonomy is None:
        taxonomy = Taxonomy(uuid=str(uuid_lib.uuid5(NAMESPACE, "taxonomy")), name=TAXONOMY_NAME, version="1",
                            description="The kinds of local group and activity families can find in Village.")
        db.session.add(taxonomy)
        db.session.flush()
    have = set(db.session.scalars(select(TaxonomyTerm.code).where(TaxonomyTerm.taxonomy_id == taxonomy.id)))
    for code, name, description in CATEGORIES:
        if code not in have:
            db.session.add(TaxonomyTerm(uuid=term_uuid(code), taxonomy_id=taxonomy.id, code=code, name=name,
                                        description=description))
    db.session.flush()
    return taxonomy


def categories():
    """(code, name) rows of Village's categories."""
    return db.session.execute(select(TaxonomyTerm.code, TaxonomyTerm.name).where(
        TaxonomyTerm.code.in_([c for c, _, _ in CATEGORIES])).order_by(TaxonomyTerm.name)).all()


# --- who may do what -------------------------------------------------------------------------------

def may_manage(user: User | None, group: Group) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.has_role(Role.COORDINATOR, Role.ADMIN):
        return True
    return user.has_role(Role.ORGANISER) and db.session.scalar(select(GroupOrganiser.id).where(
        GroupOrganiser.group_id == group.id, GroupOrganiser.user_id == user.id)) is not None


def visible_group(user: User | None, group_id: int) -> Group:
    """A listed group for anyone, a draft only for its organisers; 404 otherwise (a draft is not there)."""
    group = db.session.get(Group, group_id)
    if group is None or not (group.is_listed or may_manage(user, group)):
        raise GroupError("There is no such group.", 404)
    return group


def managed_group(user: User, group_id: int) -> Group:
    group = db.session.get(Group, group_id)
    if group is None:
        raise GroupError("There is no such group.", 404)
    if not may_manage(user, group):
        raise GroupError("Only the group's organisers can change it.", 403)
    return group


def managed_groups(user: User, page: int):
    query = select(Group).options(selectinload(Group.area)).order_by(Group.name, Group.id)
    if not user.has_role(Role.COORDINATOR, Role.ADMIN):
        query = query.join(GroupOrganiser, GroupOrganiser.group_id == Group.id).where(GroupOrganiser.user_id == user.id)
    return db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)


def may_attend(user: User, group: Group) -> bool:
    """Audiences never mix: youth groups are for young people, the rest for adults and young adults."""
    band = user.age_band(clock.today())
    if group.audience == "young_people":
        return band is AgeBand.YOUNG_PERSON
    if group.audience == "young_adults":
        return band is AgeBand.YOUNG_ADULT
    return band in (AgeBand.ADULT, AgeBand.YOUNG_ADULT)


# --- creating and changing groups ------------------------------------------------------------------

@dataclass
class GroupFields:
    """What an organiser (or an import) gives for a group. Ages in months; cost in pence."""

    name: str
    description: str
    organisation: str
    category: str | None
    audience: str = "families"
    min_age_months: int | None = MIN_AGE_MONTHS
    max_age_months: int | None = MAX_AGE_MONTHS
    level_of_need: str = LevelOfNeed.UNIVERSAL.value
    referral_only: bool = False
    delivery: list[str] = field(default_factory=lambda: ["in_person"])
    venue_id: int | None = None
    area_id: int | None = None
    cost_pence: int | None = 0
    cost_description: str = ""
    languages: list[str] = field(default_factory=lambda: ["en"])
    step_free: bool = False
    quiet_sensory: bool = False
    hearing_loop: bool = False
    outcomes: list[str] = field(default_factory=list)
    capacity: int | None = None
    email: str = ""
    url: str = ""


def _validate(fields: GroupFields) -> tuple[dict, dict[str, str]]:
    errors: dict[str, str] = {}
    name = re.sub(r"\s+", " ", fields.name or "").strip()
    if not name:
        errors["name"] = "Enter the group's name."
    elif len(name) > 150:
        errors["name"] = "The name must be 150 characters or fewer."
    description = (fields.description or "").strip()
    if not description:
        errors["description"] = "Say what happens at the group, in a sentence or two."
    elif len(description) > 4000:
        errors["description"] = "The description must be 4,000 characters or fewer."
    organisation = re.sub(r"\s+", " ", fields.organisation or "").strip()
    if not organisation:
        errors["organisation"] = "Enter who runs the group."
    category = None
    if fields.category:
        category = db.session.scalar(select(TaxonomyTerm).where(
            or_(TaxonomyTerm.code == fields.category, TaxonomyTerm.uuid == fields.category)))
        if category is None:
            errors["category"] = "Choose a kind of group from the list."
    if fields.audience not in AUDIENCES:
        errors["audience"] = "Choose who the group is for."
    lo, hi = fields.min_age_months, fields.max_age_months
    if lo is None or hi is None:
        errors["min_age"] = "Enter the youngest and oldest ages the group is for."
    elif not (MIN_AGE_MONTHS <= lo <= MAX_AGE_MONTHS and MIN_AGE_MONTHS <= hi <= MAX_AGE_MONTHS):
        errors["min_age"] = "Ages must be between pre-birth and 25 years."
    elif lo > hi:
        errors["max_age"] = "The oldest age must be the same as or more than the youngest age."
    if fields.level_of_need not in LEVELS:
        errors["level_of_need"] = "Choose a level of need."
    delivery = [d for d in fields.delivery if d]
    if not delivery or any(d not in DELIVERY for d in delivery):
        errors["delivery"] = "Choose how the group is delivered: in person, online or by phone."
    venue = area = None
    if fields.venue_id:
        venue = db.session.get(Venue, fields.venue_id)
        if venue is None:
            errors["venue"] = "Choose a venue from the list."
    if fields.area_id:
        area = db.session.get(Area, fields.area_id)
        if area is None:
            errors["area"] = "Choose an area from the list."
    if "in_person" in delivery and venue is None and "venue" not in errors:
        errors["venue"] = "Choose the venue where the group meets."
    if venue is None and area is None and "area" not in errors and "venue" not in errors:
        errors["area"] = "Choose the area the group serves."
    if fields.cost_pence is None or fields.cost_pence < 0 or fields.cost_pence > 100_000:
        errors["cost"] = "Enter a cost between £0 (free) and £1,000."
    languages = [code for code in fields.languages if code]
    if not languages or any(code not in LANGUAGES for code in languages):
        errors["languages"] = "Choose the languages the group is run in."
    if any(code not in OUTCOMES for code in fields.outcomes):
        errors["outcomes"] = "Choose outcomes from the list."
    if fields.capacity is not None and not 1 <= fields.capacity <= 500:
        errors["capacity"] = "Places must be a whole number from 1 to 500, or empty for a drop-in with no limit."
    if len(fields.email or "") > 254 or (fields.email and "@" not in fields.email):
        errors["email"] = "Enter an email address like name@example.org."
    if fields.url and not re.match(r"^https?://\S+$", fields.url):
        errors["url"] = "Enter a web address starting with https://."
    clean = dict(name=name, description=description, organisation=organisation, category=category, venue=venue,
                 area=area or (venue.area if venue else None), delivery=delivery, languages=languages)
    return clean, errors


def _screen_names(user: User | None, clean: dict, audience: str, before: Group | None = None) -> None:
    """A group's name and organisation are shown to everyone, on the directory and in the Open Referral
    API: a new one that screening does not pass is a field error (GroupInvalid), never published."""
    errors = {}
    for field, words in (("name", "name"), ("organisation", "organisation's name")):
        if before is not None and clean[field] == (before.name if field == "name" else before.organisation.name):
            continue
        if not _text_passes(user, clean[field], audience):
            errors[field] = (f"Everyone can read the {words}. Write it without contact details or anything "
                             "that could upset someone.")
    if errors:
        raise GroupInvalid(errors)


def _board_audience(audience: str) -> Audience:
    """The board audience whose screening and moderators a group's text belongs to."""
    return {"young_people": Audience.YOUNG_PEOPLE, "young_adults": Audience.YOUNG_ADULTS}.get(audience, Audience.PARENTS)


def _screen_description(user: User | None, text: str, audience: str):
    """The verdict on a group's text, screened as its audience's board would screen it."""
    from community.screening import context_for, screen_text

    return screen_text(text, context_for(user, kind="group_description", audience=_board_audience(audience)))


def _passes(verdict) -> bool:
    """Whether screening lets a group's text be shown as it is (names, descriptions, reasons)."""
    from community.screening import allowed_as_name

    return allowed_as_name(verdict)


def _text_passes(user: User | None, text: str, audience: str) -> bool:
    return _passes(_screen_description(user, text, audience))


def _set_description(user: User | None, group: Group, text: str, source: str | None) -> None:
    """Give the group this description, or keep it waiting for a moderator.

    Text from staff (`source`, the demo's own programme) is not screened; a member's and an import's
    is. What screening does not pass waits in the moderators' queue. A group that is not listed yet
    keeps the text marked "held" (it cannot be published until a moderator approves it); a listed
    group keeps showing its last passed description meanwhile, so the families booked on it are not
    stranded, and approving puts the new text in its place."""
    from community.review.service import hold_text

    if source == "staff":
        group.description, group.description_source = text, source
        group.description_changed_at = clock.utcnow()
        return
    verdict = _screen_description(user, text, group.audience)
    passed = _passes(verdict)
    if passed or not group.is_listed:
        group.description, group.description_source = text, "screened" if passed else "held"
        group.description_changed_at = clock.utcnow()
    if not passed and pending_description(group) != text:  # the same text twice is one item
        db.session.flush()
        hold_text(user, kind="group_description", text_field="description", text=text, verdict=verdict, group=group,
                  audience=_board_audience(group.audience).value)


def pending_description(group: Group) -> str | None:
    """The newest description of this group still waiting for a moderator, if any."""
    if group.id is None:
        return None
    return db.session.scalar(select(ReviewItem.text).where(
        ReviewItem.group_id == group.id, ReviewItem.content_kind == "group_description",
        ReviewItem.state == ReviewState.OPEN.value).order_by(ReviewItem.id.desc()).limit(1))


def _organisation(name: str) -> Organisation:
    found = db.session.scalar(select(Organisation).where(func.lower(Organisation.name) == name.lower()))
    if found is None:
        found = Organisation(name=name, description=f"{name} runs groups for families in Village.")
        db.session.add(found)
        db.session.flush()
    return found


def _apply(group: Group, fields: GroupFields, clean: dict) -> None:
    group.name = clean["name"]
    group.organisation = _organisation(clean["organisation"])
    group.category = clean["category"]
    group.audience = fields.audience
    group.min_age_months, group.max_age_months = fields.min_age_months, fields.max_age_months
    group.level_of_need, group.referral_only = fields.level_of_need, fields.referral_only
    group.delivery = Group.join(clean["delivery"])
    group.venue = clean["venue"]
    group.area = clean["area"]
    group.latitude = clean["venue"].latitude if clean["venue"] else None
    group.longitude = clean["venue"].longitude if clean["venue"] else None
    group.cost_pence, group.cost_description = fields.cost_pence, fields.cost_description.strip()[:200]
    group.languages = Group.join(clean["languages"])
    group.step_free, group.quiet_sensory, group.hearing_loop = fields.step_free, fields.quiet_sensory, fields.hearing_loop
    group.outcomes = Group.join(fields.outcomes)
    group.capacity = fields.capacity
    group.email, group.url = fields.email.strip(), fields.url.strip()
    group.updated_at = clock.utcnow()


def _without_control_characters(fields: GroupFields) -> GroupFields:
    """The typed text without NUL and other control characters (PostgreSQL refuses NUL in text)."""
    from dataclasses import replace

    from community.forms import clean_text

    return replace(fields, **{name: clean_text(getattr(fields, name)) for name in (
        "name", "description", "organisation", "cost_description", "email", "url")})


def create_group(user: User | None, fields: GroupFields, *, description_source: str | None = None,
                 group_uuid: str | None = None) -> Group:
    """A new draft group. `description_source` "staff" marks the demo's own text, not screened; any
    other description is screened (and held if screening does not pass it)."""
    fields = _without_control_characters(fields)
    clean, errors = _validate(fields)
    if errors:
        raise GroupInvalid(errors)
    if description_source != "staff":
        _screen_names(user, clean, fields.audience)
    group = Group(uuid=group_uuid or str(uuid_lib.uuid4()), state=GroupState.DRAFT.value,
                  created_by_id=user.id if user else None, created_at=clock.utcnow())
    _apply(group, fields, clean)
    db.session.add(group)
    _set_description(user, group, clean["description"], description_source)
    db.session.flush()
    if user is not None:
        db.session.add(GroupOrganiser(group_id=group.id, user_id=user.id))
    db.session.commit()
    return group


def update_group(user: User | None, group: Group, fields: GroupFields, *, description_source: str | None = None) -> Group:
    fields = _without_control_characters(fields)
    clean, errors = _validate(fields)
    if errors:
        raise GroupInvalid(errors)
    if description_source != "staff":
        _screen_names(user, clean, fields.audience, before=group)
    _apply(group, fields, clean)
    if clean["description"] != group.description:
        _set_description(user, group, clean["description"], description_source)
    db.session.commit()
    _sync_board(group)
    return group


def fields_of(group: Group) -> GroupFields:
    return GroupFields(
        name=group.name, description=group.description, organisation=group.organisation.name,
        category=group.category.code if group.category else None, audience=group.audience,
        min_age_months=group.min_age_months, max_age_months=group.max_age_months, level_of_need=group.level_of_need,
        referral_only=group.referral_only, delivery=Group.split(group.delivery), venue_id=group.venue_id,
        area_id=group.area_id, cost_pence=group.cost_pence, cost_description=group.cost_description,
        languages=Group.split(group.languages), step_free=group.step_free, quiet_sensory=group.quiet_sensory,
        hearing_loop=group.hearing_loop, outcomes=Group.split(group.outcomes), capacity=group.capacity,
        email=group.email, url=group.url)


def _sync_board(group: Group) -> None:
    """Each listed group has its own discussion board, for the group's audience, in its area."""
    audience = _board_audience(group.audience).value
    board = db.session.get(Board, group.board_id) if group.board_id else None
    if board is None and group.is_listed:
        board = Board(slug=f"group-{group.id}", name=group.name[:120], audience=audience, area_id=group.area_id,
                      group_id=group.id, position=1000,
                      description=f"Talk about {group.name[:80]} with other people who go.",
                      rules="Be kind. Do not share your address, phone number or social media. Moderators read posts.")
        db.session.add(board)
        db.session.flush()
        group.board_id = board.id
    elif board is not None:
        board.name = group.name[:120]
    db.session.commit()


def set_state(user: User | None, group: Group, state: str) -> Group:
    """draft -> published <-> paused; any -> cancelled. Publishing needs a screened description and a session."""
    if state not in {s.value for s in GroupState} or state == GroupState.DRAFT.value:
        raise GroupError("That is not something a group can become.")
    if group.state == GroupState.CANCELLED.value:
        raise GroupError("This group is cancelled. Make a new group instead.", 409)
    if state == GroupState.PUBLISHED.value:
        if group.description_source == "held":
            raise GroupError("A moderator needs to check the description before the group can be published.", 409)
        if not group.schedules:
            raise GroupError("Add when the group meets before you publish it.", 409)
    group.state = state
    group.updated_at = clock.utcnow()
    if state == GroupState.CANCELLED.value:
        for session in db.session.scalars(select(GroupSession).where(
                GroupSession.group_id == group.id, GroupSession.starts_at >= clock.utcnow(),
                GroupSession.state == SessionState.SCHEDULED.value)):
            _cancel_session_rows(session, "The group has been cancelled.")
    db.session.commit()
    if state == GroupState.PUBLISHED.value:
        materialise(group)
    _sync_board(group)
    return group


# --- schedules and sessions ------------------------------------------------------------------------

def rule_of(schedule: Schedule) -> Rule:
    exdates = frozenset(date.fromisoformat(d) for d in schedule.exdates.split(",") if d)
    return Rule(schedule.rrule, schedule.starts_local, schedule.duration_minutes, schedule.until,
                schedule.term_time_only, exdates, schedule.holidays_only)


def add_schedule(user: User | None, group: Group, *, rrule: str, start_date: date | None, start_time: time | None,
                 end_time: time | None, until: date | None = None, term_time_only: bool = False,
                 holidays_only: bool = False, exdates: list[date] | None = None,
                 schedule_uuid: str | None = None, from_a_feed: bool = False) -> Schedule:
    """A recurrence for the group. Raises GroupInvalid for a rule that cannot be used, and (unless it comes
    `from_a_feed`, which may carry past schedules as they are) for dates with no session from today on,
    more than two years ahead, or at the same moment as the group's other dates; nothing is stored."""
    errors = {}
    if start_date is None:
        errors["start_date"] = "Enter the date of the first session."
    if start_time is None:
        errors["start_time"] = "Enter the time the group starts, like 10:00."
    if end_time is None:
        errors["end_time"] = "Enter the time the group ends, like 11:30."
    if errors:
        raise GroupInvalid(errors)
    starts_local = datetime.combine(start_date, start_time)
    duration = int((datetime.combine(start_date, end_time) - starts_local).total_seconds() // 60)
    rule = Rule(rrule.strip(), starts_local, duration, until, term_time_only, frozenset(exdates or ()), holidays_only)
    try:
        check(rule)
    except ScheduleError as error:
        raise GroupInvalid({error.field: error.message}) from None
    if not from_a_feed:
        _check_new_dates(group, rule)
    schedule = Schedule(uuid=schedule_uuid or str(uuid_lib.uuid4()), group=group, rrule=rule.rrule,
                        starts_local=starts_local, duration_minutes=duration, until=until,
                        term_time_only=term_time_only, holidays_only=holidays_only, exdates=",".join(sorted(d.isoformat() for d in rule.exdates)))
    db.session.add(schedule)
    db.session.commit()
    if group.is_listed:
        materialise(group)
    return schedule


def _check_new_dates(group: Group, rule: Rule) -> None:
    """Raise GroupInvalid if the dates are too far ahead, have no session from today on, or start at the
    same moment as a session of the group's other dates (families would see it twice)."""
    now_local = clock.to_london(clock.utcnow()).replace(tzinfo=None)
    if rule.starts_local > now_local + timedelta(days=2 * 366):
        raise GroupInvalid({"start_date": "Enter a first date within the next two years."})
    if rule.starts_local < now_local - timedelta(days=366):
        raise GroupInvalid({"start_date": "Enter a first date in the last year or later: the date of the next "
                                          "session is fine."})
    last = now_local + timedelta(days=HORIZON_DAYS)
    wanted = rule.occurrences(max(now_local, rule.starts_local), now_local + timedelta(days=3 * 366))
    if not wanted:
        raise GroupInvalid({"start_date": "These dates have no session from today on. Check the first date, "
                                          "the last date and term time."})
    new_starts = {start for start in wanted if start <= last}
    for other in group.schedules:
        clash = sorted(new_starts & set(rule_of(other).occurrences(now_local, last)))
        if clash:
            from community.templating import london_time

            raise GroupInvalid({"start_date": f"The group already meets on {london_time(local_to_utc(clash[0]))}. "
                                              "Change or remove those dates instead of adding them again."})


def remove_schedule(user: User | None, group: Group, schedule: Schedule) -> None:
    """Future sessions with nobody booked go; booked ones are cancelled (and their people told)."""
    now = clock.utcnow()
    for session in db.session.scalars(select(GroupSession).where(GroupSession.schedule_id == schedule.id,
                                                                 GroupSession.starts_at >= now)):
        if session.booked_count or session.state == SessionState.CANCELLED.value:
            _cancel_session_rows(session, "This session is no longer running.")
        else:
            db.session.delete(session)
    db.session.delete(schedule)
    db.session.commit()


def describe_schedule(schedule: Schedule) -> str:
    return describe(schedule.rrule, schedule.starts_local, schedule.duration_minutes, schedule.term_time_only,
                    schedule.holidays_only, schedule.until, clock.today())


def _session_row(group: Group, schedule: Schedule | None, local_start: datetime, minutes: int) -> GroupSession:
    starts = local_to_utc(local_start)
    local_end = local_start + timedelta(minutes=minutes)
    return GroupSession(group_id=group.id, schedule_id=schedule.id if schedule else None, occurrence=local_start,
                        starts_at=starts, ends_at=local_to_utc(local_end), weekday=local_start.weekday(),
                        start_minute=local_start.hour * 60 + local_start.minute,
                        end_minute=local_end.hour * 60 + local_end.minute,
                        in_school_holiday=is_school_holiday(local_start.date()))


def materialise(group: Group, *, commit: bool = True) -> int:
    """Make the sessions of the next three months that are not rows yet; returns how many were made.
    Existing rows (and so every cancelled or moved session) are left as they are."""
    if not group.is_listed:
        return 0
    now_local = clock.to_london(clock.utcnow()).replace(tzinfo=None)
    last = now_local + timedelta(days=HORIZON_DAYS)
    made = 0
    for schedule in group.schedules:
        wanted = rule_of(schedule).occurrences(now_local, last)
        if not wanted:
            continue
        have = set(db.session.scalars(select(GroupSession.occurrence).where(
            GroupSession.schedule_id == schedule.id, GroupSession.occurrence >= wanted[0])))
        for local_start in wanted:
            if local_start not in have:
                db.session.add(_session_row(group, schedule, local_start, schedule.duration_minutes))
                made += 1
    if commit:
        db.session.commit()
    return made


def materialise_all() -> int:
    """Roll every listed group's sessions forward (the CLI and the demo call this)."""
    made = 0
    groups = db.session.scalars(select(Group).where(Group.state.in_([GroupState.PUBLISHED.value, GroupState.PAUSED.value]))
                                .options(selectinload(Group.schedules)))
    for group in groups:
        made += materialise(group, commit=False)
    db.session.commit()
    return made


def upcoming_sessions(group: Group, limit: int = 12) -> list[GroupSession]:
    return list(db.session.scalars(select(GroupSession).where(
        GroupSession.group_id == group.id, GroupSession.ends_at >= clock.utcnow())
        .order_by(GroupSession.starts_at).limit(limit)))


def session_of(session_id: int) -> GroupSession:
    session = db.session.get(GroupSession, session_id)
    if session is None:
        raise GroupError("There is no such session.", 404)
    return session


def _notify(user_id: int, group: Group, text: str) -> Notification:
    note = Notification(user_id=user_id, kind="group_place", group_id=group.id, text=text[:300],
                        created_at=clock.utcnow())
    db.session.add(note)
    return note


def _cancel_session_rows(session: GroupSession, reason: str) -> None:
    """Cancel one session (the row stays, as the exception) and tell everyone booked or waiting."""
    session.state = SessionState.CANCELLED.value
    session.note = reason[:300]
    group = session.group
    when = _when(session)
    for booking in db.session.scalars(select(Booking).where(Booking.session_id == session.id,
                                                            Booking.state != BookingState.CANCELLED.value)):
        _notify(booking.user_id, group, f"{group.name} on {when} is cancelled. {reason}")


def cancel_session(user: User, session: GroupSession, reason: str) -> None:
    """Cancel one session and tell everyone booked or waiting why. The reason reaches families, so it is
    screened like a description; one screening does not pass is a field error (nothing is sent).
    Raises GroupError 409 for a session already cancelled or already over."""
    if not may_manage(user, session.group):
        raise GroupError("Only the group's organisers can cancel a session.", 403)
    if session.state == SessionState.CANCELLED.value:
        raise GroupError("This session is already cancelled, and everyone booked was told.", 409)
    if session.ends_at < clock.utcnow():
        raise GroupError("This session is over, so it cannot be cancelled.", 409)
    reason = (reason or "").strip()[:300]
    if reason and not _text_passes(user, reason, session.group.audience):
        raise GroupInvalid({"reason": "Families will read this. Write it without contact details or anything "
                                      "that could upset someone, like: 'The hall is closed for repairs.'"})
    _cancel_session_rows(session, reason or "Sorry, this session cannot go ahead.")
    db.session.commit()


def move_session(user: User, session: GroupSession, new_date: date | None, start: time | None, end: time | None) -> None:
    """Move one session (the rule keeps its other dates). Field errors for impossible times."""
    if not may_manage(user, session.group):
        raise GroupError("Only the group's organisers can move a session.", 403)
    errors = {}
    if new_date is None:
        errors["date"] = "Enter the new date."
    if start is None or end is None:
        errors["start_time"] = "Enter the new start and end times, like 10:00 and 11:30."
    elif end <= start:
        errors["end_time"] = "The end time must be after the start time."
    if not errors and local_to_utc(datetime.combine(new_date, start)) < clock.utcnow():
        errors["date"] = "The new date and time must be in the future."
    elif not errors and new_date > clock.today() + timedelta(days=366):
        errors["date"] = "Move it to a date within the next year."
    elif not errors and db.session.scalar(select(GroupSession.id).where(
            GroupSession.group_id == session.group_id, GroupSession.id != session.id,
            GroupSession.state == SessionState.SCHEDULED.value,
            GroupSession.starts_at == local_to_utc(datetime.combine(new_date, start))).limit(1)):
        errors["date"] = "The group already has a session at that time. Choose another time, or cancel this one."
    if errors:
        raise GroupInvalid(errors)
    local_start = datetime.combine(new_date, start)
    session.starts_at = local_to_utc(local_start)
    session.ends_at = local_to_utc(datetime.combine(new_date, end))
    session.weekday, session.start_minute = local_start.weekday(), start.hour * 60 + start.minute
    session.end_minute = end.hour * 60 + end.minute
    session.in_school_holiday = is_school_holiday(new_date)
    session.moved = True
    session.state = SessionState.SCHEDULED.value
    for booking in db.session.scalars(select(Booking).where(Booking.session_id == session.id,
                                                            Booking.state != BookingState.CANCELLED.value)):
        _notify(booking.user_id, session.group, f"{session.group.name} has moved to {_when(session)}.")
    db.session.commit()


def _when(session: GroupSession) -> str:
    from community.templating import london_time

    return london_time(session.starts_at)


# --- joining and booking ---------------------------------------------------------------------------

def join(user: User, group: Group) -> Membership:
    if not group.state == GroupState.PUBLISHED.value:
        raise GroupError("This group is not taking new members just now.", 409)
    if not may_attend(user, group):
        raise GroupError(f"This group is for {AUDIENCES[group.audience].lower()}.", 403)
    membership = db.session.scalar(select(Membership).where(Membership.group_id == group.id, Membership.user_id == user.id))
    if membership is None:
        membership = Membership(group_id=group.id, user_id=user.id, created_at=clock.utcnow())
        db.session.add(membership)
        db.session.commit()
    return membership


def leave(user: User, group: Group) -> None:
    db.session.execute(delete(Membership).where(Membership.group_id == group.id, Membership.user_id == user.id))
    db.session.commit()


def is_member(user: User, group: Group) -> bool:
    return bool(user.is_authenticated) and db.session.scalar(select(Membership.id).where(
        Membership.group_id == group.id, Membership.user_id == user.id)) is not None


def _locked_session(session_id: int) -> GroupSession:
    """The session row locked for this transaction (PostgreSQL; SQLite writes one at a time anyway)."""
    return db.session.scalars(select(GroupSession).where(GroupSession.id == session_id)
                              .with_for_update().execution_options(populate_existing=True)).one()


def book(user: User, session: GroupSession) -> Booking:
    """A place if there is one, else the end of the waiting list. Booking again is a no-op."""
    group = session.group
    if group.state != GroupState.PUBLISHED.value:
        raise GroupError("This group is not taking bookings just now.", 409)
    if not may_attend(user, group):
        raise GroupError(f"This group is for {AUDIENCES[group.audience].lower()}.", 403)
    if group.referral_only:
        raise GroupError("This group is by referral only. Ask your health visitor, school or Family Hub.", 409)
    if session.state != SessionState.SCHEDULED.value or session.ends_at < clock.utcnow():
        raise GroupError("This session is not running, so it cannot be booked.", 409)
    session = _locked_session(session.id)
    booking = db.session.scalar(select(Booking).where(Booking.session_id == session.id, Booking.user_id == user.id))
    if booking is not None and booking.state != BookingState.CANCELLED.value:
        db.session.commit()
        return booking
    full = group.capacity is not None and session.booked_count >= group.capacity
    state = BookingState.WAITING.value if full else BookingState.BOOKED.value
    if booking is None:
        booking = Booking(session_id=session.id, user_id=user.id)
        db.session.add(booking)
    booking.state, booking.queued_at, booking.promoted_at = state, clock.utcnow(), None
    if not full:
        session.booked_count += 1
    if db.session.scalar(select(Membership.id).where(Membership.group_id == group.id, Membership.user_id == user.id)) is None:
        db.session.add(Membership(group_id=group.id, user_id=user.id, created_at=clock.utcnow()))
    db.session.commit()
    return booking


def cancel_booking(user: User, session: GroupSession) -> Booking | None:
    """Give up a place (or leave the waiting list). A freed place goes to the first person waiting,
    who is told in a notification. Returns the promoted booking, if any. Raises GroupError 409 if the
    person had neither."""
    session = _locked_session(session.id)
    booking = db.session.scalar(select(Booking).where(Booking.session_id == session.id, Booking.user_id == user.id))
    if booking is None or booking.state == BookingState.CANCELLED.value:
        db.session.commit()
        raise GroupError("You had no place or waiting-list place at this session, so there was nothing to cancel.", 409)
    freed = booking.state == BookingState.BOOKED.value
    booking.state = BookingState.CANCELLED.value
    promoted = None
    if freed:
        session.booked_count -= 1
        promoted = db.session.scalar(select(Booking).where(
            Booking.session_id == session.id, Booking.state == BookingState.WAITING.value)
            .order_by(Booking.queued_at, Booking.id).limit(1))
        if promoted is not None and session.starts_at > clock.utcnow():
            promoted.state, promoted.promoted_at = BookingState.BOOKED.value, clock.utcnow()
            session.booked_count += 1
            _notify(promoted.user_id, session.group,
                    f"A place came free: you are now booked for {session.group.name} on {_when(session)}.")
        else:
            promoted = None
    db.session.commit()
    return promoted


def bookings_for(user: User, session_ids: list[int]) -> dict[int, Booking]:
    if not user.is_authenticated or not session_ids:
        return {}
    return {b.session_id: b for b in db.session.scalars(select(Booking).where(
        Booking.user_id == user.id, Booking.session_id.in_(session_ids), Booking.state != BookingState.CANCELLED.value))}


def waiting_position(booking: Booking) -> int:
    return 1 + db.session.scalar(select(func.count(Booking.id)).where(
        Booking.session_id == booking.session_id, Booking.state == BookingState.WAITING.value,
        or_(Booking.queued_at < booking.queued_at, and_(Booking.queued_at == booking.queued_at, Booking.id < booking.id))))


def my_bookings(user: User) -> list[tuple[Booking, GroupSession, Group]]:
    rows = db.session.execute(
        select(Booking, GroupSession, Group).join(GroupSession, Booking.session_id == GroupSession.id)
        .join(Group, GroupSession.group_id == Group.id)
        .where(Booking.user_id == user.id, Booking.state != BookingState.CANCELLED.value,
               GroupSession.ends_at >= clock.utcnow())
        .order_by(GroupSession.starts_at).limit(100))
    return list(rows)


def my_groups(user: User) -> list[Group]:
    return list(db.session.scalars(select(Group).join(Membership, Membership.group_id == Group.id)
                                   .where(Membership.user_id == user.id).order_by(Group.name)))


# --- register and attendance -----------------------------------------------------------------------

def register(user: User, session: GroupSession) -> list[Booking]:
    if not may_manage(user, session.group):
        raise GroupError("Only the group's organisers can see the register.", 403)
    return list(db.session.scalars(select(Booking).where(Booking.session_id == session.id,
                                                         Booking.state != BookingState.CANCELLED.value)
                                   .options(selectinload(Booking.user)).order_by(Booking.state, Booking.queued_at, Booking.id)))


def register_open(session: GroupSession) -> bool:
    """Whether the register can be taken: from an hour before the session starts."""
    return session.starts_at <= clock.utcnow() + timedelta(hours=1)


def record_attendance(user: User, session: GroupSession, attended_user_ids: set[int]) -> int:
    """Mark who came (everyone booked who is not ticked did not). Returns how many came."""
    if not may_manage(user, session.group):
        raise GroupError("Only the group's organisers can take the register.", 403)
    if not register_open(session):
        raise GroupError("You can take the register from an hour before the session starts.", 409)
    came = 0
    for booking in db.session.scalars(select(Booking).where(Booking.session_id == session.id,
                                                            Booking.state == BookingState.BOOKED.value)):
        booking.attended = booking.user_id in attended_user_ids
        came += booking.attended
    db.session.commit()
    return came


def _district_join(query):
    """The query over groups joined to the district each hangs off (a group's area is a district or one of
    its localities), and the expression for that district's id."""
    parent = db.aliased(Area)
    district_id = case((Area.kind == AreaKind.DISTRICT.value, Area.id), else_=parent.id)
    return (query.join(Area, Group.area_id == Area.id).outerjoin(parent, Area.parent_id == parent.id)
            .where(Group.state != GroupState.DRAFT.value)), district_id


def _district_names() -> dict[int, str]:
    return dict(db.session.execute(select(Area.id, Area.name).where(Area.kind == AreaKind.DISTRICT.value)).all())


def reach_report(user: User) -> list[dict]:
    """Per district: listed groups, places booked, people reached, attendance rate (sessions that were
    cancelled count for nothing)."""
    if not user.has_role(*MANAGERS):
        raise GroupError("Only organisers, coordinators and administrators see the report.", 403)
    query = (select(func.count(func.distinct(Group.id)).label("groups"),
                    func.count(func.distinct(Booking.user_id)).label("people"),
                    func.count(Booking.id).label("booked"),
                    func.sum(case((Booking.attended.is_(True), 1), else_=0)).label("attended"),
                    func.sum(case((Booking.attended.is_not(None), 1), else_=0)).label("registered"))
             .select_from(Group).outerjoin(GroupSession, and_(GroupSession.group_id == Group.id,  # a cancelled one reached nobody
                                                               GroupSession.state == SessionState.SCHEDULED.value))
             .outerjoin(Booking, and_(Booking.session_id == GroupSession.id, Booking.state == BookingState.BOOKED.value)))
    query, district_id = _district_join(query)
    rows = db.session.execute(query.add_columns(district_id.label("district_id")).group_by(district_id)).all()
    names = _district_names()
    report = []
    for row in rows:
        if row.district_id not in names:
            continue
        registered = row.registered or 0
        report.append(dict(district=names[row.district_id], groups=row.groups, people=row.people, booked=row.booked,
                           attended=row.attended or 0,
                           rate=round(100 * (row.attended or 0) / registered) if registered else None))
    return sorted(report, key=lambda r: r["district"])


# Priority groups: the families a council most wants its groups to reach. Two are known from the
# account (age and role); the others only from what a person chooses to tell us (FamilyDetails).
FOUND_PRIORITY_GROUPS = {"young_parents": "Young parents (18 to 25)", "young_people": "Young people (13 to 17)"}
PRIORITY_GROUPS = {
    "dads": "Dads and male carers",
    "send": "Families with a child with SEND",
    "eal": "Families whose main language is not English",
    "low_income": "Families on a low income",
    "care_experienced": "Care-experienced parents, kinship and foster carers",
}
SMALL_COUNT = 5  # counts from 1 to 4 are shown as "fewer than 5", so that nobody can be picked out


def _declared(stored: str) -> set[str]:
    return {key for key in Group.split(stored) if key in PRIORITY_GROUPS}


def family_details(user: User) -> set[str]:
    """The priority groups a person told us they belong to (keys of PRIORITY_GROUPS)."""
    row = db.session.scalar(select(FamilyDetails).where(FamilyDetails.user_id == user.id))
    return _declared(row.priority_groups if row else "")


def set_family_details(user: User, chosen: set[str]) -> None:
    """Keep what a person chose to tell us; choosing nothing deletes what we held.
    Raises GroupInvalid for a choice that is not offered."""
    unknown = set(chosen) - set(PRIORITY_GROUPS)
    if unknown:
        raise GroupInvalid({"priority_groups": "Choose from the list, or choose nothing."})
    row = db.session.scalar(select(FamilyDetails).where(FamilyDetails.user_id == user.id))
    if not chosen:
        if row is not None:
            db.session.delete(row)
    else:
        row = row or FamilyDetails(user_id=user.id)
        row.priority_groups = Group.join(sorted(chosen))
        row.updated_at = clock.utcnow()
        db.session.add(row)
    db.session.commit()


def _priority_groups_of(person: User, declared: str, today: date) -> set[str]:
    found = set()
    band = person.age_band(today)
    if band is AgeBand.YOUNG_PERSON:
        found.add("young_people")
    elif band is AgeBand.YOUNG_ADULT and person.has_role(Role.PARENT_CARER):
        found.add("young_parents")
    return found | _declared(declared)


def reach_by_priority_group(user: User) -> dict:
    """People reached (booked at least one session) and people who came (at least once, by the
    register), per district and priority group.

    Returns {"columns": [(key, label)], "rows": [{"district": name, "cells": {key: (reached, came)}}],
    "total": {key: (reached, came)}}, districts in name order. Counts are exact; the page shows small
    ones as "fewer than SMALL_COUNT"."""
    if not user.has_role(*MANAGERS):
        raise GroupError("Only organisers, coordinators and administrators see the report.", 403)
    query = (select(Booking.user_id, func.max(case((Booking.attended.is_(True), 1), else_=0)).label("came"))
             .select_from(Booking).join(GroupSession, and_(GroupSession.id == Booking.session_id,
                                                           GroupSession.state == SessionState.SCHEDULED.value))
             .join(Group, Group.id == GroupSession.group_id).where(Booking.state == BookingState.BOOKED.value))
    query, district_id = _district_join(query)
    reached = db.session.execute(query.add_columns(district_id.label("district_id"))
                                 .group_by(district_id, Booking.user_id)).all()
    ids = {row.user_id for row in reached}
    people = {person.id: person for person in db.session.scalars(
        select(User).where(User.id.in_(ids)).options(selectinload(User.roles)))} if ids else {}
    declared = dict(db.session.execute(select(FamilyDetails.user_id, FamilyDetails.priority_groups)
                                       .where(FamilyDetails.user_id.in_(ids))).all()) if ids else {}
    today = clock.today()
    belongs = {pid: _priority_groups_of(person, declared.get(pid, ""), today) for pid, person in people.items()}
    columns = list({**FOUND_PRIORITY_GROUPS, **PRIORITY_GROUPS}.items())
    names = _district_names()
    cells: dict[int, dict[str, tuple[set[int], set[int]]]] = {}
    total = {key: (set(), set()) for key, _ in columns}
    for row in reached:
        if row.district_id not in names:
            continue
        district = cells.setdefault(row.district_id, {key: (set(), set()) for key, _ in columns})
        for key in belongs.get(row.user_id, ()):
            for counts in (district[key], total[key]):
                counts[0].add(row.user_id)
                if row.came:
                    counts[1].add(row.user_id)
    rows = [{"district": names[d], "cells": {key: (len(a), len(b)) for key, (a, b) in by_key.items()}}
            for d, by_key in cells.items()]
    return {"columns": columns, "rows": sorted(rows, key=lambda r: r["district"]),
            "total": {key: (len(a), len(b)) for key, (a, b) in total.items()}}


# --- calendars -------------------------------------------------------------------------------------

def calendar_token(user: User) -> str:
    row = db.session.scalar(select(CalendarToken).where(CalendarToken.user_id == user.id))
    if row is None:
        row = CalendarToken(user_id=user.id, token=secrets.token_urlsafe(24), created_at=clock.utcnow())
        db.session.add(row)
        db.session.commit()
    return row.token


def person_for_token(token: str) -> User:
    row = db.session.scalar(select(CalendarToken).where(CalendarToken.token == token)) if token else None
    if row is None:
        raise GroupError("There is no such calendar.", 404)
    return db.session.get(User, row.user_id)


def _ics(name: str, sessions: list[tuple[GroupSession, Group]]) -> bytes:
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Village//Group directory//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    stamp = clock.utcnow().replace(tzinfo=UTC)
    for session, group in sessions:
        event = Event()
        event.add("uid", f"session-{session.id}@village")
        event.add("summary", group.name)
        event.add("dtstart", clock.to_london(session.starts_at))
        event.add("dtend", clock.to_london(session.ends_at))
        event.add("dtstamp", stamp)
        if group.venue is not None:
            event.add("location", f"{group.venue.name}, {group.venue.address}, {group.venue.postcode}")
        event.add("status", "CANCELLED" if session.state == SessionState.CANCELLED.value else "CONFIRMED")
        if session.note:
            event.add("description", session.note)
        calendar.add_component(event)
    calendar.add_missing_timezones()  # RFC 5545: a VTIMEZONE for Europe/London, which every TZID names
    return calendar.to_ical()


def group_calendar(group: Group) -> bytes:
    sessions = db.session.scalars(select(GroupSession).where(
        GroupSession.group_id == group.id, GroupSession.ends_at >= clock.utcnow() - timedelta(days=7))
        .order_by(GroupSession.starts_at).limit(500))
    return _ics(group.name, [(s, group) for s in sessions])


def person_calendar(user: User) -> bytes:
    """Sessions the person has a place at, and every session of the drop-in groups they joined."""
    since = clock.utcnow() - timedelta(days=7)
    booked = select(Booking.session_id).where(Booking.user_id == user.id, Booking.state == BookingState.BOOKED.value)
    dropins = select(Membership.group_id).join(Group, Group.id == Membership.group_id).where(
        Membership.user_id == user.id, Group.capacity.is_(None))
    rows = db.session.execute(
        select(GroupSession, Group).join(Group, GroupSession.group_id == Group.id)
        .where(GroupSession.ends_at >= since, or_(GroupSession.id.in_(booked), GroupSession.group_id.in_(dropins)))
        .options(selectinload(Group.venue)).order_by(GroupSession.starts_at).limit(1000)).all()
    return _ics("Village: my groups", [(s, g) for s, g in rows])


# --- search ----------------------------------------------------------------------------------------

DAY_CHOICES = {"weekdays": [0, 1, 2, 3, 4], "weekends": [5, 6], **{
    name.lower(): [i] for i, name in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])}}
TIME_CHOICES = {"morning": (0, 12 * 60), "afternoon": (12 * 60, 17 * 60), "evening": (17 * 60, 24 * 60)}


@dataclass
class Filters:
    """A search. Ages in years ("prebirth" for expecting); distance in miles."""

    text: str = ""
    area_id: int | None = None
    postcode: str = ""
    venue_id: int | None = None
    point: tuple[float, float] | None = None  # the browser's location, only when the person asked
    miles: float = 5
    age: str = ""
    day: str = ""
    time_of_day: str = ""
    school_holidays: bool = False
    category: str = ""
    free_only: bool = False
    language: str = ""
    step_free: bool = False
    quiet_sensory: bool = False
    hearing_loop: bool = False
    # The Open Referral UK API's filters (ages in years, times as minutes after local midnight).
    weekdays: list[int] | None = None
    start_from: int | None = None
    end_by: int | None = None
    min_age_years: float | None = None
    max_age_years: float | None = None
    term_uuid: str = ""
    taxonomy_uuid: str = ""
    # The directory lists what is on (and services with no set times); the API lists every listed group.
    with_sessions_only: bool = True
    with_venue_only: bool = False


@dataclass
class Result:
    group: Group
    next_at: datetime
    miles: float | None


@dataclass
class SearchPage:
    items: list[Result]
    total: int
    page: int
    per_page: int
    origin: tuple[float, float] | None = None

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    def iter_pages(self, left_edge=1, left_current=1, right_current=1, right_edge=1):
        last = 0
        for number in range(1, self.pages + 1):
            if (number <= left_edge or self.page - left_current <= number <= self.page + right_current
                    or number > self.pages - right_edge):
                if last + 1 != number:
                    yield None
                yield number
                last = number


def origin_of(filters: Filters) -> tuple[float, float] | None:
    """Where distance is measured from. Raises GroupInvalid for an unknown postcode or venue."""
    if filters.postcode:
        point = postcodes.locate(filters.postcode)
        if point is None:
            raise GroupInvalid({"postcode": "We could not find that postcode. Check it, or choose a venue or an area instead."})
        return point
    if filters.venue_id:
        venue = db.session.get(Venue, filters.venue_id)
        if venue is None:
            raise GroupInvalid({"venue": "Choose a venue from the list."})
        return venue.latitude, venue.longitude
    return filters.point


def _like(word: str) -> str:
    return "%" + word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search(filters: Filters, page: int = 1, per_page: int = PAGE_SIZE, *, clamp: bool = True) -> SearchPage:
    """Published groups with an upcoming session that matches, soonest first (then, unless the search
    asks about days or times, the ones with no set times). Four queries: the page with
    the total beside each row (a window count), and the eager loads of its venues, areas and
    organisations; a page past the end, or no results, adds a count.

    Each group's next matching session is a correlated MIN over the covering index
    ix_group_sessions_next (an index seek per group that passes the group filters), not an aggregate
    over every upcoming session: measured on 10,000 groups and 50,000 sessions on SQLite, the
    aggregate read the sessions table in index order and took several times longer. The same MIN also
    says whether a group has a matching session at all (NULL: none), so each group is sought once."""
    origin = origin_of(filters)
    now = clock.utcnow()
    sessions = [GroupSession.group_id == Group.id, GroupSession.state == SessionState.SCHEDULED.value,
                GroupSession.starts_at >= now, GroupSession.starts_at < now + timedelta(days=HORIZON_DAYS + 1)]
    if filters.day in DAY_CHOICES:
        sessions.append(GroupSession.weekday.in_(DAY_CHOICES[filters.day]))
    if filters.time_of_day in TIME_CHOICES:
        lo, hi = TIME_CHOICES[filters.time_of_day]
        sessions += [GroupSession.start_minute >= lo, GroupSession.start_minute < hi]
    if filters.school_holidays:
        sessions.append(GroupSession.in_school_holiday.is_(True))
    if filters.weekdays is not None:
        sessions.append(GroupSession.weekday.in_(filters.weekdays))
    if filters.start_from is not None:
        sessions.append(GroupSession.start_minute >= filters.start_from)
    if filters.end_by is not None:
        sessions.append(GroupSession.end_minute <= filters.end_by)
    session_filtered = len(sessions) > 4
    where = [Group.state == GroupState.PUBLISHED.value] if filters.with_sessions_only else [
        Group.state.in_([GroupState.PUBLISHED.value, GroupState.PAUSED.value])]
    for word in re.findall(r"\w+", filters.text or "")[:8]:
        pattern = _like(word)
        where.append(or_(func.lower(Group.name).like(pattern, escape="\\"),
                         func.lower(Group.description).like(pattern, escape="\\")))
    if filters.area_id:
        # The area and the places in it: groups that serve it, and groups meeting at a venue in it (a
        # district's group at a town's community centre is found under the town too).
        areas = select(Area.id).where(or_(Area.id == filters.area_id, Area.parent_id == filters.area_id))
        where.append(or_(Group.area_id.in_(areas), Group.venue_id.in_(select(Venue.id).where(Venue.area_id.in_(areas)))))
    if origin is not None:
        lat0, lon0 = origin
        dlat = filters.miles / postcodes.MILES_PER_DEGREE
        dlon = dlat / max(0.1, math.cos(math.radians(lat0)))
        squeeze = math.cos(math.radians(lat0)) ** 2
        where += [Group.latitude.between(lat0 - dlat, lat0 + dlat), Group.longitude.between(lon0 - dlon, lon0 + dlon),
                  # The bounding box is a square; this keeps the circle inside it.
                  ((Group.latitude - lat0) * (Group.latitude - lat0)
                   + (Group.longitude - lon0) * (Group.longitude - lon0) * squeeze) <= dlat * dlat]
    if filters.age:
        lo, hi = (MIN_AGE_MONTHS, -1) if filters.age == "prebirth" else (int(filters.age) * 12, int(filters.age) * 12 + 11)
        where += [Group.min_age_months <= hi, Group.max_age_months >= lo]
    if filters.category:
        where.append(Group.category_id.in_(select(TaxonomyTerm.id).where(TaxonomyTerm.code == filters.category)))
    if filters.min_age_years is not None and filters.min_age_years > 0:
        where.append(Group.min_age_months >= math.ceil(filters.min_age_years) * 12)
    if filters.max_age_years is not None:
        where.append(Group.max_age_months < (math.floor(filters.max_age_years) + 1) * 12)
    if filters.term_uuid:
        where.append(Group.category_id.in_(select(TaxonomyTerm.id).where(TaxonomyTerm.uuid == filters.term_uuid)))
    if filters.taxonomy_uuid:
        where.append(Group.category_id.in_(select(TaxonomyTerm.id).join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
                                           .where(Taxonomy.uuid == filters.taxonomy_uuid)))
    if filters.with_venue_only:
        where.append(Group.venue_id.is_not(None))
    if filters.free_only:
        where.append(Group.cost_pence == 0)
    if filters.language:
        where.append(Group.languages.like(f"%,{filters.language},%"))
    for flag in ("step_free", "quiet_sensory", "hearing_loop"):
        if getattr(filters, flag):
            where.append(getattr(Group, flag).is_(True))
    next_at = select(func.min(GroupSession.starts_at)).where(*sessions).correlate(Group).scalar_subquery()
    # Each candidate's next session is sought once (MATERIALIZED: the planner must not copy the MIN into
    # both the filter and the ordering), and only the page's ids meet the wide group rows.
    candidates = select(Group.id.label("id"), next_at.label("next_at")).where(*where).cte("candidates") \
        .prefix_with("MATERIALIZED")
    ranked = select(candidates.c.id, candidates.c.next_at, func.count().over().label("total"))
    if session_filtered:
        ranked = ranked.where(candidates.c.next_at.is_not(None))
    elif filters.with_sessions_only:
        # What is on, and the services with no set times (a phone line, an online course): they come last.
        ranked = ranked.where(or_(candidates.c.next_at.is_not(None),
                                  ~select(Schedule.id).where(Schedule.group_id == candidates.c.id).exists()))
    order = (candidates.c.next_at.is_(None), candidates.c.next_at, candidates.c.id)

    def page_of(number: int):
        chosen = ranked.order_by(*order).limit(per_page).offset((number - 1) * per_page).subquery()
        return db.session.execute(
            select(Group, chosen.c.next_at, chosen.c.total).join(chosen, chosen.c.id == Group.id)
            .order_by(chosen.c.next_at.is_(None), chosen.c.next_at, Group.id)
            .options(selectinload(Group.venue), selectinload(Group.area), selectinload(Group.organisation))).all()

    rows = page_of(page)
    if rows:
        total = rows[0].total
    else:  # past the end, or nothing found: count, then show the last page (the API answers an empty one)
        total = db.session.scalar(select(func.count()).select_from(ranked.subquery()))
        if clamp and total and page > 1:
            page = math.ceil(total / per_page)
            rows = page_of(page)
        elif clamp:
            page = 1
    items = [Result(group, next_at, round(postcodes.miles_between(origin, (group.latitude, group.longitude)), 1)
                    if origin and group.latitude is not None else None) for group, next_at, _ in rows]
    return SearchPage(items, total, page, per_page, origin)


def age_label(months: int) -> str:
    if months < 0:
        return "pre-birth"
    if months < 24:
        return f"{months} month{'s' if months != 1 else ''}"
    return f"{months // 12} years"


def cost_label(group: Group) -> str:
    if group.cost_pence == 0:
        return "Free"
    return f"£{group.cost_pence / 100:.2f}" + (f" ({group.cost_description})" if group.cost_description else "")


def venues():
    """(id, name) rows for a choice list: plain rows, not ORM objects, on every search page."""
    return db.session.execute(select(Venue.id, Venue.name).order_by(Venue.name)).all()


@dataclass(frozen=True)
class AreaChoice:
    id: int
    name: str  # a district reads "Ferncombe (whole district)": a town in it may have the same name


def areas_for_filter() -> list[AreaChoice]:
    """Districts and localities for the area lists, in name order (districts first on a tie)."""
    rows = db.session.execute(select(Area.id, Area.name, Area.kind).where(
        Area.kind.in_([AreaKind.DISTRICT.value, AreaKind.LOCALITY.value])).order_by(Area.name, Area.kind)).all()
    return [AreaChoice(row.id, f"{row.name} (whole district)" if row.kind == AreaKind.DISTRICT.value else row.name)
            for row in rows]


def labels(value: str, names: dict[str, str]) -> str:
    """',en,pl,' -> 'English, Polish'."""
    return ", ".join(names.get(code, code) for code in Group.split(value))
