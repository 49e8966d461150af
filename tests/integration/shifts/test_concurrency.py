"""Capacity and double-booking hold when many requests race, on a real database file
and a real PostgreSQL server: 50 threads released together by a barrier."""
from __future__ import annotations

from datetime import time, timedelta

from coordinator.database import begin_write
from coordinator.domain.errors import DomainError
from coordinator.extensions import db
from coordinator.models import Account, Assignment, OccurrenceRole, Series
from coordinator.services.schedule.series import RoleInput, SeriesInput, create_series
from coordinator.services.shifts import signups
from tests.support.races import race
from tests.support.scheduling import NOW, ZONE, build_world, patrol, roles_of

THREADS = 50


def test_fifty_signups_for_five_places(app):
    with app.app_context():
        world = build_world(n_people=THREADS)
        role = roles_of(patrol(world, needed=5, maximum=5))[0]
        accounts = world["accounts"]

    def work(i):
        actor = db.session.get(Account, accounts[i])
        return signups.sign_up(db.session, actor, role, NOW, zone=ZONE)

    results = race(app, work, THREADS)
    assert sum(r.status == "confirmed" for r in results) == 5
    assert sum(r.status == "waitlisted" for r in results) == THREADS - 5
    with app.app_context():
        rows = db.session.scalars(db.select(Assignment).where(
            Assignment.occurrence_role_id == role)).all()
        assert len(rows) == THREADS and len({r.person_id for r in rows}) == THREADS
        assert db.session.get(OccurrenceRole, role).filled == 5
        waiting = sorted((r for r in rows if r.status == "waitlisted"),
                         key=lambda r: r.waitlist_position)
        assert [r.waitlist_position for r in waiting] == list(range(1, THREADS - 4))
        # Positions follow the order in which the sign-ups were committed.
        assert [r.id for r in waiting] == sorted(r.id for r in waiting)


def test_same_person_fifty_times_gets_one_place(app):
    with app.app_context():
        world = build_world(n_people=2)
        role = roles_of(patrol(world, needed=5, maximum=5))[0]
        me = world["accounts"][0]

    def work(i):
        return signups.sign_up(db.session, db.session.get(Account, me), role, NOW, zone=ZONE)

    results = race(app, work, 20)
    assert sum(not isinstance(r, DomainError) for r in results) == 1
    with app.app_context():
        assert db.session.get(OccurrenceRole, role).filled == 1


def test_one_person_racing_into_overlapping_shifts_gets_one(app):
    with app.app_context():
        world = build_world(n_people=2)
        roles = [roles_of(patrol(world, title=f"巡逻{i}", at=time(19, 0 + i)))[0]
                 for i in range(10)]
        me = world["accounts"][0]

    def work(i):
        return signups.sign_up(db.session, db.session.get(Account, me), roles[i], NOW, zone=ZONE)

    results = race(app, work, 10)
    assert sum(not isinstance(r, DomainError) for r in results) == 1


def test_two_coordinators_booking_one_room_at_once(app):
    with app.app_context():
        world = build_world(n_people=2)
        start = (NOW + timedelta(days=2, hours=8)).date()

    def work(i):
        actor = db.session.get(Account, world["coordinator"] if i == 0 else world["admin"])
        data = SeriesInput(kind="rehearsal", title=f"排练{i}", community_id=world["community"],
                           start_date=start, start_time=time(9, 0 + i * 10),
                           duration_minutes=90, rrule="FREQ=WEEKLY", until=start + timedelta(
                               weeks=8), venue_id=world["room"],
                           roles=(RoleInput("演员", 1, 5),))
        return create_series(db.session, actor, data, NOW, zone=ZONE,
                             horizon_end=NOW + timedelta(weeks=12))

    results = race(app, work, 2)
    assert sum(isinstance(r, DomainError) for r in results) == 1
    clash = next(r for r in results if isinstance(r, DomainError))
    assert clash.field == "venue_id" and clash.params["count"] == 9
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Series)) == 1


def test_signups_withdrawals_count_changes_and_a_cancel_racing_on_one_occurrence(app):
    """Every writer of an occurrence's slots also writes the occurrence (its totals): they
    lock it first, so racing on three slots of one occurrence never deadlocks, and the
    totals end equal to the slots."""
    from coordinator.models import Occurrence
    from coordinator.services.schedule import changes

    with app.app_context():
        world = build_world(n_people=THREADS)
        start = (NOW + timedelta(days=2, hours=8)).date()
        begin_write(db.session)
        series = create_series(db.session, db.session.get(Account, world["coordinator"]),
                               SeriesInput(kind="patrol", title="三岗巡逻",
                                           community_id=world["community"], start_date=start,
                                           start_time=time(19, 0), duration_minutes=90,
                                           roles=(RoleInput("甲岗", 2, 4), RoleInput("乙岗", 2, 4),
                                                  RoleInput("丙岗", 2, 4))),
                               NOW, zone=ZONE, horizon_end=NOW + timedelta(weeks=2))
        db.session.commit()
        roles = roles_of(series.id)
        occurrence_id = db.session.get(OccurrenceRole, roles[0]).occurrence_id
        # Ten people already on the slots, to be withdrawn during the race.
        placed = []
        for i in range(10):
            begin_write(db.session)
            placed.append(signups.sign_up(db.session, db.session.get(Account, world["accounts"][i]),
                                          roles[i % 3], NOW, zone=ZONE).assignment_id)
            db.session.commit()
        accounts, coordinator = world["accounts"], world["coordinator"]

    def work(i):
        if i < 10:
            return signups.withdraw(db.session, db.session.get(Account, accounts[i]),
                                    placed[i], NOW)
        if i == 10:
            return changes.cancel_occurrence(db.session, db.session.get(Account, coordinator),
                                             occurrence_id, "大风", NOW)
        if i < 14:
            return changes.change_counts(db.session, db.session.get(Account, coordinator),
                                         occurrence_id, {roles[i % 3]: (1, 5)}, NOW)
        return signups.sign_up(db.session, db.session.get(Account, accounts[i]),
                               roles[i % 3], NOW, zone=ZONE)

    race(app, work, THREADS)  # no deadlock, no other error
    with app.app_context():
        occ = db.session.get(Occurrence, occurrence_id)
        slots = db.session.scalars(db.select(OccurrenceRole).where(
            OccurrenceRole.occurrence_id == occurrence_id)).all()
        assert occ.status == "cancelled"
        assert (occ.places_needed, occ.places_filled, occ.people_confirmed) == (
            sum(r.needed for r in slots), sum(min(r.filled, r.needed) for r in slots),
            sum(r.filled for r in slots))
        for role in slots:
            confirmed = db.session.scalar(db.select(db.func.count()).select_from(Assignment)
                                          .where(Assignment.occurrence_role_id == role.id,
                                                 Assignment.status == "confirmed"))
            assert role.filled == confirmed
