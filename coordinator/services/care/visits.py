"""Visits for people cared for: planning them through the series service, festival
visits, and each person's history of visits (planned, done, missed, who went).

A care visit is an ordinary series (kind ``care``, the person's community, one role of
visitors: sign-up, waitlist, suggestions and assignment as for any other work) linked to
the person by ``CareVisitDetail(series_id=...)``. The series holds nothing private: a
neutral title (a title holding the person's name is refused), no venue, and the place is
read from the person's record when a page or feed is rendered (``place_lines``), so that
when the person moves from hospital to home the visits follow; the feeds and pages show
it only to the visit's visitors and the community's coordinators (``services.access``).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from dateutil.rrule import rrulestr
from sqlalchemy import or_, select

from ...domain.errors import DomainError, Forbidden, NotFound
from ...models import (
    Account,
    Assignment,
    AttendanceEntry,
    CareRecipient,
    CareVisitDetail,
    CareVisitLog,
    Occurrence,
    OccurrenceRole,
    Person,
    Series,
)
from ...models.attendance import SERVED
from ...vocab import CARE_FESTIVALS
from .. import audit
from ..schedule.series import RoleInput, SeriesInput, create_series
from ..shifts import signups
from ..shifts.suggestions import suggest_many
from . import register

REPEATS = ("once", "weekly", "fortnightly", "every_weeks", "monthly")
MAX_VISITORS = 10
MAX_COUNT = 104
MAX_FESTIVAL_DAYS = 31


@dataclass(frozen=True)
class VisitPlan:
    """What a coordinator enters to plan visits for one person (strings stripped).

    ``title`` and ``role_name`` arrive translated from the view (services know no
    language); a repeating visit ends on ``until`` or after ``count`` visits."""

    title: str
    start_date: date
    start_time: time
    duration_minutes: int = 60
    repeat: str = "once"
    every_weeks: int | None = None  # for ``every_weeks``
    until: date | None = None
    count: int | None = None
    visitors: int = 2
    team_id: int | None = None
    notes: str | None = None
    condolence: bool = False
    role_name: str = "Visitor"


def may_plan(session, actor: Account, community_id: int) -> bool:
    """The community's coordinators plan its care visits (not admins, not leaders): those
    who keep its register."""
    return register.may_keep(session, actor, community_id)


def _recipient(session, actor: Account, recipient_id: int) -> CareRecipient:
    recipient = session.get(CareRecipient, recipient_id)
    if recipient is None:
        raise NotFound("No such person cared for.")
    if not may_plan(session, actor, recipient.community_id):
        raise Forbidden("Only the community's coordinators plan its care visits.")
    return recipient


def _check_status(recipient: CareRecipient, plan: VisitPlan) -> None:
    if recipient.erased_at is not None:
        raise DomainError("This record has been erased: no visits can be planned for it.")
    if recipient.status == "active":
        return
    if not (plan.condolence and recipient.status == "deceased"):
        raise DomainError("This record has ended: no visits can be planned for it. "
                          "Only a condolence visit can be planned for a person who "
                          "passed away.")
    if plan.repeat != "once":
        raise DomainError("A condolence visit is a single visit.", field="repeat")


def check_title(title: str, recipient: CareRecipient) -> None:
    """Refuse a title that carries the person's name (everyone who sees the calendar
    sees the title)."""
    name = (recipient.full_name or "").strip()
    squeezed = "".join(title.split())
    if name and "".join(name.split()) in squeezed:
        raise DomainError("The title is seen by everyone who sees the calendar: leave the "
                          "person's name out of it.", field="title")


def build_rule(plan: VisitPlan) -> str | None:
    """The RRULE of the plan's repeat (None for a single visit)."""
    if plan.repeat not in REPEATS:
        raise DomainError("Choose how often the visit repeats.", field="repeat")
    if plan.repeat == "once":
        return None
    if plan.repeat == "monthly":
        return f"FREQ=MONTHLY;BYMONTHDAY={plan.start_date.day}"
    weeks = {"weekly": 1, "fortnightly": 2}.get(plan.repeat, plan.every_weeks)
    if weeks is None or not 1 <= weeks <= 12:
        raise DomainError("Every 1 to 12 weeks.", field="every_weeks")
    day = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[plan.start_date.weekday()]
    return f"FREQ=WEEKLY{f';INTERVAL={weeks}' if weeks > 1 else ''};BYDAY={day}"


def _until(plan: VisitPlan, rule: str | None) -> date | None:
    """The last date: given, or the date of the ``count``-th visit."""
    if rule is None:
        return None
    if plan.until is not None and plan.count is not None:
        raise DomainError("Give either an end date or a number of visits, not both.",
                          field="count")
    if plan.count is not None:
        if not 1 <= plan.count <= MAX_COUNT:
            raise DomainError("Between 1 and %(n)s visits.", field="count", n=MAX_COUNT)
        dates = list(rrulestr(f"{rule};COUNT={plan.count}",
                              dtstart=datetime.combine(plan.start_date, plan.start_time)))
        return dates[-1].date()
    if plan.until is None:
        raise DomainError("A repeating visit needs an end: a date or a number of visits.",
                          field="until")
    return plan.until


def plan_visit(session, actor: Account, recipient_id: int, plan: VisitPlan, now: datetime,
               *, zone: str, horizon_end: datetime) -> Series:
    """Plan a single or repeating visit for a person cared for (their coordinators)."""
    recipient = _recipient(session, actor, recipient_id)
    _check_status(recipient, plan)
    title = (plan.title or "").strip()
    if not title:
        raise DomainError("Enter a title, without the person's name.", field="title")
    check_title(title, recipient)
    if not 1 <= (plan.visitors or 0) <= MAX_VISITORS:
        raise DomainError("Between 1 and %(n)s visitors.", field="visitors", n=MAX_VISITORS)
    if plan.notes and len(plan.notes) > 500:
        raise DomainError("At most %(n)s characters.", field="notes", n=500)
    rule = build_rule(plan)
    until = _until(plan, rule)
    data = SeriesInput(
        kind="care", title=title, community_id=recipient.community_id,
        start_date=plan.start_date, start_time=plan.start_time,
        duration_minutes=plan.duration_minutes, rrule=rule, until=until,
        team_id=plan.team_id, description=plan.notes or None,
        roles=(RoleInput(plan.role_name, plan.visitors, plan.visitors, plan.team_id),))
    series = create_series(session, actor, data, now, zone=zone, horizon_end=horizon_end)
    session.add(CareVisitDetail(series_id=series.id, recipient_id=recipient.id))
    session.flush()
    audit.record(session, actor, "care.plan", "care", recipient.id, now,
                 community_id=recipient.community_id, rrule=rule, people=plan.visitors)
    return series


def place_lines(recipient: CareRecipient) -> list[str]:
    """Where the person is now, as lines for the visitors (hospital, ward, bed; care
    home and its address; or the home address). Private: callers check the reader."""
    if recipient.place == "hospital":
        return [x for x in (recipient.institution, recipient.ward, recipient.bed) if x]
    if recipient.place == "care_home":
        return [x for x in (recipient.institution, recipient.address) if x]
    return [recipient.address] if recipient.address else []


# Festival visits -----------------------------------------------------------------------

@dataclass(frozen=True)
class FestivalPlan:
    """One visit for every person cared for in a community, spread over the days."""

    festival: str
    community_id: int
    first_day: date
    last_day: date
    start_time: time
    duration_minutes: int = 60
    visitors: int = 2
    title: str = ""  # translated by the view, e.g. "春节慰问"
    role_name: str = "Visitor"


@dataclass
class FestivalVisit:
    recipient_id: int
    full_name: str
    series_id: int
    occurrence_id: int
    start_at: datetime
    needed: int
    visitors: list[str] = field(default_factory=list)

    @property
    def short(self) -> int:
        return max(0, self.needed - len(self.visitors))


def _spread(count: int, first: date, last: date) -> list[date]:
    """``count`` dates over ``[first, last]``, as evenly as whole days allow."""
    days = (last - first).days + 1
    return [first + timedelta(days=i * days // count) for i in range(count)]


def plan_festival(session, actor: Account, plan: FestivalPlan, now: datetime, *, zone: str,
                  horizon_end: datetime) -> list[FestivalVisit]:
    """Plan a festival visit for everyone cared for in a community and pair visitors
    from the suggestions: the best suggested, spread so that nobody visits twice on the
    same day while others are free; the rest stays for the assignment page."""
    if not may_plan(session, actor, plan.community_id):
        raise Forbidden("Only the community's coordinators plan its care visits.")
    if plan.festival not in CARE_FESTIVALS:
        raise DomainError("Choose the festival.", field="festival")
    if plan.last_day < plan.first_day:
        raise DomainError("The last day is before the first day.", field="last_day")
    if (plan.last_day - plan.first_day).days + 1 > MAX_FESTIVAL_DAYS:
        raise DomainError("At most %(n)s days.", field="last_day", n=MAX_FESTIVAL_DAYS)
    people = list(session.scalars(select(CareRecipient).where(
        CareRecipient.community_id == plan.community_id, CareRecipient.status == "active",
        CareRecipient.erased_at.is_(None)).order_by(CareRecipient.id)))
    if not people:
        raise DomainError("Nobody is being cared for in this community.",
                          field="community_id")
    visits = []
    for recipient, day in zip(people, _spread(len(people), plan.first_day, plan.last_day),
                              strict=True):
        series = plan_visit(session, actor, recipient.id, VisitPlan(
            title=plan.title, start_date=day, start_time=plan.start_time,
            duration_minutes=plan.duration_minutes, visitors=plan.visitors,
            role_name=plan.role_name), now, zone=zone, horizon_end=horizon_end)
        occ, role = session.execute(
            select(Occurrence, OccurrenceRole)
            .join(OccurrenceRole, OccurrenceRole.occurrence_id == Occurrence.id)
            .where(Occurrence.series_id == series.id)).one()
        visits.append((FestivalVisit(recipient.id, recipient.full_name, series.id, occ.id,
                                     occ.start_at, plan.visitors), role.id, day))
    _pair(session, actor, visits, plan.visitors, now, zone)  # each assignment is audited
    return [v for v, _r, _d in visits]


def _pair(session, actor: Account, visits, per_visit: int, now: datetime, zone: str) -> None:
    """Assign each visit its best suggestions (in their order), taking people not yet on
    a visit that day first. Suggestions with a soft problem (away, unavailable, over
    their weekly limit) are left for the coordinator to decide."""
    ranked = suggest_many(session, actor, [r for _v, r, _d in visits], now, limit=200)
    used_on: dict[date, set[int]] = defaultdict(set)
    for visit, role_id, day in visits:
        candidates = [s for s in ranked.get(role_id, []) if not s.problems]
        order = sorted(range(len(candidates)),
                       key=lambda i: (candidates[i].person_id in used_on[day], i))
        for i in order:
            if len(visit.visitors) >= per_visit:
                break
            suggestion = candidates[i]
            try:
                result = signups.sign_up(session, actor, role_id, now,
                                         person_id=suggestion.person_id, zone=zone)
            except DomainError:
                continue  # changed since suggested (a visit just given, a weekly limit)
            if result.status != "confirmed":
                continue
            visit.visitors.append(suggestion.full_name)
            used_on[day].add(suggestion.person_id)


# History -------------------------------------------------------------------------------

@dataclass(frozen=True)
class VisitRow:
    """One visit of a person: ``status`` planned / done / missed / cancelled."""

    occurrence_id: int
    start_at: datetime
    end_at: datetime
    title: str
    status: str
    people: tuple[str, ...]  # who went (done), who is going (planned)
    short: int = 0  # visitors still missing (planned)
    has_log: bool = False


def history(session, recipient_id: int, now) -> list:
    """The person's visits, newest first: planned, done (from the attendance roll when it
    was taken, else from a visit log), missed (past, nobody attended, no log) and
    cancelled, with who went. Callers check the reader (the community's coordinators)."""
    details = session.execute(select(CareVisitDetail.series_id, CareVisitDetail.occurrence_id)
                              .where(CareVisitDetail.recipient_id == recipient_id)).all()
    series_ids = [s for s, _o in details if s is not None]
    occ_ids = [o for _s, o in details if o is not None]
    if not details:
        return []
    rows = session.execute(
        select(Occurrence, Series.title).join(Series, Occurrence.series_id == Series.id)
        .where(or_(Occurrence.series_id.in_(series_ids), Occurrence.id.in_(occ_ids)))
        .order_by(Occurrence.start_at.desc(), Occurrence.id.desc()).limit(300)).all()
    ids = [occ.id for occ, _t in rows]
    if not ids:
        return []
    confirmed: dict[int, list[str]] = defaultdict(list)
    needed: dict[int, int] = defaultdict(int)
    for occ_id, need, filled in session.execute(
            select(OccurrenceRole.occurrence_id, OccurrenceRole.needed, OccurrenceRole.filled)
            .where(OccurrenceRole.occurrence_id.in_(ids))):
        needed[occ_id] += max(0, need - filled)
    for occ_id, name in session.execute(
            select(OccurrenceRole.occurrence_id, Person.full_name)
            .join(Assignment, Assignment.occurrence_role_id == OccurrenceRole.id)
            .join(Person, Assignment.person_id == Person.id)
            .where(OccurrenceRole.occurrence_id.in_(ids), Assignment.status == "confirmed")
            .order_by(Assignment.created_at, Assignment.id)):
        confirmed[occ_id].append(name)
    rolled: set[int] = set()
    went: dict[int, list[str]] = defaultdict(list)
    for occ_id, status, name in session.execute(
            select(AttendanceEntry.occurrence_id, AttendanceEntry.status, Person.full_name)
            .join(Person, AttendanceEntry.person_id == Person.id)
            .where(AttendanceEntry.occurrence_id.in_(ids)).order_by(AttendanceEntry.id)):
        rolled.add(occ_id)
        if status in SERVED:
            went[occ_id].append(name)
    logged = set(session.scalars(select(CareVisitLog.occurrence_id).where(
        CareVisitLog.occurrence_id.in_(ids))))
    out = []
    for occ, title in rows:
        people: list[str] = confirmed[occ.id]
        short = 0
        if occ.status == "cancelled":
            status = "cancelled"
        elif occ.end_at > now:
            status, short = "planned", needed[occ.id]
        elif occ.id in rolled:
            status, people = ("done" if went[occ.id] else "missed"), went[occ.id]
        elif occ.id in logged:
            status = "done"
        else:
            status, people = "missed", []
        out.append(VisitRow(occ.id, occ.start_at, occ.end_at, title, status, tuple(people),
                            short, occ.id in logged))
    return out


__all__ = ["FestivalPlan", "FestivalVisit", "VisitPlan", "VisitRow", "build_rule",
           "check_title", "history", "may_plan", "place_lines", "plan_festival",
           "plan_visit"]
