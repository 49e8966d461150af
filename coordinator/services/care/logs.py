"""Visit logs: what a visitor wrote after a care visit, and the needs coordinators
follow up until they close them.

Who writes: one of the visit's confirmed visitors, or a coordinator of its community,
from the visit's start until the line of ``access.care_visitor_since`` (the same line
after which the visitors stop reading the visit's details). One log per visit: a second
writer edits it, with the version they read (a stale form is refused, nothing lost).
Who closes a need: the coordinators of the community, with a note. The audit log says
that a log was written or a need closed, never the condition, the needs or the notes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from ...domain.errors import DomainError, Forbidden, NotFound
from ...models import (
    Account,
    Assignment,
    CareRecipient,
    CareVisitDetail,
    CareVisitLog,
    Occurrence,
    OccurrenceRole,
    Person,
    Series,
)
from ...vocab import CARE_CONDITIONS, CARE_NEEDS
from ..access import care_community_ids, care_visitor_since, visitor_reads
from ..audit import record
from . import CareSettings

NOTE_LIMIT = 500
# The model's columns of each need (CARE_NEEDS code -> column).
NEED_COLUMNS = {"medical": "need_medical", "daily": "need_daily", "money": "need_money",
                "company": "need_company"}


@dataclass(frozen=True)
class LogInput:
    """What the visitor's form sends (strings already stripped). ``version``: of the log
    the form was opened on (None: there was none yet)."""

    condition: str | None
    needs: tuple[str, ...] = ()
    note: str | None = None
    follow_up: bool = False
    version: int | None = None


@dataclass(frozen=True)
class LogLine:
    """One log, ready for a template (the person's page, the visitor's page)."""

    id: int
    occurrence_id: int
    visit_start: datetime
    written_at: datetime
    author: str | None
    condition: str
    needs: tuple[str, ...]
    note: str | None
    follow_up: bool
    closed_at: datetime | None
    closed_by: str | None
    close_note: str | None
    version: int

    @property
    def condition_label(self) -> str:
        return CARE_CONDITIONS.label(self.condition)

    @property
    def need_labels(self) -> list[str]:
        return [CARE_NEEDS.label(code) for code in self.needs]


@dataclass(frozen=True)
class NeedLine:
    """An open need on the coordinators' home page (only this community's coordinators
    see it, so the person's name is on it)."""

    id: int
    occurrence_id: int
    visit_start: datetime
    title: str
    person: str
    author: str | None
    written_at: datetime
    needs: tuple[str, ...]
    note: str | None
    version: int

    @property
    def need_labels(self) -> list[str]:
        return [CARE_NEEDS.label(code) for code in self.needs]


@dataclass(frozen=True)
class Visit:
    """The visit a log is written for, as its writer may read it."""

    occurrence_id: int
    title: str
    start_at: datetime
    end_at: datetime
    community_id: int | None
    recipient_id: int
    person: str
    log: CareVisitLog | None
    refusal: DomainError | None  # why no log can be written now (None: it can)


def needs_of(log: CareVisitLog) -> tuple[str, ...]:
    """The codes of the needs a log marks, in CARE_NEEDS order."""
    return tuple(code for code in CARE_NEEDS if getattr(log, NEED_COLUMNS[code]))


def recipient_of(session, occurrence_id: int, series_id: int) -> CareRecipient | None:
    """The person a visit goes to: the occurrence's own link, else its series'."""
    rows = session.execute(
        select(CareVisitDetail.occurrence_id, CareRecipient)
        .join(CareRecipient, CareVisitDetail.recipient_id == CareRecipient.id)
        .where(or_(CareVisitDetail.occurrence_id == occurrence_id,
                   CareVisitDetail.series_id == series_id))).all()
    return next((r for o, r in rows if o is not None), None) or next(
        (r for _o, r in rows), None)


def is_confirmed_on(session, person_id: int | None, occurrence_id: int) -> bool:
    """Is the member confirmed on the occurrence (the waitlist is not)?"""
    if person_id is None:
        return False
    return session.scalar(
        select(Assignment.id).join(OccurrenceRole,
                                   Assignment.occurrence_role_id == OccurrenceRole.id)
        .where(OccurrenceRole.occurrence_id == occurrence_id,
               Assignment.person_id == person_id, Assignment.status == "confirmed")
        .limit(1)) is not None


def visit_for(session, actor: Account, occurrence_id: int, now: datetime,
              settings: CareSettings = CareSettings(), zone: str = "Asia/Shanghai",
              lock: bool = False) -> Visit:
    """The visit as its log's writer sees it; NotFound for no care visit, Forbidden for
    someone who may not write its log (``refusal`` says why it cannot be written now)."""
    query = select(Occurrence, Series).join(Series, Occurrence.series_id == Series.id).where(
        Occurrence.id == occurrence_id)
    if lock:  # PostgreSQL: two first writers of one visit queue here (SQLite: one writer)
        query = query.with_for_update(of=Occurrence)
    row = session.execute(query).one_or_none()
    if row is None or row[1].kind != "care":
        raise NotFound("No such care visit.")
    occ, series = row
    recipient = recipient_of(session, occ.id, series.id)
    if recipient is None:
        raise NotFound("No such care visit.")
    since = care_visitor_since(now, settings.visitor_days, zone)
    is_coordinator = series.community_id in care_community_ids(session, actor)
    confirmed = is_confirmed_on(session, actor.person_id, occ.id)
    if not is_coordinator and not confirmed:
        raise Forbidden("Only the visitors of this visit and the coordinators of its "
                        "community write its log.")
    refusal = None
    if not is_coordinator and not visitor_reads(confirmed, occ.end_at, since):
        raise Forbidden("This visit ended more than %(n)s days ago; its log can no longer "
                        "be written.", n=settings.visitor_days)
    if occ.status == "cancelled":
        refusal = DomainError("This visit was cancelled.")
    elif now < occ.start_at:
        refusal = DomainError("The visit has not started yet; write the log after it.")
    elif occ.end_at < since:
        refusal = DomainError("This visit ended more than %(n)s days ago; its log can no "
                              "longer be written.", n=settings.visitor_days)
    elif recipient.erased_at is not None:
        refusal = DomainError("This person's details were erased.")
    log = session.scalar(select(CareVisitLog).where(CareVisitLog.occurrence_id == occ.id))
    return Visit(occurrence_id=occ.id, title=series.title, start_at=occ.start_at,
                 end_at=occ.end_at, community_id=series.community_id,
                 recipient_id=recipient.id, person=recipient.full_name, log=log,
                 refusal=refusal)


def _check(data: LogInput) -> None:
    if data.condition not in CARE_CONDITIONS:
        raise DomainError("Choose how the person is.", field="condition")
    if any(code not in CARE_NEEDS for code in data.needs):
        raise DomainError("That choice is not available.", field="needs")
    if data.note is not None and len(data.note) > NOTE_LIMIT:
        raise DomainError("At most %(n)s characters.", field="note", n=NOTE_LIMIT)


def write_log(session, actor: Account, occurrence_id: int, data: LogInput, now: datetime,
              settings: CareSettings = CareSettings(), zone: str = "Asia/Shanghai"
              ) -> CareVisitLog:
    """Write the visit's log, or edit it when one was written (with the version read)."""
    visit = visit_for(session, actor, occurrence_id, now, settings, zone, lock=True)
    if visit.refusal is not None:
        raise visit.refusal
    _check(data)
    log = visit.log
    if log is not None and (data.version is None or data.version != log.version):
        raise DomainError("Someone else wrote this visit's log after you opened it. Here "
                          "it is as it is now; make your change again.")
    if log is not None and log.closed_at is not None:
        raise DomainError("A coordinator already closed this follow-up; the log can no "
                          "longer be changed.")
    values = {"condition": data.condition, "note": data.note or None,
              "follow_up": bool(data.follow_up)}
    values.update({column: code in data.needs for code, column in NEED_COLUMNS.items()})
    if log is None:
        log = CareVisitLog(occurrence_id=visit.occurrence_id, recipient_id=visit.recipient_id,
                           community_id=visit.community_id, author_id=actor.id,
                           written_at=now, **values)
        session.add(log)
        session.flush()
        record(session, actor, "care.log", "care_log", log.id, now,
               occurrence_id=visit.occurrence_id, community_id=visit.community_id,
               follow_up=log.follow_up)
        return log
    changed = sorted(k for k, v in values.items() if getattr(log, k) != v)
    if changed:
        for key, value in values.items():
            setattr(log, key, value)
        log.author_id, log.written_at = actor.id, now
        log.version += 1
        session.flush()
        record(session, actor, "care.log", "care_log", log.id, now,
               occurrence_id=visit.occurrence_id, community_id=visit.community_id,
               follow_up=log.follow_up, fields=changed)
    return log


def _lines(session, query) -> list[LogLine]:
    author, closer = aliased(Person), aliased(Person)
    author_account, closer_account = aliased(Account), aliased(Account)
    rows = session.execute(
        query.add_columns(Occurrence.start_at, author.full_name, author_account.username,
                          closer.full_name, closer_account.username)
        .join(Occurrence, CareVisitLog.occurrence_id == Occurrence.id)
        .outerjoin(author_account, CareVisitLog.author_id == author_account.id)
        .outerjoin(author, author_account.person_id == author.id)
        .outerjoin(closer_account, CareVisitLog.closed_by_id == closer_account.id)
        .outerjoin(closer, closer_account.person_id == closer.id)).all()
    return [LogLine(id=log.id, occurrence_id=log.occurrence_id, visit_start=start,
                    written_at=log.written_at, author=a_name or a_user,
                    condition=log.condition, needs=needs_of(log), note=log.note,
                    follow_up=log.follow_up, closed_at=log.closed_at,
                    closed_by=c_name or c_user, close_note=log.close_note,
                    version=log.version)
            for log, start, a_name, a_user, c_name, c_user in rows]


def logs_of(session, recipient_id: int, limit: int | None = None) -> list:
    """The person's visit logs, newest first (the caller checked who reads them)."""
    query = (select(CareVisitLog).where(CareVisitLog.recipient_id == recipient_id)
             .order_by(CareVisitLog.written_at.desc(), CareVisitLog.id.desc()))
    if limit is not None:
        query = query.limit(limit)
    return _lines(session, query)


def open_needs(session, actor: Account, limit: int | None = None) -> list[NeedLine]:
    """The needs marked for follow-up and not closed, of the actor's communities (their
    coordinators': nobody else follows them up), oldest first."""
    communities = care_community_ids(session, actor)
    if not communities:
        return []
    author, author_account = aliased(Person), aliased(Account)
    query = (select(CareVisitLog, Occurrence.start_at, Series.title, CareRecipient.full_name,
                    author.full_name, author_account.username)
             .join(Occurrence, CareVisitLog.occurrence_id == Occurrence.id)
             .join(Series, Occurrence.series_id == Series.id)
             .join(CareRecipient, CareVisitLog.recipient_id == CareRecipient.id)
             .outerjoin(author_account, CareVisitLog.author_id == author_account.id)
             .outerjoin(author, author_account.person_id == author.id)
             .where(and_(CareVisitLog.community_id.in_(sorted(communities)),
                         CareVisitLog.follow_up.is_(True), CareVisitLog.closed_at.is_(None)))
             .order_by(CareVisitLog.written_at, CareVisitLog.id))
    if limit is not None:
        query = query.limit(limit)
    return [NeedLine(id=log.id, occurrence_id=log.occurrence_id, visit_start=start,
                     title=title, person=person, author=a_name or a_user,
                     written_at=log.written_at, needs=needs_of(log), note=log.note,
                     version=log.version)
            for log, start, title, person, a_name, a_user in session.execute(query)]


def need(session, actor: Account, log_id: int) -> NeedLine:
    """One need, for the coordinator closing it; NotFound, or Forbidden for anyone but
    the coordinators of its community."""
    log = session.get(CareVisitLog, log_id)
    if log is None or not log.follow_up:
        raise NotFound("No such follow-up.")
    if log.community_id not in care_community_ids(session, actor):
        raise Forbidden("Only the coordinators of the community follow up its visits.")
    occ = session.get(Occurrence, log.occurrence_id)
    series = session.get(Series, occ.series_id)
    recipient = session.get(CareRecipient, log.recipient_id)
    author = session.get(Account, log.author_id) if log.author_id else None
    name = None
    if author is not None:
        name = author.person.full_name if author.person_id else author.username
    return NeedLine(id=log.id, occurrence_id=log.occurrence_id, visit_start=occ.start_at,
                    title=series.title, person=recipient.full_name, author=name,
                    written_at=log.written_at, needs=needs_of(log), note=log.note,
                    version=log.version)


def is_closed(session, log_id: int) -> bool:
    """Has the need been closed (by anyone)?"""
    return session.scalar(select(CareVisitLog.closed_at).where(
        CareVisitLog.id == log_id)) is not None


def close_need(session, actor: Account, log_id: int, note: str | None, version: int,
               now: datetime) -> CareVisitLog:
    """Close a need with a note (the community's coordinators; the version read)."""
    need(session, actor, log_id)  # exists, and the actor follows it up
    log = session.get(CareVisitLog, log_id)
    if log.closed_at is not None:
        raise DomainError("Someone already closed this follow-up.")
    if log.version != version:
        raise DomainError("Someone changed this visit's log after you opened it. Here it "
                          "is as it is now; close it again.")
    note = (note or "").strip()
    if not note:
        raise DomainError("Say in a few words what was done.", field="note")
    if len(note) > NOTE_LIMIT:
        raise DomainError("At most %(n)s characters.", field="note", n=NOTE_LIMIT)
    log.closed_at, log.closed_by_id, log.close_note = now, actor.id, note
    log.version += 1
    session.flush()
    record(session, actor, "care.close", "care_log", log.id, now,
           occurrence_id=log.occurrence_id, community_id=log.community_id)
    return log
