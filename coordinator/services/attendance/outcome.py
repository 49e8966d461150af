"""Last week's outcome, for the weekly plan and the leaders' Monday summary: attendance
rate, no-shows, hours served, rolls not taken; one statement whatever the data.

- attendance rate: those taking part (present, late, left early) ÷ those expected and
  recorded (taking part or absent; leave and "not recorded" are left out);
- hours served: the minutes of taking part in kinds that count as service hours;
- rolls not taken: scheduled occurrences with someone expected and no row but leave.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, exists, func, or_, select

from ...domain.attendance import SERVED
from ...models import AttendanceEntry, Occurrence, Series


@dataclass(frozen=True)
class Outcome:
    """What happened in one week."""

    monday: date
    served: int  # taking part
    absent: int  # no-shows
    excused: int  # on leave
    service_minutes: int
    rolls_not_taken: int

    @property
    def rate(self) -> int | None:
        """Attendance rate in whole percent (None: nobody recorded)."""
        recorded = self.served + self.absent
        return None if not recorded else round(100 * self.served / recorded)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def service_hours(self) -> float:
        return round(self.service_minutes / 60, 1)


def week_outcome(session, monday: date, zone: str, now: datetime, *, community_ids=None,
                 community_id: int | None = None, kind: str | None = None,
                 team_id: int | None = None) -> Outcome:
    """The outcome of the week starting ``monday`` (local), within the communities
    ``community_ids`` (None: all) and the plan's simple filters; a roll counts as not
    taken once its occurrence started before ``now``."""
    start = datetime.combine(monday, time(0), tzinfo=ZoneInfo(zone))
    end = start + timedelta(days=7)
    served = AttendanceEntry.status.in_(tuple(SERVED))
    entries = [AttendanceEntry.start_at >= start, AttendanceEntry.start_at < end]
    occurrences = [Occurrence.start_at >= start, Occurrence.start_at < end,
                   Occurrence.status == "scheduled"]
    if community_ids is not None:
        entries.append(AttendanceEntry.community_id.in_(community_ids or {-1}))
        occurrences.append(Series.community_id.in_(community_ids or {-1}))
    if community_id is not None:
        entries.append(AttendanceEntry.community_id == community_id)
        occurrences.append(Series.community_id == community_id)
    if kind is not None:
        entries.append(AttendanceEntry.kind == kind)
        occurrences.append(Series.kind == kind)
    if team_id is not None:
        # Entries keep no team: read it through their series (a join only then).
        team_occurrences = (select(Occurrence.id).join(Series, Occurrence.series_id == Series.id)
                            .where(Series.team_id == team_id))
        entries.append(AttendanceEntry.occurrence_id.in_(team_occurrences))
        occurrences.append(Series.team_id == team_id)
    marked = exists().where(AttendanceEntry.occurrence_id == Occurrence.id,
                            AttendanceEntry.source != "leave")
    not_taken = (select(func.count(Occurrence.id))
                 .join(Series, Occurrence.series_id == Series.id)
                 .where(*occurrences, Occurrence.start_at <= now, ~marked,
                        or_(Occurrence.people_confirmed > 0,
                            and_(Series.participation == "team",
                                 Series.team_id.is_not(None))))
                 .scalar_subquery())
    row = session.execute(
        select(func.coalesce(func.sum(case((served, 1), else_=0)), 0),
               func.coalesce(func.sum(case((AttendanceEntry.status == "absent", 1),
                                           else_=0)), 0),
               func.coalesce(func.sum(case((AttendanceEntry.status == "excused", 1),
                                           else_=0)), 0),
               func.coalesce(func.sum(case((and_(served, AttendanceEntry.is_service),
                                            AttendanceEntry.minutes), else_=0)), 0),
               not_taken)
        .select_from(AttendanceEntry).where(*entries)).one()
    return Outcome(monday, int(row[0]), int(row[1]), int(row[2]), int(row[3]), int(row[4]))
