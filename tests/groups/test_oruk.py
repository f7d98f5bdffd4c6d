"""Open Referral UK: every answer validates against the published schemas; bad parameters get 400 and
unknown ids 404; the import keeps valid records, reports each invalid one with its reason, and changes
nothing the second time. (Schemathesis runs against the served API in tests/e2e/test_groups_e2e.py.)"""
from __future__ import annotations

import copy
import json
from datetime import time

from sqlalchemy import func, select

from community.extensions import db
from community.groups import oruk
from community.models import Group, GroupSession, Organisation, ReviewItem, Schedule, TaxonomyTerm, Venue
from tests.groups.factory import make_group, make_place
from tests.groups.oruk_files import example, page_validator, validator


def _errors(v, instance) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(instance)]


def test_every_answer_matches_the_published_schemas(app, client):
    venue = make_place()
    group = make_group(venue, capacity=8, languages=["en", "pl"], step_free=True, hearing_loop=True)
    make_group(venue, name="Monthly Dads", rule="FREQ=MONTHLY;BYDAY=1SA")
    online = make_group(venue, name="Online Triple P", category="parenting-programme", weekday=1, start=time(19),
                        end=time(20, 30), ages=(24, 143), publish=False)
    online.venue_id = None
    online.delivery = ",online,"
    db.session.commit()
    make_group(venue, name="Draft never shown", publish=False)
    page, service_list = page_validator(), validator("compiled/service_list.json")
    listing = client.get("/api/oruk/services?per_page=2").get_json()
    assert _errors(page, listing) == [] and listing["total_items"] == 2 and listing["size"] == 2
    assert all(_errors(service_list, item) == [] for item in listing["contents"])
    assert "Draft never shown" not in json.dumps(listing)
    full = client.get(f"/api/oruk/services/{group.uuid}").get_json()
    assert _errors(validator("compiled/service.json"), full) == []
    assert full["schedules"][0]["freq"] == "WEEKLY" and full["schedules"][0]["byday"] == "SA"
    assert {lang["code"] for lang in full["languages"]} == {"en", "pl"}
    sal_list = client.get("/api/oruk/service_at_locations?postcode=WD1%201AA&proximity=2000").get_json()
    assert _errors(page, sal_list) == [] and sal_list["total_items"] == 2
    assert all(_errors(validator("compiled/service_at_location_list.json"), item) == [] for item in sal_list["contents"])
    sal = client.get(f"/api/oruk/service_at_locations/{group.sal_uuid}").get_json()
    # The OpenAPI description types this answer as a service; the profile's schema says service_at_location.
    assert _errors(validator("compiled/service.json"), sal) == []
    assert _errors(validator("compiled/service_at_location.json"), sal) == []
    terms = client.get("/api/oruk/taxonomy_terms?per_page=100").get_json()
    assert _errors(page, terms) == [] and terms["total_items"] == 10
    assert all(_errors(validator("taxonomy_term.json"), t) == [] for t in terms["contents"])
    taxonomies = client.get("/api/oruk/taxonomies").get_json()
    assert all(_errors(validator("taxonomy.json"), t) == [] for t in taxonomies["contents"])
    one_term = client.get(f"/api/oruk/taxonomy_terms/{group.category.uuid}").get_json()
    assert one_term["name"] == "Stay and play"
    meta = client.get("/api/oruk/").get_json()
    assert meta["version"] == "3.0"


def test_filters_bad_parameters_and_unknown_ids(app, client):
    venue = make_place()
    saturday = make_group(venue)
    tuesday = make_group(venue, name="Youth Club", category="youth", ages=(132, 215), audience="young_people",
                         weekday=1, start=time(18), end=time(20))

    def ids(query):
        return {item["id"] for item in client.get(f"/api/oruk/services?{query}").get_json()["contents"]}

    assert ids("day=SA") == {saturday.uuid} and ids("day=tuesday") == {tuesday.uuid}
    assert ids("start_time=17:00:00") == {tuesday.uuid} and ids("end_time=12:00") == {saturday.uuid}
    assert ids("minimum_age=11") == {tuesday.uuid} and ids("maximum_age=4") == {saturday.uuid}
    assert ids(f"taxonomy_term_id={tuesday.category.uuid}") == {tuesday.uuid}
    assert ids(f"taxonomy_id={tuesday.category.taxonomy.uuid}") == {saturday.uuid, tuesday.uuid}
    assert ids("search=youth") == {tuesday.uuid}
    assert client.get("/api/oruk/services?page=5").get_json()["contents"] == []
    for query in ("page=0", "page=abc", "per_page=1000", "minimum_age=old", "maximum_age=nan", "day=Funday",
                  "start_time=25:00", "postcode=ZZ99ZZ", "proximity=100", "taxonomy_id=not-a-uuid",
                  "postcode=WD1+1AA&proximity=far"):
        response = client.get(f"/api/oruk/services?{query}" if "postcode" not in query and "proximity" not in query
                              else f"/api/oruk/service_at_locations?{query}")
        assert response.status_code == 400 and response.is_json, query
    for path in ("services/not-a-uuid", f"services/{saturday.sal_uuid}", "service_at_locations/123",
                 f"service_at_locations/{saturday.uuid}", "taxonomies/x", "taxonomy_terms/00000000-0000-0000-0000-000000000000"):
        assert client.get(f"/api/oruk/{path}").status_code == 404, path


def _mended(service: dict, lat=52.985, lon=-1.515) -> dict:
    """The example with a location on Earth and a schedule that is still running."""
    service = copy.deepcopy(service)
    for sal in service.get("service_at_locations", []):
        sal["location"].update(latitude=lat, longitude=lon)
    for schedule in service.get("schedules", []):
        schedule.update(dtstart="2026-01-01", valid_from="2026-01-01", valid_to=None, bymonthday=None)
    return service


def _counts() -> dict:
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Group, Schedule, GroupSession, Venue, Organisation, TaxonomyTerm)}


def test_import_reports_each_invalid_record_keeps_the_valid_and_changes_nothing_twice(app):
    make_place()
    # The published examples place their location at latitude 100 and longitude 101: refused, with the reason.
    for name in ("service_full.json", "organization_full.json"):
        report = oruk.import_feed(example(name))
        assert report.created == 0 and len(report.invalid) == 1 and "not on Earth" in report.invalid[0], report.invalid
    # The list example has only one-to-one fields (no location): kept, as a service with no venue.
    listed = oruk.import_feed(example("service_list.json"))
    assert (listed.created, listed.invalid) == (1, [])
    assert db.session.scalar(select(Group.delivery)) == ",online,"

    full = example("service_full.json")
    broken = [{"name": "No id"}, dict(_mended(full), id="3c7d1a4e-0000-4000-8000-00000000000a", status="open"),
              dict(_mended(full), id="3c7d1a4e-0000-4000-8000-00000000000b", minimum_age=30),
              dict(_mended(full), id="3c7d1a4e-0000-4000-8000-00000000000c",
                   schedules=[dict(full["schedules"][0], byday="XX", dtstart="2026-01-01", valid_to=None)]), "text"]
    feed = {"contents": [_mended(full), *broken]}
    report = oruk.import_feed(feed)
    assert report.updated == 1 and len(report.invalid) == 5
    reasons = "\n".join(report.invalid)
    for words in ("id is missing", "status must be", "minimum_age 30", "byday 'XX'", "not an object"):
        assert words in reasons, words
    group = db.session.scalar(select(Group))
    # An import's description is screened like an organiser's.
    assert group.uuid == full["id"] and group.state == "published" and group.description_source == "screened"
    assert group.venue.name == "MyCity Civic Center" and group.hearing_loop and group.step_free
    assert group.category is not None and group.min_age_months == 144 and group.max_age_months == 311
    assert db.session.scalar(select(func.count(GroupSession.id))) > 0
    before = _counts()
    again = oruk.import_feed(feed)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1) and _counts() == before
    changed = _mended(full)
    changed["name"] = "Community Counselling (Tuesdays)"
    assert oruk.import_feed(changed).updated == 1
    db.session.refresh(group)
    assert group.name == "Community Counselling (Tuesdays)" and _counts() == before
    risky = dict(_mended(full), id="3c7d1a4e-0000-4000-8000-00000000000d", schedules=[],
                 description="Text me on 07700 900123, come alone and tell nobody.")
    # A record that reuses another's schedule id is refused on its own, with the reason.
    clash = oruk.import_feed(dict(_mended(full), id="3c7d1a4e-0000-4000-8000-00000000000e"))
    assert clash.created == 0 and "already used" in clash.invalid[0] and _counts() == before
    older = dict(_mended(full), id="3c7d1a4e-0000-4000-8000-00000000000f", schedules=[], maximum_age=100)
    assert "maximum_age 100 is kept as 25" in "\n".join(oruk.import_feed(older).lines())
    held = oruk.import_feed(risky)
    assert held.created == 1 and "a moderator needs to check its description" in "\n".join(held.lines())
    assert db.session.scalar(select(Group.state).where(Group.uuid == risky["id"])) == "draft"
    assert oruk.import_feed(risky).unchanged == 1  # again: no second item, nothing changed
    assert db.session.scalar(select(func.count(ReviewItem.id)).where(ReviewItem.content_kind == "group_description")) == 1


def test_cli_import_prints_one_line_per_invalid_record(app, tmp_path):
    make_place()
    path = tmp_path / "feed.json"
    path.write_text(json.dumps({"contents": [_mended(example("service_full.json")), {"id": "nope"}]}))
    result = app.test_cli_runner().invoke(args=["groups", "import", str(path)])
    assert result.exit_code == 1
    assert "record 2 (nope" in result.output and "1 created, 0 updated, 0 unchanged, 1 not imported." in result.output
    path.write_text("{not json")
    result = app.test_cli_runner().invoke(args=["groups", "import", str(path)])
    assert result.exit_code != 0 and "not a JSON file" in result.output


def test_service_at_location_and_organisation_examples_import_as_what_they_are(app):
    make_place()
    sal = copy.deepcopy(example("service_at_location_full.json"))
    sal["location"].update(latitude=52.985, longitude=-1.515)
    sal["service"] = _mended(sal["service"])
    report = oruk.import_feed({"contents": [sal]})
    assert (report.created, report.invalid) == (1, [])
    assert db.session.scalar(select(Group.name)) == sal["service"]["name"]
    assert db.session.scalar(select(Venue.name).where(Venue.name == sal["location"]["name"])) is not None
    organisations = oruk.import_feed(example("organization_list.json"))
    assert organisations.created == 0 and "it is an organisation without its services" in organisations.invalid[0]
    assert "it is a taxonomy term" in oruk.import_feed(example("taxonomy_term_list.json")).invalid[0]
    assert "it is a taxonomy," in oruk.import_feed(example("taxonomy.json")).invalid[0]
