"""A person is never confirmed on two overlapping shifts, whichever paths race: moving an
occurrence, changing "this and all following", signing up, taking a swap.

The gated races are deterministic: the test holds ``audit_entries`` locked, so both writers
do their checks and then wait at their audit entry (written last, before the commit), and
the gate opens only once both are waiting. Without the person row lock both checks pass
and both commit; with it, one writer waits on the person instead and re-checks after the
other committed. PostgreSQL only: on SQLite ``BEGIN IMMEDIATE`` serialises every writer,
so there is no race to gate (``test_many_moves_against_signups`` runs there too).
"""
from __future__ import annotations

import threading
import time as clock
from datetime import time, timedelta

import pytest
from sqlalchemy import text

from coordinator.database import begin_write
from coordinator.domain.errors import DomainError
from coordinator.extensions import db
from coordinator.models import Account, Assignment, Occurrence, OccurrenceRole
from coordinator.services.schedule import changes
from coordinator.services.schedule.series import RoleInput, SeriesInput
from coordinator.services.shifts import signups, swaps
from tests.support.scheduling import NOW, ZONE, build_world, patrol, roles_of

PG_ONLY = "SQLite serialises writers with BEGIN IMMEDIATE: no interleaving to gate"


def _day(n: int):
    return (NOW + timedelta(hours=8)).date() + timedelta(days=n)  # Shanghai date


def _run(app, work, i, results):
    with app.app_context():
        try:
            begin_write(db.session)
            results[i] = work(i)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            results[i] = exc
        except Exception as exc:  # noqa: BLE001 — a deadlock or crash is reported as such
            db.session.rollback()
            results[i] = RuntimeError(repr(exc))
        finally:
            db.session.remove()


def _gated_race(app, *works):
    """Run ``works`` in threads, each in its write transaction, with audit writes held
    until every thread waits on a lock; return each result or DomainError."""
    results = [None] * len(works)
    with app.app_context():
        engine = db.engine
    with engine.connect() as gate, engine.connect().execution_options(
            isolation_level="AUTOCOMMIT") as probe:
        gate.execute(text("LOCK TABLE audit_entries IN EXCLUSIVE MODE"))
        threads = [threading.Thread(target=_run, args=(app, lambda i, w=w: w(), i, results))
                   for i, w in enumerate(works)]
        for t in threads:
            t.start()
        deadline = clock.monotonic() + 20
        while clock.monotonic() < deadline:
            waiting = probe.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"))
            if waiting >= len(works):
                break
            clock.sleep(0.02)
        gate.rollback()  # open the gate
        for t in threads:
            t.join(60)
    assert not any(isinstance(r, RuntimeError) for r in results), results
    return results


def _overlapping_live(person_id: int) -> list[tuple]:
    """Pairs of the person's live assignments whose times overlap."""
    rows = db.session.execute(
        db.select(Assignment.id, Occurrence.start_at, Occurrence.end_at)
        .join(OccurrenceRole, Assignment.occurrence_role_id == OccurrenceRole.id)
        .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
        .where(Assignment.person_id == person_id,
               Assignment.status.in_(("confirmed", "waitlisted")),
               Occurrence.status == "scheduled")).all()
    return [(a, b) for i, a in enumerate(rows) for b in rows[i + 1:]
            if a.start_at < b.end_at and b.start_at < a.end_at]


def _sign_up(world, who: int, role_id: int) -> int:
    begin_write(db.session)
    result = signups.sign_up(db.session, db.session.get(Account, world["accounts"][who]),
                             role_id, NOW, zone=ZONE)
    db.session.commit()
    return result.assignment_id


def _single(world, title, day, at, minutes=120) -> int:
    """A single event's only slot."""
    return roles_of(patrol(world, title=title, rule=None, start_day=day, at=at,
                           minutes=minutes, until_days=None))[0]


def _occurrence_of(role_id: int) -> int:
    return db.session.get(OccurrenceRole, role_id).occurrence_id


def _move(world, occurrence_id, day, at):
    return lambda: changes.move_occurrence(
        db.session, db.session.get(Account, world["coordinator"]), occurrence_id,
        start_date=_day(day), start_time=at, duration_minutes=120, venue_id=None, now=NOW)


def _exactly_one_won(results, person_id):
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1, results
    with db.session.begin():
        assert _overlapping_live(person_id) == []


def test_move_against_signup_for_the_new_time(app, backend):
    """Issue 11: the coordinator moves 王's patrol to 09:00 on day 3 while 王 signs up for
    another shift then."""
    if backend == "sqlite":
        pytest.skip(PG_ONLY)
    with app.app_context():
        world = build_world(n_people=2)
        patrol_slot = _single(world, "晚间巡逻", 1, time(19, 30))
        _sign_up(world, 0, patrol_slot)
        other = _single(world, "早班巡逻", 3, time(9, 0))
        move = _move(world, _occurrence_of(patrol_slot), 3, time(9, 0))
    me = world["accounts"][0]
    results = _gated_race(app, move, lambda: signups.sign_up(
        db.session, db.session.get(Account, me), other, NOW, zone=ZONE))
    with app.app_context():
        _exactly_one_won(results, world["people"][0])


def test_two_moves_into_the_same_time(app, backend):
    """王 is on two patrols; two coordinators move them to the same evening at once."""
    if backend == "sqlite":
        pytest.skip(PG_ONLY)
    with app.app_context():
        world = build_world(n_people=2)
        first, second = (_single(world, f"巡逻{i}", 1 + i, time(19, 30)) for i in range(2))
        _sign_up(world, 0, first)
        _sign_up(world, 0, second)
        moves = [_move(world, _occurrence_of(s), 4, time(8, 0)) for s in (first, second)]
    results = _gated_race(app, *moves)
    with app.app_context():
        _exactly_one_won(results, world["people"][0])


def test_move_against_taking_a_swap_at_the_new_time(app, backend):
    """王 takes 李's offered shift at 09:00 on day 3 while 王's own patrol is moved there."""
    if backend == "sqlite":
        pytest.skip(PG_ONLY)
    with app.app_context():
        world = build_world(n_people=2)
        mine = _single(world, "晚间巡逻", 1, time(19, 30))
        _sign_up(world, 0, mine)
        offered = _sign_up(world, 1, _single(world, "早班巡逻", 3, time(9, 0)))
        begin_write(db.session)
        offer = swaps.offer(db.session, db.session.get(Account, world["accounts"][1]),
                            offered, NOW).id
        db.session.commit()
        move = _move(world, _occurrence_of(mine), 3, time(9, 0))
    me = world["accounts"][0]
    results = _gated_race(app, move, lambda: swaps.take(
        db.session, db.session.get(Account, me), offer, NOW))
    with app.app_context():
        _exactly_one_won(results, world["people"][0])


def test_following_change_against_signup(app, backend):
    """'This and all following' moves a daily patrol to 08:30 while 王, on its day-2
    occurrence, signs up for a meeting at 08:00 that day."""
    if backend == "sqlite":
        pytest.skip(PG_ONLY)
    with app.app_context():
        world = build_world(n_people=2)
        series = patrol(world, start_day=1, until_days=5)
        day2 = roles_of(series)[1]
        _sign_up(world, 0, day2)
        meeting = _single(world, "早会", 2, time(8, 0))
        occurrence_id = _occurrence_of(day2)
    data = SeriesInput(kind="patrol", title="晚间巡逻", community_id=world["community"],
                       start_date=_day(2), start_time=time(8, 30), duration_minutes=120,
                       rrule="FREQ=DAILY", until=_day(6),
                       roles=(RoleInput("巡逻队员", 3, 3, world["team"]),))
    me, coordinator = world["accounts"][0], world["coordinator"]
    results = _gated_race(
        app,
        lambda: changes.split_series(db.session, db.session.get(Account, coordinator),
                                     occurrence_id, data, NOW,
                                     horizon_end=NOW + timedelta(weeks=12)),
        lambda: signups.sign_up(db.session, db.session.get(Account, me), meeting, NOW,
                                zone=ZONE))
    with app.app_context():
        _exactly_one_won(results, world["people"][0])


def test_approving_a_swap_whose_taker_got_busy_meanwhile(app):
    """李 asks to take 王's shift (approval needed), then signs up for another shift at that
    time; the coordinator's approval must not confirm 李 on both."""
    from coordinator.models import Series
    with app.app_context():
        world = build_world(n_people=2)
        series = patrol(world, title="需批准巡逻", rule=None, start_day=2, at=time(9, 0),
                        until_days=None)
        db.session.get(Series, series).requires_swap_approval = True
        db.session.commit()
        given = _sign_up(world, 0, roles_of(series)[0])
        begin_write(db.session)
        offer = swaps.offer(db.session, db.session.get(Account, world["accounts"][0]),
                            given, NOW)
        swaps.take(db.session, db.session.get(Account, world["accounts"][1]), offer.id, NOW)
        db.session.commit()
        offer_id = offer.id
        _sign_up(world, 1, _single(world, "早会", 2, time(10, 0)))
        begin_write(db.session)
        with pytest.raises(DomainError) as refused:
            swaps.approve(db.session, db.session.get(Account, world["coordinator"]), offer_id,
                          True, NOW)
        db.session.rollback()
        assert refused.value.params == {"name": "队员1", "title": "早会"}
        with db.session.begin():
            assert _overlapping_live(world["people"][1]) == []
            assert db.session.get(Assignment, given).status == "confirmed"


RACES = 20


def _barrier_race(app, *works):
    """Run ``works`` in threads released together by a barrier; return their results."""
    results, barrier = [None] * len(works), threading.Barrier(len(works))

    def run(i):
        barrier.wait()
        _run(app, lambda _: works[i](), i, results)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(works))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(isinstance(r, RuntimeError) for r in results), results
    return results


def test_many_moves_against_signups(app):
    """Issue 11's measurement, without a gate: 20 races of a move against the volunteer's
    sign-up at the new time, each its own volunteer; none may end double-booked."""
    with app.app_context():
        world = build_world(n_people=RACES)
        pairs = []
        for i in range(RACES):
            mine = _single(world, f"巡逻{i}", 1, time(19, 30))
            _sign_up(world, i, mine)
            pairs.append((_occurrence_of(mine), _single(world, f"早班{i}", 3, time(9, 0))))
    doubled = []
    for i, (occurrence_id, other) in enumerate(pairs):
        me = world["accounts"][i]
        results = _barrier_race(app, _move(world, occurrence_id, 3, time(9, 0)),
                                lambda me=me, other=other: signups.sign_up(
                                    db.session, db.session.get(Account, me), other, NOW,
                                    zone=ZONE))
        with app.app_context():
            if _overlapping_live(world["people"][i]):
                doubled.append(i)
            else:
                assert sum(isinstance(r, DomainError) for r in results) == 1, results
    assert doubled == [], f"{len(doubled)} of {RACES} races double-booked"
