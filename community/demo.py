"""Demo data: a believable county with areas, venues, boards and one account per role.

The places are fictional; the coordinates sit in the English Midlands. Running it twice changes nothing.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from sqlalchemy import select

from community import clock
from community.auth.service import hash_password
from community.extensions import db
from community.models import Area, Audience, Board, Role, User, UserRole, Venue
from community.models.people import age_on
from community.models.areas import AreaKind, VenueKind

COUNTY = "Wendleshire"
# quadrant -> district -> localities; (lat, lon) is the district's centre
QUADRANTS: dict[str, dict[str, tuple[tuple[float, float], list[str]]]] = {
    "North": {
        "Ashby Vale": ((52.98, -1.52), ["Ashby Town", "Coldwell", "Marston Green"]),
        "Brackenford": ((52.93, -1.38), ["Brackenford Central", "Oakley Park"]),
        "Hollins Moor": ((53.02, -1.30), ["Hollins", "Pit Lane", "Sutton Heath"]),
    },
    "East": {
        "Kettering Fen": ((52.80, -0.95), ["Fenside", "Kettle End"]),
        "Lowmarsh": ((52.74, -0.88), ["Lowmarsh Town", "Saltings", "Reed Cross"]),
        "Stanwick Downs": ((52.86, -0.80), ["Stanwick", "Downs Edge"]),
    },
    "South": {
        "Tollbridge": ((52.50, -1.20), ["Tollbridge North", "Tollbridge South", "Weir Meadow"]),
        "Hartwell": ((52.45, -1.05), ["Hartwell Village", "Longacre"]),
        "Ferncombe": ((52.40, -1.32), ["Ferncombe", "Millbrook", "Cherry Hinton"]),
    },
    "West": {
        "Redmarley": ((52.65, -1.85), ["Redmarley Town", "Quarry Bank"]),
        "Wychbold": ((52.70, -1.98), ["Wychbold", "Saltway", "Elmstone"]),
        "Cleeve Hill": ((52.58, -1.75), ["Cleeve", "Hillside Estate"]),
    },
}

PARENT_BOARDS = [
    ("pregnancy-and-new-babies", "Pregnancy and new babies", "From pre-birth to the first weeks: feeding, sleep, feelings and everything in between."),
    ("toddlers-and-pre-school", "Toddlers and pre-school", "Tantrums, potty training, nursery places and getting ready for school."),
    ("send-families", "SEND families", "For families of children with special educational needs and disabilities."),
    ("young-parents", "Young parents", "For mums, dads and carers aged 25 and under."),
    ("grandparents-and-kinship-carers", "Grandparents, foster and kinship carers", "For everyone bringing up a child who is not their own."),
    ("teenagers-parents", "Parenting teenagers", "Screens, school, friendships and the year 6 to 7 move."),
]
YOUTH_BOARDS = [
    ("just-chat", "Just chat", "Games, music, films, and whatever is on your mind."),
    ("school-and-exams", "School and exams", "Homework, exam stress, moving schools and what comes next."),
    ("feelings-and-worries", "Feelings and worries", "A safe place to talk about how you feel. Moderators read every post."),
    ("friends-and-relationships", "Friends and relationships", "Friendships, falling out, relationships and staying safe online."),
]
YOUNG_ADULT_BOARDS = [
    ("leaving-care", "Leaving care", "For care leavers: housing, money, personal advisers and your rights."),
    ("work-money-and-college", "Work, money and college", "Jobs, apprenticeships, benefits and budgeting."),
    ("young-adults-chat", "Young adults chat", "Anything at all, with people your age."),
]
BOARD_RULES = (
    "Be kind. Do not share your address, school, phone number or social media. "
    "Moderators read posts to keep everyone safe. If you are worried about yourself or someone else, "
    "use Get help now at the top of every page."
)

DEMO_PASSWORD = "village-demo-2026"
# A first thread in three boards, each by a member of that board's audience, so the demo is not empty.
WELCOME_THREADS = [
    ("pregnancy-and-new-babies", "demo_parent", "Anyone else up at 3am with a newborn?",
     "Our little one is two weeks old and I am running on cold tea. What helped you in the first weeks?"),
    ("just-chat", "demo_young_person", "What are you listening to at the moment?",
     "I have had the same album on repeat all week. Recommend me something new!"),
    ("young-adults-chat", "demo_young_adult", "Tips for a first week in a new flat?",
     "Just got the keys to my first place. What do people wish they had known?"),
]

ACCOUNTS = [
    # username, role, date of birth, email
    ("demo_parent", Role.PARENT_CARER, date(1990, 5, 14)),
    ("demo_young_person", Role.YOUNG_PERSON, date(2011, 2, 3)),
    ("demo_young_adult", Role.YOUNG_PERSON, date(2005, 9, 20)),
    ("demo_mentor", Role.MENTOR, date(1958, 11, 2)),
    ("demo_organiser", Role.ORGANISER, date(1985, 3, 30)),
    ("demo_moderator", Role.MODERATOR, date(1982, 7, 8)),
    ("demo_safeguarding_lead", Role.SAFEGUARDING_LEAD, date(1976, 1, 19)),
    ("demo_coordinator", Role.COORDINATOR, date(1979, 6, 25)),
    ("demo_admin", Role.ADMIN, date(1970, 12, 1)),
]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _area(name: str, kind: AreaKind, parent: Area | None) -> Area:
    slug = slugify(name if parent is None else f"{parent.slug}-{name}")
    area = db.session.scalar(select(Area).where(Area.slug == slug))
    if area is None:
        area = Area(name=name, slug=slug, kind=kind.value, parent=parent)
        db.session.add(area)
    return area


def _venue(name: str, kind: VenueKind, area: Area, lat: float, lon: float, postcode: str) -> None:
    if db.session.scalar(select(Venue).where(Venue.name == name)) is None:
        db.session.add(Venue(name=name, kind=kind.value, area=area, latitude=round(lat, 5), longitude=round(lon, 5),
                             address=f"{area.name}, {COUNTY}", postcode=postcode))


def _board(slug: str, name: str, description: str, audience: Audience, position: int, area: Area | None = None) -> None:
    if db.session.scalar(select(Board).where(Board.slug == slug)) is None:
        db.session.add(Board(slug=slug, name=name, description=description, rules=BOARD_RULES,
                             audience=audience.value, area=area, position=position))


def load_places() -> list[Area]:
    """The county's areas and venues (made where missing); returns its districts in order."""
    county = _area(COUNTY, AreaKind.COUNTY, None)
    district_number = 0
    made = []
    for quadrant_name, districts in QUADRANTS.items():
        quadrant = _area(f"{quadrant_name} {COUNTY}", AreaKind.QUADRANT, county)
        for district_name, ((lat, lon), localities) in districts.items():
            district_number += 1
            district = _area(district_name, AreaKind.DISTRICT, quadrant)
            outcode = f"WD{district_number}"
            _venue(f"{district_name} Family Hub", VenueKind.FAMILY_HUB, district, lat, lon, f"{outcode} 1AA")
            for n, locality_name in enumerate(localities, start=1):
                locality = _area(locality_name, AreaKind.LOCALITY, district)
                offset = 0.012 * n
                kind = VenueKind.DELIVERY_SITE if n % 2 else VenueKind.OUTREACH_SITE
                label = "Community Centre" if kind is VenueKind.DELIVERY_SITE else "Library outreach"
                _venue(f"{locality_name} {label}", kind, locality, lat + offset, lon - offset, f"{outcode} {n}AB")
            made.append(district)
    return made


def load_demo() -> Iterator[str]:
    for district_number, district in enumerate(load_places(), start=1):
        _board(f"parents-{district.slug}", f"{district.name} parents",
               f"Local news, groups and meet-ups for parents and carers in {district.name}.",
               Audience.PARENTS, 100 + district_number, district)
    for position, (slug, name, description) in enumerate(PARENT_BOARDS):
        _board(slug, name, description, Audience.PARENTS, position)
    for position, (slug, name, description) in enumerate(YOUTH_BOARDS):
        _board(slug, name, description, Audience.YOUNG_PEOPLE, position)
    for position, (slug, name, description) in enumerate(YOUNG_ADULT_BOARDS):
        _board(slug, name, description, Audience.YOUNG_ADULTS, position)

    created = 0
    password_hash = None
    for username, role, born in ACCOUNTS:
        if db.session.scalar(select(User).where(User.username == username)) is None:
            password_hash = password_hash or hash_password(DEMO_PASSWORD)
            user = User(username=username, email=f"{username}@example.org", password_hash=password_hash,
                        date_of_birth=born, created_at=clock.utcnow())
            user.roles.append(UserRole(role=role.value))
            db.session.add(user)
            created += 1
    db.session.commit()
    rota = _safeguarding_rota()
    started = _welcome_threads()
    from community.groups.demo import load_groups

    groups_line = load_groups()

    yield f"Demo county {COUNTY}: {db.session.query(Area).count()} areas, {db.session.query(Venue).count()} venues, {db.session.query(Board).count()} boards."
    yield f"Group directory: {groups_line}"
    yield f"Safeguarding rota: demo_safeguarding_lead is the county duty lead{' (added)' if rota else ''}."
    yield f"{created} demo accounts created, {started} welcome threads started. Every demo account's password is: {DEMO_PASSWORD}"
    today = clock.today()
    for username, role, born in ACCOUNTS:
        yield f"  {role.label + f' ({age_on(born, today)})':<26} {username}"


def _welcome_threads() -> int:
    """Through the real posting path (so through screening); only into boards that have no threads."""
    from community.forums import service
    from community.models.forums import Thread

    started = 0
    for slug, username, title, body in WELCOME_THREADS:
        board = db.session.scalar(select(Board).where(Board.slug == slug))
        author = db.session.scalar(select(User).where(User.username == username))
        if board is None or author is None or db.session.scalar(select(Thread.id).where(Thread.board_id == board.id)):
            continue
        service.start_thread(author, board, title, body)
        started += 1
    return started


def _safeguarding_rota() -> bool:
    """demo_safeguarding_lead on call as the county duty lead, day and night, for ten years (added once)."""
    from datetime import timedelta

    from community.models.safeguarding import RotaEntry

    lead = db.session.scalar(select(User).where(User.username == "demo_safeguarding_lead"))
    if lead is None or db.session.scalar(select(RotaEntry.id).where(RotaEntry.user_id == lead.id)) is not None:
        return False
    start = clock.utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    db.session.add(RotaEntry(user_id=lead.id, role="duty", area_id=None, starts_at=start,
                             ends_at=start + timedelta(days=3653)))
    db.session.commit()
    return True
