"""What is read about corrections: the approval queue and one occurrence's corrections
(on the correction page and the closed roll), with names, in one query each."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ...models import Account, AttendanceCorrection, Occurrence, Person, Series
from ..access import sees_care_details


@dataclass(frozen=True)
class CorrectionView:
    """One correction, ready for a template."""

    id: int
    occurrence_id: int
    kind: str
    title: str  # empty for a care visit the reader may not read in full
    start_at: datetime
    end_at: datetime
    person: str
    status: str
    actual_start: datetime | None
    actual_end: datetime | None
    reason: str
    state: str
    requested_by_id: int | None
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    community_id: int | None


def corrections(session, *, community_ids: set[int] | None = None,
                occurrence_id: int | None = None, state: str | None = None,
                care_ids=frozenset(), limit: int = 100) -> list[CorrectionView]:
    """Corrections in ``community_ids`` (None: all), of one occurrence and in one state
    when given; the oldest first for the queue, the latest first for an occurrence."""
    asker, decider = aliased(Account), aliased(Account)
    asker_person, decider_person = aliased(Person), aliased(Person)
    query = (select(AttendanceCorrection.id, AttendanceCorrection.occurrence_id, Series.kind,
                    Series.title, Occurrence.start_at, Occurrence.end_at, Person.full_name,
                    AttendanceCorrection.status, AttendanceCorrection.actual_start,
                    AttendanceCorrection.actual_end, AttendanceCorrection.reason,
                    AttendanceCorrection.state, AttendanceCorrection.requested_by_id,
                    asker_person.full_name, asker.username, AttendanceCorrection.requested_at,
                    decider_person.full_name, decider.username,
                    AttendanceCorrection.community_id)
             .join(Occurrence, AttendanceCorrection.occurrence_id == Occurrence.id)
             .join(Series, Occurrence.series_id == Series.id)
             .join(Person, AttendanceCorrection.person_id == Person.id)
             .outerjoin(asker, AttendanceCorrection.requested_by_id == asker.id)
             .outerjoin(asker_person, asker.person_id == asker_person.id)
             .outerjoin(decider, AttendanceCorrection.decided_by_id == decider.id)
             .outerjoin(decider_person, decider.person_id == decider_person.id))
    if community_ids is not None:
        query = query.where(AttendanceCorrection.community_id.in_(community_ids or {-1}))
    if occurrence_id is not None:
        query = query.where(AttendanceCorrection.occurrence_id == occurrence_id)
        query = query.order_by(AttendanceCorrection.requested_at.desc(),
                               AttendanceCorrection.id.desc())
    else:
        query = query.order_by(AttendanceCorrection.requested_at, AttendanceCorrection.id)
    if state is not None:
        query = query.where(AttendanceCorrection.state == state)
    out = []
    for row in session.execute(query.limit(limit)):
        view = CorrectionView(*row[:13], requested_by=row[13] or row[14] or "",
                              requested_at=row[15], decided_by=row[16] or row[17],
                              community_id=row[18])
        if view.kind == "care" and not sees_care_details(care_ids, view.community_id, False):
            view = replace(view, title="")
        out.append(view)
    return out
