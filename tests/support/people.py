"""People helpers: give an account a second role."""
from __future__ import annotations

from coordinator.extensions import db
from coordinator.models import Account


def also_leader(app, account_id: int) -> None:
    """Commit ``account_id`` as also sitting on the township committee (reads as a leader)."""
    with app.app_context():
        db.session.get(Account, account_id).is_also_leader = True
        db.session.commit()
