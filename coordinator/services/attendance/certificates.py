"""Service-record certificates (志愿服务记录证明): issue with frozen figures, revoke, verify.

The figures are computed once, when the certificate is issued, and stored on it: a later
correction of the roll never changes a paper already handed out (a new certificate does
show it). The number is sequential per year (2026-000123); two issues at once may pick
the same next number, so the unique constraint decides and the loser takes the next one
(inside a savepoint, the rest of the transaction kept). The token is the secret part of
the verification link: numbers are guessable, tokens are not.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError

from ...domain.attendance import SERVED
from ...domain.errors import DomainError, Forbidden, NotFound
from ...models import Account, AttendanceEntry, Certificate, Person
from .. import audit
from ..access import managed_community_ids, may_issue_certificate, record_access
from . import AttendanceSettings

NUMBER_TRIES = 5


@dataclass(frozen=True)
class Figures:
    total_minutes: int
    staff_minutes: int
    services: int
    by_kind: dict  # kind -> minutes


def local_today(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def check_period(start: date | None, end: date | None, today: date) -> None:
    """Refuse a period that cannot be certified (missing, reversed or in the future)."""
    if start is None:
        raise DomainError("Choose the first day.", field="period_start")
    if end is None:
        raise DomainError("Choose the last day.", field="period_end")
    if end < start:
        raise DomainError("The last day is before the first day.", field="period_end")
    if start > today:
        raise DomainError("The first day is in the future.", field="period_start")
    if end > today:
        raise DomainError("The last day is in the future: a certificate shows service "
                          "already done.", field="period_end")


def first_service_day(session, person_id: int, zone: str) -> date | None:
    """The local day of the person's first recorded service, or None."""
    first = session.scalar(select(func.min(AttendanceEntry.start_at)).where(
        AttendanceEntry.person_id == person_id, AttendanceEntry.status.in_(SERVED),
        AttendanceEntry.is_service.is_(True)))
    return first.astimezone(ZoneInfo(zone)).date() if first else None


def figures(session, person_id: int, start: date, end: date, zone: str) -> Figures:
    """Service minutes (and those added by staff), services and minutes by kind of the
    local days ``start`` to ``end`` (both included): one grouped query."""
    tz = ZoneInfo(zone)
    lo = datetime.combine(start, time(0), tz)
    hi = datetime.combine(end + timedelta(days=1), time(0), tz)
    e = AttendanceEntry
    rows = session.execute(
        select(e.kind, func.sum(e.minutes),
               func.sum(case((e.source == "staff", e.minutes), else_=0)), func.count())
        .where(e.person_id == person_id, e.status.in_(SERVED), e.is_service.is_(True),
               e.start_at >= lo, e.start_at < hi)
        .group_by(e.kind)).all()
    return Figures(total_minutes=sum(int(r[1] or 0) for r in rows),
                   staff_minutes=sum(int(r[2] or 0) for r in rows),
                   services=sum(int(r[3]) for r in rows),
                   by_kind={kind: int(m or 0) for kind, m, _s, _n in rows})


def _next_number(session, year: int) -> str:
    prefix = f"{year}-"
    last = session.scalar(select(func.max(Certificate.number)).where(
        Certificate.number.like(prefix + "%")))
    n = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{n:06d}"


def issue(session, actor: Account, person_id: int, period_start: date | None,
          period_end: date | None, now: datetime, settings: AttendanceSettings
          ) -> Certificate:
    """Issue a certificate of the person's service in the period (audited).

    The member themselves, their community's coordinators and admins may. Asking again
    for the same period with unchanged figures gives back the certificate already issued
    instead of a new number.
    """
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("No such member.")
    if not may_issue_certificate(session, actor, person.id, person.community_id):
        raise Forbidden("Only the member and their community's coordinators issue this "
                        "certificate.")
    check_period(period_start, period_end, local_today(now, settings.zone))
    got = figures(session, person.id, period_start, period_end, settings.zone)
    same = session.scalars(select(Certificate).where(
        Certificate.person_id == person.id, Certificate.period_start == period_start,
        Certificate.period_end == period_end, Certificate.revoked_at.is_(None))
        .order_by(Certificate.id.desc())).first()
    if same is not None and (same.total_minutes, same.staff_minutes, same.services,
                             same.by_kind, same.full_name) == (
            got.total_minutes, got.staff_minutes, got.services, got.by_kind,
            person.full_name):
        return same
    year = local_today(now, settings.zone).year
    for _attempt in range(NUMBER_TRIES):
        cert = Certificate(
            number=_next_number(session, year), token=secrets.token_urlsafe(24)[:32],
            person_id=person.id, full_name=person.full_name,
            member_number=person.member_number,
            organisation=settings.organisation, period_start=period_start,
            period_end=period_end, total_minutes=got.total_minutes,
            staff_minutes=got.staff_minutes, services=got.services, by_kind=got.by_kind,
            issued_at=now, issued_by_id=actor.id)
        try:
            with session.begin_nested():
                session.add(cert)
                session.flush()
        except IntegrityError:  # another issue took this number meanwhile: the next one
            continue
        audit.record(session, actor, "certificate.issue", "certificate", cert.id, now,
                     number=cert.number, person_id=person.id,
                     period_start=period_start, period_end=period_end,
                     total_minutes=got.total_minutes)
        return cert
    raise DomainError("Too many certificates are being issued at once: try again.")


def revoke(session, actor: Account, certificate_id: int, reason: str, now: datetime
           ) -> Certificate:
    """Revoke a certificate with a reason (its community's coordinators, admins; audited)."""
    cert = session.scalar(select(Certificate).where(Certificate.id == certificate_id)
                          .with_for_update())
    if cert is None:
        raise NotFound("No such certificate.")
    person = session.get(Person, cert.person_id)
    if record_access(session, actor, person.id, person.community_id) != "staff":
        raise Forbidden("Only the community's coordinators revoke a certificate.")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why the certificate is revoked.", field="reason")
    if len(reason) > 300:
        raise DomainError("Keep the reason under 300 characters.", field="reason")
    if cert.revoked_at is not None:
        raise DomainError("This certificate was already revoked.")
    cert.revoked_at, cert.revoked_by_id, cert.revoke_reason = now, actor.id, reason
    session.flush()
    audit.record(session, actor, "certificate.revoke", "certificate", cert.id, now,
                 number=cert.number, reason=reason)
    return cert


def by_token(session, token: str) -> Certificate | None:
    """The certificate of a verification link, or None (unknown)."""
    if not token or len(token) > 64:
        return None
    return session.scalar(select(Certificate).where(Certificate.token == token))


def readable(session, actor: Account, cert: Certificate) -> bool:
    """May the actor open the certificate's PDF? Whoever may issue it."""
    person = session.get(Person, cert.person_id)
    return person is not None and may_issue_certificate(session, actor, person.id,
                                                        person.community_id)


def issued_list(session, actor: Account, limit: int = 200) -> list[tuple[Certificate, Person]]:
    """Certificates of the members of the actor's communities (admins: all), latest first."""
    managed = managed_community_ids(session, actor)
    query = (select(Certificate, Person).join(Person, Certificate.person_id == Person.id)
             .order_by(Certificate.issued_at.desc(), Certificate.id.desc()).limit(limit))
    if managed is not None:
        query = query.where(Person.community_id.in_(managed or {-1}))
    return [(cert, person) for cert, person in session.execute(query)]
