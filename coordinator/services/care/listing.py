"""The register as a list: which communities' people a reader sees by name now, an
admin's running openings, and one page of a register with each person's last visit."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ...models import Account, CareRecipient, CareRegisterOpening, CareVisitLog
from ..access import care_community_ids


def readable_community_ids(session, actor: Account, now: datetime) -> frozenset[int]:
    """The communities whose register ``actor`` reads in full now (``may_read``): a
    coordinator's own, an admin's opened ones until the opening expires."""
    if actor.role == "admin":
        return frozenset(session.scalars(select(CareRegisterOpening.community_id).where(
            CareRegisterOpening.account_id == actor.id, CareRegisterOpening.opened_at <= now,
            CareRegisterOpening.until > now)))
    return care_community_ids(session, actor)


def openings_of(session, actor: Account, now: datetime) -> list[CareRegisterOpening]:
    """An admin's openings still running, the latest first."""
    return list(session.scalars(select(CareRegisterOpening).where(
        CareRegisterOpening.account_id == actor.id, CareRegisterOpening.until > now)
        .order_by(CareRegisterOpening.until.desc())))


@dataclass(frozen=True)
class Listing:
    rows: list  # (CareRecipient, last visit log's instant or None)
    total: int
    page: int
    pages: int


def listing(session, community_ids, ended: bool, page: int = 1,
            per_page: int = 25) -> Listing:
    """One page of the people cared for in ``community_ids`` (being cared for, or ended),
    by name, each with the instant of their last visit log. The caller checks who reads
    (``readable_community_ids``)."""
    ids = sorted(community_ids)
    where = [CareRecipient.community_id.in_(ids),
             (CareRecipient.status != "active") if ended else (CareRecipient.status == "active")]
    total = session.scalar(select(func.count(CareRecipient.id)).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    last = (select(CareVisitLog.recipient_id, func.max(CareVisitLog.written_at).label("at"))
            .group_by(CareVisitLog.recipient_id).subquery())
    order = ((CareRecipient.ended_on.desc(), CareRecipient.id.desc()) if ended
             else (CareRecipient.community_id, CareRecipient.full_name, CareRecipient.id))
    rows = session.execute(select(CareRecipient, last.c.at)
                           .outerjoin(last, last.c.recipient_id == CareRecipient.id)
                           .where(*where).order_by(*order)
                           .limit(per_page).offset((page - 1) * per_page)).all()
    return Listing(rows=[tuple(r) for r in rows], total=total, page=page, pages=pages)
