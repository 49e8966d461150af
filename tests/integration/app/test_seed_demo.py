"""The demo township: counts, invariants, demo logins — through the real CLI."""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import func, select

from coordinator.domain.intervals import overlaps
from coordinator.extensions import db
from coordinator.models import (
    Account,
    Assignment,
    AttendanceCorrection,
    AttendanceEntry,
    CareRecipient,
    Certificate,
    Community,
    Occurrence,
    OccurrenceRole,
    Person,
    Series,
    StarAward,
    Team,
    TeamMember,
    Venue,
)
from tests.support.scheduling import NOW
from tests.support.web import login


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_builds_the_township(app, client):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "admin, leader, coordinator, volunteer" in result.output
    with app.app_context():
        assert _count(Community) == 9
        assert 590 <= _count(Person) <= 620
        kinds = dict(db.session.execute(
            select(Series.kind, func.count()).group_by(Series.kind)).all())
        assert set(kinds) == {"patrol", "care", "rehearsal", "talk", "meeting"}
        assert kinds["patrol"] == 9
        patrol_occurrences = db.session.scalar(
            select(func.count()).select_from(Occurrence).join(Series)
            .where(Series.kind == "patrol"))
        # six months of past evenings and eight weeks ahead per community
        assert patrol_occurrences == 9 * (26 * 7 + 56)
        study = db.session.scalars(select(Occurrence).join(Series).where(
            Series.kind == "meeting", Series.title.like("%学习日%"))).all()
        # 09:00 Shanghai on the 25th is 01:00 UTC on the 25th
        assert study and {(o.start_at.hour, o.start_at.day) for o in study} == {(1, 25)}
        assert _count(CareRecipient) > 0
        care_titles = db.session.scalars(select(Series.title).where(Series.kind == "care")).all()
        names = db.session.scalars(select(CareRecipient.full_name)).all()
        assert not any(name in title for name in names for title in care_titles)
        assert db.session.scalar(select(func.count()).select_from(Venue).where(
            Venue.name.like("%多功能厅%"))) == 1
        assert db.session.scalar(select(func.count()).select_from(Team).where(
            Team.kind == "troupe")) >= 8

        # filled counts match confirmed assignments, never above maximum
        counts = dict(db.session.execute(
            select(Assignment.occurrence_role_id, func.count()).where(
                Assignment.status == "confirmed").group_by(Assignment.occurrence_role_id)).all())
        for role in db.session.scalars(select(OccurrenceRole).where(OccurrenceRole.filled > 0)):
            assert role.filled == counts.get(role.id, 0) <= role.maximum
        assert sum(counts.values()) == _count(Assignment) > 100

        # nobody in two overlapping occurrences; no room double-booked
        by_person = defaultdict(list)
        for person_id, start, end in db.session.execute(
                select(Assignment.person_id, Occurrence.start_at, Occurrence.end_at)
                .join(OccurrenceRole, Assignment.occurrence_role_id == OccurrenceRole.id)
                .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)):
            by_person[person_id].append((start, end))
        for spans in by_person.values():
            spans.sort()
            assert all(not overlaps(*a, *b) for a, b in zip(spans, spans[1:]))
        by_room = defaultdict(list)
        for venue_id, start, end in db.session.execute(
                select(Occurrence.venue_id, Occurrence.start_at, Occurrence.end_at)
                .join(Venue).where(Venue.kind != "outside")):
            by_room[venue_id].append((start, end))
        for spans in by_room.values():
            spans.sort()
            assert all(not overlaps(*a, *b) for a, b in zip(spans, spans[1:]))

        volunteer = db.session.scalar(select(Account).where(Account.username == "volunteer"))
        patrol_teams = select(TeamMember.team_id).where(TeamMember.person_id ==
                                                        volunteer.person_id)
        assert db.session.scalar(select(Team.kind).where(Team.id.in_(patrol_teams),
                                                         Team.kind == "patrol")) == "patrol"
        demo_phone = db.session.get(Person, volunteer.person_id).phone
        _check_history(volunteer.person_id)

    page = client.get("/login").get_data(as_text=True)
    assert "<code>coordinator</code>" in page  # demo logins listed while demo data is loaded
    # members log in by phone: the box shows the demo volunteer's, and it logs in
    assert demo_phone and demo_phone in page
    assert login(client, demo_phone, "demo").status_code == 302
    client.post("/logout", data={"csrf_token": _token(client.get("/"))})
    for username in ("admin", "leader", "coordinator", "volunteer"):
        assert login(client, username, "demo").status_code == 302
        home = client.get("/")
        assert home.status_code == 200
        client.post("/logout", data={"csrf_token": _token(home)})
    again = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "not loaded again" in again.output
    refused = app.test_cli_runner().invoke(args=["seed-demo"])
    assert refused.exit_code != 0 and "Traceback" not in refused.output


def _check_history(volunteer_person_id):
    """Six months of rolls: no-shows, leaves with reasons, late arrivals, corrections by
    staff, the demo volunteer's hours, members who drifted away, stars, certificates."""
    e = AttendanceEntry
    statuses = dict(db.session.execute(select(e.status, func.count()).group_by(e.status)).all())
    assert statuses["present"] > 10_000
    assert statuses["absent"] > 200 and statuses["late"] > 200 and statuses["excused"] > 200
    assert db.session.scalar(select(func.count()).select_from(e).where(
        e.status == "excused", e.leave_reason.is_(None))) == 0
    rolls = db.session.scalar(select(func.count(func.distinct(e.occurrence_id))))
    past = db.session.scalar(select(func.count()).select_from(Occurrence).where(
        Occurrence.start_at < NOW - timedelta(days=7)))
    assert 0.8 * past < rolls < past  # most past rolls taken, not all
    assert db.session.scalar(select(func.min(e.start_at))) < NOW - timedelta(days=170)
    assert db.session.scalar(select(func.count()).select_from(e).where(
        e.start_at > NOW)) == 0  # nothing recorded ahead of time
    staff = db.session.scalar(select(func.count()).select_from(e).where(e.source == "staff"))
    assert staff == db.session.scalar(select(func.count()).select_from(
        AttendanceCorrection)) > 0
    served = db.session.scalar(select(func.sum(e.minutes)).where(
        e.person_id == volunteer_person_id, e.is_service.is_(True)))
    assert served and served >= 600  # the demo volunteer has recorded hours
    # members who drifted away: active, on rolls before, nothing served for 3+ months
    last_served = select(e.person_id, func.max(e.start_at).label("last")).where(
        e.status.in_(("present", "late", "left_early"))).group_by(e.person_id).subquery()
    drifted = db.session.scalar(select(func.count()).select_from(last_served).join(
        Person, Person.id == last_served.c.person_id).where(
        Person.status == "active", last_served.c.last < NOW - timedelta(weeks=13)))
    assert drifted >= 10
    assert db.session.scalar(select(func.count()).select_from(StarAward)) > 0
    certificates = db.session.scalars(select(Certificate)).all()
    assert certificates and all(c.total_minutes > 0 and c.by_kind for c in certificates)


def _token(response):
    import re
    return re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))[1]


def test_login_page_hides_demo_logins_without_demo_data(client):
    assert "<code>coordinator</code>" not in client.get("/login").get_data(as_text=True)


def test_the_demo_townships_care_data_comes_through_the_services(app, client):
    """The first community's people cared for are registered, planned for, assigned and
    logged through the services (audited as on the website); the coordinator sees the
    need on the home page, and the visitor sees whom they visit on their page."""
    from coordinator.models import AuditEntry, CareVisitDetail, CareVisitLog

    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        c01 = db.session.scalar(select(Community.id).where(Community.code == "C01"))
        people = db.session.scalars(select(CareRecipient).where(
            CareRecipient.community_id == c01).order_by(CareRecipient.id)).all()
        assert [(p.full_name, p.place, p.reason) for p in people] == [
            ("刘桂兰", "hospital", "hospital"), ("王德福", "home", "alone"),
            ("赵秀英", "home", "bereaved")]
        actions = db.session.scalars(select(AuditEntry.action)).all()
        assert actions.count("care.create") == 3
        assert "care.plan" in actions and "care.log" in actions
        (log,) = db.session.scalars(select(CareVisitLog)).all()
        assert log.follow_up and log.note
        weekly = db.session.scalar(select(CareVisitDetail.series_id).where(
            CareVisitDetail.recipient_id == people[0].id))
        occs = db.session.scalars(select(Occurrence).where(Occurrence.series_id == weekly)
                                  .order_by(Occurrence.start_at)).all()
        assert occs[0].start_at < NOW < occs[1].start_at
        assert all(o.roles[0].filled == 2 for o in occs)
        visitor = db.session.scalar(select(Account.username).join(
            Assignment, Assignment.person_id == Account.person_id).join(OccurrenceRole).where(
            OccurrenceRole.occurrence_id == occs[1].id, Assignment.status == "confirmed")
            .order_by(Account.id))
        other = db.session.scalars(select(CareRecipient.community_id).where(
            CareRecipient.community_id != c01)).all()
        assert other  # the other communities keep their generated care visits
    login(client, "coordinator", "demo")
    assert "精神不错" in client.get("/").get_data(as_text=True)
    visitor_client = app.test_client()
    login(visitor_client, visitor, "demo")
    page = visitor_client.get(f"/shifts/{occs[1].id}").get_data(as_text=True)
    assert "刘桂兰" in page and "心内科二病区" in page
