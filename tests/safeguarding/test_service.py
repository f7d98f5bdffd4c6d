"""Cases open from escalations (one per source), are routed by the rota, re-escalate at their time limits
(frozen clock, across a weekend and a bank holiday) and keep a chronology."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from community import clock
from community.extensions import db
from community.forums import service as forums
from community.models import Role
from community.models.safeguarding import (CaseDeadline, CaseEntry, CaseState, CaseView, OutboxMessage,
                                           SafeguardingCase)
from community.safeguarding import service
from community.safeguarding.outbox import work_once
from tests.instants import INSTANT_IDS, INSTANTS, LONDON


def _chronology(case) -> list[str]:
    return list(db.session.scalars(select(CaseEntry.text).where(CaseEntry.case_id == case.id).order_by(CaseEntry.id)))


def _recipients(case, step: int, channel: str = "email") -> set[str]:
    from community.models import User

    return set(db.session.scalars(select(User.username).join(OutboxMessage, OutboxMessage.recipient_id == User.id)
                                  .where(OutboxMessage.case_id == case.id, OutboxMessage.channel == channel,
                                         OutboxMessage.idempotency_key.like(f"case:%:step:{step}:%"))))


def test_an_escalated_post_opens_one_case_routed_to_the_areas_lead(app, rota, escalate, areas, make_user):
    result = escalate("The words as first written.")
    assert result.show_helplines and result.state == "held"
    case = db.session.scalar(select(SafeguardingCase))
    assert case.source_kind == "post" and case.source_id == str(result.post.id)
    assert case.severity == "urgent" and case.age_band == "young_person" and case.audience == "young_people"
    assert case.area_id == areas["district"].id and case.assigned_lead.username == "lead_h"
    assert case.deadline_at == case.opened_at + timedelta(minutes=15)
    assert _recipients(case, 0) == _recipients(case, 0, "live") == {"lead_h"}
    # The same post escalated again (a report note, a moderator): the same case, no new notifications.
    moderator = make_user(Role.MODERATOR)
    service.on_escalated(app, item=result.review_item, post=result.post, verdict=None, by=moderator)
    db.session.commit()
    assert db.session.scalar(select(func.count(SafeguardingCase.id))) == 1
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2
    assert "Escalated again from a moderator's escalation" in _chronology(case)[-1]
    # The snapshot keeps the words after the author changes them.
    forums.edit_post(result.post.author, result.post, "Something else entirely, nothing to see.")
    db.session.refresh(case)
    assert "The words as first written." in case.snapshot


def test_routing_falls_back_to_the_county_duty_lead_then_admins(app, rota, areas, escalate):
    db.session.execute(db.delete(service.RotaEntry).where(service.RotaEntry.role == "lead"))
    db.session.commit()
    escalate()
    case = db.session.scalar(select(SafeguardingCase))
    assert _recipients(case, 0) == {"duty"}
    db.session.execute(db.delete(service.RotaEntry))
    db.session.commit()
    assert {u.username for u in service.recipients(case, 0, clock.utcnow())} == {"admin_a"}


def test_an_allegation_never_reaches_the_person_or_the_areas_team(app, rota, areas, make_user):
    accused = rota["lead_h"]
    result = service.report_worry(None, kind="staff", what="A lead said something that worried me.",
                                  danger_now=False, username=accused.username, area_id=areas["district"].id)
    case = result.case
    assert case.pathway == "allegation" and case.admins_only and case.concerns_user_id == accused.id
    assert _recipients(case, 0) == {"admin_a"}
    assert not service.may_open(accused, case) and not service.may_open(rota["duty"], case)
    assert service.may_open(rota["admin"], case)
    assert service.open_cases(rota["duty"], 1).total == 0
    # About a mentor: the county duty lead (not Hartwell's team), never the mentor; high at least.
    mentor = make_user(Role.MENTOR, username="mentor_m")
    result = service.report_worry(None, kind="staff", what="The mentor asked for my number.", danger_now=False,
                                  username="mentor_m", area_id=areas["district"].id)
    assert result.case.concerns_user_id == mentor.id and not result.case.admins_only
    assert _recipients(result.case, 0) == {"duty"} and result.case.severity == "high"


def test_the_worry_form_is_one_case_per_submission_and_urgent_when_someone_is_in_danger(app, rota, areas):
    first = service.report_worry(None, kind="young_person", what="My friend has not been home for days.",
                                 danger_now=True, who="my friend", area_id=areas["district"].id, token="abc123")
    again = service.report_worry(None, kind="young_person", what="My friend has not been home for days.",
                                 danger_now=True, who="my friend", area_id=areas["district"].id, token="abc123")
    assert first.case.id == again.case.id and first.case.severity == "urgent"
    assert _recipients(first.case, 0) == {"lead_h"}
    with pytest.raises(service.SafeguardingError):
        service.report_worry(None, kind="mentee", what="My mentee seems scared.", danger_now=False)


def _freeze_london(*args) -> None:
    clock.freeze(datetime(*args, tzinfo=LONDON))


def test_re_escalation_at_each_deadline_across_a_weekend_and_a_bank_holiday(app, rota, escalate):
    # Friday 28 August 2026, 4pm: the next working day is Tuesday (Monday 31 August is a bank holiday).
    _freeze_london(2026, 8, 28, 16, 0)
    escalate(severity="standard")
    case = db.session.scalar(select(SafeguardingCase))
    first = datetime(2026, 9, 1, 17, 0, tzinfo=LONDON).astimezone(UTC).replace(tzinfo=None)
    second = datetime(2026, 9, 2, 17, 0, tzinfo=LONDON).astimezone(UTC).replace(tzinfo=None)
    assert case.deadline_at == first
    clock.freeze(first - timedelta(seconds=1))
    assert work_once() == (0, 2)  # the lead's email and alert; no deadline yet
    clock.freeze(first)
    assert work_once()[0] == 1
    db.session.refresh(case)
    assert case.escalation_step == 1 and _recipients(case, 1) == {"deputy_h"}
    assert "Not acknowledged by 1 September 2026 at 5:00pm: re-escalated to the deputy." in _chronology(case)
    clock.freeze(second - timedelta(seconds=1))
    assert work_once()[0] == 0
    clock.freeze(second)
    assert work_once()[0] == 1
    db.session.refresh(case)
    assert case.escalation_step == 2 and _recipients(case, 2) == {"duty", "admin_a"}
    clock.advance(timedelta(days=30))
    assert work_once() == (0, 0)  # the last step has run, and every notification went once
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.sent_at.is_(None))) == 0
    assert service.is_breached(case)


def test_acknowledging_stops_the_re_escalation(app, rota, escalate):
    _freeze_london(2027, 3, 5, 9, 0)
    escalate(severity="urgent")
    case = db.session.scalar(select(SafeguardingCase))
    clock.advance(timedelta(minutes=10))
    assert service.acknowledge(rota["lead_h"], case)
    clock.advance(timedelta(hours=2))
    work_once()
    db.session.refresh(case)
    assert case.state == CaseState.ACKNOWLEDGED.value and case.escalation_step == 0 and not _recipients(case, 1)
    assert db.session.scalar(select(CaseDeadline.result)) == "not_needed"


# The time limits at every instant in tests/instants.py: urgent and high are minutes; standard is 5pm UK
# time on the next working day (Easter Monday 29 March 2027 and the New Year substitute day, 3 January
# 2028, are bank holidays in England).
STANDARD_DUE = {
    "31-jan": datetime(2027, 2, 1, 17, 0, tzinfo=UTC),
    "28-feb-leap": datetime(2028, 2, 29, 17, 0, tzinfo=UTC),
    "29-feb-leap": datetime(2028, 3, 1, 17, 0, tzinfo=UTC),
    "1-mar": datetime(2027, 3, 2, 17, 0, tzinfo=UTC),
    "spring-0030": datetime(2027, 3, 30, 16, 0, tzinfo=UTC),
    "spring-change": datetime(2027, 3, 30, 16, 0, tzinfo=UTC),
    "spring-0230": datetime(2027, 3, 30, 16, 0, tzinfo=UTC),
    "autumn-0030": datetime(2027, 11, 1, 17, 0, tzinfo=UTC),
    "autumn-0130-bst": datetime(2027, 11, 1, 17, 0, tzinfo=UTC),
    "autumn-0130-gmt": datetime(2027, 11, 1, 17, 0, tzinfo=UTC),
    "autumn-0230": datetime(2027, 11, 1, 17, 0, tzinfo=UTC),
    "31-dec-2330-utc": datetime(2028, 1, 4, 17, 0, tzinfo=UTC),
}


@pytest.mark.parametrize("name", INSTANT_IDS)
def test_time_limits_at_each_instant(app, name):
    clock.freeze(INSTANTS[name])
    now = clock.utcnow()
    naive = lambda moment: moment.astimezone(UTC).replace(tzinfo=None)  # noqa: E731
    assert service.deadline_for("urgent", now) == naive(INSTANTS[name]) + timedelta(minutes=15)
    assert service.deadline_for("high", now) == naive(INSTANTS[name]) + timedelta(hours=1)
    assert service.deadline_for("standard", now) == naive(STANDARD_DUE[name])


def test_case_file_views_are_recorded_and_moderators_cannot_open_it(app, rota, escalate, make_user):
    escalate()
    case = db.session.scalar(select(SafeguardingCase))
    with pytest.raises(service.SafeguardingError) as refused:
        service.case_for(make_user(Role.MODERATOR), case.id)
    assert refused.value.status == 404
    service.case_for(rota["lead_h"], case.id)
    service.case_for(rota["admin"], case.id, "print")
    assert [(v.user_id, v.page) for v in db.session.scalars(select(CaseView).order_by(CaseView.id))] == [
        (rota["lead_h"].id, "file"), (rota["admin"].id, "print")]
    entry = db.session.scalar(select(CaseEntry))
    entry.text = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_actions_sharing_close_and_reopen_are_in_the_chronology(app, rota, escalate):
    escalate()
    case = db.session.scalar(select(SafeguardingCase))
    lead = rota["lead_h"]
    with pytest.raises(service.SafeguardingError, match="reference"):
        service.record_action(lead, case, "social_care", "Risk to life; parent not protective.")
    db.session.rollback()
    service.record_action(lead, case, "social_care", "Risk to life; parent not protective.", "MASH-2027-0042")
    service.record_sharing(lead, case, what="The post and the username.", with_whom="MASH duty social worker",
                           lawful_basis="public_task", consent_sought=False,
                           consent_note="Asking would have put the young person at greater risk.")
    service.close_case(lead, case, reason="referred_on", outcome="Handed to MASH, who will visit today.")
    service.reopen_case(lead, case, "MASH asked us to keep watching the boards.")
    text = "\n".join(_chronology(case))
    for words in ("Acknowledged by lead_h", "(reference MASH-2027-0042)", "Shared with MASH duty social worker",
                  "consent not sought", "Closed: Referred on", "Re-opened by lead_h"):
        assert words in text
    assert case.state == CaseState.ACKNOWLEDGED.value and case.reopened_count == 1


def test_the_lead_messages_the_person_and_their_screened_reply_goes_only_to_the_case(app, rota, escalate, verdict):
    result = escalate()
    case = db.session.scalar(select(SafeguardingCase))
    person = result.post.author
    assert service.conversations(person) == []  # nothing until a lead writes
    verdict("publish")
    service.send_message(rota["lead_h"], case, "Hi, I read your post. Are you safe right now?")
    verdict("escalate", severity="urgent", categories=["self_harm_suicide"])
    service.reply_from_person(person, case.id, "Not really.")
    [(seen_case, messages)] = service.conversations(person)
    assert seen_case.id == case.id and [m.from_lead for m in messages] == [True, False]
    assert messages[1].screening["action"] == "escalate"
    assert "Screening read the reply as a risk (urgent)." in _chronology(case)
    stranger = db.session.get(service.User, rota["duty"].id)
    with pytest.raises(service.SafeguardingError):
        service.reply_from_person(stranger, case.id, "Let me in.")
