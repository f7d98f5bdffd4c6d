"""Places and groups for tests, made through the service (as organisers make them)."""
from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from community import clock
from community.extensions import db
from community.groups import service
from community.groups.schedules import build_rule
from community.models import Area, Group, Venue

# In community/groups/postcodes.csv: WD1 1AA is Ashby Vale's Family Hub; WD1 7LA is about 4.1 miles away,
# WD4 1AA (Kettering Fen) about 39 miles.
HUB = ("WD1 1AA", 52.98, -1.52)


def make_place(name: str = "Ashby Vale", postcode: str = HUB[0], lat: float = HUB[1], lon: float = HUB[2]) -> Venue:
    county = db.session.scalar(select(Area).where(Area.slug == "wendleshire"))
    if county is None:
        county = Area(name="Wendleshire", slug="wendleshire", kind="county")
        db.session.add(county)
    district = Area(name=name, slug=f"wendleshire-{name.lower().replace(' ', '-')}", kind="district", parent=county)
    locality = Area(name=f"{name} Town", slug=f"{district.slug}-town", kind="locality", parent=district)
    venue = Venue(name=f"{name} Family Hub", kind="family_hub", area=locality, address=f"1 High Street, {name}",
                  postcode=postcode, latitude=lat, longitude=lon)
    db.session.add_all([district, locality, venue])
    db.session.commit()
    return venue


def next_weekday(weekday: int, after: date | None = None) -> date:
    today = after or clock.to_london(clock.utcnow()).date()
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def make_group(venue: Venue, organiser=None, *, name: str = "Saturday Stay and Play", category: str = "stay-and-play",
               weekday: int = 5, start: time = time(10), end: time = time(11, 30), capacity: int | None = None,
               cost_pence: int = 0, ages: tuple[int, int] = (0, 59), audience: str = "families", rule: str | None = None,
               publish: bool = True, term_time_only: bool = False, **extra) -> Group:
    service.ensure_taxonomy()
    fields = service.GroupFields(name=name, description=f"{name}: toys, songs and a snack.", organisation="Ashby Vale Family Hub",
                                 category=category, audience=audience, min_age_months=ages[0], max_age_months=ages[1],
                                 venue_id=venue.id, cost_pence=cost_pence, capacity=capacity, **extra)
    group = service.create_group(organiser, fields, description_source="staff")
    service.add_schedule(organiser, group, rrule=build_rule("weekly", weekday) if rule is None else rule,
                         start_date=next_weekday(weekday), start_time=start, end_time=end, term_time_only=term_time_only)
    if publish:
        service.set_state(organiser, group, "published")
    return group


def matrix_groups(make_user) -> dict:
    """For the permission matrix: a published group with a session in progress (bookable, and its
    register can be taken), a draft group, and a person's calendar token."""
    from community.models import GroupSession, Role

    venue = make_place()
    published = make_group(venue, name="Matrix Stay and Play", capacity=30)
    draft = make_group(venue, name="Matrix Draft Group", publish=False)
    now = clock.utcnow()
    session = GroupSession(group_id=published.id, schedule_id=None, occurrence=now, starts_at=now - timedelta(minutes=30),
                           ends_at=now + timedelta(hours=1), weekday=0, start_minute=600, end_minute=690)
    db.session.add(session)
    db.session.commit()
    owner = make_user(Role.PARENT_CARER, username="calendar_owner")
    term = published.category
    return {"published": published.id, "draft": draft.id, "session": session.id, "uuid": published.uuid,
            "sal": published.sal_uuid, "term": term.uuid, "taxonomy": term.taxonomy.uuid,
            "token": service.calendar_token(owner)}
