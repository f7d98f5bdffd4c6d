"""The group directory's rules, called as the views call them: schedules in London wall-clock time,
bad input, search, the waiting list, session exceptions, calendars, the register and the report."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import event, func, select

from community import clock
from community.extensions import db
from community.groups import service
from community.groups.schedules import build_rule, local_to_utc
from community.models import Area, Booking, Group, GroupSession, Notification, ReviewItem, Role, Schedule
from community.review import service as review
from tests.groups.factory import make_group, make_place, next_weekday
from tests.instants import INSTANT_IDS, INSTANT_VALUES


@pytest.mark.sqlite_only  # a sweep; the same rows are written on PostgreSQL by every other test here
@pytest.mark.parametrize("instant", INSTANT_VALUES, ids=INSTANT_IDS)
def test_a_tuesday_evening_group_stays_at_six_across_the_clock_change(app, instant):
    clock.freeze(instant)
    group = make_group(make_place(), name="Dads' Group", weekday=1, start=time(18), end=time(19, 30))
    sessions = db.session.scalars(select(GroupSession).where(GroupSession.group_id == group.id)
                                  .order_by(GroupSession.starts_at)).all()
    assert 12 <= len(sessions) <= 14  # every Tuesday of the next three months
    local = [clock.to_london(s.starts_at) for s in sessions]
    assert {(t.weekday(), t.hour, t.minute) for t in local} == {(1, 18, 0)}
    assert all(s.starts_at > clock.utcnow() and (s.ends_at - s.starts_at) == timedelta(minutes=90) for s in sessions)
    # 18:00 is 17:00 UTC in summer time and 18:00 UTC in winter: the UTC hour follows the clocks.
    assert {s.starts_at.hour for s in sessions} == {17 if clock.to_london(s.starts_at).utcoffset() else 18 for s in sessions}
    # Making the sessions again makes none twice.
    assert service.materialise(group) == 0


def test_march_to_april_keeps_the_wall_clock():
    # Tuesday 23 March 2027 is GMT, Tuesday 30 March BST (the clocks change on Sunday 28 March).
    assert local_to_utc(datetime(2027, 3, 23, 18)) == datetime(2027, 3, 23, 18)
    assert local_to_utc(datetime(2027, 3, 30, 18)) == datetime(2027, 3, 30, 17)


def test_a_schedule_says_when_it_starts_and_ends():
    from community.groups.schedules import describe

    first = datetime(2026, 12, 8, 10)
    assert describe(build_rule("weekly", 1), first, 90, False, until=datetime(2027, 1, 4).date(),
                    today=datetime(2026, 12, 4).date()) == "Every Tuesday, 10am to 11:30am, from 8 December 2026, until 4 January 2027"
    assert describe(build_rule("weekly", 1), first, 90, True, today=datetime(2027, 1, 4).date()) == \
        "Every Tuesday, 10am to 11:30am (term time only)"


def test_term_time_only_leaves_out_the_holidays(app):
    clock.freeze(datetime(2027, 3, 1, 12, tzinfo=UTC))
    group = make_group(make_place(), weekday=0, term_time_only=True)
    mondays = [clock.to_london(s.starts_at).date() for s in db.session.scalars(
        select(GroupSession).where(GroupSession.group_id == group.id, GroupSession.weekday == 0))]
    # Easter holidays (25 March to 11 April 2027) and Easter Monday are left out; 12 April is back at school.
    assert mondays and all(not (datetime(2027, 3, 25).date() <= d <= datetime(2027, 4, 11).date()) for d in mondays)
    assert datetime(2027, 4, 12).date() in mondays and datetime(2027, 3, 29).date() not in mondays


def _nothing_stored() -> dict:
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in (Group, Schedule, GroupSession)}


def test_bad_input_gets_field_errors_and_stores_nothing(app):
    venue = make_place()
    service.ensure_taxonomy()
    db.session.commit()
    before = _nothing_stored()
    good = dict(name="Rhyme Time", description="Songs.", organisation="Hub", category="stay-and-play", venue_id=venue.id)
    cases = [
        (dict(min_age_months=48, max_age_months=12), "max_age"),
        (dict(min_age_months=-20, max_age_months=12), "min_age"),
        (dict(capacity=-1), "capacity"),
        (dict(venue_id=None, delivery=["online"], area_id=987654), "area"),
        (dict(category="knitting"), "category"),
        (dict(name="  "), "name"),
    ]
    for change, field in cases:
        with pytest.raises(service.GroupInvalid) as caught:
            service.create_group(None, service.GroupFields(**(good | change)), description_source="staff")
        assert field in caught.value.errors, (change, caught.value.errors)
    group = service.create_group(None, service.GroupFields(**good), description_source="staff")
    monday = next_weekday(0)
    service.add_schedule(None, group, rrule=build_rule("weekly", 0), start_date=monday, start_time=time(10),
                         end_time=time(11))
    before = _nothing_stored()
    for kwargs, field in [
        (dict(rrule=build_rule("weekly", 0), start_date=monday, start_time=time(11), end_time=time(10)), "end_time"),
        # The 30th of February never comes.
        (dict(rrule="FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30", start_date=monday, start_time=time(10), end_time=time(11)), "start_date"),
        (dict(rrule=build_rule("weekly", 0), start_date=monday, start_time=time(10), end_time=time(11),
              until=monday - timedelta(days=1)), "until"),
        (dict(rrule="FREQ=MINUTELY", start_date=monday, start_time=time(10), end_time=time(11)), "repeat"),
        (dict(rrule="FREQ=WEEKLY;BYDAY=XX", start_date=monday, start_time=time(10), end_time=time(11)), "repeat"),
        (dict(rrule="", start_date=None, start_time=time(10), end_time=time(11)), "start_date"),
        # Over before today; too far ahead (and near the end of the calendar); the same dates twice.
        (dict(rrule="", start_date=monday - timedelta(days=30), start_time=time(10), end_time=time(11)), "start_date"),
        (dict(rrule=build_rule("weekly", 4), start_date=datetime(9999, 12, 31).date(), start_time=time(18),
              end_time=time(19)), "start_date"),
        (dict(rrule=build_rule("fortnightly", 0), start_date=monday + timedelta(days=14), start_time=time(10),
              end_time=time(11, 30)), "start_date"),
    ]:
        with pytest.raises(service.GroupInvalid) as caught:
            service.add_schedule(None, group, **kwargs)
        assert field in caught.value.errors, (kwargs, caught.value.errors)
    with pytest.raises(service.GroupInvalid) as caught:
        service.search(service.Filters(postcode="ZZ9 9ZZ"))
    assert "postcode" in caught.value.errors
    assert _nothing_stored() == before


def test_search_filters_and_orders_by_next_session(app):
    clock.freeze(datetime(2027, 5, 3, 9, tzinfo=UTC))  # a Monday in term time
    near, far = make_place(), make_place("Kettering Fen", "WD4 1AA", 52.80, -0.95)
    wanted = make_group(near, name="Saturday Stay and Play")
    make_group(near, name="Sunday Stay and Play", weekday=6)
    make_group(near, name="Paid Stay and Play", cost_pence=250)
    make_group(far, name="Far Stay and Play")
    make_group(near, name="Teen Youth Club", category="youth", ages=(132, 215), audience="young_people", weekday=5)
    evening = make_group(near, name="Triple P evenings", category="parenting-programme", weekday=1, start=time(18),
                         end=time(20), ages=(24, 143), languages=["en", "pl"], step_free=True)
    f = service.Filters(postcode="wd1 7la", miles=5, age="2", day="saturday", free_only=True, category="stay-and-play")
    assert [r.group.id for r in service.search(f).items] == [wanted.id]
    assert service.search(f).items[0].miles == pytest.approx(4.1, abs=0.3)
    assert [r.group.id for r in service.search(service.Filters(time_of_day="evening")).items] == [evening.id]
    assert [r.group.id for r in service.search(service.Filters(language="pl", step_free=True)).items] == [evening.id]
    assert [r.group.id for r in service.search(service.Filters(text="triple")).items] == [evening.id]
    assert {r.group.name for r in service.search(service.Filters(day="weekends", age="1")).items} == {
        "Saturday Stay and Play", "Sunday Stay and Play", "Paid Stay and Play", "Far Stay and Play"}
    assert service.search(service.Filters(school_holidays=True)).total == 6  # May half term is in three months
    everything = service.search(service.Filters(), per_page=2)
    assert everything.total == 6 and everything.pages == 3
    starts = [r.next_at for p in range(1, 4) for r in service.search(service.Filters(), p, 2).items]
    assert starts == sorted(starts) and starts[0] == local_to_utc(datetime(2027, 5, 4, 18))  # the Tuesday evening


def test_search_runs_a_bounded_number_of_queries(app, client):
    venue = make_place()
    for n in range(25):
        make_group(venue, name=f"Group {n}", weekday=n % 7)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        response = client.get("/groups/?postcode=WD1+1AA&miles=10")
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert response.status_code == 200 and "25 groups found" in response.get_data(as_text=True)
    assert len(statements) <= 10, statements


def test_a_full_session_has_a_waiting_list_that_promotes_in_order(app, make_user):
    group = make_group(make_place(), capacity=1)
    session = service.upcoming_sessions(group)[0]
    first, second, third = (make_user(Role.PARENT_CARER) for _ in range(3))
    assert service.book(first, session).state == "booked"
    assert service.book(second, session).state == "waiting"
    clock.advance(timedelta(seconds=1))
    third_booking = service.book(third, session)
    assert third_booking.state == "waiting" and service.waiting_position(third_booking) == 2
    assert service.book(second, session).state == "waiting"  # asking again keeps the place in the queue
    promoted = service.cancel_booking(first, session)
    assert promoted.user_id == second.id and promoted.state == "booked"
    assert db.session.get(GroupSession, session.id).booked_count == 1
    assert service.waiting_position(db.session.get(Booking, third_booking.id)) == 1
    note = db.session.scalar(select(Notification).where(Notification.user_id == second.id))
    assert note.kind == "group_place" and group.name in note.text and note.group_id == group.id
    # Leaving the waiting list frees nothing and promotes nobody.
    assert service.cancel_booking(third, session) is None
    assert db.session.scalar(select(func.count(Notification.id))) == 1
    with pytest.raises(service.GroupError) as caught:
        service.cancel_booking(third, session)  # twice: there is nothing left to cancel
    assert caught.value.status == 409


def test_audiences_and_referrals_are_respected(app, make_user):
    venue = make_place()
    family = make_group(venue)
    youth = make_group(venue, name="Youth Club", category="youth", ages=(132, 215), audience="young_people")
    referral = make_group(venue, name="Incredible Years", referral_only=True)
    teen, parent = make_user(Role.YOUNG_PERSON), make_user(Role.PARENT_CARER)
    with pytest.raises(service.GroupError) as caught:
        service.book(teen, service.upcoming_sessions(family)[0])
    assert caught.value.status == 403
    with pytest.raises(service.GroupError):
        service.book(parent, service.upcoming_sessions(youth)[0])
    assert service.book(teen, service.upcoming_sessions(youth)[0]).state == "booked"
    with pytest.raises(service.GroupError) as caught:
        service.book(parent, service.upcoming_sessions(referral)[0])
    assert "referral" in caught.value.message


def test_cancelled_and_moved_sessions_stay_exceptions(app, make_user):
    organiser = make_user(Role.ORGANISER)
    group = make_group(make_place(), organiser, capacity=5)
    first, second = service.upcoming_sessions(group)[:2]
    parent = make_user(Role.PARENT_CARER)
    service.book(parent, first)
    service.cancel_session(organiser, first, "The hall is flooded.")
    new_day = clock.to_london(second.starts_at).date() + timedelta(days=1)
    service.move_session(organiser, second, new_day, time(14), time(15))
    with pytest.raises(service.GroupInvalid) as caught:
        service.move_session(organiser, second, new_day, time(15), time(14))
    assert "end_time" in caught.value.errors
    assert service.materialise(group) == 0  # neither comes back as it was
    db.session.refresh(second)
    assert second.moved and clock.to_london(second.starts_at).hour == 14 and second.start_minute == 14 * 60
    assert "flooded" in db.session.scalar(select(Notification.text).where(Notification.user_id == parent.id))
    feed = Calendar.from_ical(service.group_calendar(group))
    events = {str(e["uid"]): e for e in feed.walk("VEVENT")}
    assert str(events[f"session-{first.id}@village"]["status"]) == "CANCELLED"
    assert events[f"session-{second.id}@village"].decoded("dtstart").hour == 14
    with pytest.raises(service.GroupError) as caught:
        service.cancel_session(make_user(Role.ORGANISER), first, "not mine")
    assert caught.value.status == 403


def test_person_calendar_has_booked_and_drop_in_sessions_only(app, make_user):
    venue = make_place()
    booked_group = make_group(venue, name="Baby Massage", capacity=1)
    dropin = make_group(venue, name="Rhyme Time", weekday=0)
    other = make_group(venue, name="Not Mine", weekday=3)
    parent, rival = make_user(Role.PARENT_CARER), make_user(Role.PARENT_CARER)
    full_session = service.upcoming_sessions(booked_group)[1]
    service.book(rival, full_session)
    service.book(parent, service.upcoming_sessions(booked_group)[0])
    service.book(parent, full_session)  # waiting: not in the calendar
    service.join(parent, dropin)
    feed = Calendar.from_ical(service.person_calendar(service.person_for_token(service.calendar_token(parent))))
    summaries = [str(e["summary"]) for e in feed.walk("VEVENT")]
    assert summaries.count("Baby Massage") == 1
    assert summaries.count("Rhyme Time") == len(service.upcoming_sessions(dropin, 100))
    assert "Not Mine" not in summaries and other.id
    start = feed.walk("VEVENT")[0].decoded("dtstart")
    assert str(start.tzinfo) == "Europe/London"
    assert [str(tz["tzid"]) for tz in feed.walk("VTIMEZONE")] == ["Europe/London"]  # RFC 5545 3.6.5


def test_register_attendance_and_reach_report(app, make_user):
    organiser = make_user(Role.ORGANISER)
    group = make_group(make_place(), organiser, capacity=10)
    session = service.upcoming_sessions(group)[0]
    came, missed = make_user(Role.PARENT_CARER), make_user(Role.PARENT_CARER)
    service.book(came, session)
    service.book(missed, session)
    with pytest.raises(service.GroupError):
        service.record_attendance(organiser, session, {came.id})  # not started yet
    clock.freeze(session.starts_at + timedelta(minutes=5))
    assert service.record_attendance(organiser, session, {came.id}) == 1
    assert [b.attended for b in service.register(organiser, session)] in ([True, False], [False, True])
    report = service.reach_report(organiser)
    assert report == [dict(district="Ashby Vale", groups=1, people=2, booked=2, attended=1, rate=50)]
    with pytest.raises(service.GroupError):
        service.register(make_user(Role.ORGANISER), session)
    # By priority group: `came` is a young parent by age; `missed` told us they are a dad and then took
    # it back, so only what they tell us now counts.
    came.date_of_birth = clock.utcnow().date().replace(year=clock.utcnow().year - 22)
    service.set_family_details(missed, {"dads", "send"})
    service.set_family_details(missed, {"send"})
    with pytest.raises(service.GroupInvalid):
        service.set_family_details(came, {"made_up"})
    assert service.family_details(missed) == {"send"} and service.family_details(came) == set()
    by_group = service.reach_by_priority_group(organiser)
    assert [row["district"] for row in by_group["rows"]] == ["Ashby Vale"]
    cells = by_group["rows"][0]["cells"]
    assert (cells["young_parents"], cells["send"], cells["dads"], cells["young_people"]) == ((1, 1), (1, 0), (0, 0), (0, 0))
    assert by_group["total"] == cells
    service.set_family_details(missed, set())
    assert service.family_details(missed) == set()
    with pytest.raises(service.GroupError):
        service.reach_by_priority_group(came)


def test_a_description_screening_does_not_pass_cannot_be_published(app, make_user):
    organiser = make_user(Role.ORGANISER)
    venue = make_place()
    service.ensure_taxonomy()
    fields = service.GroupFields(name="Evening group", organisation="Hub", category="wellbeing", venue_id=venue.id,
                                 description="Message me on snapchat, my number is 07700 900123, come alone.")
    group = service.create_group(organiser, fields)
    assert group.description_source == "held"
    service.add_schedule(organiser, group, rrule=build_rule("weekly", 2), start_date=next_weekday(2),
                         start_time=time(18), end_time=time(19))
    with pytest.raises(service.GroupError) as caught:
        service.set_state(organiser, group, "published")
    assert "moderator" in caught.value.message and group.state == "draft"
    # the text waits in the moderators' queue, nothing lost; approving it lets the organiser publish
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.group_id == group.id))
    assert (item.content_kind, item.text_field, item.text) == ("group_description", "description", group.description)
    assert item.author_id == organiser.id and item.state == "open" and item.audience == "parents"
    moderator = make_user(Role.MODERATOR)
    review.approve(moderator, review.claim(moderator, item))
    assert group.description_source == "screened" and item.state == "closed"
    service.set_state(organiser, group, "published")
    assert group.state == "published"
    kind = service.create_group(organiser, service.GroupFields(
        name="Rhyme Time", organisation="Hub", category="stay-and-play", venue_id=venue.id,
        description="Songs and rhymes for babies and toddlers, with a cup of tea for grown-ups."))
    assert kind.description_source == "screened"


def test_approving_an_older_held_description_does_not_pass_a_newer_one(app, make_user):
    organiser, moderator = make_user(Role.ORGANISER), make_user(Role.MODERATOR)
    venue = make_place()
    service.ensure_taxonomy()
    fields = service.GroupFields(name="Teen drop-in", organisation="Hub", category="wellbeing", venue_id=venue.id,
                                 description="Message me on 07700 900111 for the address of the hall.")
    group = service.create_group(organiser, fields)
    first = db.session.scalar(select(ReviewItem).where(ReviewItem.group_id == group.id))
    fields.description = "Ring me on 07700 900456 to check there is space before you come."
    service.update_group(organiser, group, fields)
    items = db.session.scalars(select(ReviewItem).where(ReviewItem.group_id == group.id).order_by(ReviewItem.id)).all()
    assert [i.id for i in items][0] == first.id and len(items) == 2 and items[1].text == group.description
    review.approve(moderator, review.claim(moderator, first))
    assert group.description_source == "held"          # the newer text still waits for its own look
    review.reject(moderator, review.claim(moderator, items[1]), reason="contact")
    assert group.description_source == "held" and group.state == "draft"


def test_the_worker_keeps_a_weekly_group_three_months_ahead(app):
    from community.worker import Worker

    clock.freeze(datetime(2027, 1, 4, 9, tzinfo=UTC))
    group = make_group(make_place(), weekday=5)
    last = lambda: db.session.scalar(select(func.max(GroupSession.starts_at)).where(GroupSession.group_id == group.id))  # noqa: E731
    before = last()
    worker = Worker(channels=("email",), roll_forward_every=timedelta(hours=1))
    assert worker.work_once().sessions_made == 0  # nothing new yet: the first pass always looks
    clock.freeze(datetime(2027, 1, 4, 9, 30, tzinfo=UTC) + timedelta(days=14))
    assert worker.work_once().sessions_made == 2  # two more Saturdays came into the three months
    assert last() == before + timedelta(days=14)
    clock.freeze(datetime(2027, 1, 4, 9, 45, tzinfo=UTC) + timedelta(days=14))
    assert worker.work_once().sessions_made is None  # looked 15 minutes ago: not due


def test_a_listed_groups_held_change_keeps_it_listed_until_approved(app, make_user):
    organiser, moderator, parent = make_user(Role.ORGANISER), make_user(Role.MODERATOR), make_user(Role.PARENT_CARER)
    group = make_group(make_place(), organiser, capacity=5)
    service.book(parent, service.upcoming_sessions(group)[0])
    kept, source = group.description, group.description_source
    fields = service.fields_of(group)
    fields.description = "Text me on 07700 900123 to book a place."
    service.update_group(organiser, group, fields)
    service.update_group(organiser, group, fields)  # saved twice: still one item
    # The families booked are not stranded: the group stays listed with the text that passed.
    assert (group.state, group.description, group.description_source) == ("published", kept, source)
    items = db.session.scalars(select(ReviewItem).where(ReviewItem.group_id == group.id)).all()
    assert [i.text for i in items] == [fields.description]
    review.approve(moderator, review.claim(moderator, items[0]))
    assert (group.state, group.description) == ("published", fields.description)


def test_a_cancelled_session_is_cancelled_once_and_its_reason_screened(app, make_user):
    organiser, parent = make_user(Role.ORGANISER), make_user(Role.PARENT_CARER)
    group = make_group(make_place(), organiser, capacity=5)
    session = service.upcoming_sessions(group)[0]
    service.book(parent, session)
    told = lambda: db.session.scalar(select(func.count()).select_from(Notification).where(  # noqa: E731
        Notification.user_id == parent.id))
    with pytest.raises(service.GroupInvalid) as caught:
        service.cancel_session(organiser, session, "Ring me on 07700 900123 instead, come alone")
    assert "reason" in caught.value.errors and session.state == "scheduled" and told() == 0
    service.cancel_session(organiser, session, "The hall is closed for repairs.")
    with pytest.raises(service.GroupError) as again:
        service.cancel_session(organiser, session, "Still closed.")
    assert again.value.status == 409 and told() == 1 and session.note == "The hall is closed for repairs."
    # A cancelled session reached nobody: the report counts no place booked.
    assert service.reach_report(organiser)[0]["booked"] == 0


def test_search_and_group_forms_refuse_what_they_cannot_use(app, client, make_user):
    from tests.conftest import login

    make_group(make_place())
    for query, words in [("area=99999", "Choose an area"), ("miles=-3", "Choose a distance"), ("age=999", "Choose an age"),
                         ("category=nope", "Choose a kind"), ("lat=91&lon=0", "could not use your location")]:
        response = client.get(f"/groups/?{query}")
        assert response.status_code == 400 and words in response.get_data(as_text=True), query
    assert client.get("/groups/?q=rhyme%00time").status_code == 200  # a NUL is dropped, not sent to the database
    login(client, make_user(Role.ORGANISER))
    service.ensure_taxonomy()
    db.session.commit()
    before = _nothing_stored()
    for cost, capacity in [("nan", ""), ("inf", ""), ("1e400", ""), ("2", "nan"), ("2", "inf")]:
        response = client.post("/groups/new", data={
            "name": "Rhyme\x00 Time", "description": "Songs.", "organisation": "Hub", "category": "stay-and-play",
            "audience": "families", "min_age": "0", "max_age": "48", "level_of_need": "universal",
            "delivery": ["online"], "area": str(db.session.scalar(select(func.min(Area.id)))), "cost": cost,
            "languages": ["en"], "capacity": capacity})
        assert response.status_code == 400, (cost, capacity)
    assert _nothing_stored() == before


def test_names_are_screened_and_sessions_cannot_be_moved_anywhere(app, make_user):
    organiser = make_user(Role.ORGANISER)
    venue = make_place()
    service.ensure_taxonomy()
    fields = service.GroupFields(name="Text me on 07700 900123 and come alone", organisation="Hub",
                                 category="stay-and-play", venue_id=venue.id, description="Songs and play.")
    with pytest.raises(service.GroupInvalid) as caught:
        service.create_group(organiser, fields)
    assert "name" in caught.value.errors
    group = make_group(venue, organiser, weekday=1)
    with pytest.raises(service.GroupInvalid) as caught:  # a weekly group "since" the year 1
        service.add_schedule(organiser, group, rrule=build_rule("weekly", 3), start_date=datetime(1, 1, 1).date(),
                             start_time=time(10), end_time=time(11))
    assert "start_date" in caught.value.errors
    first, second = service.upcoming_sessions(group)[:2]
    local = clock.to_london(second.starts_at)
    for day, field in [(datetime(9999, 12, 31).date(), "date"), (local.date(), "date")]:  # too far; onto the next one
        with pytest.raises(service.GroupInvalid) as caught:
            service.move_session(organiser, first, day, local.time(), (local + timedelta(hours=1)).time())
        assert field in caught.value.errors


def test_an_area_finds_groups_meeting_at_its_venues(app):
    venue = make_place()  # a Family Hub in the town of Ashby Vale Town, in the district of Ashby Vale
    group = make_group(venue, name="Incredible Years")
    group.area_id = venue.area.parent_id  # it serves the whole district, and meets in the town
    db.session.commit()
    for area in (venue.area_id, venue.area.parent_id):
        assert [r.group.name for r in service.search(service.Filters(area_id=area)).items] == ["Incredible Years"]
