"""The attendance roll of one occurrence: who is on it, who may mark it, marking.

Everyone expected is on the roll: the confirmed people of a slot occurrence, or every
member of the invited team who did not decline (``shifts.turnout``); besides them anyone
who already has a row (leave asked, a walk-in). Every write locks the occurrence row first
(``locks.py``: the occurrence comes before its slots and people), so a lead and a
coordinator marking the same roll run one after the other; the unique (occurrence,
person) key is the backstop, and each row's ``version`` tells a form posted over a newer
change that it is stale instead of overwriting it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select

from ...domain.attendance import SERVED, actual_times, check_times, local_day, served_minutes
from ...domain.errors import DomainError, Forbidden, NotFound
from ...models import (
    Account,
    Assignment,
    AttendanceEntry,
    Occurrence,
    OccurrenceRole,
    Person,
    Series,
    TeamMember,
)
from ...vocab import ATTENDANCE_STATUSES
from .. import audit
from ..access import can_manage, managed_community_ids
from ..locks import lock
from ..shifts.turnout import expected_people
from . import AttendanceSettings


@dataclass(frozen=True)
class RollLine:
    """One person on the roll, marked or not (``status`` None: not recorded)."""

    person_id: int
    name: str
    status: str | None
    actual_start: datetime | None
    actual_end: datetime | None
    minutes: int
    source: str | None
    is_walk_in: bool
    leave_reason: str | None
    leave_note: str | None
    version: int | None
    expected: bool  # assigned / invited (False: a walk-in)


@dataclass(frozen=True)
class Roll:
    occurrence: Occurrence
    series: Series
    state: str  # early | open | closed
    lines: tuple[RollLine, ...]
    may_mark: bool  # the actor may mark it (lead, coordinator, admin) while it is open
    may_correct: bool  # the actor may correct it after it closed (coordinator, admin)

    @property
    def unmarked(self) -> int:
        return sum(1 for line in self.lines if line.status is None)

    def count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)


@dataclass(frozen=True)
class Mark:
    """One line of a posted roll form."""

    person_id: int
    status: str
    actual_start: datetime | None = None
    actual_end: datetime | None = None
    version: int | None = None  # the row's version the form showed (None: no row then)


def load(session, occurrence_id: int) -> tuple[Occurrence, Series]:
    occurrence = session.get(Occurrence, occurrence_id)
    if occurrence is None:
        raise NotFound("No such date.")
    return occurrence, session.get(Series, occurrence.series_id)


def expected_ids(session, occurrence: Occurrence, series: Series) -> list[int]:
    """The people expected at ``occurrence``, in id order."""
    if series.participation == "team":
        query = (expected_people().subquery())
        return list(session.scalars(select(query.c.person_id).where(
            query.c.occurrence_id == occurrence.id).order_by(query.c.person_id)))
    return list(session.scalars(
        select(Assignment.person_id).distinct()
        .join(OccurrenceRole, Assignment.occurrence_role_id == OccurrenceRole.id)
        .where(OccurrenceRole.occurrence_id == occurrence.id,
               Assignment.status == "confirmed").order_by(Assignment.person_id)))


def is_lead(session, actor: Account, occurrence: Occurrence, series: Series) -> bool:
    """Is the actor a team lead of this occurrence: a lead of its series' team or of a
    team its slots require, or confirmed in one of its lead slots?"""
    if actor.person_id is None:
        return False
    teams = select(OccurrenceRole.required_team_id).where(
        OccurrenceRole.occurrence_id == occurrence.id,
        OccurrenceRole.required_team_id.is_not(None))
    lead_of_team = exists().where(
        TeamMember.person_id == actor.person_id, TeamMember.is_lead.is_(True),
        or_(TeamMember.team_id == series.team_id, TeamMember.team_id.in_(teams)))
    in_lead_slot = exists().where(
        Assignment.person_id == actor.person_id, Assignment.status == "confirmed",
        Assignment.occurrence_role_id == OccurrenceRole.id,
        OccurrenceRole.occurrence_id == occurrence.id, OccurrenceRole.is_lead.is_(True))
    return bool(session.scalar(select(or_(lead_of_team, in_lead_slot))))


def may_mark(session, actor: Account, occurrence: Occurrence, series: Series) -> bool:
    """May the actor mark this roll (while it is open)? Its leads, the coordinators of
    its community, admins."""
    if actor.role == "admin":
        return True
    if actor.role == "coordinator" and can_manage(session, actor, series.community_id):
        return True
    return is_lead(session, actor, occurrence, series)


def may_correct(session, actor: Account, series: Series) -> bool:
    """May the actor correct the roll after it closed? Coordinators of its community and
    admins (never a lead alone)."""
    return actor.role in ("coordinator", "admin") and can_manage(session, actor,
                                                                 series.community_id)


def roll(session, actor: Account, occurrence_id: int, now: datetime,
         settings: AttendanceSettings) -> Roll:
    """The roll of an occurrence as the actor may see it (leads, staff; 403 otherwise)."""
    occurrence, series = load(session, occurrence_id)
    marker = may_mark(session, actor, occurrence, series)
    corrector = may_correct(session, actor, series)
    if not (marker or corrector):
        raise Forbidden("Only the team lead and the community's coordinators take this roll.")
    state = settings.window.state(occurrence.start_at, occurrence.end_at, now)
    expected = expected_ids(session, occurrence, series)
    entries = {e.person_id: e for e in session.scalars(
        select(AttendanceEntry).where(AttendanceEntry.occurrence_id == occurrence.id))}
    ids = set(expected) | set(entries)
    names = dict(session.execute(select(Person.id, Person.full_name)
                                 .where(Person.id.in_(ids))).all()) if ids else {}
    expected_set = set(expected)
    lines = []
    for person_id in sorted(ids, key=lambda i: (i not in expected_set, names.get(i, ""), i)):
        e = entries.get(person_id)
        lines.append(RollLine(
            person_id=person_id, name=names.get(person_id, ""),
            status=e.status if e else None,
            actual_start=e.actual_start if e else None,
            actual_end=e.actual_end if e else None, minutes=e.minutes if e else 0,
            source=e.source if e else None, is_walk_in=bool(e and e.is_walk_in),
            leave_reason=e.leave_reason if e else None,
            leave_note=e.leave_note if e else None, version=e.version if e else None,
            expected=person_id in expected_set))
    return Roll(occurrence=occurrence, series=series, state=state, lines=tuple(lines),
                may_mark=marker and state == "open" and occurrence.status == "scheduled",
                may_correct=corrector and state == "closed")


def write_entry(session, occurrence: Occurrence, series: Series, person_id: int, *,
                status: str, actual_start: datetime | None, actual_end: datetime | None,
                source: str, actor: Account | None, now: datetime,
                settings: AttendanceSettings, entry: AttendanceEntry | None = None,
                is_walk_in: bool = False, leave_reason: str | None = None,
                leave_note: str | None = None) -> AttendanceEntry:
    """Insert or update one row with its minutes (the one place a row is written)."""
    if status not in ATTENDANCE_STATUSES:
        raise DomainError("Choose how they took part.", field="status")
    begin, finish = actual_times(status, occurrence.start_at, occurrence.end_at,
                                 actual_start, actual_end)
    minutes = served_minutes(status, occurrence.start_at, occurrence.end_at, begin, finish,
                             settings.grace)
    if entry is None:
        entry = AttendanceEntry(occurrence_id=occurrence.id, person_id=person_id,
                                is_walk_in=is_walk_in, version=0)
        session.add(entry)
    entry.community_id = series.community_id
    entry.kind = series.kind
    entry.start_at = occurrence.start_at
    entry.day = local_day(occurrence.start_at, settings.zone)
    entry.status = status
    entry.actual_start, entry.actual_end = begin, finish
    entry.minutes = minutes
    entry.is_service = settings.is_service(series.kind)
    entry.source = source
    entry.leave_reason = leave_reason if status == "excused" else None
    entry.leave_note = leave_note if status == "excused" else None
    entry.marked_by_id = getattr(actor, "id", None)
    entry.marked_at = now
    entry.version = (entry.version or 0) + 1
    session.flush()
    return entry


def _open_for_marking(session, actor, occurrence_id, now, settings):
    occurrence = lock(session, Occurrence, occurrence_id)
    if occurrence is None:
        raise NotFound("No such date.")
    series = session.get(Series, occurrence.series_id)
    if not may_mark(session, actor, occurrence, series):
        raise Forbidden("Only the team lead and the community's coordinators take this roll.")
    if occurrence.status != "scheduled":
        raise DomainError("This date was cancelled: it has no roll.")
    state = settings.window.state(occurrence.start_at, occurrence.end_at, now)
    if state == "early":
        raise DomainError("The roll opens %(minutes)s minutes before the start.",
                          minutes=int(settings.window.opens_before.total_seconds() // 60))
    if state == "closed":
        raise DomainError("The roll has closed. A coordinator can still correct it, with a "
                          "reason.")
    return occurrence, series


def _entries(session, occurrence_id) -> dict[int, AttendanceEntry]:
    return {e.person_id: e for e in session.scalars(
        select(AttendanceEntry).where(AttendanceEntry.occurrence_id == occurrence_id)
        .execution_options(populate_existing=True))}


def _check_mark(m: Mark, entry: AttendanceEntry | None, on_roll: set[int], names: dict,
                occurrence: Occurrence, now: datetime) -> None:
    name = names.get(m.person_id, "?")
    if m.person_id not in on_roll and entry is None:
        raise DomainError("%(name)s is not on this roll: add them as a walk-in.", name=name)
    if (entry.version if entry else None) != m.version:
        raise DomainError("%(name)s was marked by someone else meanwhile: the roll is "
                          "shown again as it is now; check it and save again.",
                          field="version", name=name)
    if m.status not in ATTENDANCE_STATUSES:
        raise DomainError("Choose how %(name)s took part.", field="status", name=name)
    if m.status == "excused" and not (entry and entry.status == "excused"):
        raise DomainError("Leave is asked before the start: mark %(name)s absent.",
                          field="status", name=name)
    check_times(m.actual_start, m.actual_end, max(now, occurrence.end_at))


def mark(session, actor: Account, occurrence_id: int, marks: list[Mark], now: datetime,
         settings: AttendanceSettings) -> int:
    """Write the marks of a posted roll; returns how many rows changed.

    All or nothing: a mark for someone not on the roll, a time that cannot be true, or a
    row changed by someone else since the form was shown refuses the whole form.
    """
    occurrence, series = _open_for_marking(session, actor, occurrence_id, now, settings)
    on_roll = set(expected_ids(session, occurrence, series))
    entries = _entries(session, occurrence.id)
    names = dict(session.execute(select(Person.id, Person.full_name).where(
        Person.id.in_({m.person_id for m in marks}))).all())
    for m in marks:  # check every line before writing any
        try:
            _check_mark(m, entries.get(m.person_id), on_roll, names, occurrence, now)
        except DomainError as exc:
            exc.person_id = m.person_id  # the form shows it on that person's line
            raise
    changed = 0
    for m in marks:
        entry = entries.get(m.person_id)
        if entry is not None and (entry.status, entry.actual_start, entry.actual_end) == (
                m.status, *actual_times(m.status, occurrence.start_at, occurrence.end_at,
                                        m.actual_start, m.actual_end)):
            continue
        was = entry.status if entry else None
        row = write_entry(session, occurrence, series, m.person_id, status=m.status,
                          actual_start=m.actual_start, actual_end=m.actual_end,
                          source="roll" if m.status != "excused" else entry.source,
                          actor=actor, now=now, settings=settings, entry=entry,
                          is_walk_in=bool(entry and entry.is_walk_in),
                          leave_reason=entry.leave_reason if entry else None,
                          leave_note=entry.leave_note if entry else None)
        audit.record(session, actor, "attendance.mark", "attendance", row.id, now,
                     occurrence_id=occurrence.id, person_id=m.person_id, status=m.status,
                     was=was, minutes_served=row.minutes)
        changed += 1
    return changed


def all_present(session, actor: Account, occurrence_id: int, now: datetime,
                settings: AttendanceSettings) -> int:
    """Mark everyone expected and not yet marked present as planned; returns how many.
    Rows already written (leave, a late arrival marked first) are kept."""
    occurrence, series = _open_for_marking(session, actor, occurrence_id, now, settings)
    entries = _entries(session, occurrence.id)
    todo = [p for p in expected_ids(session, occurrence, series) if p not in entries]
    for person_id in todo:
        write_entry(session, occurrence, series, person_id, status="present",
                    actual_start=None, actual_end=None, source="roll", actor=actor, now=now,
                    settings=settings)
    if todo:
        audit.record(session, actor, "attendance.all_present", "occurrence", occurrence.id,
                     now, people=len(todo))
    return len(todo)


def add_walk_in(session, actor: Account, occurrence_id: int, person: Person, now: datetime,
                settings: AttendanceSettings) -> AttendanceEntry:
    """Put someone who came without being assigned on the roll, present (found by the
    caller through ``people.lookup.find_member``)."""
    occurrence, series = _open_for_marking(session, actor, occurrence_id, now, settings)
    entries = _entries(session, occurrence.id)
    if person.id in entries:
        raise DomainError("%(name)s is already on this roll.", field="member",
                          name=person.full_name)
    if person.id in set(expected_ids(session, occurrence, series)):
        raise DomainError("%(name)s is already on this roll.", field="member",
                          name=person.full_name)
    entry = write_entry(session, occurrence, series, person.id, status="present",
                        actual_start=None, actual_end=None, source="roll", actor=actor,
                        now=now, settings=settings, is_walk_in=True)
    audit.record(session, actor, "attendance.walk_in", "attendance", entry.id, now,
                 occurrence_id=occurrence.id, person_id=person.id)
    return entry


def pending_rolls(session, community_ids: set[int] | None, now: datetime,
                  settings: AttendanceSettings, limit: int = 50) -> list[tuple]:
    """Rolls not yet taken: scheduled occurrences that have started, whose roll is still
    open, with nobody marked but by their own leave. Returns (occurrence, series) rows,
    oldest first. ``community_ids`` None: every community."""
    since = now - settings.window.closes_after
    marked = exists().where(AttendanceEntry.occurrence_id == Occurrence.id,
                            AttendanceEntry.source != "leave")
    query = (select(Occurrence, Series).join(Series, Occurrence.series_id == Series.id)
             .where(Occurrence.status == "scheduled", Occurrence.start_at <= now,
                    Occurrence.end_at >= since, ~marked,
                    or_(Occurrence.people_confirmed > 0,
                        and_(Series.participation == "team", Series.team_id.is_not(None))))
             .order_by(Occurrence.start_at, Occurrence.id).limit(limit))
    if community_ids is not None:
        query = query.where(Series.community_id.in_(community_ids or {-1}))
    return list(session.execute(query))


def pending_for(session, actor: Account, now: datetime, settings: AttendanceSettings,
                limit: int = 50) -> list[tuple]:
    """``pending_rolls`` of the communities the actor coordinates (all for admins)."""
    return pending_rolls(session, managed_community_ids(session, actor), now, settings, limit)


def served_count(session, occurrence_id: int) -> int:
    """How many took part (present, late, left early) in one occurrence."""
    return session.scalar(select(func.count()).where(
        AttendanceEntry.occurrence_id == occurrence_id,
        AttendanceEntry.status.in_(SERVED))) or 0
