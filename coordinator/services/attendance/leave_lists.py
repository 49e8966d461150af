"""What is read about leave: a volunteer's own coming leaves (My shifts, "已请假") and the
leaves a coordinator's communities were asked for lately (their home page)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select

from ...models import AttendanceEntry, Occurrence, Person, Series
from ..access import sees_care_details

RECENT_DAYS = 7  # leaves asked in the last week, for dates from yesterday on


@dataclass(frozen=True)
class LeaveView:
    """One leave, ready for a template."""

    occurrence_id: int
    kind: str
    title: str
    start_at: datetime
    end_at: datetime
    reason: str
    note: str | None
    name: str = ""  # the person's name (the coordinator's list)
    community_id: int | None = None


def _query():
    return (select(AttendanceEntry.occurrence_id, Series.kind, Series.title,
                   Occurrence.start_at, Occurrence.end_at, AttendanceEntry.leave_reason,
                   AttendanceEntry.leave_note, Person.full_name, Series.community_id)
            .join(Occurrence, AttendanceEntry.occurrence_id == Occurrence.id)
            .join(Series, Occurrence.series_id == Series.id)
            .join(Person, AttendanceEntry.person_id == Person.id)
            .where(AttendanceEntry.status == "excused", Occurrence.status == "scheduled"))


def hide_care_titles(views: list[LeaveView], care_ids) -> list[LeaveView]:
    """Blank the titles of care visits the reader may not read in full (the title may
    name the person visited); templates then show the kind."""
    return [v if v.kind != "care" or sees_care_details(care_ids, v.community_id, False)
            else replace(v, title="") for v in views]


def my_leaves(session, person_id: int, now: datetime, limit: int = 20) -> list[LeaveView]:
    """The person's leaves from dates still to come, soonest first."""
    rows = session.execute(_query().where(AttendanceEntry.person_id == person_id,
                                          Occurrence.end_at > now)
                           .order_by(Occurrence.start_at, Occurrence.id).limit(limit))
    return [LeaveView(*row) for row in rows]


def recent_leaves(session, community_ids: set[int] | None, now: datetime,
                  limit: int = 10) -> list[LeaveView]:
    """Leaves asked in the last week in ``community_ids`` (None: all) for dates from
    yesterday on, soonest first."""
    query = _query().where(AttendanceEntry.source == "leave",
                           AttendanceEntry.marked_at >= now - timedelta(days=RECENT_DAYS),
                           Occurrence.start_at >= now - timedelta(days=1))
    if community_ids is not None:
        query = query.where(Series.community_id.in_(community_ids or {-1}))
    rows = session.execute(query.order_by(Occurrence.start_at, Person.full_name).limit(limit))
    return [LeaveView(*row) for row in rows]
