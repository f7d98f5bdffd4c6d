"""Safeguarding rules: opening cases (one per source), time limits, routing by the rota, re-escalation,
the case file (actions, information sharing, closing and re-opening, messages) and who may see it.

HTTP, Socket.IO, the CLI and the worker all call these functions. Writes happen in one transaction;
live events wait in `db.session.info` and are sent only after the commit (see `_after_commit`), so a
case that was rolled back is never announced. Notifications that must not be lost are outbox rows
(community/safeguarding/outbox.py), written in the same transaction as the case.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays
from flask import current_app, has_request_context, url_for
from sqlalchemy import and_, event, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from community import clock
from community.errors import RuleError
from community.extensions import db
from community.forms import clean_text
from community.forums.live import LEADS_ROOM
from community.models import Area, ReviewItem, Role, User
from community.models.safeguarding import (ACTION_LABELS, ACTIONS_WITH_REFERENCE, LAWFUL_BASIS_LABELS,
                                            SEVERITY_ORDER, CaseAction, CaseDeadline, CaseEntry, CaseMessage,
                                            CaseState, CaseView, InformationShared, OutboxMessage, Pathway,
                                            RotaEntry, RotaRole, SafeguardingCase, Severity, SourceKind)
from community.screening import context_for, screen_text
from community.signals import escalated

TEXT_MAX = 5000
LAST_STEP = 2  # 1: the deputy; 2: the county duty lead and the administrators

CLOSURE_REASONS = [
    ("no_further_action", "No further action needed"),
    ("referred_on", "Referred on and handed over"),
    ("support_in_place", "Support is in place"),
    ("not_safeguarding", "Not a safeguarding concern"),
]
CLOSURE_LABELS = dict(CLOSURE_REASONS)

SOURCE_WORDS = {
    SourceKind.POST.value: "a post",
    SourceKind.REVIEW_ITEM.value: "a review item",
    SourceKind.WORRY.value: "the \"I'm worried about someone\" form",
    SourceKind.MENTEE.value: "a mentor's concern about a young person they mentor",
    SourceKind.ALLEGATION.value: "a concern about a volunteer or member of staff",
}


class SafeguardingError(RuleError):
    """A safeguarding rule said no (see RuleError); by default about the text's body."""

    default_field = "body"


# --- who may do what ---------------------------------------------------------------------------------

def is_lead(user: User) -> bool:
    """Safeguarding leads and administrators: the only people who may open a case."""
    return bool(user.is_authenticated) and user.is_active and user.has_role(Role.SAFEGUARDING_LEAD, Role.ADMIN)


def may_manage_rota(user: User) -> bool:
    return bool(user.is_authenticated) and user.is_active and user.has_role(
        Role.SAFEGUARDING_LEAD, Role.COORDINATOR, Role.ADMIN)


def may_open(user: User, case: SafeguardingCase) -> bool:
    """Leads and admins; never the person an allegation is about; admins only for one about a lead."""
    if not is_lead(user) or case.concerns_user_id == user.id:
        return False
    return not case.admins_only or user.has_role(Role.ADMIN)


def _visible_cases(user: User):
    clause = or_(SafeguardingCase.concerns_user_id.is_(None), SafeguardingCase.concerns_user_id != user.id)
    if not user.has_role(Role.ADMIN):
        clause = and_(clause, SafeguardingCase.admins_only.is_(False))
    return clause


# --- time limits -------------------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _england_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday, and not a bank holiday in England."""
    return day.weekday() < 5 and day not in _england_holidays(day.year)


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _workday_end() -> time:
    hours, minutes = current_app.config["SAFEGUARDING_WORKDAY_END"].split(":")
    return time(int(hours), int(minutes))


def deadline_for(severity: str, start: datetime) -> datetime:
    """When a case of `severity` raised at `start` (naive UTC) must be acknowledged, as naive UTC.

    urgent and high: a number of minutes (SAFEGUARDING_ACK_URGENT_MINUTES, _HIGH_MINUTES); standard: the
    end of the next working day in Europe/London (SAFEGUARDING_WORKDAY_END), skipping weekends and
    England's bank holidays. Raises ValueError for an unknown severity.
    """
    config = current_app.config
    if severity == Severity.URGENT.value:
        return start + timedelta(minutes=config["SAFEGUARDING_ACK_URGENT_MINUTES"])
    if severity == Severity.HIGH.value:
        return start + timedelta(minutes=config["SAFEGUARDING_ACK_HIGH_MINUTES"])
    if severity != Severity.STANDARD.value:
        raise ValueError(f"unknown severity {severity!r}")
    day = next_working_day(clock.to_london(start).date())
    local = datetime.combine(day, _workday_end(), tzinfo=clock.LONDON)
    return local.astimezone(UTC).replace(tzinfo=None)


# --- routing by the rota -----------------------------------------------------------------------------

def _area_chain(area_id: int | None) -> list[int]:
    """The area and the areas above it, nearest first (locality, district, quadrant, county)."""
    chain: list[int] = []
    while area_id is not None and area_id not in chain:
        chain.append(area_id)
        area_id = db.session.scalar(select(Area.parent_id).where(Area.id == area_id))
    return chain


def on_call(role: RotaRole, area_id: int | None, audience: str, at: datetime) -> list[User]:
    """Who is on call in `role` at `at` for the area (the nearest area with someone on call wins; an
    entry for one audience beats one for every audience). [] when nobody is."""
    chain = _area_chain(area_id)
    rows = list(db.session.scalars(
        select(RotaEntry).options(selectinload(RotaEntry.user))
        .where(RotaEntry.role == role.value, RotaEntry.starts_at <= at, RotaEntry.ends_at > at,
               or_(RotaEntry.audience == "", RotaEntry.audience == (audience or "")),
               or_(RotaEntry.area_id.is_(None), RotaEntry.area_id.in_(chain) if chain else False))))
    if not rows:
        return []

    def rank(entry: RotaEntry) -> tuple[int, int]:
        place = chain.index(entry.area_id) if entry.area_id in chain else len(chain)
        return place, 0 if entry.audience else 1

    best = min(rank(e) for e in rows)
    return _unique(e.user for e in rows if rank(e) == best and e.user.is_active)


def _admins() -> list[User]:
    from community.models import UserRole

    return list(db.session.scalars(select(User).join(UserRole, UserRole.user_id == User.id)
                                   .where(UserRole.role == Role.ADMIN.value, User.is_suspended.is_(False))
                                   .order_by(User.id)))


def _unique(users) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        seen.setdefault(user.id, user)
    return list(seen.values())


def recipients(case: SafeguardingCase, step: int, at: datetime) -> list[User]:
    """Who is told at escalation `step`: 0 the on-call lead, 1 the deputy, 2 the county duty lead and the
    administrators; each falls back to the duty lead, then the administrators. An allegation never goes
    to the area's own team (only the duty lead and administrators) and never to the person it is about;
    one about a lead goes to administrators only."""
    duty = on_call(RotaRole.DUTY, None, "", at)
    if case.admins_only:
        people = _admins()
    elif case.pathway == Pathway.ALLEGATION.value:
        people = duty + _admins() if step >= LAST_STEP else (duty or _admins())
    elif step >= LAST_STEP:
        people = duty + _admins()
    else:
        role = RotaRole.LEAD if step == 0 else RotaRole.DEPUTY
        people = on_call(role, case.area_id, case.audience, at) or duty or _admins()
    return [u for u in _unique(people) if u.id != case.concerns_user_id]


# --- opening a case ----------------------------------------------------------------------------------

@dataclass
class Opened:
    case: SafeguardingCase
    created: bool


def open_case(*, source_kind: str, source_id: str | int, severity: str, snapshot: str, how: str,
              subject: User | None = None, subject_description: str = "", area_id: int | None = None,
              audience: str = "", category: str = "", verdict: dict | None = None, reporter: User | None = None,
              reporter_contact: str = "", review_item: ReviewItem | None = None, post_id: int | None = None,
              concerns_user: User | None = None, pathway: str = Pathway.SAFEGUARDING.value,
              by: User | None = None) -> Opened:
    """Open the case for a source, or add to the one it already has. Call inside the caller's transaction;
    the caller commits. One source opens one case however often, and however concurrently, it is escalated:
    the unique (source_kind, source_id) decides, and the loser of a race adds to the winner's case.

    On creation, in the same transaction: the first chronology entries, the deadline row and the outbox
    rows for the people on call. Returns Opened(case, created)."""
    source_id = str(source_id)
    now = clock.utcnow()
    if severity not in SEVERITY_ORDER:
        severity = Severity.STANDARD.value
    existing = _case_for_source(source_kind, source_id)
    if existing is None:
        case = SafeguardingCase(
            source_kind=source_kind, source_id=source_id, pathway=pathway, severity=severity,
            category=category[:80], opened_at=now, deadline_at=deadline_for(severity, now), subject=subject,
            subject_description=subject_description[:300], area_id=area_id, audience=audience or "",
            age_band=subject.age_band(clock.today()).value if subject is not None else "",
            reporter_id=reporter.id if reporter else None, reporter_contact=reporter_contact[:254],
            review_item_id=review_item.id if review_item is not None else None, post_id=post_id,
            snapshot=snapshot, verdict=verdict or {}, concerns_user=concerns_user,
            admins_only=bool(concerns_user is not None and concerns_user.has_role(Role.SAFEGUARDING_LEAD)))
        try:
            with db.session.begin_nested():  # a savepoint: losing the race must not undo the caller's work
                db.session.add(case)
        except IntegrityError:
            existing = _case_for_source(source_kind, source_id)
            if existing is None:  # pragma: no cover - the constraint fired, so the row exists
                raise
        else:
            _opened(case, how, by, now)
            return Opened(case, True)
    _escalated_again(existing, severity, how, by, now)
    return Opened(existing, False)


def _case_for_source(source_kind: str, source_id: str) -> SafeguardingCase | None:
    return db.session.scalar(select(SafeguardingCase).where(
        SafeguardingCase.source_kind == source_kind, SafeguardingCase.source_id == source_id))


def _opened(case: SafeguardingCase, how: str, by: User | None, now: datetime) -> None:
    people = recipients(case, 0, now)
    lead = next((u for u in people if u.has_role(Role.SAFEGUARDING_LEAD)), None)
    case.assigned_lead_id = lead.id if lead else None
    _entry(case, "opened", f"Case opened ({Severity(case.severity).label.lower()}) from {how}. "
                           f"To be acknowledged by {_london(case.deadline_at)}.", by, now)
    if case.pathway == Pathway.ALLEGATION.value:
        _entry(case, "pathway", "Allegation about a volunteer or member of staff: allegations (LADO) pathway. "
                                "The person it is about is not told and cannot see it.", None, now)
    _notify(case, 0, people, now)
    db.session.add(CaseDeadline(case_id=case.id, step=1, due_at=case.deadline_at))
    _queue_live(case, "opened")


def _escalated_again(case: SafeguardingCase, severity: str, how: str, by: User | None, now: datetime) -> None:
    text = f"Escalated again from {how}."
    if SEVERITY_ORDER[severity] < SEVERITY_ORDER[case.severity] and case.state == CaseState.OPEN.value:
        text += f" Severity raised from {case.severity} to {severity}."
        case.severity = severity
        case.deadline_at = min(case.deadline_at, deadline_for(severity, now))
        for row in db.session.scalars(select(CaseDeadline).where(CaseDeadline.case_id == case.id,
                                                                  CaseDeadline.done_at.is_(None))):
            row.due_at = min(row.due_at, case.deadline_at)
    _entry(case, "escalated_again", text, by, now)
    _queue_live(case, "updated")


def _entry(case: SafeguardingCase, kind: str, text: str, actor: User | None, now: datetime | None = None) -> None:
    db.session.add(CaseEntry(case_id=case.id, kind=kind, text=text, actor_id=actor.id if actor else None,
                             at=now or clock.utcnow()))


def _london(moment: datetime) -> str:
    return clock.to_london(moment).strftime("%-d %B %Y at %-I:%M%p").replace("AM", "am").replace("PM", "pm")


def _notify(case: SafeguardingCase, step: int, people: list[User], now: datetime) -> None:
    """Outbox rows (an email and an in-app alert per person) for an escalation step, in this transaction.
    The idempotency key names the case, the step, the channel and the person: never queued twice."""
    severity = Severity(case.severity).label
    link = _link(case)
    subject = f"{severity} safeguarding case {case.id} needs acknowledging"
    body = (f"A {severity.lower()} safeguarding case (number {case.id}) needs a lead to acknowledge it by "
            f"{_london(case.deadline_at)}.\n\nOpen it in Village: {link}\n\n"
            "This email says nothing about the person on purpose. Read the case in Village.")
    if step:
        subject = f"Not acknowledged in time: {severity.lower()} safeguarding case {case.id}"
        body = f"Nobody acknowledged this case in time, so it has come to you.\n\n{body}"
    for person in people:
        for channel in ("email", "live"):
            db.session.add(OutboxMessage(
                idempotency_key=f"case:{case.id}:step:{step}:{channel}:user:{person.id}", case_id=case.id,
                channel=channel, recipient_id=person.id, to_address=person.email if channel == "email" else "",
                subject=subject, body=body, next_attempt_at=now, created_at=now,
                payload={"case_id": case.id, "severity": case.severity, "step": step, "url": _path(case)}))
    if people:
        names = ", ".join(p.username for p in people)
        who = {0: "on-call lead", 1: "deputy"}.get(step, "county duty lead and administrators")
        _entry(case, "notified", f"Sent to the {who}: {names}.", None, now)
    else:
        _entry(case, "notified", "Nobody is on call and there is no administrator to tell.", None, now)


def _path(case: SafeguardingCase) -> str:
    if has_request_context():
        return url_for("safeguarding.case", case_id=case.id)
    return current_app.url_map.bind("localhost").build("safeguarding.case", {"case_id": case.id})


def _link(case: SafeguardingCase) -> str:
    base = current_app.config.get("SAFEGUARDING_LINK_BASE") or (
        f"http://{current_app.config['HOST']}:{current_app.config['PORT']}")
    return base.rstrip("/") + _path(case)


# --- live events, sent after the commit ------------------------------------------------------------------

def case_payload(case: SafeguardingCase) -> dict:
    """What the dashboard needs for one row (no words from the case: the room only says that it exists)."""
    return {"id": case.id, "severity": case.severity, "state": case.state, "url": _path(case),
            "opened_at": case.opened_at.isoformat() + "Z", "deadline_at": case.deadline_at.isoformat() + "Z",
            "deadline_text": _london(case.deadline_at), "source": SOURCE_WORDS.get(case.source_kind, ""),
            "step": case.escalation_step, "breached": is_breached(case)}


def _queue_live(case: SafeguardingCase, what: str) -> None:
    db.session.flush()
    if case.admins_only or case.pathway == Pathway.ALLEGATION.value:
        return  # not to the whole leads' room: only the people it was routed to (their outbox alerts)
    db.session.info.setdefault("safeguarding_events", []).append(dict(case_payload(case), event=what))


@event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    events = session.info.pop("safeguarding_events", None)
    if not events:
        return
    from community.extensions import socketio

    for payload in events:
        socketio.emit("safeguarding_case", payload, to=LEADS_ROOM)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session) -> None:
    session.info.pop("safeguarding_events", None)


# --- the escalated signal --------------------------------------------------------------------------------

def on_escalated(sender, *, item: ReviewItem, post=None, verdict=None, by: User | None = None, **extra) -> None:
    """Receiver of community.signals.escalated: open (or add to) the case for the post or review item.
    Runs inside the sender's transaction, so the case commits with the post or decision that raised it."""
    severity = getattr(verdict, "severity", None) or item.severity or Severity.URGENT.value
    if by is not None:
        how = f"a moderator's escalation ({by.username})"
    elif item.source == "report":
        how = "a member's report"
    else:
        how = "screening"
    words = []
    subject = area_id = None
    audience = ""
    if post is not None:
        thread = post.thread
        words.append(f"Thread: {thread.title}")
        words.append(post.body)
        subject = post.author
        board = thread.board
        area_id, audience = board.area_id, board.audience
    if item.note:
        words.append(f"Report note: {item.note}")
    categories = getattr(verdict, "categories", None) or (item.verdict or {}).get("categories") or []
    open_case(source_kind=SourceKind.POST.value if post is not None else SourceKind.REVIEW_ITEM.value,
              source_id=post.id if post is not None else item.id, severity=severity,
              snapshot="\n\n".join(words) or item.reason, how=how, subject=subject, area_id=area_id,
              audience=audience, category=", ".join(categories), verdict=item.verdict or {},
              reporter=item.reporter, review_item=item, post_id=post.id if post is not None else None, by=by)


escalated.connect(on_escalated)  # blinker keeps one connection however often this module is imported


# --- the "I'm worried about someone" form --------------------------------------------------------------------

WORRY_KINDS = [
    ("young_person", "A child or young person"),
    ("adult", "An adult"),
    ("staff", "A volunteer or member of staff on Village"),
    ("mentee", "A young person I mentor"),
]


@dataclass
class WorryResult:
    case: SafeguardingCase
    helplines: bool


def report_worry(user: User | None, *, kind: str, what: str, danger_now: bool, who: str = "",
                 username: str = "", area_id: int | None = None, contact: str = "",
                 token: str = "") -> WorryResult:
    """A worry from anyone, signed in or not. The words are screened; a worry about a volunteer or member
    of staff goes to the allegations pathway. `token` (from the form) makes a double submit one case."""
    signed_in = user is not None and user.is_authenticated
    if kind not in dict(WORRY_KINDS):
        raise SafeguardingError("Choose who you are worried about.", field="kind")
    if kind == "mentee" and not (signed_in and user.has_role(Role.MENTOR)):
        raise SafeguardingError("Only volunteer mentors can tell us about a young person they mentor.", field="kind")
    what = clean_text(what)
    if not what:
        raise SafeguardingError("Tell us what is worrying you.", field="what")
    if len(what) > TEXT_MAX:
        raise SafeguardingError(f"Please keep it to {TEXT_MAX:,} characters or fewer.", field="what")
    who, contact = clean_text(who)[:300], clean_text(contact)[:254]
    named = None
    if username:
        named = db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if area_id is not None and db.session.get(Area, area_id) is None:
        raise SafeguardingError("Choose an area from the list.", field="area")
    audience = "parents"
    verdict = screen_text(what, context_for(user if signed_in else None, kind="safeguarding_concern",
                                            audience=audience))
    severity = Severity.URGENT.value if danger_now else (
        verdict.severity if verdict.action == "escalate" else Severity.STANDARD.value)
    concerns_user = None
    pathway, source_kind = Pathway.SAFEGUARDING.value, SourceKind.WORRY.value
    if kind == "staff":
        pathway, source_kind = Pathway.ALLEGATION.value, SourceKind.ALLEGATION.value
        if named is not None and (named.is_staff or named.has_role(Role.MENTOR)):
            concerns_user = named
        named = None
        if severity == Severity.STANDARD.value:
            severity = Severity.HIGH.value
    elif kind == "mentee":
        source_kind = SourceKind.MENTEE.value
    token = token if token and len(token) <= 64 else uuid.uuid4().hex
    reporter = user if signed_in else None
    words = {"young_person": "a child or young person", "adult": "an adult",
             "staff": "a volunteer or member of staff", "mentee": "a young person they mentor"}[kind]
    snapshot = what if not who else f"About: {who}\n\n{what}"
    opened = open_case(
        source_kind=source_kind, source_id=token, severity=severity, snapshot=snapshot,
        how=f"{SOURCE_WORDS[source_kind]} ({'signed in as ' + user.username if reporter else 'not signed in'}), "
            f"about {words}" + (" — they said someone is in danger now" if danger_now else ""),
        subject=named, subject_description=who, area_id=area_id, category=", ".join(verdict.categories or []),
        verdict=_verdict_dict(verdict), reporter=reporter, reporter_contact=contact,
        concerns_user=concerns_user, pathway=pathway, by=reporter)
    db.session.commit()
    return WorryResult(opened.case, helplines=True)


def _verdict_dict(verdict) -> dict:
    try:
        return verdict.to_dict()
    except Exception:  # noqa: BLE001 - the record still matters without the full verdict
        return {"action": getattr(verdict, "action", ""), "severity": getattr(verdict, "severity", "")}


# --- the dashboard and the case file --------------------------------------------------------------------

def open_cases(user: User, page: int, per_page: int = 50):
    """Open and acknowledged cases the person may see: waiting ones first, then most severe, most overdue."""
    rank = sql_case(SEVERITY_ORDER, value=SafeguardingCase.severity, else_=3)
    waiting = sql_case({CaseState.OPEN.value: 0}, value=SafeguardingCase.state, else_=1)
    query = (select(SafeguardingCase).options(selectinload(SafeguardingCase.assigned_lead),
                                              selectinload(SafeguardingCase.area))
             .where(SafeguardingCase.state != CaseState.CLOSED.value, _visible_cases(user))
             .order_by(waiting, rank, SafeguardingCase.deadline_at, SafeguardingCase.id))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def is_breached(case: SafeguardingCase, now: datetime | None = None) -> bool:
    return case.state == CaseState.OPEN.value and (now or clock.utcnow()) > case.deadline_at


def case_for(user: User, case_id: int, page: str = "file") -> SafeguardingCase:
    """The case, with this view recorded; 404 (as if it did not exist) for anyone who may not open it."""
    case = db.session.get(SafeguardingCase, case_id)
    if case is None or not may_open(user, case):
        raise SafeguardingError("Page not found", 404)
    now = clock.utcnow()
    db.session.add(CaseView(case_id=case.id, user_id=user.id, page=page, at=now))
    _mark_seen(case, now)
    db.session.commit()
    return case


def _mark_seen(case: SafeguardingCase, now: datetime) -> None:
    """moderation_items.safeguarding_seen_at (added by the review queue's migration): a lead has seen it,
    so the review queue may now decide on the post."""
    if case.review_item_id is None or not hasattr(ReviewItem, "safeguarding_seen_at"):
        return
    item = db.session.get(ReviewItem, case.review_item_id)
    if item is not None and item.safeguarding_seen_at is None:
        item.safeguarding_seen_at = now


def case_file(case: SafeguardingCase) -> dict:
    """Everything the case page shows, in a fixed number of queries."""
    def rows(model, *options):
        return list(db.session.scalars(select(model).where(model.case_id == case.id)
                                       .options(*options).order_by(model.id)))

    earlier = []
    if case.subject_id is not None:
        earlier = list(db.session.scalars(select(SafeguardingCase).where(
            SafeguardingCase.subject_id == case.subject_id, SafeguardingCase.id != case.id)
            .order_by(SafeguardingCase.id.desc()).limit(20)))
    return {
        "chronology": rows(CaseEntry, selectinload(CaseEntry.actor)),
        "actions": rows(CaseAction, selectinload(CaseAction.by)),
        "sharing": rows(InformationShared, selectinload(InformationShared.by)),
        "messages": rows(CaseMessage, selectinload(CaseMessage.author)),
        "views": list(db.session.scalars(select(CaseView).where(CaseView.case_id == case.id)
                                         .options(selectinload(CaseView.user)).order_by(CaseView.id.desc())
                                         .limit(20))),
        "earlier": earlier,
        "breached": is_breached(case),
    }


def _require(user: User, case: SafeguardingCase) -> None:
    if not may_open(user, case):
        raise SafeguardingError("Page not found", 404)


def _text(value: str | None, field: str, missing: str, limit: int = TEXT_MAX) -> str:
    value = clean_text(value)
    if not value:
        raise SafeguardingError(missing, field=field)
    if len(value) > limit:
        raise SafeguardingError(f"Please keep it to {limit:,} characters or fewer.", field=field)
    return value


def acknowledge(lead: User, case: SafeguardingCase) -> bool:
    """The lead owns the case: its re-escalation stops. False if it was already acknowledged."""
    _require(lead, case)
    if case.state != CaseState.OPEN.value:
        return False
    now = clock.utcnow()
    _acknowledge(lead, case, now)
    db.session.commit()
    return True


def _acknowledge(lead: User, case: SafeguardingCase, now: datetime) -> None:
    case.state = CaseState.ACKNOWLEDGED.value
    case.acknowledged_at, case.acknowledged_by_id, case.assigned_lead_id = now, lead.id, lead.id
    late = " (after its time limit)" if now > case.deadline_at else ""
    _entry(case, "acknowledged", f"Acknowledged by {lead.username}{late}.", lead, now)
    for row in db.session.scalars(select(CaseDeadline).where(CaseDeadline.case_id == case.id,
                                                              CaseDeadline.done_at.is_(None))):
        row.done_at, row.result = now, "not_needed"
    _mark_seen(case, now)
    _queue_live(case, "updated")


def record_action(lead: User, case: SafeguardingCase, kind: str, rationale: str, reference: str = "") -> CaseAction:
    _require(lead, case)
    if kind not in ACTION_LABELS:
        raise SafeguardingError("Choose what you did.", field="kind")
    rationale = _text(rationale, "rationale", "Write why you did it (your rationale).")
    reference = clean_text(reference)[:100]
    if kind == "social_care" and not reference:
        raise SafeguardingError("Write the reference children's social care gave you.", field="reference")
    now = clock.utcnow()
    if case.state == CaseState.OPEN.value:
        _acknowledge(lead, case, now)
    action = CaseAction(case_id=case.id, kind=kind, rationale=rationale, reference=reference, by_id=lead.id, at=now)
    db.session.add(action)
    ref = f" (reference {reference})" if reference else ""
    _entry(case, "action", f"{ACTION_LABELS[kind]}{ref}. Rationale: {rationale}", lead, now)
    db.session.commit()
    return action


def record_sharing(lead: User, case: SafeguardingCase, *, what: str, with_whom: str, lawful_basis: str,
                   consent_sought: bool, consent_note: str) -> InformationShared:
    _require(lead, case)
    what = _text(what, "what", "Write what information you shared.")
    with_whom = _text(with_whom, "with_whom", "Write who you shared it with.", 200)
    if lawful_basis not in LAWFUL_BASIS_LABELS:
        raise SafeguardingError("Choose the lawful basis for sharing.", field="lawful_basis")
    consent_note = _text(consent_note, "consent_note",
                         "Write what the person said." if consent_sought else "Write why you did not ask for consent.")
    now = clock.utcnow()
    row = InformationShared(case_id=case.id, what=what, with_whom=with_whom, lawful_basis=lawful_basis,
                            consent_sought=consent_sought, consent_note=consent_note, by_id=lead.id, at=now)
    db.session.add(row)
    consent = "consent sought" if consent_sought else "consent not sought"
    _entry(case, "shared", f"Shared with {with_whom} ({LAWFUL_BASIS_LABELS[lawful_basis]}; {consent}): {what}",
           lead, now)
    db.session.commit()
    return row


def close_case(lead: User, case: SafeguardingCase, *, reason: str, outcome: str) -> None:
    _require(lead, case)
    if case.state == CaseState.CLOSED.value:
        raise SafeguardingError("This case is already closed.", 409, field="reason")
    if reason not in CLOSURE_LABELS:
        raise SafeguardingError("Choose why you are closing the case.", field="reason")
    outcome = _text(outcome, "outcome", "Write the outcome.")
    now = clock.utcnow()
    if case.state == CaseState.OPEN.value:
        _acknowledge(lead, case, now)
    case.state, case.closure_reason, case.outcome = CaseState.CLOSED.value, reason, outcome
    case.closed_at, case.closed_by_id = now, lead.id
    _entry(case, "closed", f"Closed: {CLOSURE_LABELS[reason]}. Outcome: {outcome}", lead, now)
    _queue_live(case, "closed")
    db.session.commit()


def reopen_case(lead: User, case: SafeguardingCase, reason: str) -> None:
    _require(lead, case)
    if case.state != CaseState.CLOSED.value:
        raise SafeguardingError("Only a closed case can be re-opened.", 409, field="reason")
    reason = _text(reason, "reason", "Write why you are re-opening the case.")
    now = clock.utcnow()
    case.state, case.reopened_count = CaseState.ACKNOWLEDGED.value, case.reopened_count + 1
    case.assigned_lead_id = lead.id
    _entry(case, "reopened", f"Re-opened by {lead.username}: {reason}", lead, now)
    _queue_live(case, "updated")
    db.session.commit()


# --- private messages with the person ------------------------------------------------------------------------

def send_message(lead: User, case: SafeguardingCase, body: str) -> CaseMessage:
    """A lead's private message to the person at risk, inside Village (screened and recorded like any text)."""
    _require(lead, case)
    if case.subject_id is None:
        raise SafeguardingError("There is no Village account to message for this case.", 409)
    message, _, now = _store_message(case, lead, body, from_lead=True)
    if case.state == CaseState.OPEN.value:
        _acknowledge(lead, case, now)
    _entry(case, "message", f"Message to the person: {message.body}", lead, now)
    db.session.commit()
    _emit_to_user(case.subject_id, "safeguarding_message", {"url": _messages_path()})
    return message


def _store_message(case: SafeguardingCase, author: User, body: str, *, from_lead: bool):
    """Check and screen a message's text and add it to the case. Returns (message, verdict, now)."""
    body = _text(body, "body", "Write your message.")
    kind = "safeguarding_message" if from_lead else "safeguarding_reply"
    verdict = screen_text(body, context_for(author, kind=kind, audience=case.audience or "parents"))
    now = clock.utcnow()
    message = CaseMessage(case_id=case.id, author_id=author.id, from_lead=from_lead, body=body,
                          screening=_verdict_dict(verdict), at=now)
    db.session.add(message)
    return message, verdict, now


def _messages_path() -> str:
    if has_request_context():
        return url_for("safeguarding.messages")
    return current_app.url_map.bind("localhost").build("safeguarding.messages", {})


def _emit_to_user(user_id: int, event_name: str, payload: dict) -> None:
    from community.extensions import socketio
    from community.forums.live import user_room

    socketio.emit(event_name, payload, to=user_room(user_id))


def conversations(user: User) -> list[tuple[SafeguardingCase, list[CaseMessage]]]:
    """The person's private conversations with the safety team: only cases a lead has written to them on.
    They see the messages, never the case."""
    messages = list(db.session.scalars(
        select(CaseMessage).join(SafeguardingCase, SafeguardingCase.id == CaseMessage.case_id)
        .where(SafeguardingCase.subject_id == user.id).order_by(CaseMessage.case_id, CaseMessage.id)))
    by_case: dict[int, list[CaseMessage]] = {}
    for message in messages:
        by_case.setdefault(message.case_id, []).append(message)
    cases = {c.id: c for c in db.session.scalars(select(SafeguardingCase).where(
        SafeguardingCase.id.in_(list(by_case))))} if by_case else {}
    return [(cases[cid], msgs) for cid, msgs in by_case.items() if any(m.from_lead for m in msgs)]


def has_messages(user: User) -> bool:
    """Whether a lead has written to this person (the navigation then shows their messages page)."""
    if not user.is_authenticated:
        return False
    return db.session.scalar(select(CaseMessage.id).join(SafeguardingCase, SafeguardingCase.id == CaseMessage.case_id)
                             .where(SafeguardingCase.subject_id == user.id, CaseMessage.from_lead.is_(True))
                             .limit(1)) is not None


def reply_from_person(user: User, case_id: int, body: str) -> CaseMessage:
    """The person's reply: screened like every text, and it goes only to the case (the leads)."""
    case = db.session.get(SafeguardingCase, case_id)
    if case is None or case.subject_id != user.id or not db.session.scalar(
            select(func.count(CaseMessage.id)).where(CaseMessage.case_id == case.id, CaseMessage.from_lead.is_(True))):
        raise SafeguardingError("Page not found", 404)
    message, verdict, now = _store_message(case, user, body, from_lead=False)
    body = message.body
    _entry(case, "reply", f"Reply from the person: {body}", user, now)
    if verdict.action == "escalate":
        _entry(case, "screening", f"Screening read the reply as a risk ({verdict.severity}).", None, now)
        if case.state == CaseState.CLOSED.value:
            case.state, case.reopened_count = CaseState.ACKNOWLEDGED.value, case.reopened_count + 1
            _entry(case, "reopened", "Re-opened because of the person's reply.", None, now)
    _queue_live(case, "updated")
    db.session.commit()
    return message


# --- the rota ------------------------------------------------------------------------------------------

def rota_page(page: int, per_page: int = 50):
    now = clock.utcnow()
    query = (select(RotaEntry).options(selectinload(RotaEntry.user), selectinload(RotaEntry.area))
             .where(RotaEntry.ends_at > now).order_by(RotaEntry.starts_at, RotaEntry.id))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def add_rota_entry(manager: User, *, username: str, role: str, area_id: int | None, audience: str,
                   starts_at: datetime, ends_at: datetime) -> RotaEntry:
    """Put someone on call. Times are naive UTC; the person must be a safeguarding lead (or an admin)."""
    if not may_manage_rota(manager):
        raise SafeguardingError("You cannot change the rota.", 403)
    person = db.session.scalar(select(User).where(func.lower(User.username) == (username or "").strip().lower()))
    if person is None or not person.has_role(Role.SAFEGUARDING_LEAD, Role.ADMIN):
        raise SafeguardingError("Choose a safeguarding lead by their username.", field="username")
    if role not in {r.value for r in RotaRole}:
        raise SafeguardingError("Choose lead, deputy or county duty lead.", field="role")
    if area_id is not None and db.session.get(Area, area_id) is None:
        raise SafeguardingError("Choose an area from the list.", field="area")
    if ends_at <= starts_at:
        raise SafeguardingError("The end must be after the start.", field="ends_at")
    entry = RotaEntry(user_id=person.id, role=role, area_id=None if role == RotaRole.DUTY.value else area_id,
                      audience=audience or "", starts_at=starts_at, ends_at=ends_at)
    db.session.add(entry)
    db.session.commit()
    return entry


def remove_rota_entry(manager: User, entry_id: int) -> None:
    if not may_manage_rota(manager):
        raise SafeguardingError("You cannot change the rota.", 403)
    entry = db.session.get(RotaEntry, entry_id)
    if entry is None:
        raise SafeguardingError("Page not found", 404)
    db.session.delete(entry)
    db.session.commit()


# --- deadlines (run by the worker) ---------------------------------------------------------------------------

def run_due_deadlines(limit: int = 100) -> int:
    """Re-escalate every case whose time limit has passed unacknowledged; returns how many steps ran.

    Each deadline row is claimed with FOR UPDATE SKIP LOCKED (PostgreSQL), so several workers never run
    the same step; the step's outbox rows have idempotency keys as a second guard."""
    done = 0
    while done < limit:
        now = clock.utcnow()
        row = db.session.scalar(select(CaseDeadline).where(CaseDeadline.done_at.is_(None), CaseDeadline.due_at <= now)
                                .order_by(CaseDeadline.due_at, CaseDeadline.id).limit(1)
                                .with_for_update(skip_locked=True))
        if row is None:
            db.session.rollback()
            return done
        case = db.session.get(SafeguardingCase, row.case_id)
        row.done_at = now
        if case.state != CaseState.OPEN.value:
            row.result = "not_needed"
        else:
            row.result = "escalated"
            _escalate(case, row.step, row.due_at, now)
        db.session.commit()
        done += 1
    return done


def _escalate(case: SafeguardingCase, step: int, due_at: datetime, now: datetime) -> None:
    case.escalation_step = step
    who = "the deputy" if step == 1 else "the county duty lead and the administrators"
    _entry(case, "re_escalated", f"Not acknowledged by {_london(due_at)}: re-escalated to {who}.", None, now)
    _notify(case, step, recipients(case, step, now), now)
    if step < LAST_STEP:
        db.session.add(CaseDeadline(case_id=case.id, step=step + 1, due_at=deadline_for(case.severity, due_at)))
    _queue_live(case, "escalated")


def outbox_backlog() -> int:
    """Notifications not yet sent (for /healthz)."""
    return db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.sent_at.is_(None))) or 0
