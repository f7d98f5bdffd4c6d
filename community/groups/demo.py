"""The demo county's programme of groups: about six in each of Wendleshire's twelve districts.

Descriptions are marked as written by staff (description_source="staff"), not screened: they are
Village's own text, and screening 70 texts would load the models on every fresh `make run`.
Idempotent and quick: groups are found by a stable uuid, and a second run only rolls sessions forward.
"""
from __future__ import annotations

import uuid as uuid_lib
from datetime import time, timedelta

from sqlalchemy import func, select

from community import clock
from community.extensions import db
from community.groups import service
from community.groups.schedules import bank_holidays, build_rule
from community.models import Area, Group, GroupSession, User, Venue
from community.models.areas import AreaKind

# name, category, audience, ages in months (lo, hi), repeat, weekday, start, end, pence, capacity,
# flags (s: step-free, q: quiet, h: hearing loop, r: referral only, t: term time only, y: school holidays only),
# outcomes, languages, where, text
PROGRAMME = [
    ("Stay and Play", "stay-and-play", "families", (0, 59), "weekly", 5, time(10), time(11, 30), 0, 12, "s",
     ["ready_for_school", "connected", "attachment"], ["en"], "hub",
     "Toys, messy play, songs and a snack for babies and children under five, with their grown-ups. "
     "Come along, meet other families and talk to our early years team."),
    ("Baby Massage", "baby-and-infant", "families", (0, 11), "weekly", 1, time(13, 30), time(14, 30), 0, 8, "sq",
     ["attachment", "postnatal_wellbeing"], ["en", "pl"], "hub",
     "A calm five-week course for you and your baby. Learn gentle massage strokes that help your baby relax and sleep."),
    ("Breastfeeding Peer Support", "infant-feeding", "parents", (-3, 23), "weekly", 3, time(10), time(11, 30), 0, None, "sqh",
     ["postnatal_wellbeing", "attachment"], ["en", "ur"], "hub",
     "Drop in for friendly help with feeding from trained peer supporters and an infant feeding lead. Bump to toddler."),
    ("Triple P Parenting", "parenting-programme", "parents", (24, 143), "weekly", 2, time(18), time(20), 0, 12, "sht",
     ["resilient_families", "emotional_wellbeing"], ["en"], "hub",
     "An eight-week Triple P course for parents and carers of children aged 2 to 11: calmer days and fewer battles."),
    ("Incredible Years", "parenting-programme", "parents", (36, 95), "weekly", 0, time(9, 30), time(11, 30), 0, 10, "srt",
     ["resilient_families", "ready_for_school"], ["en"], "delivery",
     "A fourteen-week group for parents of children aged 3 to 8, with a free creche. Ask your Family Hub for a place."),
    ("Understanding Your Child (Solihull)", "parenting-programme", "parents", (-9, 215), "weekly", 3, time(18, 30), time(20, 30), 0, 12, "st",
     ["emotional_wellbeing", "attachment"], ["en", "pa"], "hub",
     "The Solihull Approach: ten evening sessions about your child's feelings and behaviour, from bump to teens."),
    ("SEND Quiet Stay and Play", "send", "families", (0, 95), "fortnightly", 5, time(9), time(10, 30), 0, 8, "sqh",
     ["connected", "ready_for_school"], ["en", "bfi"], "hub",
     "A quiet, low-light play session for children with SEND and their families, with sensory toys and fewer people."),
    ("Young Parents' Group", "parent-peer-support", "young_adults", (-9, 35), "weekly", 2, time(13), time(14, 30), 0, None, "s",
     ["connected", "postnatal_wellbeing"], ["en"], "delivery",
     "For mums and dads aged 25 and under and their little ones. Lunch, a chat and help with anything from money to sleep."),
    ("Dads' Saturday Club", "parent-peer-support", "families", (0, 59), "monthly", 5, time(10), time(12), 0, 15, "s",
     ["attachment", "connected"], ["en"], "delivery",
     "Dads, grandads and male carers with children under five: play, breakfast and a chance to meet other dads."),
    ("Youth Club", "youth", "young_people", (132, 215), "weekly", 4, time(18), time(20, 30), 100, 30, "st",
     ["positive_lifestyle", "connected"], ["en"], "delivery",
     "Games, music, cooking and trips for young people aged 11 to 17, with youth workers. 50p tuck shop."),
    ("Holiday Activities and Food", "holiday-activities", "families", (60, 191), "FREQ=WEEKLY;BYDAY=MO,WE,FR", 0,
     time(10), time(14), 0, 24, "sy",
     ["positive_lifestyle", "connected"], ["en", "pl", "ro"], "outreach",
     "Free sports, crafts and a hot lunch for children aged 5 to 15 in the school holidays."),
    ("Bumps and Babies", "baby-and-infant", "families", (-9, 11), "weekly", 4, time(10), time(11, 30), 0, None, "sh",
     ["postnatal_wellbeing", "connected"], ["en", "bn"], "outreach",
     "Pregnant or with a new baby? Meet other parents, weigh your baby and talk to a health visitor."),
    ("Rhyme Time", "stay-and-play", "families", (0, 47), "weekly", 0, time(10, 30), time(11), 0, None, "sq",
     ["ready_for_school", "attachment"], ["en"], "outreach",
     "Songs and rhymes for babies and toddlers in the library. Half an hour, no need to book."),
    ("Young Adults' Cooking Night", "wellbeing", "young_adults", (216, 311), "fortnightly", 3, time(18), time(20), 0, 10, "s",
     ["next_stage", "positive_lifestyle"], ["en"], "delivery",
     "Cook a cheap meal together and take some home. For care leavers and young adults aged 18 to 25."),
]


def _uuid(district: Area, name: str) -> str:
    return str(uuid_lib.uuid5(service.NAMESPACE, f"demo:{district.slug}:{name}"))


def load_groups() -> str:
    """Make the programme where missing, then roll every group's sessions forward."""
    service.ensure_taxonomy()
    db.session.commit()
    organiser = db.session.scalar(select(User).where(User.username == "demo_organiser"))
    existing = set(db.session.scalars(select(Group.uuid)))
    districts = list(db.session.scalars(select(Area).where(Area.kind == AreaKind.DISTRICT.value).order_by(Area.id)))
    venues = list(db.session.scalars(select(Venue)))
    today = clock.to_london(clock.utcnow()).date()
    # The county's Family Hubs close on bank holidays (Christmas Day, Boxing Day and the rest).
    closed = sorted(day for year in (today.year, today.year + 1) for day in bank_holidays(year) if day >= today)
    made = 0
    for number, district in enumerate(districts):
        local = [v for v in venues if v.area_id == district.id or v.area.parent_id == district.id]
        by_kind = {kind: [v for v in local if v.kind == kind] for kind in ("family_hub", "delivery_site", "outreach_site")}
        # Each district gets six of the programme, a different six in turn, so the county has all of them.
        for offset in range(6):
            (name, category, audience, (lo, hi), repeat, weekday, start, end, pence, capacity, flags, outcomes,
             languages, where, text) = PROGRAMME[(number * 6 + offset) % len(PROGRAMME)]
            key = _uuid(district, name)
            if key in existing:
                continue
            choices = by_kind[{"hub": "family_hub", "delivery": "delivery_site", "outreach": "outreach_site"}[where]] \
                or by_kind["family_hub"] or local
            venue = choices[offset % len(choices)] if choices else None
            fields = service.GroupFields(
                name=f"{name} at {venue.name}" if venue else name, description=text,
                organisation=f"{district.name} Family Hub", category=category, audience=audience,
                min_age_months=lo, max_age_months=hi, level_of_need="additional" if "r" in flags else "universal",
                referral_only="r" in flags, delivery=["in_person"], venue_id=venue.id if venue else None,
                area_id=district.id, cost_pence=pence, languages=languages, step_free="s" in flags,
                quiet_sensory="q" in flags, hearing_loop="h" in flags, outcomes=outcomes, capacity=capacity)
            group = service.create_group(organiser, fields, description_source="staff", group_uuid=key)
            first = today + timedelta(days=(weekday - today.weekday()) % 7)
            rule = repeat if repeat.startswith("FREQ=") else build_rule(repeat, weekday, 1)
            service.add_schedule(organiser, group, rrule=rule, start_date=first, start_time=start, end_time=end,
                                 term_time_only="t" in flags, holidays_only="y" in flags, exdates=closed,
                                 schedule_uuid=str(uuid_lib.uuid5(service.NAMESPACE, f"schedule:{key}")))
            service.set_state(organiser, group, "published")
            made += 1
    service.materialise_all()
    total = db.session.query(Group).count()
    upcoming = db.session.scalar(select(func.count(GroupSession.id)).where(GroupSession.starts_at >= clock.utcnow()))
    return f"{total} groups ({made} new), {upcoming} sessions in the next three months."
