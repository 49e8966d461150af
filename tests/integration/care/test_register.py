"""The care register (issue 15, first part): who may keep and read it, what a bad entry
is told, that the audit log names fields and never values, that reads are logged, that an
admin reads only through an audited opening, and erasure (by hand and by the nightly job).
Both backends; the person's name is a unique marker string."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from coordinator.domain.errors import DomainError, Forbidden
from coordinator.extensions import db
from coordinator.models import (
    Account,
    AuditEntry,
    CareRead,
    CareRecipient,
    Community,
    CoordinatorScope,
)
from coordinator.services.care import CareSettings
from coordinator.services.care import register as care
from tests.support.scheduling import NOW

NAME = "MK病人甲乙"
WARD = "MK内科三病区"
PHONE = "13700001111"
TODAY = NOW.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture
def world(app):
    with app.app_context():
        c1, c2 = Community(name="一连", code="C01"), Community(name="二连", code="C02")
        db.session.add_all([c1, c2])
        db.session.flush()

        def account(role, username, communities=(), also_leader=False):
            row = Account(role=role, username=username, password_hash="x",
                          is_also_leader=also_leader)
            db.session.add(row)
            db.session.flush()
            for c in communities:
                db.session.add(CoordinatorScope(account_id=row.id, community_id=c.id))
            return row.id

        ids = {"c1": c1.id, "c2": c2.id,
               "coord1": account("coordinator", "coord1", [c1]),
               "coord2": account("coordinator", "coord2", [c2]),
               "also_leader": account("coordinator", "coord3", [c2], also_leader=True),
               "leader": account("leader", "leader1"), "admin": account("admin", "admin1"),
               "volunteer": account("volunteer", "vol1")}
        db.session.commit()
    return ids


def _actor(world, key):
    return db.session.get(Account, world[key])


def _hospital(**extra):
    values = dict(full_name=NAME, place="hospital", institution="团场医院", ward=WARD,
                  bed="12", family_name="MK家属", family_relation="女儿", family_phone=PHONE,
                  reason="hospital", visit_every_days=7, health_notes="MK术后恢复")
    values.update(extra)
    return care.CareInput(**values)


def test_coordinator_registers_and_only_the_right_people_read(app, world):
    with app.app_context():
        person = care.register(db.session, _actor(world, "coord1"), world["c1"], _hospital(),
                               NOW)
        db.session.commit()
        assert (person.status, person.started_on, person.ward) == ("active", TODAY, WARD)
        for key in ("coord2", "also_leader", "leader", "admin", "volunteer"):
            with pytest.raises(Forbidden):
                care.read(db.session, _actor(world, key), person.id, NOW)
            with pytest.raises(Forbidden):
                care.register(db.session, _actor(world, key), world["c1"], _hospital(), NOW)
        assert care.read(db.session, _actor(world, "coord1"), person.id, NOW).ward == WARD
        db.session.commit()
        reads = care.reads_of(db.session, _actor(world, "coord1"), person.id, NOW)
        assert [(r.account_id, r.what) for r in reads] == [(world["coord1"], "page")]
        # Counts are for everybody who reads figures.
        assert care.counts(db.session) == {world["c1"]: 1}


def test_audit_names_fields_never_values(app, world):
    with app.app_context():
        coord = _actor(world, "coord1")
        person = care.register(db.session, coord, world["c1"], _hospital(), NOW)
        care.change(db.session, coord, person.id, _hospital(bed="14"), person.version, NOW)
        care.end(db.session, coord, person.id, "recovered", TODAY, NOW)
        db.session.commit()
        entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "care")
                                          .order_by(AuditEntry.id)))
        assert [e.action for e in entries] == ["care.create", "care.update", "care.end"]
        assert entries[1].details["fields"] == ["bed"]
        text = json.dumps([e.details for e in entries], ensure_ascii=False)
        for secret in (NAME, WARD, PHONE, "MK家属", "MK术后恢复", "14"):
            assert secret not in text


@pytest.mark.parametrize("extra, field", [
    ({"institution": None}, "institution"), ({"ward": None}, "ward"),
    ({"place": "home", "address": None, "ward": None, "bed": None}, "address"),
    ({"place": "home", "address": "一连 3 号"}, "ward"),
    ({"place": "somewhere"}, "place"), ({"reason": "x"}, "reason"),
    ({"full_name": ""}, "full_name"), ({"visit_every_days": 0}, "visit_every_days"),
    ({"started_on": TODAY + timedelta(days=1)}, "started_on"),
    ({"family_phone": "1" * 41}, "family_phone")])
def test_bad_entries_are_refused_with_the_field_and_nothing_saved(app, world, extra, field):
    with app.app_context():
        with pytest.raises(DomainError) as refused:
            care.register(db.session, _actor(world, "coord1"), world["c1"],
                          _hospital(**extra), NOW)
        assert refused.value.field == field
        db.session.rollback()
        assert db.session.scalar(select(CareRecipient.id)) is None


def test_ending_refuses_a_future_date_and_an_ended_record_stays_ended(app, world):
    with app.app_context():
        coord = _actor(world, "coord1")
        person = care.register(db.session, coord, world["c1"], _hospital(), NOW)
        with pytest.raises(DomainError) as refused:
            care.end(db.session, coord, person.id, "deceased", TODAY + timedelta(days=1), NOW)
        assert refused.value.field == "ended_on"
        care.end(db.session, coord, person.id, "deceased", TODAY, NOW)
        with pytest.raises(DomainError):
            care.change(db.session, coord, person.id, _hospital(bed="1"), person.version, NOW)
        with pytest.raises(DomainError):
            care.end(db.session, coord, person.id, "recovered", TODAY, NOW)
        assert person.status == "deceased" and care.counts(db.session) == {}


def test_a_stale_edit_is_refused_not_lost(app, world):
    with app.app_context():
        coord = _actor(world, "coord1")
        person = care.register(db.session, coord, world["c1"], _hospital(), NOW)
        seen = person.version
        care.change(db.session, coord, person.id, _hospital(bed="20"), seen, NOW)
        with pytest.raises(DomainError):
            care.change(db.session, coord, person.id, _hospital(bed="30"), seen, NOW)
        assert person.bed == "20"


def test_admin_reads_only_through_an_audited_opening(app, world):
    settings = CareSettings(opening_minutes=60)
    with app.app_context():
        person = care.register(db.session, _actor(world, "coord1"), world["c1"], _hospital(),
                               NOW)
        admin = _actor(world, "admin")
        with pytest.raises(DomainError):
            care.open_register(db.session, admin, world["c1"], "  ", NOW, settings)
        with pytest.raises(Forbidden):
            care.open_register(db.session, _actor(world, "leader"), world["c1"], "查",
                               NOW, settings)
        care.open_register(db.session, admin, world["c1"], "MK核对名单", NOW, settings)
        assert care.read(db.session, admin, person.id, NOW, what="register").ward == WARD
        with pytest.raises(Forbidden):  # the opening has run out
            care.read(db.session, admin, person.id, NOW + timedelta(minutes=61))
        opened = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "care.open"))
        assert opened.actor_id == admin.id and opened.details["reason"] == "MK核对名单"
        reads = db.session.scalars(select(CareRead.what).where(
            CareRead.account_id == admin.id)).all()
        assert reads == ["register"]


def test_erasure_by_hand_and_by_the_nightly_job(app, world):
    with app.app_context():
        coord = _actor(world, "coord1")
        active = care.register(db.session, coord, world["c1"], _hospital(), NOW)
        with pytest.raises(DomainError):
            care.erase(db.session, coord, active.id, NOW)
        by_hand = care.register(db.session, coord, world["c1"], _hospital(), NOW)
        care.end(db.session, coord, by_hand.id, "moved", TODAY, NOW)
        care.erase(db.session, coord, by_hand.id, NOW)
        old = care.register(db.session, coord, world["c1"], _hospital(
            started_on=date(2020, 1, 1)), NOW)
        care.end(db.session, coord, old.id, "recovered", TODAY - timedelta(days=400), NOW)
        recent = care.register(db.session, coord, world["c1"], _hospital(
            started_on=date(2020, 1, 1)), NOW)
        care.end(db.session, coord, recent.id, "recovered", TODAY - timedelta(days=10), NOW)
        assert care.erase_expired(db.session, NOW, CareSettings(keep_days=365)) == 1
        db.session.commit()
        for row in (by_hand, old):
            db.session.refresh(row)
            assert row.erased_at is not None and row.full_name == ""
            assert (row.ward, row.family_phone, row.health_notes, row.address) == (None,) * 4
            assert row.community_id == world["c1"]  # "a person cared for in community X"
        db.session.refresh(recent)
        assert recent.ward == WARD and recent.erased_at is None
        db.session.refresh(active)
        assert active.full_name == NAME


def test_the_nightly_job_erases_through_the_scheduler_task(app, world):
    from coordinator.jobs import tasks

    with app.app_context():
        coord = _actor(world, "coord1")
        old = care.register(db.session, coord, world["c1"], _hospital(
            started_on=date(2020, 1, 1)), NOW)
        care.end(db.session, coord, old.id, "recovered", TODAY - timedelta(days=400), NOW)
        old_id = old.id
        db.session.commit()
    assert tasks.care_erasure(app) == 1
    assert tasks.care_erasure(app) == 0  # idempotent
    with app.app_context():
        assert db.session.get(CareRecipient, old_id).full_name == ""
