"""The team-event head-count for random answer sets: expected = members − declines, the
yes answers are confirmed and never more than expected, an answer from someone no longer
in the team counts for nothing, and every reader of the rule (the per-event count, the
people the figures count, the feeds' per-member test and the plan's entry) agrees."""
from __future__ import annotations

from datetime import time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.models import Account, Occurrence, Response, TeamMember
from coordinator.services import plan as wp
from coordinator.services.schedule.series import SeriesInput, create_series
from coordinator.services.shifts.turnout import expected_people, is_expected, turnout
from tests.support.scheduling import NOW, ZONE

MEMBERS = 8
ANSWER = st.sampled_from([None, True, False])


@pytest.fixture
def rehearsal(world):
    """A weekly rehearsal of the world's team (8 members) from tomorrow; returns the first
    date's id and the team's people."""
    start = (NOW + timedelta(hours=8)).date() + timedelta(days=1)
    begin_write(db.session)
    series = create_series(db.session, db.session.get(Account, world["coordinator"]),
                           SeriesInput(kind="rehearsal", title="腰鼓排练",
                                       community_id=world["community"], start_date=start,
                                       start_time=time(9, 0), duration_minutes=60,
                                       rrule=None, participation="team",
                                       team_id=world["team"], roles=()),
                           NOW, zone=ZONE, horizon_end=NOW + timedelta(weeks=2))
    db.session.commit()
    occ = series.occurrences[0]
    return {"occ": occ.id, "day": (occ.start_at + timedelta(hours=8)).date(),
            "people": world["people"], "outsider": world["outsider"]}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=st.lists(ANSWER, min_size=MEMBERS, max_size=MEMBERS), stray=ANSWER)
def test_expected_is_members_minus_declines(app, rehearsal, answers, stray):
    occ, people = rehearsal["occ"], rehearsal["people"]
    db.session.execute(delete(Response).where(Response.occurrence_id == occ))
    rows = {}
    for person, answer in zip(people, answers):
        if answer is not None:
            rows[person] = Response(occurrence_id=occ, person_id=person, is_attending=answer,
                                    updated_at=NOW)
    if stray is not None:  # someone outside the team (say, who left it) had answered
        db.session.add(Response(occurrence_id=occ, person_id=rehearsal["outsider"],
                                is_attending=stray, updated_at=NOW))
    db.session.add_all(rows.values())
    db.session.commit()

    count = turnout(db.session, [occ])[occ]
    assert count.members == MEMBERS
    assert count.declined == answers.count(False)
    assert count.confirmed == answers.count(True)
    assert count.expected == MEMBERS - answers.count(False)
    assert 0 <= count.confirmed <= count.expected <= count.members
    # The people the figures count, and the feeds' test of one member's answer.
    chosen = expected_people().where(Occurrence.id == occ).subquery()
    listed = set(db.session.scalars(select(chosen.c.person_id)))
    assert listed == {p for p, a in zip(people, answers) if a is not False}
    members = db.session.scalars(select(TeamMember.person_id).where(
        TeamMember.person_id.in_(people))).all()
    assert sum(is_expected(rows.get(p)) for p in members) == count.expected
    # And the plan's entry carries the same count.
    viewer = wp.PlanViewer(visible=None, managed=frozenset())
    entry = next(e for e in wp.week_entries(db.session, viewer, wp.PlanFilter(
        wp.monday_of(rehearsal["day"])), ZONE) if e.occurrence_id == occ)
    assert entry.turnout == count
