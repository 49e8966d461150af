"""Sign-up, assignment, waitlist, withdrawal and swaps through the service layer."""
from __future__ import annotations

from datetime import time, timedelta

import pytest

from coordinator.database import begin_write
from coordinator.domain.eligibility import NeedsConfirmation
from coordinator.domain.errors import DomainError, Forbidden
from coordinator.extensions import db
from coordinator.models import Assignment, AuditEntry, OccurrenceRole, Person, Series
from coordinator.services.people import availability
from coordinator.services.shifts import lists, signups, swaps
from tests.support.scheduling import NOW, ZONE, account, patrol, roles_of


def _sign(account_id, role_id, now=NOW, **kw):
    begin_write(db.session)
    try:
        result = signups.sign_up(db.session, account(account_id), role_id, now, zone=ZONE, **kw)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return result


def _withdraw(account_id, assignment_id, now=NOW, **kw):
    begin_write(db.session)
    try:
        promoted = signups.withdraw(db.session, account(account_id), assignment_id, now, **kw)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return promoted


def test_signup_confirms_until_full_then_waitlists_in_order(world):
    role = roles_of(patrol(world, needed=2, maximum=2))[0]
    results = [_sign(a, role) for a in world["accounts"][:5]]
    assert [r.status for r in results] == ["confirmed"] * 2 + ["waitlisted"] * 3
    assert [r.position for r in results[2:]] == [1, 2, 3]
    assert db.session.get(OccurrenceRole, role).filled == 2
    with pytest.raises(DomainError, match="Already"):
        _sign(world["accounts"][0], role)


def test_withdraw_promotes_first_on_waitlist_and_flags_notice(world):
    role = roles_of(patrol(world, needed=1, maximum=1))[0]
    first, second, third = (_sign(a, role) for a in world["accounts"][:3])
    promoted = _withdraw(world["accounts"][0], first.assignment_id)
    assert promoted == [second.assignment_id]
    moved = db.session.get(Assignment, second.assignment_id)
    assert moved.status == "confirmed" and moved.needs_notice and moved.waitlist_position is None
    assert db.session.get(Assignment, third.assignment_id).status == "waitlisted"
    assert db.session.get(OccurrenceRole, role).filled == 1
    actions = db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert "assignment.withdraw" in actions and "assignment.promote" in actions


def test_withdrawal_inside_cutoff_asks_to_call_the_coordinator(world):
    role = roles_of(patrol(world))[0]
    signed = _sign(world["accounts"][0], role)
    late = NOW + timedelta(days=1, hours=3)  # the patrol starts tomorrow 19:30 local
    with pytest.raises(DomainError, match="call your coordinator"):
        _withdraw(world["accounts"][0], signed.assignment_id, late)  # no phone on record
    coordinator = Person(full_name="张书记", phone="13800000000",
                         community_id=world["community"])
    db.session.add(coordinator)
    db.session.flush()
    account(world["coordinator"]).person_id = coordinator.id
    db.session.commit()
    with pytest.raises(DomainError, match="call the coordinator") as err:
        _withdraw(world["accounts"][0], signed.assignment_id, late)
    assert err.value.params == {"name": "张书记", "phone": "13800000000"}
    _withdraw(world["coordinator"], signed.assignment_id, late)  # a coordinator still can
    assert db.session.get(Assignment, signed.assignment_id).status == "withdrawn"


def test_person_is_never_in_two_overlapping_occurrences(world):
    a = roles_of(patrol(world, title="甲"))[0]
    b = roles_of(patrol(world, title="乙", at=time(20, 0)))[0]
    back_to_back = roles_of(patrol(world, title="丙", at=time(21, 30)))[0]
    _sign(world["accounts"][0], a)
    with pytest.raises(DomainError, match="甲"):
        _sign(world["accounts"][0], b)
    assert _sign(world["accounts"][0], back_to_back).status == "confirmed"


def test_team_requirement_and_scope(world):
    role = roles_of(patrol(world))[0]
    begin_write(db.session)
    with pytest.raises(Forbidden):
        signups.sign_up(db.session, account(world["coordinator"]), role, NOW,
                        person_id=world["outsider"], zone=ZONE)
    db.session.rollback()
    result = _sign(world["coordinator"], role, person_id=world["people"][3])
    assert result.status == "confirmed"
    assert db.session.get(Assignment, result.assignment_id).assigned_by_id == world["coordinator"]


def test_availability_blocks_signup_and_coordinator_overrides_with_record(world):
    role = roles_of(patrol(world))[0]
    person_account = account(world["accounts"][1])
    begin_write(db.session)
    day = (NOW + timedelta(days=1, hours=8)).date()
    availability.add_weekly(db.session, person_account, day.weekday(), time(19), time(22), NOW)
    db.session.commit()
    with pytest.raises(DomainError, match="cannot do"):
        _sign(world["accounts"][1], role)
    with pytest.raises(NeedsConfirmation) as asked:  # a coordinator is asked, rule by rule
        _sign(world["coordinator"], role, person_id=world["people"][1])
    assert [p.code for p in asked.value.problems] == ["unavailable"]
    result = _sign(world["coordinator"], role, person_id=world["people"][1], override=True)
    assert result.overridden == ("unavailable",)
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "assignment.assign"))
    assert entry.details["overridden"] == ["unavailable"]


def test_date_range_away_and_weekly_limit(world):
    roles = roles_of(patrol(world))
    begin_write(db.session)
    me = account(world["accounts"][2])
    availability.set_weekly_limit(db.session, me, 1, NOW)
    first_day = (NOW + timedelta(days=3, hours=8)).date()
    availability.add_range(db.session, me, first_day, first_day, NOW)
    db.session.commit()
    _sign(world["accounts"][2], roles[0])
    with pytest.raises(DomainError, match="limit of 1"):
        _sign(world["accounts"][2], roles[1])
    with pytest.raises(DomainError, match="not available"):
        _sign(world["accounts"][2], roles[2])


def test_signup_window_opens_days_ahead(world):
    series_id = patrol(world, until_days=20)
    db.session.get(Series, series_id).signup_opens_days = 3
    db.session.commit()
    roles = roles_of(series_id)
    assert _sign(world["accounts"][0], roles[1]).status == "confirmed"
    with pytest.raises(DomainError, match="opens on"):
        _sign(world["accounts"][0], roles[10])
    # a coordinator assigning is not bound by the opening window
    assert _sign(world["coordinator"], roles[10], person_id=world["people"][0]).status == \
        "confirmed"


def test_swap_without_and_with_approval(world):
    series_id = patrol(world, needed=1, maximum=1)
    role = roles_of(series_id)[2]
    giver = _sign(world["accounts"][0], role)
    begin_write(db.session)
    offer = swaps.offer(db.session, account(world["accounts"][0]), giver.assignment_id, NOW)
    swaps.take(db.session, account(world["accounts"][1]), offer.id, NOW)
    db.session.commit()
    live = db.session.scalars(db.select(Assignment).where(
        Assignment.occurrence_role_id == role, Assignment.status == "confirmed")).all()
    assert [a.person_id for a in live] == [world["people"][1]]
    assert db.session.get(OccurrenceRole, role).filled == 1

    db.session.get(Series, series_id).requires_swap_approval = True
    db.session.commit()
    role2 = roles_of(series_id)[3]
    giver2 = _sign(world["accounts"][0], role2)
    begin_write(db.session)
    offer2 = swaps.offer(db.session, account(world["accounts"][0]), giver2.assignment_id, NOW)
    swaps.take(db.session, account(world["accounts"][1]), offer2.id, NOW)
    db.session.commit()
    assert offer2.status == "pending"
    assert db.session.get(Assignment, giver2.assignment_id).status == "confirmed"
    begin_write(db.session)
    swaps.approve(db.session, account(world["coordinator"]), offer2.id, True, NOW)
    db.session.commit()
    assert db.session.get(Assignment, giver2.assignment_id).status == "withdrawn"


def test_swap_offer_expires_at_cutoff(world):
    role = roles_of(patrol(world))[0]
    giver = _sign(world["accounts"][0], role)
    begin_write(db.session)
    offer = swaps.offer(db.session, account(world["accounts"][0]), giver.assignment_id, NOW)
    db.session.commit()
    late = offer.expires_at + timedelta(minutes=1)
    begin_write(db.session)
    with pytest.raises(DomainError, match="no longer open"):
        swaps.take(db.session, account(world["accounts"][1]), offer.id, late)
    db.session.rollback()
    # A refusal writes nothing (services/__init__.py); past expires_at it is closed anyway.
    assert offer.status == "open"
    assert lists.open_swaps_for(db.session, world["people"][1], world["community"], late) == []


def test_cannot_sign_up_for_past_or_cancelled(world):
    role = roles_of(patrol(world))[0]
    with pytest.raises(DomainError, match="already started"):
        _sign(world["accounts"][0], role, now=NOW + timedelta(days=3))


def test_withdrawn_shift_cannot_be_taken_through_an_old_offer(world):
    role = roles_of(patrol(world, needed=1, maximum=1))[1]
    giver = _sign(world["accounts"][0], role)
    begin_write(db.session)
    offer = swaps.offer(db.session, account(world["accounts"][0]), giver.assignment_id, NOW)
    db.session.commit()
    _withdraw(world["accounts"][0], giver.assignment_id)
    _sign(world["accounts"][2], role)
    begin_write(db.session)
    with pytest.raises(DomainError, match="no longer open"):
        swaps.take(db.session, account(world["accounts"][1]), offer.id, NOW)
    db.session.rollback()
    confirmed = db.session.scalars(db.select(Assignment).where(
        Assignment.occurrence_role_id == role, Assignment.status == "confirmed")).all()
    assert len(confirmed) == 1 == db.session.get(OccurrenceRole, role).filled


def test_volunteer_cannot_sign_up_in_another_community(world):
    from coordinator.models import Community, Person
    role = roles_of(patrol(world, needed=1, maximum=2))[0]
    # a slot with no team requirement, in community 1
    db.session.get(OccurrenceRole, role).required_team_id = None
    stranger = Person(full_name="二连人", phone="13700000000",
                      community_id=db.session.scalar(db.select(Community.id).where(
                          Community.code == "C02")))
    db.session.add(stranger)
    db.session.flush()
    from coordinator.models import Account as A
    acct = A(role="volunteer", person_id=stranger.id)
    db.session.add(acct)
    db.session.commit()
    with pytest.raises(DomainError, match="another community"):
        _sign(acct.id, role)


def test_waitlist_message_gives_the_real_place(world):
    role = roles_of(patrol(world, needed=1, maximum=1))[0]
    _sign(world["accounts"][0], role)
    second = _sign(world["accounts"][1], role)
    _sign(world["accounts"][2], role)
    _withdraw(world["accounts"][1], second.assignment_id)
    fourth = _sign(world["accounts"][3], role)
    assert fourth.position == 2  # stored number 3, but only two people wait
