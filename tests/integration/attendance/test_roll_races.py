"""The roll's invariants when writers race, on a real SQLite file and a real PostgreSQL
server: threads with their own connections released together by a barrier. No duplicate
row, no lost change (the later writer is told), one check-in code per occurrence."""
from __future__ import annotations

from coordinator.database import begin_write
from coordinator.domain.errors import DomainError
from coordinator.extensions import db
from coordinator.models import Account, AttendanceEntry, CheckinCode, Occurrence
from coordinator.services.attendance import checkin, settings_from
from coordinator.services.attendance import roll as rolls
from tests.support.races import race
from tests.support.scheduling import NOW


def entries(app, occurrence):
    with app.app_context():
        return db.session.scalars(db.select(AttendanceEntry).where(
            AttendanceEntry.occurrence_id == occurrence)).all()


def test_lead_and_coordinator_pressing_all_present_at_once(app, world):
    occ, settings = world["occ"]["today"], settings_from(app.config)
    actors = [world["accounts"][0], world["coordinator"], world["admin"]]

    def work(i):
        return rolls.all_present(db.session, db.session.get(Account, actors[i]), occ, NOW,
                                 settings)

    assert sorted(race(app, work, 3)) == [0, 0, 10]
    rows = entries(app, occ)
    assert len(rows) == 10 and len({r.person_id for r in rows}) == 10


def test_lead_and_coordinator_changing_the_same_line_the_second_is_told(app, world):
    occ, settings = world["occ"]["today"], settings_from(app.config)
    pid = world["people"][2]
    with app.app_context():
        begin_write(db.session)
        rolls.all_present(db.session, db.session.get(Account, world["coordinator"]), occ, NOW,
                          settings)
        db.session.commit()
    actors = [(world["accounts"][0], "absent"), (world["coordinator"], "late")]

    def work(i):
        actor, status = actors[i]
        start = NOW if status == "late" else None
        return rolls.mark(db.session, db.session.get(Account, actor), occ,
                          [rolls.Mark(pid, status, start, None, version=1)], NOW, settings)

    results = race(app, work, 2)
    told = [r for r in results if isinstance(r, DomainError)]
    assert len(told) == 1 and told[0].field == "version"
    winner = actors[results.index(1)][1]
    row = next(r for r in entries(app, occ) if r.person_id == pid)
    assert (row.status, row.version) == (winner, 2)


def test_a_double_scan_and_the_lead_marking_at_once_make_one_row(app, world):
    occ, settings = world["occ"]["today"], settings_from(app.config)
    with app.app_context():
        begin_write(db.session)
        code = checkin.code_for(db.session, db.session.get(Occurrence, occ), settings).code
        db.session.commit()
    me = world["accounts"][1]

    def work(i):
        if i == 0:
            return rolls.all_present(db.session, db.session.get(Account, world["accounts"][0]),
                                     occ, NOW, settings)
        return checkin.check_in(db.session, db.session.get(Account, me), code, NOW, settings)

    results = race(app, work, 8)
    scans = results[1:]
    assert sum(1 for r in scans if not r.already) <= 1
    rows = entries(app, occ)
    assert len(rows) == 10 and len({r.person_id for r in rows}) == 10


def test_two_first_views_of_the_code_make_one_code(app, world):
    occ, settings = world["occ"]["today"], settings_from(app.config)

    def work(_i):
        return checkin.code_for(db.session, db.session.get(Occurrence, occ), settings).code

    assert len(set(race(app, work, 4))) == 1
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(CheckinCode)) == 1
