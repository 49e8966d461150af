"""When a person's care ends: their future visits are cancelled through the schedule's
own cancellation (the visitors are told, in the words used for care visits) and their
repeating visits end, in the caller's transaction."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import or_, select

from ...models import Account, CareVisitDetail, Occurrence, Series
from ..schedule.changes import cancel_occurrence, end_series
from ..schedule.horizon import materialize


def future_visits(session, recipient_id: int, now: datetime) -> list[int]:
    """The ids of the person's scheduled visits starting after ``now``, in time order."""
    linked_series = select(CareVisitDetail.series_id).where(
        CareVisitDetail.recipient_id == recipient_id, CareVisitDetail.series_id.is_not(None))
    linked_one = select(CareVisitDetail.occurrence_id).where(
        CareVisitDetail.recipient_id == recipient_id,
        CareVisitDetail.occurrence_id.is_not(None))
    return list(session.scalars(select(Occurrence.id).where(
        or_(Occurrence.series_id.in_(linked_series), Occurrence.id.in_(linked_one)),
        Occurrence.start_at > now, Occurrence.status == "scheduled")
        .order_by(Occurrence.start_at, Occurrence.id)))


def cancel_future_visits(session, actor: Account, recipient_id: int, now: datetime,
                         reason: str, today: date) -> int:
    """Cancel the person's future visits and end their repeating series (no new dates are
    made for them); returns how many visits were cancelled."""
    series_ids = list(session.scalars(select(CareVisitDetail.series_id).where(
        CareVisitDetail.recipient_id == recipient_id, CareVisitDetail.series_id.is_not(None))
        .order_by(CareVisitDetail.series_id)))
    for series in (session.get(Series, i) for i in series_ids):
        if series.rrule and series.start_date > today:
            # Dates not yet made would still be made later: make the first one now, so
            # that it is cancelled below and the series ends on it.
            first = datetime.combine(series.start_date + timedelta(days=2), time(0),
                                     tzinfo=now.tzinfo)
            materialize(session, [series.id], first, now)
    ids = future_visits(session, recipient_id, now)
    for occurrence_id in ids:
        cancel_occurrence(session, actor, occurrence_id, reason, now)
    for series in (session.get(Series, i) for i in series_ids):
        last_day = max(today, series.start_date)
        if series.rrule and (series.until is None or series.until > last_day):
            end_series(session, actor, series.id, last_day, now)
    return len(ids)
