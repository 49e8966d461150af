"""The in-app notifications of one account: unread count, pages, marking read."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from ...models import Notification

PAGE_SIZE = 30


def unread_count(session, account_id: int) -> int:
    """Return how many notifications the account has not read."""
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.account_id == account_id, Notification.read_at.is_(None))) or 0


def page(session, account_id: int, number: int = 1) -> tuple[list[Notification], int]:
    """Return one page of the account's notifications (newest first) and the total."""
    total = session.scalar(select(func.count()).select_from(Notification).where(
        Notification.account_id == account_id)) or 0
    rows = list(session.scalars(
        select(Notification).where(Notification.account_id == account_id)
        .order_by(Notification.id.desc()).limit(PAGE_SIZE)
        .offset((number - 1) * PAGE_SIZE)))
    return rows, total


def mark_read(session, account_id: int, notification_id: int | None, now: datetime) -> int:
    """Mark one notification (or, with None, all) of the account read; returns how many."""
    query = update(Notification).where(Notification.account_id == account_id,
                                       Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    result = session.execute(query.values(read_at=now).execution_options(
        synchronize_session=False))
    return result.rowcount or 0
