"""Open Referral UK 3 (HSDS 3): the read-only API under /api/oruk/ and the import of an ORUK feed.

Groups are services; a group's venue is its one service_at_location. Ids are the rows' uuids; ids of
parts Village does not keep as rows (a location's address, a language, a cost option) are uuid5 of the
group's id and the part, so they stay the same from one call to the next. Only listed groups (published,
or paused: "temporarily closed") are shown; drafts never.
"""
from __future__ import annotations

import json
import math
import re
import uuid as uuid_lib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import click
from flask import Blueprint, abort, jsonify, request
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from community.extensions import db
from community.forms import clean_text
from community.groups import postcodes, service
from community.groups.schedules import WEEKDAYS, Rule, ScheduleError, check
from community.models import Area, Group, Organisation, Schedule, Taxonomy, TaxonomyTerm, Venue
from community.models.areas import AreaKind, VenueKind
from community.models.groups import GroupState

bp = Blueprint("oruk", __name__, url_prefix="/api/oruk")

PROFILE = "https://openreferraluk.org/"
OPENAPI_URL = "https://raw.githubusercontent.com/OpenReferralUK/uk-profile/main/schema/openapi.json"
MAX_PER_PAGE = 100
MAX_PAGE = 10_000
STATUS = {GroupState.PUBLISHED.value: "active", GroupState.PAUSED.value: "temporarily closed"}
DAY_WORDS = {d: i for i, d in enumerate(WEEKDAYS)} | {
    name: i for i, name in enumerate(["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"])}
_TIME = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE)


class BadParameter(Exception):
    pass


def _part_id(group: Group, part: str) -> str:
    return str(uuid_lib.uuid5(uuid_lib.UUID(group.uuid) if _is_uuid(group.uuid) else service.NAMESPACE, part))


def _is_uuid(value) -> bool:
    try:
        return isinstance(value, str) and str(uuid_lib.UUID(value)) == value.lower()
    except ValueError:
        return False


def _prune(record: dict) -> dict:
    """Leave out empty optional values rather than send "" for a URL or an email."""
    return {k: v for k, v in record.items() if v not in ("", None)}


# --- shapes ----------------------------------------------------------------------------------------

def organisation_json(org: Organisation) -> dict:
    return _prune({"id": org.uuid, "name": org.name, "description": org.description or org.name,
                   "email": org.email, "website": org.website})


def _years(months: int) -> int:
    return max(0, months) // 12


def service_json(group: Group) -> dict:
    """The one-to-one fields (compiled/service_list.json)."""
    return _prune({
        "id": group.uuid, "organization_id": group.organisation.uuid, "name": group.name,
        "description": group.description, "url": group.url, "email": group.email,
        "status": STATUS.get(group.state, "inactive"), "fees": service.cost_label(group),
        "minimum_age": _years(group.min_age_months), "maximum_age": _years(group.max_age_months),
        "last_modified": group.updated_at.isoformat(timespec="milliseconds") + "Z",
        "organization": organisation_json(group.organisation),
    })


def location_json(group: Group, *, full: bool) -> dict:
    venue = group.venue
    location = _prune({"id": str(uuid_lib.uuid5(service.NAMESPACE, f"venue:{venue.id}")), "location_type": "physical",
                       "name": venue.name, "description": VenueKind(venue.kind).label if venue.kind in
                       {k.value for k in VenueKind} else "", "latitude": venue.latitude, "longitude": venue.longitude})
    if full:
        location["addresses"] = [{
            "id": str(uuid_lib.uuid5(service.NAMESPACE, f"address:{venue.id}")), "location_id": location["id"],
            "address_1": venue.address, "city": venue.area.name, "state_province": "England",
            "postal_code": venue.postcode, "country": "GB", "address_type": "physical"}]
        access = [words for flag, words in ((group.step_free, "Step-free access"),
                                            (group.hearing_loop, "Hearing loop"),
                                            (group.quiet_sensory, "Quiet, sensory-friendly sessions")) if flag]
        location["accessibility"] = [{"id": _part_id(group, f"access:{i}"), "location_id": location["id"],
                                      "description": words} for i, words in enumerate(access)]
    return location


def _sal_id(group: Group) -> str:
    return group.sal_uuid


def schedule_json(group: Group, schedule) -> dict:
    parts = dict(p.split("=", 1) for p in schedule.rrule.split(";") if "=" in p)
    end = (datetime.combine(date.min, schedule.starts_local.time()) + timedelta(minutes=schedule.duration_minutes)).time()
    record = {"id": schedule.uuid, "service_id": group.uuid, "dtstart": schedule.starts_local.date().isoformat(),
              "valid_from": schedule.starts_local.date().isoformat(),
              "opens_at": schedule.starts_local.time().isoformat(), "closes_at": end.isoformat(),
              "description": service.describe_schedule(schedule), "attending_type": "in person"}
    if parts.get("FREQ") in ("WEEKLY", "MONTHLY"):
        record.update(freq=parts["FREQ"], interval=int(parts.get("INTERVAL", 1)))
        if "BYDAY" in parts:
            record["byday"] = parts["BYDAY"]
        if "BYMONTHDAY" in parts:
            record["bymonthday"] = parts["BYMONTHDAY"]
    if schedule.until:
        record["valid_to"] = schedule.until.isoformat()
    elif not schedule.rrule:
        record["valid_to"] = record["valid_from"]
    if schedule.term_time_only:
        record["notes"] = "Term time only: not in the school holidays or on bank holidays."
    elif schedule.holidays_only:
        record["notes"] = "School holidays only."
    return record


def full_service_json(group: Group) -> dict:
    """compiled/service.json: the service with its schedules, location, languages, costs and category."""
    record = service_json(group)
    record["schedules"] = [schedule_json(group, s) for s in group.schedules]
    record["service_at_locations"] = [{"id": _sal_id(group), "service_id": group.uuid,
                                       "location_id": str(uuid_lib.uuid5(service.NAMESPACE, f"venue:{group.venue.id}")),
                                       "location": location_json(group, full=True)}] if group.venue else []
    record["languages"] = [{"id": _part_id(group, f"language:{code}"), "service_id": group.uuid,
                            "name": service.LANGUAGES.get(code, code), "code": code}
                           for code in Group.split(group.languages)]
    record["cost_options"] = [_prune({"id": _part_id(group, "cost"), "service_id": group.uuid, "option": "Per session",
                                      "amount": group.cost_pence / 100, "amount_description": group.cost_description})]
    record["attributes"] = [{"id": _part_id(group, "category"), "link_id": group.uuid, "link_type": "service",
                             "taxonomy_term_id": group.category.uuid,
                             "taxonomy_term": term_json(group.category)}] if group.category else []
    record["organization"] = organisation_json(group.organisation)
    record["contacts"] = []
    record["funding"] = []
    record["service_areas"] = [{"id": _part_id(group, "area"), "service_id": group.uuid, "name": group.area.name,
                                "extent_type": "name"}]
    return record


def term_json(term: TaxonomyTerm) -> dict:
    taxonomy = term.taxonomy
    return _prune({"id": term.uuid, "name": term.name, "description": term.description or term.name,
                   "taxonomy_id": taxonomy.uuid if taxonomy else None, "term": term.code or None,
                   "parent_id": None})


def taxonomy_json(taxonomy: Taxonomy) -> dict:
    return _prune({"id": taxonomy.uuid, "name": taxonomy.name, "description": taxonomy.description or taxonomy.name,
                   "uri": taxonomy.uri, "version": taxonomy.version})


def sal_json(group: Group) -> dict:
    return {"id": _sal_id(group), "service_id": group.uuid,
            "location_id": str(uuid_lib.uuid5(service.NAMESPACE, f"venue:{group.venue.id}")),
            "location": location_json(group, full=False), "service": service_json(group)}


# --- the API ---------------------------------------------------------------------------------------

def _int(name: str, default: int, lo: int, hi: int) -> int:
    value = request.args.get(name)
    if value is None:
        return default
    if not re.fullmatch(r"\d{1,6}", value.strip()) or not lo <= int(value) <= hi:
        raise BadParameter(f"{name} must be a whole number from {lo} to {hi}.")
    return int(value)


def _number(name: str) -> float | None:
    value = request.args.get(name)
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise BadParameter(f"{name} must be a number.") from None
    if not math.isfinite(number) or not 0 <= number <= 200:
        raise BadParameter(f"{name} must be a number from 0 to 200.")
    return number


def _time(name: str) -> int | None:
    value = request.args.get(name)
    if value is None:
        return None
    match = _TIME.match(value.strip())
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59 or int(match.group(3) or 0) > 60:
        raise BadParameter(f"{name} must be a time like 09:30 or 09:30:00.")
    return int(match.group(1)) * 60 + int(match.group(2))


def _filters() -> service.Filters:
    args = request.args
    day = args.get("day")
    weekdays = None
    if day is not None:
        words = [w.strip().upper() for w in day.split(",") if w.strip()]
        if not words or any(w not in DAY_WORDS for w in words):
            raise BadParameter("day must be a day like MO or Monday.")
        weekdays = sorted({DAY_WORDS[w] for w in words})
    point, miles = None, 5.0
    if args.get("postcode") is not None:
        point = postcodes.locate(args["postcode"])
        if point is None:
            raise BadParameter("We do not know that postcode.")
        if args.get("proximity") is not None:
            metres = _number_any("proximity")
            miles = metres / 1609.344
    elif args.get("proximity") is not None:
        raise BadParameter("proximity needs a postcode to measure from.")
    term, taxonomy = args.get("taxonomy_term_id", ""), args.get("taxonomy_id", "")
    for name, value in (("taxonomy_term_id", term), ("taxonomy_id", taxonomy)):
        if value and not _is_uuid(value):
            raise BadParameter(f"{name} must be a UUID.")
    return service.Filters(text=clean_text(args.get("search") or "")[:100], point=point, miles=miles, weekdays=weekdays,
                           start_from=_time("start_time"), end_by=_time("end_time"),
                           min_age_years=_number("minimum_age"), max_age_years=_number("maximum_age"),
                           term_uuid=term, taxonomy_uuid=taxonomy, with_sessions_only=False)


def _number_any(name: str) -> float:
    try:
        number = float(request.args[name])
    except ValueError:
        raise BadParameter(f"{name} must be a number of metres.") from None
    if not math.isfinite(number) or not 0 < number <= 200_000:
        raise BadParameter(f"{name} must be a number of metres from 1 to 200000.")
    return number


def _page_json(items: list[dict], total: int, page: int, per_page: int) -> dict:
    pages = max(1, math.ceil(total / per_page))
    return {"total_items": total, "total_pages": pages, "page_number": page, "size": len(items),
            "first_page": page == 1, "last_page": page >= pages, "empty": not items, "contents": items}


@bp.errorhandler(BadParameter)
def bad_parameter(error: BadParameter):
    return jsonify({"error": "Bad request", "message": str(error)}), 400


@bp.get("/")
def meta():
    """Village implements the profile's published description as it is, so it points at that."""
    return jsonify({"version": "3.0", "profile": PROFILE, "openapi_url": OPENAPI_URL})


def _paging() -> tuple[int, int]:
    return _int("page", 1, 1, MAX_PAGE), _int("per_page", 50, 1, MAX_PER_PAGE)


@bp.get("/services")
def services():
    page, per_page = _paging()
    filters = _filters()
    found = service.search(filters, page, per_page, clamp=False)
    return jsonify(_page_json([service_json(r.group) for r in found.items], found.total, page, per_page))


def _group_by_uuid(value: str) -> Group:
    if not _is_uuid(value):
        abort(404)
    group = db.session.scalar(select(Group).where(Group.uuid == value.lower())
                              .options(selectinload(Group.schedules), selectinload(Group.venue),
                                       selectinload(Group.organisation), selectinload(Group.category)))
    if group is None or not group.is_listed:
        abort(404)
    return group


@bp.get("/services/<id>")
def service_by_id(id: str):
    return jsonify(full_service_json(_group_by_uuid(id)))


@bp.get("/service_at_locations")
def service_at_locations():
    page, per_page = _paging()
    filters = _filters()
    filters.with_venue_only = True
    found = service.search(filters, page, per_page, clamp=False)
    return jsonify(_page_json([sal_json(r.group) for r in found.items], found.total, page, per_page))


@bp.get("/service_at_locations/<id>")
def service_at_location_by_id(id: str):
    """The profile's OpenAPI description types this as compiled/service.json while its summary (and
    compiled/service_at_location.json) say a service_at_location: Village answers the service_at_location
    and carries its service's name and status beside it, so the answer is valid against both."""
    if not _is_uuid(id):
        abort(404)
    group = db.session.scalar(select(Group).where(Group.sal_uuid == id.lower(), Group.venue_id.is_not(None))
                              .options(selectinload(Group.venue), selectinload(Group.organisation)))
    if group is None or not group.is_listed:
        abort(404)
    record = sal_json(group)
    record["location"] = location_json(group, full=True)
    record["service"] = service_json(group)
    record.update(name=group.name, status=STATUS.get(group.state, "inactive"))
    return jsonify(record)


@bp.get("/taxonomies")
def taxonomies():
    page, per_page = _paging()
    total = db.session.scalar(select(func.count(Taxonomy.id)))
    rows = db.session.scalars(select(Taxonomy).order_by(Taxonomy.id).limit(per_page).offset((page - 1) * per_page))
    return jsonify(_page_json([taxonomy_json(t) for t in rows], total, page, per_page))


@bp.get("/taxonomies/<id>")
def taxonomy_by_id(id: str):
    taxonomy = db.session.scalar(select(Taxonomy).where(Taxonomy.uuid == id.lower())) if _is_uuid(id) else None
    if taxonomy is None:
        abort(404)
    return jsonify(taxonomy_json(taxonomy))


@bp.get("/taxonomy_terms")
def taxonomy_terms():
    page, per_page = _paging()
    total = db.session.scalar(select(func.count(TaxonomyTerm.id)))
    rows = db.session.scalars(select(TaxonomyTerm).options(selectinload(TaxonomyTerm.taxonomy))
                              .order_by(TaxonomyTerm.id).limit(per_page).offset((page - 1) * per_page))
    return jsonify(_page_json([term_json(t) for t in rows], total, page, per_page))


@bp.get("/taxonomy_terms/<id>")
def taxonomy_term_by_id(id: str):
    term = db.session.scalar(select(TaxonomyTerm).where(TaxonomyTerm.uuid == id.lower())) if _is_uuid(id) else None
    if term is None:
        abort(404)
    return jsonify(term_json(term))


# --- import ----------------------------------------------------------------------------------------

@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # kept as drafts: a moderator checks the description first
    changed: list[str] = field(default_factory=list)  # imported, with a value Village keeps differently

    def lines(self) -> list[str]:
        return [*self.invalid, *self.held, *self.changed,
                f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
                f"{len(self.invalid)} not imported."]


class Invalid(Exception):
    pass


def records_of(feed) -> list:
    """The service records in an ORUK feed: a page ({"contents": [...]}) or a list of services, of
    service-at-locations or of organisations with their services, or one of any of these. A
    service-at-location becomes its service at that location."""
    if isinstance(feed, list):
        return [record for item in feed for record in (records_of(item) if isinstance(item, dict) else [item])]
    if isinstance(feed, dict):
        if isinstance(feed.get("contents"), list):
            return records_of(feed["contents"])
        if isinstance(feed.get("services"), list):
            org = {k: v for k, v in feed.items() if k != "services"}
            return [dict(s, organization=s.get("organization") or org) if isinstance(s, dict) else s
                    for s in feed["services"]]
        if isinstance(feed.get("service"), dict) and "name" not in feed:
            location = feed.get("location")
            return [dict(feed["service"], service_at_locations=[{"id": feed.get("id"), "location": location}]
                         if isinstance(location, dict) else feed["service"].get("service_at_locations") or [])]
        return [feed]
    return []


def _not_a_service(record) -> str | None:
    """Why a record of another ORUK kind cannot be imported as a service, or None."""
    if not isinstance(record, dict) or "status" in record:
        return None
    if "term" in record or "term_uri" in record:
        return "it is a taxonomy term, not a service; Village keeps its own kinds of group."
    if "taxonomy_terms" in record or "version" in record:
        return "it is a taxonomy, not a service; Village keeps its own kinds of group."
    if {"website", "logo", "parent_organization_id"} & record.keys():
        return "it is an organisation without its services; import its services, or the organisation with its services."
    return None


def import_feed(feed) -> ImportReport:
    """Import services; each record is kept or refused on its own, with the reason."""
    report = ImportReport()
    service.ensure_taxonomy()
    db.session.commit()
    for number, record in enumerate(records_of(feed), start=1):
        label = f"record {number}"
        if isinstance(record, dict):
            label += f" ({record.get('id', 'no id')}, {str(record.get('name', 'no name'))[:60]!r})"
        try:
            not_a_service = _not_a_service(record)
            if not_a_service:
                raise Invalid(not_a_service)
            outcome = _import_one(record)
        except Invalid as error:
            db.session.rollback()
            report.invalid.append(f"{label}: {error}")
            continue
        except service.GroupInvalid as error:
            db.session.rollback()
            report.invalid.append(f"{label}: " + "; ".join(error.errors.values()))
            continue
        except IntegrityError:
            db.session.rollback()
            report.invalid.append(f"{label}: an id in it (of a schedule, location or term) is already used by "
                                  "another service.")
            continue
        outcome, held, changes = outcome
        report.changed += [f"{label}: {change}" for change in changes]
        setattr(report, outcome, getattr(report, outcome) + 1)
        if held:
            report.held.append(f"{label}: {outcome} as a draft, because a moderator needs to check its "
                               "description before it is published.")
    return report


def _text(record: dict, key: str, *, required: bool = False, limit: int = 4000) -> str:
    value = record.get(key)
    if value is None or value == "":
        if required:
            raise Invalid(f"{key} is missing.")
        return ""
    if not isinstance(value, str):
        raise Invalid(f"{key} must be text.")
    return value.strip()[:limit]


def _age(record: dict, key: str):
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise Invalid(f"{key} must be a number of years, 0 or more.")
    return value


def _venue_for(record: dict) -> Venue | None:
    for sal in record.get("service_at_locations") or []:
        location = (sal or {}).get("location") if isinstance(sal, dict) else None
        if not isinstance(location, dict):
            continue
        name = _text(location, "name", required=True, limit=160)
        lat, lon = location.get("latitude"), location.get("longitude")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon)):
            raise Invalid(f"location {name!r} has no latitude and longitude.")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise Invalid(f"location {name!r} has a latitude of {lat} and a longitude of {lon}, which are not on Earth.")
        address = next((a for a in location.get("addresses") or [] if isinstance(a, dict)), {})
        postcode = postcodes.normalise(str(address.get("postal_code", ""))) or str(address.get("postal_code", ""))[:10]
        venue = db.session.scalar(select(Venue).where(Venue.name == name))
        if venue is None:
            venue = Venue(name=name, kind=VenueKind.DELIVERY_SITE.value, area=_nearest_area(lat, lon),
                          address=", ".join(str(address.get(k)) for k in ("address_1", "city") if address.get(k))[:300] or name,
                          postcode=postcode, latitude=lat, longitude=lon)
            db.session.add(venue)
            db.session.flush()
        return venue
    return None


def _nearest_area(lat: float, lon: float) -> Area:
    venues = list(db.session.execute(select(Venue.area_id, Venue.latitude, Venue.longitude)))
    if venues:
        area_id = min(venues, key=lambda v: postcodes.miles_between((lat, lon), (v[1], v[2])))[0]
        return db.session.get(Area, area_id)
    county = db.session.scalar(select(Area).where(Area.kind == AreaKind.COUNTY.value).limit(1))
    if county is None:
        raise Invalid("there are no areas to put it in yet (load the areas first).")
    return county


def _category(record: dict) -> str | None:
    for attribute in record.get("attributes") or []:
        term = attribute.get("taxonomy_term") if isinstance(attribute, dict) else None
        if not isinstance(term, dict) or not _is_uuid(str(term.get("id", "")).lower()):
            continue
        found = db.session.scalar(select(TaxonomyTerm).where(TaxonomyTerm.uuid == term["id"].lower()))
        if found is None:
            found = TaxonomyTerm(uuid=term["id"].lower(), name=_text(term, "name", required=True, limit=200),
                                 description=_text(term, "description"), code=_text(term, "term", limit=120))
            db.session.add(found)
            db.session.flush()
        return found.uuid
    return None


def _schedules(record: dict) -> list[dict]:
    found = []
    for number, item in enumerate(record.get("schedules") or [], start=1):
        if not isinstance(item, dict):
            raise Invalid(f"schedule {number} is not an object.")
        try:
            first = date.fromisoformat(str(item.get("dtstart") or item.get("valid_from")))
            opens = time.fromisoformat(str(item.get("opens_at"))[:8])
            closes = time.fromisoformat(str(item.get("closes_at"))[:8])
            until = date.fromisoformat(item["valid_to"]) if item.get("valid_to") else None
        except ValueError:
            raise Invalid(f"schedule {number} needs a dtstart date and opens_at and closes_at times.") from None
        freq = item.get("freq")
        parts = []
        if freq:
            if freq not in ("WEEKLY", "MONTHLY"):
                raise Invalid(f"schedule {number}: freq must be WEEKLY or MONTHLY.")
            parts.append(f"FREQ={freq}")
            interval = item.get("interval") or 1
            if not isinstance(interval, (int, float)) or interval != int(interval) or not 1 <= interval <= 12:
                raise Invalid(f"schedule {number}: interval must be a whole number from 1 to 12.")
            if int(interval) != 1:
                parts.append(f"INTERVAL={int(interval)}")
            if item.get("byday"):
                if not re.fullmatch(r"(-?[1-5]?(MO|TU|WE|TH|FR|SA|SU))(,-?[1-5]?(MO|TU|WE|TH|FR|SA|SU))*", str(item["byday"])):
                    raise Invalid(f"schedule {number}: byday {item['byday']!r} is not a list of days like MO,TH.")
                parts.append(f"BYDAY={item['byday']}")
            if item.get("bymonthday"):
                if not re.fullmatch(r"-?\d{1,2}(,-?\d{1,2})*", str(item["bymonthday"])):
                    raise Invalid(f"schedule {number}: bymonthday must be days of the month like 1,15.")
                parts.append(f"BYMONTHDAY={item['bymonthday']}")
        rule = ";".join(parts)
        duration = int((datetime.combine(first, closes) - datetime.combine(first, opens)).total_seconds() // 60)
        try:
            check(Rule(rule, datetime.combine(first, opens), duration, until))
        except ScheduleError as error:
            raise Invalid(f"schedule {number}: {error.message}") from None
        uuid_value = str(item.get("id", "")).lower()
        found.append(dict(rrule=rule, start_date=first, start_time=opens, end_time=closes, until=until,
                          schedule_uuid=uuid_value if _is_uuid(uuid_value) else None))
    return found


def _fields(record: dict) -> tuple[service.GroupFields, str, list[dict], list[str]]:
    if not isinstance(record, dict):
        raise Invalid("it is not an object.")
    uuid_value = str(record.get("id", "")).lower()
    if not _is_uuid(uuid_value):
        raise Invalid("id is missing or is not a UUID.")
    name = _text(record, "name", required=True, limit=150)
    status = record.get("status")
    states = {"active": GroupState.PUBLISHED.value, "temporarily closed": GroupState.PAUSED.value,
              "inactive": GroupState.CANCELLED.value, "defunct": GroupState.CANCELLED.value}
    if status not in states:
        raise Invalid("status must be active, inactive, defunct or temporarily closed.")
    org = record.get("organization")
    if not isinstance(org, dict) or not _text(org, "name"):
        raise Invalid("it has no organization with a name.")
    lo, hi = _age(record, "minimum_age"), _age(record, "maximum_age")
    if lo is not None and lo > 25:
        raise Invalid(f"minimum_age {lo} is over 25: Village lists services for families and young people.")
    venue = _venue_for(record)
    costs = [c for c in record.get("cost_options") or [] if isinstance(c, dict) and isinstance(c.get("amount"), (int, float))]
    pence = int(round(costs[0]["amount"] * 100)) if costs else 0
    languages = [str(lang.get("code", "")).lower() for lang in record.get("languages") or [] if isinstance(lang, dict)]
    languages = [code for code in languages if code in service.LANGUAGES] or ["en"]
    access = " ".join(str(a.get("description", "")) + " " + str(a.get("details", ""))
                      for sal in record.get("service_at_locations") or [] if isinstance(sal, dict)
                      for a in ((sal.get("location") or {}).get("accessibility") or []) if isinstance(a, dict)).lower()
    schedules = _schedules(record)
    fields = service.GroupFields(
        name=name, description=_text(record, "description") or name, organisation=_text(org, "name", limit=200),
        category=_category(record), audience="families",
        min_age_months=int(lo * 12) if lo is not None else service.MIN_AGE_MONTHS,
        max_age_months=min(service.MAX_AGE_MONTHS, int(hi * 12) + 11) if hi is not None else service.MAX_AGE_MONTHS,
        delivery=["in_person"] if venue else ["online"], venue_id=venue.id if venue else None,
        area_id=venue.area_id if venue else _county_id(),
        cost_pence=pence, cost_description=_text(record, "fees", limit=200), languages=languages,
        step_free="wheelchair" in access or "step-free" in access or "level access" in access,
        hearing_loop="loop" in access, email=_text(record, "email", limit=254), url=_text(record, "url", limit=300))
    changes = [f"maximum_age {hi:g} is kept as 25: Village lists services up to the age of 25."] \
        if hi is not None and hi > 25 else []
    return fields, states[status], schedules, changes


def _county_id() -> int:
    county = db.session.scalar(select(Area.id).where(Area.kind == AreaKind.COUNTY.value).limit(1))
    if county is None:
        raise Invalid("there are no areas to put it in yet (load the areas first).")
    return county


def _schedule_key(s) -> tuple:
    if isinstance(s, dict):
        return (s["rrule"], datetime.combine(s["start_date"], s["start_time"]), s["end_time"], s["until"])
    end = (datetime.combine(date.min, s.starts_local.time()) + timedelta(minutes=s.duration_minutes)).time()
    return (s.rrule, s.starts_local, end, s.until)


def _import_one(record) -> tuple[str, bool, list[str]]:
    """Create or update one service. Returns ("created" | "updated" | "unchanged", held for a moderator,
    the values kept differently from the feed's)."""
    fields, state, schedules, changes = _fields(record)
    uuid_value = record["id"].lower()
    org_uuid = str(record["organization"].get("id", "")).lower()
    group = db.session.scalar(select(Group).where(Group.uuid == uuid_value))
    ids = [s["schedule_uuid"] for s in schedules if s.get("schedule_uuid")]
    if ids and db.session.scalar(select(Schedule.id).join(Group, Group.id == Schedule.group_id).where(
            Schedule.uuid.in_(ids), Group.uuid != uuid_value).limit(1)) is not None:
        raise Invalid("a schedule id in it is already used by another service.")
    if group is None:
        group = service.create_group(None, fields, group_uuid=uuid_value)
        outcome = "created"
    else:
        current = service.fields_of(group)
        current.category = group.category.uuid if group.category else None
        current.description = service.pending_description(group) or current.description  # waiting counts as given
        held = group.description_source == "held"  # waiting for a moderator: stays a draft until approved
        same = (current == fields and group.state == (GroupState.DRAFT.value if held else state)
                and sorted(map(_schedule_key, group.schedules)) == sorted(map(_schedule_key, schedules)))
        if same:
            db.session.rollback()  # the venue, term or organisation looked up above already existed
            return "unchanged", False, []
        service.update_group(None, group, fields)
        for old in list(group.schedules):
            if _schedule_key(old) not in {_schedule_key(s) for s in schedules}:
                service.remove_schedule(None, group, old)
        outcome = "updated"
    if _is_uuid(org_uuid) and group.organisation.uuid != org_uuid and db.session.scalar(
            select(Organisation.id).where(Organisation.uuid == org_uuid)) is None:
        group.organisation.uuid = org_uuid
    have = {_schedule_key(s) for s in group.schedules}
    for item in schedules:
        if _schedule_key(item) not in have:
            service.add_schedule(None, group, **item, from_a_feed=True)
    held = group.description_source == "held"
    # A held description waits in the moderators' queue; approving it lets an organiser publish the group.
    group.state = GroupState.DRAFT.value if held else state
    db.session.commit()
    service.materialise(group)
    service._sync_board(group)
    return outcome, held, changes


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_command(path: str) -> None:
    """Import the services in an Open Referral UK JSON feed (a page, a list, an organisation or one service)."""
    try:
        with open(path, encoding="utf-8") as handle:
            feed = json.load(handle)
    except (OSError, ValueError) as error:
        raise click.ClickException(f"{path} is not a JSON file we can read: {error}")
    report = import_feed(feed)
    for line in report.lines():
        click.echo(line)
    if report.invalid:
        raise SystemExit(1)
