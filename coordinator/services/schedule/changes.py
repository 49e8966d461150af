"""Change one occurrence, or a series from a date on, or end a series.

Every change of time, place or status bumps the occurrence's SEQUENCE (calendar
clients need it) and flags the people assigned for a notice. Cancelled occurrences
stay as rows (feeds show them as cancelled for a while); their places are released.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update

from ...domain.dates import check_schedule_date
from ...domain.errors import DomainError, Forbidden, NotFound
from ...domain.recurrence import expand, get_zone, to_utc
from ...models import Account, Assignment, Occurrence, OccurrenceRole, Series, SwapOffer
from .. import audit
from ..access import can_manage
from ..locks import lock, lock_many, lock_people
from ..shifts.facts import busy_intervals
from ..shifts.signups import promote_waitlist
from .bookings import check_venue
from .horizon import materialize
from .series import SeriesInput, people_needed, validate

LIVE = ("confirmed", "waitlisted")


def _load(session, actor: Account, occurrence_id: int) -> tuple[Occurrence, Series]:
    occurrence = session.get(Occurrence, occurrence_id)
    if occurrence is None:
        raise NotFound("No such occurrence.")
    series = session.get(Series, occurrence.series_id)
    if not can_manage(session, actor, series.community_id):
        raise Forbidden("You do not coordinate this community.")
    return occurrence, series


def _live(session, occurrence_id: int) -> list[Assignment]:
    return list(session.scalars(
        select(Assignment).join(OccurrenceRole).where(
            OccurrenceRole.occurrence_id == occurrence_id, Assignment.status.in_(LIVE))))


def _lock_people_of(session, occurrence_ids) -> None:
    """Lock the live assignments of locked occurrences, then their people (locks.py order):
    their times are checked next, and a sign-up elsewhere must wait for this change."""
    ids = sorted(set(occurrence_ids))
    if not ids:
        return
    assignments = lock_many(session, Assignment, session.scalars(
        select(Assignment.id).join(OccurrenceRole).where(
            OccurrenceRole.occurrence_id.in_(ids), Assignment.status.in_(LIVE))))
    lock_people(session, [a.person_id for a in assignments])


def cancel_occurrence(session, actor: Account, occurrence_id: int, reason: str,
                      now: datetime) -> int:
    """Cancel one occurrence and release its places; returns how many people were freed."""
    occurrence, series = _load(session, actor, occurrence_id)
    occurrence = lock(session, Occurrence, occurrence.id)
    if occurrence.status == "cancelled":
        raise DomainError("This occurrence is already cancelled.")
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise DomainError("Give a short reason (people will see it).", field="reason")
    freed = _release(session, occurrence, now)
    occurrence.status = "cancelled"
    occurrence.reason = reason
    occurrence.sequence += 1
    occurrence.is_detached = True
    occurrence.updated_at = now
    session.flush()
    audit.record(session, actor, "occurrence.cancel", "occurrence", occurrence.id, now,
                 reason=reason, released=freed)
    return freed


def _release(session, occurrence: Occurrence, now: datetime) -> int:
    people = _live(session, occurrence.id)
    for assignment in people:
        # Whether they were on it or only waiting decides what the notice may tell them
        # (a care visit's title and reason go to its visitors only).
        assignment.notice_reason = ("cancelled" if assignment.status == "confirmed"
                                    else "cancelled_w")
        assignment.status = "withdrawn"
        assignment.waitlist_position = None
        assignment.needs_notice = True
        assignment.updated_at = now
    session.execute(update(OccurrenceRole).where(OccurrenceRole.occurrence_id == occurrence.id)
                    .values(filled=0).execution_options(synchronize_session=False))
    # Cancel, end and split all release here: left open or pending, the swap offers stayed
    # on /swaps and /swaps/pending for a shift that is gone.
    _close_offers(session, people)
    return len(people)


def _close_offers(session, assignments: list[Assignment]) -> None:
    """Withdraw the open or pending swap offers of these assignments."""
    if assignments:
        session.execute(update(SwapOffer).where(
            SwapOffer.assignment_id.in_([a.id for a in assignments]),
            SwapOffer.status.in_(("open", "pending")))
            .values(status="withdrawn").execution_options(synchronize_session=False))


def move_occurrence(session, actor: Account, occurrence_id: int, *, start_date: date,
                    start_time: time, duration_minutes: int, venue_id: int | None,
                    now: datetime) -> Occurrence:
    """Move one occurrence in time or place; assignments stay and are flagged for notice."""
    occurrence, series = _load(session, actor, occurrence_id)
    if occurrence.status == "cancelled":
        raise DomainError("A cancelled occurrence cannot be moved.")
    if not 1 <= (duration_minutes or 0) <= 24 * 60:
        raise DomainError("The duration must be between 1 minute and 24 hours.",
                          field="duration_minutes")
    check_schedule_date(start_date, now.astimezone(get_zone(series.timezone)).date(),
                        "start_date")
    start = to_utc(start_date, start_time, get_zone(series.timezone))
    end = start + timedelta(minutes=duration_minutes)
    if start <= now:
        raise DomainError("The new start is in the past.", field="start_date")
    if venue_id is not None:
        from ...models import Venue
        venue = session.get(Venue, venue_id)
        if venue is None or venue.community_id not in (None, series.community_id):
            raise DomainError("Choose a venue from the list.", field="venue_id")
    roles = list(session.scalars(select(OccurrenceRole).where(
        OccurrenceRole.occurrence_id == occurrence.id)))
    people = sum(r.maximum for r in roles) or None
    check_venue(session, venue_id, [(start, end)], people, series.timezone,
                ignore_occurrence_ids={occurrence.id})
    occurrence = lock(session, Occurrence, occurrence.id)
    if occurrence.status == "cancelled":  # read again under the lock: a cancel may have won
        raise DomainError("A cancelled occurrence cannot be moved.")
    _lock_people_of(session, [occurrence.id])
    live = _check_people_free(session, occurrence.id, start, end)
    changed = (occurrence.start_at, occurrence.end_at, occurrence.venue_id) != (start, end,
                                                                               venue_id)
    if not changed:
        return occurrence
    before = {"start_at": occurrence.start_at, "end_at": occurrence.end_at,
              "venue_id": occurrence.venue_id}
    occurrence.start_at, occurrence.end_at, occurrence.venue_id = start, end, venue_id
    occurrence.sequence += 1
    occurrence.is_detached = True
    occurrence.updated_at = now
    for assignment in live:
        assignment.needs_notice = True
        assignment.notice_reason = "moved"
    session.flush()
    audit.record(session, actor, "occurrence.move", "occurrence", occurrence.id, now,
                 before=before, after={"start_at": start, "end_at": end, "venue_id": venue_id})
    return occurrence


def _check_people_free(session, occurrence_id: int, start: datetime, end: datetime
                       ) -> list[Assignment]:
    """Raise if a person assigned to the occurrence is busy elsewhere in [start, end).

    The caller holds the occurrence and its people locked (``_lock_people_of``), so a
    sign-up, swap or move for one of them elsewhere waits until this change commits.
    """
    live = _live(session, occurrence_id)
    for assignment in live:
        clash = busy_intervals(session, assignment.person_id, start, end,
                               exclude_occurrence_id=occurrence_id)
        if clash:
            from ...models import Person
            name = session.get(Person, assignment.person_id).full_name
            raise DomainError("%(name)s is busy then (%(title)s); change their shift first.",
                              field="start_date", name=name, title=clash[0].title)
    return live


def change_counts(session, actor: Account, occurrence_id: int,
                  counts: dict[int, tuple[int, int]], now: datetime) -> list[int]:
    """Change needed/maximum of the occurrence's roles; returns waitlist promotions."""
    occurrence, series = _load(session, actor, occurrence_id)
    occurrence = lock(session, Occurrence, occurrence.id)  # before its slots (locks.py)
    promoted = []
    for role_id, (needed, maximum) in sorted(counts.items()):
        role = lock(session, OccurrenceRole, role_id)
        if role is None or role.occurrence_id != occurrence.id:
            raise NotFound("No such role.")
        if not 0 <= needed <= 1000 or not 1 <= maximum <= 1000 or maximum < needed:
            raise DomainError("The maximum must be at least the number needed, and at least 1.",
                              field="counts")
        if maximum < role.filled:
            raise DomainError("%(n)s people are already assigned to %(role)s; unassign some "
                              "first.", field="counts", n=role.filled, role=role.name)
        if (role.needed, role.maximum) == (needed, maximum):
            continue
        audit.record(session, actor, "occurrence.counts", "occurrence", occurrence.id, now,
                     role=role.name, before=[role.needed, role.maximum],
                     after=[needed, maximum])
        grew = maximum > role.maximum
        role.needed, role.maximum = needed, maximum
        session.flush()
        if grew:
            promoted += promote_waitlist(session, actor, role.id, now)
    occurrence.updated_at = now
    return promoted


def end_series(session, actor: Account, series_id: int, last_day: date, now: datetime) -> int:
    """End a series after ``last_day``: later occurrences are cancelled. Returns how many."""
    series = session.get(Series, series_id)
    if series is None:
        raise NotFound("No such series.")
    if not can_manage(session, actor, series.community_id):
        raise Forbidden("You do not coordinate this community.")
    if last_day < series.start_date:
        raise DomainError("The last day is before the series starts.", field="until")
    cut = to_utc(last_day + timedelta(days=1), time(0), get_zone(series.timezone))
    count = _cancel_from(session, series, max(cut, now), now, "series ended")
    series.until = last_day
    series.updated_at = now
    audit.record(session, actor, "series.end", "series", series.id, now, last_day=last_day,
                 cancelled=count)
    return count


def _cancel_from(session, series: Series, cut: datetime, now: datetime, reason: str,
                 keep: set[int] = frozenset()) -> int:
    count = 0
    ids = session.scalars(select(Occurrence.id).where(
        Occurrence.series_id == series.id, Occurrence.start_at >= cut,
        Occurrence.status == "scheduled"))
    for occurrence in lock_many(session, Occurrence, ids):  # before their slots (locks.py)
        if occurrence.id in keep:
            continue
        _release(session, occurrence, now)
        occurrence.status = "cancelled"
        occurrence.reason = reason
        occurrence.sequence += 1
        occurrence.updated_at = now
        count += 1
    session.flush()
    return count


def split_series(session, actor: Account, occurrence_id: int, data: SeriesInput,
                 now: datetime, *, horizon_end: datetime) -> Series:
    """Change "this and all following": the series ends before this occurrence and a new
    series carries the change. Occurrences falling on a date the new rule still covers
    keep their people (moved, flagged for notice); the others are cancelled.
    """
    occurrence, old = _load(session, actor, occurrence_id)
    zone = old.timezone
    validate(session, actor, data, zone, now)
    from_day = occurrence.recurrence_id.astimezone(get_zone(zone)).date()
    if data.start_date < from_day:
        data = replace(data, start_date=from_day)
    slots = expand(start_date=data.start_date, start_time=data.start_time,
                   duration=timedelta(minutes=data.duration_minutes), zone_name=zone,
                   rule=data.rrule or None, until=data.until, window_start=now,
                   window_end=horizon_end)
    # Lock order (locks.py): the venue, the following occurrences, their slots, their
    # people — all before any person's time is checked.
    check_venue(session, data.venue_id, [(s.start_at, s.end_at) for s in slots],
                people_needed(session, data), zone, ignore_series_ids={old.id})
    following = sorted(lock_many(session, Occurrence, session.scalars(select(Occurrence.id).where(
        Occurrence.series_id == old.id, Occurrence.recurrence_id >= occurrence.recurrence_id,
        Occurrence.status == "scheduled"))), key=lambda o: (o.start_at, o.id))
    following_ids = [o.id for o in following]
    if following_ids:
        lock_many(session, OccurrenceRole, session.scalars(select(OccurrenceRole.id).where(
            OccurrenceRole.occurrence_id.in_(following_ids))))
    _lock_people_of(session, following_ids)
    new = Series(kind=data.kind, participation=data.participation, title=data.title.strip(),
                 description=data.description, community_id=data.community_id,
                 team_id=data.team_id, venue_id=data.venue_id, timezone=zone,
                 start_date=data.start_date, start_time=data.start_time,
                 duration_minutes=data.duration_minutes, rrule=data.rrule or None,
                 until=data.until, signup_opens_days=data.signup_opens_days,
                 withdraw_cutoff_hours=old.withdraw_cutoff_hours
                 if data.withdraw_cutoff_hours is None else data.withdraw_cutoff_hours,
                 requires_swap_approval=data.requires_swap_approval, is_public=data.is_public,
                 expected_attendance=data.expected_attendance
                 if data.participation == "team" else None,
                 parent_id=old.id, created_by_id=actor.id, created_at=now, updated_at=now,
                 materialized_until=horizon_end)
    from ...models import SeriesRole
    new.roles = [SeriesRole(name=r.name, needed=r.needed, maximum=r.maximum,
                            required_team_id=r.required_team_id, is_lead=r.is_lead)
                 for r in data.roles]
    session.add(new)
    session.flush()
    by_day = {s.start_at.astimezone(get_zone(zone)).date(): s for s in slots}
    kept: set[int] = set()
    for occ in following:
        day = occ.start_at.astimezone(get_zone(zone)).date()
        slot = by_day.pop(day, None)
        if slot is None:
            continue
        occ.series_id = new.id
        occ.recurrence_id = slot.recurrence_id
        if (occ.start_at, occ.end_at) != (slot.start_at, slot.end_at):
            _check_people_free(session, occ.id, slot.start_at, slot.end_at)
        if (occ.start_at, occ.end_at, occ.venue_id) != (slot.start_at, slot.end_at,
                                                         data.venue_id):
            occ.start_at, occ.end_at, occ.venue_id = slot.start_at, slot.end_at, data.venue_id
            occ.sequence += 1
            moved = _live(session, occ.id)
            for assignment in moved:
                assignment.needs_notice = True
                assignment.notice_reason = "moved"
            _close_offers(session, moved)  # offered (and taken) for the old time and place
        occ.updated_at = now
        _match_roles(session, occ, new, now)
        kept.add(occ.id)
    cancelled = _cancel_from(session, old, occurrence.recurrence_id, now, "schedule changed",
                             keep=kept)
    old.until = from_day - timedelta(days=1)
    old.updated_at = now
    new.materialized_until = None
    session.flush()
    created = materialize(session, [new.id], horizon_end, now)
    audit.record(session, actor, "series.split", "series", new.id, now, parent=old.id,
                 kept=len(kept), cancelled=cancelled, created=created)
    return new


def _match_roles(session, occurrence: Occurrence, series: Series, now: datetime) -> None:
    """Point the occurrence's roles at the new series' roles (same name), adopting new
    counts where the people already assigned still fit."""
    by_name = {r.name: r for r in series.roles}
    for role in session.scalars(select(OccurrenceRole).where(
            OccurrenceRole.occurrence_id == occurrence.id)):
        target = by_name.pop(role.name, None)
        role.series_role_id = target.id if target else None
        if target and target.maximum >= role.filled:
            role.needed, role.maximum = target.needed, target.maximum
            role.required_team_id = target.required_team_id
    for target in by_name.values():
        session.add(OccurrenceRole(occurrence_id=occurrence.id, series_role_id=target.id,
                                   name=target.name, needed=target.needed,
                                   maximum=target.maximum, filled=0,
                                   required_team_id=target.required_team_id,
                                   is_lead=target.is_lead))
