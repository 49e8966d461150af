"""Which rows a feed shows is decided twice, by the validator's SQL (``stamp``) and by the
renderer's query (``content.events``): on random series, occurrences, cancellations,
memberships, answers and assignments, for every feed kind and viewer, the occurrences the
validator covers are exactly the ones the renderer shows (one it missed would never make
a poll see its change; one it added would make polls re-download for nothing)."""
from __future__ import annotations

from datetime import date, time, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordinator.extensions import db
from coordinator.models import (
    Assignment,
    Occurrence,
    OccurrenceRole,
    Response,
    Series,
    SeriesRole,
    Team,
    TeamMember,
)
from coordinator.services.feeds.content import FeedSpec, Texts, Viewer, events, window
from coordinator.services.feeds.stamp import covered
from tests.support.feeds import ADMIN, coordinator_of
from tests.support.scheduling import NOW, build_world

PAST, FUTURE = 30, 365
KINDS = ("patrol", "care", "rehearsal", "talk")
TEXTS = Texts(kinds={}, care_visit="c", summary="%(kind)s %(title)s", role="%(role)s",
              waitlisted="w", with_="%(names)s", coordinator="%(names)s",
              filled="%(role)s %(filled)s %(needed)s %(names)s", missing="%(n)s",
              cancelled="%(reason)s", removed="r", visited="%(name)s %(ward)s")

days = st.integers(min_value=-45, max_value=380)  # around the window's edges
ages = st.integers(min_value=0, max_value=60)  # days since the row changed
occurrence = st.fixed_dictionaries({
    "day": days, "cancelled": st.booleans(), "age": ages,
    "assignments": st.lists(st.tuples(st.integers(0, 3), st.sampled_from(
        ("confirmed", "waitlisted", "withdrawn")), ages), max_size=3),
    "responses": st.lists(st.tuples(st.integers(0, 3), st.booleans(), ages), max_size=2)})
series = st.fixed_dictionaries({
    "kind": st.sampled_from(KINDS), "team": st.booleans(), "other_community": st.booleans(),
    "public": st.booleans(), "by_team": st.booleans(), "required_team": st.booleans(),
    "occurrences": st.lists(occurrence, min_size=1, max_size=3)})
world_data = st.fixed_dictionaries({
    "series": st.lists(series, min_size=1, max_size=4),
    "members": st.lists(st.booleans(), min_size=4, max_size=4)})


def _build(w: dict, data: dict) -> None:
    """Add the random rows (flushed, not committed)."""
    second = Team(name="第二队", kind="troupe", community_id=w["other"])
    db.session.add(second)
    db.session.flush()
    w["second"] = second.id
    for i, member in enumerate(data["members"]):  # person i in the second team or not
        if member:
            db.session.add(TeamMember(team_id=second.id, person_id=w["people"][i]))
    for n, s in enumerate(data["series"]):
        team_id = second.id if s["team"] else w["team"]
        row = Series(kind=s["kind"], title=f"系列{n}", timezone="Asia/Shanghai",
                     community_id=w["other"] if s["other_community"] else w["community"],
                     team_id=team_id, participation="team" if s["by_team"] else "slots",
                     is_public=s["public"], start_date=date(2024, 1, 1),
                     start_time=time(9, 0), duration_minutes=60, updated_at=NOW)
        db.session.add(row)
        db.session.flush()
        role = SeriesRole(series_id=row.id, name="岗", needed=2, maximum=4,
                          required_team_id=second.id if s["required_team"] else None)
        db.session.add(role)
        db.session.flush()
        for k, o in enumerate(s["occurrences"]):
            start = NOW + timedelta(days=o["day"], minutes=k)
            occ = Occurrence(series_id=row.id, recurrence_id=start, start_at=start,
                             end_at=start + timedelta(hours=1),
                             status="cancelled" if o["cancelled"] else "scheduled",
                             updated_at=NOW - timedelta(days=o["age"]))
            db.session.add(occ)
            db.session.flush()
            slot = OccurrenceRole(occurrence_id=occ.id, series_role_id=role.id, name="岗",
                                  needed=2, maximum=4)
            db.session.add(slot)
            db.session.flush()
            people = {}
            for person, status, age in o["assignments"]:
                people.setdefault(person, (status, age))  # one person once per slot
            for person, (status, age) in people.items():
                db.session.add(Assignment(occurrence_role_id=slot.id,
                                          person_id=w["people"][person], status=status,
                                          waitlist_position=person + 1
                                          if status == "waitlisted" else None,
                                          updated_at=NOW - timedelta(days=age)))
            answers = {p: (yes, age) for p, yes, age in o["responses"]}
            for person, (yes, age) in answers.items():
                db.session.add(Response(occurrence_id=occ.id, person_id=w["people"][person],
                                        is_attending=yes, updated_at=NOW - timedelta(days=age)))
    db.session.flush()


def _feeds(w: dict):
    """(spec, viewer, person id) for every feed kind and a few viewers."""
    for i in range(4):
        yield FeedSpec("mine"), Viewer(person_id=w["people"][i]), w["people"][i]
    for team in (w["team"], w["second"]):
        yield FeedSpec("team", team), Viewer(person_id=w["people"][0]), w["people"][0]
    for community in (w["community"], w["other"]):
        yield (FeedSpec("community", community), coordinator_of(community),
               None)
        yield FeedSpec("public", community), Viewer(is_public=True), None
    yield FeedSpec("organisation"), ADMIN, None
    yield FeedSpec("organisation"), coordinator_of(w["community"]), None
    yield (FeedSpec("organisation", kinds=("patrol", "care"), team_id=w["second"]),
           ADMIN, None)
    yield (FeedSpec("organisation", community_id=w["other"]), ADMIN, None)


@settings(max_examples=25, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=world_data)
def test_the_validator_covers_exactly_the_occurrences_the_feed_shows(app, data):
    with app.app_context():
        w = getattr(app, "_rows_world", None)
        if w is None:
            w = app._rows_world = build_world(n_people=4)
        try:
            _build(w, data)
            win = window(NOW, "Asia/Shanghai", PAST, FUTURE)
            for spec, viewer, person_id in _feeds(w):
                shown = {int(e.uid_key.removeprefix("occ-")) for e in events(
                    db.session, spec, viewer, TEXTS, win)}
                assert covered(db.session, spec, person_id, win) == shown, spec
        finally:
            db.session.rollback()
