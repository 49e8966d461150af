"""Who may see and change what: role and community scope, checked on the server."""
from __future__ import annotations

from sqlalchemy import select

from ..domain.errors import Forbidden
from ..models import Account, CoordinatorScope


def managed_community_ids(session, actor: Account) -> set[int] | None:
    """Return the communities ``actor`` may change; None means all (admin)."""
    if actor.role == "admin":
        return None
    if actor.role == "coordinator":
        return set(session.scalars(select(CoordinatorScope.community_id).where(
            CoordinatorScope.account_id == actor.id)))
    return set()


def reads_every_community(actor: Account) -> bool:
    """Return True for admins, leaders and coordinators who are also leaders."""
    return actor.role in ("admin", "leader") or (actor.role == "coordinator"
                                                 and bool(actor.is_also_leader))


def visible_community_ids(session, actor: Account) -> set[int] | None:
    """Return the communities whose rosters ``actor`` may read; None means all."""
    if reads_every_community(actor):
        return None
    return managed_community_ids(session, actor)


def may_read_series(session, actor: Account, community_id: int | None, kind: str) -> bool:
    """Return True when ``actor`` may open a series (or one of its dates) of that
    community and kind: their own communities' work, and for those who read every
    community all work but other communities' care visits (their details are private)."""
    managed = managed_community_ids(session, actor)
    if managed is None or (community_id is not None and community_id in managed):
        return True
    return reads_every_community(actor) and kind != "care"


def can_manage(session, actor: Account, community_id: int | None) -> bool:
    """Return True when ``actor`` may change data of ``community_id``."""
    ids = managed_community_ids(session, actor)
    return ids is None or (community_id is not None and community_id in ids)


def require_manage(session, actor: Account, community_id: int | None) -> None:
    """Raise Forbidden unless ``actor`` may change data of ``community_id``."""
    if not can_manage(session, actor, community_id):
        raise Forbidden("You do not coordinate this community.", field="community_id")


def sees_private_details(session, actor: Account, community_id: int) -> bool:
    """Return True when ``actor`` may see phones and addresses of that community."""
    return can_manage(session, actor, community_id)
