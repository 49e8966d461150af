"""Run one piece of work in N threads that start together, each in its own write
transaction and connection: what a race test needs on both backends."""
from __future__ import annotations

import threading

from coordinator.database import begin_write
from coordinator.domain.errors import DomainError
from coordinator.extensions import db


def race(app, work, n):
    """Call ``work(i)`` for i in range(n) at once; returns each result, or the DomainError
    it refused with. Any other exception fails the test."""
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def run(i):
        with app.app_context():
            barrier.wait()
            try:
                begin_write(db.session)
                results[i] = work(i)
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                results[i] = exc
            except Exception as exc:  # noqa: BLE001 — any crash is a failure to report
                db.session.rollback()
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    return results
