"""The group directory in a real browser, and Schemathesis against the served Open Referral UK API.

A parent finds a free Saturday stay and play for a two-year-old within five miles of a postcode, books
it, and finds it in their calendar feed; a second parent goes on the waiting list of the full session
and is given the place (and told) when the first cancels. axe checks every page on the way.
"""
from __future__ import annotations

import json
from datetime import time

from hypothesis import HealthCheck, given, settings

from community.models import Role
from tests.groups.factory import make_group, make_place
from tests.groups.oruk_files import oruk_dir


def test_a_parent_finds_books_and_a_waiting_list_promotes(app, page, new_page, make_user):
    near = make_place()
    far = make_place("Kettering Fen", "WD4 1AA", 52.80, -0.95)
    make_group(near, name="Saturday Stay and Play", capacity=1)
    make_group(near, name="Saturday Messy Play", cost_pence=300)
    make_group(near, name="Sunday Stay and Play", weekday=6)
    make_group(far, name="Saturday Stay and Play in the Fens")
    make_group(near, name="Saturday Youth Club", category="youth", ages=(132, 215), audience="young_people",
               start=time(14), end=time(16))
    first, second = make_user(Role.PARENT_CARER, username="first_parent"), make_user(Role.PARENT_CARER, username="second_parent")

    page.sign_in(first.username)
    p = page.page
    page.goto("/groups/")
    p.fill("#postcode", "WD1 7LA")
    p.select_option("#miles", "5")
    p.select_option("#age", "2")
    p.select_option("#day", "saturday")
    p.check("#free")
    with p.expect_navigation():
        p.click("button:has-text('Search')")
    page.axe()
    results = p.locator(".village-results h3").all_inner_texts()
    assert results == ["Saturday Stay and Play"], results
    with p.expect_navigation():
        p.click("text=Saturday Stay and Play")
    page.axe()
    with p.expect_navigation():
        p.locator("table button:has-text('Book')").first.click()
    page.axe()
    assert "You are booked in" in p.content()
    page.goto("/groups/mine")
    feed = p.locator("#calendar-feed").get_attribute("href")
    calendar = p.request.get(feed).text()
    assert "SUMMARY:Saturday Stay and Play" in calendar and "TZID=Europe/London" in calendar

    other = new_page()
    other.sign_in(second.username)
    q = other.page
    other.goto("/groups/?q=Saturday+Stay+and+Play&postcode=WD1+1AA")
    with q.expect_navigation():
        q.click("text=Saturday Stay and Play >> nth=0")
    with q.expect_navigation():
        q.locator("table button:has-text('Join the waiting list')").first.click()
    other.axe()
    assert "number 1 on the waiting list" in q.content()
    other.goto("/groups/mine")
    second_feed = q.locator("#calendar-feed").get_attribute("href")
    assert "Saturday Stay and Play" not in q.request.get(second_feed).text()  # a waiting place is not in it

    page.goto("/groups/mine")
    with p.expect_navigation():
        p.click("text=Saturday Stay and Play")
    with p.expect_navigation():
        p.locator("table button:has-text('Cancel')").first.click()
    page.axe()

    other.goto("/boards/notifications")
    assert "A place came free: you are now booked for Saturday Stay and Play" in q.content()
    with q.expect_navigation():
        q.click("text=A place came free")
    other.axe()
    assert q.locator("table .govuk-tag--green:has-text('Booked')").count() == 1
    assert "SUMMARY:Saturday Stay and Play" in q.request.get(second_feed).text()
    other.goto("/groups/mine")
    with q.expect_navigation():
        q.click("text=tell us a little about your family")
    q.check("label:has-text('Dads and male carers')")
    with q.expect_navigation():
        q.click("button:has-text('Save')")
    other.axe()
    assert "What you told us is saved" in q.content()

    organiser = new_page()
    organiser.sign_in(make_user(Role.ORGANISER, username="report_reader").username)
    organiser.goto("/groups/report")  # axe
    assert organiser.page.title() == "Reach and engagement – Village"
    assert organiser.page.locator("th:has-text('Dads and male carers')").count() == 1
    # One dad is booked: a count under five is not shown as a number.
    assert "fewer than 5" in organiser.page.locator("tfoot").inner_text()


def test_schemathesis_against_the_served_oruk_api(app, live_server):
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

    venue = make_place()
    make_group(venue, capacity=4)
    make_group(venue, name="Youth Club", category="youth", ages=(132, 215), audience="young_people", weekday=4,
               start=time(18), end=time(20))
    schema = schemathesis.openapi.from_path(str(oruk_dir() / "schema" / "openapi.local.json"))
    base = live_server + "/api/oruk"
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance]
    seen = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=6, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call(base_url=base, timeout=30)
            seen.append((operation.label, response.status_code))
            # 200 answers are checked against the schema; 400 and 404 are the documented-elsewhere refusals.
            if response.status_code == 200:
                case.validate_response(response, checks=checks)
            else:
                assert response.status_code in (400, 404), (case.formatted_path, case.query, response.text[:300])
                case.validate_response(response, checks=[not_a_server_error])
                assert "error" in json.loads(response.text)

        run()
    assert len({label for label, _ in seen}) == 9 and any(status == 200 for _, status in seen)  # every path of the description
