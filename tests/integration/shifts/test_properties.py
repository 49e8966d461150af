"""Property-based tests of the scheduling invariants: random sequences of sign-up,
withdraw, assign, move, cancel and count changes, run against a real SQLite file.

After every step: never over capacity (``filled`` equals the confirmed people and is at
most ``maximum``), nobody twice in one slot, nobody in two overlapping occurrences, no room
double-booked, the waitlist keeps its order and promotion fills every free place, and each
occurrence's totals (kept by triggers) equal the sums over its slots.
"""
from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from datetime import time, timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from coordinator import create_app
from coordinator.database import begin_write
from coordinator.domain.errors import DomainError
from coordinator.domain.intervals import overlaps
from coordinator.extensions import db
from coordinator.models import Account, Assignment, Occurrence, OccurrenceRole, Venue
from coordinator.services.schedule import changes
from coordinator.services.schedule.series import RoleInput, SeriesInput, create_series
from coordinator.services.shifts import signups
from tests.support.database import FAST_ARGON2
from tests.support.scheduling import NOW, ZONE, build_world

_TEMPLATE: Path | None = None


def _template() -> Path:
    global _TEMPLATE
    if _TEMPLATE is None:
        folder = Path(tempfile.mkdtemp(prefix="coordinator-prop-"))
        _TEMPLATE = folder / "template.sqlite"
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{_TEMPLATE}", "SECRET_KEY": "x",
                          "INSTANCE_PATH": str(folder), "PUBLIC_URL": "http://localhost",
                          **FAST_ARGON2})
        with app.app_context():
            db.create_all()
            world = build_world(n_people=6)
            coordinator = db.session.get(Account, world["coordinator"])
            start = (NOW + timedelta(hours=8)).date() + timedelta(days=1)
            # Three overlapping patrols a day (so people can clash), two in one room.
            for title, at, venue in (("甲", time(19, 0), world["room"]),
                                     ("乙", time(20, 0), None),
                                     ("丙", time(21, 0), world["hall"])):
                begin_write(db.session)
                create_series(db.session, coordinator, SeriesInput(
                    kind="patrol", title=title, community_id=world["community"],
                    start_date=start, start_time=at, duration_minutes=90, rrule="FREQ=DAILY",
                    until=start + timedelta(days=2), venue_id=venue,
                    roles=(RoleInput("队员", 1, 1, world["team"]),)), NOW, zone=ZONE,
                    horizon_end=NOW + timedelta(weeks=2))
                db.session.commit()
            db.engine.dispose()
        (folder / "world.txt").write_text(repr(world))
    return _TEMPLATE


class Scheduling(RuleBasedStateMachine):
    """Drives the real services; the database must hold the invariants."""

    @initialize()
    def setup(self):
        template = _template()
        self.dir = Path(tempfile.mkdtemp(prefix="coordinator-run-"))
        path = self.dir / "db.sqlite"
        shutil.copy(template, path)
        self.world = eval((template.parent / "world.txt").read_text())  # noqa: S307 — ours
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                               "SECRET_KEY": "x", "INSTANCE_PATH": str(self.dir),
                               "PUBLIC_URL": "http://localhost", **FAST_ARGON2})
        self.ctx = self.app.app_context()
        self.ctx.push()
        self.roles = list(db.session.scalars(db.select(OccurrenceRole.id).order_by(
            OccurrenceRole.id)))
        self.occurrences = list(db.session.scalars(db.select(Occurrence.id).order_by(
            Occurrence.id)))

    def teardown(self):
        if hasattr(self, "ctx"):
            db.session.remove()
            db.engine.dispose()
            self.ctx.pop()
            shutil.rmtree(self.dir, ignore_errors=True)

    def _do(self, action):
        begin_write(db.session)
        try:
            action()
        except DomainError:
            db.session.rollback()
        else:
            db.session.commit()

    @rule(who=st.integers(0, 5), slot=st.integers(0, 8))
    def sign_up(self, who, slot):
        actor = db.session.get(Account, self.world["accounts"][who])
        role = self.roles[slot % len(self.roles)]
        self._do(lambda: signups.sign_up(db.session, actor, role, NOW, zone=ZONE))

    @rule(who=st.integers(0, 5), slot=st.integers(0, 8), override=st.booleans())
    def assign(self, who, slot, override):
        actor = db.session.get(Account, self.world["coordinator"])
        role = self.roles[slot % len(self.roles)]
        self._do(lambda: signups.sign_up(db.session, actor, role, NOW, zone=ZONE,
                                         person_id=self.world["people"][who],
                                         override=override))

    @rule(pick=st.integers(0, 1000), by_coordinator=st.booleans())
    def withdraw(self, pick, by_coordinator):
        live = list(db.session.scalars(db.select(Assignment).where(
            Assignment.status != "withdrawn").order_by(Assignment.id)))
        if not live:
            return
        target = live[pick % len(live)]
        if by_coordinator:
            actor = db.session.get(Account, self.world["coordinator"])
        else:
            actor = db.session.scalar(db.select(Account).where(
                Account.person_id == target.person_id))
        self._do(lambda: signups.withdraw(db.session, actor, target.id, NOW))

    @rule(pick=st.integers(0, 1000), day=st.integers(1, 3), hour=st.integers(18, 21),
          room=st.sampled_from(["room", "hall", None]))
    def move(self, pick, day, hour, room):
        occurrence = self.occurrences[pick % len(self.occurrences)]
        actor = db.session.get(Account, self.world["coordinator"])
        start = (NOW + timedelta(hours=8)).date() + timedelta(days=day)
        self._do(lambda: changes.move_occurrence(
            db.session, actor, occurrence, start_date=start, start_time=time(hour, 30),
            duration_minutes=90, venue_id=self.world[room] if room else None, now=NOW))

    @rule(pick=st.integers(0, 1000))
    def cancel(self, pick):
        occurrence = self.occurrences[pick % len(self.occurrences)]
        actor = db.session.get(Account, self.world["coordinator"])
        self._do(lambda: changes.cancel_occurrence(db.session, actor, occurrence, "雨", NOW))

    @rule(slot=st.integers(0, 8), needed=st.integers(0, 3), extra=st.integers(0, 2))
    def counts(self, slot, needed, extra):
        role_id = self.roles[slot % len(self.roles)]
        role = db.session.get(OccurrenceRole, role_id)
        actor = db.session.get(Account, self.world["coordinator"])
        maximum = max(needed, 1) + extra
        self._do(lambda: changes.change_counts(db.session, actor, role.occurrence_id,
                                               {role_id: (needed, maximum)}, NOW))

    @invariant()
    def capacity_and_uniqueness(self):
        if not hasattr(self, "ctx"):
            return
        db.session.expire_all()
        live = db.session.scalars(db.select(Assignment).where(
            Assignment.status != "withdrawn")).all()
        seen = set()
        by_role = defaultdict(list)
        for a in live:
            assert (a.occurrence_role_id, a.person_id) not in seen
            seen.add((a.occurrence_role_id, a.person_id))
            by_role[a.occurrence_role_id].append(a)
        for role in db.session.scalars(db.select(OccurrenceRole)):
            people = by_role[role.id]
            confirmed = [a for a in people if a.status == "confirmed"]
            waiting = sorted((a for a in people if a.status == "waitlisted"),
                             key=lambda a: a.waitlist_position)
            assert role.filled == len(confirmed) <= role.maximum
            positions = [a.waitlist_position for a in waiting]
            assert len(set(positions)) == len(positions)
            # Joined the waitlist in order: earlier sign-ups have lower positions.
            assert [a.id for a in waiting] == sorted(a.id for a in waiting)
            if role.filled < role.maximum and waiting:
                # Only allowed when every waiting person is busy at that time.
                occ = db.session.get(Occurrence, role.occurrence_id)
                for a in waiting:
                    assert self._busy_elsewhere(a.person_id, occ), "free place not filled"

    @invariant()
    def occurrence_totals_are_the_sums_of_their_slots(self):
        if not hasattr(self, "ctx"):
            return
        sums = defaultdict(lambda: [0, 0, 0])
        for role in db.session.scalars(db.select(OccurrenceRole)):
            total = sums[role.occurrence_id]
            total[0] += role.needed
            total[1] += min(role.filled, role.needed)
            total[2] += role.filled
        for occ in db.session.scalars(db.select(Occurrence)):
            assert [occ.places_needed, occ.places_filled, occ.people_confirmed] == \
                sums[occ.id], f"occurrence {occ.id}"

    def _busy_elsewhere(self, person_id, occ):
        spans = self._spans(person_id)
        return any(o_id != occ.id and overlaps(occ.start_at, occ.end_at, s, e)
                   for o_id, s, e in spans)

    def _spans(self, person_id):
        return db.session.execute(
            db.select(Occurrence.id, Occurrence.start_at, Occurrence.end_at)
            .join(OccurrenceRole, OccurrenceRole.occurrence_id == Occurrence.id)
            .join(Assignment, Assignment.occurrence_role_id == OccurrenceRole.id)
            .where(Assignment.person_id == person_id, Assignment.status != "withdrawn",
                   Occurrence.status == "scheduled")).all()

    @invariant()
    def no_overlaps_for_people_or_rooms(self):
        if not hasattr(self, "ctx"):
            return
        for person_id in self.world["people"]:
            spans = sorted((s, e) for _o, s, e in self._spans(person_id))
            for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
                assert not overlaps(s1, e1, s2, e2), "person double-booked"
        rooms = defaultdict(list)
        for venue_id, s, e in db.session.execute(
                db.select(Occurrence.venue_id, Occurrence.start_at, Occurrence.end_at)
                .join(Venue, Occurrence.venue_id == Venue.id)
                .where(Occurrence.status == "scheduled", Venue.kind != "outside")):
            rooms[venue_id].append((s, e))
        for spans in rooms.values():
            spans.sort()
            for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
                assert not overlaps(s1, e1, s2, e2), "room double-booked"


Scheduling.TestCase.settings = settings(max_examples=25, stateful_step_count=30, deadline=None,
                                        suppress_health_check=[HealthCheck.too_slow])
test_scheduling_invariants = Scheduling.TestCase
