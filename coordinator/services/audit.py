"""Write audit entries in the same transaction as the change they describe."""
from __future__ import annotations

from datetime import datetime

from ..models import AuditEntry


def record(session, actor, action: str, entity: str, entity_id: int | None,
           now: datetime, **details) -> AuditEntry:
    """Add one audit entry; ``details`` must never hold secrets."""
    entry = AuditEntry(at=now, actor_id=getattr(actor, "id", None), action=action,
                       entity=entity, entity_id=entity_id, details=_plain(details))
    session.add(entry)
    return entry


def _plain(value):
    """Make values JSON-friendly (dates become ISO strings)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
